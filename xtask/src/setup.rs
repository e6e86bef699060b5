//! `cargo xtask setup`: idempotent installation of everything a fresh machine of this
//! kind lacks, with a quick path when all of it is present.
use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context, Result};

/// Debian packages the build, the tests and the demo use.
const APT_PACKAGES: &[&str] = &[
    "clang",
    "llvm",
    "libbpf-dev",
    "libelf-dev",
    "zlib1g-dev",
    "pkg-config",
    "m4",
    "make",
    "ethtool",
    "iproute2",
    "tcpdump",
    "tshark",
    "libfixbuf-tools",
    "libzmq3-dev",
    "libpcap-dev",
    "nfdump",
    "curl",
    "python3",
    "procps",
];

/// Debian packages of `cargo xtask bench offline`'s peers: softflowd, argus (and
/// `racount` from argus-client, which counts argus's records), and Python's venv for
/// nfstream.
const PEER_APT_PACKAGES: &[&str] = &["softflowd", "argus-server", "argus-client", "python3-venv"];
/// The services those packages ship, kept stopped: a daemon capturing an interface
/// would disturb the live benchmarks.
const PEER_SERVICES: &[&str] = &["argus.service", "softflowd.service"];
/// nfstream from PyPI, the offline benchmark's third peer, in a venv under `target/`.
const NFSTREAM_VERSION: &str = "6.6.0";
/// Where that venv lives, relative to the workspace.
const NFSTREAM_VENV: &str = "target/venv-nfstream";

/// Python packages the tests use as real components of the user's world, in a venv
/// under `target/` (tests find it with `sluice_tests::python`): corelight's
/// reference Community ID implementation, a ZMQ implementation (pyzmq), the
/// Prometheus text-format parser, and a Kafka client carrying a current
/// librdkafka.
const TEST_PYTHON_PACKAGES: &[&str] = &[
    "communityid==1.5.0",
    "pyzmq==27.3.0",
    "prometheus-client==0.26.0",
    "confluent-kafka==2.16.1",
];
/// Where that venv lives, relative to the workspace.
const TEST_VENV: &str = "target/venv-tests";

/// The toolchain that builds the eBPF crate (aya-build runs `rustup run nightly`).
const NIGHTLY: &str = "nightly";
/// bpf-linker version, built against the nightly's own LLVM.
const BPF_LINKER_VERSION: &str = "0.13.0";
/// LLVM major of the nightly (bpf-linker feature `llvm-22`).
const LLVM_MAJOR: &str = "22";
/// Where the libLLVM prefix for bpf-linker lives (kept: the linker needs it at run time).
const LLVM_PREFIX: &str = "/opt/sluice-llvm";

/// `PATH` with `~/.cargo/bin` in front, so freshly installed tools are found.
pub fn path_with_cargo_bin() -> String {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    let path = std::env::var("PATH").unwrap_or_default();
    format!("{}:{path}", home.join("bin").display())
}

