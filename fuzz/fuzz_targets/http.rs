//! HTTP feature on arbitrary bytes: the first byte picks how the rest is cut
//! into stream chunks of both directions (and one datagram); nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice::flow::{Direction, Timestamp};
use sluice::proto::http::{HttpConfig, HttpState};

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let cfg = HttpConfig {
        max_header_bytes: 512,
        ..HttpConfig::default()
    };
    let mut s = HttpState::default();
    s.on_datagram(Direction::Out, rest, Timestamp(0), &cfg);
    let step = usize::from(seed % 31) + 1;
    for (i, chunk) in rest.chunks(step).enumerate() {
        let dir = Direction::from_outbound((usize::from(seed) >> 5 ^ i) & 1 == 0);
        s.on_data(dir, chunk, Timestamp(i as u64), &cfg);
    }
    let rewrite = |v: &str| v.contains('a').then(|| v.replace('a', "b"));
    let mut out = Vec::new();
    let _ = s.write_json(&mut out, Some(&rewrite));
    let _ = (s.wants_data(), s.messages().len());
});
