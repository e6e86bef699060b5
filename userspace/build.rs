//! Builds the capture XDP program (`ebpf/xdp`, nightly, bpfel-unknown-none) with
//! aya-build and leaves the object in OUT_DIR, where `src/bpf/objects.rs` embeds it.
//! (The lab's generator and XDP_DROP are built by `bench/build.rs` from `ebpf/bench`.)
//! Does nothing without the `live` feature.
#[cfg(feature = "live")]
fn main() -> anyhow::Result<()> {
    use aya_build::{Package, Toolchain};
    use std::path::PathBuf;

    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest.join("../ebpf/xdp");
    let Some(root) = root.to_str() else {
        anyhow::bail!("the workspace path {} is not UTF-8", root.display());
    };
    aya_build::build_ebpf(
        [Package {
            name: "sluice-ebpf",
            root_dir: root,
            ..Default::default()
        }],
        Toolchain::Nightly,
    )
}

#[cfg(not(feature = "live"))]
fn main() {}
