//! `sluice capture` as a daemon (live, in the lab): no thread keeps a capability while
//! packets are parsed, yet verdicts still reach the kernel; `--user` also changes the
//! uid; SIGHUP reopens the outputs without losing or repeating a record; a worker that
//! dies makes the run fail, naming its queue.
use std::{collections::HashSet, io::Read, net::TcpListener, path::Path, time::Duration};

use serde_json::Value;
use sluice_bench::{
    lab::{MON_IF, TAP_IF},
    netns::in_netns,
};
use sluice_tests::capture::{queue_sum, read_flows, wait_for_lines, Gen, LiveRun};

/// `flows` flows of `frames` frames each from CPU 0, paced so nothing is dropped.
fn paced(flows: u32, frames: u64, dport: u16) -> Gen<'static> {
    Gen {
        interface: TAP_IF,
        cpu: 0,
        flows,
        frames: flows as u64 * frames,
        size: 100,
        exact_rate: Some(50_000),
        sport: 20_000,
        dport,
    }
}

/// `Name:` lines of every thread of `pid`, as (thread id, value).
fn thread_status(pid: u32, field: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for t in std::fs::read_dir(format!("/proc/{pid}/task")).expect("task dir") {
        let t = t.expect("task");
        let Ok(status) = std::fs::read_to_string(t.path().join("status")) else {
            continue;
        };
        let name = status
            .lines()
            .find_map(|l| l.strip_prefix("Name:"))
            .unwrap_or_default()
            .trim()
            .to_string();
        let v = status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .unwrap_or_else(|| panic!("no {field} in {status}"))
            .trim()
            .to_string();
        out.push((name, v));
    }
    out
}

#[test]
fn no_thread_keeps_a_capability_and_verdicts_still_reach_the_kernel() {
    let run = LiveRun::new("caps");
    let lab = &run.lab;
    // A TCP IPFIX collector inside the lab: its sender thread is started while the
    // outputs open, before the drop, and must drop its capabilities too.
    let listener =
        in_netns(lab.client.name(), || Ok(TcpListener::bind("127.0.0.1:0")?)).expect("listener");
    let port = listener.local_addr().unwrap().port();
    let collector = std::thread::spawn(move || {
        let (mut c, _) = listener.accept().expect("sluice connects");
        let mut all = Vec::new();
        let _ = c.read_to_end(&mut all);
        all.len()
    });
    let rules = run.dir.join("rules.toml");
    std::fs::write(&rules, "[filter]\nudp = \"discard\"\n").unwrap();
    let ipfix_url = format!("tcp://127.0.0.1:{port}");
    let cap = run.capture(&[
        "--config",
        rules.to_str().unwrap(),
        "--features",
        "all",
        "--ipfix",
        &ipfix_url,
    ]);
    let sent = paced(4, 300, 7000).run(&lab.client);
    std::thread::sleep(Duration::from_millis(300));
    let threads = thread_status(cap.pid(), "CapEff:");
    assert!(
        threads.iter().any(|(n, _)| n == "ipfix-tcp"),
        "the IPFIX sender runs: {threads:?}"
    );
    assert!(threads.len() >= 4, "main, writer, workers: {threads:?}");
    for (thread, eff) in &threads {
        assert_eq!(eff, "0000000000000000", "thread {thread} has capabilities");
    }
    for (thread, v) in thread_status(cap.pid(), "NoNewPrivs:") {
        assert_eq!(v, "1", "thread {thread} may gain privileges");
    }
    let (status, stderr) = cap.stop(Duration::from_secs(30));
    assert!(status.success(), "exit {status}: {stderr}");
    assert!(stderr.contains("privileges dropped"), "{stderr}");
    let stats = run.stats();
    assert_eq!(stats["privileges_dropped"], true);
    assert_eq!(stats["privileged_threads"], 0);
    // The verdicts were installed by workers without capabilities, and the kernel
    // dropped and counted the rest of each flow.
    let installed = queue_sum(&stats, &["kernel_verdicts", "installed"]);
    let failed = queue_sum(&stats, &["kernel_verdicts", "install_failed"]);
    assert_eq!((installed, failed), (4, 0), "{}", stats["queues"]);
    let flows = run.flows();
    assert_eq!(flows.len(), 4);
    let kernel: u64 = flows
        .iter()
        .map(|f| f["kernel_pkts"].as_u64().unwrap())
        .sum();
    assert!(kernel > 0, "frames dropped in the kernel: {flows:?}");
    assert_eq!(stats["xdp"]["total"]["verdict_dropped"], kernel);
    let total: u64 = flows
        .iter()
        .map(|f| f["num_pkts_out"].as_u64().unwrap())
        .sum();
    assert_eq!(total, sent, "every frame in its flow");
    assert!(collector.join().unwrap() > 0, "the collector got IPFIX");
}

