//! `sluice read` as a user runs it: damaged input, bad options, rules, slices, SIGINT.
use std::{
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::Duration,
};

use serde_json::Value;
use sluice_bench::{
    frame::{udp_frame, UdpTemplate},
    pcap_write::{write_header, write_record},
};
use sluice_tests::{corpus, scratch, sluice_bin};

fn corpus_file(name: &str) -> PathBuf {
    let p = corpus().join(name);
    assert!(p.exists(), "{} missing from the corpus", p.display());
    p
}

fn read(args: &[&str], files: &[&Path], out: &Path) -> Output {
    Command::new(sluice_bin())
        .arg("read")
        .args(["--no-progress", "--output"])
        .arg(out)
        .args(args)
        .args(files)
        .output()
        .expect("running sluice read")
}

fn records(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn total(recs: &[Value], field: &str) -> u64 {
    recs.iter().map(|r| r[field].as_u64().unwrap_or(0)).sum()
}

#[test]
fn a_cut_file_names_the_offset_and_keeps_what_came_before() {
    let dir = scratch("read-cut");
    let whole = corpus_file("ndpi/1kxun.pcap");
    let bytes = std::fs::read(&whole).unwrap();
    // Cut in the middle of a record.
    let cut = dir.join("cut.pcap");
    std::fs::write(&cut, &bytes[..1_000_003]).unwrap();
    let out = dir.join("flows.json");
    let stats = dir.join("stats.json");
    let run = read(&["--stats", stats.to_str().unwrap()], &[&cut], &out);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("cut.pcap: byte "))
        .unwrap_or_else(|| panic!("no error naming the file and offset: {stderr}"));
    assert!(line.contains("cut short"), "{line}");
    let recs = records(&out);
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let packets = s["files"][0]["packets"].as_u64().unwrap();
    assert!(packets > 500, "{packets} packets before the cut");
    assert_eq!(
        total(&recs, "num_pkts_out") + total(&recs, "num_pkts_in"),
        packets
    );
    // The next file is still read.
    let run = read(&[], &[&cut, &corpus_file("joy/dhcp.pcap")], &out);
    assert_eq!(run.status.code(), Some(1));
    let dhcp = records(&out).into_iter().filter(|r| r["dp"] == 67).count();
    assert!(dhcp >= 1, "the second file's flows are written");
}

#[test]
fn not_a_capture_and_a_missing_file_are_named() {
    let dir = scratch("read-bad");
    let text = dir.join("notes.txt");
    std::fs::write(&text, "hello, this is not a pcap file").unwrap();
    let missing = dir.join("missing.pcap");
    let out = dir.join("flows.json");
    let run = read(&[], &[&text, &missing], &out);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: byte 0:", text.display())),
        "{stderr}"
    );
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
    assert!(records(&out).is_empty());
}

#[test]
fn a_bad_rules_file_is_refused_before_reading() {
    let dir = scratch("read-rules-bad");
    let rules = dir.join("sluice.toml");
    std::fs::write(&rules, "[filter]\nTSL = \"discard\"\n").unwrap();
    let out = dir.join("flows.json");
    let run = read(
        &["--config", rules.to_str().unwrap()],
        &[&corpus_file("joy/dhcp.pcap")],
        &out,
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr.contains("--config") && stderr.contains("sluice.toml") && stderr.contains("'TSL'"),
        "{stderr}"
    );
}

