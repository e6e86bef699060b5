//! `sluice read --ipfix` end to end, as independent collectors receive it:
//!
//! - tshark captures a live UDP export on the loopback and decodes every
//!   message without a malformed packet or a warning; each flow's standard
//!   fields equal the JSON line written in the same run;
//! - nfcapd receives a UDP export, and nfcapd and nfdump report the JSON's
//!   totals and per-flow counters;
//! - TCP collectors that are down, read everything, or read nothing for a
//!   while: sluice exits in time and every record is delivered (and decodes
//!   strictly, with this workspace's decoder) or counted as dropped.
//!
//! tshark captures on `lo`: run as root, as CI does. Collector behaviour
//! this relies on (tshark 4.0, nfdump 1.7.1):
//! - readiness: tshark logs "Capture started." (its "Capturing on" line
//!   comes ~25 ms before the capture starts), nfcapd "Startup nfcapd.";
//!   SIGINT stops tshark, SIGTERM nfcapd, and both flush their files;
//! - tshark shows reverse counters and flags (RFC 5103) under the forward
//!   names, second in template order; it does not decode basicLists, and
//!   rejects templates of more than 60 fields by default;
//! - nfdump lets the reverse tcpControlBits overwrite the forward ones, so
//!   no flags are compared with it; `-o json -q` leaves out the brackets;
//! - both print times in the local zone: they run with TZ=UTC.
use std::{
    collections::{BTreeMap, HashSet},
    fs,
    io::{BufRead, BufReader, ErrorKind, Read, Write},
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc, Arc,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use serde_json::Value;
use sluice_bench::{
    frame::{udp_frame, UdpTemplate},
    pcap_write::{write_header, write_record},
};
use sluice_ipfix::decode::{parse_message, Record, Session, Value as Field};
use sluice_tests::{corpus, require_root, scratch, sluice_bin};

/// Sluice's default maximum message size (`--ipfix-mtu`).
const MTU: u64 = 1400;
/// Template ids of the main flow records (IPv4, IPv6, each with TLS).
const MAIN: std::ops::RangeInclusive<u16> = 256..=259;
/// Template id of the element type records (RFC 5610).
const ELEMENT_TYPES: u16 = 511;
/// Reverse information elements (RFC 5103).
const PEN_REVERSE: u32 = 29305;
/// The exporter's drain timeout for TCP collectors at exit.
const DRAIN: Duration = Duration::from_secs(5);

fn corpus_file(name: &str) -> PathBuf {
    let p = corpus().join(name);
    assert!(p.exists(), "{} missing from the corpus", p.display());
    p
}

// ---------------------------------------------------------------------------
// Processes

/// A collector or capture process, stderr read line by line; killed and
/// reaped if the test fails before it is stopped.
struct Proc {
    what: String,
    child: Option<Child>,
    lines: mpsc::Receiver<String>,
    log: Vec<String>,
    reader: Option<JoinHandle<()>>,
}

impl Proc {
    fn spawn(cmd: &mut Command) -> Proc {
        let what = format!("{cmd:?}");
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {what} (installed by `cargo xtask setup`): {e}"));
        let stderr = child.stderr.take().expect("stderr piped");
        let (tx, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Proc {
            what,
            child: Some(child),
            lines,
            log: Vec::new(),
            reader: Some(reader),
        }
    }

    /// Waits for a stderr line containing `needle`.
    fn wait_for(&mut self, needle: &str, limit: Duration) {
        let until = Instant::now() + limit;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(needle);
                    self.log.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!(
                    "{} never printed {needle:?}; stderr:\n{}",
                    self.what,
                    self.log.join("\n")
                ),
            }
        }
    }

    /// Sends `signal` and waits for the exit; returns the status and all of
    /// stderr.
    fn stop(mut self, signal: i32, limit: Duration) -> (ExitStatus, Vec<String>) {
        let mut child = self.child.take().expect("running");
        let pid = libc::pid_t::try_from(child.id()).expect("pid");
        // SAFETY: kill has no memory preconditions; pid is our child, not reaped yet.
        unsafe { libc::kill(pid, signal) };
        let status = wait_within(&mut child, limit)
            .unwrap_or_else(|| panic!("{} did not exit after signal {signal}", self.what));
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        self.log.extend(self.lines.try_iter());
        (status, std::mem::take(&mut self.log))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Waits up to `limit` for `child`; kills it (and returns `None`) after.
fn wait_within(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let until = Instant::now() + limit;
    loop {
        if let Some(st) = child.try_wait().expect("try_wait") {
            return Some(st);
        }
        if Instant::now() >= until {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// One `sluice read` run.
struct Run {
    status: ExitStatus,
    stderr: String,
    elapsed: Duration,
    stats: Value,
    /// The JSON lines (empty without `-o`).
    json: Vec<Value>,
}

impl Run {
    /// The stats' `ipfix` object.
    fn ipfix(&self) -> &Value {
        &self.stats["ipfix"]
    }

    /// The only collector's counters.
    fn collector(&self) -> &Value {
        let c = self.ipfix()["collectors"].as_array().expect("collectors");
        assert_eq!(c.len(), 1, "{}", self.stats);
        &c[0]
    }

    fn assert_ok(&self) {
        assert!(
            self.status.success(),
            "sluice read: {}\n{}",
            self.status,
            self.stderr
        );
    }

    /// The exit status tells the truth: 0 when no collector dropped a record,
    /// else 3 with a last line saying how many records were dropped.
    fn assert_exit_says_what_was_lost(&self) {
        let dropped: u64 = self.ipfix()["collectors"]
            .as_array()
            .expect("collectors")
            .iter()
            .map(|c| c["dropped_records"].as_u64().expect("dropped_records"))
            .sum();
        if dropped == 0 {
            return self.assert_ok();
        }
        assert_eq!(self.status.code(), Some(3), "{}", self.stderr);
        let last = self.stderr.lines().last().unwrap_or_default();
        assert_eq!(
            last,
            format!("sluice: data was lost: {dropped} IPFIX records dropped"),
            "{}",
            self.stderr
        );
    }
}

/// Runs `sluice read FILES ARGS --stats` (and `-o` when `json`), killed
/// (and the test failed) after `limit`.
fn sluice_read(dir: &Path, files: &[PathBuf], args: &[&str], json: bool, limit: Duration) -> Run {
    let stats = dir.join("stats.json");
    let out = dir.join("out.json");
    let err = dir.join("stderr.txt");
    let _ = fs::remove_file(&out);
    let mut cmd = Command::new(sluice_bin());
    cmd.arg("read").args(files).args(args);
    cmd.args(["--no-progress", "--stats"]).arg(&stats);
    if json {
        cmd.arg("-o").arg(&out);
    }
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(&err).expect("stderr file"))
        .spawn()
        .expect("running sluice read");
    let status = wait_within(&mut child, limit);
    let elapsed = start.elapsed();
    let stderr = fs::read_to_string(&err).unwrap_or_default();
    let Some(status) = status else {
        panic!("sluice read hangs: killed after {limit:?}; stderr:\n{stderr}");
    };
    let stats = serde_json::from_str(&fs::read_to_string(&stats).unwrap_or_default())
        .unwrap_or_else(|e| panic!("stats JSON ({status}): {e}\n{stderr}"));
    let json = if json {
        fs::read_to_string(&out)
            .expect("JSON output")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    } else {
        Vec::new()
    };
    Run {
        status,
        stderr,
        elapsed,
        stats,
        json,
    }
}

fn udp_url(port: u16) -> String {
    format!("udp://127.0.0.1:{port}")
}

fn tcp_url(addr: SocketAddr) -> String {
    format!("tcp://{addr}")
}

// ---------------------------------------------------------------------------
// Flows as each side shows them

/// The fields of a flow every collector here decodes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Flow {
    sa: IpAddr,
    da: IpAddr,
    sp: u16,
    dp: u16,
    proto: u8,
    vlan: u16,
    start_ms: u64,
    end_ms: u64,
    octets: u64,
    packets: u64,
    rev_octets: u64,
    rev_packets: u64,
    flags: u8,
    rev_flags: u8,
}

impl Flow {
    /// Without the TCP flags (nfdump mixes them up).
    fn without_flags(&self) -> Flow {
        Flow {
            flags: 0,
            rev_flags: 0,
            ..self.clone()
        }
    }
}

/// The flow of a JSON line: IPFIX octets are IP bytes (RFC 7012), times
/// milliseconds (the JSON's microseconds truncated).
fn json_flow(j: &Value) -> Flow {
    let u = |k: &str| {
        j[k].as_u64()
            .unwrap_or_else(|| panic!("{k} missing in {j}"))
    };
    let ip = |k: &str| -> IpAddr {
        j[k].as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{k} in {j}"))
    };
    let small = |k: &str| j[k].as_u64().unwrap_or(0);
    Flow {
        sa: ip("sa"),
        da: ip("da"),
        sp: u("sp") as u16,
        dp: u("dp") as u16,
        proto: u("pr") as u8,
        vlan: small("vlan") as u16,
        start_ms: json_ms(&j["time_start"]),
        end_ms: json_ms(&j["time_end"]),
        octets: u("ip_bytes_out"),
        packets: u("num_pkts_out"),
        rev_octets: u("ip_bytes_in"),
        rev_packets: u("num_pkts_in"),
        flags: small("tcp_flags_out") as u8,
        rev_flags: small("tcp_flags_in") as u8,
    }
}

/// Epoch milliseconds of a JSON time (seconds with 6 decimals).
fn json_ms(v: &Value) -> u64 {
    let s = v.to_string();
    let (secs, frac) = s.split_once('.').unwrap_or((&s, "0"));
    let frac = format!("{frac:0<3}");
    secs.parse::<u64>().unwrap_or_else(|_| panic!("time {s}")) * 1000
        + frac[..3].parse::<u64>().expect("milliseconds")
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Epoch milliseconds of a date and `HH:MM:SS[.fraction]`, in UTC.
fn utc_ms(y: i64, m: i64, d: i64, hms: &str) -> u64 {
    let (hms, frac) = hms.split_once('.').unwrap_or((hms, "0"));
    let p: Vec<i64> = hms.split(':').map(|x| x.parse().expect("time")).collect();
    assert_eq!(p.len(), 3, "{hms}");
    let secs = days_from_civil(y, m, d) * 86_400 + p[0] * 3600 + p[1] * 60 + p[2];
    let frac = format!("{frac:0<3}");
    u64::try_from(secs).expect("after 1970") * 1000 + frac[..3].parse::<u64>().expect("ms")
}

/// tshark's absolute time under TZ=UTC: `Nov 23, 2015 08:58:58.575000000 UTC`.
fn tshark_ms(s: &str) -> u64 {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let w: Vec<&str> = s.split_whitespace().collect();
    assert!(
        w.len() == 5 && w[4] == "UTC",
        "time {s:?} (TZ=UTC expected)"
    );
    let m = MONTHS.iter().position(|&m| m == w[0]).expect("month") as i64 + 1;
    let d = w[1].trim_end_matches(',').parse().expect("day");
    utc_ms(w[2].parse().expect("year"), m, d, w[3])
}

/// nfdump's time under TZ=UTC: `2016-08-02T02:19:41.895`.
fn nfdump_ms(s: &str) -> u64 {
    let (date, time) = s.split_once('T').unwrap_or_else(|| panic!("time {s:?}"));
    let d: Vec<i64> = date.split('-').map(|x| x.parse().expect("date")).collect();
    utc_ms(d[0], d[1], d[2], time)
}

/// Fails at the first flow that differs, naming it.
fn assert_same_flows(got: &[Flow], want: &[Flow], what: &str) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(
            g, w,
            "{what}: flow {i} differs (left: collector, right: JSON)"
        );
    }
    assert_eq!(got.len(), want.len(), "{what}: number of flows");
}

// ---------------------------------------------------------------------------
// 1. tshark, live UDP capture

/// A UDP socket that takes the datagrams (so the kernel answers no port
/// unreachable, which would fail sluice's next send) and counts them.
struct UdpSink {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<(u64, u64)>,
}

impl UdpSink {
    fn start() -> UdpSink {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("bind udp");
        let port = sock.local_addr().expect("addr").port();
        // Room for the whole export, should this thread get no CPU for a
        // while (the machine is shared): loss here is not sluice's.
        let size: libc::c_int = 16 << 20;
        // SAFETY: setsockopt on a socket we own, with a c_int option value.
        let rc = unsafe {
            libc::setsockopt(
                std::os::fd::AsRawFd::as_raw_fd(&sock),
                libc::SOL_SOCKET,
                libc::SO_RCVBUFFORCE,
                std::ptr::addr_of!(size).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        assert_eq!(
            rc,
            0,
            "SO_RCVBUFFORCE (root): {}",
            std::io::Error::last_os_error()
        );
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let (mut n, mut bytes) = (0, 0);
            let mut buf = vec![0u8; 65536];
            loop {
                match sock.recv(&mut buf) {
                    Ok(len) => {
                        n += 1;
                        bytes += len as u64;
                    }
                    Err(_) if flag.load(Ordering::Acquire) => return (n, bytes),
                    Err(_) => {}
                }
            }
        });
        UdpSink { port, stop, thread }
    }

    /// Datagrams and bytes received.
    fn finish(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Release);
        self.thread.join().expect("sink thread")
    }
}

fn tshark_decode(cap: &Path, port: u16, extra: &[&str]) -> String {
    let out = Command::new("tshark")
        .env("TZ", "UTC")
        .args(["-n", "-r"])
        .arg(cap)
        .args(["-d", &format!("udp.port=={port},cflow")])
        .args(extra)
        .output()
        .expect("running tshark");
    assert!(
        out.status.success(),
        "tshark -r failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Expert items of warning severity or worse, and malformed marks, anywhere
/// in a frame's dissection.
fn expert_problems(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "_ws.malformed" {
                    out.push(format!("malformed: {x}"));
                }
                if k == "_ws.expert" {
                    // PI_WARN is 0x00600000, PI_ERROR 0x00800000.
                    let sev = x["_ws.expert.severity"]
                        .as_str()
                        .and_then(|s| s.parse::<u64>().ok())
                        .unwrap_or(u64::MAX);
                    if sev >= 0x0060_0000 {
                        out.push(format!("expert: {x}"));
                    }
                }
                expert_problems(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| expert_problems(x, out)),
        _ => {}
    }
}

/// Entries `PREFIX N...` of a dissection object, in N's order (the JSON
/// map is sorted by key, so "Set 10" would come before "Set 2").
fn numbered<'a>(obj: &'a Value, prefix: &str) -> Vec<(&'a String, &'a Value)> {
    let mut v: Vec<(u64, &String, &Value)> = obj
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, x)| {
                    let rest = k.strip_prefix(prefix)?;
                    let n = rest.split(|c: char| !c.is_ascii_digit()).next()?;
                    Some((n.parse().ok()?, k, x))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort_by_key(|e| e.0);
    v.into_iter().map(|(_, k, x)| (k, x)).collect()
}

/// A main flow record as tshark decodes it.
fn tshark_flow(f: &Value) -> Flow {
    let s = |k: &str| -> &str {
        f[k].as_str()
            .unwrap_or_else(|| panic!("{k} missing in {f}"))
    };
    let n = |k: &str| -> u64 { s(k).parse().unwrap_or_else(|_| panic!("{k} in {f}")) };
    let hex = |x: &Value| -> u8 {
        let t = x.as_str().expect("flags").trim_start_matches("0x");
        u8::from_str_radix(t, 16).unwrap_or_else(|_| panic!("flags {x}"))
    };
    // Forward then reverse, in template order, under the same name.
    let pair = |k: &str| -> (&Value, &Value) {
        let a = f[k]
            .as_array()
            .unwrap_or_else(|| panic!("{k}: forward and reverse expected in {f}"));
        assert_eq!(a.len(), 2, "{k} in {f}");
        (&a[0], &a[1])
    };
    let num = |x: &Value| -> u64 { x.as_str().and_then(|s| s.parse().ok()).expect("number") };
    let ip = |v4: &str, v6: &str| -> IpAddr {
        let t = f[v4].as_str().or(f[v6].as_str()).expect("address");
        t.parse().unwrap_or_else(|_| panic!("address {t}"))
    };
    let times = &f["cflow.timedelta_tree"];
    let t = |k: &str| tshark_ms(times[k].as_str().unwrap_or_else(|| panic!("{k} in {f}")));
    let (o, ro) = pair("cflow.octets");
    let (p, rp) = pair("cflow.packets");
    let (fl, rfl) = pair("cflow.tcpflags");
    Flow {
        sa: ip("cflow.srcaddr", "cflow.srcaddrv6"),
        da: ip("cflow.dstaddr", "cflow.dstaddrv6"),
        sp: n("cflow.srcport") as u16,
        dp: n("cflow.dstport") as u16,
        proto: n("cflow.protocol") as u8,
        vlan: n("cflow.vlanid") as u16,
        start_ms: t("cflow.abstimestart"),
        end_ms: t("cflow.abstimeend"),
        octets: num(o),
        packets: num(p),
        rev_octets: num(ro),
        rev_packets: num(rp),
        flags: hex(fl),
        rev_flags: hex(rfl),
    }
}

#[test]
fn tshark_decodes_a_live_udp_export_as_the_json_says() {
    require_root();
    let dir = scratch("ipfix-tshark");
    let sink = UdpSink::start();
    let port = sink.port;
    let cap = dir.join("cap.pcapng");
    let mut tshark = Proc::spawn(
        Command::new("tshark")
            .args([
                "-n",
                "-i",
                "lo",
                "-B",
                "32",
                "-f",
                &format!("udp port {port}"),
            ])
            .arg("-w")
            .arg(&cap),
    );
    // "Capturing on 'Loopback: lo'" comes first, but the capture only
    // starts ~25 ms later, when tshark logs this:
    tshark.wait_for("Capture started", Duration::from_secs(15));
    std::thread::sleep(Duration::from_millis(300));

    // TLS over IPv6 and IPv4, plus a mixed capture (DNS, HTTP, UDP, IPv6):
    // every shape, basicLists, varlen fields, and messages of every size.
    let files = [
        corpus_file("ndpi/http_ipv6.pcap"),
        corpus_file("ndpi/chrome.pcap"),
        corpus_file("ndpi/1kxun.pcap"),
    ];
    let run = sluice_read(
        &dir,
        &files,
        &["--features", "all", "--ipfix", &udp_url(port)],
        true,
        Duration::from_secs(20),
    );
    run.assert_ok();
    std::thread::sleep(Duration::from_millis(300));
    let (status, log) = tshark.stop(libc::SIGINT, Duration::from_secs(10));
    assert!(status.success(), "tshark: {status}\n{}", log.join("\n"));
    let (received, received_bytes) = sink.finish();

    let c = run.collector();
    let flows: Vec<Flow> = run.json.iter().map(json_flow).collect();
    let ipfix_records = run.ipfix()["records"].as_u64().expect("records");
    assert_eq!(run.ipfix()["flows"].as_u64(), Some(flows.len() as u64));
    assert!(flows.len() > 200, "{} flows", flows.len());
    assert!(flows.iter().any(|f| f.sa.is_ipv6()) && flows.iter().any(|f| f.sa.is_ipv4()));
    assert_eq!(c["dropped_messages"], 0, "{c}");
    assert_eq!(c["dropped_records"], 0, "{c}");
    let messages = c["messages"].as_u64().expect("messages");
    let bytes = c["bytes"].as_u64().expect("bytes");
    assert_eq!(
        (received, received_bytes),
        (messages, bytes),
        "datagrams and bytes the collector socket received"
    );

    // No malformed packet, no warning or error, over the whole capture.
    let expert = tshark_decode(&cap, port, &["-q", "-z", "expert"]);
    assert!(
        !expert.contains("Errors (") && !expert.contains("Warns ("),
        "tshark's expert info:\n{expert}"
    );
    let frames: Vec<Value> = serde_json::from_str(&tshark_decode(
        &cap,
        port,
        &["-T", "json", "--no-duplicate-keys"],
    ))
    .expect("tshark JSON");
    assert_eq!(frames.len() as u64, messages, "datagrams captured");

    let mut got = Vec::new();
    let mut per_template: BTreeMap<u16, u64> = BTreeMap::new();
    let mut main_ids = HashSet::new();
    let mut side_ids = Vec::new();
    let mut ipfix_bytes = 0;
    let mut max_fields = 0;
    let mut problems = Vec::new();
    for (i, frame) in frames.iter().enumerate() {
        let l = &frame["_source"]["layers"];
        expert_problems(l, &mut problems);
        let udp_len: u64 = l["udp"]["udp.length"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("udp.length");
        let cf = &l["cflow"];
        assert!(cf.is_object(), "frame {} is not decoded as IPFIX", i + 1);
        assert_eq!(cf["cflow.version"], "10", "frame {}", i + 1);
        let len: u64 = cf["cflow.len"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("cflow.len");
        assert_eq!(len, udp_len - 8, "frame {}: message length", i + 1);
        assert!(len <= MTU, "frame {}: {len}-byte message", i + 1);
        ipfix_bytes += len;
        for (_, set) in numbered(cf, "Set ") {
            let id: u16 = set["cflow.flowset_id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("flowset_id");
            if id == 2 {
                for (k, t) in set.as_object().into_iter().flatten() {
                    if k.starts_with("Template (") {
                        let n: u64 = t["cflow.template_field_count"]
                            .as_str()
                            .and_then(|s| s.parse().ok())
                            .unwrap_or_else(|| panic!("field count of {k}"));
                        max_fields = max_fields.max(n);
                    }
                }
            }
            if id < 256 {
                continue;
            }
            for (_, flow) in numbered(set, "Flow ") {
                *per_template.entry(id).or_default() += 1;
                let fid = || -> u64 {
                    flow["cflow.flow_id"]
                        .as_str()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or_else(|| panic!("flowId in {flow}"))
                };
                if MAIN.contains(&id) {
                    assert!(main_ids.insert(fid()), "flowId repeated: {flow}");
                    got.push(tshark_flow(flow));
                } else if id != ELEMENT_TYPES {
                    side_ids.push(fid());
                }
            }
        }
    }
    assert!(problems.is_empty(), "tshark flags: {problems:#?}");
    // tshark (cflow.max_template_fields) rejects templates of more fields
    // by default; so may other collectors.
    assert!(
        (1..=60).contains(&max_fields),
        "largest template: {max_fields} fields"
    );
    assert_eq!(ipfix_bytes, bytes, "IPFIX bytes decoded");
    assert_same_flows(&got, &flows, "tshark");
    // Byte distribution and IDP records belong to flows sent before them.
    assert!(side_ids.iter().all(|id| main_ids.contains(id)));
    let data: u64 = per_template
        .iter()
        .filter(|(&id, _)| id != ELEMENT_TYPES)
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        data, ipfix_records,
        "data records by template: {per_template:?}"
    );
    for id in [256, 257, 258, 259, 260, 261, 262, ELEMENT_TYPES] {
        assert!(
            per_template.contains_key(&id),
            "no records of template {id}"
        );
    }
    let all: u64 = per_template.values().sum();
    assert_eq!(all, c["records"].as_u64().expect("records"));
}

// ---------------------------------------------------------------------------
// 2. nfcapd / nfdump

/// The number after `label` in an nfcapd summary line.
fn labelled(line: &str, label: &str) -> u64 {
    let rest = &line[line
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} in {line:?}"))
        + label.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("{label:?} in {line:?}"))
}

fn nfdump_flow(r: &Value) -> Flow {
    let u = |k: &str| r[k].as_u64().unwrap_or_else(|| panic!("{k} in {r}"));
    let ip = |v4: &str, v6: &str| -> IpAddr {
        let t = r[v4].as_str().or(r[v6].as_str()).expect("address");
        t.parse().unwrap_or_else(|_| panic!("address {t}"))
    };
    let t = |k: &str| nfdump_ms(r[k].as_str().unwrap_or_else(|| panic!("{k} in {r}")));
    Flow {
        sa: ip("src4_addr", "src6_addr"),
        da: ip("dst4_addr", "dst6_addr"),
        sp: u("src_port") as u16,
        dp: u("dst_port") as u16,
        proto: u("proto") as u8,
        vlan: u("src_vlan") as u16,
        start_ms: t("first"),
        end_ms: t("last"),
        octets: u("in_bytes"),
        packets: u("in_packets"),
        rev_octets: u("out_bytes"),
        rev_packets: u("out_packets"),
        flags: 0,
        rev_flags: 0,
    }
}

#[test]
fn nfcapd_and_nfdump_count_what_the_json_counts() {
    let dir = scratch("ipfix-nfcapd");
    let nfdir = dir.join("nf");
    fs::create_dir_all(&nfdir).expect("mkdir");
    let port = {
        let probe = UdpSocket::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").port()
    };
    let mut nfcapd = Proc::spawn(Command::new("nfcapd").arg("-w").arg(&nfdir).args([
        "-p",
        &port.to_string(),
        "-b",
        "127.0.0.1",
    ]));
    nfcapd.wait_for("Startup nfcapd.", Duration::from_secs(10));
    let run = sluice_read(
        &dir,
        &[corpus_file("ndpi/1kxun.pcap")],
        &["--ipfix", &udp_url(port)],
        true,
        Duration::from_secs(20),
    );
    run.assert_ok();
    let c = run.collector();
    assert_eq!(c["dropped_records"], 0, "{c}");
    // No acknowledgement over UDP: give nfcapd time to read its socket.
    std::thread::sleep(Duration::from_millis(300));
    let (status, log) = nfcapd.stop(libc::SIGTERM, Duration::from_secs(10));
    assert!(status.success(), "nfcapd: {status}\n{}", log.join("\n"));

    let flows: Vec<Flow> = run.json.iter().map(json_flow).collect();
    assert!(flows.len() > 100, "{} flows", flows.len());
    let packets: u64 = flows.iter().map(|f| f.packets + f.rev_packets).sum();
    let bytes: u64 = flows.iter().map(|f| f.octets + f.rev_octets).sum();

    // Its summary (one line per file, should the run cross a 5-minute slot).
    let idents: Vec<&String> = log.iter().filter(|l| l.contains("Ident: ")).collect();
    assert!(
        !idents.is_empty(),
        "no summary from nfcapd:\n{}",
        log.join("\n")
    );
    let sum = |label: &str| -> u64 { idents.iter().map(|l| labelled(l, label)).sum() };
    assert_eq!(
        (
            sum("Flows: "),
            sum("Packets: "),
            sum("Bytes: "),
            sum("Sequence Errors: "),
            sum("Bad Packets: ")
        ),
        (flows.len() as u64, packets, bytes, 0, 0),
        "nfcapd's summary: {idents:?}"
    );
    let complaints: Vec<&String> = log
        .iter()
        .filter(|l| !l.contains("Ident: "))
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("error") || l.contains("invalid") || l.contains("skip")
        })
        .collect();
    assert!(complaints.is_empty(), "nfcapd complains: {complaints:#?}");

    // Each flow, as nfdump reads the files back.
    let out = Command::new("nfdump")
        .env("TZ", "UTC")
        .arg("-R")
        .arg(&nfdir)
        .args(["-o", "json", "-q"])
        .output()
        .expect("running nfdump");
    assert!(
        out.status.success(),
        "nfdump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    // With -q, 1.7.1 leaves the enclosing brackets out.
    let text = text.trim();
    let text = if text.starts_with('[') {
        text.to_string()
    } else {
        format!("[{text}]")
    };
    let records: Vec<Value> = serde_json::from_str(&text).expect("nfdump JSON");
    // nfcapd stores flows in its own order: compare sorted.
    let mut got: Vec<Flow> = records.iter().map(nfdump_flow).collect();
    let mut want: Vec<Flow> = flows.iter().map(Flow::without_flags).collect();
    got.sort();
    want.sort();
    assert_same_flows(&got, &want, "nfdump (sorted)");
}

// ---------------------------------------------------------------------------
// 3. TCP collectors

/// What a TCP collector got on one connection, decoded strictly.
struct Received {
    records: Vec<Record>,
    /// Bytes of the complete messages.
    bytes: u64,
    /// Bytes of a message cut short at the end (the exporter gave up on it).
    cut: u64,
}

impl Received {
    /// Data records, not counting the element type records.
    fn data(&self) -> u64 {
        self.records
            .iter()
            .filter(|r| r.template_id != ELEMENT_TYPES)
            .count() as u64
    }

    /// The main flow records.
    fn flows(&self) -> Vec<Flow> {
        self.records
            .iter()
            .filter(|r| MAIN.contains(&r.template_id))
            .map(decoded_flow)
            .collect()
    }
}

/// Reads `conn` to its end (failing after `limit`), then decodes it
/// strictly with one session: framing, templates, sequence numbers,
/// basicLists.
fn read_session(mut conn: TcpStream, limit: Duration) -> Received {
    conn.set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    let until = Instant::now() + limit;
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        match conn.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                assert!(Instant::now() < until, "the exporter never closed");
            }
            Err(e) => panic!("reading the exporter's stream: {e}"),
        }
    }
    let mut session = Session::new();
    let mut records = Vec::new();
    let mut off = 0;
    while buf.len() - off >= 4 {
        let len = usize::from(u16::from_be_bytes([buf[off + 2], buf[off + 3]]));
        if buf.len() - off < len {
            break;
        }
        let (msg, used) = parse_message(&buf[off..off + len])
            .unwrap_or_else(|e| panic!("message at byte {off}: {e}"));
        assert_eq!(used, len, "message at byte {off}");
        let recs = session
            .feed(&msg)
            .unwrap_or_else(|e| panic!("message at byte {off}: {e}"));
        records.extend(recs);
        off += len;
    }
    Received {
        records,
        bytes: off as u64,
        cut: (buf.len() - off) as u64,
    }
}

