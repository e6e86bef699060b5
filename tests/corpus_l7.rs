//! Application metadata of `sluice read --features tls,dns,http` on every
//! capture of the shared corpus, against tshark's reference
//! (`reference/<folder>/<file>.json`: `tls_sni`, `tls_hello`,
//! `tls_fingerprints`, `dns`, `http`).
//!
//! Sluice parses the first ClientHello and ServerHello of each TCP
//! connection whose stream starts with TLS. Per flow key (protocol and both
//! endpoints), every value Sluice reports must be one tshark reports for that
//! key, and where tshark saw a ClientHello Sluice must report one too, with
//! one deliberate exception written as a rule: TLS that does not start its
//! TCP stream (STARTTLS, proxies, tunnels). The test checks that rule from
//! Sluice's own initial data packets: neither direction's first payload
//! begins with a TLS handshake record.
use std::{
    collections::{BTreeMap, BTreeSet},
    net::IpAddr,
    path::Path,
    process::Command,
};

use serde_json::Value;
use sluice_tests::{corpus, scratch, sluice_bin};

type Endpoint = (IpAddr, u16);
type Key = (u64, Endpoint, Endpoint);

fn key(proto: u64, a: Endpoint, b: Endpoint) -> Key {
    if a <= b {
        (proto, a, b)
    } else {
        (proto, b, a)
    }
}

/// Parses tshark's "6 A:P <-> B:P" flow names (IPv6 unbracketed).
fn ref_key(flow: &str) -> Option<Key> {
    let (proto, rest) = flow.split_once(' ')?;
    let (a, b) = rest.split_once(" <-> ")?;
    let ep = |s: &str| -> Option<Endpoint> {
        let (ip, port) = s.rsplit_once(':')?;
        Some((ip.parse().ok()?, port.parse().ok()?))
    };
    Some(key(proto.parse().ok()?, ep(a)?, ep(b)?))
}

