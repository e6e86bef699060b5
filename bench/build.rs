//! Builds the lab's eBPF programs (`ebpf/bench`: the generator and the live benchmark's
//! XDP_DROP; nightly, bpfel-unknown-none) with aya-build and leaves the object in
//! OUT_DIR, where `src/objects.rs` embeds it. The capture program is built by
//! `userspace/build.rs`.
fn main() -> anyhow::Result<()> {
    use aya_build::{Package, Toolchain};
    use std::path::PathBuf;

    // aya-build reruns this script when ebpf/bench changes; the programs also build
    // against the kernel/user contract (GenConfig, map names), so watch it too.
    println!("cargo:rerun-if-changed=../ebpf/common");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest.join("../ebpf/bench");
    let Some(root) = root.to_str() else {
        anyhow::bail!("the workspace path {} is not UTF-8", root.display());
    };
    aya_build::build_ebpf(
        [Package {
            name: "sluice-ebpf-bench",
            root_dir: root,
            ..Default::default()
        }],
        Toolchain::Nightly,
    )
}
