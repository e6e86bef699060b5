//! Zero-copy view of a DNS message's fixed header and a bounds-checked cursor.

use super::error::DnsError;
use crate::bytes::Reader;

/// The 12-byte DNS header (RFC 1035 4.1.1), borrowed from the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    bytes: &'a [u8; 12],
}

impl<'a> Header<'a> {
    /// Views the first 12 bytes of `msg` as a header.
    pub fn parse(msg: &'a [u8]) -> Result<Self, DnsError> {
        let bytes = msg.first_chunk::<12>().ok_or(DnsError::ShortHeader)?;
        Ok(Header { bytes })
    }

    /// Transaction id.
    pub fn id(&self) -> u16 {
        u16::from_be_bytes([self.bytes[0], self.bytes[1]])
    }

    /// The 16 flag bits (QR, opcode, AA, TC, RD, RA, Z, RCODE).
    pub fn flags(&self) -> u16 {
        u16::from_be_bytes([self.bytes[2], self.bytes[3]])
    }

    /// True for a response (QR bit set).
    pub fn is_response(&self) -> bool {
        self.flags() & 0x8000 != 0
    }

    /// The 4-bit opcode.
    pub fn opcode(&self) -> u8 {
        ((self.flags() >> 11) & 0x0f) as u8
    }

    /// The 4-bit response code.
    pub fn rcode(&self) -> u8 {
        (self.flags() & 0x000f) as u8
    }

    /// Number of questions.
    pub fn qdcount(&self) -> u16 {
        u16::from_be_bytes([self.bytes[4], self.bytes[5]])
    }

    /// Number of answer records.
    pub fn ancount(&self) -> u16 {
        u16::from_be_bytes([self.bytes[6], self.bytes[7]])
    }

    /// Number of authority records.
    pub fn nscount(&self) -> u16 {
        u16::from_be_bytes([self.bytes[8], self.bytes[9]])
    }

    /// Number of additional records.
    pub fn arcount(&self) -> u16 {
        u16::from_be_bytes([self.bytes[10], self.bytes[11]])
    }
}

/// A read position inside a whole DNS message: [`crate::bytes::Reader`]
/// with DNS's error.
#[derive(Debug, Clone, Copy)]
pub struct Cursor<'a>(Reader<'a>);

impl<'a> Cursor<'a> {
    /// A cursor at `pos` in `msg`.
    pub fn new(msg: &'a [u8], pos: usize) -> Self {
        Cursor(Reader::at(msg, pos))
    }

    /// The whole message (names' compression pointers are offsets into it).
    pub fn message(&self) -> &'a [u8] {
        self.0.buf()
    }

    /// Current offset.
    pub fn pos(&self) -> usize {
        self.0.pos()
    }

    /// Bytes left after the current offset.
    pub fn remaining(&self) -> usize {
        self.0.remaining()
    }

    /// Takes the next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DnsError> {
        self.0.take(n).ok_or(DnsError::Truncated)
    }

    /// Reads a big-endian u16.
    pub fn u16(&mut self) -> Result<u16, DnsError> {
        self.0.u16().ok_or(DnsError::Truncated)
    }

    /// Reads a big-endian u32.
    pub fn u32(&mut self) -> Result<u32, DnsError> {
        self.0.u32().ok_or(DnsError::Truncated)
    }

    /// Moves to `pos`, which must lie within the message.
    pub fn seek(&mut self, pos: usize) -> Result<(), DnsError> {
        self.0.seek(pos).ok_or(DnsError::Truncated)
    }
}
