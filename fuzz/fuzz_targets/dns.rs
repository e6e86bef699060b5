//! DNS feature on arbitrary bytes: the first byte picks how the rest is cut
//! into UDP datagrams and TCP chunks of both directions; nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice::flow::{Direction, Timestamp};
use sluice::proto::dns::{DnsConfig, DnsState};

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let cfg = DnsConfig::default();
    let mut udp = DnsState::default();
    let mut tcp = DnsState::default();
    udp.on_datagram(Direction::Out, rest, Timestamp(0), &cfg);
    let step = usize::from(seed % 31) + 1;
    for (i, chunk) in rest.chunks(step).enumerate() {
        let dir = Direction::from_outbound((usize::from(seed) >> 5 ^ i) & 1 == 0);
        tcp.on_stream(dir, chunk, Timestamp(i as u64), &cfg);
        udp.on_datagram(dir, chunk, Timestamp(i as u64), &cfg);
    }
    let mut out = Vec::new();
    let _ = udp.write_json(&mut out);
    let _ = tcp.write_json(&mut out);
    let _ = (udp.wants_data(), tcp.messages().len());
});
