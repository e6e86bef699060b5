//! What the flow table keeps per flow for the L7 stage: the detection state
//! and, for QUIC, the server name read from the client's Initial packets (a
//! ClientHello can span several Initials, past detection), so the table holds
//! one opaque value and no protocol's state.

use crate::l7::config::L7Config;
use crate::l7::flow::L7Flow;
use crate::l7::packet::L7Packet;
use crate::l7::proto::L7Proto;
use crate::proto::quic::QuicSni;

/// A flow's L7 state.
#[derive(Debug, Default)]
pub struct L7State {
    detect: L7Flow,
    /// Boxed: allocated only for flows detected as QUIC.
    quic: Option<Box<QuicSni>>,
}

impl L7State {
    /// Inspects one packet: detection while it is not done, then the QUIC
    /// client's Initials. `whole` says the payload is the whole datagram
    /// (only a whole one can be decrypted; a handed-over head may be cut).
    /// Returns true when detection has just finished.
    pub fn inspect(&mut self, pkt: &L7Packet<'_>, whole: bool, cfg: &L7Config) -> bool {
        let finished = !self.detect.is_done() && self.detect.inspect(pkt, cfg);
        let quic = self.detect.proto() == L7Proto::Quic
            && self.quic.as_ref().is_none_or(|q| q.wants_more());
        if pkt.dir.is_out() && quic && whole && !pkt.payload.is_empty() {
            self.quic.get_or_insert_default().push(pkt.payload);
        }
        finished
    }

    /// The detection state.
    pub fn detection(&self) -> &L7Flow {
        &self.detect
    }

    /// Ends detection (the flow is being exported), guessing from the
    /// ports if `guess_ok` (see [`L7Flow::give_up`]).
    pub fn give_up(&mut self, guess_ok: bool, ip_proto: u8, sport: u16, dport: u16) {
        self.detect.give_up(guess_ok, ip_proto, sport, dport);
    }

    /// The server name a QUIC client sent, once read.
    pub fn server_name(&self) -> Option<&str> {
        self.quic.as_ref().and_then(|q| q.sni())
    }

    /// The protocol found (see [`L7Flow::proto`]).
    pub fn proto(&self) -> L7Proto {
        self.detect.proto()
    }

    /// True if the protocol is a port-based guess.
    pub fn guessed(&self) -> bool {
        self.detect.guessed()
    }

    /// True once detection is done.
    pub fn is_done(&self) -> bool {
        self.detect.is_done()
    }

    /// What giving up would say now (see [`L7Flow::verdict`]).
    pub fn verdict(&self, guess_ok: bool, ip_proto: u8, sport: u16, dport: u16) -> (L7Proto, bool) {
        self.detect.verdict(guess_ok, ip_proto, sport, dport)
    }
}
