//! Which application parser a flow's payload goes to. TCP: chosen from the
//! first bytes of either direction (a TLS handshake record, an HTTP request
//! or status line) or the DNS port; the parser then gets every in-order
//! byte until it has learnt all it can. UDP: DNS on 53, mDNS on 5353, LLMNR
//! on 5355, and SSDP (HTTP over UDP) on 1900, datagram by datagram.

use std::io::{self, Write};

use crate::anon::Anonymizer;
use crate::features::config::{Feature, FeatureConfig};
use crate::flow::Timestamp;
use crate::proto::dns::{DnsConfig, DnsState};
use crate::proto::http::{looks_like_http, HttpConfig, HttpState};
use crate::proto::tls::{TlsConfig, TlsState};

/// UDP ports whose datagrams are DNS messages (DNS, mDNS, LLMNR).
const DNS_UDP_PORTS: [u16; 3] = [53, 5353, 5355];
/// The DNS port over TCP.
const DNS_TCP_PORT: u16 = 53;
/// SSDP: HTTP messages over UDP.
const SSDP_PORT: u16 = 1900;

/// The application parser of a flow.
#[derive(Debug, Default)]
pub enum App {
    /// No payload judged yet.
    #[default]
    Undecided,
    /// One direction's first bytes (this one: true = outbound) matched
    /// nothing; the other may still.
    HalfSeen(bool),
    /// Nothing to parse: stop reassembling.
    Nothing,
    /// A TLS session.
    Tls(Box<TlsState>),
    /// DNS messages (UDP datagrams or a TCP stream).
    Dns(Box<DnsState>),
    /// HTTP/1.x messages (a TCP stream, or SSDP datagrams).
    Http(Box<HttpState>),
}

impl App {
    /// True while in-order stream bytes are wanted.
    pub fn wants_stream(&self) -> bool {
        match self {
            App::Undecided | App::HalfSeen(_) => true,
            App::Nothing => false,
            App::Tls(t) => t.wants_data(),
            App::Dns(d) => d.wants_data(),
            App::Http(h) => h.wants_data(),
        }
    }

    /// Takes one UDP datagram's payload of a flow between `ports`.
    pub fn on_datagram(
        &mut self,
        outbound: bool,
        payload: &[u8],
        ports: [u16; 2],
        ts: Timestamp,
        cfg: &FeatureConfig,
    ) {
        if let App::Undecided = self {
            let on = |p: u16| ports.contains(&p);
            *self = if cfg.has(Feature::Dns) && DNS_UDP_PORTS.iter().any(|&p| on(p)) {
                App::Dns(Box::default())
            } else if cfg.has(Feature::Http) && on(SSDP_PORT) {
                App::Http(Box::default())
            } else {
                App::Nothing
            };
        }
        match self {
            App::Dns(d) if d.wants_data() => d.on_datagram(outbound, payload, ts, &dns_config()),
            App::Http(h) if h.wants_data() => {
                h.on_datagram(outbound, payload, ts, &HttpConfig::default())
            }
            _ => {}
        }
    }

    /// Takes in-order bytes of one direction's TCP stream of a flow between
    /// `ports`.
    pub fn on_stream(
        &mut self,
        outbound: bool,
        bytes: &[u8],
        ports: [u16; 2],
        ts: Timestamp,
        cfg: &FeatureConfig,
    ) {
        if matches!(self, App::Undecided | App::HalfSeen(_)) {
            self.decide(outbound, bytes, ports, cfg);
        }
        match self {
            App::Tls(t) => t.on_data(outbound, bytes, ts, &tls_config(cfg)),
            App::Dns(d) => d.on_stream(outbound, bytes, ts, &dns_config()),
            App::Http(h) => h.on_data(outbound, bytes, ts, &HttpConfig::default()),
            _ => {}
        }
    }

    /// Chooses the parser from a direction's first bytes.
    fn decide(&mut self, outbound: bool, bytes: &[u8], ports: [u16; 2], cfg: &FeatureConfig) {
        if cfg.has(Feature::Tls) && looks_like_tls(bytes) {
            *self = App::Tls(Box::default());
        } else if cfg.has(Feature::Http) && looks_like_http(bytes) {
            *self = App::Http(Box::default());
        } else if cfg.has(Feature::Dns) && ports.contains(&DNS_TCP_PORT) {
            *self = App::Dns(Box::default());
        } else {
            *self = match *self {
                App::HalfSeen(dir) if dir != outbound => App::Nothing,
                App::HalfSeen(dir) => App::HalfSeen(dir),
                _ => App::HalfSeen(outbound),
            };
        }
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

    /// The DNS state, if the flow carries DNS.
    pub fn dns(&self) -> Option<&DnsState> {
        match self {
            App::Dns(d) => Some(d),
            _ => None,
        }
    }

    /// The HTTP state, if the flow carries HTTP.
    pub fn http(&self) -> Option<&HttpState> {
        match self {
            App::Http(h) => Some(h),
            _ => None,
        }
    }

    /// Writes the parser's JSON member (`tls`, `dns` or `http`), if any;
    /// `anon` pseudonymizes listed usernames in HTTP request URIs.
    pub fn write_json<W: Write + ?Sized>(
        &self,
        w: &mut W,
        cfg: &FeatureConfig,
        anon: Option<&Anonymizer>,
    ) -> io::Result<()> {
        let mut w = w;
        match self {
            App::Tls(t) if cfg.has(Feature::Tls) => t.write_json(&mut w),
            App::Dns(d) if cfg.has(Feature::Dns) => d.write_json(&mut w),
            App::Http(h) if cfg.has(Feature::Http) => {
                match anon.filter(|a| a.usernames().is_some()) {
                    Some(a) => {
                        let rewrite = a.username_rewriter();
                        h.write_json(&mut w, Some(&rewrite))
                    }
                    None => h.write_json(&mut w, None),
                }
            }
            _ => Ok(()),
        }
    }
}

/// DNS messages kept per flow: long-lived mDNS and resolver flows carry
/// hundreds (Joy keeps a handful; the bound keeps memory per flow finite).
const DNS_MAX_MESSAGES: usize = 1024;

fn dns_config() -> DnsConfig {
    DnsConfig {
        max_messages: DNS_MAX_MESSAGES,
        ..DnsConfig::default()
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

/// A TLS handshake record header: type 22, version 3.0 to 3.4.
fn looks_like_tls(b: &[u8]) -> bool {
    matches!(b, [0x16, 0x03, v, ..] if *v <= 0x04)
}
