//! Unit tests on captures built in memory.
mod build;
mod pcap;
mod pcapng;
mod robust;
mod stream;
mod throughput;
mod timestamp;

use std::io::Cursor;

use super::{CaptureFile, ReadError};
use crate::time::Timestamp;

/// An owned copy of a [`super::FilePacket`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pkt {
    pub ts: Timestamp,
    pub linktype: u32,
    pub data: Vec<u8>,
    pub wire_len: u32,
    pub interface: u32,
    pub offset: u64,
}

/// Opens `bytes` as a capture.
pub(super) fn open(bytes: Vec<u8>) -> Result<CaptureFile, ReadError> {
    let len = bytes.len() as u64;
    CaptureFile::from_reader("mem.pcap", Box::new(Cursor::new(bytes)), Some(len))
}

/// Every packet until the end or the first error, and that error; checks that the reader
/// stays finished afterwards.
pub(super) fn drain(file: &mut CaptureFile) -> (Vec<Pkt>, Option<ReadError>) {
    let mut out = Vec::new();
    let error = loop {
        match file.next_packet() {
            Ok(Some(p)) => {
                assert!(p.data.len() <= p.wire_len as usize);
                out.push(Pkt {
                    ts: p.ts,
                    linktype: p.linktype,
                    data: p.data.to_vec(),
                    wire_len: p.wire_len,
                    interface: p.interface,
                    offset: p.offset,
                })
            }
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    for _ in 0..3 {
        assert!(matches!(file.next_packet(), Ok(None)));
    }
    (out, error)
}

/// Opens and drains `bytes`; panics if opening fails.
pub(super) fn read(bytes: Vec<u8>) -> (Vec<Pkt>, Option<ReadError>) {
    match open(bytes) {
        Ok(mut f) => drain(&mut f),
        Err(e) => panic!("open failed: {e}"),
    }
}

/// Opens and drains `bytes`, expecting no error.
pub(super) fn read_ok(bytes: Vec<u8>) -> Vec<Pkt> {
    let (pkts, err) = read(bytes);
    if let Some(e) = err {
        panic!("unexpected error: {e}");
    }
    pkts
}
