//! Dev-time sweep over the whole corpus: our HTTP parser against tshark's
//! reference, TCP streams reassembled by tshark and UDP (SSDP) datagrams.
//! Input made by `scripts/dns_http_sweep.py`; run with `SLUICE_SWEEP=...
//! cargo test -p sluice --no-default-features --lib corpus_sweep --
//! --ignored --nocapture`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::*;
use crate::flow::Direction;
use crate::time::Timestamp;

/// (method, host, uri, user-agent) of a request, or the code of a response.
type Key = (String, String, String, String);

fn all(v: &Value, key: &str) -> Vec<String> {
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

/// Reference requests and response codes of one frame entry (a frame may
/// carry several pipelined messages: tshark lists each field's values).
fn reference(v: &Value, reqs: &mut Vec<Key>, codes: &mut Vec<String>) {
    let methods = all(v, "method");
    let (hosts, uris, uas) = (all(v, "host"), all(v, "uri"), all(v, "user_agent"));
    for (i, m) in methods.iter().enumerate() {
        let get = |l: &Vec<String>| l.get(i).cloned().unwrap_or_default();
        reqs.push((m.clone(), get(&hosts), get(&uris), get(&uas)));
    }
    codes.extend(all(v, "response_code"));
}

fn ours(s: &HttpState, reqs: &mut Vec<Key>, codes: &mut Vec<String>) {
    for m in s.messages() {
        match m.status() {
            Some(c) => codes.push(c.to_string()),
            None => reqs.push((
                m.method().unwrap_or("").into(),
                m.host().unwrap_or("").into(),
                m.uri().unwrap_or("").into(),
                m.user_agent().unwrap_or("").into(),
            )),
        }
    }
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
    let cfg = HttpConfig {
        max_messages: 10_000,
        ..HttpConfig::default()
    };
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut examples: Vec<String> = Vec::new();
    let mut first_example = None;
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let file = v.get("file").and_then(Value::as_str).unwrap_or("");
        let (mut want_r, mut want_c, mut got_r, mut got_c) = (vec![], vec![], vec![], vec![]);
        let mut state = HttpState::default();
        let kind = match v.get("kind").and_then(Value::as_str) {
            Some("udp") => {
                let Some(r) = v.get("http").filter(|r| !r.is_null()) else {
                    continue;
                };
                reference(r, &mut want_r, &mut want_c);
                let p = super::hex(v.get("payload").and_then(Value::as_str).unwrap_or(""));
                state.on_datagram(Direction::Out, &p, Timestamp(0), &cfg);
                "udp"
            }
            Some("tcp") => {
                let refs = v
                    .get("http")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if refs.is_empty() {
                    continue;
                }
                refs.iter()
                    .for_each(|r| reference(r, &mut want_r, &mut want_c));
                for c in v
                    .get("chunks")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let dir =
                        Direction::from_outbound(c.get(0).and_then(Value::as_bool).unwrap_or(true));
                    let data = super::hex(c.get(1).and_then(Value::as_str).unwrap_or(""));
                    state.on_data(dir, &data, Timestamp(0), &cfg);
                }
                "tcp"
            }
            _ => continue,
        };
        ours(&state, &mut got_r, &mut got_c);
        for list in [&mut want_r, &mut got_r] {
            list.sort();
        }
        want_c.sort();
        got_c.sort();
        let e = counts.entry(kind).or_default();
        e.0 += want_r.len() + want_c.len();
        // Count per message: matched requests and codes (multiset intersection).
        let mut matched = 0;
        let mut g = got_r.clone();
        for w in &want_r {
            if let Some(i) = g.iter().position(|x| x == w) {
                g.remove(i);
                matched += 1;
            }
        }
        let mut gc = got_c.clone();
        for w in &want_c {
            if let Some(i) = gc.iter().position(|x| x == w) {
                gc.remove(i);
                matched += 1;
            }
        }
        e.1 += matched;
        if matched < want_r.len() + want_c.len() || !g.is_empty() || !gc.is_empty() {
            let stream = v
                .get("stream")
                .or(v.get("frame"))
                .cloned()
                .unwrap_or(Value::Null);
            if examples.len() < 40 {
                examples.push(format!(
                    "{kind} {file} {stream}: tshark {want_r:?} {want_c:?} / ours extra {g:?} {gc:?} (ours {} reqs {} codes)",
                    got_r.len(),
                    got_c.len()
                ));
            }
            first_example.get_or_insert(file.to_owned());
        }
    }
    for (k, (total, ok)) in &counts {
        println!("HTTP over {k}: {ok}/{total} tshark messages matched exactly (method, host, uri, user-agent / status code)");
    }
    for e in &examples {
        println!("  {}", e.chars().take(400).collect::<String>());
    }
}
