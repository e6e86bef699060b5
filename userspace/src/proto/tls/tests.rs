//! Tests of the whole TLS state on real handshakes. Fixtures are TCP payloads
//! of corpus captures reassembled by tshark (see tests/extract.py); expected
//! values come from tshark/Wireshark, nDPI's published outputs and the JA4 spec.

use super::{TlsConfig, TlsState};
use crate::flow::Direction;
use crate::time::Timestamp;

/// (direction, bytes) per TCP segment, from a fixture file.
fn segments(fixture: &str) -> Vec<(Direction, Vec<u8>)> {
    fixture
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (dir, hex) = l.split_once(' ')?;
            let bytes = (0..hex.len() / 2)
                .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
                .collect();
            Some((Direction::from_outbound(dir == ">"), bytes))
        })
        .collect()
}

/// Feeds segments, one millisecond apart, each split into `piece`-byte chunks.
fn feed(segs: &[(Direction, Vec<u8>)], piece: usize, cfg: &TlsConfig) -> TlsState {
    let mut s = TlsState::default();
    for (i, (dir, b)) in segs.iter().enumerate() {
        let ts = Timestamp(1_000_000_000 + i as u64 * 1_000_000);
        for c in b.chunks(piece.max(1)) {
            s.on_data(*dir, c, ts, cfg);
        }
    }
    s
}

fn json(s: &TlsState) -> String {
    let mut v = Vec::new();
    assert!(s.write_json(&mut v).is_ok());
    String::from_utf8(v).unwrap_or_default()
}

/// The `tls` object as a serde_json value.
fn tls_value(s: &TlsState) -> serde_json::Value {
    let j = json(s);
    let obj = format!("{{{}}}", j.strip_prefix(',').unwrap_or(""));
    serde_json::from_str::<serde_json::Value>(&obj).unwrap_or_default()["tls"].clone()
}

const CURL: &str = include_str!("tests/443-curl.txt");

#[test]
fn curl_tls12_hello_fingerprints_and_cert() {
    let s = feed(&segments(CURL), usize::MAX, &TlsConfig::default());
    // tshark reference (reference/ndpi/443-curl.pcap.json) and nDPI's 443-curl.pcap.out.
    assert_eq!(s.sni(), Some("www.ntop.org"));
    assert_eq!(s.client_version(), Some(0x0303));
    assert_eq!(s.server_version(), Some(0x0303));
    assert_eq!(s.ja3().as_deref(), Some("2a26b1a62e40d25d4de3babc9d532f30"));
    assert_eq!(
        s.ja3s().as_deref(),
        Some("ae53107a2e47ea20c72ac44821a728bf")
    );
    assert_eq!(
        s.ja4().as_deref(),
        Some("t12d6707h2_2955a3196ffa_c83f907a73d3")
    );
    // nDPI: Cipher TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f.
    assert_eq!(s.selected_cipher_suite(), Some(0xc02f));
    let certs = s.server_certificates();
    assert_eq!(certs.len(), 2);
    let leaf = &certs[0];
    // tshark -e x509sat.printableString / nDPI: Subject CN=www.ntop.org,
    // Issuer C=US, O=Let's Encrypt, CN=Let's Encrypt Authority X3.
    assert_eq!(
        leaf.subject,
        vec![("commonName".into(), "www.ntop.org".into())]
    );
    assert_eq!(
        leaf.issuer,
        vec![
            ("countryName".into(), "US".into()),
            ("organizationName".into(), "Let's Encrypt".into()),
            ("commonName".into(), "Let's Encrypt Authority X3".into()),
        ]
    );
    // nDPI: Validity 2019-12-17 01:17:28 - 2020-03-16 01:17:28.
    assert_eq!(leaf.not_before, "Dec 17 01:17:28 2019 GMT");
    assert_eq!(leaf.not_after, "Mar 16 01:17:28 2020 GMT");
    // tshark -e x509af.serialNumber -e x509ce.dNSName -e tls.handshake.certificate_length
    // -e x509af.algorithm.id -e pkcs1.modulus (257 bytes with the sign octet).
    assert_eq!(
        super::hex::hex(&leaf.serial),
        "03c56f6636eda72f7f4c5665fa055d933255"
    );
    assert_eq!(
        super::hex::hex(&certs[1].serial),
        "0a0141420000015385736a0b85eca708"
    );
    assert_eq!(leaf.san, vec!["DNS:www.ntop.org".to_string()]);
    assert_eq!((leaf.length, certs[1].length), (1365, 1174));
    assert_eq!(leaf.signature_algorithm, "sha256WithRSAEncryption");
    assert_eq!(leaf.public_key_algorithm, "rsaEncryption");
    assert_eq!(leaf.public_key_size, 2048);
    assert_eq!(leaf.signature_key_size, 2048);
}

