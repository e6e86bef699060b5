//! Legacy pcap: one global header (linktype, timestamp unit, byte order), then records.
//!
//! Record headers are four 32-bit fields (seconds, fraction, captured and original
//! lengths), read here directly because files written before format version 2.3 store the
//! two lengths swapped, which the generic frame parser cannot know.
use pcap_parser::parse_pcap_header;

use super::record::{at_end, need, u32_at, Fail, PacketAt};
use super::source::Source;
use super::timestamp::pcap_timestamp;

/// Size of the pcap global header.
pub(super) const HEADER_LEN: usize = 24;

/// State of a legacy pcap file after its global header.
pub(super) struct PcapReader {
    linktype: u32,
    nanos: bool,
    big_endian: bool,
    /// The "modified" (Kuznetzov) format with 24-byte record headers.
    modified: bool,
    /// Which record headers have their two length fields swapped.
    swap: LengthOrder,
}

/// Order of the captured and original length fields in record headers, by file version.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LengthOrder {
    /// Version 2.4 and later: captured length first.
    Normal,
    /// Before 2.3: original length first.
    Swapped,
    /// Version 2.3: either; swapped when the captured length exceeds the original.
    Either,
}

impl LengthOrder {
    fn of_version(major: u16, minor: u16) -> Self {
        match (major, minor) {
            (2, 0..=2) => LengthOrder::Swapped,
            (2, 3) => LengthOrder::Either,
            _ => LengthOrder::Normal,
        }
    }

    /// (captured, original) from the fields in file order.
    fn lengths(self, first: u32, second: u32) -> (u32, u32) {
        match self {
            LengthOrder::Swapped => (second, first),
            LengthOrder::Either if first > second => (second, first),
            _ => (first, second),
        }
    }
}

impl PcapReader {
    /// Parses the global header at the start of `src` and consumes it.
    pub(super) fn open(src: &mut Source) -> Result<Self, Fail> {
        need(src, HEADER_LEN)?;
        let header = match parse_pcap_header(src.peek(HEADER_LEN)) {
            Ok((_, h)) => h,
            Err(_) => return Err(Fail::corrupt(0, "unrecognised pcap global header")),
        };
        src.consume(HEADER_LEN);
        Ok(PcapReader {
            // The link type is the low 26 bits; the upper bits describe a trailing FCS.
            linktype: header.network.0 as u32 & 0x03ff_ffff,
            nanos: header.is_nanosecond_precision(),
            big_endian: header.is_bigendian(),
            modified: header.is_modified_format(),
            swap: LengthOrder::of_version(header.version_major, header.version_minor),
        })
    }

    /// Whether timestamps are in nanoseconds.
    pub(super) fn nanos(&self) -> bool {
        self.nanos
    }

    /// Reads the next record, or `None` at a clean end of file.
    pub(super) fn next(&mut self, src: &mut Source) -> Result<Option<PacketAt>, Fail> {
        if at_end(src)? {
            return Ok(None);
        }
        let offset = src.pos();
        let header_len = if self.modified { 24 } else { 16 };
        need(src, header_len)?;
        let head = src.peek(header_len);
        let field = |at| u32_at(head, at, self.big_endian);
        let (secs, frac) = (field(0), field(4));
        let (caplen, origlen) = self.swap.lengths(field(8), field(12));
        let total = header_len.saturating_add(caplen as usize);
        need(src, total)?;
        let packet = PacketAt {
            ts: pcap_timestamp(secs, frac, self.nanos),
            linktype: self.linktype,
            data_index: src.index() + header_len,
            caplen: caplen as usize,
            wire_len: origlen.max(caplen),
            interface: 0,
            offset,
        };
        src.consume(total);
        Ok(Some(packet))
    }
}
