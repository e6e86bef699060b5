//! `--metrics` and `--stats-interval` (live, in the lab): `/metrics` scraped
//! during a capture parses with `prometheus_client`'s strict OpenMetrics
//! parser (PyPI) at every scrape, its counters never decrease, and once the
//! traffic has ended and every flow has been exported, every sample equals
//! the same counter of the run's `--stats` file at exit. A port in use is a
//! one-line error before anything is attached.
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::Value;
use sluice_bench::lab::TAP_IF;
use sluice_bench::netns::in_netns;
use sluice_tests::capture::{Gen, LiveRun};
use sluice_tests::{py_script, python, sluice_bin};

const ADDR: &str = "127.0.0.1:9464";

/// One scrape: families by name (their type), samples by name and labels.
struct Scrape {
    families: BTreeMap<String, String>,
    samples: BTreeMap<(String, BTreeMap<String, String>), f64>,
}

/// Scrapes `/metrics` from inside the lab's client namespace; None while
/// the endpoint does not answer 200 yet.
fn scrape(run: &LiveRun) -> Option<Scrape> {
    let python = python();
    let script = py_script("scrape_metrics.py");
    let url = format!("http://{ADDR}/metrics");
    let out = run
        .lab
        .client
        .command(&[python.to_str()?, script.to_str()?, &url])
        .output()
        .expect("running scrape_metrics.py");
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        // Not up yet, or no snapshot yet: anything else is a parse failure.
        assert!(
            err.contains("Connection refused") || err.contains("503"),
            "scrape failed: {err}"
        );
        return None;
    }
    Some(parse_scrape(&out.stdout))
}

/// What scrape_metrics.py printed.
fn parse_scrape(stdout: &[u8]) -> Scrape {
    let v: Value = serde_json::from_slice(stdout).expect("scrape JSON");
    let families = v["families"]
        .as_object()
        .expect("families")
        .iter()
        .map(|(k, t)| (k.clone(), t.as_str().expect("type").to_string()))
        .collect();
    let samples = v["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|s| {
            let labels = s[1]
                .as_object()
                .expect("labels")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("label").to_string()))
                .collect();
            (
                (s[0].as_str().expect("name").to_string(), labels),
                s[2].as_f64().expect("value"),
            )
        })
        .collect();
    Scrape { families, samples }
}

/// Samples that are not counts of the run (they change by themselves).
fn is_clock(name: &str) -> bool {
    name.starts_with("sluice_process_") || name == "sluice_uptime_seconds"
}

/// The `--stats` value of a sample, by the documented mapping (docs/operations.md).
fn in_stats(stats: &Value, name: &str, labels: &BTreeMap<String, String>) -> Option<u64> {
    let queue = |stats: &Value| -> Option<Value> {
        let q: u64 = labels.get("queue")?.parse().ok()?;
        stats["queues"]
            .as_array()?
            .iter()
            .find(|v| v["queue"].as_u64() == Some(q))
            .cloned()
    };
    let label = |k: &str| labels.get(k).map(String::as_str).unwrap_or_default();
    let name = name.strip_suffix("_total").unwrap_or(name);
    if let Some(counter) = name.strip_prefix("sluice_xdp_") {
        let cpu: usize = label("cpu").parse().ok()?;
        return stats["xdp"]["per_cpu"][cpu][counter].as_u64();
    }
    let v = match name {
        "sluice_records_written" => stats["flows_written"].clone(),
        "sluice_record_write_errors" => stats["drops"]["write_errors"].clone(),
        "sluice_dropped" => stats["drops"][label("stage")].clone(),
        "sluice_xsk_undelivered_frames" => stats["drops"]["xsk_undelivered"].clone(),
        "sluice_kernel_verdict_frames" => {
            stats["drops"][format!("xdp_verdict_{}", label("verdict"))].clone()
        }
        "sluice_queue_frames" => queue(stats)?["frames"].clone(),
        "sluice_queue_bytes" => queue(stats)?["bytes"].clone(),
        "sluice_flows_created" => queue(stats)?["flows"]["created"].clone(),
        "sluice_flows_active" => queue(stats)?["flows"]["active_at_end"].clone(),
        "sluice_flow_table_overflows" => queue(stats)?["flows"]["overflows"].clone(),
        "sluice_flows_exported" => queue(stats)?["flows"]["exported"][label("reason")].clone(),
        "sluice_decode_errors" => queue(stats)?["decode_errors"][label("reason")].clone(),
        "sluice_filtered" => queue(stats)?["filtered"].clone(),
        "sluice_handoff_out" => queue(stats)?["handoff"]["out"].clone(),
        "sluice_handoff_in" => queue(stats)?["handoff"]["in"].clone(),
        "sluice_handoff_queue_full" => queue(stats)?["handoff"]["queue_full"].clone(),
        "sluice_export_queued" => queue(stats)?["export"]["queued"].clone(),
        "sluice_export_lost" => queue(stats)?["export"]["lost"].clone(),
        "sluice_export_waits" => queue(stats)?["export"]["waits"].clone(),
        "sluice_kernel_verdicts_installed" => queue(stats)?["kernel_verdicts"]["installed"].clone(),
        "sluice_kernel_verdict_packets" => queue(stats)?["kernel_verdicts"]["packets"].clone(),
        s if s.starts_with("sluice_socket_") => {
            queue(stats)?["socket"][s.trim_start_matches("sluice_socket_")].clone()
        }
        _ => return None,
    };
    v.as_u64()
}

