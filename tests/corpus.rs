//! Fidelity: `sluice read --decode-tunnels` on every capture of the shared corpus
//! gives, per flow and direction, exactly the packets and wire bytes that tshark's
//! reference (`../shared/corpus/reference/`) counts.
//!
//! Sluice's records are summed per reference key (protocol, innermost IP endpoints,
//! first TCP/UDP/SCTP ports; VLAN and MPLS not in the key), since Sluice may split
//! one conversation into several records (timeouts, TCP end, ICMP type/id keys).
//! The deliberate differences are encoded as rules, not file lists (docs/fidelity.md):
//!
//! 1. Fragments: tshark reassembles, so non-final fragments land in a ports-0 flow (IPv4)
//!    or a protocol-44 flow (IPv6 fragment header) and the final one in the ported
//!    flow; Sluice gives every fragment of a train the ports of its first fragment. For
//!    address pairs where either side has such a flow, both sides are compared summed
//!    over ports and over TCP/UDP/SCTP/44.
//! 2. Reference flows whose address tshark could not read ("?": an IP header too
//!    malformed for tshark to show addresses) are frames Sluice rejects; the test
//!    checks Sluice counted at least that many frames as not decoded.
//! 3. tshark shows frame lengths as signed 32-bit numbers, so a (corrupt) record
//!    claiming more than 2^31-1 bytes counts 2^31-1: where the reference has at least
//!    that many bytes in a direction, Sluice's count must be at least as large.
//! 4. sFlow (UDP 6343) datagrams: tshark keys them by the sampled packet headers they
//!    carry; Sluice keys them as the sFlow datagram they are (sampled headers are
//!    copies of other packets, not an encapsulation). Reference flows Sluice does not
//!    have must add up exactly to what Sluice's sFlow flows count beyond the
//!    reference's.
//!
//! The same comparison runs again with every feature on (and IPFIX written): features
//! must change no count and no exit status, and no capture may crash the reader.
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use sluice_tests::{corpus, manifest, scratch, sluice_bin};

type Endpoint = (IpAddr, u16);

/// A reference key: protocol and the two endpoints, sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    proto: i64,
    lo: Endpoint,
    hi: Endpoint,
}

/// Packets and wire bytes from `lo` to `hi` and back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Counts {
    pkts_lo_hi: u64,
    bytes_lo_hi: u64,
    pkts_hi_lo: u64,
    bytes_hi_lo: u64,
}

fn key(proto: i64, a: Endpoint, b: Endpoint) -> (Key, bool) {
    if a <= b {
        (
            Key {
                proto,
                lo: a,
                hi: b,
            },
            true,
        )
    } else {
        (
            Key {
                proto,
                lo: b,
                hi: a,
            },
            false,
        )
    }
}

