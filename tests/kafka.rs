//! `--kafka`: flow records to a real Kafka-protocol broker (tansu, built by
//! `cargo xtask setup`, with SQLite storage so a restart keeps what it
//! stored), read back with confluent-kafka's consumer (librdkafka 2.16).
//! Every record equals a line of the same run's JSON output, none missing
//! and none duplicated, under every compression; every record of one flow
//! (its slices) is in one partition, keyed by its Community ID. A live
//! capture whose broker is killed and restarted mid-run accounts for every
//! record exactly: what the bounded producer queue held is delivered after
//! the restart, what it could not hold is counted as dropped (and the exit
//! status says so), delivered + dropped + failed + undelivered = records,
//! and the topic holds exactly the delivered ones, none twice.
use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use sluice_bench::kafka_broker::Broker;
use sluice_bench::lab::TAP_IF;
use sluice_bench::netns::Netns;
use sluice_tests::capture::{Gen, LiveRun};
use sluice_tests::{assert_option_error, corpus, py_script, python, scratch, sluice_bin};

const CAPTURE: &str = "ndpi/alexa-app.pcapng";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn broker(ns: Option<&Netns>, port: u16, dir: &Path) -> Broker {
    Broker::start(ns, port, dir).expect("tansu broker")
}

fn create_topic(ns: Option<&Netns>, port: u16, topic: &str) {
    Broker::create_topic(ns, port, topic, 3).expect("topic");
}

/// Every message of the topic as (partition, key, value).
fn consume(
    ns: Option<&Netns>,
    port: u16,
    topic: &str,
    expected: usize,
) -> Vec<(u64, String, String)> {
    let py = python();
    let script = py_script("kafka_consume.py");
    let brokers = format!("127.0.0.1:{port}");
    let n = expected.to_string();
    let args = [
        py.to_str().expect("path"),
        script.to_str().expect("path"),
        &brokers,
        topic,
        &n,
        "60",
    ];
    let out = match ns {
        Some(ns) => ns.command(&args).output(),
        None => Command::new(args[0]).args(&args[1..]).output(),
    }
    .expect("kafka_consume.py");
    assert!(
        out.status.success(),
        "consumer: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Vec<(u64, String, String)> = serde_json::from_slice(&out.stdout).expect("consumer JSON");
    v
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("JSON output")
        .lines()
        .map(String::from)
        .collect()
}

fn counts<T: Ord + Clone>(v: impl Iterator<Item = T>) -> BTreeMap<T, usize> {
    let mut m = BTreeMap::new();
    for x in v {
        *m.entry(x).or_default() += 1;
    }
    m
}

#[test]
fn every_record_once_in_its_flows_partition_under_every_compression() {
    let dir = scratch("kafka");
    let port = free_port();
    let _broker = broker(None, port, &dir);
    for codec in ["lz4", "none", "gzip", "zstd"] {
        let topic = format!("flows-{codec}");
        create_topic(None, port, &topic);
        let json = dir.join(format!("{codec}.json"));
        let target = format!("127.0.0.1:{port}/{topic}");
        let out = Command::new(sluice_bin())
            .args([
                "read",
                "--no-progress",
                "--features",
                "all",
                "--slice-timeout",
                "1",
            ])
            .args(["--kafka", &target, "--kafka-compression", codec, "--stats"])
            .arg(dir.join("stats.json"))
            .arg("-o")
            .arg(&json)
            .arg(corpus().join(CAPTURE))
            .output()
            .expect("sluice");
        assert!(
            out.status.success(),
            "{codec}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let want = lines(&json);
        let stats: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("stats.json")).expect("stats"))
                .expect("stats JSON");
        assert_eq!(
            stats["kafka"]["delivered"].as_u64(),
            Some(want.len() as u64),
            "{codec}"
        );
        let got = consume(None, port, &topic, want.len());
        // Each record exactly once: the same multiset of lines.
        assert_eq!(
            counts(got.iter().map(|(_, _, v)| v.clone())),
            counts(want.iter().cloned()),
            "{codec}: the topic's records are not the JSON output's"
        );
        // Keyed by Community ID; one flow's records in one partition.
        let mut partition_of: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
        for (p, k, v) in &got {
            let j: Value = serde_json::from_str(v).expect("record JSON");
            assert_eq!(
                Some(k.as_str()),
                j["community_id"].as_str(),
                "{codec}: key of {v}"
            );
            partition_of.entry(k).or_default().insert(*p);
        }
        assert!(
            partition_of.values().all(|s| s.len() == 1),
            "{codec}: a flow in two partitions"
        );
        let partitions: BTreeSet<u64> = got.iter().map(|(p, _, _)| *p).collect();
        assert!(
            partitions.len() > 1,
            "{codec}: every record in one partition"
        );
        let keys_with_slices = counts(got.iter().map(|(_, k, _)| k.clone()))
            .values()
            .filter(|n| **n > 1)
            .count();
        assert!(
            keys_with_slices > 5,
            "{codec}: few flows with several records"
        );
    }
}