const ANDROID13: &str = include_str!("tests/android-tls13.txt");

#[test]
fn android_chrome_tls13_grease() {
    let s = feed(&segments(ANDROID13), usize::MAX, &TlsConfig::default());
    // reference/ndpi/android.pcap.json (tshark) and nDPI's android.pcap.out.
    assert_eq!(s.sni(), Some("accounts.google.com"));
    assert_eq!(s.ja3().as_deref(), Some("66918128f1b9b03303d77c6f2eefd128"));
    assert_eq!(
        s.ja3s().as_deref(),
        Some("eb1d94daa7e0344597e756a1fb6e7054")
    );
    assert_eq!(
        s.ja4().as_deref(),
        Some("t13d1615h2_46e7e9700bed_45f260be83e2")
    );
    // tshark: supported_versions 0x8a8a (GREASE),0x0304,0x0303,0x0302,0x0301; server 0x0304.
    assert_eq!(
        s.supported_versions(),
        &[0x8a8a, 0x0304, 0x0303, 0x0302, 0x0301]
    );
    assert_eq!(s.server_selected_version(), Some(0x0304));
    assert_eq!(
        (s.client_version(), s.server_version()),
        (Some(0x0303), Some(0x0303))
    );
    // TLS 1.3: the certificate is encrypted.
    assert!(s.server_certificates().is_empty());
    let v = tls_value(&s);
    assert_eq!(v["s_cert_encrypted"], true);
    assert_eq!(v["c_alpn"], serde_json::json!(["h2", "http/1.1"]));
    assert_eq!(v["s_selected_version"], "0304");
    // GREASE stays in Joy's lists (cs/c_extensions) but not in JA3.
    let ja3 = s.ja3_string().unwrap_or_default();
    assert!(!ja3.contains("2570") && !ja3.contains("35466"), "{ja3}");
    let b = split_equal(ANDROID13);
    assert!(b);
}

fn split_equal(fixture: &str) -> bool {
    let segs = segments(fixture);
    let cfg = TlsConfig::default();
    json(&feed(&segs, usize::MAX, &cfg)) == json(&feed(&segs, 1, &cfg))
}

#[test]
fn split_at_every_byte_gives_the_same_result() {
    let segs = segments(CURL);
    let cfg = TlsConfig::default();
    let whole = feed(&segs, usize::MAX, &cfg);
    let bytewise = feed(&segs, 1, &cfg);
    assert!(whole.ja3().is_some());
    assert_eq!(json(&whole), json(&bytewise));
    // Also with everything of a direction in one chunk (records crossing segments).
    let mut joined = TlsState::default();
    for dir in Direction::BOTH {
        let all: Vec<u8> = segs
            .iter()
            .filter(|s| s.0 == dir)
            .flat_map(|s| s.1.clone())
            .collect();
        joined.on_data(dir, &all, Timestamp(1), &cfg);
    }
    assert_eq!(joined.ja3(), whole.ja3());
    assert_eq!(joined.server_certificates(), whole.server_certificates());
}

