//! `cargo xtask bench soak [--minutes N]`: a long live capture of a churning flow mix,
//! watched from outside once a minute: the process's RSS and open fds, the records it
//! wrote and every drop counter (its `--stats-interval` lines). After the first minute
//! RSS and fds must stay flat; the run ends with a verdict and the final counters.
//!
//! The mix, every second: `new_flows` UDP flows that were never seen before (a new
//! destination port each second), `frames_per_flow` frames each, which go idle and
//! expire; and one bulk UDP flow of `bulk_fps` frames per second that a rule shunts
//! after 100 packets, so its verdict sits in the kernel and is renewed at each
//! lifetime timeout.
use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::Stdio,
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc, Arc,
    },
    thread,
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use crate::{
    frame::{udp_frame, UdpTemplate},
    gen::{pin_to_cpu, GenRun, Generator},
    lab::{Lab, MON_IF, TAP_IF},
    netns::in_netns,
};

/// Options of the soak benchmark.
#[derive(clap::Args, Debug)]
pub struct SoakArgs {
    /// The `sluice` binary.
    #[arg(long)]
    pub sluice: PathBuf,
    /// How long to run.
    #[arg(long, default_value_t = 10.0)]
    pub minutes: f64,
    /// New flows per second.
    #[arg(long, default_value_t = 2000)]
    pub new_flows: u32,
    /// Frames of each new flow.
    #[arg(long, default_value_t = 3)]
    pub frames_per_flow: u64,
    /// Frames per second of the bulk flow.
    #[arg(long, default_value_t = 20_000)]
    pub bulk_fps: u64,
    /// Working directory.
    #[arg(long, default_value = "target/bench-soak")]
    pub dir: PathBuf,
}

/// The bulk flow's destination port (the rule shunts it).
const BULK_PORT: u16 = 9999;

/// One minute's reading.
struct Sample {
    minute: u64,
    rss_kib: u64,
    fds: usize,
    stats: Value,
}

/// Runs the soak and prints one line a minute and a verdict.
pub fn run(a: SoakArgs) -> Result<()> {
    std::fs::create_dir_all(&a.dir)?;
    let lab = Lab::new(&format!("slsoak{}", std::process::id() % 10000))?;
    let rules = a.dir.join("soak.toml");
    std::fs::write(
        &rules,
        format!("[[rule]]\nport = {BULK_PORT}\nshunt = 100\n"),
    )?;
    let flows = a.dir.join("flows.json");
    let stats = a.dir.join("stats.json");
    let bin = a.sluice.to_str().ok_or_else(|| anyhow!("non-UTF-8 path"))?;
    let mut child = lab
        .client
        .command(&[
            bin,
            "capture",
            "--interface",
            MON_IF,
            "--idle-timeout",
            "5",
            "--config",
            rules.to_str().unwrap_or_default(),
            "--output",
            flows.to_str().unwrap_or_default(),
            "--stats",
            stats.to_str().unwrap_or_default(),
            "--stats-interval",
            "60",
            "--stats-format",
            "json",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting sluice capture")?;
    let pid = child.id();
    let (ready, stats_lines) =
        forward_stderr(child.stderr.take().ok_or_else(|| anyhow!("stderr"))?);
    ready
        .recv_timeout(Duration::from_secs(20))
        .map_err(|_| anyhow!("sluice capture did not start"))?;

    let stop = Arc::new(AtomicBool::new(false));
    let sender = {
        let (ns, stop) = (lab.client.name().to_string(), Arc::clone(&stop));
        let (new_flows, fpf, bulk) = (a.new_flows, a.frames_per_flow, a.bulk_fps);
        thread::spawn(move || churn(&ns, new_flows, fpf, bulk, &stop))
    };
    println!(
        "soak: {:.0} min; every second {} new flows x {} frames and a shunted bulk flow of {} frames/s",
        a.minutes, a.new_flows, a.frames_per_flow, a.bulk_fps
    );
    println!("minute  rss_MiB  fds  flows_written  drops");
    let started = Instant::now();
    let mut samples = Vec::new();
    let end = Duration::from_secs_f64(a.minutes * 60.0);
    while started.elapsed() < end {
        let Ok(line) = stats_lines.recv_timeout(Duration::from_secs(90)) else {
            bail!("no stats line from sluice for 90 s");
        };
        let stats: Value = serde_json::from_str(&line)?;
        let s = Sample {
            minute: (started.elapsed().as_secs_f64() / 60.0).round() as u64,
            rss_kib: rss_kib(pid)?,
            fds: open_fds(pid)?,
            stats,
        };
        println!(
            "{:>6}  {:>7.1}  {:>3}  {:>13}  {}",
            s.minute,
            s.rss_kib as f64 / 1024.0,
            s.fds,
            s.stats["flows_written"],
            nonzero_drops(&s.stats)
        );
        samples.push(s);
    }
    stop.store(true, Ordering::Relaxed);
    let sent = sender.join().map_err(|_| anyhow!("generator panicked"))??;
    // Let the last frames through before stopping (no frame in flight at the detach).
    thread::sleep(Duration::from_millis(500));
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGTERM);
    }
    let status = child.wait()?;
    let last: Value = serde_json::from_str(&std::fs::read_to_string(&stats)?)?;
    println!(
        "end: exit {status}, {sent} frames sent, {} flows written, accounting {}",
        last["flows_written"], last["accounting"]
    );
    flatness(&samples)
}

