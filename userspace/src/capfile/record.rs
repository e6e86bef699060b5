//! What a format reader hands back: a packet located in the buffer, or a located failure.
use super::error::ReadErrorKind;
use super::source::Source;
use crate::time::Timestamp;

/// Largest record or block the reader accepts; a record claiming more is an error, not an
/// allocation.
pub const MAX_RECORD: usize = 256 * 1024 * 1024;

/// A packet whose bytes sit in the source buffer at `data_index..data_index + caplen`.
pub(super) struct PacketAt {
    /// Capture time.
    pub ts: Timestamp,
    /// LINKTYPE_ of the packet's interface.
    pub linktype: u32,
    /// Index of the first data byte in the source buffer.
    pub data_index: usize,
    /// Captured length.
    pub caplen: usize,
    /// Original length, at least `caplen`.
    pub wire_len: u32,
    /// Interface id (0 for pcap).
    pub interface: u32,
    /// File offset of the record.
    pub offset: u64,
}

/// A read failure and the file offset of the record at fault.
pub(super) struct Fail {
    /// File offset of the record at fault.
    pub offset: u64,
    /// What went wrong.
    pub kind: ReadErrorKind,
}

impl Fail {
    /// A failure of kind `kind` at `offset`.
    pub fn at(offset: u64, kind: ReadErrorKind) -> Self {
        Fail { offset, kind }
    }

    /// A corrupt-record failure at `offset`.
    pub fn corrupt(offset: u64, why: impl Into<String>) -> Self {
        Fail::at(offset, ReadErrorKind::Corrupt(why.into()))
    }
}

/// Buffers the `n` bytes of the record starting at the current position, or fails: the
/// record is too large, the file ends inside it, or the read fails.
pub(super) fn need(src: &mut Source, n: usize) -> Result<(), Fail> {
    let offset = src.pos();
    if n > MAX_RECORD {
        return Err(Fail::at(
            offset,
            ReadErrorKind::TooLarge {
                len: n as u64,
                max: MAX_RECORD as u64,
            },
        ));
    }
    let available = src
        .fill(n)
        .map_err(|e| Fail::at(offset, ReadErrorKind::Io(e)))?;
    if available < n {
        return Err(Fail::at(
            offset,
            ReadErrorKind::Truncated {
                needed: n as u64,
                available: available as u64,
            },
        ));
    }
    Ok(())
}

/// Whether the file has ended exactly at the current position (no partial record).
pub(super) fn at_end(src: &mut Source) -> Result<bool, Fail> {
    let offset = src.pos();
    src.fill(1)
        .map(|n| n == 0)
        .map_err(|e| Fail::at(offset, ReadErrorKind::Io(e)))
}

/// Reads a `u32` at `at` in `bytes` (zero where out of range), in the given byte order.
pub(super) fn u32_at(bytes: &[u8], at: usize, big_endian: bool) -> u32 {
    let mut b = [0u8; 4];
    if let Some(s) = bytes.get(at..at + 4) {
        b.copy_from_slice(s);
    }
    if big_endian {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    }
}