/// Accepts one connection within `limit`.
fn accept_within(l: &TcpListener, limit: Duration) -> TcpStream {
    l.set_nonblocking(true).expect("nonblocking");
    let until = Instant::now() + limit;
    loop {
        match l.accept() {
            Ok((c, _)) => {
                c.set_nonblocking(false).expect("blocking");
                return c;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                assert!(Instant::now() < until, "the exporter never connected");
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

/// A main flow record as the strict decoder reads it.
fn decoded_flow(r: &Record) -> Flow {
    let get = |pen: u32, id: u16| -> &Field {
        r.get(pen, id)
            .unwrap_or_else(|| panic!("element {pen}/{id} missing: {r:?}"))
    };
    let u = |pen: u32, id: u16| get(pen, id).as_u64().expect("an integer");
    let ip = |v4: u16, v6: u16| -> IpAddr {
        let b = r
            .get(0, v4)
            .or(r.get(0, v6))
            .and_then(Field::as_bytes)
            .expect("address");
        match b.len() {
            4 => IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(b).expect("4"))),
            16 => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(b).expect("16"))),
            n => panic!("{n}-byte address"),
        }
    };
    Flow {
        sa: ip(8, 27),
        da: ip(12, 28),
        sp: u(0, 7) as u16,
        dp: u(0, 11) as u16,
        proto: u(0, 4) as u8,
        vlan: u(0, 58) as u16,
        start_ms: u(0, 152),
        end_ms: u(0, 153),
        octets: u(0, 1),
        packets: u(0, 2),
        rev_octets: u(PEN_REVERSE, 1),
        rev_packets: u(PEN_REVERSE, 2),
        flags: u(0, 6) as u8,
        rev_flags: u(PEN_REVERSE, 6) as u8,
    }
}

