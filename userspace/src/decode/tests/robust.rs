//! Random and mutated inputs: the decoder never panics, for every link type,
//! with and without tunnels, and its summaries keep their invariants.

use super::{tcp4_opts_frame, udp4_frame, v6_ext_frame};
use crate::decode::{decode, decode_ethernet, DecodeOptions, DecodeReason, LinkType};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Decodes `frame`, checks the summary's invariants, and tallies the outcome
/// in `seen` (index `DecodeReason::COUNT` counts successes).
fn check(link: LinkType, tunnels: bool, frame: &[u8], seen: &mut [u64; DecodeReason::COUNT + 1]) {
    let opts = DecodeOptions {
        decode_tunnels: tunnels,
    };
    match decode(link, frame, opts) {
        Ok(p) => {
            assert!(p.ip_version == 4 || p.ip_version == 6);
            assert!(p.payload_offset as usize <= frame.len());
            assert!(p.payload_len <= p.ip_len);
            seen[DecodeReason::COUNT] += 1;
        }
        Err(e) => seen[e.reason().index()] += 1,
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut buf = [0u8; 160];
    let types: [u16; 8] = [
        0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806, 0x8847, 0x8864, 0x8903,
    ];
    let mut seen = [0u64; DecodeReason::COUNT + 1];
    for i in 0..300_000 {
        let len = (rng.next() % 161) as usize;
        for b in buf.iter_mut() {
            *b = rng.next() as u8;
        }
        // Steer most Ethernet buffers past the Ethernet layer so deeper code runs.
        let r = rng.next();
        if !r.is_multiple_of(4) {
            let t = types[(r >> 8) as usize % types.len()];
            buf[12..14].copy_from_slice(&t.to_be_bytes());
            let version = if t == 0x86dd { 0x60 } else { 0x40 };
            buf[14] = version | (buf[14] & 0x0f);
        }
        let link = if i % 2 == 0 {
            LinkType::Ethernet
        } else {
            LinkType::ALL[(r >> 20) as usize % LinkType::ALL.len()]
        };
        check(link, r & 0x10000 != 0, &buf[..len], &mut seen);
    }
    // The loop reaches every layer: many successes and most error kinds.
    assert!(seen[DecodeReason::COUNT] > 15_000, "{seen:?}");
    assert!(seen.iter().filter(|&&n| n > 0).count() >= 8, "{seen:?}");
}

#[test]
fn mutated_valid_frames_never_panic() {
    let mut rng = XorShift(0x1234_5678_9abc_def1);
    let mut seen = [0u64; DecodeReason::COUNT + 1];
    let mut frames = vec![udp4_frame(), tcp4_opts_frame(), v6_ext_frame()];
    frames.extend(super::tunnels::all_tunnel_frames());
    for frame in frames {
        let mut f = frame.clone();
        for _ in 0..10_000 {
            f.copy_from_slice(&frame);
            for _ in 0..1 + rng.next() % 3 {
                let i = (rng.next() as usize) % f.len();
                f[i] = rng.next() as u8;
            }
            let cut = (rng.next() as usize) % (f.len() + 1);
            check(LinkType::Ethernet, true, &f[..cut], &mut seen);
            check(LinkType::Ethernet, false, &f, &mut seen);
            assert_eq!(
                decode_ethernet(&f),
                decode(LinkType::Ethernet, &f, DecodeOptions::default())
            );
        }
    }
    assert!(seen[DecodeReason::COUNT] > 50_000, "{seen:?}");
}
