//! TCP details of a flow as Joy reports them (`tcp` object): the first SYN's
//! sequence number, and per direction the flags, window and options of the
//! first SYN or SYN/ACK; plus retransmission detection.

use std::io::{self, Write};

use crate::decode::{TcpFlags, TcpHeader};
use crate::features::config::FeatureConfig;
use crate::features::feature::{FeaturePacket, FlowContext, FlowFeature};
use crate::features::pool::recycle;
use crate::flow::Direction;
use crate::json::num::{write_hex, write_uint};

/// Joy keeps at most this many option bytes (`TCP_OPT_LEN`).
pub const MAX_OPTIONS: usize = 24;

/// Per-direction TCP state.
#[derive(Debug, Clone, Copy, Default)]
struct Dir {
    /// Flags of the first SYN or SYN/ACK (0 if none).
    flags: u8,
    window: u16,
    opt_len: u8,
    opts: [u8; MAX_OPTIONS],
    /// One past the highest payload sequence number seen.
    next_seq: Option<u32>,
    retrans: u32,
}

/// TCP state of both directions.
#[derive(Debug, Clone, Default)]
pub struct TcpInfo {
    first_seq: Option<u32>,
    dirs: [Dir; 2],
    /// The latest segment was a retransmission.
    last_retrans: bool,
}

recycle!(TcpInfo, |t| *t = TcpInfo::default());

impl TcpInfo {
    /// Updates with one segment; returns true if it is a retransmission
    /// (payload that ends at or before data already seen that way).
    pub fn update(&mut self, dir: Direction, h: &TcpHeader<'_>, payload_len: u32) -> bool {
        let d = &mut self.dirs[dir];
        let flags = h.tcp_flags();
        if flags == TcpFlags::SYN || flags == TcpFlags::SYN_ACK {
            if flags == TcpFlags::SYN && self.first_seq.is_none() {
                self.first_seq = Some(h.seq());
            }
            if d.flags == 0 {
                d.flags = flags.bits();
                d.window = h.window();
                let options = h.options();
                let n = options.len().min(MAX_OPTIONS);
                d.opts[..n].copy_from_slice(&options[..n]);
                d.opt_len = n as u8;
            }
        }
        if payload_len == 0 {
            return false;
        }
        let end = h.seq().wrapping_add(payload_len);
        match d.next_seq {
            Some(next) if seq_le(end, next) => {
                d.retrans += 1;
                true
            }
            _ => {
                d.next_seq = Some(end);
                false
            }
        }
    }

    /// True if the latest packet given to [`FlowFeature::on_packet`] was a
    /// retransmission.
    pub fn last_was_retransmission(&self) -> bool {
        self.last_retrans
    }

    /// Retransmitted segments seen in both directions.
    pub fn retransmissions(&self) -> u32 {
        self.dirs[0].retrans + self.dirs[1].retrans
    }

    /// Writes Joy's `,"tcp":{"first_seq":..,"out":{..},"in":{..}}` (nothing
    /// when there is nothing to say), with Sluice's `retrans` count per
    /// direction added.
    pub fn write_json<W: Write + ?Sized>(&self, w: &mut W) -> io::Result<()> {
        let has = |d: &Dir| d.flags != 0 || d.retrans != 0;
        if self.first_seq.is_none() && !self.dirs.iter().any(has) {
            return Ok(());
        }
        w.write_all(b",\"tcp\":{")?;
        let mut comma = false;
        if let Some(s) = self.first_seq {
            w.write_all(b"\"first_seq\":")?;
            write_uint(w, u64::from(s))?;
            comma = true;
        }
        for (d, name) in self.dirs.iter().zip([&b"\"out\":{"[..], b"\"in\":{"]) {
            if !has(d) {
                continue;
            }
            if comma {
                w.write_all(b",")?;
            }
            comma = true;
            w.write_all(name)?;
            let mut inner = false;
            if d.flags != 0 {
                w.write_all(b"\"flags\":\"")?;
                write_flags(w, d.flags)?;
                w.write_all(b"\"")?;
                inner = true;
                if d.window != 0 {
                    w.write_all(b",\"first_window_size\":")?;
                    write_uint(w, u64::from(d.window))?;
                }
                if d.opt_len > 0 {
                    w.write_all(b",\"opt_len\":")?;
                    write_uint(w, u64::from(d.opt_len))?;
                    write_options(w, &d.opts[..usize::from(d.opt_len)])?;
                }
            }
            if d.retrans != 0 {
                if inner {
                    w.write_all(b",")?;
                }
                w.write_all(b"\"retrans\":")?;
                write_uint(w, u64::from(d.retrans))?;
            }
            w.write_all(b"}")?;
        }
        w.write_all(b"}")
    }
}

impl FlowFeature for TcpInfo {
    /// Runs before the other features see the packet:
    /// [`TcpInfo::last_was_retransmission`] then tells whether they should.
    fn on_packet(&mut self, p: &FeaturePacket<'_>, _: &FeatureConfig) {
        self.last_retrans = match p.tcp {
            Some(h) => self.update(p.dir, &h, p.payload_len()),
            None => false,
        };
    }

