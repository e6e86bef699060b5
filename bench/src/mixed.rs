//! A large mixed capture for feature benchmarks: the shared corpus's Ethernet
//! captures replayed `rounds` times, each round with its IP addresses shifted
//! (second IPv4 octet, third IPv6 byte, XOR the round) so that every round
//! makes new flows, and each file's times moved to follow the previous file.
use std::{
    fs::File,
    io::BufWriter,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result};
use sluice::{
    capfile::CaptureFile,
    decode::{decode, DecodeOptions, LinkType},
};

use crate::pcap_write::{write_header, write_record_wire};

/// What the capture holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mixed {
    /// Frames written.
    pub packets: u64,
    /// Captured bytes written.
    pub bytes: u64,
}

/// The corpus's captures, sorted by path.
pub fn corpus_files(corpus: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for dir in ["joy", "ipfixprobe", "ndpi"] {
        let d = corpus.join(dir);
        for e in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let p = e?.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".pcap") || name.ends_with(".pcapng") || name.ends_with(".cap") {
                files.push(p);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Writes the mixed capture (nanosecond pcap, Ethernet) to `out`.
pub fn build(corpus: &Path, rounds: u8, out: &Path) -> Result<Mixed> {
    let files = corpus_files(corpus)?;
    let mut w =
        BufWriter::new(File::create(out).with_context(|| format!("creating {}", out.display()))?);
    write_header(&mut w, 1)?;
    let mut m = Mixed::default();
    let mut cursor: u64 = 1_700_000_000_000_000_000;
    let mut frame = Vec::with_capacity(65_536);
    for round in 0..rounds {
        for path in &files {
            // Unreadable or cut files still give the frames before the problem.
            let Ok(mut f) = CaptureFile::open(path) else {
                continue;
            };
            let mut first: Option<u64> = None;
            let mut last = cursor;
            while let Ok(Some(p)) = f.next_packet() {
                if p.linktype != 1 {
                    continue;
                }
                let t0 = *first.get_or_insert(p.ts.0);
                // Keep each file's own pacing, capped at one hour.
                let ts = cursor + p.ts.0.saturating_sub(t0).min(3_600_000_000_000);
                last = last.max(ts);
                frame.clear();
                frame.extend_from_slice(p.data);
                shift(&mut frame, round);
                write_record_wire(&mut w, ts, &frame, p.wire_len)?;
                m.packets += 1;
                m.bytes += frame.len() as u64;
            }
            cursor = last + 1_000_000_000;
        }
    }
    drop(w);
    Ok(m)
}

/// XORs `round` into both addresses of the frame's (innermost) IP header.
fn shift(frame: &mut [u8], round: u8) {
    if round == 0 {
        return;
    }
    let Ok(pkt) = decode(LinkType::Ethernet, frame, DecodeOptions::default()) else {
        return;
    };
    let l3 = pkt.l3_offset as usize;
    let at: [usize; 2] = if pkt.ip_version == 4 {
        [l3 + 13, l3 + 17]
    } else {
        [l3 + 10, l3 + 26]
    };
    for i in at {
        if let Some(b) = frame.get_mut(i) {
            *b ^= round;
        }
    }
}
