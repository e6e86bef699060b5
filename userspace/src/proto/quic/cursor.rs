//! [`crate::bytes::Reader`] with QUIC's error and variable-length integers
//! (RFC 9000 section 16).

use super::error::QuicError;
use crate::bytes::Reader;

/// Reads fields front to back; every read either returns the field or
/// [`QuicError::Truncated`] and leaves the position unspecified.
#[derive(Debug, Clone, Copy)]
pub struct Cursor<'a>(Reader<'a>);

impl<'a> Cursor<'a> {
    /// A cursor at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Cursor(Reader::new(buf))
    }

    /// Bytes read so far.
    pub fn pos(&self) -> usize {
        self.0.pos()
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.0.remaining()
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], QuicError> {
        self.0.take(n).ok_or(QuicError::Truncated)
    }

    /// The next `n` bytes, with `n` a wire value that may not fit in `usize`.
    pub fn bytes_u64(&mut self, n: u64) -> Result<&'a [u8], QuicError> {
        self.bytes(usize::try_from(n).map_err(|_| QuicError::Truncated)?)
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, QuicError> {
        self.0.u8().ok_or(QuicError::Truncated)
    }

    /// A big-endian u32.
    pub fn u32(&mut self) -> Result<u32, QuicError> {
        self.0.u32().ok_or(QuicError::Truncated)
    }

    /// A variable-length integer: the top two bits of the first byte give
    /// its length (1, 2, 4 or 8 bytes), the rest is the value, big-endian.
    pub fn varint(&mut self) -> Result<u64, QuicError> {
        let first = self.u8()?;
        let len = 1usize << (first >> 6);
        let mut v = u64::from(first & 0x3f);
        for &b in self.bytes(len - 1)? {
            v = (v << 8) | u64::from(b);
        }
        Ok(v)
    }

    /// Skips a varint.
    pub fn skip_varint(&mut self) -> Result<(), QuicError> {
        self.varint().map(drop)
    }
}