fn add(
    map: &mut BTreeMap<Key, Counts>,
    proto: i64,
    a: Endpoint,
    b: Endpoint,
    ab: (u64, u64),
    ba: (u64, u64),
) {
    let (k, a_is_lo) = key(proto, a, b);
    let c = map.entry(k).or_default();
    let (fwd, back) = if a_is_lo { (ab, ba) } else { (ba, ab) };
    c.pkts_lo_hi += fwd.0;
    c.bytes_lo_hi += fwd.1;
    c.pkts_hi_lo += back.0;
    c.bytes_hi_lo += back.1;
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

fn has_ports(proto: i64) -> bool {
    matches!(proto, 6 | 17 | 132)
}

/// IPv6 fragment header: tshark's protocol for non-final IPv6 fragments.
const IPV6_FRAGMENT: i64 = 44;
/// The protocol rule 1 files merged flows under.
const MERGED: i64 = -44;

/// Rule 1: merge the TCP/UDP/SCTP/44 flows of address pairs that have a fragment flow.
fn merge_fragment_pairs(maps: [&mut BTreeMap<Key, Counts>; 2]) {
    let fragmentable = |p: i64| has_ports(p) || p == IPV6_FRAGMENT;
    let mut pairs = BTreeSet::new();
    for m in maps.iter() {
        for k in m.keys() {
            if k.proto == IPV6_FRAGMENT || (has_ports(k.proto) && k.lo.1 == 0 && k.hi.1 == 0) {
                pairs.insert((k.lo.0.min(k.hi.0), k.lo.0.max(k.hi.0)));
            }
        }
    }
    if pairs.is_empty() {
        return;
    }
    for m in maps {
        let old = std::mem::take(m);
        for (k, c) in old {
            let pair = (k.lo.0.min(k.hi.0), k.lo.0.max(k.hi.0));
            if fragmentable(k.proto) && pairs.contains(&pair) {
                let (ab, ba) = ((c.pkts_lo_hi, c.bytes_lo_hi), (c.pkts_hi_lo, c.bytes_hi_lo));
                add(m, MERGED, (k.lo.0, 0), (k.hi.0, 0), ab, ba);
            } else {
                m.insert(k, c);
            }
        }
    }
}

/// The largest frame length tshark shows (`i32::MAX`).
const CLIPPED: u64 = i32::MAX as u64;

/// Rule 3: equal, or the reference shows a clipped length and ours is at least as large.
fn same(w: &Counts, g: &Counts) -> bool {
    let bytes = |w: u64, g: u64| w == g || (w >= CLIPPED && g >= w);
    w.pkts_lo_hi == g.pkts_lo_hi
        && w.pkts_hi_lo == g.pkts_hi_lo
        && bytes(w.bytes_lo_hi, g.bytes_lo_hi)
        && bytes(w.bytes_hi_lo, g.bytes_hi_lo)
}

/// Rule 4: is `k` an sFlow flow?
fn is_sflow(k: &Key) -> bool {
    k.proto == 17 && (k.lo.1 == 6343 || k.hi.1 == 6343)
}

/// Packets and bytes both ways.
fn total(c: &Counts) -> (u64, u64) {
    (c.pkts_lo_hi + c.pkts_hi_lo, c.bytes_lo_hi + c.bytes_hi_lo)
}

fn ip(v: &Value) -> Option<IpAddr> {
    v.as_str()?.parse().ok()
}

/// Reads one capture with `extra` options and compares its flows with tshark's;
/// returns a description of every difference, and the exit status.
fn check(root: &Path, file: &str, dir: &Path, extra: &[&str]) -> (Vec<String>, Option<i32>) {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("reference").join(format!("{file}.json")))
            .expect("reference"),
    )
    .expect("reference JSON");
    let out = dir.join("flows.json");
    let stats = dir.join("stats.json");
    let run = Command::new(sluice_bin())
        .args(["read", "--decode-tunnels", "--no-progress", "--output"])
        .arg(&out)
        .arg("--stats")
        .arg(&stats)
        .args(extra)
        .arg(root.join(file))
        .output()
        .expect("running sluice read");
    let stderr = String::from_utf8_lossy(&run.stderr);
    let mut problems = Vec::new();
    let code = run.status.code();
    if stderr.contains("panicked") || !matches!(code, Some(0 | 1)) {
        problems.push(format!("crashed ({}): {stderr}", run.status));
        return (problems, code);
    }
    let stats: Value = serde_json::from_str(&std::fs::read_to_string(&stats).unwrap_or_default())
        .unwrap_or(Value::Null);
    let not_decoded: u64 = stats["table"]["decode_errors"]
        .as_object()
        .map_or(0, |m| m.values().map(u).sum());

    let mut want = BTreeMap::new();
    let mut unreadable = 0;
    for f in reference["flows"].as_array().into_iter().flatten() {
        let (Some(a), Some(b)) = (ip(&f["a"]), ip(&f["b"])) else {
            // Rule 2.
            unreadable += u(&f["packets"]);
            continue;
        };
        let proto = f["proto"].as_i64().unwrap_or(-1);
        let a = (a, u(&f["a_port"]) as u16);
        let b = (b, u(&f["b_port"]) as u16);
        add(
            &mut want,
            proto,
            a,
            b,
            (u(&f["packets_a2b"]), u(&f["wire_bytes_a2b"])),
            (u(&f["packets_b2a"]), u(&f["wire_bytes_b2a"])),
        );
    }
    let mut got = BTreeMap::new();
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    for line in text.lines() {
        let r: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("bad JSON line {line:?}: {e}"));
                continue;
            }
        };
        let (Some(sa), Some(da)) = (ip(&r["sa"]), ip(&r["da"])) else {
            problems.push(format!("record without addresses: {line}"));
            continue;
        };
        let proto = r["pr"].as_i64().unwrap_or(-1);
        add(
            &mut got,
            proto,
            (sa, u(&r["sp"]) as u16),
            (da, u(&r["dp"]) as u16),
            (u(&r["num_pkts_out"]), u(&r["wire_bytes_out"])),
            (u(&r["num_pkts_in"]), u(&r["wire_bytes_in"])),
        );
    }
    merge_fragment_pairs([&mut want, &mut got]);
    if not_decoded < unreadable {
        problems.push(format!(
            "tshark could not read the addresses of {unreadable} frame(s) but sluice rejected only {not_decoded}"
        ));
    }
    // Rule 4: what sFlow flows count beyond the reference must be the missing flows.
    let (mut sflow_extra, mut sampled) = ((0, 0), (0, 0));
    for (k, g) in got.iter().filter(|(k, _)| is_sflow(k)) {
        let w = want.get(k).map(total).unwrap_or_default();
        let g = total(g);
        sflow_extra = (
            sflow_extra.0 + g.0.saturating_sub(w.0),
            sflow_extra.1 + g.1.saturating_sub(w.1),
        );
    }
    for (k, w) in &want {
        match got.get(k) {
            Some(g)
                if is_sflow(k) && g.pkts_lo_hi + g.pkts_hi_lo >= w.pkts_lo_hi + w.pkts_hi_lo => {}
            Some(g) if same(w, g) => {}
            Some(g) => problems.push(format!("{k:?}: want {w:?}, got {g:?}")),
            None if sflow_extra.0 > 0 => {
                let t = total(w);
                sampled = (sampled.0 + t.0, sampled.1 + t.1);
            }
            None => problems.push(format!("{k:?}: missing, want {w:?}")),
        }
    }
    if sampled != sflow_extra {
        problems.push(format!(
            "sFlow flows count {sflow_extra:?} (packets, bytes) beyond the reference, but the flows tshark keyed by sampled headers add up to {sampled:?}"
        ));
    }
    for (k, g) in &got {
        if !want.contains_key(k) {
            problems.push(format!("{k:?}: extra flow {g:?}"));
        }
    }
    (problems, code)
}

