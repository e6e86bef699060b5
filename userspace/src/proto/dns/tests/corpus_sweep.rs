//! Dev-time sweep over the whole corpus: our DNS parser against tshark's
//! reference. Input made by `scripts/dns_http_sweep.py`; run with
//! `SLUICE_SWEEP=target/sweep/dns_http.jsonl cargo test -p sluice
//! --no-default-features --lib corpus_sweep -- --ignored --nocapture`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::*;
use crate::flow::Direction;
use crate::time::Timestamp;

/// What tshark's reference says about one DNS message (one frame).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Summary {
    response: bool,
    qname: Vec<String>,
    qtype: Vec<String>,
    a: Vec<String>,
    aaaa: Vec<String>,
    cname: Vec<String>,
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn reference(v: &Value) -> Summary {
    Summary {
        response: v.get("response").and_then(Value::as_bool).unwrap_or(false),
        qname: strings(v, "qname"),
        qtype: strings(v, "qtype"),
        a: strings(v, "a"),
        aaaa: strings(v, "aaaa"),
        cname: strings(v, "cname"),
    }
}

fn ours(m: &DnsMessage) -> Summary {
    let pick = |f: &dyn Fn(&RData) -> Option<String>| {
        m.answers.iter().filter_map(|r| f(&r.rdata)).collect()
    };
    Summary {
        response: m.response,
        qname: m
            .questions
            .iter()
            .map(|q| {
                if q.name.is_empty() {
                    "<Root>".to_owned()
                } else {
                    q.name.clone()
                }
            })
            .collect(),
        qtype: m.questions.iter().map(|q| q.qtype.to_string()).collect(),
        a: pick(&|r| match r {
            RData::A(a) => Some(a.to_string()),
            _ => None,
        }),
        aaaa: pick(&|r| match r {
            RData::Aaaa(a) => Some(a.to_string()),
            _ => None,
        }),
        cname: pick(&|r| match r {
            RData::Cname(n) => Some(n.clone()),
            _ => None,
        }),
    }
}

/// tshark's rendering of unprintable name bytes (`\\ddd` escapes, U+FFFD for
/// bytes that are not UTF-8) mapped to ours ('*' for each byte).
fn normalized(mut s: Summary) -> Summary {
    let norm = |n: &String| -> String {
        let mut out = String::new();
        let mut chars = n.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' && chars.peek().is_some_and(char::is_ascii_digit) {
                for _ in 0..3 {
                    chars.next_if(char::is_ascii_digit);
                }
                out.push('*');
            } else if c == '\u{fffd}' {
                out.push('*');
            } else {
                out.push(c);
            }
        }
        out
    };
    s.qname = s.qname.iter().map(norm).collect();
    s.cname = s.cname.iter().map(norm).collect();
    s
}

fn hex(s: &str) -> Vec<u8> {
    super::hex(s)
}

/// Which fields differ, as a short label.
fn diff(a: &Summary, b: &Summary) -> String {
    let mut d = Vec::new();
    if a.response != b.response {
        d.push("response");
    }
    if a.qname != b.qname {
        d.push("qname");
    }
    if a.qtype != b.qtype {
        d.push("qtype");
    }
    if a.a != b.a {
        d.push("a");
    }
    if a.aaaa != b.aaaa {
        d.push("aaaa");
    }
    if a.cname != b.cname {
        d.push("cname");
    }
    d.join("+")
}

#[test]
#[ignore = "dev-time sweep; needs scripts/dns_http_sweep.py output in SLUICE_SWEEP"]
fn corpus_sweep() {
    let path =
        std::env::var("SLUICE_SWEEP").unwrap_or_else(|_| "../target/sweep/dns_http.jsonl".into());
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("no sweep input at {path}; run scripts/dns_http_sweep.py");
        return;
    };
    let cfg = DnsConfig {
        max_answers: 1024,
        ..DnsConfig::default()
    };
    let mut udp_agree_norm = 0;
    let (mut udp_total, mut udp_agree, mut tcp_total, mut tcp_agree) = (0, 0, 0, 0);
    let (mut simple_fail_with_q, mut with_q) = (0, 0);
    let mut kinds: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let file = v.get("file").and_then(Value::as_str).unwrap_or("");
        match v.get("kind").and_then(Value::as_str) {
            Some("udp") => {
                let Some(r) = v.get("dns").filter(|r| !r.is_null()) else {
                    continue;
                };
                let want = reference(r);
                let payload = hex(v.get("payload").and_then(Value::as_str).unwrap_or(""));
                udp_total += 1;
                if !want.qname.is_empty() {
                    with_q += 1;
                    if simple_dns::Packet::parse(&payload).is_err() {
                        simple_fail_with_q += 1;
                    }
                }
                let got = DnsMessage::parse(&payload, Direction::Out, Timestamp(0), &cfg)
                    .map(|m| ours(&m));
                let key = match &got {
                    Ok(g) if *g == want => {
                        udp_agree += 1;
                        udp_agree_norm += 1;
                        continue;
                    }
                    Ok(g) if *g == normalized(want.clone()) => {
                        udp_agree_norm += 1;
                        continue;
                    }
                    Ok(g) => diff(g, &want),
                    Err(e) => format!("error {e}"),
                };
                let frame = v.get("frame").and_then(Value::as_u64).unwrap_or(0);
                let flow = v.get("flow").and_then(Value::as_str).unwrap_or("");
                let e = kinds.entry(format!("udp {key}")).or_default();
                e.0 += 1;
                if e.1.len() < 6 {
                    e.1.push(format!(
                        "{file} frame {frame} ({flow}): ours {got:?} tshark {want:?}"
                    ));
                }
            }
            Some("tcp") => {
                let Some(refs) = v
                    .get("dns")
                    .and_then(Value::as_array)
                    .filter(|r| !r.is_empty())
                else {
                    continue;
                };
                let mut want: Vec<Summary> = refs.iter().map(reference).collect();
                let mut state = DnsState::default();
                for c in v
                    .get("chunks")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let dir =
                        Direction::from_outbound(c.get(0).and_then(Value::as_bool).unwrap_or(true));
                    let data = hex(c.get(1).and_then(Value::as_str).unwrap_or(""));
                    state.on_stream(dir, &data, Timestamp(0), &cfg);
                }
                let mut got: Vec<Summary> = state.messages().iter().map(ours).collect();
                want.sort();
                got.sort();
                tcp_total += want.len();
                if got == want {
                    tcp_agree += want.len();
                } else {
                    let e = kinds.entry("tcp stream".into()).or_default();
                    e.0 += 1;
                    e.1.push(format!("{file}: ours {got:?} tshark {want:?}"));
                }
            }
            _ => {}
        }
    }
    println!("DNS over UDP: {udp_agree}/{udp_total} datagrams agree with tshark");
    println!(
        "DNS over UDP: {udp_agree_norm}/{udp_total} agree once tshark's escapes of unprintable bytes are read as our '*'"
    );
    println!("DNS over TCP: {tcp_agree}/{tcp_total} messages agree with tshark");
    println!(
        "simple-dns 0.9 Packet::parse fails on {simple_fail_with_q} of {with_q} datagrams where tshark reads a question"
    );
    for (k, (n, ex)) in &kinds {
        println!("  {n:5} {k}");
        for e in ex {
            println!("          {e}");
        }
    }
}
