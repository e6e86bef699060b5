//! Tests of the exporter against the crate's strict decoder.

mod batch;
mod exporter;
mod fields;
mod property;
mod tcp;
mod udp;

use std::path::PathBuf;

use crate::decode::{parse_stream, Record, Session};

/// A fresh scratch path for one test.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sluice-ipfix-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

/// Decodes a whole IPFIX file or TCP stream strictly (sequence numbers
/// checked, templates before data), checking every message against `mtu`.
pub(crate) fn decode_all(bytes: &[u8], mtu: usize) -> Vec<Record> {
    let msgs = parse_stream(bytes).expect("the stream parses");
    let mut s = Session::new();
    let mut out = Vec::new();
    for m in &msgs {
        assert!(
            usize::from(m.length) <= mtu,
            "message of {} bytes > mtu {mtu}",
            m.length
        );
        out.extend(s.feed(m).expect("the session accepts the message"));
    }
    out
}

/// A file's messages without their export time (which depends on the clock).
pub(crate) fn messages_without_time(path: &std::path::Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).expect("the file");
    let mut out = Vec::new();
    let mut at = 0;
    for m in parse_stream(&bytes).expect("messages") {
        let len = usize::from(m.length);
        let mut msg = bytes[at..at + len].to_vec();
        msg[4..8].fill(0);
        out.push(msg);
        at += len;
    }
    out
}
