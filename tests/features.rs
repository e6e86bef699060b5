//! Joy features of `sluice read` against independent computations: SPLT
//! lengths and times from tshark's frame lengths and times, and byte
//! distribution, mean, standard deviation and entropy computed here from the
//! payload bytes tshark extracts.
use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::Value;
use sluice_tests::{corpus, scratch, sluice_bin};

/// Small captures, one to a few flows each, no tunnels: TCP with TLS, TCP
/// with HTTP, UDP DNS, IPv6 DNS.
const FILES: &[&str] = &[
    "joy/tls12.pcap",
    "ndpi/443-safari.pcap",
    "ndpi/exe_download.pcap",
    "ndpi/dns_ambiguous_names.pcap",
    "ndpi/dns-google-nsid.pcapng",
];

/// One TCP/UDP frame as tshark dissects it (desegmentation off).
struct Frame {
    us: u64,
    src: (String, u16),
    dst: (String, u16),
    proto: u8,
    len: u64,
    payload: Vec<u8>,
}

fn tshark_frames(file: &Path) -> Vec<Frame> {
    let out = Command::new("tshark")
        .args(["-n", "-o", "tcp.desegment_tcp_streams:FALSE", "-r"])
        .arg(file)
        .args(["-Y", "tcp or udp", "-T", "fields", "-E", "occurrence=f"])
        .args([
            "-e",
            "frame.time_epoch",
            "-e",
            "ip.src",
            "-e",
            "ipv6.src",
            "-e",
            "ip.dst",
            "-e",
            "ipv6.dst",
            "-e",
            "tcp.srcport",
            "-e",
            "tcp.dstport",
            "-e",
            "udp.srcport",
            "-e",
            "udp.dstport",
            "-e",
            "tcp.len",
            "-e",
            "udp.length",
            "-e",
            "tcp.payload",
            "-e",
            "udp.payload",
        ])
        .output()
        .expect("running tshark (installed by `cargo xtask setup`)");
    assert!(out.status.success(), "tshark failed on {}", file.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let (secs, frac) = f[0].split_once('.').expect("epoch time");
            let us = secs.parse::<u64>().unwrap() * 1_000_000 + frac[..6].parse::<u64>().unwrap();
            let pick = |a: &str, b: &str| {
                if a.is_empty() {
                    b.to_string()
                } else {
                    a.to_string()
                }
            };
            let tcp = !f[5].is_empty();
            let port = |s: &str| s.parse::<u16>().unwrap();
            let (sp, dp) = if tcp {
                (port(f[5]), port(f[6]))
            } else {
                (port(f[7]), port(f[8]))
            };
            let len = if tcp {
                f[9].parse().unwrap()
            } else {
                f[10].parse::<u64>().unwrap() - 8
            };
            let hex = if tcp { f[11] } else { f[12] };
            Frame {
                us,
                src: (pick(f[1], f[2]), sp),
                dst: (pick(f[3], f[4]), dp),
                proto: if tcp { 6 } else { 17 },
                len,
                payload: (0..hex.len() / 2)
                    .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                    .collect(),
            }
        })
        .collect()
}

fn read_features(file: &Path, out: &Path) -> Vec<Value> {
    let st = Command::new(sluice_bin())
        .args([
            "read",
            "--no-progress",
            "--features",
            "splt,bd,entropy",
            "--retrans",
        ])
        .args([
            "--num-pkts",
            "65535",
            "--idle-timeout",
            "1000000",
            "--lifetime-timeout",
            "1000000",
        ])
        .arg("--output")
        .arg(out)
        .arg(file)
        .status()
        .expect("running sluice read");
    assert!(st.success());
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

type Key = (u8, (String, u16), (String, u16));

fn key(proto: u8, a: &(String, u16), b: &(String, u16)) -> Key {
    if a <= b {
        (proto, a.clone(), b.clone())
    } else {
        (proto, b.clone(), a.clone())
    }
}

fn close(got: &Value, want: f64, what: &str, file: &str) {
    let g = got
        .as_f64()
        .unwrap_or_else(|| panic!("{file}: {what} missing"));
    assert!((g - want).abs() < 2e-6, "{file}: {what} {g} != {want}");
}

#[test]
fn splt_and_byte_distribution_match_tshark_frames() {
    let dir = scratch("features-splt-bd");
    let mut checked = 0;
    for name in FILES {
        let file: PathBuf = corpus().join(name);
        let mut flows: HashMap<Key, Vec<Frame>> = HashMap::new();
        for f in tshark_frames(&file) {
            flows
                .entry(key(f.proto, &f.src, &f.dst))
                .or_default()
                .push(f);
        }
        let recs = read_features(&file, &dir.join("out.json"));
        for r in recs.iter().filter(|r| r["pr"] == 6 || r["pr"] == 17) {
            let sa = (
                r["sa"].as_str().unwrap().to_string(),
                r["sp"].as_u64().unwrap() as u16,
            );
            let da = (
                r["da"].as_str().unwrap().to_string(),
                r["dp"].as_u64().unwrap() as u16,
            );
            let frames = flows
                .get(&key(r["pr"].as_u64().unwrap() as u8, &sa, &da))
                .unwrap_or_else(|| panic!("{name}: flow {sa:?} {da:?} unknown to tshark"));
            // SPLT: every frame with payload, lengths and Joy's millisecond gaps.
            let bidir = frames.iter().any(|f| f.src == da);
            let start = frames[0].us;
            let mut last = start;
            let mut want = Vec::new();
            for (i, f) in frames.iter().filter(|f| f.len > 0).enumerate() {
                let ipt = if i == 0 && !bidir {
                    0
                } else {
                    (f.us - last) / 1000
                };
                let dir = if f.src == sa { ">" } else { "<" };
                want.push(format!("{}{dir}{ipt}", f.len));
                last = f.us;
            }
            let got: Vec<String> = r["packets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| format!("{}{}{}", p["b"], p["dir"].as_str().unwrap(), p["ipt"]))
                .collect();
            assert_eq!(got, want, "{name}: SPLT of {sa:?} {da:?}");
            // Byte distribution over the captured payload bytes.
            let mut counts = [0u64; 256];
            let bytes: Vec<u8> = frames
                .iter()
                .flat_map(|f| f.payload.iter().copied())
                .collect();
            for &b in &bytes {
                counts[usize::from(b)] += 1;
            }
            let got: Vec<u64> = r["byte_dist"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            assert_eq!(got, counts.to_vec(), "{name}: byte_dist of {sa:?} {da:?}");
            if bytes.is_empty() {
                assert!(r.get("entropy").is_none());
                continue;
            }
            let n = bytes.len() as f64;
            let mean = bytes.iter().map(|&b| f64::from(b)).sum::<f64>() / n;
            let var = bytes
                .iter()
                .map(|&b| (f64::from(b) - mean).powi(2))
                .sum::<f64>()
                / (n - 1.0).max(1.0);
            let entropy: f64 = -counts
                .iter()
                .filter(|&&c| c > 0)
                .map(|&c| (c as f64 / n) * (c as f64 / n).log2())
                .sum::<f64>();
            close(&r["byte_dist_mean"], mean, "byte_dist_mean", name);
            close(
                &r["byte_dist_std"],
                if bytes.len() > 1 { var.sqrt() } else { 0.0 },
                "byte_dist_std",
                name,
            );
            close(&r["entropy"], entropy, "entropy", name);
            close(
                &r["total_entropy"],
                (entropy * n * 1e6).round() / 1e6,
                "total_entropy",
                name,
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} flows checked");
}
