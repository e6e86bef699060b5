//! The strict IPFIX decoder (the referee of the exporter's tests) on
//! arbitrary bytes: as a stream of messages, and message by message through
//! strict, lenient and UDP sessions; nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice_ipfix::decode::{parse_message, parse_stream, Session};

fuzz_target!(|data: &[u8]| {
    let _ = parse_stream(data);
    let mut strict = Session::new();
    let mut lenient = Session::new();
    lenient.strict = false;
    lenient.check_sequence = false;
    let mut udp = Session::new();
    udp.udp = true;
    let mut at = 0;
    while at < data.len() {
        let Ok((m, used)) = parse_message(&data[at..]) else {
            break;
        };
        for s in [&mut strict, &mut lenient, &mut udp] {
            if let Ok(recs) = s.feed(&m) {
                for r in &recs {
                    for (_, v) in &r.values {
                        let _ = (v.as_u64(), v.as_str(), v.as_list().map(|l| l.items.len()));
                    }
                }
            }
        }
        at += used.max(1);
    }
});
