//! `--zmq`: flows to ntopng's ZMQ collector. A subscriber on a real ZMQ
//! implementation (pyzmq, on libzmq) decodes every message as ntopng's
//! `ZMQCollectorInterface` and `ZMQParserInterface` do (tests/py/zmq_collector.py:
//! two frames, the header told apart by its length, TLV or JSON and
//! compression by version and flags, zlib into ntopng's buffer sizes, nDPI's
//! TLV). Every flow of the run's JSON output is there with the same
//! endpoints, per-direction packets and IP bytes, times, nDPI protocol and
//! TLS server name, in both formats, compressed and not, with Sluice binding
//! or connecting (probe mode), and encrypted with CURVE; message ids run
//! from 1 without a gap, flows and stats (`event`) alike. Bad values are
//! one-line errors.
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use sluice_tests::{assert_option_error, corpus, py_script, python, scratch, sluice_bin};

/// TLS (SNI), DNS and HTTP over IPv4 and IPv6, pcapng.
const CAPTURE: &str = "ndpi/alexa-app.pcapng";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts the collector and waits until its socket is open.
fn collector(endpoint: &str, mode: &str, flows: usize, curve_secret: Option<&str>) -> Child {
    let mut c = Command::new(python());
    c.arg(py_script("zmq_collector.py"))
        .args([endpoint, mode, &flows.to_string(), "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(k) = curve_secret {
        c.arg(k);
    }
    let mut child = c.spawn().expect("running zmq_collector.py");
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    err.read_line(&mut line).expect("collector stderr");
    assert_eq!(line.trim(), "ready", "collector: {line}");
    child
}

/// What the collector received.
struct Received {
    flows: Vec<Value>,
    events: Vec<Value>,
    messages: Vec<Value>,
    gaps: Value,
}

fn received(child: Child) -> Received {
    let out = child.wait_with_output().expect("collector output");
    assert!(out.status.success(), "collector failed");
    let v: Value = serde_json::from_slice(&out.stdout).expect("collector JSON");
    let list = |k: &str| v[k].as_array().expect(k).clone();
    Received {
        flows: list("flows"),
        events: list("events"),
        messages: list("messages"),
        gaps: v["gaps"].clone(),
    }
}

/// `sluice read --features all` of the capture, JSON to `json`, and `args`.
fn read(json: &Path, args: &[&str]) -> (std::process::ExitStatus, String) {
    let out = Command::new(sluice_bin())
        .args(["read", "--no-progress", "--features", "all", "-o"])
        .arg(json)
        .args(args)
        .arg(corpus().join(CAPTURE))
        .output()
        .expect("running sluice");
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_flows(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("JSON output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

/// A flow as both outputs describe it: endpoints, protocol, packets and IP
/// bytes each way, first and last second, nDPI number, TLS server name.
type Summary = (
    String,
    String,
    u64,
    u64,
    u64,
    [u64; 4],
    [u64; 2],
    String,
    String,
);

fn from_json(j: &Value) -> Summary {
    let n = |k: &str| j[k].as_u64().unwrap_or_else(|| panic!("{k} in {j}"));
    let l7 = sluice::l7::L7Proto::from_name(j["l7"].as_str().expect("l7"))
        .expect("an nDPI name")
        .id();
    let sni = j["tls"]["sni"][0]
        .as_str()
        .or(j["quic_sni"].as_str())
        .unwrap_or("")
        .to_string();
    let secs = |k: &str| j[k].as_f64().expect(k).floor() as u64;
    (
        j["sa"].as_str().expect("sa").to_string(),
        j["da"].as_str().expect("da").to_string(),
        n("sp"),
        n("dp"),
        n("pr"),
        [
            n("num_pkts_out"),
            n("ip_bytes_out"),
            n("num_pkts_in"),
            n("ip_bytes_in"),
        ],
        [secs("time_start"), secs("time_end")],
        l7.to_string(),
        sni,
    )
}

fn from_zmq(z: &Value) -> Summary {
    let n = |k: &str| {
        z[k].as_u64()
            .unwrap_or_else(|| panic!("element {k} in {z}"))
    };
    let s = |k: &str| z[k].as_str().unwrap_or("").to_string();
    let (sa, da) = if z.get("8").is_some() {
        (s("8"), s("12"))
    } else {
        (s("27"), s("28"))
    };
    (
        sa,
        da,
        n("7"),
        n("11"),
        n("4"),
        [n("2"), n("1"), n("24"), n("23")],
        [n("22"), n("21")],
        s("57590"),
        s("57660"),
    )
}

fn multiset(v: impl Iterator<Item = Summary>) -> BTreeMap<Summary, usize> {
    let mut m = BTreeMap::new();
    for s in v {
        *m.entry(s).or_default() += 1;
    }
    m
}

/// Every flow of the JSON output is in what the collector received, the
/// message ids are 1, 2, 3, ... for one source, and the last event counts
/// every flow.
fn assert_same_flows(json: &[Value], got: &Received) {
    assert_eq!(got.flows.len(), json.len(), "flows received");
    let want = multiset(json.iter().map(from_json));
    let have = multiset(got.flows.iter().map(from_zmq));
    assert_eq!(have, want);
    let snis = json.iter().filter(|j| !from_json(j).8.is_empty()).count();
    assert!(snis >= 5, "only {snis} flows with a TLS server name");
    let ids: Vec<u64> = got
        .messages
        .iter()
        .map(|m| m[4].as_u64().expect("msg_id"))
        .collect();
    assert_eq!(
        ids,
        (1..=ids.len() as u64).collect::<Vec<_>>(),
        "message ids"
    );
    let sources: std::collections::BTreeSet<u64> = got
        .messages
        .iter()
        .map(|m| m[5].as_u64().expect("source"))
        .collect();
    assert_eq!(sources.len(), 1, "one source id: {sources:?}");
    assert_eq!(got.gaps, serde_json::json!({}));
    let last = got.events.last().expect("a stats event");
    assert_eq!(
        last["zmq"]["num_flow_exports"].as_u64(),
        Some(json.len() as u64)
    );
    assert_eq!(last["timeout"]["idle"], 30);
    let packets: u64 = json
        .iter()
        .map(|j| j["num_pkts_out"].as_u64().unwrap_or(0) + j["num_pkts_in"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(last["packets"].as_u64(), Some(packets));
}

/// Sluice binds, the collector connects (ntopng `-i tcp://PROBE:PORT`).
fn bound_run(name: &str, extra: &[&str], header_len: u64, version: u64) {
    let dir = scratch(name);
    let json = dir.join("flows.json");
    let port = free_port();
    // The JSON output, first without ZMQ, gives the number of flows.
    let (st, err) = read(&json, &[]);
    assert!(st.success(), "{err}");
    let want = json_flows(&json);
    let endpoint = format!("tcp://127.0.0.1:{port}");
    let sub = collector(&endpoint, "connect", want.len(), None);
    let mut args = vec!["--zmq", &endpoint, "--zmq-wait", "20"];
    args.extend_from_slice(extra);
    let (st, err) = read(&json, &args);
    assert!(st.success(), "{err}");
    let got = received(sub);
    assert_same_flows(&json_flows(&json), &got);
    let flow_headers: Vec<(u64, u64)> = got
        .messages
        .iter()
        .filter(|m| m[0] == "flow")
        .map(|m| (m[1].as_u64().unwrap_or(0), m[2].as_u64().unwrap_or(0)))
        .collect();
    assert!(!flow_headers.is_empty());
    assert!(
        flow_headers.iter().all(|h| *h == (header_len, version)),
        "{flow_headers:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tlv_compressed_in_v3_headers() {
    bound_run("zmqtlvz", &[], 36, 4);
}

#[test]
fn tlv_uncompressed_in_v2_headers_for_every_ntopng() {
    bound_run("zmqtlv", &["--zmq-no-compression"], 28, 3);
}

#[test]
fn json_compressed_and_not() {
    bound_run("zmqjsonz", &["--zmq-format", "json"], 28, 2);
    bound_run(
        "zmqjson",
        &["--zmq-format", "json", "--zmq-no-compression"],
        28,
        2,
    );
}

#[test]
fn probe_mode_connects_to_a_collector_that_binds_with_curve() {
    let dir = scratch("zmqprobe");
    let json = dir.join("flows.json");
    let (st, err) = read(&json, &[]);
    assert!(st.success(), "{err}");
    let want = json_flows(&json);
    // Plain probe mode, ntopng's trailing `c`.
    let port = free_port();
    let sub = collector(&format!("tcp://127.0.0.1:{port}"), "bind", want.len(), None);
    let endpoint = format!("tcp://127.0.0.1:{port}c");
    let (st, err) = read(&json, &["--zmq", &endpoint]);
    assert!(st.success(), "{err}");
    assert_same_flows(&json_flows(&json), &received(sub));
    // CURVE: the collector is the server; Sluice has its public key.
    let keys = Command::new(python())
        .args([
            "-c",
            "import zmq; p, s = zmq.curve_keypair(); print(p.decode(), s.decode())",
        ])
        .output()
        .expect("keypair");
    let text = String::from_utf8(keys.stdout).expect("keys");
    let (public, secret) = text.trim().split_once(' ').expect("two keys");
    let port = free_port();
    let sub = collector(
        &format!("tcp://127.0.0.1:{port}"),
        "bind",
        want.len(),
        Some(secret),
    );
    let endpoint = format!("tcp://127.0.0.1:{port}");
    let hex: String = public.bytes().map(|b| format!("{b:02x}")).collect();
    let (st, err) = read(
        &json,
        &[
            "--zmq",
            &endpoint,
            "--zmq-probe-mode",
            "--zmq-server-key",
            &hex,
        ],
    );
    assert!(st.success(), "{err}");
    assert_same_flows(&json_flows(&json), &received(sub));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_zmq_values_are_one_line_errors() {
    let dir = scratch("zmqbad");
    let json = dir.join("flows.json");
    let taken = TcpListener::bind("127.0.0.1:0").expect("listener");
    let busy = format!(
        "tcp://127.0.0.1:{}",
        taken.local_addr().expect("addr").port()
    );
    for (args, option, value) in [
        (vec!["--zmq", "udp://*:5556"], "--zmq", "udp://*:5556"),
        (vec!["--zmq", busy.as_str()], "--zmq", busy.as_str()),
        (
            vec!["--zmq", "tcp://*:5556", "--zmq-format", "xml"],
            "--zmq-format",
            "xml",
        ),
        (
            vec!["--zmq", "tcp://*:5556", "--zmq-server-key", "nope"],
            "--zmq-server-key",
            "nope",
        ),
    ] {
        let (st, err) = read(&json, &args);
        assert_option_error(st, &err, &args, option, value);
    }
    drop(taken);
}