/// What is known of one flow key's TLS.
#[derive(Default, Debug)]
struct Tls {
    sni: BTreeSet<String>,
    ja3: BTreeSet<String>,
    ja3s: BTreeSet<String>,
    client_versions: BTreeSet<u16>,
    server_versions: BTreeSet<u16>,
    /// Sluice only: some first payload of the key starts with a TLS record.
    starts_with_tls: bool,
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn hex16(s: &str) -> Option<u16> {
    u16::from_str_radix(s.trim_start_matches("0x"), 16).ok()
}

fn reference_tls(r: &Value) -> BTreeMap<Key, Tls> {
    let mut m: BTreeMap<Key, Tls> = BTreeMap::new();
    for e in r["tls_sni"].as_array().into_iter().flatten() {
        if let Some(k) = e["flow"].as_str().and_then(ref_key) {
            if let Some(s) = e["sni"].as_str() {
                m.entry(k).or_default().sni.insert(s.to_string());
            }
        }
    }
    for e in r["tls_fingerprints"].as_array().into_iter().flatten() {
        if let Some(k) = e["flow"].as_str().and_then(ref_key) {
            let t = m.entry(k).or_default();
            t.ja3.extend(strs(&e["ja3"]));
            t.ja3s.extend(strs(&e["ja3s"]));
        }
    }
    for e in r["tls_hello"].as_array().into_iter().flatten() {
        if let Some(k) = e["flow"].as_str().and_then(ref_key) {
            let t = m.entry(k).or_default();
            let types = strs(&e["hs_types"]);
            let versions: Vec<u16> = strs(&e["hs_version"])
                .iter()
                .filter_map(|v| hex16(v))
                .collect();
            // One hello version per hello message, in message order.
            let hellos = types.iter().filter(|t| *t == "1" || *t == "2");
            for (ty, v) in hellos.zip(versions) {
                if ty == "1" {
                    t.client_versions.insert(v);
                } else {
                    t.server_versions.insert(v);
                }
            }
        }
    }
    m
}

/// Joy's version numbers back to the wire's.
fn from_joy(v: &Value) -> Option<u16> {
    Some(match v.as_u64()? {
        2 => 0x0300,
        3 => 0x0301,
        4 => 0x0302,
        5 => 0x0303,
        6 => 0x0304,
        _ => return None,
    })
}

/// The first payload bytes of a kept initial data packet (IPv4/IPv6 + TCP).
fn idp_payload(hex: &str) -> Option<Vec<u8>> {
    let b: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    let l4 = match b.first()? >> 4 {
        4 => usize::from(b[0] & 15) * 4,
        6 if *b.get(6)? == 6 => 40,
        _ => return None,
    };
    let doff = usize::from(b.get(l4 + 12)? >> 4) * 4;
    b.get(l4 + doff..).map(<[u8]>::to_vec)
}

fn ours(records: &[Value]) -> BTreeMap<Key, Tls> {
    let mut m: BTreeMap<Key, Tls> = BTreeMap::new();
    for r in records {
        let ep = |a: &str, p: &str| -> Option<Endpoint> {
            Some((r[a].as_str()?.parse().ok()?, r[p].as_u64()? as u16))
        };
        let (Some(sa), Some(da), Some(pr)) = (ep("sa", "sp"), ep("da", "dp"), r["pr"].as_u64())
        else {
            continue;
        };
        let t = m.entry(key(pr, sa, da)).or_default();
        for d in ["idp_out", "idp_in"] {
            if let Some(p) = r[d].as_str().and_then(idp_payload) {
                t.starts_with_tls |= matches!(p.as_slice(), [0x16, 0x03, ..]);
            }
        }
        let tls = &r["tls"];
        if tls.is_null() {
            continue;
        }
        t.sni.extend(strs(&tls["sni"]));
        t.ja3.extend(tls["ja3"].as_str().map(String::from));
        t.ja3s.extend(tls["ja3s"].as_str().map(String::from));
        t.client_versions.extend(from_joy(&tls["c_version"]));
        t.server_versions.extend(from_joy(&tls["s_version"]));
    }
    m
}

fn run(file: &Path, out: &Path) -> Vec<Value> {
    let st = Command::new(sluice_bin())
        .args([
            "read",
            "--decode-tunnels",
            "--no-progress",
            "--features",
            "tls,dns,http,idp",
        ])
        .arg("--output")
        .arg(out)
        .arg(file)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("running sluice read");
    let _ = st; // damaged files exit 1 after writing what they had
    std::fs::read_to_string(out)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[derive(Default)]
struct Tally {
    keys: u64,
    ja3: u64,
    ja3s: u64,
    sni: u64,
    not_at_start: u64,
}

fn check_tls(
    name: &str,
    want: &BTreeMap<Key, Tls>,
    got: &BTreeMap<Key, Tls>,
    t: &mut Tally,
    bad: &mut Vec<String>,
) {
    for (k, w) in want {
        let empty = Tls::default();
        let g = got.get(k).unwrap_or(&empty);
        let subset = |what: &str, ours: &BTreeSet<String>, theirs: &BTreeSet<String>| {
            ours.difference(theirs)
                .map(|v| format!("{name}: {k:?}: {what} {v} not in tshark's {theirs:?}"))
                .collect::<Vec<_>>()
        };
        bad.extend(subset("sni", &g.sni, &w.sni));
        bad.extend(subset("ja3", &g.ja3, &w.ja3));
        bad.extend(subset("ja3s", &g.ja3s, &w.ja3s));
        for v in g.client_versions.difference(&w.client_versions) {
            bad.push(format!(
                "{name}: {k:?}: client hello version {v:04x} not in {:?}",
                w.client_versions
            ));
        }
        for v in g.server_versions.difference(&w.server_versions) {
            bad.push(format!(
                "{name}: {k:?}: server hello version {v:04x} not in {:?}",
                w.server_versions
            ));
        }
        if w.ja3.is_empty() {
            continue;
        }
        t.keys += 1;
        if g.ja3.is_empty() {
            if g.starts_with_tls {
                bad.push(format!(
                    "{name}: {k:?}: tshark saw a ClientHello ({:?}), Sluice none",
                    w.ja3
                ));
            } else {
                t.not_at_start += 1;
            }
            continue;
        }
        t.ja3 += 1;
        if !w.ja3s.is_empty() && g.ja3s.is_empty() {
            bad.push(format!(
                "{name}: {k:?}: tshark saw a ServerHello ({:?}), Sluice none",
                w.ja3s
            ));
        }
        t.ja3s += u64::from(!g.ja3s.is_empty());
        if !w.sni.is_empty() && g.sni.is_empty() {
            bad.push(format!(
                "{name}: {k:?}: tshark saw SNI {:?}, Sluice none",
                w.sni
            ));
        }
        t.sni += u64::from(!g.sni.is_empty());
    }
    for (k, g) in got {
        if !g.ja3.is_empty() && !want.contains_key(k) {
            bad.push(format!(
                "{name}: {k:?}: Sluice reports TLS tshark does not see"
            ));
        }
    }
}

#[test]
fn tls_metadata_matches_tshark_on_every_capture() {
    let root = corpus();
    let dir = scratch("corpus-l7");
    let mut tally = Tally::default();
    let mut bad = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_to_string(root.join("MANIFEST.tsv"))
        .unwrap()
        .lines()
        .skip(1)
    {
        let Some(name) = entry.split('\t').next() else {
            continue;
        };
        let reference = root.join("reference").join(format!("{name}.json"));
        let r: Value = serde_json::from_str(&std::fs::read_to_string(&reference).unwrap()).unwrap();
        let want = reference_tls(&r);
        if want.is_empty() {
            continue;
        }
        files += 1;
        let recs = run(&root.join(name), &dir.join("out.json"));
        check_tls(name, &want, &ours(&recs), &mut tally, &mut bad);
    }
    eprintln!(
        "TLS: {files} files, {} flow keys with a ClientHello: {} JA3 equal, {} JA3S, {} SNI; {} not at stream start",
        tally.keys, tally.ja3, tally.ja3s, tally.sni, tally.not_at_start
    );
    assert!(
        bad.is_empty(),
        "{} difference(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
}