/// The SPLT of a JSON line per direction: lengths and inter-packet times.
fn json_splt(j: &Value) -> [Vec<u64>; 4] {
    let mut v: [Vec<u64>; 4] = Default::default();
    for p in j["packets"].as_array().into_iter().flatten() {
        let d = if p["dir"] == ">" { 0 } else { 2 };
        v[d].push(p["b"].as_u64().expect("b"));
        v[d + 1].push(p["ipt"].as_u64().expect("ipt"));
    }
    v
}

/// The four basicLists of a main record (SPL, SPT, reverse SPL, reverse SPT).
fn decoded_splt(r: &Record) -> [Vec<u64>; 4] {
    let lists: Vec<Vec<u64>> = r
        .values
        .iter()
        .filter_map(|(_, v)| v.as_list())
        .take(4)
        .map(|l| {
            l.items
                .iter()
                .map(|b| b.iter().fold(0u64, |n, &x| (n << 8) | u64::from(x)))
                .collect()
        })
        .collect();
    lists.try_into().expect("four SPLT lists")
}

#[test]
fn tcp_collector_down_sluice_exits_and_counts_every_record_dropped() {
    let dir = scratch("ipfix-tcp-down");
    let addr = {
        let probe = TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr")
    };
    let run = sluice_read(
        &dir,
        &[corpus_file("ndpi/chrome.pcap")],
        &["--ipfix", &tcp_url(addr)],
        true,
        Duration::from_secs(30),
    );
    run.assert_exit_says_what_was_lost();
    // The drain timeout, and not much more.
    assert!(
        run.elapsed < DRAIN + Duration::from_secs(4),
        "took {:?}",
        run.elapsed
    );
    let x = run.ipfix();
    let c = run.collector();
    let records = x["records"].as_u64().expect("records");
    assert!(records > 0);
    assert_eq!(x["flows"].as_u64(), Some(run.json.len() as u64));
    assert_eq!(run.stats["records"].as_u64(), Some(run.json.len() as u64));
    assert_eq!(c["dropped_records"].as_u64(), Some(records), "{c}");
    assert_eq!(
        (&c["records"], &c["messages"], &c["bytes"], &c["sessions"]),
        (
            &Value::from(0),
            &Value::from(0),
            &Value::from(0),
            &Value::from(0)
        ),
        "{c}"
    );
    assert!(c["dropped_messages"].as_u64() > Some(0), "{c}");
    // The cause, not only the giving up.
    let e = c["last_error"].as_str().unwrap_or_default();
    assert!(
        e.starts_with("closed before the collector took every message (not connected: connect: "),
        "{c}"
    );
}

