//! `cargo xtask`: setup, build, test, demo and benchmarks for Sluice.
//!
//! Kept dependency-light on purpose: `setup` must run on a fresh machine before anything
//! that needs clang, libbpf or bpf-linker can be compiled.
mod layers;
mod setup;

use std::{
    path::{Path, PathBuf},
    process::{exit, Command},
};

use anyhow::{bail, Context, Result};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  setup          install what a fresh machine lacks (Debian packages, rust-src, bpf-linker)
  build          setup, then build every binary (release)
  demo           setup, build, then run the demo (needs root)
  test           setup, build, then run every test, privileged ones included (needs root)
  fuzz [SECS]    run every cargo-fuzz target for SECS seconds each (default 30)
  bench          criterion benchmarks (hot paths)
  bench live     end-to-end: XDP_DROP vs sluice capture vs AF_PACKET on one generator (needs root)
  bench memory [--runs N] [--flows N] [--baseline SLUICE]
                 peak RSS and throughput of `sluice read` on 3 M one-packet flows, features none and all
  bench offline [--runs N] [--inputs big,small,flood] [--skip-nfstream]
                 `sluice read` side by side with softflowd, argus and nfstream on three captures
  bench outputs [--runs N]
                 `sluice read --features all` on the big capture to /dev/null, Kafka and ZMQ
  bench soak [--minutes N]
                 a long live capture of churning flows: RSS, fds, records, drops a minute (needs root)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let res = match args.as_slice() {
        ["setup"] => setup::run(),
        ["build"] => setup::run().and_then(|_| build()),
        ["demo", rest @ ..] => demo(rest),
        ["test", rest @ ..] => test(rest),
        ["layers"] => layers::run(),
        ["fuzz"] => setup::run().and_then(|_| fuzz(30)),
        ["fuzz", secs] => match secs.parse() {
            Ok(s) => setup::run().and_then(|_| fuzz(s)),
            Err(_) => {
                eprintln!("{USAGE}");
                exit(2);
            }
        },
        ["bench"] => bench_criterion(),
        ["bench", "live", rest @ ..] => bench_live(rest),
        ["bench", "soak", rest @ ..] => bench_lab("soak", rest),
        ["bench", "memory", rest @ ..] => bench_offline_lab("memory", rest),
        ["bench", "offline", rest @ ..] => bench_offline_lab("offline", rest),
        ["bench", "outputs", rest @ ..] => bench_offline_lab("outputs", rest),
        _ => {
            eprintln!("{USAGE}");
            exit(2);
        }
    };
    if let Err(e) = res {
        eprintln!("xtask: error: {e:#}");
        exit(1);
    }
}

/// The workspace root (parent of xtask/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Runs a command in the workspace root, failing on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    eprintln!("xtask: $ {shown}");
    let status = cmd
        .env("PATH", setup::path_with_cargo_bin())
        .status()
        .with_context(|| format!("running {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}

/// `cargo` run from the workspace root.
fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn require_root(what: &str) -> Result<()> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc_geteuid() } != 0 {
        bail!(
            "{what} needs root: it loads XDP programs and creates network namespaces \
             (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN). Run it as root, e.g. `sudo -E cargo xtask {what}`"
        );
    }
    Ok(())
}

extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

fn build() -> Result<()> {
    run(cargo().args(["build", "--release", "--bins"]))
}

fn bin(name: &str) -> PathBuf {
    root().join("target/release").join(name)
}

fn demo(rest: &[&str]) -> Result<()> {
    require_root("demo")?;
    setup::run()?;
    build()?;
    let sluice = bin("sluice");
    run(Command::new(bin("sluice-lab"))
        .arg("demo")
        .arg("--sluice")
        .arg(&sluice)
        .args(rest))
}

