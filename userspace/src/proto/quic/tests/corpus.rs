//! Real captures: every client→server UDP datagram of each flow goes through
//! [`QuicInitialState`] the way the L7 classifier feeds it, and the SNI found
//! per flow must equal the one tshark (which decrypts Initials too) put in
//! the corpus reference (`reference/<folder>/<file>.json`, `tls_sni`).
//!
//! Captures (see the corpus MANIFEST.tsv): `ndpi/*` from ntop/nDPI
//! tests/cfgs/default/pcap @ 3b1286ab, LGPL-3.0; `ipfixprobe/*` from
//! CESNET/ipfixprobe tests/functional/inputs @ f0f16888, BSD-3-Clause.
//! nDPI's published ndpiReader outputs for the same captures
//! (`expected/ndpi/<file>.out`) give the advertised ALPN lists, compared too.
//! Skipped (with a message) when the corpus is not on this machine.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::super::*;
use crate::capfile::CaptureFile;
use crate::decode::{decode, DecodeOptions, IpProto, LinkType, Packet};

/// Every corpus capture that MANIFEST.tsv tags `quic`, plus the gQUIC ones.
const FILES: &[&str] = &[
    "ipfixprobe/quic_initial-sample.pcap",
    "ipfixprobe/tls.pcap",
    "ndpi/dlt_ppp.pcap",
    "ndpi/doq.pcapng",
    "ndpi/doq_adguard.pcapng",
    "ndpi/google_meet.pcapng",
    "ndpi/gquic.pcap",
    "ndpi/os_detected.pcapng",
    "ndpi/quic-23.pcap",
    "ndpi/quic-24.pcap",
    "ndpi/quic-27.pcap",
    "ndpi/quic-28.pcap",
    "ndpi/quic-29.pcap",
    "ndpi/quic-33.pcapng",
    "ndpi/quic-34.pcap",
    "ndpi/quic-forcing-vn-with-data.pcapng",
    "ndpi/quic-fuzz-overflow.pcapng",
    "ndpi/quic-mvfst-22.pcap",
    "ndpi/quic-mvfst-22_decryption_error.pcap",
    "ndpi/quic-mvfst-27.pcapng",
    "ndpi/quic-mvfst-exp.pcap",
    "ndpi/quic-v2.pcapng",
    "ndpi/quic.pcap",
    "ndpi/quic046.pcap",
    "ndpi/quic_0RTT.pcap",
    "ndpi/quic_cc_ack.pcapng",
    "ndpi/quic_crypto_aes_auth_size.pcap",
    "ndpi/quic_frags_ch_in_multiple_packets.pcapng",
    "ndpi/quic_frags_ch_out_of_order_same_packet_craziness.pcapng",
    "ndpi/quic_frags_different_dcid.pcapng",
    "ndpi/quic_interop_V.pcapng",
    "ndpi/quic_q39.pcap",
    "ndpi/quic_q43.pcap",
    "ndpi/quic_q46.pcap",
    "ndpi/quic_q46_b.pcap",
    "ndpi/quic_q50.pcap",
    "ndpi/quic_sh.pcap",
    "ndpi/quic_t50.pcap",
    "ndpi/quic_t51.pcap",
    "ndpi/sites.pcapng",
    "ndpi/snapchat_call_v1.pcapng",
    "ndpi/youtube_quic.pcap",
];

type Endpoint = (IpAddr, u16);
type Key = (Endpoint, Endpoint);

fn key(a: Endpoint, b: Endpoint) -> Key {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// `$SLUICE_CORPUS`, else `shared/corpus` beside the repository.
fn corpus() -> Option<PathBuf> {
    let p = std::env::var_os("SLUICE_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
        PathBuf::from,
    );
    p.join("MANIFEST.tsv").exists().then_some(p)
}

/// tshark's first SNI per UDP flow ("17 A:P <-> B:P", IPv6 unbracketed).
fn reference(path: &Path) -> BTreeMap<Key, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let v: Value = serde_json::from_str(&text).unwrap_or_default();
    let mut out = BTreeMap::new();
    for s in v["tls_sni"].as_array().into_iter().flatten() {
        let (Some(flow), Some(sni)) = (s["flow"].as_str(), s["sni"].as_str()) else {
            continue;
        };
        let Some(rest) = flow.strip_prefix("17 ") else {
            continue;
        };
        let ep = |s: &str| -> Option<Endpoint> {
            let (ip, port) = s.rsplit_once(':')?;
            Some((ip.parse().ok()?, port.parse().ok()?))
        };
        let Some((a, b)) = rest.split_once(" <-> ") else {
            continue;
        };
        if let (Some(a), Some(b)) = (ep(a), ep(b)) {
            out.entry(key(a, b)).or_insert_with(|| sni.to_owned());
        }
    }
    out
}

/// nDPI's advertised ALPN list per UDP flow, from its published ndpiReader
/// output (`expected/ndpi/<file>.out`: "UDP A:P <-> B:P [...][(Advertised)
/// ALPNs: h3;h3-29]", IPv6 in brackets).
fn ndpi_alpn(path: &Path) -> BTreeMap<Key, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().split_once("UDP ").map(|(_, r)| r) else {
            continue;
        };
        let Some((flow, tail)) = rest.split_once(" [") else {
            continue;
        };
        let Some(alpn) = tail.split_once("(Advertised) ALPNs: ").map(|(_, a)| a) else {
            continue;
        };
        let alpn = alpn.split(']').next().unwrap_or("");
        let ep = |s: &str| -> Option<Endpoint> {
            let (ip, port) = s.rsplit_once(':')?;
            let ip = ip.trim_start_matches('[').trim_end_matches(']');
            Some((ip.parse().ok()?, port.parse().ok()?))
        };
        let Some((a, b)) = flow.split_once(" <-> ") else {
            continue;
        };
        if let (Some(a), Some(b)) = (ep(a), ep(b)) {
            out.insert(key(a, b), alpn.to_owned());
        }
    }
    out
}

