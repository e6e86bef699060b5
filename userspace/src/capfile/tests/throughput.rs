//! Throughput of `next_packet` alone (ignored by default; run with
//! `cargo test --release -p sluice --lib capfile::tests::throughput -- --ignored --nocapture`).
use std::time::Instant;

use super::build::{Ng, Pcap};
use crate::capfile::CaptureFile;

const PACKETS: u32 = 1_000_000;

/// Writes `bytes` to a temporary file and reads it back packet by packet, printing rates.
fn measure(label: &str, bytes: Vec<u8>) {
    let path = std::env::temp_dir().join(format!("sluice-capfile-{label}-{}", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let best = (0..3)
        .map(|_| {
            let mut f = CaptureFile::open(&path).unwrap();
            let start = Instant::now();
            let (mut n, mut sum) = (0u64, 0u64);
            while let Some(p) = f.next_packet().unwrap() {
                n += 1;
                sum += u64::from(p.data[0]) + u64::from(p.wire_len);
            }
            assert_eq!(n, u64::from(PACKETS));
            assert!(sum > 0);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min);
    let _ = std::fs::remove_file(&path);
    println!(
        "{label}: {PACKETS} packets, {:.1} MB in {:.1} ms: {:.1} Mpkt/s, {:.0} MB/s",
        bytes.len() as f64 / 1e6,
        best * 1e3,
        f64::from(PACKETS) / best / 1e6,
        bytes.len() as f64 / best / 1e6
    );
}

#[test]
#[ignore]
fn throughput_64_byte_packets() {
    let data = [0x5a; 64];
    let mut p = Pcap::new(false, 1);
    p.bytes.reserve(PACKETS as usize * 80);
    for i in 0..PACKETS {
        p = p.packet(i / 1000, i % 1000, &data, 64);
    }
    measure("pcap", p.bytes);
    let mut n = Ng::new(false).idb(1, 0, &[]);
    n.bytes.reserve(PACKETS as usize * 96);
    for i in 0..PACKETS {
        n = n.epb(0, u64::from(i), &data, 64);
    }
    measure("pcapng", n.bytes);
}