fn test(rest: &[&str]) -> Result<()> {
    require_root("test")?;
    setup::run()?;
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    layers::run()?;
    build()?;
    run(cargo().args([
        "clippy",
        "--release",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    // Live tests share two CPUs with the generator: one test at a time keeps counts exact.
    let mut cmd = cargo();
    cmd.args(["test", "--release"])
        .env("SLUICE_BIN", bin("sluice"))
        .env("SLUICE_CORPUS", corpus()?)
        .args(["--", "--test-threads=1"])
        .args(rest);
    let (passed, failed) = run_counting_tests(&mut cmd)?;
    // Bounded fuzzing of every target; a crash fails the run.
    let fuzz_result = fuzz(FUZZ_SECS_IN_TEST);
    let fuzz_failed = u64::from(fuzz_result.is_err());
    println!(
        "tests: {} passed, {} failed (including {} fuzz targets run {FUZZ_SECS_IN_TEST} s each)",
        passed + FUZZ_TARGETS.len() as u64 - fuzz_failed,
        failed + fuzz_failed,
        FUZZ_TARGETS.len()
    );
    fuzz_result
}

/// The cargo-fuzz targets in fuzz/.
const FUZZ_TARGETS: &[&str] = &[
    "decode",
    "read",
    "tls",
    "dns",
    "http",
    "ipfix",
    "quic",
    "l7",
    "rules",
    "anon_files",
    "compact_bd",
    "read_all",
];
/// How long `cargo xtask test` runs each fuzz target.
const FUZZ_SECS_IN_TEST: u64 = 15;

/// Runs every fuzz target for `secs` seconds, seeded from small corpus captures and
/// from the target's own seeds in `fuzz/seeds/<target>/`, if it has any.
fn fuzz(secs: u64) -> Result<()> {
    let seeds = seed_dir()?;
    for target in FUZZ_TARGETS {
        let work = root().join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&work)?;
        let own_seeds = root().join("fuzz/seeds").join(target);
        run(Command::new("cargo")
            .current_dir(root().join("fuzz"))
            .env_remove("RUSTUP_TOOLCHAIN")
            .args(["+nightly", "fuzz", "run", target])
            .arg(&work)
            .arg(&seeds)
            .args(own_seeds.is_dir().then_some(&own_seeds))
            .args([
                "--",
                &format!("-max_total_time={secs}"),
                "-rss_limit_mb=4096",
                "-max_len=65536",
                "-print_final_stats=1",
            ]))
        .with_context(|| {
            format!("fuzz target `{target}` failed (a crash input is in fuzz/artifacts/{target}/)")
        })?;
    }
    Ok(())
}

/// The shared capture corpus: `$SLUICE_CORPUS`, else `shared/corpus` beside the
/// repository or beside one of its ancestors, else `/work/shared/corpus` (where this
/// machine kind keeps it, whatever directory the repository was cloned to).
fn corpus() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("SLUICE_CORPUS") {
        return Ok(PathBuf::from(p));
    }
    let root = root();
    let candidates = root
        .ancestors()
        .map(|a| a.join("shared/corpus"))
        .chain(std::iter::once(PathBuf::from("/work/shared/corpus")));
    for c in candidates {
        if c.join("MANIFEST.tsv").exists() {
            return Ok(c);
        }
    }
    bail!("the shared capture corpus (shared/corpus/MANIFEST.tsv) was not found beside the repository or in /work/shared; set SLUICE_CORPUS")
}

/// A directory of seed inputs: the shared corpus's captures under 64 KiB.
fn seed_dir() -> Result<PathBuf> {
    let dir = root().join("target/fuzz-seeds");
    std::fs::create_dir_all(&dir)?;
    let mut stack = vec![corpus()?];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if p.is_dir() && name != "reference" && name != "expected" {
                stack.push(p);
            } else if (name.ends_with(".pcap") || name.ends_with(".pcapng"))
                && e.metadata().map(|m| m.len() < 65_536).unwrap_or(false)
            {
                let _ = std::fs::copy(&p, dir.join(&name));
            }
        }
    }
    Ok(dir)
}

/// Runs `cargo test`, echoing its output, and sums the `test result:` lines of every test
/// binary so the run ends with one total.
fn run_counting_tests(cmd: &mut Command) -> Result<(u64, u64)> {
    use std::io::{BufRead, BufReader};
    eprintln!("xtask: $ {cmd:?}");
    let mut child = cmd
        .env("PATH", setup::path_with_cargo_bin())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("running cargo test")?;
    let (mut passed, mut failed) = (0u64, 0u64);
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(rest) = line.strip_prefix("test result: ") {
                let num = |word: &str| -> u64 {
                    rest.split(';')
                        .find_map(|part| {
                            part.trim()
                                .strip_suffix(word)?
                                .trim()
                                .rsplit(' ')
                                .next()?
                                .parse()
                                .ok()
                        })
                        .unwrap_or(0)
                };
                passed += num("passed");
                failed += num("failed");
            }
        }
    }
    let status = child.wait()?;
    if !status.success() {
        println!("tests: {passed} passed, {failed} failed");
        bail!("cargo test failed with {status}");
    }
    Ok((passed, failed))
}

fn bench_criterion() -> Result<()> {
    setup::run()?;
    run(cargo().args(["bench", "-p", "sluice-bench", "--bench", "hot_path"]))
}

fn bench_live(rest: &[&str]) -> Result<()> {
    bench_lab("live", rest)
}

/// Runs `sluice-lab WHAT --sluice target/release/sluice REST` (a live benchmark).
fn bench_lab(what: &str, rest: &[&str]) -> Result<()> {
    require_root(&format!("bench {what}"))?;
    setup::run()?;
    build()?;
    run(Command::new(bin("sluice-lab"))
        .arg(what)
        .arg("--sluice")
        .arg(bin("sluice"))
        .args(rest))
}

/// Runs `sluice-lab WHAT --sluice target/release/sluice REST`, a benchmark of `sluice
/// read` (`memory`, `offline`; no root needed: they only read pcaps).
fn bench_offline_lab(what: &str, rest: &[&str]) -> Result<()> {
    setup::run()?;
    build()?;
    run(Command::new(bin("sluice-lab"))
        .arg(what)
        .arg("--sluice")
        .arg(bin("sluice"))
        .args(rest))
}