#[test]
fn udp_collector_down_sluice_reads_on_and_counts_the_refused_sends() {
    let dir = scratch("ipfix-udp-down");
    let port = {
        let probe = UdpSocket::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").port()
    };
    // Small messages: many datagrams, so the port unreachable errors come back.
    let run = sluice_read(
        &dir,
        &[corpus_file("ndpi/1kxun.pcap")],
        &["--ipfix", &udp_url(port), "--ipfix-mtu", "256"],
        true,
        Duration::from_secs(30),
    );
    let x = run.ipfix();
    let c = run.collector();
    let u = |v: &Value| v.as_u64().expect("a count");
    assert_eq!(u(&x["flows"]), run.json.len() as u64, "every flow exported");
    assert!(u(&c["dropped_messages"]) > 0, "sends refused: {c}");
    assert!(
        c["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("Connection refused"),
        "{c}"
    );
    // Every data record went out or was counted as dropped: none vanished (the
    // session also sent its element type records, RFC 5610, once: no refresh was due).
    let element_types = sluice::export::ipfix::elements::element_infos().len() as u64;
    assert_eq!(
        u(&c["records"]) + u(&c["dropped_records"]),
        u(&x["records"]) + element_types,
        "{c}"
    );
    run.assert_exit_says_what_was_lost();
}

#[test]
fn tcp_collector_gets_every_record_of_a_run() {
    let dir = scratch("ipfix-tcp-all");
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let collector = std::thread::spawn(move || {
        let conn = accept_within(&l, Duration::from_secs(20));
        let got = read_session(conn, Duration::from_secs(30));
        // Nothing more: one session.
        l.set_nonblocking(true).expect("nonblocking");
        assert!(l.accept().is_err(), "a second connection");
        got
    });
    let run = sluice_read(
        &dir,
        &[
            corpus_file("ndpi/http_ipv6.pcap"),
            corpus_file("ndpi/1kxun.pcap"),
        ],
        &["--features", "all", "--ipfix", &tcp_url(addr)],
        true,
        Duration::from_secs(30),
    );
    run.assert_ok();
    let got = collector.join().expect("collector");
    let x = run.ipfix();
    let c = run.collector();
    assert_eq!(got.cut, 0, "a message cut short");
    assert_eq!(
        (
            &c["dropped_records"],
            &c["dropped_messages"],
            &c["sessions"]
        ),
        (&Value::from(0), &Value::from(0), &Value::from(1)),
        "{c}"
    );
    assert_eq!(Some(got.data()), x["records"].as_u64());
    assert_eq!(Some(got.records.len() as u64), c["records"].as_u64());
    assert_eq!(Some(got.bytes), c["bytes"].as_u64());
    let want: Vec<Flow> = run.json.iter().map(json_flow).collect();
    assert!(want.len() > 200, "{} flows", want.len());
    assert_same_flows(&got.flows(), &want, "TCP collector");
    // The sequences in the basicLists are the JSON's.
    let main: Vec<&Record> = got
        .records
        .iter()
        .filter(|r| MAIN.contains(&r.template_id))
        .collect();
    for (i, (r, j)) in main.iter().zip(&run.json).enumerate() {
        assert_eq!(decoded_splt(r), json_splt(j), "SPLT of flow {i}");
    }
}

/// Bytes a loopback connection takes before the writer would block, the
/// reader reading nothing: the kernel's buffers at most.
fn loopback_buffer() -> u64 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut w = TcpStream::connect(l.local_addr().expect("addr")).expect("connect");
    let (_r, _) = l.accept().expect("accept");
    w.set_nonblocking(true).expect("nonblocking");
    let chunk = [0u8; 1400];
    let mut n = 0u64;
    while n < 1 << 28 {
        match w.write(&chunk) {
            Ok(k) => n += k as u64,
            Err(_) => break,
        }
    }
    n
}

