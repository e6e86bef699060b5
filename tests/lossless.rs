//! Nothing lost at scale (live): every flow a table exports reaches the output, however
//! many end at once and however slow the output is; every frame the kernel saw is in a
//! flow or a named counter; the exit status says whether anything was lost.
//!
//! Flows come from the project's generator on the lab's mirror port (one frame per flow
//! unless said), paced so that the kernel drops nothing; the expected values are what
//! was sent.
use std::{
    collections::HashSet,
    io::Read,
    time::{Duration, Instant},
};

use serde_json::Value;
use sluice_bench::lab::{MON_IF, TAP_IF};
use sluice_tests::capture::{parse_flows, queue_sum, wait_for_lines, Capture, Gen, LiveRun};

/// Capacity of a worker's export queue (`sluice capture`'s default).
const EXPORT_QUEUE: u64 = 65_536;
/// Flows in the scale tests: more than four export queues' worth, on one queue.
const FLOWS: u32 = 300_000;
/// Frame size of the generated flows, and their UDP payload.
const SIZE: usize = 60;
const PAYLOAD: u64 = (SIZE - 42) as u64;
/// First source and destination ports (each 50,000 flows take the next destination port).
const SPORT: u16 = 10_000;
const DPORT: u16 = 5_000;
/// A table that holds every flow, so the flush at shutdown exports all of them at once.
const MAX_FLOWS: &str = "524288";

/// `FLOWS` flows of one frame each from CPU 0 (so onto rx queue 0), paced at `rate`.
fn one_frame_per_flow(rate: u64) -> Gen<'static> {
    Gen {
        interface: TAP_IF,
        cpu: 0,
        flows: FLOWS,
        frames: FLOWS as u64,
        size: SIZE,
        exact_rate: Some(rate),
        sport: SPORT,
        dport: DPORT,
    }
}

/// The (source port, destination port) of every flow `gen` sends.
fn sent_keys(gen: &Gen<'_>) -> HashSet<(u64, u64)> {
    sluice_bench::gen::flow_chunks(gen.flows, gen.dport)
        .into_iter()
        .flat_map(|(dport, n)| {
            (0..n).map(move |i| (u64::from(gen.sport) + u64::from(i), u64::from(dport)))
        })
        .collect()
}

/// Every record is one sent flow of one frame, counted exactly, and every sent flow has
/// exactly one record.
fn assert_one_record_per_flow(flows: &[Value], gen: &Gen<'_>) {
    let want = sent_keys(gen);
    let mut seen = HashSet::with_capacity(flows.len());
    for f in flows {
        let key = (f["sp"].as_u64().unwrap(), f["dp"].as_u64().unwrap());
        assert!(want.contains(&key), "a flow that was not sent: {f}");
        assert!(seen.insert(key), "two records for one flow: {f}");
        assert_eq!(f["pr"], 17, "{f}");
        assert_eq!(f["num_pkts_out"], 1, "{f}");
        assert_eq!(f["bytes_out"], PAYLOAD, "{f}");
        assert_eq!(f["wire_bytes_out"], SIZE as u64, "{f}");
        assert_eq!(f["num_pkts_in"], 0, "{f}");
    }
    assert_eq!(
        seen.len(),
        want.len(),
        "one record per flow sent ({} of {})",
        seen.len(),
        want.len()
    );
}

/// No drop counter moved, nothing was lost, and the program saw every frame sent.
fn assert_nothing_dropped(stats: &Value, sent: u64) {
    let d = &stats["drops"];
    for k in [
        "interface_rx_dropped",
        "xdp_redirect_failed",
        "xdp_no_socket",
        "xsk_undelivered",
        "xsk_rx_dropped",
        "xsk_rx_ring_full",
        "handoff_queue_full",
        "export_lost",
        "write_errors",
        "flow_table_overflow",
    ] {
        assert_eq!(d[k], 0, "drop counter {k}: {d}");
    }
    assert_eq!(stats["xdp"]["total"]["frames"], sent, "{}", stats["xdp"]);
    assert_eq!(stats["accounting"]["in_flows"], sent);
    assert_eq!(stats["accounting"]["unaccounted"], 0);
    assert!(stats["lost"].is_null(), "{}", stats["lost"]);
}

/// Export queue waits summed over queues.
fn export_waits(stats: &Value) -> u64 {
    queue_sum(stats, &["export", "waits"])
}

/// Captures `FLOWS` one-frame flows on one queue with `extra` arguments, stops with
/// SIGTERM, and checks that every flow was written once, exactly.
fn shutdown_writes_every_flow(name: &str, extra: &[&str], rate: u64) {
    let run = LiveRun::new(name);
    let mut args = vec!["--queues", "1", "--max-flows", MAX_FLOWS];
    args.extend_from_slice(extra);
    let cap = run.capture(&args);
    let gen = one_frame_per_flow(rate);
    let sent = gen.run(&run.lab.client);
    assert_eq!(sent, FLOWS as u64);
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    let (status, stderr) = cap.stop(Duration::from_secs(120));
    let flush = t.elapsed();
    assert!(status.success(), "exit {status}: {stderr}");
    let stats = run.stats();
    assert_nothing_dropped(&stats, sent);
    let flows = run.flows();
    assert_one_record_per_flow(&flows, &gen);
    assert_eq!(stats["flows_written"], FLOWS);
    assert!(
        FLOWS as u64 >= 4 * EXPORT_QUEUE,
        "the flush is larger than four export queues"
    );
    eprintln!(
        "{name}: {} records written, exit {:?} after SIGTERM, export queue waits {}",
        flows.len(),
        flush,
        export_waits(&stats)
    );
}