fn addr(p: &Packet, a: [u8; 16]) -> IpAddr {
    if p.ip_version == 4 {
        IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3]))
    } else {
        IpAddr::V6(Ipv6Addr::from(a))
    }
}

/// One UDP flow as the classifier sees it: the sender of its first packet
/// is the client.
struct Flow {
    client: Endpoint,
    state: Option<Box<QuicInitialState>>,
    /// A final answer was reached (or the state was dropped).
    finished: bool,
    /// The final progress (None while none).
    last: Option<QuicProgress>,
}

/// The last progress per UDP flow of a capture (None: never looked like QUIC).
fn ours(path: &Path) -> BTreeMap<Key, Option<QuicProgress>> {
    let mut flows: BTreeMap<Key, Flow> = BTreeMap::new();
    let Ok(mut cap) = CaptureFile::open(path) else {
        return BTreeMap::new();
    };
    let opts = DecodeOptions {
        decode_tunnels: true,
    };
    while let Ok(Some(fp)) = cap.next_packet() {
        let Some(link) = LinkType::from_dlt(fp.linktype) else {
            continue;
        };
        let Ok(p) = decode(link, fp.data, opts) else {
            continue;
        };
        if p.proto != IpProto::UDP || p.frag.is_some_and(|f| !f.is_first() || f.more) {
            continue;
        }
        let src = (addr(&p, p.src), p.sport);
        let dst = (addr(&p, p.dst), p.dport);
        let off = p.payload_offset as usize;
        let payload = fp
            .data
            .get(off..(off + p.payload_len as usize).min(fp.data.len()))
            .unwrap_or(&[]);
        let f = flows.entry(key(src, dst)).or_insert(Flow {
            client: src,
            state: None,
            finished: false,
            last: None,
        });
        if f.finished || src != f.client {
            continue;
        }
        if f.state.is_none() && looks_like_initial(payload).is_some() {
            f.state = Some(Box::default());
        }
        let Some(st) = f.state.as_mut() else { continue };
        let p = st.push(payload);
        if p != QuicProgress::NeedMore {
            f.finished = true;
            f.state = None;
        }
        f.last = Some(p);
    }
    flows.into_iter().map(|(k, f)| (k, f.last)).collect()
}

#[test]
fn sni_per_flow_matches_tshark() {
    let Some(root) = corpus() else {
        eprintln!("corpus not found; set SLUICE_CORPUS");
        return;
    };
    let (mut want_total, mut matched, mut files) = (0usize, 0usize, 0usize);
    let (mut alpn_total, mut alpn_matched) = (0usize, 0usize);
    let mut versions: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    // Flows without an SNI from tshark: what became of them.
    let mut others: BTreeMap<String, usize> = BTreeMap::new();
    for file in FILES {
        let cap = root.join(file);
        if !cap.exists() {
            continue;
        }
        files += 1;
        let want = reference(&root.join("reference").join(format!("{file}.json")));
        let got = ours(&cap);
        for (k, sni) in &want {
            want_total += 1;
            let ours = got.get(k).and_then(|h| h.as_ref());
            let hello = match ours {
                Some(QuicProgress::Done(h)) => h.sni.as_deref(),
                _ => None,
            };
            if hello == Some(sni.as_str()) {
                matched += 1;
            } else {
                problems.push(format!("{file} {k:?}: tshark {sni:?}, ours {ours:?}"));
            }
        }
        let alpn = ndpi_alpn(&root.join("expected").join(format!("{file}.out")));
        for (k, want_alpn) in &alpn {
            alpn_total += 1;
            let ours = match got.get(k) {
                Some(Some(QuicProgress::Done(h))) => Some(h.alpn.join(";")),
                _ => None,
            };
            if ours.as_deref() == Some(want_alpn.as_str()) {
                alpn_matched += 1;
            } else {
                problems.push(format!(
                    "{file} {k:?}: nDPI ALPN {want_alpn}, ours {ours:?}"
                ));
            }
        }
        for (k, h) in &got {
            if !want.contains_key(k) {
                let kind = match h {
                    None => "never an Initial".to_owned(),
                    Some(QuicProgress::Done(h)) => format!("Done, SNI {:?}", h.sni),
                    Some(p) => format!("{p:?}"),
                };
                *others.entry(format!("{file}: {kind}")).or_default() += 1;
            }
            let Some(QuicProgress::Done(h)) = h else {
                continue;
            };
            *versions
                .entry(version_name(h.version).to_string())
                .or_default() += 1;
            if h.sni.is_some() && !want.contains_key(k) {
                problems.push(format!("{file} {k:?}: tshark none, ours {h:?}"));
            }
        }
    }
    eprintln!(
        "{files} captures: {matched}/{want_total} flows with tshark's SNI matched, \
         {alpn_matched}/{alpn_total} with nDPI's ALPN list; versions {versions:?}"
    );
    for (what, n) in &others {
        eprintln!("  no tshark SNI: {n} flow(s) {what}");
    }
    for p in &problems {
        eprintln!("{p}");
    }
    assert!(problems.is_empty(), "{} flows differ", problems.len());
    assert!(
        files == 0 || want_total >= 200,
        "too few SNIs: {want_total}"
    );
}
