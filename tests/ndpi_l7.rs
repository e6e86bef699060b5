//! Agreement of Sluice's L7 classifier with nDPI on the shared corpus.
//!
//! For every capture `ndpi/<name>` with nDPI's own output
//! `expected/ndpi/<name>.out`, runs `sluice read --no-l7-guess` and matches
//! nDPI's flow lines to Sluice's records by IP protocol and both endpoints
//! (VLAN ignored). Only flows nDPI classified from the payload count
//! (`Confidence: DPI`, also `(partial)`, `(cache)`, `(aggressive)`), and
//! only when their master protocol (the name before the first dot, with
//! `NetBIOS.SMBv1`/`NetBIOS.SMBv23` read as `SMBv1`/`SMBv23`: Sluice names
//! the SMB inside the NetBIOS framing) is one Sluice detects. Per
//! protocol, the share of those flows where Sluice says the same must stay
//! at or above the floor in `FLOORS` (docs/l7.md explains each floor below
//! 95%).
//!
//! Exclusions, each a rule and counted:
//! * nDPI lines whose address nDPI printed invalidly (e.g.
//!   `[2600:1901::7a0b::]`) cannot be matched: skipped.
//! * nDPI decapsulates IP-in-IP tunnels: a key not among Sluice's flows is
//!   looked up again among the flows of `sluice read --decode-tunnels`.
//! * nDPI flows whose key Sluice has in neither run are "unmatched"; there
//!   may be at most `MAX_UNMATCHED` of them.
//! * ICMP/ICMPv6: nDPI keys them by addresses only, Sluice also by message
//!   type: any Sluice ICMP flow between the two addresses matches.
//! * Several Sluice flows on one key (port reuse): agreement if any has
//!   nDPI's protocol.
use std::{
    collections::{BTreeMap, HashMap},
    path::{Path, PathBuf},
    process::Command,
    sync::Mutex,
    time::Instant,
};

use serde_json::Value;
use sluice_tests::{corpus, ordered, sluice_bin, Endpoint};

/// Protocols Sluice detects, with the least agreement accepted.
const FLOORS: &[(&str, f64)] = &[
    ("HTTP", 99.0),
    ("TLS", 99.0),
    ("DNS", 95.0),
    ("QUIC", 97.0),
    ("STUN", 100.0),
    ("LLMNR", 100.0),
    ("SSDP", 100.0),
    ("MDNS", 100.0),
    ("ICMP", 100.0),
    ("NetBIOS", 85.0),
    ("BitTorrent", 94.0),
    ("ICMPV6", 100.0),
    ("Kerberos", 96.0),
    ("DHCP", 100.0),
    ("DTLS", 100.0),
    ("Syslog", 100.0),
    ("SIP", 95.0),
    ("SNMP", 100.0),
    ("OpenVPN", 100.0),
    ("RTP", 93.0),
    ("SMBv1", 85.0),
    ("NTP", 100.0),
    ("DHCPV6", 100.0),
    ("WireGuard", 100.0),
    ("POP3", 100.0),
    ("SSH", 100.0),
    ("IMAPS", 100.0),
    ("RDP", 80.0),
    ("MQTT", 100.0),
    ("SMTPS", 100.0),
    ("FTP_CONTROL", 100.0),
    ("LDAP", 100.0),
    ("RTCP", 100.0),
    ("POPS", 100.0),
    ("SMTP", 100.0),
    ("IMAP", 100.0),
    ("SMBv23", 100.0),
];

/// nDPI flows whose key Sluice has in neither run (none today).
const MAX_UNMATCHED: usize = 0;

type Key = (u8, Endpoint, Endpoint);

fn key(proto: u8, a: Endpoint, b: Endpoint) -> Key {
    let (lo, hi) = ordered(a, b);
    (proto, lo, hi)
}

/// One nDPI flow line: key, nDPI's full protocol name, our master name.
struct NdpiFlow {
    key: Key,
    name: String,
    master: String,
}

fn endpoint(s: &str) -> Option<Endpoint> {
    let (ip, port) = s.rsplit_once(':')?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    Some((ip.parse().ok()?, port.parse().ok()?))
}

/// The payload-classified flow lines of one `.out` file; also counts lines
/// with unparseable addresses.
fn ndpi_flows(text: &str, bad: &mut usize) -> Vec<NdpiFlow> {
    let mut v = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix('\t') else {
            continue;
        };
        let Some((_, rest)) = rest.split_once('\t') else {
            continue;
        };
        let mut words = rest.splitn(5, ' ');
        let (Some(proto), Some(a), Some(_arrow), Some(b), Some(tail)) = (
            words.next(),
            words.next(),
            words.next(),
            words.next(),
            words.next(),
        ) else {
            continue;
        };
        let Some(conf) = field(tail, "[Confidence: ") else {
            continue;
        };
        if !conf.starts_with("DPI") {
            continue;
        }
        let Some(name) = field(tail, "[proto: ")
            .and_then(|p| p.split_once('/'))
            .map(|p| p.1)
        else {
            continue;
        };
        let ip_proto = match proto {
            "TCP" => 6,
            "UDP" => 17,
            "ICMP" => 1,
            "ICMPV6" => 58,
            _ => continue,
        };
        let mut parts = name.split('.');
        let first = parts.next().unwrap_or_default();
        let master = match (first, parts.next()) {
            ("NetBIOS", Some(s @ ("SMBv1" | "SMBv23"))) => s,
            _ => first,
        };
        if !FLOORS.iter().any(|(p, _)| *p == master) {
            continue;
        }
        let (Some(a), Some(b)) = (endpoint(a), endpoint(b)) else {
            *bad += 1;
            continue;
        };
        v.push(NdpiFlow {
            key: key(ip_proto, a, b),
            name: name.to_string(),
            master: master.to_string(),
        });
    }
    v
}

