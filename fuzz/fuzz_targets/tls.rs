//! TLS feature state: arbitrary bytes cut into chunks for both directions.
//! The first byte of each chunk header picks the direction and length.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice::flow::{Direction, Timestamp};
use sluice::proto::tls::{TlsConfig, TlsState};

fuzz_target!(|data: &[u8]| {
    let cfg = TlsConfig {
        certs: true,
        max_records: 8,
    };
    let mut s = TlsState::default();
    let mut rest = data;
    let mut t = 0u64;
    while let Some((&ctl, tail)) = rest.split_first() {
        let n = usize::from(ctl & 0x7f) * 8 + 1;
        let (chunk, tail) = tail.split_at(n.min(tail.len()));
        t += 1_000_000;
        s.on_data(
            Direction::from_outbound(ctl & 0x80 == 0),
            chunk,
            Timestamp(t),
            &cfg,
        );
        let _ = s.wants_data();
        rest = tail;
    }
    let mut out = Vec::new();
    let _ = s.write_json(&mut out);
    let _ = (s.ja3(), s.ja3s(), s.ja4(), s.ja4_r(), s.sni());
});