#[test]
fn shutdown_with_four_export_queues_of_flows_writes_every_one() {
    shutdown_writes_every_flow("shutscale", &[], 100_000);
}

#[test]
fn shutdown_at_scale_with_every_feature_writes_every_flow() {
    shutdown_writes_every_flow("shutall", &["--features", "all"], 60_000);
}

#[test]
fn a_slow_output_makes_the_flush_wait_and_nothing_is_lost() {
    let run = LiveRun::new("slowout");
    let args = [
        "--interface",
        MON_IF,
        "--queues",
        "1",
        "--max-flows",
        MAX_FLOWS,
        "--output",
        "-",
        "--stats",
        run.stats.to_str().unwrap(),
    ];
    let mut cap = Capture::start(&run.lab.client, &args, true);
    let mut out = cap.take_stdout().expect("stdout");
    // A reader slower than the writer: 16 KiB every 2 ms (about 8 MB/s).
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = vec![0u8; 16 << 10];
        loop {
            match out.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        all
    });
    let gen = one_frame_per_flow(100_000);
    let sent = gen.run(&run.lab.client);
    let t = Instant::now();
    let (status, stderr) = cap.stop(Duration::from_secs(300));
    eprintln!("flush to a slow reader took {:?}", t.elapsed());
    assert!(status.success(), "exit {status}: {stderr}");
    let text = String::from_utf8(reader.join().unwrap()).expect("UTF-8");
    let flows = parse_flows(&text);
    assert_one_record_per_flow(&flows, &gen);
    let stats = run.stats();
    assert_nothing_dropped(&stats, sent);
    assert!(
        export_waits(&stats) > 0,
        "the slow output made the worker wait: {}",
        stats["queues"]
    );
}

#[test]
fn mass_expiry_exports_every_idle_flow_while_capturing() {
    let run = LiveRun::new("massidle");
    let cap = run.capture(&["--idle-timeout", "2", "--max-flows", MAX_FLOWS]);
    let gen = one_frame_per_flow(100_000);
    let sent = gen.run(&run.lab.client);
    // Every flow goes idle at about the same time; wait until all are written.
    wait_for_lines(&run.flows, FLOWS as usize, Duration::from_secs(60));
    let (status, stderr) = cap.stop(Duration::from_secs(60));
    assert!(status.success(), "exit {status}: {stderr}");
    let flows = run.flows();
    assert_one_record_per_flow(&flows, &gen);
    for f in &flows {
        assert_eq!(
            f["expire_type"], "i",
            "exported as idle while capturing: {f}"
        );
    }
    assert_nothing_dropped(&run.stats(), sent);
}

#[test]
fn under_overload_every_frame_is_in_a_flow_or_a_named_drop() {
    let run = LiveRun::new("overload");
    // Every feature on makes the worker slower than the generator: the rx ring overflows.
    let cap = run.capture(&["--queues", "1", "--features", "all"]);
    let gen = Gen {
        interface: TAP_IF,
        cpu: 0,
        flows: 1024,
        frames: 3_000_000,
        size: 300,
        exact_rate: None,
        sport: SPORT,
        dport: DPORT,
    };
    let sent = gen.run(&run.lab.client);
    std::thread::sleep(Duration::from_millis(500));
    let (status, stderr) = cap.stop(Duration::from_secs(120));
    // Frames the kernel could not deliver are reported, not Sluice's loss.
    assert!(status.success(), "exit {status}: {stderr}");
    let stats = run.stats();
    let (d, a) = (&stats["drops"], &stats["accounting"]);
    let n = |v: &Value| v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"));
    eprintln!("sent {sent}: {a}\n{d}\n{}", stats["interface_drops"]);
    // What the generator sent reached the program or was dropped by the interface.
    assert_eq!(
        sent,
        n(&d["interface_rx_dropped"]) + n(&stats["xdp"]["total"]["frames"]),
        "{}",
        stats["interface_drops"]
    );
    // What the program saw is in a flow, a verdict, the stack, or one named drop.
    assert_eq!(a["unaccounted"], 0, "{a}");
    assert!(
        n(&a["undelivered"]) > 0,
        "the generator outran the worker: {a}"
    );
    // Frames not delivered are the socket's per-frame drops (fill ring empty, ring full).
    assert_eq!(
        n(&d["xsk_undelivered"]),
        n(&d["xsk_rx_dropped"]) + n(&d["xsk_rx_ring_full"]),
        "{d}"
    );
    // And the flows hold exactly the frames counted in flows.
    let flows = run.flows();
    assert_eq!(flows.len(), 1024);
    let in_records: u64 = flows
        .iter()
        .map(|f| n(&f["num_pkts_out"]) + n(&f["num_pkts_in"]))
        .sum();
    assert_eq!(in_records, n(&a["in_flows"]));
    assert_eq!(
        sent,
        in_records
            + n(&a["kernel_verdicts"])
            + n(&a["passed_to_stack"])
            + n(&a["undelivered"])
            + n(&a["decode_errors"])
            + n(&a["handoff_dropped"])
            + n(&d["interface_rx_dropped"]),
        "frames sent = in flows + verdicts + every drop"
    );
}
