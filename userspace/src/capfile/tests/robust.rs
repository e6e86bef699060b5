//! Damaged inputs end in packets and an error, never a panic or a loop.
use super::build::{Ng, Pcap, IF_TSRESOL};
use super::{drain, open};

fn samples() -> Vec<Vec<u8>> {
    let ng = Ng::new(false);
    let off = ng.tsoffset(-7);
    vec![
        Pcap::new(false, 1)
            .packet(1, 2, &[1; 20], 30)
            .packet(3, 4, &[2; 5], 5)
            .bytes,
        Pcap::with_magic(0xa1b2_cd34, false, 1, 4)
            .packet(1, 2, &[1; 9], 9)
            .bytes,
        ng.idb(1, 16, &[(IF_TSRESOL, vec![0x85]), off])
            .epb(0, 99, &[3; 13], 20)
            .spb(&[4; 24], 30)
            .pb(0, 5, &[5; 7], 7)
            .block(5, &[0; 8])
            .shb(true)
            .idb(101, 0, &[])
            .epb(0, 1, &[6; 4], 4)
            .bytes,
    ]
}

/// Reads `bytes` to the end; the only requirement is that it finishes.
fn exercise(bytes: Vec<u8>) -> usize {
    let len = bytes.len() as u64;
    match open(bytes) {
        Ok(mut f) => {
            let (pkts, err) = drain(&mut f);
            assert!(f.bytes_read() <= len);
            if let Some(e) = err {
                assert!(e.offset <= len);
            }
            pkts.len()
        }
        Err(e) => {
            assert!(e.offset <= len);
            0
        }
    }
}

#[test]
fn every_truncation_stops_cleanly() {
    for s in samples() {
        let full = exercise(s.clone());
        for cut in 0..s.len() {
            assert!(exercise(s[..cut].to_vec()) <= full);
        }
    }
}

#[test]
fn random_mutations_never_panic() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for s in samples() {
        for _ in 0..3000 {
            let mut m = s.clone();
            for _ in 0..=next() % 4 {
                let at = (next() % m.len() as u64) as usize;
                m[at] = match next() % 4 {
                    0 => 0xff,
                    1 => 0,
                    _ => next() as u8,
                };
            }
            exercise(m);
        }
    }
}
