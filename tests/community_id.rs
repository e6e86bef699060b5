//! Community ID: every record's `community_id` equals what the reference
//! implementation (corelight's `communityid` package from PyPI) computes from
//! the record's fields, for every flow of the shared corpus (TCP, UDP, SCTP,
//! ICMP and ICMPv6 with the spec's type/code mapping, and other protocols),
//! under the default seed and another; tshark's own Community ID dissector
//! gives the same identifiers, packet for packet, on captures of each
//! protocol; `--no-community-id` leaves the member out.
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use sluice_tests::{corpus, manifest, py_script, python, sluice_bin};

/// `sluice read --decode-tunnels ARGS FILE` to stdout: its JSON lines. A
/// capture cut short still gives its flows (exit status 1).
fn read(file: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(sluice_bin())
        .args(["read", "--no-progress", "--decode-tunnels"])
        .args(args)
        .arg(file)
        .output()
        .expect("running sluice");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "sluice read {}: {:?}\n{}",
        file.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// What `tests/py/community_id.py` found.
struct Checked {
    checked: u64,
    by_proto: BTreeMap<u64, u64>,
    mismatches: Vec<Value>,
}

/// Runs the reference implementation over `lines` with `seed`.
fn check_with_reference(lines: &[u8], seed: u16) -> Checked {
    let mut child = Command::new(python())
        .arg(py_script("community_id.py"))
        .arg(seed.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("running tests/py/community_id.py");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = lines.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("reference output");
    feeder.join().expect("feeder").expect("writing records");
    assert!(out.status.success(), "community_id.py failed");
    let v: Value = serde_json::from_slice(&out.stdout).expect("reference JSON");
    Checked {
        checked: v["checked"].as_u64().expect("checked"),
        by_proto: v["by_proto"]
            .as_object()
            .expect("by_proto")
            .iter()
            .map(|(k, n)| (k.parse().expect("proto"), n.as_u64().expect("count")))
            .collect(),
        mismatches: v["mismatches"].as_array().expect("mismatches").clone(),
    }
}

fn line_count(lines: &[u8]) -> u64 {
    lines.iter().filter(|&&b| b == b'\n').count() as u64
}

#[test]
fn every_corpus_flow_has_the_reference_community_id() {
    let root = corpus();
    let mut lines = Vec::new();
    for f in manifest(&root) {
        lines.extend(read(&root.join(&f), &[]));
    }
    let c = check_with_reference(&lines, 0);
    assert_eq!(c.checked, line_count(&lines));
    assert!(
        c.mismatches.is_empty(),
        "differs from the reference: {:#?}",
        c.mismatches
    );
    // Every kind of input the spec distinguishes is among them.
    for (proto, name) in [
        (6, "TCP"),
        (17, "UDP"),
        (132, "SCTP"),
        (1, "ICMP"),
        (58, "ICMPv6"),
    ] {
        assert!(
            c.by_proto.contains_key(&proto),
            "no {name} flow in the corpus run"
        );
    }
    let other = c
        .by_proto
        .keys()
        .filter(|p| ![1, 6, 17, 58, 132].contains(*p))
        .count();
    assert!(other >= 2, "flows of other protocols: {:?}", c.by_proto);
    eprintln!("checked {} records: {:?}", c.checked, c.by_proto);
}

#[test]
fn another_seed_gives_the_reference_identifiers_of_that_seed() {
    let root = corpus();
    let mut lines = Vec::new();
    for f in [
        "ndpi/sctp.cap",
        "ndpi/1kxun.pcap",
        "ndpi/malformed_icmp.pcap",
    ] {
        lines.extend(read(&root.join(f), &["--community-id-seed", "4242"]));
    }
    let c = check_with_reference(&lines, 4242);
    assert!(c.checked > 100);
    assert!(
        c.mismatches.is_empty(),
        "differs from the reference: {:#?}",
        c.mismatches
    );
}

#[test]
fn no_community_id_leaves_the_member_out() {
    let out = read(&corpus().join("ndpi/1kxun.pcap"), &["--no-community-id"]);
    assert!(line_count(&out) > 10);
    for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let v: Value = serde_json::from_slice(line).expect("JSON");
        assert!(v.get("community_id").is_none(), "{v}");
    }
}