#[test]
fn a_certificate_seen_before_is_summarized_once_per_thread() {
    let cfg = TlsConfig::default();
    let first = feed(&segments(CURL), usize::MAX, &cfg);
    let again = feed(&segments(CURL), 7, &cfg);
    let (a, b) = (first.server_certificates(), again.server_certificates());
    assert_eq!(a.len(), 2);
    assert_eq!(a, b);
    for (x, y) in a.iter().zip(b) {
        assert!(
            std::sync::Arc::ptr_eq(x, y),
            "the second flow's comes from the cache"
        );
    }
    // Another thread has its own cache, and makes the same summary.
    let other = std::thread::spawn(move || {
        let s = feed(&segments(CURL), usize::MAX, &TlsConfig::default());
        s.server_certificates().to_vec()
    })
    .join()
    .unwrap();
    assert_eq!(other.as_slice(), a);
    assert!(!std::sync::Arc::ptr_eq(&other[0], &a[0]));
}

#[test]
fn curl_json_has_joy_fields() {
    let s = feed(&segments(CURL), usize::MAX, &TlsConfig::default());
    let v = tls_value(&s);
    assert_eq!(v["c_version"], 5);
    assert_eq!(v["s_version"], 5);
    assert_eq!(v["sni"], serde_json::json!(["www.ntop.org"]));
    assert_eq!(v["scs"], "c02f");
    assert_eq!(v["ja3"], "2a26b1a62e40d25d4de3babc9d532f30");
    assert_eq!(
        v["s_cert"][0]["subject"],
        serde_json::json!([{"commonName": "www.ntop.org"}])
    );
    assert_eq!(
        v["s_cert"][0]["validity_not_before"],
        "Dec 17 01:17:28 2019 GMT"
    );
    assert_eq!(v["c_random"].as_str().map(str::len), Some(64));
    // First SALT record: the 512-byte ClientHello record (16 03 01 02 00), direction Out.
    assert_eq!(v["srlt"][0]["b"], 512);
    assert_eq!(v["srlt"][0]["dir"], ">");
    assert_eq!(v["srlt"][0]["tp"], 22);
    assert_eq!(v["srlt"][0]["hs_types"], serde_json::json!([1]));
    assert_eq!(v["srlt"][0]["hs_lens"], serde_json::json!([508]));
    // The server's first record (16 03 03 00 66) holds only the 98-byte ServerHello.
    assert_eq!(v["srlt"][1]["b"], 0x66);
    assert_eq!(v["srlt"][1]["hs_types"], serde_json::json!([2]));
    assert_eq!(v["srlt"][1]["hs_lens"], serde_json::json!([98]));
}

#[test]
fn not_tls_stops_and_prints_nothing() {
    let cfg = TlsConfig::default();
    let mut s = TlsState::default();
    assert!(s.wants_data());
    s.on_data(
        Direction::Out,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        Timestamp(1),
        &cfg,
    );
    assert!(!s.wants_data());
    assert!(s.is_not_tls());
    assert_eq!(json(&s), "");
    // SSLv2-compatible ClientHello (first bytes of such a hello: 80 2e 01 03 01).
    let mut v2 = TlsState::default();
    v2.on_data(
        Direction::Out,
        &[0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15],
        Timestamp(1),
        &cfg,
    );
    assert!(!v2.wants_data());
    assert_eq!(json(&v2), "");
    // Nothing at all: no output either.
    assert_eq!(json(&TlsState::default()), "");
}