/// A synthetic capture whose export (`--features bd,idp`: about 2.3 KB a
/// flow, a byte distribution and an IDP beside each flow record) is several
/// times what the loopback buffers hold, so a collector that reads nothing
/// blocks the sender. Real captures repeated do not grow the export much:
/// their flows continue from one copy to the next.
fn more_than_buffers(dir: &Path) -> PathBuf {
    let flows = (3 * loopback_buffer() / 2000).clamp(2000, 200_000) as u32;
    let path = dir.join("big.pcap");
    let mut w = std::io::BufWriter::new(fs::File::create(&path).expect("create pcap"));
    write_header(&mut w, 1).expect("pcap header");
    for i in 0..flows {
        let frame = udp_frame(
            &UdpTemplate {
                dst_mac: [2, 0, 0, 0, 0, 2],
                src_mac: [2, 0, 0, 0, 0, 1],
                src: Ipv4Addr::from(0x0a00_0000 | (i >> 8)),
                dst: Ipv4Addr::new(10, 200, 0, 1),
                sport: 1024 + (i & 0xff) as u16,
                dport: 40_000,
            },
            1200,
        );
        write_record(
            &mut w,
            1_700_000_000_000_000_000 + u64::from(i) * 1000,
            &frame,
        )
        .expect("pcap record");
    }
    w.flush().expect("pcap flush");
    path
}

