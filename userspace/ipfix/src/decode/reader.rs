//! A bounds-checked big-endian cursor over a byte slice; every read that
//! would run past the end is a [`DecodeError::Truncated`], never a panic.

use super::DecodeError;

/// A cursor over `buf`; `base` is the offset of `buf[0]` in whatever the
/// errors' offsets count from (the message, the stream or the set body).
#[derive(Debug, Clone)]
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8], base: usize) -> Self {
        Reader { buf, pos: 0, base }
    }

    /// The offset of the next byte, as errors name it.
    pub(super) fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    /// The bytes not read yet.
    pub(super) fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    pub(super) fn remaining(&self) -> usize {
        self.rest().len()
    }

    /// The next `n` bytes.
    pub(super) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let rest = self.rest();
        match rest.get(..n) {
            Some(bytes) => {
                self.pos = self.pos.saturating_add(n);
                Ok(bytes)
            }
            None => Err(DecodeError::Truncated {
                what,
                offset: self.offset(),
                needed: n,
                available: rest.len(),
            }),
        }
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let rest = self.rest();
        match rest.split_first_chunk::<N>() {
            Some((head, _)) => {
                self.pos = self.pos.saturating_add(N);
                Ok(*head)
            }
            None => Err(DecodeError::Truncated {
                what,
                offset: self.offset(),
                needed: N,
                available: rest.len(),
            }),
        }
    }

    pub(super) fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        self.array::<1>(what).map(u8::from_be_bytes)
    }

    pub(super) fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        self.array::<2>(what).map(u16::from_be_bytes)
    }

    pub(super) fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        self.array::<4>(what).map(u32::from_be_bytes)
    }

    /// A variable-length field (RFC 7011 §7): a 1-byte length, or 255 then a
    /// 2-byte length (accepted for any length, short ones too), then the value.
    pub(super) fn varlen(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let len = match self.u8(what)? {
            255 => usize::from(self.u16(what)?),
            short => usize::from(short),
        };
        self.take(len, what)
    }
}
