//! `cargo xtask bench memory`: the peak RSS and the throughput of `sluice read` on a
//! flood of one-packet flows, without features and with every feature.
//!
//! The flood (written once and cached): `--flows` Ethernet / IPv4 / UDP packets
//! 1 µs apart, each its own flow (addresses in 10.0.0.0/8, sources in the lower half
//! and destinations in the upper half so no packet is another's reply), with an
//! 18-byte payload for the features to look at. Each run is `sluice read FLOOD -o
//! /dev/null [--features all]` as a child process; its peak RSS is the kernel's
//! (wait4's `ru_maxrss`). With `--baseline`, a second binary runs interleaved with
//! the first (A B A B ...) and the table ends with the ratios new / baseline.
use std::{
    fs::File,
    io::{BufWriter, Read, Write},
    net::Ipv4Addr,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};

use crate::{
    frame::{ipv4_checksum, udp_frame, UdpTemplate, MIN_FRAME},
    pcap_write::{write_header, write_record},
};

/// Options of the memory benchmark.
#[derive(clap::Args, Debug)]
pub struct MemoryArgs {
    /// The `sluice` binary measured.
    #[arg(long)]
    pub sluice: PathBuf,
    /// A second `sluice` binary (e.g. the previous commit's) run interleaved with the
    /// first, for ratios new / baseline.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Runs of each binary and feature set (the table shows medians).
    #[arg(long, default_value_t = 1)]
    pub runs: u32,
    /// One-packet flows in the flood.
    #[arg(long, default_value_t = 3_000_000)]
    pub flows: u32,
    /// Where the flood is cached (default: `target/bench-memory` in the workspace).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// A feature set measured, with its peak RSS target in MB (10^6 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Features {
    /// `sluice read` as is: target 100 MB.
    None,
    /// `--features all`: target 350 MB.
    All,
}

impl Features {
    /// Both sets, in the order they run.
    pub const BOTH: [Features; 2] = [Features::None, Features::All];

    /// The set's name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Features::None => "none",
            Features::All => "all",
        }
    }

    /// The extra arguments of `sluice read`.
    fn args(self) -> &'static [&'static str] {
        match self {
            Features::None => &[],
            Features::All => &["--features", "all"],
        }
    }

    /// The peak RSS target, in MB.
    pub fn target_mb(self) -> f64 {
        match self {
            Features::None => 100.0,
            Features::All => 350.0,
        }
    }
}

/// One run of `sluice read`.
#[derive(Clone, Copy, Debug)]
pub struct Measure {
    /// The child's peak resident set size, in KiB.
    pub peak_rss_kib: u64,
    /// From spawn to reap.
    pub wall: Duration,
}

impl Measure {
    /// Peak RSS in MB (10^6 bytes).
    pub fn rss_mb(&self) -> f64 {
        self.peak_rss_kib as f64 * 1024.0 / 1e6
    }

    /// Millions of packets per second for a flood of `packets`.
    pub fn mpps(&self, packets: u32) -> f64 {
        f64::from(packets) / self.wall.as_secs_f64().max(1e-9) / 1e6
    }
}

/// Runs the benchmark and prints the table.
pub fn run(a: MemoryArgs) -> Result<()> {
    let dir = a.dir.clone().unwrap_or_else(default_dir);
    let pcap = ensure_flood(&dir, a.flows)?;
    let bins = binaries(&a);
    println!(
        "memory: {} one-packet UDP flows ({}), {} run(s) each",
        a.flows,
        pcap.display(),
        a.runs.max(1)
    );
    // results[b][f]: every run of binary b with feature set f.
    let mut results = vec![vec![Vec::new(); Features::BOTH.len()]; bins.len()];
    for run in 1..=a.runs.max(1) {
        for (f, &features) in Features::BOTH.iter().enumerate() {
            for (b, (label, bin)) in bins.iter().enumerate() {
                let m = measure(bin, &pcap, features)?;
                println!(
                    "  run {run}: {label:<8} features {:<4}  {:>7.1} MB  {:>6.2} s",
                    features.name(),
                    m.rss_mb(),
                    m.wall.as_secs_f64()
                );
                results[b][f].push(m);
            }
        }
    }
    let medians: Vec<Vec<Measure>> = results
        .iter()
        .map(|per| per.iter().map(|runs| median(runs)).collect())
        .collect();
    print_table(&bins, &medians, a.flows);
    if medians.len() == 2 {
        print_ratios(&medians[0], &medians[1]);
    }
    Ok(())
}

