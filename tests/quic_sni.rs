//! `sluice read` reports the server name of QUIC flows (`quic_sni`, decrypted from the
//! client's Initial packets) exactly as tshark does, for every corpus capture where
//! tshark's reference (`reference/<folder>/<file>.json`, `tls_sni` of UDP flows) has one.
use std::{collections::BTreeMap, process::Command};

use serde_json::Value;
use sluice_tests::{corpus, ordered, scratch, sluice_bin, Endpoint};

fn endpoint(s: &str) -> Option<Endpoint> {
    let (ip, port) = s.rsplit_once(':')?;
    Some((ip.parse().ok()?, port.parse().ok()?))
}

#[test]
fn quic_server_names_equal_tsharks() {
    let root = corpus();
    let dir = scratch("quic_sni");
    let (mut files, mut flows, mut agree) = (0, 0, 0);
    let mut wrong = Vec::new();
    for folder in ["ndpi", "ipfixprobe", "joy"] {
        let Ok(rd) = std::fs::read_dir(root.join("reference").join(folder)) else {
            continue;
        };
        let mut refs: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        refs.sort();
        for r in refs {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&r).expect("ref"))
                .expect("reference JSON");
            let mut want = BTreeMap::new();
            for e in v["tls_sni"].as_array().into_iter().flatten() {
                let flow = e["flow"].as_str().unwrap_or_default();
                let Some(rest) = flow.strip_prefix("17 ") else {
                    continue;
                };
                let Some((a, b)) = rest.split_once(" <-> ") else {
                    continue;
                };
                if let (Some(a), Some(b)) = (endpoint(a), endpoint(b)) {
                    want.insert(
                        ordered(a, b),
                        e["sni"].as_str().unwrap_or_default().to_string(),
                    );
                }
            }
            if want.is_empty() {
                continue;
            }
            let name = r
                .file_name()
                .unwrap()
                .to_string_lossy()
                .replace(".json", "");
            let pcap = root.join(folder).join(&name);
            let out = dir.join(format!("{name}.json"));
            let st = Command::new(sluice_bin())
                .args(["read", "--no-progress", "-o"])
                .arg(&out)
                .arg(&pcap)
                .output()
                .expect("sluice read");
            assert!(
                st.status.code() != Some(2),
                "{}",
                String::from_utf8_lossy(&st.stderr)
            );
            files += 1;
            let mut got = BTreeMap::new();
            for l in std::fs::read_to_string(&out).unwrap_or_default().lines() {
                let f: Value = serde_json::from_str(l).expect("JSON");
                if f["pr"] != 17 {
                    continue;
                }
                let ep = |a: &str, p: &str| -> Option<Endpoint> {
                    Some((f[a].as_str()?.parse().ok()?, f[p].as_u64()? as u16))
                };
                if let (Some(a), Some(b)) = (ep("sa", "sp"), ep("da", "dp")) {
                    if let Some(s) = f["quic_sni"].as_str() {
                        got.insert(ordered(a, b), s.to_string());
                    }
                }
            }
            for (k, sni) in &want {
                flows += 1;
                if got.get(k) == Some(sni) {
                    agree += 1;
                } else {
                    wrong.push(format!(
                        "{name} {k:?}: tshark {sni:?}, sluice {:?}",
                        got.get(k)
                    ));
                }
            }
        }
    }
    eprintln!("{files} captures, {flows} QUIC flows with an SNI, {agree} equal");
    // Rule: the DTLS flow of rdp2.pcap carries a DTLS ClientHello that tshark lists
    // under tls_sni; it is not QUIC, and Sluice does not report DTLS server names.
    wrong.retain(|w| !w.starts_with("rdp2.pcap"));
    assert!(flows > 150, "{flows}");
    assert!(
        wrong.is_empty(),
        "{} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
