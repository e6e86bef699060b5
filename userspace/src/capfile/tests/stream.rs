//! Streaming: tiny reads, records larger than the buffer, read errors.
use std::io::{self, Read};

use super::build::{Ng, Pcap};
use super::{drain, read_ok};
use crate::capfile::source::DEFAULT_BUFFER;
use crate::capfile::{CaptureFile, ReadErrorKind};

/// Returns at most `chunk` bytes per read, then fails with `fail` once the data ends.
struct Trickle {
    data: Vec<u8>,
    at: usize,
    chunk: usize,
    fail: bool,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.data.len() && self.fail {
            return Err(io::Error::other("disk on fire"));
        }
        let n = self.chunk.min(buf.len()).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn trickle(data: Vec<u8>, chunk: usize, fail: bool) -> CaptureFile {
    let r = Trickle {
        data,
        at: 0,
        chunk,
        fail,
    };
    match CaptureFile::from_reader("trickle", Box::new(r), None) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    }
}

fn sample_pcap() -> Vec<u8> {
    let mut p = Pcap::new(false, 1);
    for i in 0..50u32 {
        p = p.packet(i, i, &vec![i as u8; (i * 7 % 90) as usize], 100);
    }
    p.bytes
}

fn sample_ng() -> Vec<u8> {
    let mut n = Ng::new(false).idb(1, 0, &[]).idb(12, 0, &[]);
    for i in 0..50u32 {
        n = n.epb(
            i % 2,
            u64::from(i),
            &vec![i as u8; (i * 7 % 90) as usize],
            100,
        );
        if i == 25 {
            n = n.shb(true).idb(1, 0, &[]).idb(12, 0, &[]);
        }
    }
    n.bytes
}

#[test]
fn byte_at_a_time_reads_the_same() {
    for bytes in [sample_pcap(), sample_ng()] {
        let whole = read_ok(bytes.clone());
        for chunk in [1, 3, 17] {
            let (pkts, err) = drain(&mut trickle(bytes.clone(), chunk, false));
            assert!(err.is_none());
            assert_eq!(pkts, whole, "chunk {chunk}");
        }
    }
}

#[test]
fn records_larger_than_the_buffer() {
    let big = vec![0xab; DEFAULT_BUFFER * 2 + 3];
    let pcap = Pcap::new(false, 1)
        .packet(0, 0, &[1; 10], 10)
        .packet(1, 0, &big, big.len() as u32)
        .packet(2, 0, &[2; 10], 10)
        .bytes;
    let ng = Ng::new(false)
        .idb(1, 0, &[])
        .epb(0, 0, &[1; 10], 10)
        .epb(0, 1, &big, big.len() as u32)
        .epb(0, 2, &[2; 10], 10)
        .bytes;
    for bytes in [pcap, ng] {
        let pkts = read_ok(bytes.clone());
        assert_eq!(pkts.len(), 3);
        assert_eq!(pkts[1].data, big);
        assert_eq!(pkts[2].data, vec![2; 10]);
        let (slow, err) = drain(&mut trickle(bytes, 4096, false));
        assert!(err.is_none());
        assert_eq!(slow, pkts);
    }
}

#[test]
fn read_error_is_reported_with_its_offset() {
    let bytes = sample_pcap();
    let mut bytes_cut = bytes.clone();
    bytes_cut.truncate(bytes.len() - 5);
    let (pkts, err) = drain(&mut trickle(bytes_cut, 1000, true));
    assert_eq!(pkts.len(), 49);
    let err = err.unwrap();
    assert_eq!(
        err.offset,
        pkts[48].offset + 16 + pkts[48].data.len() as u64
    );
    assert!(matches!(err.kind, ReadErrorKind::Io(_)));
    assert!(err.to_string().contains("disk on fire"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn open_reports_missing_file() {
    let err = CaptureFile::open(std::path::Path::new("/nonexistent/x.pcap"))
        .err()
        .unwrap();
    assert!(matches!(err.kind, ReadErrorKind::Io(_)));
    assert!(
        err.to_string().starts_with("/nonexistent/x.pcap: byte 0: "),
        "{err}"
    );
}

#[test]
fn wrong_length_hint_still_reads_everything() {
    let bytes = sample_ng();
    let whole = read_ok(bytes.clone());
    for hint in [0, 10, 1 << 40] {
        let r = std::io::Cursor::new(bytes.clone());
        let mut f = match CaptureFile::from_reader("hint", Box::new(r), Some(hint)) {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(f.len(), Some(hint));
        let (pkts, err) = drain(&mut f);
        assert!(err.is_none());
        assert_eq!(pkts, whole, "hint {hint}");
    }
}