/// The binaries measured, labelled: the new one, then the baseline if any.
fn binaries(a: &MemoryArgs) -> Vec<(&'static str, PathBuf)> {
    let mut bins = vec![("new", a.sluice.clone())];
    if let Some(b) = &a.baseline {
        bins.push(("baseline", b.clone()));
    }
    bins
}

/// `bench-memory` in `$CARGO_TARGET_DIR`, else in the workspace's `target/`.
fn default_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    target.join("bench-memory")
}

/// The workspace root (the parent of bench/), as built.
fn workspace() -> PathBuf {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    bench.parent().unwrap_or(bench).to_path_buf()
}

/// The cached flood of `flows` flows in `dir`, written first if missing.
pub fn ensure_flood(dir: &Path, flows: u32) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let pcap = dir.join(format!("flood-{flows}.pcap"));
    if pcap.exists() {
        return Ok(pcap);
    }
    eprintln!("memory: writing {} ...", pcap.display());
    // Written aside and renamed, so an interrupted write is not taken for the flood.
    let partial = pcap.with_extension("pcap.partial");
    write_flood(&partial, flows).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, &pcap)?;
    Ok(pcap)
}

/// Writes `flows` one-packet UDP flows, 1 µs apart, to `path`.
pub fn write_flood(path: &Path, flows: u32) -> Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    write_header(&mut w, 1)?;
    let t = UdpTemplate {
        dst_mac: [2, 0, 0, 0, 0, 2],
        src_mac: [2, 0, 0, 0, 0, 1],
        src: Ipv4Addr::new(10, 0, 0, 0),
        dst: Ipv4Addr::new(10, 128, 0, 0),
        sport: 0,
        dport: 0,
    };
    let mut frame = udp_frame(&t, MIN_FRAME);
    for i in 0..flows {
        set_flow(&mut frame, i);
        write_record(
            &mut w,
            1_700_000_000_000_000_000 + u64::from(i) * 1000,
            &frame,
        )?;
    }
    w.flush()?;
    Ok(())
}

/// Addresses below 10.128.0.0 (8 M of them) or above it, for the flood.
const HALF: u32 = 1 << 23;

/// Rewrites `frame` (from [`udp_frame`]) as flow `i`'s packet: source 10.0.0.0/9 +
/// `i` mod 2^23, destination 10.128.0.0/9 + a permutation of it, source port
/// cycling through 10000..60000 and destination port 30000 + `i` / 2^23, so
/// every `i` is a distinct flow and none is the reverse of another.
pub fn set_flow(frame: &mut [u8], i: u32) {
    let low = i % HALF;
    let src = (10 << 24) | low;
    // An odd multiplier permutes the residues mod 2^23.
    let dst = (10 << 24) | HALF | (low.wrapping_mul(2_654_435_761) % HALF);
    let sport = 10_000 + (i % 50_000) as u16;
    let dport = 30_000 + (i / HALF) as u16;
    frame[26..30].copy_from_slice(&src.to_be_bytes());
    frame[30..34].copy_from_slice(&dst.to_be_bytes());
    frame[34..36].copy_from_slice(&sport.to_be_bytes());
    frame[36..38].copy_from_slice(&dport.to_be_bytes());
    // The IPv4 checksum covers the addresses.
    frame[24..26].copy_from_slice(&[0, 0]);
    let c = ipv4_checksum(&frame[14..34]);
    frame[24..26].copy_from_slice(&c.to_be_bytes());
}

/// Runs `BIN read --no-progress PCAP -o /dev/null [features]` and measures it; fails
/// with its stderr unless it exits 0.
// The child is reaped with wait4, which also gives its own peak RSS.
#[allow(clippy::zombie_processes)]
pub fn measure(bin: &Path, pcap: &Path, features: Features) -> Result<Measure> {
    let started = Instant::now();
    let mut child = Command::new(bin)
        .args(["read", "--no-progress"])
        .arg(pcap)
        .args(["-o", "/dev/null"])
        .args(features.args())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut stderr)?;
    }
    let (status, usage) = wait4(child.id())?;
    let wall = started.elapsed();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        bail!(
            "{} read {} (features {}) failed (wait status {status:#x}): {}",
            bin.display(),
            pcap.display(),
            features.name(),
            stderr.trim_end()
        );
    }
    Ok(Measure {
        peak_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        wall,
    })
}