/// The text of `[tag...]` after `tag`, up to the closing bracket.
fn field<'a>(s: &'a str, tag: &str) -> Option<&'a str> {
    let start = s.find(tag)? + tag.len();
    let end = s[start..].find(']')?;
    Some(&s[start..start + end])
}

/// Sluice's `l7` values per flow key for one capture.
fn sluice_flows(pcap: &Path, decode_tunnels: bool) -> HashMap<Key, Vec<String>> {
    let mut cmd = Command::new(sluice_bin());
    cmd.args(["read", "--no-progress", "--no-l7-guess"]);
    if decode_tunnels {
        cmd.arg("--decode-tunnels");
    }
    let out = cmd.arg(pcap).output().expect("running sluice");
    let mut m: HashMap<Key, Vec<String>> = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let r: Value = serde_json::from_str(line).expect("JSON record");
        let ep = |a: &str, p: &str| -> Option<Endpoint> {
            Some((r[a].as_str()?.parse().ok()?, r[p].as_u64()? as u16))
        };
        let (Some(a), Some(b), Some(pr)) = (ep("sa", "sp"), ep("da", "dp"), r["pr"].as_u64())
        else {
            continue;
        };
        assert!(r["l7_guess"].is_null(), "--no-l7-guess yet a guess: {r}");
        let l7 = r["l7"].as_str().expect("l7 member").to_string();
        m.entry(key(pr as u8, a, b)).or_default().push(l7);
    }
    m
}

/// The labels Sluice gave the nDPI flow `f` (ICMP: by addresses only).
fn labels<'a>(ours: &'a HashMap<Key, Vec<String>>, f: &NdpiFlow) -> Vec<&'a str> {
    let (pr, a, b) = f.key;
    if pr == 1 || pr == 58 {
        return ours
            .iter()
            .filter(|((p, x, y), _)| {
                *p == pr && key(pr, (x.0, 0), (y.0, 0)) == key(pr, (a.0, 0), (b.0, 0))
            })
            .flat_map(|(_, v)| v.iter().map(String::as_str))
            .collect();
    }
    ours.get(&f.key)
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[derive(Default)]
struct Tally {
    flows: usize,
    agree: usize,
    misses: Vec<String>,
}

#[test]
fn l7_agrees_with_ndpi() {
    let t0 = Instant::now();
    let root = corpus();
    let mut jobs: Vec<(String, PathBuf, String)> = Vec::new();
    for entry in std::fs::read_dir(root.join("expected/ndpi")).expect("expected/ndpi") {
        let path = entry.expect("dir entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(pcap) = name.strip_suffix(".out") else {
            continue;
        };
        let pcap_path = root.join("ndpi").join(pcap);
        if pcap_path.exists() {
            let text =
                String::from_utf8_lossy(&std::fs::read(&path).expect("reading .out")).into_owned();
            jobs.push((pcap.to_string(), pcap_path, text));
        }
    }
    jobs.sort();
    assert!(
        jobs.len() > 500,
        "only {} captures with nDPI output",
        jobs.len()
    );

    let tally: Mutex<BTreeMap<String, Tally>> = Mutex::default();
    let unmatched: Mutex<Vec<String>> = Mutex::default();
    let bad = Mutex::new(0usize);
    let next = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n - 1
                };
                let Some((name, pcap, text)) = jobs.get(i) else {
                    break;
                };
                let mut nbad = 0;
                let flows = ndpi_flows(text, &mut nbad);
                *bad.lock().unwrap() += nbad;
                if flows.is_empty() {
                    continue;
                }
                let outer = sluice_flows(pcap, false);
                let mut inner = None;
                for f in &flows {
                    let mut got = labels(&outer, f);
                    if got.is_empty() {
                        let inner = inner.get_or_insert_with(|| sluice_flows(pcap, true));
                        got = labels(inner, f);
                    }
                    if got.is_empty() {
                        unmatched
                            .lock()
                            .unwrap()
                            .push(format!("{name}: {} {:?}", f.name, f.key));
                        continue;
                    }
                    let mut t = tally.lock().unwrap();
                    let e = t.entry(f.master.clone()).or_default();
                    e.flows += 1;
                    if got.contains(&f.master.as_str()) {
                        e.agree += 1;
                    } else {
                        e.misses.push(format!(
                            "{name}: nDPI {} Sluice {got:?} {:?}",
                            f.name, f.key
                        ));
                    }
                }
            });
        }
    });

    let tally = tally.into_inner().unwrap();
    let unmatched = unmatched.into_inner().unwrap();
    let mut failures = Vec::new();
    eprintln!("protocol      flows  agree       %   floor");
    for (proto, floor) in FLOORS {
        let Some(t) = tally.get(*proto) else {
            failures.push(format!("{proto}: no nDPI flow in the corpus any more"));
            continue;
        };
        let pct = 100.0 * t.agree as f64 / t.flows as f64;
        eprintln!(
            "{proto:12} {:6} {:6} {pct:7.1} {floor:7.1}",
            t.flows, t.agree
        );
        for m in t.misses.iter().take(5) {
            eprintln!("    {m}");
        }
        if pct + 1e-9 < *floor {
            failures.push(format!("{proto}: {pct:.1}% < floor {floor}%"));
        }
    }
    eprintln!(
        "invalid nDPI addresses: {}; unmatched: {} {unmatched:?}; {:.1} s",
        bad.into_inner().unwrap(),
        unmatched.len(),
        t0.elapsed().as_secs_f64()
    );
    if unmatched.len() > MAX_UNMATCHED {
        failures.push(format!(
            "{} unmatched nDPI flows: {unmatched:?}",
            unmatched.len()
        ));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