    fn write_json(&self, w: &mut Vec<u8>, _: &FlowContext<'_>) -> io::Result<()> {
        TcpInfo::write_json(self, w)
    }
}

fn seq_le(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) <= 0
}

/// Writes the flags as Joy spells them: F S R P A U E C, lowest bit first.
fn write_flags<W: Write + ?Sized>(w: &mut W, flags: u8) -> io::Result<()> {
    let mut buf = [0u8; 8];
    let mut n = 0;
    for (bit, &c) in b"FSRPAUEC".iter().enumerate() {
        if flags & (1 << bit) != 0 {
            buf[n] = c;
            n += 1;
        }
    }
    w.write_all(&buf[..n])
}

/// Writes `,"opts":[...]` as Joy's `tcp_opt_print_json`.
fn write_options<W: Write + ?Sized>(w: &mut W, mut opts: &[u8]) -> io::Result<()> {
    w.write_all(b",\"opts\":[")?;
    let mut first = true;
    while let Some(&kind) = opts.first() {
        if kind == 0 {
            break;
        }
        let len = if kind == 1 {
            1
        } else {
            match opts.get(1) {
                Some(&l) => usize::from(l),
                None => break,
            }
        };
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        if len > opts.len() || len == 0 || (kind != 1 && len < 2) {
            write!(w, "{{\"malformed\":{{\"kind\":{kind},\"len\":{len}}}}}")?;
            break;
        }
        let data = opts.get(2.min(len)..len).unwrap_or_default();
        match (kind, data.len()) {
            (1, _) => w.write_all(b"{\"noop\":null}")?,
            (2, 2) => write!(w, "{{\"mss\":{}}}", u16::from_be_bytes([data[0], data[1]]))?,
            (3, 1) => write!(w, "{{\"ws\":{}}}", data[0])?,
            (4, _) => w.write_all(b"{\"sackp\":null}")?,
            (8, 8) => write!(
                w,
                "{{\"ts\":{{\"val\":{},\"ecr\":{}}}}}",
                u32::from_be_bytes([data[0], data[1], data[2], data[3]]),
                u32::from_be_bytes([data[4], data[5], data[6], data[7]])
            )?,
            (2 | 3 | 8, n) => {
                write!(w, "{{\"malformed\":{{\"kind\":{kind},\"data\":\"")?;
                write_hex(w, data)?;
                write!(w, "\",\"len\":{n}}}}}")?;
            }
            _ => {
                write!(w, "{{\"kind\":{kind},\"data\":\"")?;
                write_hex(w, data)?;
                w.write_all(b"\"}")?;
            }
        }
        opts = opts.get(len..).unwrap_or_default();
    }
    w.write_all(b"]")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(seq: u32, flags: u8, opts: &[u8]) -> Vec<u8> {
        let mut h = vec![0u8; 20];
        h[4..8].copy_from_slice(&seq.to_be_bytes());
        h[12] = ((20 + opts.len()) / 4 * 16) as u8;
        h[13] = flags;
        h[14..16].copy_from_slice(&64240u16.to_be_bytes());
        h.extend_from_slice(opts);
        h
    }

    #[test]
    fn syn_details_and_options_print_as_joy() {
        // MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
        let opts = [
            2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
        ];
        let raw = header(1000, 0x02, &opts);
        let h = TcpHeader::new_lax(&raw).unwrap();
        let mut t = TcpInfo::default();
        assert!(!t.update(Direction::Out, &h, 0));
        let mut out = Vec::new();
        t.write_json(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            ",\"tcp\":{\"first_seq\":1000,\"out\":{\"flags\":\"S\",\"first_window_size\":64240,\
             \"opt_len\":20,\"opts\":[{\"mss\":1460},{\"sackp\":null},{\"ts\":{\"val\":1,\"ecr\":0}},\
             {\"noop\":null},{\"ws\":7}]}}"
        );
    }

    #[test]
    fn retransmissions_are_segments_ending_at_or_before_seen_data() {
        let mut t = TcpInfo::default();
        let seg = |seq| header(seq, 0x18, &[]);
        let a = seg(100);
        assert!(!t.update(Direction::Out, &TcpHeader::new_lax(&a).unwrap(), 50));
        assert!(t.update(Direction::Out, &TcpHeader::new_lax(&a).unwrap(), 50));
        let b = seg(150);
        assert!(!t.update(Direction::Out, &TcpHeader::new_lax(&b).unwrap(), 10));
        // Across the sequence wrap.
        let c = seg(u32::MAX - 5);
        assert!(!t.update(Direction::In, &TcpHeader::new_lax(&c).unwrap(), 10));
        let d = seg(4);
        assert!(!t.update(Direction::In, &TcpHeader::new_lax(&d).unwrap(), 10));
        assert!(t.update(Direction::In, &TcpHeader::new_lax(&c).unwrap(), 10));
        assert_eq!(t.retransmissions(), 2);
    }

    #[test]
    fn short_or_bad_headers_are_refused() {
        assert!(TcpHeader::new_lax(&[0; 19]).is_none());
        let mut h = header(1, 2, &[]);
        h[12] = 0x40;
        assert!(TcpHeader::new_lax(&h).is_none());
    }
}
