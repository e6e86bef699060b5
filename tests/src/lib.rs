//! Helpers for Sluice's integration tests.
//!
//! Privileged tests never skip: without root they fail with a message saying how to run
//! them (`cargo xtask test` as root).
use std::path::PathBuf;

/// Fails the test unless it runs as root.
pub fn require_root() {
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    assert_eq!(
        uid, 0,
        "this test loads XDP programs and creates network namespaces: run `cargo xtask test` as root"
    );
}

/// The `sluice` binary under test: `$SLUICE_BIN`, else target/release/sluice.
pub fn sluice_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("SLUICE_BIN") {
        let p = PathBuf::from(p);
        return std::fs::canonicalize(&p).unwrap_or(p);
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/sluice");
    assert!(
        p.exists(),
        "{} not built: run `cargo xtask test` (it builds the binaries first)",
        p.display()
    );
    p
}

/// The Python of the tests' venv (`target/venv-tests`, made by `cargo xtask
/// setup`), which has the reference packages the tests compare against.
pub fn python() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/venv-tests/bin/python");
    assert!(
        p.exists(),
        "{} missing: run `cargo xtask setup` (it installs the tests' Python packages)",
        p.display()
    );
    p
}

/// A script of `tests/py/`.
pub fn py_script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("py")
        .join(name)
}

/// Asserts that a run failed with exit status 1 and an error line naming
/// `option` and `value` (`args` and `stderr` are shown if not).
pub fn assert_option_error(
    status: std::process::ExitStatus,
    stderr: &str,
    args: &[&str],
    option: &str,
    value: &str,
) {
    assert_eq!(status.code(), Some(1), "{args:?}: {stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("error"))
        .unwrap_or_default();
    assert!(
        line.contains(option) && line.contains(value),
        "{args:?}: {stderr}"
    );
}

/// A short namespace prefix unique to this process and test.
pub fn tag(test: &str) -> String {
    format!("sl{}{test}", std::process::id() % 100_000)
}

/// A fresh scratch directory for one test.
pub fn scratch(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sluice-test-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("creating scratch dir");
    d
}

/// The shared capture corpus: `$SLUICE_CORPUS` (set by `cargo xtask test`), else
/// `../shared/corpus` beside the repository. Fails the test if it is missing.
pub fn corpus() -> PathBuf {
    let p = std::env::var_os("SLUICE_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
        PathBuf::from,
    );
    assert!(
        p.join("MANIFEST.tsv").exists(),
        "corpus not found at {} (set SLUICE_CORPUS, or run `cargo xtask test`)",
        p.display()
    );
    p
}

/// Every capture the corpus manifest (`MANIFEST.tsv` in `root`) lists, as
/// paths relative to `root`.
pub fn manifest(root: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    text.lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|f| !f.is_empty())
        .map(String::from)
        .collect()
}

/// A flow endpoint: address and port.
pub type Endpoint = (std::net::IpAddr, u16);

/// The two endpoints of a conversation in order (lower first), so that both directions
/// give one key.
pub fn ordered(a: Endpoint, b: Endpoint) -> (Endpoint, Endpoint) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

pub mod capture;
pub mod ipfix_dump;
