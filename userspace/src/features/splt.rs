//! Sequence of packet lengths and times (SPLT): Joy's `packets` list.

use std::io::{self, Write};

use sluice_ipfix::{semantic, ExportError, Field, RecordFields};

use crate::features::config::{Feature, FeatureConfig};
use crate::features::feature::{FeaturePacket, FlowContext, FlowFeature};
use crate::features::pool::{recycle, Pooled};
use crate::flow::Direction;
use crate::json::num::write_uint;
use crate::time::Timestamp;

/// Sequence of packet lengths (Cisco ETA, PEN 9, 44952): a basicList element.
pub const SPL: Field = Field::enterprise(sluice_ipfix::pen::CISCO, 44952, 2);
/// Sequence of packet times (Cisco ETA, 44953): milliseconds since the
/// previous listed packet, as Joy's `ipt`.
pub const SPT: Field = Field::enterprise(sluice_ipfix::pen::CISCO, 44953, 4);

/// One packet of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpltEntry {
    /// Packet time.
    pub ts: Timestamp,
    /// Transport payload octets (Joy's `b`), saturated at 65535.
    pub len: u16,
    /// Sent by the flow's initiator (`Out`, `dir` `">"`) or towards it.
    pub dir: Direction,
}

impl SpltEntry {
    /// An unused inline slot.
    const EMPTY: SpltEntry = SpltEntry {
        ts: Timestamp(0),
        len: 0,
        dir: Direction::Out,
    };
}

impl Default for SpltEntry {
    fn default() -> Self {
        SpltEntry::EMPTY
    }
}

/// The first `cap` packets of each direction, in arrival order. A short
/// flow's list is held inline ([`INLINE_ENTRIES`]); a longer one moves to a
/// pooled list of both directions' full size, so lists never grow in place
/// and recycled ones need no allocation.
#[derive(Debug, Default)]
pub struct Splt {
    inline: [SpltEntry; INLINE_ENTRIES],
    long: Option<Pooled<LongList>>,
    counts: [u32; 2],
}

recycle!(Splt, |s| {
    s.inline = [SpltEntry::EMPTY; INLINE_ENTRIES];
    s.long = None;
    s.counts = [0; 2];
});

/// Entries kept inline before a flow's list moves to a [`LongList`].
pub const INLINE_ENTRIES: usize = 4;

/// The list of a flow with more than [`INLINE_ENTRIES`] listed packets.
#[derive(Debug, Clone, Default)]
pub struct LongList(Vec<SpltEntry>);

/// Entries a long list reserves at once, and the most a pooled one keeps:
/// both directions of Joy's default `num_pkts` (50). Longer lists (a larger
/// `--num-pkts`) grow with their packets and are freed, not pooled, so an
/// idle pool never holds more than this per list.
pub const POOLED_ENTRIES: usize = 100;

recycle!(LongList, |l| {
    if l.0.capacity() > POOLED_ENTRIES {
        l.0 = Vec::new();
    } else {
        l.0.clear();
    }
});

impl Splt {
    /// Adds a packet unless its direction already has `cap` entries; returns
    /// true if it was added.
    pub fn push(&mut self, dir: Direction, len: u32, ts: Timestamp, cap: usize) -> bool {
        let n = &mut self.counts[dir];
        if *n as usize >= cap {
            return false;
        }
        *n += 1;
        let e = SpltEntry {
            ts,
            len: u16::try_from(len).unwrap_or(u16::MAX),
            dir,
        };
        let listed = self.len() - 1;
        if self.long.is_none() {
            if let Some(slot) = self.inline.get_mut(listed) {
                *slot = e;
                return true;
            }
            let mut long: Pooled<LongList> = Pooled::take();
            long.0
                .reserve_exact(cap.saturating_mul(2).min(POOLED_ENTRIES));
            long.0.extend_from_slice(&self.inline);
            self.long = Some(long);
        }
        if let Some(l) = self.long.as_mut() {
            l.0.push(e);
        }
        true
    }

    /// Packets listed, both directions.
    fn len(&self) -> usize {
        (self.counts[0] + self.counts[1]) as usize
    }

    /// The packets, in arrival order.
    pub fn entries(&self) -> &[SpltEntry] {
        match &self.long {
            Some(l) => &l.0,
            None => &self.inline[..self.len().min(INLINE_ENTRIES)],
        }
    }

