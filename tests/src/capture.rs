//! Running `sluice capture` and the generator in a lab namespace, for tests that need
//! more control than the bench scenario gives: their own arguments, stdout kept,
//! signals sent at chosen moments, the exit status and stderr returned.
use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, ChildStdout, ExitStatus, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

use serde_json::Value;
use sluice_bench::netns::Netns;

use crate::sluice_bin;

/// A running `sluice capture`, killed if dropped before it exits.
pub struct Capture {
    child: Child,
    stderr: Option<thread::JoinHandle<String>>,
}

impl Capture {
    /// Starts `sluice capture ARGS` in `ns` and waits until it is capturing. With
    /// `keep_stdout` its stdout is a pipe for [`Capture::take_stdout`], else discarded.
    pub fn start(ns: &Netns, args: &[&str], keep_stdout: bool) -> Capture {
        let bin = sluice_bin();
        let mut cmd = ns.command(&[bin.to_str().expect("UTF-8 path"), "capture"]);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(if keep_stdout {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("starting sluice capture");
        let err = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        let h = thread::spawn(move || {
            let mut all = String::new();
            let mut tx = Some(tx);
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if line.contains("capturing on") {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(());
                    }
                }
                all.push_str(&line);
                all.push('\n');
            }
            all
        });
        let mut c = Capture {
            child,
            stderr: Some(h),
        };
        if rx.recv_timeout(Duration::from_secs(20)).is_err() {
            let _ = c.child.kill();
            let _ = c.child.wait();
            let text = c.stderr.take().map(|h| h.join().unwrap_or_default());
            panic!("sluice capture did not start: {}", text.unwrap_or_default());
        }
        c
    }

    /// The process id (of `ip netns exec`, which execs sluice: the same process).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its stdout, when started with `keep_stdout`.
    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout.take()
    }

    /// Sends `sig`.
    pub fn signal(&self, sig: libc::c_int) {
        // SAFETY: kill(2) on our own child.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, sig);
        }
    }

    /// Waits up to `limit` for the process to exit; returns its status and stderr.
    pub fn wait(mut self, limit: Duration) -> (ExitStatus, String) {
        let t = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("try_wait") {
                break s;
            }
            if t.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let text = self.stderr.take().map(|h| h.join().unwrap_or_default());
                panic!(
                    "sluice did not exit within {limit:?}: {}",
                    text.unwrap_or_default()
                );
            }
            thread::sleep(Duration::from_millis(20));
        };
        let text = self
            .stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        (status, text)
    }

    /// SIGTERM, then [`Capture::wait`].
    pub fn stop(self, limit: Duration) -> (ExitStatus, String) {
        self.signal(libc::SIGTERM);
        self.wait(limit)
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if self.stderr.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A generator run from `sluice-lab gen` in `ns`.
#[derive(Clone, Debug)]
pub struct Gen<'a> {
    /// veth to send from.
    pub interface: &'a str,
    /// CPU to send from (the receiving veth queue).
    pub cpu: usize,
    /// Distinct flows (past 50,000, the next destination port; see `flow_chunks`).
    pub flows: u32,
    /// Frames in total.
    pub frames: u64,
    /// Frame size.
    pub size: usize,
    /// Exact mode at this many frames per second; None: as fast as the kernel goes.
    pub exact_rate: Option<u64>,
    /// First source port.
    pub sport: u16,
    /// First destination port.
    pub dport: u16,
}

impl Gen<'_> {
    /// Runs the generator to its end; returns the frames it handed to the kernel.
    pub fn run(&self, ns: &Netns) -> u64 {
        let lab = sluice_bin().with_file_name("sluice-lab");
        let (flows, frames, size, cpu, sport, dport) = (
            self.flows.to_string(),
            self.frames.to_string(),
            self.size.to_string(),
            self.cpu.to_string(),
            self.sport.to_string(),
            self.dport.to_string(),
        );
        let mut args = vec![
            lab.to_str().expect("UTF-8 path"),
            "gen",
            "-i",
            self.interface,
            "--flows",
            &flows,
            "--frames",
            &frames,
            "--size",
            &size,
            "--cpu",
            &cpu,
            "--sport",
            &sport,
            "--dport",
            &dport,
        ];
        let rate = self.exact_rate.map(|r| r.to_string());
        if let Some(r) = &rate {
            args.extend(["--exact", "--rate", r]);
        }
        let out = ns.command(&args).output().expect("generator");
        assert!(
            out.status.success(),
            "generator: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("generator JSON");
        v["sent"].as_u64().expect("sent")
    }
}

/// The flow records of a JSON-lines file (every line must parse).
pub fn read_flows(path: &Path) -> Vec<Value> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    parse_flows(&text)
}

/// The flow records of JSON-lines text (every line must parse).
pub fn parse_flows(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// Lines in a file (0 while it does not exist).
pub fn count_lines(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Waits until `path` has at least `n` lines; fails the test after `limit`.
pub fn wait_for_lines(path: &Path, n: usize, limit: Duration) {
    let t = Instant::now();
    while count_lines(path) < n {
        assert!(
            t.elapsed() < limit,
            "{} has {} of {n} lines after {limit:?}",
            path.display(),
            count_lines(path)
        );
        thread::sleep(Duration::from_millis(100));
    }
}

/// A per-queue counter of a `--stats` JSON (its path inside each queue's object),
/// summed over the queues.
pub fn queue_sum(stats: &Value, path: &[&str]) -> u64 {
    stats["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .map(|q| {
            let v = path.iter().fold(q, |v, k| &v[*k]);
            v.as_u64()
                .unwrap_or_else(|| panic!("{path:?} is not a count: {v}"))
        })
        .sum()
}

/// The `--stats` JSON of a run.
pub fn read_stats(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).expect("stats JSON")
}

/// A live test's setting: root checked, a scratch directory, the lab, and the files a
/// capture writes its flows and counters to.
pub struct LiveRun {
    /// The scratch directory.
    pub dir: std::path::PathBuf,
    /// The lab (removed on drop).
    pub lab: sluice_bench::lab::Lab,
    /// `DIR/flows.json`.
    pub flows: std::path::PathBuf,
    /// `DIR/stats.json`.
    pub stats: std::path::PathBuf,
}

impl LiveRun {
    /// A new lab and scratch directory for the test `name`.
    pub fn new(name: &str) -> LiveRun {
        crate::require_root();
        let dir = crate::scratch(name);
        let lab = sluice_bench::lab::Lab::new(&crate::tag(name)).expect("lab");
        LiveRun {
            flows: dir.join("flows.json"),
            stats: dir.join("stats.json"),
            dir,
            lab,
        }
    }

    /// `sluice capture` on the monitor port writing `flows` and `stats`, with `extra`.
    pub fn capture(&self, extra: &[&str]) -> Capture {
        let mut args = vec![
            "--interface",
            sluice_bench::lab::MON_IF,
            "--output",
            self.flows.to_str().expect("UTF-8 path"),
            "--stats",
            self.stats.to_str().expect("UTF-8 path"),
        ];
        args.extend_from_slice(extra);
        Capture::start(&self.lab.client, &args, false)
    }

    /// The flow records written to `flows`.
    pub fn flows(&self) -> Vec<Value> {
        read_flows(&self.flows)
    }

    /// The counters written to `stats`.
    pub fn stats(&self) -> Value {
        read_stats(&self.stats)
    }
}
