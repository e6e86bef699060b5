//! Reassembly of the Initial CRYPTO stream from CRYPTO frames that arrive
//! in any order, overlapping or repeated, over several packets and
//! datagrams. Bounded: bytes beyond [`MAX_CRYPTO`] are refused, and so is a
//! stream split into more than [`MAX_RANGES`] disjoint pieces.

use super::error::QuicError;

/// Bytes of the CRYPTO stream kept: enough for the largest ClientHellos
/// (post-quantum key shares bring Chrome's to about 2 KiB; some stacks send
/// several KiB of session tickets and certificates compression settings).
pub const MAX_CRYPTO: usize = 16 * 1024;
/// Disjoint received ranges tracked before giving up.
pub const MAX_RANGES: usize = 64;

/// The bytes received so far and which ranges of the stream they cover.
#[derive(Debug, Clone, Default)]
pub struct CryptoStream {
    /// Stream bytes from offset 0; unreceived gaps hold zeros.
    buf: Vec<u8>,
    /// Received ranges, sorted, disjoint and not touching.
    ranges: Vec<(usize, usize)>,
}

impl CryptoStream {
    /// Stores `data` at stream `offset`. Overlaps are overwritten with the
    /// new bytes (a conforming sender repeats the same ones).
    pub fn insert(&mut self, offset: u64, data: &[u8]) -> Result<(), QuicError> {
        if data.is_empty() {
            return Ok(());
        }
        let start = usize::try_from(offset).map_err(|_| QuicError::CryptoOverflow)?;
        let end = start
            .checked_add(data.len())
            .filter(|&e| e <= MAX_CRYPTO)
            .ok_or(QuicError::CryptoOverflow)?;
        if self.buf.len() < end {
            self.buf.resize(end, 0);
        }
        self.buf
            .get_mut(start..end)
            .ok_or(QuicError::CryptoOverflow)?
            .copy_from_slice(data);
        self.add_range(start, end)
    }

    /// Merges `[start, end)` into the range list.
    fn add_range(&mut self, mut start: usize, mut end: usize) -> Result<(), QuicError> {
        // First range that ends at or after `start` (touching counts).
        let i = self.ranges.partition_point(|&(_, e)| e < start);
        // Ranges from i that start at or before `end` merge with the new one.
        let mut j = i;
        while let Some(&(s, e)) = self.ranges.get(j) {
            if s > end {
                break;
            }
            start = start.min(s);
            end = end.max(e);
            j += 1;
        }
        if i == j && self.ranges.len() >= MAX_RANGES {
            return Err(QuicError::CryptoOverflow);
        }
        self.ranges.splice(i..j, [(start, end)]);
        Ok(())
    }

    /// The bytes received without a gap from offset 0.
    pub fn contiguous(&self) -> &[u8] {
        match self.ranges.first() {
            Some(&(0, end)) => self.buf.get(..end).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Number of disjoint received ranges.
    pub fn pieces(&self) -> usize {
        self.ranges.len()
    }

    /// Forgets everything (a new connection attempt, e.g. after Version
    /// Negotiation).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ranges.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_order_and_overlapping() {
        let mut s = CryptoStream::default();
        assert_eq!(s.insert(6, b"world"), Ok(()));
        assert_eq!(s.contiguous(), b"");
        assert_eq!(s.insert(0, b"hel"), Ok(()));
        assert_eq!(s.pieces(), 2);
        assert_eq!(s.contiguous(), b"hel");
        assert_eq!(s.insert(2, b"llo "), Ok(()));
        assert_eq!(s.contiguous(), b"hello world");
        assert_eq!(s.pieces(), 1);
        assert_eq!(s.insert(1, b"el"), Ok(()));
        assert_eq!(s.contiguous(), b"hello world");
    }

    #[test]
    fn bounded() {
        let mut s = CryptoStream::default();
        assert_eq!(
            s.insert(MAX_CRYPTO as u64, b"x"),
            Err(QuicError::CryptoOverflow)
        );
        assert_eq!(s.insert(u64::MAX, b"x"), Err(QuicError::CryptoOverflow));
        for i in 0..MAX_RANGES {
            assert_eq!(s.insert(2 * i as u64 + 1, b"x"), Ok(()));
        }
        assert_eq!(s.insert(1000, b"x"), Err(QuicError::CryptoOverflow));
        // Filling a gap still works.
        assert_eq!(s.insert(0, b"x"), Ok(()));
        assert_eq!(s.contiguous(), b"xx");
    }
}
