//! Sequence of packet lengths and times (SPLT): Joy's `packets` list.

use std::io::{self, Write};

use crate::flow::Timestamp;
use crate::json::num::write_uint;

/// One packet of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpltEntry {
    /// Packet time.
    pub ts: Timestamp,
    /// Transport payload octets (Joy's `b`), saturated at 65535.
    pub len: u16,
    /// True if sent by the flow's initiator (`dir` `">"`).
    pub outbound: bool,
}

/// The first `cap` packets of each direction, in arrival order.
#[derive(Debug, Clone, Default)]
pub struct Splt {
    entries: Vec<SpltEntry>,
    counts: [u32; 2],
}

impl Splt {
    /// Adds a packet unless its direction already has `cap` entries; returns
    /// true if it was added.
    pub fn push(&mut self, outbound: bool, len: u32, ts: Timestamp, cap: usize) -> bool {
        let n = &mut self.counts[usize::from(!outbound)];
        if *n as usize >= cap {
            return false;
        }
        *n += 1;
        if self.entries.capacity() == 0 {
            self.entries.reserve_exact(cap.min(64) * 2);
        }
        self.entries.push(SpltEntry {
            ts,
            len: u16::try_from(len).unwrap_or(u16::MAX),
            outbound,
        });
        true
    }

    /// The packets, in arrival order.
    pub fn entries(&self) -> &[SpltEntry] {
        &self.entries
    }

    /// Entries of one direction so far.
    pub fn count(&self, outbound: bool) -> usize {
        self.counts[usize::from(!outbound)] as usize
    }

    /// True if both directions hold `cap` entries.
    pub fn is_full(&self, cap: usize) -> bool {
        self.counts.iter().all(|&n| n as usize >= cap)
    }

    /// The packets with Joy's `ipt`: the milliseconds since the previous
    /// listed packet, the first one's since the flow's start (`start`), or
    /// 0 when the flow had no reply (`bidir` false), as Joy prints a
    /// unidirectional flow.
    pub fn with_ipt(
        &self,
        start: Timestamp,
        bidir: bool,
    ) -> impl Iterator<Item = (SpltEntry, u64)> + '_ {
        let mut last = start;
        self.entries.iter().enumerate().map(move |(i, e)| {
            let ipt = if i == 0 && !bidir {
                0
            } else {
                millis(last, e.ts)
            };
            last = e.ts;
            (*e, ipt)
        })
    }

    /// Writes `,"packets":[{"b":..,"dir":">","ipt":..},...]` as Joy does
    /// (see [`Splt::with_ipt`]).
    pub fn write_json<W: Write + ?Sized>(
        &self,
        w: &mut W,
        start: Timestamp,
        bidir: bool,
    ) -> io::Result<()> {
        w.write_all(b",\"packets\":[")?;
        for (i, (e, ipt)) in self.with_ipt(start, bidir).enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            w.write_all(b"{\"b\":")?;
            write_uint(w, u64::from(e.len))?;
            w.write_all(if e.outbound {
                b",\"dir\":\">\",\"ipt\":"
            } else {
                b",\"dir\":\"<\",\"ipt\":"
            })?;
            write_uint(w, ipt)?;
            w.write_all(b"}")?;
        }
        w.write_all(b"]")
    }
}

/// Whole milliseconds from `a` to `b` as Joy computes them: both times cut to
/// microseconds (a `timeval`), then the difference cut to milliseconds.
pub fn millis(a: Timestamp, b: Timestamp) -> u64 {
    (b.0 / 1000).saturating_sub(a.0 / 1000) / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(m: u64) -> Timestamp {
        Timestamp(1_000_000_000_000 + m * 1_000_000)
    }

    #[test]
    fn caps_each_direction_and_prints_joy_times() {
        let mut s = Splt::default();
        assert!(s.push(true, 100, ms(0), 2));
        assert!(s.push(false, 1400, ms(5), 2));
        assert!(s.push(true, 7, ms(12), 2));
        assert!(!s.push(true, 9, ms(13), 2));
        assert!(s.push(false, 70_000, ms(20), 2));
        assert!(s.is_full(2));
        let mut out = Vec::new();
        s.write_json(&mut out, ms(0), true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            ",\"packets\":[{\"b\":100,\"dir\":\">\",\"ipt\":0},{\"b\":1400,\"dir\":\"<\",\"ipt\":5},\
             {\"b\":7,\"dir\":\">\",\"ipt\":7},{\"b\":65535,\"dir\":\"<\",\"ipt\":8}]"
        );
    }

    #[test]
    fn unidirectional_first_ipt_is_zero_as_in_joy() {
        let mut s = Splt::default();
        s.push(true, 10, ms(30), 50);
        s.push(true, 10, ms(31), 50);
        let mut out = Vec::new();
        s.write_json(&mut out, ms(0), false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            ",\"packets\":[{\"b\":10,\"dir\":\">\",\"ipt\":0},{\"b\":10,\"dir\":\">\",\"ipt\":1}]"
        );
    }

    #[test]
    fn millis_truncates_like_timevals() {
        // 0.9999 ms apart across a microsecond boundary: Joy says 0 or 1 by the µs values.
        assert_eq!(millis(Timestamp(1_000), Timestamp(1_000_999)), 0);
        assert_eq!(millis(Timestamp(999), Timestamp(1_000_999)), 1);
    }
}
