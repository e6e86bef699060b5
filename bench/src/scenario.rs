//! The known traffic mix captured end to end: generator UDP flows on each chosen CPU
//! (so on each veth rx queue) plus a real TCP exchange (curl ↔ python http.server)
//! recorded by tcpdump on the client side. Used by the demo and by the live tests; the
//! expected values come from what was sent and from tcpdump, never from Sluice.
use std::{
    io::{BufRead, BufReader},
    net::Ipv4Addr,
    path::{Path, PathBuf},
    process::{Child, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use crate::{
    frame::{UdpTemplate, HEADERS, MIN_FRAME},
    gen::{send_in_netns, UdpLoad},
    lab::{Lab, CLIENT_IF, CLIENT_IP, MON_IF, SERVER_IP, TAP_IF},
    netns::Netns,
    pcap,
};

/// What to send.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The `sluice` binary.
    pub sluice: PathBuf,
    /// Working directory for outputs (flows, stats, pcap, web root).
    pub dir: PathBuf,
    /// Namespace name prefix.
    pub tag: String,
    /// CPUs to run the generator on (one UDP flow set per CPU).
    pub cpus: Vec<usize>,
    /// UDP flows per CPU.
    pub flows_per_cpu: u32,
    /// Frames per UDP flow.
    pub frames_per_flow: u64,
    /// UDP frame size (bytes, no FCS).
    pub frame_size: usize,
    /// Size of the file fetched over HTTP (0: no TCP exchange).
    pub http_bytes: usize,
}

/// One flow as independently known (from the generator's arithmetic or from tcpdump).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Initiator address (Joy's `sa`).
    pub sa: Ipv4Addr,
    /// Responder address.
    pub da: Ipv4Addr,
    /// Initiator port.
    pub sp: u16,
    /// Responder port.
    pub dp: u16,
    /// IP protocol.
    pub pr: u8,
    /// Packets, payload bytes and wire bytes from `sa`.
    pub out: pcap::DirTotals,
    /// The same towards `sa`.
    pub inb: pcap::DirTotals,
}

/// What happened.
pub struct Outcome {
    /// Flow records Sluice wrote.
    pub flows: Vec<Value>,
    /// Sluice's `--stats` JSON.
    pub stats: Value,
    /// Flows that were sent, with their known counts.
    pub expected: Vec<Expected>,
    /// Rise of the mirror port's tx drops (frames lost before XDP: a void run).
    pub tap_tx_dropped: u64,
    /// Sluice's stderr.
    pub sluice_stderr: String,
}

/// A child process killed on drop.
struct Guard(Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Spawns a command and waits until a line of its stderr contains `ready`; the rest of
/// stderr is collected and returned by the join handle.
fn spawn_ready(
    mut cmd: std::process::Command,
    ready: &str,
    what: &str,
) -> Result<(Guard, thread::JoinHandle<String>)> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().with_context(|| format!("starting {what}"))?;
    let err = child.stderr.take().ok_or_else(|| anyhow!("no stderr"))?;
    let (tx, rx) = mpsc::channel();
    let ready = ready.to_string();
    let h = thread::spawn(move || {
        let mut all = String::new();
        let mut tx = Some(tx);
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if line.contains(&ready) {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(());
                }
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let guard = Guard(child);
    if rx.recv_timeout(Duration::from_secs(20)).is_err() {
        drop(guard);
        let text = h.join().unwrap_or_default();
        bail!("{what} did not become ready: {text}");
    }
    Ok((guard, h))
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: plain kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as libc::pid_t, sig);
    }
}