fn ok(cmd: &mut Command) -> bool {
    cmd.env("PATH", path_with_cargo_bin())
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn stdout(cmd: &mut Command) -> String {
    cmd.env("PATH", path_with_cargo_bin())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// cargo-fuzz version used by `cargo xtask fuzz`.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Runs every setup step.
pub fn run() -> Result<()> {
    apt()?;
    rust_src()?;
    bpf_linker()?;
    cargo_fuzz()?;
    test_python()?;
    tansu()?;
    nfstream();
    Ok(())
}

/// Installs nfstream into [`NFSTREAM_VENV`] unless that version is there. A failure is
/// only a warning: nothing but `cargo xtask bench offline` needs it (and it can run
/// with `--skip-nfstream`).
fn nfstream() {
    let venv = crate::root().join(NFSTREAM_VENV);
    let python = venv.join("bin/python");
    let v =
        stdout(Command::new(&python).args(["-c", "import nfstream; print(nfstream.__version__)"]));
    if v.trim() == NFSTREAM_VERSION {
        return;
    }
    eprintln!(
        "xtask setup: installing nfstream {NFSTREAM_VERSION} from PyPI into {NFSTREAM_VENV} (for bench offline)"
    );
    let res = crate::run(
        Command::new("/usr/bin/python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv),
    )
    .and_then(|_| {
        crate::run(Command::new(venv.join("bin/pip")).args([
            "install",
            "-q",
            &format!("nfstream=={NFSTREAM_VERSION}"),
        ]))
    });
    if let Err(e) = res {
        eprintln!("xtask setup: warning: nfstream was not installed ({e:#}); `cargo xtask bench offline` needs it or --skip-nfstream");
    }
}

/// Installs [`TEST_PYTHON_PACKAGES`] into [`TEST_VENV`] unless a marker says these
/// exact pins are there.
fn test_python() -> Result<()> {
    let venv = crate::root().join(TEST_VENV);
    let marker = venv.join("sluice-packages.txt");
    let want = TEST_PYTHON_PACKAGES.join("\n");
    if std::fs::read_to_string(&marker).is_ok_and(|s| s == want) {
        return Ok(());
    }
    eprintln!(
        "xtask setup: installing the tests' Python packages from PyPI into {TEST_VENV}: {}",
        TEST_PYTHON_PACKAGES.join(" ")
    );
    crate::run(
        Command::new("/usr/bin/python3")
            .args(["-m", "venv"])
            .arg(&venv),
    )?;
    crate::run(
        Command::new(venv.join("bin/pip"))
            .args(["install", "-q"])
            .args(TEST_PYTHON_PACKAGES),
    )?;
    std::fs::write(&marker, want).with_context(|| format!("writing {}", marker.display()))
}

/// tansu, the Kafka-protocol broker the Kafka tests start: built with SQLite
/// storage (`sqlite://`), so a broker restarted mid-test keeps what it stored
/// (a plain `cargo install tansu` has only `null://`, which keeps nothing).
const TANSU_VERSION: &str = "0.6.0";

/// Installs tansu unless that version is there.
fn tansu() -> Result<()> {
    let v = stdout(Command::new("tansu").arg("--version"));
    if v.contains(TANSU_VERSION) {
        return Ok(());
    }
    eprintln!(
        "xtask setup: building tansu {TANSU_VERSION} with SQLite storage, the Kafka tests' broker (15 to 40 minutes, once per machine)"
    );
    crate::run(
        Command::new("cargo")
            .current_dir("/")
            .env_remove("RUSTUP_TOOLCHAIN")
            .args([
                "install",
                "tansu",
                "--version",
                TANSU_VERSION,
                "--features",
                "libsql",
                "--locked",
            ]),
    )
}

/// Installs cargo-fuzz (the fuzz targets run under nightly with libFuzzer).
fn cargo_fuzz() -> Result<()> {
    let v = stdout(Command::new("cargo").args(["fuzz", "--version"]));
    if v.contains(CARGO_FUZZ_VERSION) {
        return Ok(());
    }
    eprintln!("xtask setup: building cargo-fuzz {CARGO_FUZZ_VERSION} (about a minute)");
    crate::run(
        Command::new("cargo")
            .current_dir("/")
            .env_remove("RUSTUP_TOOLCHAIN")
            .args([
                "install",
                "cargo-fuzz",
                "--version",
                CARGO_FUZZ_VERSION,
                "--locked",
            ]),
    )
}

fn apt() -> Result<()> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .chain(PEER_APT_PACKAGES)
        .copied()
        .filter(|p| {
            let s = stdout(Command::new("dpkg-query").args(["-W", "-f=${Status}", p]));
            !s.contains("install ok installed")
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!(
        "xtask setup: installing Debian packages: {}",
        missing.join(" ")
    );
    crate::run(Command::new("apt-get").args(["update", "-qq"]))?;
    crate::run(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing),
    )?;
    stop_peer_services();
    Ok(())
}

/// Stops and disables the peers' services where systemd runs (on machines without it,
/// as this kind, nothing started them).
fn stop_peer_services() {
    if Path::new("/run/systemd/system").exists() {
        let _ = ok(Command::new("systemctl")
            .args(["disable", "--now"])
            .args(PEER_SERVICES));
    }
}

fn rust_src() -> Result<()> {
    let installed = stdout(Command::new("rustup").args(["toolchain", "list"]));
    if !installed.lines().any(|l| l.starts_with(NIGHTLY)) {
        crate::run(Command::new("rustup").args([
            "toolchain",
            "install",
            NIGHTLY,
            "--profile",
            "minimal",
            "--component",
            "rust-src",
        ]))?;
    }
    let comps = stdout(Command::new("rustup").args([
        "component",
        "list",
        "--installed",
        "--toolchain",
        NIGHTLY,
    ]));
    if !comps.lines().any(|l| l.starts_with("rust-src")) {
        crate::run(Command::new("rustup").args([
            "component",
            "add",
            "rust-src",
            "--toolchain",
            NIGHTLY,
        ]))?;
    }
    let v = stdout(Command::new("rustup").args(["run", NIGHTLY, "rustc", "-vV"]));
    let llvm = v
        .lines()
        .find_map(|l| l.strip_prefix("LLVM version: "))
        .unwrap_or("unknown");
    if !llvm.starts_with(&format!("{LLVM_MAJOR}.")) {
        bail!(
            "the {NIGHTLY} toolchain uses LLVM {llvm}, but bpf-linker is built for LLVM {LLVM_MAJOR}; \
             see docs/build.md"
        );
    }
    Ok(())
}

fn nightly_sysroot() -> Result<PathBuf> {
    let s = stdout(Command::new("rustup").args(["run", NIGHTLY, "rustc", "--print", "sysroot"]));
    let s = s.trim();
    if s.is_empty() {
        bail!("cannot find the {NIGHTLY} sysroot");
    }
    Ok(PathBuf::from(s))
}

/// Links `lib/libLLVM.so` and `lib/<soname>` in the prefix to the nightly's libLLVM.
fn llvm_prefix() -> Result<()> {
    let lib = nightly_sysroot()?.join("lib");
    let so = std::fs::read_dir(&lib)
        .with_context(|| format!("reading {}", lib.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("libLLVM.so.{LLVM_MAJOR}")))
        })
        .with_context(|| format!("no libLLVM.so.{LLVM_MAJOR}* in {}", lib.display()))?;
    let dir = Path::new(LLVM_PREFIX).join("lib");
    std::fs::create_dir_all(&dir)?;
    let name = so.file_name().expect("file has a name");
    for link in [dir.join("libLLVM.so"), dir.join(name)] {
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&so, &link)
            .with_context(|| format!("linking {}", link.display()))?;
    }
    Ok(())
}

fn bpf_linker() -> Result<()> {
    llvm_prefix()?;
    let v = stdout(Command::new("bpf-linker").arg("--version"));
    if v.contains(BPF_LINKER_VERSION) {
        return Ok(());
    }
    eprintln!("xtask setup: building bpf-linker {BPF_LINKER_VERSION} against the {NIGHTLY} LLVM (about a minute)");
    crate::run(
        Command::new("cargo")
            .current_dir("/")
            .env("LLVM_PREFIX", LLVM_PREFIX)
            .env_remove("RUSTUP_TOOLCHAIN")
            .args([
                "install",
                "bpf-linker",
                "--version",
                BPF_LINKER_VERSION,
                "--no-default-features",
                "--features",
                &format!("llvm-{LLVM_MAJOR}"),
                "--locked",
            ]),
    )?;
    if !ok(Command::new("bpf-linker").arg("--version")) {
        bail!("bpf-linker was installed but does not run");
    }
    Ok(())
}