#[test]
fn a_broker_killed_and_restarted_mid_capture_loses_nothing_silently() {
    let run = LiveRun::new("kafkalive");
    let ns = &run.lab.client;
    let port = 19_092;
    let dir = run.dir.join("broker");
    std::fs::create_dir_all(&dir).expect("broker dir");
    let first = broker(Some(ns), port, &dir);
    create_topic(Some(ns), port, "flows");
    let target = format!("127.0.0.1:{port}/flows");
    let cap = run.capture(&[
        "--idle-timeout",
        "1",
        "--kafka",
        &target,
        "--kafka-flush-timeout",
        "15",
        // libzmq's threads too must start without privileges.
        "--zmq",
        "tcp://127.0.0.1:5556",
    ]);
    let batch = |sport: u16| Gen {
        interface: TAP_IF,
        cpu: 0,
        flows: 30,
        frames: 300,
        size: 100,
        exact_rate: Some(3_000),
        sport,
        dport: 7_000,
    };
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(batch(10_000).run(ns), 300);
    std::thread::sleep(Duration::from_secs(3));
    first.kill();
    // These flows end while the broker is down: queued, not lost.
    assert_eq!(batch(20_000).run(ns), 300);
    std::thread::sleep(Duration::from_secs(3));
    let _broker = broker(Some(ns), port, &dir);
    // The producer reconnects (within 2 s) and delivers the 20 it held.
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(batch(30_000).run(ns), 300);
    std::thread::sleep(Duration::from_secs(3));
    let (status, stderr) = cap.stop(Duration::from_secs(40));
    let stats = run.stats();
    let k = &stats["kafka"];
    let n = |f: &str| k[f].as_u64().unwrap_or_else(|| panic!("kafka.{f} in {k}"));
    assert_eq!(
        n("records"),
        stats["flows_written"].as_u64().expect("flows_written")
    );
    assert_eq!(n("records"), 90, "{stderr}");
    assert_eq!(
        n("delivered") + n("kafka_dropped_records") + n("failed") + n("undelivered"),
        n("records"),
        "{k}"
    );
    assert_eq!(n("delivered"), 90, "{k}\n{stderr}");
    assert!(status.success(), "{stderr}");
    // librdkafka's and libzmq's threads started without privileges.
    assert!(!stderr.contains("still has capabilities"), "{stderr}");
    let got = consume(Some(ns), port, "flows", n("delivered") as usize);
    let distinct: BTreeSet<&String> = got.iter().map(|(_, _, v)| v).collect();
    assert_eq!(distinct.len(), got.len(), "duplicated records in the topic");
    assert_eq!(got.len() as u64, n("delivered"), "{k}");
    let written: BTreeSet<String> = run.flows().iter().map(|f| f.to_string()).collect();
    for (_, _, v) in &got {
        let j: Value = serde_json::from_str(v).expect("record");
        assert!(
            written.contains(&j.to_string()),
            "a record not in the JSON output: {v}"
        );
    }
}

#[test]
fn a_broker_that_never_answers_fills_the_bounded_queue_and_the_rest_is_counted() {
    // Nobody listens on this port.
    let port = free_port();
    let dir = scratch("kafkadown");
    let json = dir.join("flows.json");
    let stats = dir.join("stats.json");
    let target = format!("127.0.0.1:{port}/flows");
    let out = Command::new(sluice_bin())
        .args([
            "read",
            "--no-progress",
            "--kafka",
            &target,
            "--kafka-queue",
            "10",
        ])
        .args(["--kafka-flush-timeout", "1", "-o"])
        .arg(&json)
        .arg("--stats")
        .arg(&stats)
        .arg(corpus().join(CAPTURE))
        .output()
        .expect("sluice");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no answer from the brokers"), "{err}");
    let records = lines(&json).len() as u64;
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).expect("stats")).expect("JSON");
    let k = &v["kafka"];
    assert_eq!(k["records"].as_u64(), Some(records));
    assert_eq!(k["delivered"].as_u64(), Some(0));
    assert_eq!(k["undelivered"].as_u64(), Some(10), "{k}");
    assert_eq!(
        k["kafka_dropped_records"].as_u64(),
        Some(records - 10),
        "{k}"
    );
    // Lost records: exit status 3, saying how many.
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!("{records} Kafka records lost")),
        "{err}"
    );
}

#[test]
fn bad_kafka_values_are_one_line_errors() {
    for (args, option, value) in [
        (
            vec!["--kafka", "localhost/flows"],
            "--kafka",
            "localhost/flows",
        ),
        (
            vec!["--kafka", "127.0.0.1:9092"],
            "--kafka",
            "127.0.0.1:9092",
        ),
        (
            vec!["--kafka", "127.0.0.1:9092/a b"],
            "--kafka",
            "127.0.0.1:9092/a b",
        ),
        (
            vec![
                "--kafka",
                "127.0.0.1:9092/t",
                "--kafka-compression",
                "brotli",
            ],
            "--kafka-compression",
            "brotli",
        ),
        (
            vec!["--kafka", "127.0.0.1:9092/t", "--kafka-acks", "2"],
            "--kafka-acks",
            "2",
        ),
    ] {
        let out = Command::new(sluice_bin())
            .args(["read", "--no-progress"])
            .args(&args)
            .arg(corpus().join(CAPTURE))
            .output()
            .expect("sluice");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_option_error(out.status, &err, &args, option, value);
    }
}