#[test]
fn rules_set_actions_in_the_records() {
    let dir = scratch("read-rules");
    let rules = dir.join("sluice.toml");
    std::fs::write(
        &rules,
        "default_action = \"forward\"\n[[rule]]\nport = 53\naction = \"discard\"\n[shunt]\ntcp = 5\n",
    )
    .unwrap();
    let out = dir.join("flows.json");
    let run = read(
        &["--config", rules.to_str().unwrap()],
        &[&corpus_file("ndpi/1kxun.pcap")],
        &out,
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let recs = records(&out);
    let dns: Vec<_> = recs
        .iter()
        .filter(|r| r["dp"] == 53 || r["sp"] == 53)
        .collect();
    assert!(!dns.is_empty());
    assert!(dns.iter().all(|r| r["action"] == "discard"));
    for r in recs.iter().filter(|r| r["pr"] == 6) {
        let pkts = r["num_pkts_out"].as_u64().unwrap() + r["num_pkts_in"].as_u64().unwrap();
        let want = if pkts > 5 { Some("discard") } else { None };
        assert_eq!(r["action"].as_str(), want, "{r}");
    }
}

#[test]
fn slices_add_up_to_the_unsliced_totals() {
    let dir = scratch("read-slices");
    let file = corpus_file("ndpi/1kxun.pcap");
    let whole = dir.join("whole.json");
    let sliced = dir.join("sliced.json");
    assert!(read(&[], &[&file], &whole).status.success());
    assert!(read(&["--slice-timeout", "2"], &[&file], &sliced)
        .status
        .success());
    let (a, b) = (records(&whole), records(&sliced));
    assert!(
        b.iter().any(|r| r["expire_type"] == "s"),
        "some flow lasted > 2 s"
    );
    for f in [
        "num_pkts_out",
        "num_pkts_in",
        "bytes_out",
        "bytes_in",
        "wire_bytes_out",
        "wire_bytes_in",
    ] {
        assert_eq!(total(&a, f), total(&b, f), "{f}");
    }
}

#[test]
fn sigint_flushes_every_flow_read_so_far() {
    let dir = scratch("read-sigint");
    // 3 M frames over 50 k flows: long enough to interrupt.
    let pcap = dir.join("big.pcap");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&pcap).unwrap());
    write_header(&mut w, 1).unwrap();
    let frames: Vec<Vec<u8>> = (0..50_000u32)
        .map(|i| {
            udp_frame(
                &UdpTemplate {
                    dst_mac: [2, 0, 0, 0, 0, 2],
                    src_mac: [2, 0, 0, 0, 0, 1],
                    src: std::net::Ipv4Addr::from(0x0a00_0000 | (i >> 8)),
                    dst: std::net::Ipv4Addr::new(10, 200, 0, 1),
                    sport: 1024 + (i & 0xff) as u16,
                    dport: 53,
                },
                60,
            )
        })
        .collect();
    for n in 0..3_000_000u64 {
        write_record(
            &mut w,
            1_700_000_000_000_000_000 + n * 1000,
            &frames[(n % 50_000) as usize],
        )
        .unwrap();
    }
    drop(w);
    let out = dir.join("flows.json");
    let stats = dir.join("stats.json");
    let child = Command::new(sluice_bin())
        .args(["read", "--no-progress", "--output"])
        .arg(&out)
        .arg("--stats")
        .arg(&stats)
        .arg(&pcap)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    // SAFETY: kill only sends a signal to our child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let run = child.wait_with_output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    assert_eq!(
        s["interrupted"], true,
        "the read finished before the signal: make the file bigger"
    );
    let packets = s["table"]["packets"].as_u64().unwrap();
    assert!(packets > 0 && packets < 3_000_000, "{packets}");
    let recs = records(&out);
    assert_eq!(
        total(&recs, "num_pkts_out"),
        packets,
        "every packet read is in a written flow"
    );
    assert_eq!(s["records"].as_u64().unwrap(), recs.len() as u64);
}

#[test]
fn l7_options_turn_detection_and_guesses_off() {
    let dir = scratch("read-l7");
    let file = corpus_file("ndpi/1kxun.pcap");
    let (all, no_guess, off) = (dir.join("a.json"), dir.join("b.json"), dir.join("c.json"));
    assert!(read(&[], &[&file], &all).status.success());
    assert!(read(&["--no-l7-guess"], &[&file], &no_guess)
        .status
        .success());
    assert!(read(&["--no-l7"], &[&file], &off).status.success());
    let (a, b, c) = (records(&all), records(&no_guess), records(&off));
    assert!(a.iter().all(|r| r["l7"].is_string()), "l7 always present");
    assert!(a
        .iter()
        .any(|r| r["l7"] == "HTTP" && r["l7_guess"].is_null()));
    assert!(a.iter().any(|r| r["l7_guess"] == true), "some port guesses");
    assert!(b.iter().all(|r| r["l7_guess"].is_null()));
    assert_eq!(
        a.iter()
            .filter(|r| r["l7_guess"].is_null() && r["l7"] != "Unknown")
            .count(),
        b.iter().filter(|r| r["l7"] != "Unknown").count(),
        "turning guesses off changes only the guessed flows"
    );
    assert!(c
        .iter()
        .all(|r| r["l7"] == "Unknown" && r["l7_guess"].is_null()));
}

