//! Which application parser a flow's payload goes to, chosen from its first
//! bytes: TLS (a handshake record), else nothing. The parser then gets every
//! in-order byte until it has learnt all it can.

use std::io::{self, Write};

use crate::features::config::{Feature, FeatureConfig};
use crate::features::tls::{TlsConfig, TlsState};
use crate::flow::Timestamp;

/// The application parser of a flow.
#[derive(Debug, Default)]
pub enum App {
    /// No payload judged yet (`seen` marks directions whose first bytes came).
    #[default]
    Undecided,
    /// One direction's first bytes matched nothing; the other may still.
    HalfSeen(bool),
    /// Nothing to parse: stop reassembling.
    Nothing,
    /// A TLS session.
    Tls(Box<TlsState>),
}

impl App {
    /// True while in-order stream bytes are wanted.
    pub fn wants_stream(&self) -> bool {
        match self {
            App::Undecided | App::HalfSeen(_) => true,
            App::Nothing => false,
            App::Tls(t) => t.wants_data(),
        }
    }

    /// Takes in-order bytes of one direction's TCP stream.
    pub fn on_stream(&mut self, outbound: bool, bytes: &[u8], ts: Timestamp, cfg: &FeatureConfig) {
        if matches!(self, App::Undecided | App::HalfSeen(_)) {
            self.decide(outbound, bytes, cfg);
        }
        if let App::Tls(t) = self {
            t.on_data(outbound, bytes, ts, &tls_config(cfg));
        }
    }

    /// Chooses the parser from a direction's first bytes.
    fn decide(&mut self, outbound: bool, bytes: &[u8], cfg: &FeatureConfig) {
        if cfg.has(Feature::Tls) && looks_like_tls(bytes) {
            *self = App::Tls(Box::default());
            return;
        }
        *self = match *self {
            App::HalfSeen(dir) if dir != outbound => App::Nothing,
            App::HalfSeen(dir) => App::HalfSeen(dir),
            _ => App::HalfSeen(outbound),
        };
    }

    /// True once the TLS handshake is all known.
    pub fn tls_ready(&self) -> bool {
        matches!(self, App::Tls(t) if t.handshake_done() && t.client_hello().is_some())
    }

    /// The TLS state, if the flow is TLS.
    pub fn tls(&self) -> Option<&TlsState> {
        match self {
            App::Tls(t) => Some(t),
            _ => None,
        }
    }

    /// Writes the parser's JSON member (`tls`), if any.
    pub fn write_json<W: Write + ?Sized>(&self, w: &mut W, cfg: &FeatureConfig) -> io::Result<()> {
        match self {
            App::Tls(t) if cfg.has(Feature::Tls) => t.write_json(&mut &mut *w),
            _ => Ok(()),
        }
    }
}

/// The TLS parser's settings for `cfg`: SALT keeps `num_pkts` records per
/// direction when on, none when off.
fn tls_config(cfg: &FeatureConfig) -> TlsConfig {
    TlsConfig {
        certs: true,
        max_records: if cfg.has(Feature::Salt) {
            cfg.num_pkts
        } else {
            0
        },
    }
}

/// A TLS handshake record header: type 22, version 3.x.
fn looks_like_tls(b: &[u8]) -> bool {
    matches!(b, [0x16, 0x03, v, ..] if *v <= 0x04)
}