    /// Entries of one direction so far.
    pub fn count(&self, dir: Direction) -> usize {
        self.counts[dir] as usize
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
        self.entries().iter().enumerate().map(move |(i, e)| {
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
            w.write_all(if e.dir.is_out() {
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

impl FlowFeature for Splt {
    fn on_packet(&mut self, p: &FeaturePacket<'_>, cfg: &FeatureConfig) {
        let len = p.payload_len();
        if len > 0 || cfg.zeros {
            self.push(p.dir, len, p.ts, cfg.num_pkts);
        }
    }

    fn write_json(&self, w: &mut Vec<u8>, cx: &FlowContext<'_>) -> io::Result<()> {
        Splt::write_json(self, w, cx.start, cx.bidir)
    }

    /// SPL and SPT of each direction (basicLists): the lengths and Joy's
    /// `ipt` of that direction's entries.
    fn put_ipfix(
        &self,
        out: &mut dyn RecordFields,
        cx: &FlowContext<'_>,
    ) -> Result<(), ExportError> {
        for d in Direction::BOTH {
            let (spl, spt) = match d {
                Direction::Out => (SPL, SPT),
                Direction::In => (SPL.reverse(), SPT.reverse()),
            };
            let of_dir = || {
                let listed = self
                    .with_ipt(cx.start, cx.bidir)
                    .filter(move |(e, _)| e.dir == d);
                Counted::new(listed, self.count(d))
            };
            out.uint_list(
                semantic::ORDERED,
                spl,
                &mut of_dir().map(|(e, _)| u64::from(e.len)),
            )?;
            let ipt = |(_, ipt): (SpltEntry, u64)| ipt.min(u64::from(u32::MAX));
            out.uint_list(semantic::ORDERED, spt, &mut of_dir().map(ipt))?;
        }
        Ok(())
    }

    fn ready(&self, min_packets: u64) -> bool {
        self.len() as u64 >= min_packets
    }
}

/// An iterator whose length is known beforehand.
struct Counted<I> {
    inner: I,
    left: usize,
}

impl<I> Counted<I> {
    fn new(inner: I, len: usize) -> Self {
        Counted { inner, left: len }
    }
}

impl<I: Iterator> Iterator for Counted<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let item = self.inner.next()?;
        self.left = self.left.saturating_sub(1);
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<I: Iterator> ExactSizeIterator for Counted<I> {}

/// True if SPLT is on.
pub(crate) fn enabled(cfg: &FeatureConfig) -> bool {
    cfg.has(Feature::Splt)
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
        assert!(s.push(Direction::Out, 100, ms(0), 2));
        assert!(s.push(Direction::In, 1400, ms(5), 2));
        assert!(s.push(Direction::Out, 7, ms(12), 2));
        assert!(!s.push(Direction::Out, 9, ms(13), 2));
        assert!(s.push(Direction::In, 70_000, ms(20), 2));
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
        s.push(Direction::Out, 10, ms(30), 50);
        s.push(Direction::Out, 10, ms(31), 50);
        let mut out = Vec::new();
        s.write_json(&mut out, ms(0), false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            ",\"packets\":[{\"b\":10,\"dir\":\">\",\"ipt\":0},{\"b\":10,\"dir\":\">\",\"ipt\":1}]"
        );
    }

    #[test]
    fn a_long_num_pkts_list_grows_with_its_packets_and_is_not_pooled_big() {
        let mut s = Splt::default();
        for i in 0..6 {
            assert!(s.push(Direction::Out, 10, ms(i), 300));
        }
        let reserved = s.long.as_ref().map(|l| l.0.capacity());
        assert_eq!(reserved, Some(POOLED_ENTRIES), "not 2 x 300 for 6 packets");
        for i in 6..250 {
            assert!(s.push(Direction::Out, 10, ms(i), 300));
        }
        assert_eq!(s.entries().len(), 250);
        assert_eq!(s.entries()[249].ts, ms(249));
        drop(s);
        let next: Pooled<LongList> = Pooled::take();
        let list: &LongList = &next;
        assert!(
            list.0.capacity() <= POOLED_ENTRIES,
            "an oversize list is freed"
        );
    }

    #[test]
    fn millis_truncates_like_timevals() {
        // 0.9999 ms apart across a microsecond boundary: Joy says 0 or 1 by the µs values.
        assert_eq!(millis(Timestamp(1_000), Timestamp(1_000_999)), 0);
        assert_eq!(millis(Timestamp(999), Timestamp(1_000_999)), 1);
    }
}
