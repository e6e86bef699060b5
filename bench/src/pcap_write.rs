//! Writes classic pcap files (nanosecond resolution), for benchmarks and tests.
use std::io::{self, Write};

/// Writes a pcap (nanosecond magic, little-endian) global header for `linktype`.
pub fn write_header(w: &mut impl Write, linktype: u32) -> io::Result<()> {
    w.write_all(&0xa1b2_3c4du32.to_le_bytes())?;
    w.write_all(&2u16.to_le_bytes())?;
    w.write_all(&4u16.to_le_bytes())?;
    w.write_all(&0i32.to_le_bytes())?;
    w.write_all(&0u32.to_le_bytes())?;
    w.write_all(&65_535u32.to_le_bytes())?;
    w.write_all(&linktype.to_le_bytes())
}

/// Writes one record: `frame` captured whole, seen at `ts_ns` nanoseconds since the epoch.
pub fn write_record(w: &mut impl Write, ts_ns: u64, frame: &[u8]) -> io::Result<()> {
    let len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
    write_record_wire(w, ts_ns, frame, len)
}

/// Writes one record of `frame` as captured from a `wire_len`-byte frame.
pub fn write_record_wire(
    w: &mut impl Write,
    ts_ns: u64,
    frame: &[u8],
    wire_len: u32,
) -> io::Result<()> {
    let secs = u32::try_from(ts_ns / 1_000_000_000).unwrap_or(u32::MAX);
    let nanos = (ts_ns % 1_000_000_000) as u32;
    let len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
    w.write_all(&secs.to_le_bytes())?;
    w.write_all(&nanos.to_le_bytes())?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(&wire_len.max(len).to_le_bytes())?;
    w.write_all(frame)
}
