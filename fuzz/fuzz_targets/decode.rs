//! Fuzz target: the decoder never panics on any link type, with or without tunnel
//! decapsulation, its summary stays within the frame, and what it accepts feeds the
//! flow table (fragment tracking included) and the JSON writer without panicking.
//!
//! The first input byte chooses the link type (low 7 bits, modulo the number of link
//! types) and the tunnel flag (high bit); the rest is the frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice::{
    decode::{decode, DecodeOptions, LinkType},
    export::write_flow_json,
    flow::{FlowTableConfig, Timestamp},
    policy::FlowTable,
};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, frame)) = data.split_first() else {
        return;
    };
    let link = LinkType::ALL[usize::from(sel & 0x7f) % LinkType::ALL.len()];
    let opts = DecodeOptions {
        decode_tunnels: sel & 0x80 != 0,
    };
    if let Ok(pkt) = decode(link, frame, opts) {
        assert!(pkt.payload_offset as usize <= frame.len());
        assert!(pkt.payload_len <= pkt.ip_len);
    }
    let mut table: FlowTable = FlowTable::new(FlowTableConfig {
        max_flows: 4,
        max_fragments: 4,
        decode_tunnels: opts.decode_tunnels,
        ..FlowTableConfig::default()
    });
    // Twice, so the second packet finds the flow (and fragment train) the first made.
    for t in 1..3 {
        table.process_frame(link, frame, frame.len() as u32, Timestamp(t));
    }
    table.flush();
    let mut out = Vec::new();
    for r in table.drain_exported() {
        let _ = write_flow_json(&r, &mut out);
    }
});