/// Runs `sluice read ARGS` as given (no default output).
fn read_raw(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(sluice_bin())
        .arg("read")
        .arg("--no-progress")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("running sluice read")
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_is_untouched() {
    let dir = scratch("read-clobber");
    let input = dir.join("t.pcap");
    std::fs::copy(corpus_file("joy/dhcp.pcap"), &input).unwrap();
    let original = std::fs::read(&input).unwrap();
    let link = dir.join("link.pcap");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    let rules = dir.join("rules.toml");
    std::fs::write(&rules, "[filter]\nudp = \"forward\"\n").unwrap();
    let cases: Vec<(&str, Vec<&std::ffi::OsStr>)> = vec![
        (
            "--output",
            vec!["-o".as_ref(), input.as_os_str(), input.as_os_str()],
        ),
        (
            "--output",
            vec!["-o".as_ref(), link.as_os_str(), input.as_os_str()],
        ),
        (
            "--output",
            vec!["-o".as_ref(), input.as_os_str(), link.as_os_str()],
        ),
        (
            "--ipfix-file",
            vec![
                "--ipfix-file".as_ref(),
                input.as_os_str(),
                input.as_os_str(),
            ],
        ),
        (
            "--stats",
            vec!["--stats".as_ref(), link.as_os_str(), input.as_os_str()],
        ),
        (
            "--output",
            vec![
                "-c".as_ref(),
                rules.as_os_str(),
                "-o".as_ref(),
                rules.as_os_str(),
                input.as_os_str(),
            ],
        ),
    ];
    for (option, args) in cases {
        let run = read_raw(&args);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(option) && stderr.contains("refusing to overwrite an input"),
            "{args:?}: {stderr}"
        );
        assert_eq!(std::fs::read(&input).unwrap(), original, "{args:?}");
    }
    assert_eq!(
        std::fs::read_to_string(&rules).unwrap(),
        "[filter]\nudp = \"forward\"\n"
    );
    // Two outputs on one file are refused too.
    let out = dir.join("both");
    let run = read_raw(&[
        "-o".as_ref(),
        out.as_os_str(),
        "--ipfix-file".as_ref(),
        out.as_os_str(),
        input.as_os_str(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("writes the same file"));
}

#[test]
fn a_missing_anonymization_key_is_an_error_and_a_new_one_is_asked_for() {
    let dir = scratch("read-anon-key");
    let pcap = corpus_file("joy/dhcp.pcap");
    let subnets = dir.join("anon.txt");
    std::fs::write(&subnets, "0.0.0.0/0\n").unwrap();
    let key = dir.join("typo.key");
    let out = dir.join("flows.json");
    let anon = |extra: &[&str]| {
        let mut args = vec!["--anon", subnets.to_str().unwrap(), "--anon-key"];
        args.push(key.to_str().unwrap());
        args.extend_from_slice(extra);
        read(&args, &[&pcap], &out)
    };
    let run = anon(&[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("typo.key") && stderr.contains("no such file"),
        "names the file: {stderr}"
    );
    assert!(!key.exists(), "no key was made up");

    let run = anon(&["--anon-key-new"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    let first = std::fs::read(&out).unwrap();
    let made = std::fs::read(&key).unwrap();

    let run = anon(&["--anon-key-new"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("never replaces a key"), "{stderr}");
    assert_eq!(std::fs::read(&key).unwrap(), made, "the key is kept");

    // The same key gives the same records.
    let run = anon(&[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(std::fs::read(&out).unwrap(), first);
    let recs = records(&out);
    let plain_out = dir.join("plain.json");
    assert!(read(&[], &[&pcap], &plain_out).status.success());
    let plain = records(&plain_out);
    assert_eq!(recs.len(), plain.len());
    assert!(!recs.is_empty());
    for (a, p) in recs.iter().zip(&plain) {
        assert_ne!(a["sa"], p["sa"], "addresses anonymized: {a} / {p}");
        assert_eq!(a["sp"], p["sp"]);
    }
}

/// Writes a capture of `flows` distinct UDP flows of one packet each (source
/// address 10.0.0.0 + i), 1 µs apart, to `path`.
fn write_flood(path: &Path, flows: u32) {
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    write_header(&mut w, 1).unwrap();
    let t = UdpTemplate {
        dst_mac: [2, 0, 0, 0, 0, 2],
        src_mac: [2, 0, 0, 0, 0, 1],
        src: std::net::Ipv4Addr::new(10, 0, 0, 0),
        dst: std::net::Ipv4Addr::new(172, 16, 0, 1),
        sport: 40_000,
        dport: 9,
    };
    let mut frame = udp_frame(&t, 60);
    for i in 0..flows {
        let src = (10u32 << 24) + i;
        frame[26..30].copy_from_slice(&src.to_be_bytes());
        // The IPv4 checksum covers the source address: fix it as the address changes.
        frame[24..26].copy_from_slice(&[0, 0]);
        let c = sluice_bench::frame::ipv4_checksum(&frame[14..34]);
        frame[24..26].copy_from_slice(&c.to_be_bytes());
        write_record(
            &mut w,
            1_700_000_000_000_000_000 + u64::from(i) * 1000,
            &frame,
        )
        .unwrap();
    }
    std::io::Write::flush(&mut w).unwrap();
}

/// What a flood run did: records by `expire_type`, peak RSS (KiB), and the stats.
struct Flood {
    by_expire: std::collections::BTreeMap<String, u64>,
    peak_rss_kib: i64,
    stats: Value,
}

/// `sluice read FILE -o -` with the default table; the records are counted as they
/// stream out (without keeping them), and the peak RSS is the child's own.
// The child is reaped with wait4, which also gives its own peak RSS.
#[allow(clippy::zombie_processes)]
fn read_flood(file: &Path, stats: &Path) -> Flood {
    use std::io::BufRead;
    let mut child = Command::new(sluice_bin())
        .args(["read", "--no-progress", "--output", "-", "--stats"])
        .arg(stats)
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sluice read");
    let out = child.stdout.take().unwrap();
    let mut by_expire = std::collections::BTreeMap::new();
    for line in std::io::BufReader::with_capacity(1 << 20, out).lines() {
        let line = line.unwrap();
        let tail = line.rsplit_once("\"expire_type\":\"").map(|(_, t)| t);
        let kind = tail.and_then(|t| t.split('"').next()).unwrap_or("?");
        *by_expire.entry(kind.to_string()).or_insert(0u64) += 1;
    }
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "exit {status}: {stderr}"
    );
    let stats = serde_json::from_str(&std::fs::read_to_string(stats).unwrap()).unwrap();
    Flood {
        by_expire,
        peak_rss_kib: usage.ru_maxrss,
        stats,
    }
}

#[test]
fn a_flood_of_distinct_flows_is_bounded_by_the_table_not_by_the_traffic() {
    let dir = scratch("read-flood");
    let table = 262_144u64; // the default --max-flows
    let mut peaks = Vec::new();
    for flows in [1_000_000u32, 10_000_000] {
        let pcap = dir.join("flood.pcap");
        write_flood(&pcap, flows);
        let f = read_flood(&pcap, &dir.join("stats.json"));
        std::fs::remove_file(&pcap).unwrap();
        let flows = u64::from(flows);
        let evicted = flows - table;
        let want: std::collections::BTreeMap<String, u64> =
            [("f".to_string(), table), ("o".to_string(), evicted)].into();
        assert_eq!(
            f.by_expire, want,
            "one record per flow: evicted, then flushed"
        );
        assert_eq!(f.stats["records"], flows);
        assert_eq!(f.stats["table"]["overflows"], evicted, "evictions counted");
        assert_eq!(f.stats["table"]["exported"]["overflow"], evicted);
        eprintln!("{flows} flows: peak RSS {} MiB", f.peak_rss_kib / 1024);
        peaks.push(f.peak_rss_kib);
    }
    let (small, large) = (peaks[0] as f64, peaks[1] as f64);
    assert!(
        large <= small * 1.10,
        "peak RSS {} KiB at 10 M flows against {} KiB at 1 M: memory must be bounded by --max-flows",
        peaks[1],
        peaks[0]
    );
}
