//! Per-flow detection state.

use crate::decode::IpProto;
use crate::l7::config::L7Config;
use crate::l7::detect::{self, Scratch, Step};
use crate::l7::guess::guess;
use crate::l7::packet::L7Packet;
use crate::l7::proto::L7Proto;

/// `L7Flow::flags`: detection finished (detected or gave up).
const DONE: u8 = 1;
/// `L7Flow::flags`: the protocol is a port-based guess (PF_RING FT's
/// `PF_RING_FT_FLOW_FLAGS_L7_GUESS`).
const GUESSED: u8 = 2;

/// L7 detection state of one flow: 12 bytes, `Copy`, kept in the flow
/// table's entry.
///
/// Feed it the flow's packets with [`L7Flow::inspect`] until it returns
/// true; [`L7Flow::give_up`] ends detection early (the flow is exported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct L7Flow {
    /// The protocol found so far (final once `DONE`).
    proto: L7Proto,
    /// `DONE` and `GUESSED` bits.
    flags: u8,
    /// Payload packets inspected.
    packets: u8,
    /// What multi-packet detectors remember between packets.
    scratch: Scratch,
}

impl L7Flow {
    /// Inspects one packet of the flow; returns true once detection is done
    /// (now or before). ICMP and ICMPv6 are classified by IP protocol on
    /// their first packet, other protocols without ports give up at once;
    /// TCP and UDP packets without payload are ignored. After
    /// `cfg.max_packets` payload packets without a match detection gives up
    /// (with a port guess if `cfg.guess`).
    pub fn inspect(&mut self, pkt: &L7Packet<'_>, cfg: &L7Config) -> bool {
        if self.is_done() {
            return true;
        }
        match pkt.ip_proto {
            IpProto::ICMP => return self.finish(L7Proto::Icmp),
            IpProto::ICMPV6 => return self.finish(L7Proto::Icmpv6),
            IpProto::TCP | IpProto::UDP => {}
            _ => return self.finish(L7Proto::Unknown),
        }
        if pkt.payload.is_empty() {
            return false;
        }
        self.packets = self.packets.saturating_add(1);
        match detect::step(&mut self.scratch, pkt) {
            Step::Done(p) => return self.finish(p),
            Step::Tentative(p) => self.proto = p,
            Step::Continue => {}
        }
        if self.packets >= cfg.max_packets.max(1) {
            self.give_up(cfg.guess, pkt.ip_proto, pkt.sport, pkt.dport);
            return true;
        }
        false
    }

    /// Ends detection: keeps a protocol already found (a tentative one,
    /// e.g. SMTP still watched for STARTTLS), else guesses from the ports
    /// when `guess` is set ([`guess`]). No-op once done.
    pub fn give_up(&mut self, guess_ok: bool, ip_proto: IpProto, sport: u16, dport: u16) {
        if self.is_done() {
            return;
        }
        let (p, guessed) = self.verdict(guess_ok, ip_proto, sport, dport);
        self.proto = p;
        self.flags = DONE | if guessed { GUESSED } else { 0 };
    }

    /// What [`L7Flow::give_up`] would settle on now, without ending
    /// detection: `(protocol, guessed)`.
    pub fn verdict(
        &self,
        guess_ok: bool,
        ip_proto: IpProto,
        sport: u16,
        dport: u16,
    ) -> (L7Proto, bool) {
        if self.is_done() || self.proto != L7Proto::Unknown {
            return (self.proto, self.guessed());
        }
        match pkt_guess(guess_ok, ip_proto, sport, dport) {
            Some(p) => (p, true),
            None => (L7Proto::Unknown, false),
        }
    }

    /// The detected (or guessed) protocol; `Unknown` while nothing is known.
    pub fn proto(&self) -> L7Proto {
        self.proto
    }

    /// True if [`L7Flow::proto`] is a port-based guess.
    pub fn guessed(&self) -> bool {
        self.flags & GUESSED != 0
    }

    /// True once detection finished.
    pub fn is_done(&self) -> bool {
        self.flags & DONE != 0
    }

    /// Payload packets inspected so far.
    pub fn packets(&self) -> u8 {
        self.packets
    }

    fn finish(&mut self, p: L7Proto) -> bool {
        self.proto = p;
        self.flags = DONE;
        true
    }
}

fn pkt_guess(guess_ok: bool, ip_proto: IpProto, sport: u16, dport: u16) -> Option<L7Proto> {
    if guess_ok {
        guess(ip_proto, sport, dport)
    } else {
        None
    }
}