/// Whether RSS and fds stayed flat after the first minute (within 5 % and 0 fds of
/// the minute-1 reading).
fn flatness(samples: &[Sample]) -> Result<()> {
    let Some(first) = samples.first() else {
        bail!("no sample: run at least one minute");
    };
    let max_rss = samples.iter().map(|s| s.rss_kib).max().unwrap_or(0);
    let max_fds = samples.iter().map(|s| s.fds).max().unwrap_or(0);
    let flat = max_rss as f64 <= first.rss_kib as f64 * 1.05 && max_fds == first.fds;
    println!(
        "verdict: {} (RSS {:.1} MiB at minute {}, at most {:.1} MiB after; fds {} then at most {})",
        if flat { "flat" } else { "GROWING" },
        first.rss_kib as f64 / 1024.0,
        first.minute,
        max_rss as f64 / 1024.0,
        first.fds,
        max_fds
    );
    if !flat {
        bail!("RSS or fds grew after the first minute");
    }
    Ok(())
}

/// Sends the mix from CPU 0 until `stop`; returns the frames sent.
fn churn(
    ns: &str,
    new_flows: u32,
    frames_per_flow: u64,
    bulk_fps: u64,
    stop: &AtomicBool,
) -> Result<u64> {
    in_netns(ns, || {
        pin_to_cpu(0)?;
        let mut g = Generator::load()?;
        let ifindex = sluice::netdev::ifindex(TAP_IF)?;
        let template = |sport, dport| UdpTemplate {
            dst_mac: [0x02, 0, 0, 0, 0, 0x02],
            src_mac: [0x02, 0, 0, 0, 0, 0x01],
            src: std::net::Ipv4Addr::new(10, 97, 0, 1),
            dst: std::net::Ipv4Addr::new(10, 97, 0, 2),
            sport,
            dport,
        };
        let mut sent = 0u64;
        let mut second = 0u64;
        let started = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            // New flows on a destination port not used before in the last 15 hours.
            let dport = 10_000 + (second % 50_000) as u16;
            let runs = [
                (
                    template(20_000, dport),
                    new_flows,
                    u64::from(new_flows) * frames_per_flow,
                ),
                (template(7_777, BULK_PORT), 1, bulk_fps),
            ];
            for (t, flows, frames) in runs {
                let r = g.run(&GenRun {
                    ifindex,
                    frame: udp_frame(&t, 100),
                    udp_offset: 34,
                    flows,
                    base_sport: t.sport,
                    frames,
                    exact: true,
                    rate: Some(100_000),
                })?;
                sent += r.sent;
            }
            second += 1;
            let due = started + Duration::from_secs(second);
            thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        Ok(sent)
    })
}

/// Reads sluice's stderr: says when it is capturing, forwards the JSON of its
/// `sluice: stats: ` lines, and echoes the rest.
fn forward_stderr(err: std::process::ChildStderr) -> (mpsc::Receiver<()>, mpsc::Receiver<String>) {
    let (ready_tx, ready) = mpsc::channel();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            match line.strip_prefix("sluice: stats: ") {
                Some(json) => {
                    let _ = tx.send(json.to_string());
                }
                None => {
                    if line.contains("capturing on") {
                        let _ = ready_tx.send(());
                    }
                    eprintln!("{line}");
                }
            }
        }
    });
    (ready, rx)
}

/// The resident set size of `pid`, in KiB.
fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow!("no VmRSS for {pid}"))
}

/// The open file descriptors of `pid`.
fn open_fds(pid: u32) -> Result<usize> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/fd"))?.count())
}

/// The drop counters that are not zero, as `name=value`.
fn nonzero_drops(stats: &Value) -> String {
    let shown: Vec<String> = stats["drops"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| v.as_u64().is_some_and(|n| n > 0))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if shown.is_empty() {
        "none".to_string()
    } else {
        shown.join(" ")
    }
}