#[test]
fn stops_wanting_data_after_handshake_and_full_salt() {
    let cfg = TlsConfig {
        certs: true,
        max_records: 3,
    };
    let s = feed(&segments(CURL), usize::MAX, &cfg);
    assert!(!s.wants_data());
    assert_eq!(
        s.records()
            .iter()
            .filter(|r| r.dir == Direction::Out)
            .count(),
        3
    );
    assert_eq!(
        s.records()
            .iter()
            .filter(|r| r.dir == Direction::In)
            .count(),
        3
    );
    let more = feed(&segments(CURL), usize::MAX, &TlsConfig::default());
    assert!(more.wants_data());
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Explains a JA4 that differs from nDPI's by nDPI's known deviations from the
/// FoxIO spec, or returns "differ".
fn ndpi_ja4_quirk(ndpi: &str, ours: &str) -> &'static str {
    let (n, o) = (ndpi.as_bytes(), ours.as_bytes());
    if n.len() != o.len() || n.len() < 36 {
        return "differ";
    }
    let diff: Vec<usize> = (0..n.len()).filter(|i| n.get(*i) != o.get(*i)).collect();
    let mut reasons = Vec::new();
    let mut rest: Vec<usize> = Vec::new();
    for i in diff {
        match i {
            3 => reasons.push("sni-flag"),
            8 | 9 => reasons.push("alpn-chars"),
            _ => rest.push(i),
        }
    }
    if !rest.is_empty() {
        if ndpi.ends_with("_e3b0c44298fc")
            && ours.ends_with("_000000000000")
            && rest.iter().all(|i| *i >= 24)
        {
            reasons.push("empty-hash");
        } else {
            return "differ";
        }
    }
    reasons.sort_unstable();
    reasons.dedup();
    leak(format!("differs only by nDPI quirk: {}", reasons.join("+")))
}

/// All-corpus sweep: needs `extract.py sweep /tmp/tls-sweep.jsonl` first
/// (or TLS_SWEEP=path). Counts agreement with Wireshark's JA3/JA3S/SNI and
/// nDPI's JA4, and panics (there must be none).
#[test]
#[ignore]
fn corpus_sweep() {
    let path = std::env::var("TLS_SWEEP").unwrap_or_else(|_| "/tmp/tls-sweep.jsonl".into());
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("no {path}");
        return;
    };
    let cfg = TlsConfig::default();
    let mut n = std::collections::BTreeMap::<&str, usize>::new();
    let mut shown = 0;
    for line in text.lines() {
        let Ok(row) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let segs: Vec<(Direction, Vec<u8>)> = row["chunks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let d = c[0].as_str()?;
                let h = c[1].as_str()?;
                let b = (0..h.len() / 2)
                    .filter_map(|i| u8::from_str_radix(h.get(2 * i..2 * i + 2)?, 16).ok())
                    .collect();
                Some((Direction::from_outbound(d == ">"), b))
            })
            .collect();
        let r = std::panic::catch_unwind(|| {
            let s = feed(&segs, usize::MAX, &cfg);
            let _ = json(&s);
            s
        });
        *n.entry("streams").or_default() += 1;
        let Ok(s) = r else {
            *n.entry("PANICS").or_default() += 1;
            continue;
        };
        let mut check = |what: &'static str, want: Option<&str>, got: Option<String>| {
            let Some(want) = want else { return };
            let verdict = if Some(want) == got.as_deref() {
                "agree"
            } else if what == "ja4" {
                ndpi_ja4_quirk(want, got.as_deref().unwrap_or(""))
            } else {
                "differ"
            };
            *n.entry(leak(format!("{what} {verdict}"))).or_default() += 1;
            if verdict.ends_with("differ") && shown < 60 {
                shown += 1;
                eprintln!(
                    "{} stream {} {what}: want {want} got {got:?}",
                    row["file"], row["stream"]
                );
            }
        };
        check("ja3", row["ja3"][0].as_str(), s.ja3());
        check("ja3s", row["ja3s"][0].as_str(), s.ja3s());
        check("sni", row["sni"][0].as_str(), s.sni().map(str::to_string));
        check("ja4", row["ndpi"]["ja4"].as_str(), s.ja4());
    }
    eprintln!("{n:#?}");
    assert_eq!(n.get("PANICS"), None);
}