/// A collector that fell behind: what it received plus what sluice counted
/// as dropped is every record; its records and bytes are the collector
/// stats'; one connection; the flows it got are JSON flows, in order.
/// Returns the dropped records.
fn assert_accounted(run: &Run, got: &Received) -> u64 {
    let c = run.collector();
    let records = run.ipfix()["records"].as_u64().expect("records");
    let dropped = c["dropped_records"].as_u64().expect("dropped");
    assert_eq!(got.data() + dropped, records, "received + dropped; {c}");
    assert_eq!(Some(got.records.len() as u64), c["records"].as_u64());
    assert_eq!(Some(got.bytes), c["bytes"].as_u64());
    assert_eq!(c["sessions"], 1, "{c}");
    let want: Vec<Flow> = run.json.iter().map(json_flow).collect();
    assert_subsequence(&got.flows(), &want);
    dropped
}

/// Received flows are JSON flows, in the JSON's order (some left out).
fn assert_subsequence(got: &[Flow], want: &[Flow]) {
    let mut it = want.iter();
    for (i, g) in got.iter().enumerate() {
        assert!(
            it.any(|w| w == g),
            "received flow {i} is not a JSON flow in order: {g:?}"
        );
    }
}

#[test]
fn tcp_collector_reading_nothing_until_sluice_exits_gets_the_rest() {
    let dir = scratch("ipfix-tcp-stalled");
    let big = more_than_buffers(&dir);
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let (exited, wait) = mpsc::channel::<()>();
    let collector = std::thread::spawn(move || {
        let conn = accept_within(&l, Duration::from_secs(20));
        // Read nothing while sluice runs.
        let _ = wait.recv();
        read_session(conn, Duration::from_secs(30))
    });
    // The default queue (4096 messages): the sender blocks on the full
    // socket with messages still queued (a tiny queue would rather drop
    // them at once, and sluice exit with nothing to drain).
    let run = sluice_read(
        &dir,
        std::slice::from_ref(&big),
        &["--features", "bd,idp", "--ipfix", &tcp_url(addr)],
        true,
        Duration::from_secs(40),
    );
    let _ = exited.send(());
    let got = collector.join().expect("collector");
    run.assert_exit_says_what_was_lost();
    // It gave up after the drain timeout.
    assert!(
        run.elapsed >= DRAIN && run.elapsed < DRAIN + Duration::from_secs(6),
        "took {:?}",
        run.elapsed
    );
    let dropped = assert_accounted(&run, &got);
    assert!(dropped > 0, "{}", run.collector());
    assert_eq!(
        run.collector()["last_error"],
        "closed before the collector took every message \
         (the collector did not read it all in time)",
    );
    assert_eq!(run.ipfix()["flows"].as_u64(), Some(run.json.len() as u64));
    let _ = fs::remove_file(&big);
}