#[test]
fn user_option_also_changes_the_uid_and_keeps_writing() {
    let run = LiveRun::new("user");
    // The user must be able to create files where the outputs are.
    let open_to_all = std::os::unix::fs::PermissionsExt::from_mode(0o1777);
    std::fs::set_permissions(&run.dir, open_to_all).unwrap();
    let cap = run.capture(&["--user", "nobody"]);
    paced(3, 10, 7000).run(&run.lab.client);
    for (thread, uid) in thread_status(cap.pid(), "Uid:") {
        assert_eq!(uid, "65534\t65534\t65534\t65534", "thread {thread}");
    }
    for (thread, eff) in thread_status(cap.pid(), "CapEff:") {
        assert_eq!(eff, "0000000000000000", "thread {thread}");
    }
    let (status, stderr) = cap.stop(Duration::from_secs(30));
    assert!(status.success(), "exit {status}: {stderr}");
    for out in [&run.flows, &run.stats] {
        let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(out).unwrap());
        assert_eq!(owner, 65534, "{} handed over to the user", out.display());
    }
    assert_eq!(run.flows().len(), 3);
}

#[test]
fn sighup_reopens_the_outputs_and_no_record_is_lost_or_repeated() {
    let run = LiveRun::new("sighup");
    let (dir, lab, flows) = (&run.dir, &run.lab, &run.flows);
    let ipfix = dir.join("flows.ipfix");
    let cap = run.capture(&[
        "--idle-timeout",
        "1",
        "--ipfix-file",
        ipfix.to_str().unwrap(),
    ]);
    // First set, written while capturing (idle), then rotated away as logrotate does.
    let first = paced(200, 2, 7000);
    first.run(&lab.client);
    wait_for_lines(flows, 200, Duration::from_secs(30));
    let (old_flows, old_ipfix) = (dir.join("flows.json.1"), dir.join("flows.ipfix.1"));
    std::fs::rename(flows, &old_flows).unwrap();
    std::fs::rename(&ipfix, &old_ipfix).unwrap();
    cap.signal(libc::SIGHUP);
    std::thread::sleep(Duration::from_millis(300));
    // Second set: goes to the new files (some at the idle check, the rest at exit).
    let second = paced(150, 2, 7001);
    second.run(&lab.client);
    std::thread::sleep(Duration::from_millis(300));
    let (status, stderr) = cap.stop(Duration::from_secs(30));
    assert!(status.success(), "exit {status}: {stderr}");
    assert!(stderr.contains("output files reopened"), "{stderr}");
    let keys = |fs: &[Value]| -> HashSet<(u64, u64)> {
        fs.iter()
            .map(|f| (f["sp"].as_u64().unwrap(), f["dp"].as_u64().unwrap()))
            .collect()
    };
    let (a, b) = (read_flows(&old_flows), read_flows(flows));
    assert_eq!(a.len(), 200, "the first file holds exactly the first set");
    assert_eq!(b.len(), 150, "the new file holds exactly the second set");
    assert!(a.iter().all(|f| f["dp"] == 7000));
    assert!(b.iter().all(|f| f["dp"] == 7001));
    assert_eq!(keys(&a).len() + keys(&b).len(), 350, "no record twice");
    // Each IPFIX file reads on its own (templates first), with the same split.
    let ipfix_flows = |p: &Path| -> usize {
        use sluice_ipfix::decode::{parse_stream, Session};
        let bytes = std::fs::read(p).unwrap();
        let mut s = Session::new();
        let mut n = 0;
        for m in parse_stream(&bytes).expect("an IPFIX file") {
            n += s
                .feed(&m)
                .expect("a session that starts with its templates")
                .iter()
                .filter(|r| (256..=259).contains(&r.template_id))
                .count();
        }
        n
    };
    assert_eq!(ipfix_flows(&old_ipfix), 200);
    assert_eq!(ipfix_flows(&ipfix), 150);
}

#[test]
fn a_worker_that_panics_fails_the_run_naming_its_queue() {
    let run = LiveRun::new("panic");
    let cap = run.capture(&["--test-panic-queue", "0"]);
    // Frames from CPU 0 land on queue 0, whose worker then panics: the run stops.
    paced(2, 5, 7000).run(&run.lab.client);
    let (status, stderr) = cap.wait(Duration::from_secs(30));
    assert_eq!(
        status.code(),
        Some(3),
        "exit status 3 (data lost): {stderr}"
    );
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("the worker of queue 0 panicked"),
        "a one-line reason naming the queue: {stderr}"
    );
    assert_eq!(run.stats()["panicked_queues"], serde_json::json!([0]));
    assert!(
        !run.lab.client.has_xdp(MON_IF).unwrap(),
        "nothing left attached"
    );
}