fn wait_exit(g: &mut Guard, limit: Duration) -> Result<std::process::ExitStatus> {
    let t = Instant::now();
    loop {
        if let Some(s) = g.0.try_wait()? {
            return Ok(s);
        }
        if t.elapsed() > limit {
            bail!("process did not exit within {limit:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Starts `sluice capture` on the lab's monitor interface, writing `flows.json`,
/// `flows.ipfix` and `stats.json` in `dir`; returns when it is capturing.
pub fn start_sluice(
    lab_ns: &Netns,
    sluice: &Path,
    dir: &Path,
    extra: &[&str],
) -> Result<(Guard2, thread::JoinHandle<String>)> {
    start_sluice_on(lab_ns, MON_IF, sluice, dir, extra)
}

/// Starts `sluice capture` on `interface` in namespace `ns` (inline, on a conversation's
/// own interface, rather than on the monitor port), with the outputs of [`start_sluice`].
pub fn start_sluice_on(
    ns: &Netns,
    interface: &str,
    sluice: &Path,
    dir: &Path,
    extra: &[&str],
) -> Result<(Guard2, thread::JoinHandle<String>)> {
    let flows = dir.join("flows.json");
    let stats = dir.join("stats.json");
    let ipfix = dir.join("flows.ipfix");
    let mut cmd = ns.command(&[
        sluice.to_str().ok_or_else(|| anyhow!("non-UTF-8 path"))?,
        "capture",
        "--interface",
        interface,
        "--output",
        flows.to_str().unwrap_or_default(),
        "--stats",
        stats.to_str().unwrap_or_default(),
        "--ipfix-file",
        ipfix.to_str().unwrap_or_default(),
    ]);
    cmd.args(extra);
    let (g, h) = spawn_ready(cmd, "capturing on", "sluice capture")?;
    Ok((Guard2(g), h))
}

/// A running `sluice capture` (killed if dropped without [`Guard2::stop`]).
pub struct Guard2(Guard);

impl Guard2 {
    /// Sends SIGTERM and waits for a clean exit.
    pub fn stop(mut self) -> Result<std::process::ExitStatus> {
        signal(&self.0 .0, libc::SIGTERM);
        wait_exit(&mut self.0, Duration::from_secs(20))
    }

    /// Sends SIGKILL and waits.
    pub fn kill(mut self) -> Result<std::process::ExitStatus> {
        signal(&self.0 .0, libc::SIGKILL);
        wait_exit(&mut self.0, Duration::from_secs(20))
    }
}

/// Sends the UDP flows of one CPU from inside the lab's client namespace.
pub fn send_udp(ns: &str, spec: &Spec, cpu: usize) -> Result<Vec<Expected>> {
    let src = Ipv4Addr::new(10, 99, cpu as u8, 1);
    let dst = Ipv4Addr::new(10, 99, cpu as u8, 2);
    let base = 20000u16;
    let template = UdpTemplate {
        dst_mac: [0x02, 0, 0, 0, 0, 0x02],
        src_mac: [0x02, 0, 0, 0, 0, 0x01],
        src,
        dst,
        sport: base,
        dport: 7000,
    };
    let k = spec.frames_per_flow;
    let frames = spec.flows_per_cpu as u64 * k;
    let load = UdpLoad {
        template,
        size: spec.frame_size,
        flows: spec.flows_per_cpu,
        frames,
        exact: true,
    };
    let r = send_in_netns(ns, TAP_IF, cpu, load)?;
    if r.sent != frames {
        bail!("generator sent {} of {frames} frames", r.sent);
    }
    let size = spec.frame_size.max(MIN_FRAME) as u64;
    Ok((0..spec.flows_per_cpu)
        .map(|i| Expected {
            sa: src,
            da: dst,
            sp: base + i as u16,
            dp: 7000,
            pr: 17,
            out: pcap::DirTotals {
                packets: k,
                wire_bytes: k * size,
                payload_bytes: k * (size - HEADERS as u64),
            },
            inb: pcap::DirTotals::default(),
        })
        .collect())
}

/// Fetches a file of `bytes` over HTTP between the namespaces, recording the client side
/// with tcpdump; returns the conversation's totals as tcpdump saw them.
pub fn http_exchange(lab: &Lab, dir: &Path, bytes: usize) -> Result<Expected> {
    let www = dir.join("www");
    std::fs::create_dir_all(&www)?;
    let blob: Vec<u8> = (0..bytes).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(www.join("blob.bin"), blob)?;
    let mut server = lab.server.command(&[
        "python3",
        "-u",
        "-m",
        "http.server",
        "8080",
        "--bind",
        SERVER_IP,
        "--directory",
        www.to_str().unwrap_or_default(),
    ]);
    server
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .stdin(Stdio::null());
    let _server = Guard(server.spawn().context("starting python3 http.server")?);
    // Wait for the listening socket.
    let t = Instant::now();
    while !lab.server.exec(&["ss", "-ltnH"])?.contains(":8080") {
        if t.elapsed() > Duration::from_secs(15) {
            bail!("http.server did not listen");
        }
        thread::sleep(Duration::from_millis(50));
    }
    let pcap_path = dir.join("client.pcap");
    let tcpdump = lab.client.command(&[
        "tcpdump",
        "-i",
        CLIENT_IF,
        "--immediate-mode",
        "-U",
        "-s",
        "128",
        "-w",
        pcap_path.to_str().unwrap_or_default(),
        "tcp",
        "port",
        "8080",
    ]);
    let (mut td, td_err) = spawn_ready(tcpdump, "listening on", "tcpdump")?;
    let url = format!("http://{SERVER_IP}:8080/blob.bin");
    let got = lab.client.exec(&[
        "curl",
        "-sS",
        "--max-time",
        "30",
        "-o",
        "/dev/null",
        "-w",
        "%{size_download}",
        &url,
    ])?;
    if got.trim() != bytes.to_string() {
        bail!("curl downloaded {got} bytes, expected {bytes}");
    }
    // Let the connection close completely (FIN/ACK both ways) before stopping tcpdump.
    thread::sleep(Duration::from_millis(700));
    signal(&td.0, libc::SIGINT);
    wait_exit(&mut td, Duration::from_secs(10))?;
    let _ = td_err.join();
    let convs = pcap::conversations(&pcap_path)?;
    let client: Ipv4Addr = CLIENT_IP.parse()?;
    let ((sa, sp, da, dp, pr), (out, inb)) = convs
        .into_iter()
        .find(|((a, ..), _)| *a == client)
        .ok_or_else(|| anyhow!("tcpdump saw no HTTP conversation"))?;
    Ok(Expected {
        sa,
        da,
        sp,
        dp,
        pr,
        out,
        inb,
    })
}

/// Builds the lab, captures the traffic mix with Sluice and returns everything.
pub fn run(spec: &Spec) -> Result<Outcome> {
    std::fs::create_dir_all(&spec.dir)?;
    let lab = Lab::new(&spec.tag)?;
    let tap_before = lab.tap_tx_dropped()?;
    let (sluice, err) = start_sluice(&lab.client, &spec.sluice, &spec.dir, &[])?;
    let mut expected = Vec::new();
    for &cpu in &spec.cpus {
        expected.extend(send_udp(lab.client.name(), spec, cpu)?);
    }
    if spec.http_bytes > 0 {
        expected.push(http_exchange(&lab, &spec.dir, spec.http_bytes)?);
    }
    thread::sleep(Duration::from_millis(300));
    let status = sluice.stop()?;
    let sluice_stderr = err.join().unwrap_or_default();
    if !status.success() {
        bail!("sluice capture exited with {status}: {sluice_stderr}");
    }
    let tap_tx_dropped = lab.tap_tx_dropped()? - tap_before;
    let (flows, stats) = read_outputs(&spec.dir)?;
    Ok(Outcome {
        flows,
        stats,
        expected,
        tap_tx_dropped,
        sluice_stderr,
    })
}

/// Reads the flow records (`flows.json`) and the stats (`stats.json`) a stopped
/// `sluice capture` started by [`start_sluice`] wrote in `dir`.
pub fn read_outputs(dir: &Path) -> Result<(Vec<Value>, Value)> {
    let flows_text = std::fs::read_to_string(dir.join("flows.json"))?;
    let flows = flows_text
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<Vec<Value>, _>>()
        .context("parsing flows.json")?;
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("stats.json"))?)?;
    Ok((flows, stats))
}

/// Finds the flow record for an expected flow (same 5-tuple, same orientation).
pub fn find<'a>(flows: &'a [Value], e: &Expected) -> Option<&'a Value> {
    flows.iter().find(|f| {
        f["sa"] == e.sa.to_string()
            && f["da"] == e.da.to_string()
            && f["sp"] == e.sp
            && f["dp"] == e.dp
            && f["pr"] == e.pr
    })
}

/// Compares a flow record with what was sent; returns a list of mismatches.
pub fn mismatches(f: &Value, e: &Expected) -> Vec<String> {
    let checks = [
        ("num_pkts_out", e.out.packets),
        ("bytes_out", e.out.payload_bytes),
        ("wire_bytes_out", e.out.wire_bytes),
        ("num_pkts_in", e.inb.packets),
        ("bytes_in", e.inb.payload_bytes),
        ("wire_bytes_in", e.inb.wire_bytes),
    ];
    checks
        .iter()
        .filter(|(k, v)| f[*k].as_u64() != Some(*v))
        .map(|(k, v)| format!("{k}: sluice {} vs sent {v}", f[*k]))
        .collect()
}
