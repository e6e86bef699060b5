//! In-order delivery of one direction of a TCP stream to the application
//! parsers (TLS, HTTP, DNS over TCP), bounded: out-of-order segments wait
//! in a small buffer; a gap that does not fill within it ends delivery.

/// Out-of-order bytes kept per direction while waiting for a gap to fill.
pub const MAX_PENDING_BYTES: usize = 64 * 1024;
/// Out-of-order segments kept per direction.
pub const MAX_PENDING_SEGMENTS: usize = 64;

/// One direction of a TCP stream.
#[derive(Debug, Default)]
pub struct Stream {
    /// Sequence number of the next byte to deliver, once known.
    next: Option<u32>,
    pending: Vec<(u32, Box<[u8]>)>,
    pending_bytes: usize,
    /// A gap never filled: nothing more is delivered.
    broken: bool,
}

/// Both directions' streams of a flow, `[Out, In]`: pooled, so their
/// buffers are reused by later flows.
#[derive(Debug, Default)]
pub struct Streams(pub [Stream; 2]);

crate::features::pool::recycle!(Streams, |s| {
    for d in &mut s.0 {
        d.reset();
    }
});

impl Stream {
    /// Back to a stream with nothing seen, keeping the buffer's capacity.
    pub fn reset(&mut self) {
        self.next = None;
        self.pending.clear();
        self.pending_bytes = 0;
        self.broken = false;
    }

    /// Notes a SYN: data starts at `seq + 1`.
    pub fn syn(&mut self, seq: u32) {
        if self.next.is_none() {
            self.next = Some(seq.wrapping_add(1));
        }
    }

    /// True if a gap never filled and delivery has stopped.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Takes one segment's payload and hands every byte that is now in
    /// order to `sink`, exactly once. Without a SYN the stream starts at the
    /// first segment with payload.
    pub fn push(&mut self, seq: u32, data: &[u8], sink: &mut dyn FnMut(&[u8])) {
        if self.broken || data.is_empty() {
            return;
        }
        let next = *self.next.get_or_insert(seq);
        let off = seq.wrapping_sub(next) as i32;
        if off > 0 {
            self.hold(seq, data);
            return;
        }
        let skip = off.unsigned_abs() as usize;
        if skip >= data.len() {
            return;
        }
        self.deliver(&data[skip..], sink);
        self.drain(sink);
    }

    fn deliver(&mut self, bytes: &[u8], sink: &mut dyn FnMut(&[u8])) {
        sink(bytes);
        if let Some(n) = self.next.as_mut() {
            *n = n.wrapping_add(bytes.len() as u32);
        }
    }

    /// Keeps an out-of-order segment, or gives up when the buffer is full.
    fn hold(&mut self, seq: u32, data: &[u8]) {
        if self.pending.len() >= MAX_PENDING_SEGMENTS
            || self.pending_bytes + data.len() > MAX_PENDING_BYTES
        {
            self.broken = true;
            self.pending = Vec::new();
            self.pending_bytes = 0;
            return;
        }
        self.pending_bytes += data.len();
        self.pending.push((seq, data.into()));
    }

    /// Delivers held segments that have become in order.
    fn drain(&mut self, sink: &mut dyn FnMut(&[u8])) {
        while !self.pending.is_empty() {
            let Some(next) = self.next else { return };
            // The held segment starting earliest relative to `next`.
            let Some((i, off)) = self
                .pending
                .iter()
                .enumerate()
                .map(|(i, (s, _))| (i, s.wrapping_sub(next) as i32))
                .min_by_key(|&(_, off)| off)
            else {
                return;
            };
            if off > 0 {
                return;
            }
            let (_, seg) = self.pending.swap_remove(i);
            self.pending_bytes -= seg.len();
            let skip = off.unsigned_abs() as usize;
            if let Some(rest) = seg.get(skip..).filter(|r| !r.is_empty()) {
                self.deliver(rest, sink);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stream: &mut Stream, segs: &[(u32, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (seq, d) in segs {
            stream.push(*seq, d, &mut |b| out.extend_from_slice(b));
        }
        out
    }

    #[test]
    fn reorders_trims_overlaps_and_drops_duplicates() {
        let mut s = Stream::default();
        s.syn(99);
        let out = run(
            &mut s,
            &[
                (106, b"world"),
                (100, b"hello "),
                (100, b"hello "),
                (109, b"ld!!"),
                (104, b"o wor"),
            ],
        );
        assert_eq!(out, b"hello world!!");
    }

    #[test]
    fn starts_at_first_data_without_syn_and_wraps() {
        let mut s = Stream::default();
        let out = run(&mut s, &[(u32::MAX - 1, b"ab"), (0, b"cd"), (2, b"e")]);
        assert_eq!(out, b"abcde");
    }

    #[test]
    fn a_gap_that_never_fills_stops_delivery() {
        let mut s = Stream::default();
        let big = vec![0u8; 1000];
        let mut segs: Vec<(u32, &[u8])> = vec![(0, b"x")];
        for i in 0..100u32 {
            segs.push((10 + i * 1000, &big));
        }
        let out = run(&mut s, &segs);
        assert_eq!(out, b"x");
        assert!(s.is_broken());
        assert!(run(&mut s, &[(1, b"y")]).is_empty());
    }
}