#[test]
fn every_capture_matches_tshark_per_flow_and_direction() {
    let root = corpus();
    let files = manifest(&root);
    assert!(files.len() >= 500, "only {} captures listed", files.len());
    let dir = scratch("corpus");
    let mut bad = Vec::new();
    let mut flows_checked = 0usize;
    for file in &files {
        let (problems, _) = check(&root, file, &dir, &[]);
        if !problems.is_empty() {
            let shown: Vec<_> = problems.iter().take(4).cloned().collect();
            bad.push(format!(
                "{file}: {} difference(s): {}",
                problems.len(),
                shown.join("; ")
            ));
        }
        flows_checked += 1;
    }
    assert!(
        bad.is_empty(),
        "{} of {} captures differ from tshark:\n{}",
        bad.len(),
        flows_checked,
        bad.join("\n")
    );
}

#[test]
fn every_capture_reads_with_every_feature_on_as_it_reads_without() {
    let root = corpus();
    let files = manifest(&root);
    assert!(files.len() >= 500, "only {} captures listed", files.len());
    let dir = scratch("corpus-all");
    let ipfix = dir.join("flows.ipfix");
    let all = ["--features", "all", "--ipfix-file", ipfix.to_str().unwrap()];
    let mut bad = Vec::new();
    for file in &files {
        let (_, plain) = check(&root, file, &dir, &[]);
        let (problems, code) = check(&root, file, &dir, &all);
        if code != plain {
            bad.push(format!(
                "{file}: exit status {code:?} with every feature on, {plain:?} without"
            ));
        }
        if !problems.is_empty() {
            let shown: Vec<_> = problems.iter().take(4).cloned().collect();
            bad.push(format!(
                "{file}: {} difference(s) with every feature on: {}",
                problems.len(),
                shown.join("; ")
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} problem(s) over {} captures:\n{}",
        bad.len(),
        files.len(),
        bad.join("\n")
    );
}