#[test]
fn tcp_collector_that_stalls_then_catches_up_gets_the_queue_before_the_drain_ends() {
    let dir = scratch("ipfix-tcp-slow");
    let big = more_than_buffers(&dir);
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let stall = Duration::from_secs(1);
    let collector = std::thread::spawn(move || {
        let conn = accept_within(&l, Duration::from_secs(20));
        // Slow: nothing for a second (the capture is read by then, the
        // sender blocked on the full socket, messages queued), then
        // everything.
        std::thread::sleep(stall);
        read_session(conn, Duration::from_secs(30))
    });
    let run = sluice_read(
        &dir,
        std::slice::from_ref(&big),
        &["--features", "bd,idp", "--ipfix", &tcp_url(addr)],
        true,
        Duration::from_secs(40),
    );
    let got = collector.join().expect("collector");
    run.assert_exit_says_what_was_lost();
    // Sluice waited for the collector, and left as soon as the queue was
    // delivered, well before the drain timeout.
    assert!(
        run.elapsed >= stall && run.elapsed < DRAIN - Duration::from_secs(1),
        "took {:?}",
        run.elapsed
    );
    assert_eq!(got.cut, 0, "every message written whole");
    assert!(
        run.collector()["last_error"].is_null(),
        "{}",
        run.collector()
    );
    assert_accounted(&run, &got);
    let _ = fs::remove_file(&big);
}
