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
use sluice_tests::{corpus, ordered, scratch, sluice_bin, Endpoint};

type Key = (u64, Endpoint, Endpoint);

fn key(proto: u64, a: Endpoint, b: Endpoint) -> Key {
    let (lo, hi) = ordered(a, b);
    (proto, lo, hi)
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

/// What is known of one flow key's DNS and HTTP.
#[derive(Default, Debug)]
struct Plain {
    /// DNS query names (lowercase), A, AAAA and CNAME answers.
    dns_names: BTreeSet<String>,
    dns_answers: BTreeSet<String>,
    /// HTTP request fields ("method GET", "uri /", "host h", "ua u") and
    /// response codes.
    http_requests: BTreeSet<String>,
    http_codes: BTreeSet<String>,
    /// tshark only: requests with a method but no URI it could read.
    uriless_requests: usize,
}

/// Names as both sides print them: letters, digits, `-`, `_` and dots
/// only, lowercase, no trailing dot. Rule: names with other bytes (binary
/// labels of DNS tunnels, fuzzed captures) are left out, since tshark and
/// Sluice escape those bytes differently.
fn dns_name(s: &str) -> Option<String> {
    let s = s.trim_end_matches('.');
    (!s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
    .then(|| s.to_ascii_lowercase())
}

fn reference_plain(r: &Value) -> BTreeMap<Key, Plain> {
    let mut m: BTreeMap<Key, Plain> = BTreeMap::new();
    for e in r["dns"].as_array().into_iter().flatten() {
        let Some(k) = e["flow"].as_str().and_then(ref_key) else {
            continue;
        };
        let p = m.entry(k).or_default();
        p.dns_names
            .extend(strs(&e["qname"]).iter().filter_map(|n| dns_name(n)));
        for f in ["a", "aaaa"] {
            p.dns_answers.extend(
                strs(&e[f])
                    .iter()
                    .filter_map(|a| a.parse::<IpAddr>().ok())
                    .map(|a| a.to_string()),
            );
        }
        p.dns_answers
            .extend(strs(&e["cname"]).iter().filter_map(|n| dns_name(n)));
    }
    for e in r["http"].as_array().into_iter().flatten() {
        let Some(k) = e["flow"].as_str().and_then(ref_key) else {
            continue;
        };
        let p = m.entry(k).or_default();
        for (f, tag) in [
            ("method", "method"),
            ("uri", "uri"),
            ("host", "host"),
            ("user_agent", "ua"),
        ] {
            p.http_requests
                .extend(strs(&e[f]).iter().map(|v| format!("{tag} {v}")));
        }
        p.http_codes.extend(strs(&e["response_code"]));
        if !strs(&e["method"]).is_empty() && strs(&e["uri"]).is_empty() {
            p.uriless_requests += 1;
        }
    }
    m
}

/// The flow key of one of Sluice's records.
fn record_key(r: &Value) -> Option<Key> {
    let ep = |a: &str, p: &str| -> Option<Endpoint> {
        Some((r[a].as_str()?.parse().ok()?, r[p].as_u64()? as u16))
    };
    Some(key(r["pr"].as_u64()?, ep("sa", "sp")?, ep("da", "dp")?))
}

/// Every corpus capture with its tshark reference, in manifest order.
fn references(root: &Path) -> Vec<(String, Value)> {
    let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    manifest
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next().filter(|n| !n.is_empty()))
        .map(|name| {
            let path = root.join("reference").join(format!("{name}.json"));
            let text = std::fs::read_to_string(&path).expect("reference file");
            (
                name.to_string(),
                serde_json::from_str(&text).expect("reference JSON"),
            )
        })
        .collect()
}

fn ours_plain(records: &[Value]) -> BTreeMap<Key, Plain> {
    let mut m: BTreeMap<Key, Plain> = BTreeMap::new();
    for r in records {
        let Some(k) = record_key(r) else { continue };
        let p = m.entry(k).or_default();
        for msg in r["dns"].as_array().into_iter().flatten() {
            for q in msg["questions"].as_array().into_iter().flatten() {
                p.dns_names.extend(q["name"].as_str().and_then(dns_name));
            }
            for f in ["qn", "rn"] {
                p.dns_names.extend(msg[f].as_str().and_then(dns_name));
            }
            for rr in msg["rr"].as_array().into_iter().flatten() {
                for f in ["a", "aaaa"] {
                    p.dns_answers.extend(
                        rr[f]
                            .as_str()
                            .and_then(|a| a.parse::<IpAddr>().ok())
                            .map(|a| a.to_string()),
                    );
                }
                p.dns_answers
                    .extend(rr["cname"].as_str().and_then(dns_name));
            }
        }
        for msg in r["http"].as_array().into_iter().flatten() {
            for item in msg["out"].as_array().into_iter().flatten() {
                let Some((k, v)) = item.as_object().and_then(|o| o.iter().next()) else {
                    continue;
                };
                let Some(v) = v.as_str() else { continue };
                let tag = match k.to_ascii_lowercase().as_str() {
                    "method" => "method",
                    "uri" => "uri",
                    "host" => "host",
                    "user-agent" => "ua",
                    _ => continue,
                };
                p.http_requests.insert(format!("{tag} {v}"));
            }
            for item in msg["in"].as_array().into_iter().flatten() {
                if let Some(c) = item["code"].as_str() {
                    p.http_codes.insert(c.to_string());
                }
            }
        }
    }
    m
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
    /// tshark only: a hello of the key is malformed (an expert error), or
    /// tshark restarted the key's conversation on a reused-ports SYN.
    malformed: bool,
    /// Sluice only: the responder's first TLS record is longer than all the
    /// payload it sent (the capture ends or loses segments inside it).
    server_record_cut: bool,
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
        let Some(k) = record_key(r) else { continue };
        let t = m.entry(k).or_default();
        for d in ["idp_out", "idp_in"] {
            if let Some(p) = r[d].as_str().and_then(idp_payload) {
                t.starts_with_tls |= matches!(p.as_slice(), [0x16, 0x03, ..]);
                if let (true, [0x16, 0x03, _, hi, lo, ..]) = (d == "idp_in", p.as_slice()) {
                    let record = 5 + u64::from(u16::from_be_bytes([*hi, *lo]));
                    t.server_record_cut |= record > r["bytes_in"].as_u64().unwrap_or(0);
                }
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

/// Reads `file` with the metadata features on; the run must end as a run of a good
/// (exit 0) or damaged (exit 1, saying so) capture does, never crash.
fn run(file: &Path, out: &Path) -> Vec<Value> {
    let run = Command::new(sluice_bin())
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
        .output()
        .expect("running sluice read");
    let stderr = String::from_utf8_lossy(&run.stderr);
    let damaged = stderr.contains("some input could not be read");
    assert!(
        !stderr.contains("panicked")
            && (run.status.code() == Some(0) || (run.status.code() == Some(1) && damaged)),
        "{}: exit {}: {stderr}",
        file.display(),
        run.status
    );
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
    reordered_files: u64,
}

/// tshark's TLS hellos with out-of-order TCP segments reassembled
/// (`tcp.reassemble_out_of_order`, off in the reference's default
/// preferences; Sluice's reassembly reorders).
fn tshark_reordered(file: &Path, tls_ports: &BTreeSet<u16>) -> BTreeMap<Key, Tls> {
    let mut cmd = Command::new("tshark");
    for p in tls_ports {
        cmd.args(["-d", &format!("tcp.port=={p},tls")]);
    }
    let out = cmd
        .args(["-n", "-o", "tcp.reassemble_out_of_order:TRUE", "-r"])
        .arg(file)
        .args(["-Y", "tls.handshake or tcp.analysis.reused_ports"])
        .args(["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"])
        .args([
            "-e",
            "ip.src",
            "-e",
            "ipv6.src",
            "-e",
            "tcp.srcport",
            "-e",
            "ip.dst",
            "-e",
            "ipv6.dst",
        ])
        .args([
            "-e",
            "tcp.dstport",
            "-e",
            "tls.handshake.extensions_server_name",
        ])
        .args([
            "-e",
            "tls.handshake.ja3",
            "-e",
            "tls.handshake.ja3s",
            "-e",
            "tls.handshake.type",
        ])
        .args([
            "-e",
            "tls.handshake.version",
            "-e",
            "_ws.malformed",
            "-e",
            "_ws.expert.severity",
        ])
        .args(["-e", "tcp.analysis.reused_ports"])
        .output()
        .expect("running tshark (installed by `cargo xtask setup`)");
    let mut m: BTreeMap<Key, Tls> = BTreeMap::new();
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = l.split('\t').collect();
        if f.len() < 14 {
            continue;
        }
        let last = |a: &str, b: &str| -> Option<IpAddr> {
            let v = if a.is_empty() { b } else { a };
            v.rsplit(',').next()?.parse().ok()
        };
        let port = |p: &str| p.split(',').next().and_then(|p| p.parse::<u16>().ok());
        let (Some(s), Some(sp), Some(d), Some(dp)) =
            (last(f[0], f[1]), port(f[2]), last(f[3], f[4]), port(f[5]))
        else {
            continue;
        };
        let t = m.entry(key(6, (s, sp), (d, dp))).or_default();
        let list = |x: &str| {
            x.split(',')
                .filter(|v| !v.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        };
        t.sni.extend(list(f[6]));
        t.ja3.extend(list(f[7]));
        t.ja3s.extend(list(f[8]));
        // PI_ERROR (0x00800000): tshark found the hello broken.
        t.malformed |= !f[11].is_empty() || f[12].contains("8388608");
        // A SYN reusing the ports: tshark starts a new conversation there
        // and no longer follows the first one's stream.
        t.malformed |= !f[13].is_empty();
        let types = list(f[9]);
        let versions: Vec<u16> = list(f[10]).iter().filter_map(|v| hex16(v)).collect();
        for (ty, v) in types
            .iter()
            .filter(|t| *t == "1" || *t == "2")
            .zip(versions)
        {
            if ty == "1" {
                t.client_versions.insert(v);
            } else {
                t.server_versions.insert(v);
            }
        }
    }
    m
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
        if w.malformed {
            // Rule: a hello tshark calls malformed, or a conversation it
            // restarted on reused ports, may be read differently.
            continue;
        }
        let subset = |what: &str, ours: &BTreeSet<String>, theirs: &BTreeSet<String>| {
            ours.difference(theirs)
                .map(|v| format!("{name}: {k:?}: {what} {v} not in tshark's {theirs:?}"))
                .collect::<Vec<_>>()
        };
        bad.extend(subset("sni", &g.sni, &w.sni));
        bad.extend(subset("ja3", &g.ja3, &w.ja3));
        if !(w.ja3s.is_empty() && g.server_record_cut) {
            bad.extend(subset("ja3s", &g.ja3s, &w.ja3s));
        }
        for v in g.client_versions.difference(&w.client_versions) {
            bad.push(format!(
                "{name}: {k:?}: client hello version {v:04x} not in {:?}",
                w.client_versions
            ));
        }
        // Rule: Sluice reads each complete handshake message of a record
        // cut short by the capture; tshark waits for the whole record.
        if w.ja3s.is_empty() && g.server_record_cut {
            continue;
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
    for (name, r) in references(&root) {
        let name = name.as_str();
        let want = reference_tls(&r);
        if want.is_empty() {
            continue;
        }
        files += 1;
        let recs = run(&root.join(name), &dir.join("out.json"));
        let got = ours(&recs);
        let mut diffs = Vec::new();
        let mut t = Tally::default();
        check_tls(name, &want, &got, &mut t, &mut diffs);
        if !diffs.is_empty() {
            // Rule: tshark with out-of-order segments reassembled, as Sluice does.
            // Rule: tshark decodes TLS only on its ports; give it the ports
            // where Sluice found TLS (the lower port of each such flow).
            let ports: BTreeSet<u16> = got
                .iter()
                .filter(|(k, g)| !g.ja3.is_empty() && !want.contains_key(*k))
                .map(|(k, _)| k.1 .1.min(k.2 .1))
                .collect();
            let mut reordered = tshark_reordered(&root.join(name), &ports);
            for (k, w) in &want {
                let r = reordered.entry(*k).or_default();
                r.sni.extend(w.sni.iter().cloned());
                r.ja3.extend(w.ja3.iter().cloned());
                r.ja3s.extend(w.ja3s.iter().cloned());
                r.client_versions.extend(w.client_versions.iter().copied());
                r.server_versions.extend(w.server_versions.iter().copied());
            }
            diffs.clear();
            t = Tally::default();
            check_tls(name, &reordered, &got, &mut t, &mut diffs);
            tally.reordered_files += 1;
        }
        tally.keys += t.keys;
        tally.ja3 += t.ja3;
        tally.ja3s += t.ja3s;
        tally.sni += t.sni;
        tally.not_at_start += t.not_at_start;
        bad.extend(diffs);
    }
    eprintln!(
        "TLS: {files} files, {} flow keys with a ClientHello: {} JA3 equal, {} JA3S, {} SNI; {} not at stream start; {} files compared with reordered segments",
        tally.keys, tally.ja3, tally.ja3s, tally.sni, tally.not_at_start, tally.reordered_files
    );
    assert!(
        bad.is_empty(),
        "{} difference(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
    // Agreeing by saying nothing is not agreeing: what Sluice finds today is the floor.
    let found = [
        ("JA3", tally.ja3, 830),
        ("JA3S", tally.ja3s, 778),
        ("SNI", tally.sni, 717),
    ];
    for (what, n, floor) in found {
        assert!(n >= floor, "{what} found in {n} flows, fewer than {floor}");
    }
}

/// DNS on its ports (53, 5353, 5355; tshark also decodes DNSCrypt, DNS over
/// QUIC and others on other ports, which Sluice leaves alone) and HTTP:
/// every name, answer and request field Sluice reports is one tshark
/// reports for the key (names compared in printable ASCII, lowercase), and
/// Sluice reports the large majority of tshark's (the rest are documented in
/// docs/features-dns-http.md: fuzzed captures, names over 255 bytes, request
/// lines httparse refuses, capture gaps).
#[test]
fn dns_and_http_metadata_match_tshark_on_every_capture() {
    let root = corpus();
    let dir = scratch("corpus-l7-plain");
    let mut bad = Vec::new();
    let (mut names, mut names_found, mut reqs, mut reqs_found, mut codes, mut codes_found) =
        (0, 0, 0, 0, 0, 0);
    for (name, r) in references(&root) {
        let name = name.as_str();
        let mut want = reference_plain(&r);
        // Only DNS on DNS ports is Sluice's DNS.
        for (k, p) in want.iter_mut() {
            let dns_port = [53, 5353, 5355].iter().any(|&d| k.1 .1 == d || k.2 .1 == d);
            if !dns_port || (k.0 == 6 && k.1 .1 != 53 && k.2 .1 != 53) {
                p.dns_names.clear();
                p.dns_answers.clear();
            }
        }
        want.retain(|_, p| {
            !(p.dns_names.is_empty() && p.http_requests.is_empty() && p.http_codes.is_empty())
        });
        if want.is_empty() {
            continue;
        }
        let got = ours_plain(&run(&root.join(name), &dir.join("out.json")));
        for (k, w) in &want {
            let empty = Plain::default();
            let g = got.get(k).unwrap_or(&empty);
            for (what, ours, theirs) in [
                ("DNS name", &g.dns_names, &w.dns_names),
                ("DNS answer", &g.dns_answers, &w.dns_answers),
                ("HTTP request field", &g.http_requests, &w.http_requests),
            ] {
                if theirs.is_empty() {
                    continue;
                }
                // Rule: tshark reports no URI for a request line it cannot
                // read (e.g. several spaces after the method); Sluice's URIs
                // for as many requests are accepted.
                let mut spare = if what == "HTTP request field" {
                    w.uriless_requests
                } else {
                    0
                };
                for v in ours.difference(theirs) {
                    if spare > 0 && v.starts_with("uri ") {
                        spare -= 1;
                        continue;
                    }
                    bad.push(format!(
                        "{name}: {k:?}: {what} {v:?} not in tshark's {theirs:?}"
                    ));
                }
            }
            names += w.dns_names.len() + w.dns_answers.len();
            names_found += w.dns_names.intersection(&g.dns_names).count()
                + w.dns_answers.intersection(&g.dns_answers).count();
            reqs += w.http_requests.len();
            reqs_found += w.http_requests.intersection(&g.http_requests).count();
            codes += w.http_codes.len();
            codes_found += w.http_codes.intersection(&g.http_codes).count();
        }
    }
    eprintln!(
        "DNS names and answers: {names_found}/{names} found; HTTP request fields: {reqs_found}/{reqs}; HTTP status codes: {codes_found}/{codes}"
    );
    assert!(
        bad.is_empty(),
        "{} difference(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
    // Recall floors, measured: see docs/fidelity.md.
    assert!(
        names_found * 100 >= names * 97,
        "DNS recall {names_found}/{names}"
    );
    assert!(
        reqs_found * 100 >= reqs * 97,
        "HTTP request recall {reqs_found}/{reqs}"
    );
    assert!(
        codes_found * 100 >= codes * 94,
        "HTTP status recall {codes_found}/{codes}"
    );
}