/// Reaps child `pid`: its wait status and its resource usage.
pub fn wait4(pid: u32) -> Result<(libc::c_int, libc::rusage)> {
    let pid = libc::pid_t::try_from(pid)?;
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: status and usage are valid for writes for the duration of the call.
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if got != pid {
        bail!("wait4({pid}): {}", std::io::Error::last_os_error());
    }
    Ok((status, usage))
}

/// The median wall time and the median peak RSS of `runs`, each taken on its own.
fn median(runs: &[Measure]) -> Measure {
    let mut walls: Vec<Duration> = runs.iter().map(|m| m.wall).collect();
    let mut rss: Vec<u64> = runs.iter().map(|m| m.peak_rss_kib).collect();
    walls.sort();
    rss.sort_unstable();
    Measure {
        peak_rss_kib: rss[rss.len() / 2],
        wall: walls[walls.len() / 2],
    }
}

/// One row per binary and feature set, with the RSS target's verdict.
fn print_table(bins: &[(&str, PathBuf)], medians: &[Vec<Measure>], flows: u32) {
    println!();
    println!(
        "{:<8}  {:<8}  {:>12}  {:>7}  {:>6}  target",
        "binary", "features", "peak RSS MB", "wall s", "Mpps"
    );
    for ((label, _), per) in bins.iter().zip(medians) {
        for (features, m) in Features::BOTH.iter().zip(per) {
            let met = m.rss_mb() <= features.target_mb();
            println!(
                "{label:<8}  {:<8}  {:>12.1}  {:>7.2}  {:>6.3}  <= {:.0} MB: {}",
                features.name(),
                m.rss_mb(),
                m.wall.as_secs_f64(),
                m.mpps(flows),
                features.target_mb(),
                if met { "target met" } else { "not met" }
            );
        }
    }
    for (label, bin) in bins {
        println!("{label}: {}", bin.display());
    }
}

/// The ratios new / baseline of peak RSS and throughput, per feature set.
fn print_ratios(new: &[Measure], base: &[Measure]) {
    println!();
    println!("new / baseline:");
    for ((features, n), b) in Features::BOTH.iter().zip(new).zip(base) {
        println!(
            "  features {:<4}  peak RSS x{:.3}  throughput x{:.3}",
            features.name(),
            n.peak_rss_kib as f64 / (b.peak_rss_kib as f64).max(1.0),
            b.wall.as_secs_f64() / n.wall.as_secs_f64().max(1e-9)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The (src, sport, dst, dport) of flow `i`'s packet.
    fn key(i: u32) -> ([u8; 4], [u8; 2], [u8; 4], [u8; 2]) {
        let mut f = udp_frame(
            &UdpTemplate {
                dst_mac: [0; 6],
                src_mac: [0; 6],
                src: Ipv4Addr::UNSPECIFIED,
                dst: Ipv4Addr::UNSPECIFIED,
                sport: 0,
                dport: 0,
            },
            MIN_FRAME,
        );
        set_flow(&mut f, i);
        assert_eq!(ipv4_checksum(&f[14..34]), 0, "checksum of flow {i}");
        let b = |r: std::ops::Range<usize>| f[r].to_vec();
        (
            b(26..30).try_into().unwrap(),
            b(34..36).try_into().unwrap(),
            b(30..34).try_into().unwrap(),
            b(36..38).try_into().unwrap(),
        )
    }

    #[test]
    fn flows_are_distinct_and_in_ten_slash_eight() {
        let mut seen = std::collections::HashSet::new();
        let ids = (0..200_000u32).chain([HALF - 1, HALF, HALF + 1, u32::MAX]);
        for i in ids {
            let k = key(i);
            assert_eq!((k.0[0], k.2[0]), (10, 10));
            assert!(
                k.0[1] < 128 && k.2[1] >= 128,
                "sources and destinations apart"
            );
            assert!(seen.insert(k), "flow {i} repeats another");
        }
    }

    #[test]
    fn median_takes_the_middle() {
        let m = |kib, ms| Measure {
            peak_rss_kib: kib,
            wall: Duration::from_millis(ms),
        };
        let got = median(&[m(3, 30), m(1, 10), m(2, 20)]);
        assert_eq!((got.peak_rss_kib, got.wall.as_millis()), (2, 20));
    }
}