/// Counts only: the samples of `s` without the clock-like ones.
fn counts(s: &Scrape) -> BTreeMap<(String, BTreeMap<String, String>), f64> {
    s.samples
        .iter()
        .filter(|((n, _), _)| !is_clock(n))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

#[test]
fn metrics_parse_never_decrease_and_end_equal_to_stats() {
    let run = LiveRun::new("metrics");
    let cap = run.capture(&[
        "--metrics",
        ADDR,
        "--idle-timeout",
        "1",
        "--stats-interval",
        "0.5",
    ]);
    let t = Instant::now();
    let first = loop {
        if let Some(s) = scrape(&run) {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(15),
            "no /metrics after 15 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    for (name, kind) in [
        ("sluice_xdp_frames", "counter"),
        ("sluice_flows_exported", "counter"),
        ("sluice_flows_active", "gauge"),
        ("sluice_dropped", "counter"),
        ("sluice_process_resident_memory_bytes", "gauge"),
    ] {
        assert_eq!(
            first.families.get(name).map(String::as_str),
            Some(kind),
            "{name}"
        );
    }
    // 40 flows of 100 frames at 2,000 frames/s: two seconds of traffic.
    let gen = Gen {
        interface: TAP_IF,
        cpu: 0,
        flows: 40,
        frames: 4_000,
        size: 100,
        exact_rate: Some(2_000),
        sport: 30_000,
        dport: 9_000,
    };
    let sent = std::thread::scope(|s| {
        let sender = s.spawn(|| gen.run(&run.lab.client));
        let mut previous = first;
        let mut scrapes = 1;
        let check = |now: Scrape, previous: &Scrape| {
            for ((name, labels), v) in &now.samples {
                let kind = now
                    .families
                    .get(name.trim_end_matches("_total"))
                    .map(String::as_str);
                if kind == Some("counter") {
                    if let Some(before) = previous.samples.get(&(name.clone(), labels.clone())) {
                        assert!(v >= before, "{name}{labels:?} went from {before} to {v}");
                    }
                }
            }
        };
        while !sender.is_finished() {
            std::thread::sleep(Duration::from_millis(300));
            let now = scrape(&run).expect("scrape during the capture");
            check(now, &previous);
            previous = scrape(&run).expect("scrape");
            scrapes += 2;
        }
        assert!(scrapes >= 5, "only {scrapes} scrapes while the traffic ran");
        sender.join().expect("generator")
    });
    assert_eq!(sent, 4_000);
    // Every flow idles out (1 s) and is written; then the counts stay put.
    let t = Instant::now();
    let settled = loop {
        std::thread::sleep(Duration::from_millis(500));
        let a = scrape(&run).expect("scrape");
        let written = a
            .samples
            .get(&("sluice_records_written_total".to_string(), BTreeMap::new()))
            .copied()
            .unwrap_or(0.0);
        if written >= 40.0 {
            std::thread::sleep(Duration::from_millis(600));
            let b = scrape(&run).expect("scrape");
            if counts(&a) == counts(&b) {
                break b;
            }
        }
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "counters did not settle: {written} records written"
        );
    };
    let (status, stderr) = cap.stop(Duration::from_secs(20));
    assert!(status.success(), "capture failed: {stderr}");
    // The server's threads started without privileges.
    assert!(!stderr.contains("still has capabilities"), "{stderr}");
    let stats = run.stats();
    let mut compared = 0;
    for ((name, labels), v) in counts(&settled) {
        let want = in_stats(&stats, &name, &labels)
            .unwrap_or_else(|| panic!("{name}{labels:?} has no --stats counterpart"));
        assert_eq!(
            v, want as f64,
            "{name}{labels:?}: /metrics {v}, --stats {want}"
        );
        compared += 1;
    }
    assert!(compared > 100, "only {compared} samples compared");
    eprintln!("{compared} samples equal to --stats");
    assert_eq!(stats["flows_written"], 40);
    // The summary lines: one every half second, with the flows and no drops.
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("sluice: stats: "))
        .collect();
    assert!(lines.len() >= 4, "stats lines: {lines:?}");
    let last = lines.last().expect("a line");
    assert!(
        last.contains("4000 frames (") && last.contains("40 written") && last.ends_with("drops 0"),
        "{last}"
    );
}

