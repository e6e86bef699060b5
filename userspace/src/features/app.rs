//! Which application parser a flow's payload goes to. TCP: chosen from the
//! first bytes of either direction (a TLS handshake record, an HTTP request
//! or status line) or the DNS port; the parser then gets every in-order
//! byte until it has learnt all it can. UDP: DNS on 53, mDNS on 5353, LLMNR
//! on 5355, and SSDP (HTTP over UDP) on 1900, datagram by datagram.

use std::io::{self, Write};

use crate::decode::{IpProto, TcpFlags, TcpHeader};
use crate::features::config::{Feature, FeatureConfig};
use crate::features::feature::{FeaturePacket, FlowContext, FlowFeature};
use crate::features::pool::{recycle, Pooled};
use crate::features::stream::Streams;
use crate::flow::Direction;
use crate::json::Rewrite;
use crate::proto::dns::{DnsConfig, DnsState};
use crate::proto::http::{looks_like_http, HttpConfig, HttpState};
use crate::proto::tls::{detect::starts_handshake_record, TlsConfig, TlsState};
use crate::time::Timestamp;

/// UDP ports whose datagrams are DNS messages (DNS, mDNS, LLMNR).
const DNS_UDP_PORTS: [u16; 3] = [53, 5353, 5355];
/// The DNS port over TCP.
const DNS_TCP_PORT: u16 = 53;
/// SSDP: HTTP messages over UDP.
const SSDP_PORT: u16 = 1900;

/// The application parsers of a flow (the `tls`, `salt`, `dns` and `http`
/// features): which parser the flow's payload goes to, and the TCP
/// reassembly that feeds it in order.
#[derive(Debug, Default)]
pub struct AppParsers {
    app: App,
    streams: Option<Pooled<Streams>>,
}

recycle!(AppParsers, |a| *a = AppParsers::default());

impl AppParsers {
    /// The parser chosen, and its state.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Passes a TCP segment's payload through the direction's reassembly.
    fn feed_stream(&mut self, p: &FeaturePacket<'_>, h: &TcpHeader<'_>, cfg: &FeatureConfig) {
        let streams = self.streams.get_or_insert_with(Pooled::take);
        let s = &mut streams.0[p.dir];
        if h.tcp_flags().contains(TcpFlags::SYN) {
            s.syn(h.seq());
        }
        let (app, ports, dir) = (&mut self.app, [p.packet.sport, p.packet.dport], p.dir);
        s.push(h.seq(), p.payload, &mut |bytes| {
            app.on_stream(dir, bytes, ports, p.ts, cfg)
        });
        if !self.app.wants_stream() {
            // Nothing more to parse: give the reassembly buffers back.
            self.streams = None;
        }
    }
}

impl FlowFeature for AppParsers {
    fn on_packet(&mut self, p: &FeaturePacket<'_>, cfg: &FeatureConfig) {
        if let Some(h) = p.tcp {
            if self.app.wants_stream() {
                self.feed_stream(p, &h, cfg);
            }
        } else if p.packet.proto == IpProto::UDP
            && p.packet.frag.is_none_or(|f| f.is_first())
            && !matches!(self.app, App::Nothing)
        {
            let ports = [p.packet.sport, p.packet.dport];
            self.app.on_datagram(p.dir, p.payload, ports, p.ts, cfg);
        }
    }

    fn write_json(&self, w: &mut Vec<u8>, cx: &FlowContext<'_>) -> io::Result<()> {
        self.app.write_json(w, cx.cfg, cx.rewrite)
    }

    /// Ready once the TLS handshake has told all it will.
    fn ready(&self, _: u64) -> bool {
        self.app.tls_ready()
    }
}

/// True if any application parser is on (TLS, DNS, HTTP).
pub(crate) fn enabled(cfg: &FeatureConfig) -> bool {
    cfg.set.needs_streams()
}

/// The application parser of a flow.
#[derive(Debug, Default)]
pub enum App {
    /// No payload judged yet.
    #[default]
    Undecided,
    /// One direction's first bytes (this one) matched nothing; the other
    /// may still.
    HalfSeen(Direction),
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
        dir: Direction,
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
            App::Dns(d) if d.wants_data() => d.on_datagram(dir, payload, ts, &dns_config()),
            App::Http(h) if h.wants_data() => {
                h.on_datagram(dir, payload, ts, &HttpConfig::default())
            }
            _ => {}
        }
    }

    /// Takes in-order bytes of one direction's TCP stream of a flow between
    /// `ports`.
    pub fn on_stream(
        &mut self,
        dir: Direction,
        bytes: &[u8],
        ports: [u16; 2],
        ts: Timestamp,
        cfg: &FeatureConfig,
    ) {
        if matches!(self, App::Undecided | App::HalfSeen(_)) {
            self.decide(dir, bytes, ports, cfg);
        }
        match self {
            App::Tls(t) => t.on_data(dir, bytes, ts, &tls_config(cfg)),
            App::Dns(d) => d.on_stream(dir, bytes, ts, &dns_config()),
            App::Http(h) => h.on_data(dir, bytes, ts, &HttpConfig::default()),
            _ => {}
        }
    }

    /// Chooses the parser from a direction's first bytes.
    fn decide(&mut self, dir: Direction, bytes: &[u8], ports: [u16; 2], cfg: &FeatureConfig) {
        if cfg.has(Feature::Tls) && starts_handshake_record(bytes) {
            *self = App::Tls(Box::default());
        } else if cfg.has(Feature::Http) && looks_like_http(bytes) {
            *self = App::Http(Box::default());
        } else if cfg.has(Feature::Dns) && ports.contains(&DNS_TCP_PORT) {
            *self = App::Dns(Box::default());
        } else {
            *self = match *self {
                App::HalfSeen(seen) if seen != dir => App::Nothing,
                App::HalfSeen(seen) => App::HalfSeen(seen),
                _ => App::HalfSeen(dir),
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
    /// `rewrite` (the anonymizer's) rewrites HTTP request URIs.
    pub fn write_json<W: Write + ?Sized>(
        &self,
        w: &mut W,
        cfg: &FeatureConfig,
        rewrite: Rewrite<'_>,
    ) -> io::Result<()> {
        let mut w = w;
        match self {
            App::Tls(t) if cfg.has(Feature::Tls) => t.write_json(&mut w),
            App::Dns(d) if cfg.has(Feature::Dns) => d.write_json(&mut w),
            App::Http(h) if cfg.has(Feature::Http) => h.write_json(&mut w, rewrite),
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
