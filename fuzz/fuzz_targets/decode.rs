//! Fuzz target: the Ethernet decoder never panics, and what it accepts feeds the flow
//! table and the JSON writer without panicking either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice::{
    decode::decode_ethernet,
    export::write_flow_json,
    flow::{FlowTable, FlowTableConfig, Timestamp},
};

fuzz_target!(|data: &[u8]| {
    if let Ok(pkt) = decode_ethernet(data) {
        let mut table = FlowTable::new(FlowTableConfig {
            max_flows: 4,
            ..FlowTableConfig::default()
        });
        let mut out = Vec::new();
        table.process(&pkt, data.len() as u32, Timestamp(1), &mut |r| {
            let _ = write_flow_json(&r, &mut out);
        });
        table.flush(&mut |r| {
            let _ = write_flow_json(&r, &mut out);
        });
    }
});