/// Scrapes `/metrics` at `addr` from this namespace; None while nothing answers.
fn scrape_here(addr: &str) -> Option<Scrape> {
    let out = std::process::Command::new(python())
        .arg(py_script("scrape_metrics.py"))
        .arg(format!("http://{addr}/metrics"))
        .output()
        .expect("scrape_metrics.py");
    if !out.status.success() {
        return None;
    }
    Some(parse_scrape(&out.stdout))
}

#[test]
fn a_read_from_a_pipe_serves_the_packets_read_so_far() {
    let dir = sluice_tests::scratch("readmetrics");
    let fifo = dir.join("capture.pcap");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let capture =
        std::fs::read(sluice_tests::corpus().join("ndpi/alexa-app.pcapng")).expect("capture");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let addr = format!("127.0.0.1:{port}");
    let stats = dir.join("stats.json");
    let sluice = std::process::Command::new(sluice_bin())
        .args([
            "read",
            "--no-progress",
            "-o",
            "/dev/null",
            "--metrics",
            &addr,
            "--stats",
        ])
        .arg(&stats)
        .arg(&fifo)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sluice");
    // The capture goes into the pipe in ten parts, 400 ms apart.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut w = std::fs::OpenOptions::new()
                .write(true)
                .open(&fifo)
                .expect("fifo");
            for part in capture.chunks(capture.len().div_ceil(10)) {
                w.write_all(part).expect("write");
                w.flush().expect("flush");
                std::thread::sleep(Duration::from_millis(400));
            }
        })
    };
    let key = (
        "sluice_read_packets_total".to_string(),
        BTreeMap::from([("file".to_string(), fifo.display().to_string())]),
    );
    let mut seen = Vec::new();
    while !writer.is_finished() {
        if let Some(s) = scrape_here(&addr) {
            seen.push(s.samples.get(&key).copied().unwrap_or(0.0));
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    writer.join().expect("writer");
    let out = sluice.wait_with_output().expect("sluice");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).expect("stats")).expect("JSON");
    let total = v["files"][0]["packets"].as_f64().expect("packets");
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "packets read went down: {seen:?}"
    );
    let distinct: std::collections::BTreeSet<u64> = seen.iter().map(|x| *x as u64).collect();
    assert!(
        distinct.len() >= 3,
        "the count did not move while reading: {seen:?}"
    );
    assert!(seen.iter().all(|x| *x <= total), "{seen:?} > {total}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_metrics_port_in_use_is_an_error_before_anything_is_attached() {
    let run = LiveRun::new("metricsbusy");
    let taken = in_netns(run.lab.client.name(), || Ok(TcpListener::bind(ADDR)?)).expect("listener");
    let out = run
        .lab
        .client
        .command(&[
            sluice_bin().to_str().expect("path"),
            "capture",
            "--interface",
            sluice_bench::lab::MON_IF,
            "--duration",
            "1",
            "--metrics",
            ADDR,
        ])
        .output()
        .expect("sluice");
    drop(taken);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--metrics") && err.contains(ADDR) && err.contains("in use"),
        "{err}"
    );
    assert!(!err.contains("capturing on"), "{err}");
    let bad = run
        .lab
        .client
        .command(&[
            sluice_bin().to_str().expect("path"),
            "capture",
            "-i",
            "mon0",
            "--metrics",
            "localhost",
        ])
        .output()
        .expect("sluice");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("--metrics") && err.contains("localhost"),
        "{err}"
    );
}
