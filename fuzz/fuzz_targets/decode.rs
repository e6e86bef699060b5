//! Fuzz target: the decoder never panics on any link type, with or without tunnel
//! decapsulation, and what it accepts feeds the flow table and the JSON writer
//! without panicking either.
//!
//! The first input byte chooses the link type (low 7 bits, modulo the number of
//! link types) and the tunnel flag (high bit); the rest is the frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice::{
    decode::{decode, DecodeOptions, LinkType},
    export::write_flow_json,
    flow::{FlowTable, FlowTableConfig, Timestamp},
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
        let mut table = FlowTable::new(FlowTableConfig {
            max_flows: 4,
            ..FlowTableConfig::default()
        });
        let mut out = Vec::new();
        table.process(&pkt, frame.len() as u32, Timestamp(1), &mut |r| {
            let _ = write_flow_json(&r, &mut out);
        });
        table.flush(&mut |r| {
            let _ = write_flow_json(&r, &mut out);
        });
    }
});
