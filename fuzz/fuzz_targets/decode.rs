//! Fuzz target: the decoder never panics on any link type, with or without tunnel
//! decoding, and what it accepts feeds the flow table and the JSON writer without
//! panicking either. The first input byte picks the link type (low bits) and the
//! tunnel flag (high bit); the rest is the frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice::{
    decode::LinkType,
    export::write_flow_json,
    flow::{FlowTable, FlowTableConfig, Timestamp},
};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, frame)) = data.split_first() else {
        return;
    };
    let link = LinkType::ALL[usize::from(sel & 0x7f) % LinkType::ALL.len()];
    let mut table: FlowTable = FlowTable::new(FlowTableConfig {
        max_flows: 4,
        max_fragments: 4,
        decode_tunnels: sel & 0x80 != 0,
        ..FlowTableConfig::default()
    });
    // Twice, so the second packet finds the flow (and its fragment train) the first made.
    for t in 1..3 {
        table.process_frame(link, frame, frame.len() as u32, Timestamp(t));
    }
    table.flush();
    let mut out = Vec::new();
    for r in table.drain_exported() {
        let _ = write_flow_json(&r, &mut out);
    }
});
