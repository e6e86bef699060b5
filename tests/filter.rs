//! `--filter EXPR` on the corpus, against tcpdump applying the same filter:
//! a read with the filter writes exactly the records of a read of what
//! tcpdump kept, and counts every other frame as `filtered`.
use std::{path::Path, process::Command};

use serde_json::Value;
use sluice_tests::{assert_option_error, corpus, manifest, scratch, sluice_bin};

/// Runs `sluice read` on `file` with `args`: its JSON lines and `--stats`.
fn read(file: &Path, args: &[&str], dir: &Path) -> (String, Value) {
    let out = dir.join("flows.json");
    let stats = dir.join("stats.json");
    let run = Command::new(sluice_bin())
        .args(["read", "--no-progress", "--threads", "1", "--output"])
        .arg(&out)
        .arg("--stats")
        .arg(&stats)
        .args(args)
        .arg(file)
        .output()
        .expect("running sluice read");
    assert!(
        run.status.success(),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    (std::fs::read_to_string(&out).unwrap(), stats)
}

/// The records with their end reasons left out: the clock runs on every
/// frame read, filtered or not, so a flow that ends with tcpdump's shorter
/// file (`f`) may expire idle (`i`) in the whole one.
fn without_end_reasons(json: &str) -> Vec<Value> {
    json.lines()
        .map(|l| {
            let mut r: Value = serde_json::from_str(l).unwrap();
            r.as_object_mut().unwrap().remove("expire_type");
            r
        })
        .collect()
}

/// Frames in a capture file, as tshark counts them.
fn tshark_frames(file: &Path) -> u64 {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(file)
        .args(["-T", "fields", "-e", "frame.number"])
        .output()
        .expect("running tshark");
    assert!(out.status.success(), "tshark on {}", file.display());
    String::from_utf8_lossy(&out.stdout).lines().count() as u64
}

#[test]
fn udp_port_53_keeps_what_tcpdump_keeps_and_counts_the_rest() {
    const EXPR: &str = "udp port 53";
    let root = corpus();
    let dir = scratch("filter-corpus");
    let (mut files, mut kept_frames, mut filtered_frames, mut records) = (0, 0, 0, 0);
    let mut skipped = Vec::new();
    for name in manifest(&root) {
        let orig = root.join(&name);
        let kept = dir.join("kept.pcap");
        // tcpdump writes pcap of one link type: captures it cannot rewrite
        // (pcapng with several link types) are left out, and listed.
        let dump = Command::new("tcpdump")
            .args(["-n", "-r"])
            .arg(&orig)
            .arg("-w")
            .arg(&kept)
            .arg(EXPR)
            .output()
            .expect("running tcpdump");
        if !dump.status.success() {
            skipped.push(name);
            continue;
        }
        let (filtered_json, with_filter) = read(&orig, &["--filter", EXPR], &dir);
        let (kept_json, of_kept) = read(&kept, &[], &dir);
        assert_eq!(
            without_end_reasons(&filtered_json),
            without_end_reasons(&kept_json),
            "{name}: records differ"
        );
        assert_eq!(of_kept["table"]["filtered"], 0, "{name}");
        let read_frames: u64 = with_filter["files"][0]["packets"].as_u64().unwrap();
        let filtered = with_filter["table"]["filtered"].as_u64().unwrap();
        let kept_n = if std::fs::metadata(&kept).unwrap().len() > 24 {
            tshark_frames(&kept)
        } else {
            0
        };
        assert_eq!(filtered, read_frames - kept_n, "{name}: filtered count");
        files += 1;
        kept_frames += kept_n;
        filtered_frames += filtered;
        records += filtered_json.lines().count();
    }
    eprintln!(
        "{files} captures: {kept_frames} frames kept in {records} records, \
         {filtered_frames} filtered; tcpdump could not rewrite {skipped:?}"
    );
    assert!(files >= 500, "only {files} captures compared");
    assert!(
        kept_frames > 1000 && records > 300,
        "{kept_frames} {records}"
    );
}

#[test]
fn a_filter_that_does_not_compile_is_an_error_naming_it() {
    let dir = scratch("filter-bad");
    let file = corpus().join("ndpi/dns.pcap");
    for expr in ["udp prot 53", "tcp port 99999"] {
        let args = ["read", "--no-progress", "--filter", expr];
        let run = Command::new(sluice_bin())
            .args(args)
            .arg("--output")
            .arg(dir.join("x.json"))
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_option_error(run.status, &stderr, &args, "--filter", expr);
        assert!(stderr.contains("libpcap"), "{stderr}");
        assert!(!dir.join("x.json").exists(), "{stderr}");
    }
}

#[test]
fn a_live_capture_counts_only_the_frames_its_filter_accepts() {
    use sluice_tests::capture::{Gen, LiveRun};
    let run = LiveRun::new("filterlive");
    let cap = run.capture(&["--queues", "2", "--filter", "udp dst port 53"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let send = |flows: u32, frames: u64, dport: u16| {
        Gen {
            interface: sluice_bench::lab::TAP_IF,
            cpu: 0,
            flows,
            frames,
            size: 80,
            exact_rate: Some(20_000),
            sport: 20_000,
            dport,
        }
        .run(&run.lab.client)
    };
    let dns = send(40, 400, 53);
    let other = send(60, 900, 54);
    assert_eq!((dns, other), (400, 900));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let (status, stderr) = cap.stop(std::time::Duration::from_secs(60));
    assert!(status.success(), "exit {status}: {stderr}");
    let flows = run.flows();
    let stats = run.stats();
    assert_eq!(flows.len(), 40, "{stderr}");
    assert!(flows.iter().all(|f| f["dp"] == 53), "{flows:?}");
    let packets: u64 = flows
        .iter()
        .map(|f| f["num_pkts_out"].as_u64().unwrap() + f["num_pkts_in"].as_u64().unwrap())
        .sum();
    assert_eq!(packets, 400);
    let a = &stats["accounting"];
    assert_eq!(a["in_flows"], 400, "{a}");
    assert_eq!(a["filtered"], 900, "{a}");
    assert_eq!(a["unaccounted"], 0, "{a}");
}

#[test]
fn a_capture_whose_filter_does_not_compile_attaches_nothing() {
    sluice_tests::require_root();
    let args = ["capture", "--interface", "lo", "--filter", "ether hots 1"];
    let run = Command::new(sluice_bin()).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_option_error(run.status, &stderr, &args, "--filter", "ether hots 1");
    let attached = Command::new("ip")
        .args(["link", "show", "lo"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&attached.stdout).contains("xdp"));
}
