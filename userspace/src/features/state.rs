//! The features of one flow: what the worker keeps per flow and updates with
//! each packet. A flow costs one null pointer when every feature is off; with
//! features on, each feature's state is taken from the worker's pools when the
//! flow first needs it (SPLT at its first listed packet, the byte
//! distribution and IDP at the first payload, TCP details for TCP flows), so
//! a flow pays for what it has.

use std::io;

use crate::decode::{IpProto, Packet, TcpHeader};
use crate::features::app::{self, AppParsers};
use crate::features::byte_dist::{self, ByteDist};
use crate::features::compact_bd::{self, CompactCounts};
use crate::features::config::{Feature, FeatureConfig};
use crate::features::feature::{FeaturePacket, FlowContext, FlowFeature};
use crate::features::idp::{self, Idp};
use crate::features::pool::{recycle, Pooled};
use crate::features::splt::{self, Splt};
use crate::features::tcp_info::TcpInfo;
use crate::flow::PacketInfo;
use crate::json::Rewrite;
use crate::time::Timestamp;

/// Per-flow features (the flow table's user metadata). Empty until the
/// flow's first packet when any feature is on.
#[derive(Debug, Default)]
pub struct FlowFeatures(Option<Pooled<FeatureState>>);

/// The feature values of a flow: one slot per feature, empty until the flow
/// needs it.
#[derive(Debug, Default)]
pub struct FeatureState {
    /// Time of the flow's first packet.
    pub start: Timestamp,
    /// True once a packet towards the initiator was seen.
    pub bidir: bool,
    splt: Option<Pooled<Splt>>,
    bd: Option<Pooled<ByteDist>>,
    compact_bd: Option<Pooled<CompactCounts>>,
    idp: Option<Pooled<Idp>>,
    tcp: Option<Pooled<TcpInfo>>,
    app: Option<Pooled<AppParsers>>,
    /// Ready callbacks already run (bit per hook).
    pub(crate) fired: u8,
}

recycle!(FeatureState, |s| *s = FeatureState::default());

impl FlowFeatures {
    /// The feature values, if any packet was seen with features on.
    pub fn state(&self) -> Option<&FeatureState> {
        self.0.as_deref()
    }

    /// Updates the features with one packet of the flow.
    pub fn update(&mut self, p: &PacketInfo<'_>, cfg: &FeatureConfig) {
        let st = self.0.get_or_insert_with(|| {
            let mut s: Pooled<FeatureState> = Pooled::take();
            s.start = p.ts;
            s
        });
        st.update(p, cfg);
    }

    /// Records that ready hooks in `bits` have run.
    pub(crate) fn mark_fired(&mut self, bits: u8) {
        if let Some(s) = self.0.as_mut() {
            s.fired |= bits;
        }
    }

    /// Writes the enabled features as JSON members, each with a leading comma.
    /// `rewrite` (the anonymizer's) rewrites HTTP request URIs.
    pub fn write_json(
        &self,
        w: &mut Vec<u8>,
        cfg: &FeatureConfig,
        rewrite: Rewrite<'_>,
    ) -> io::Result<()> {
        match self.state() {
            Some(s) => s.write_json(w, &s.context(cfg, rewrite)),
            None => Ok(()),
        }
    }
}

impl FeatureState {
    /// The packet lengths and times, once a packet was listed.
    pub fn splt(&self) -> Option<&Splt> {
        self.splt.as_deref()
    }

    /// The byte distribution, once payload was seen (`bd` or `entropy` on).
    pub fn bd(&self) -> Option<&ByteDist> {
        self.bd.as_deref()
    }

    /// The compact byte distribution, once payload was seen.
    pub fn compact_bd(&self) -> Option<&CompactCounts> {
        self.compact_bd.as_deref()
    }

    /// The initial data packets, once payload was seen.
    pub fn idp(&self) -> Option<&Idp> {
        self.idp.as_deref()
    }

    /// TCP handshake details and retransmissions (TCP flows).
    pub fn tcp(&self) -> Option<&TcpInfo> {
        self.tcp.as_deref()
    }

    /// The application parsers (TLS, DNS, HTTP), once any is on.
    pub fn app(&self) -> Option<&app::App> {
        self.app.as_deref().map(AppParsers::app)
    }

    /// The TLS session, if the flow is TLS.
    pub fn tls(&self) -> Option<&crate::proto::tls::TlsState> {
        self.app().and_then(app::App::tls)
    }

    /// True once the TLS handshake has told all it will.
    pub fn tls_ready(&self) -> bool {
        self.app.as_deref().is_some_and(|a| a.ready(0))
    }

    /// What the features' output needs about this flow.
    pub fn context<'a>(&self, cfg: &'a FeatureConfig, rewrite: Rewrite<'a>) -> FlowContext<'a> {
        FlowContext {
            start: self.start,
            bidir: self.bidir,
            cfg,
            rewrite,
        }
    }

    /// The pipeline of features for one packet, in a fixed order: TCP
    /// details first (they tell retransmissions apart), the application
    /// parsers (which reassemble streams themselves), then, unless the
    /// packet is a retransmission not counted, SPLT and, for payload, the
    /// byte distributions and the initial data packet.
    fn update(&mut self, p: &PacketInfo<'_>, cfg: &FeatureConfig) {
        let pkt: &Packet = p.packet;
        self.bidir |= !p.dir.is_out();
        let first_fragment = pkt.frag.is_none_or(|f| f.is_first());
        let tcp = (pkt.proto == IpProto::TCP && first_fragment)
            .then(|| p.data.get(pkt.l4_offset as usize..))
            .flatten()
            .and_then(TcpHeader::new_lax);
        let fp = FeaturePacket {
            dir: p.dir,
            ts: p.ts,
            packet: pkt,
            payload: captured(p.data, pkt.payload_offset, pkt.payload_len),
            ip: captured(p.data, pkt.l3_offset, pkt.ip_len),
            tcp,
        };
        let mut retrans = false;
        if fp.tcp.is_some() && tracks_tcp(cfg) {
            let t = self.tcp.get_or_insert_with(Pooled::take);
            t.on_packet(&fp, cfg);
            retrans = t.last_was_retransmission();
        }
        if app::enabled(cfg) {
            self.app
                .get_or_insert_with(Pooled::take)
                .on_packet(&fp, cfg);
        }
        if retrans && !cfg.retrans {
            return;
        }
        let len = fp.payload_len();
        if splt::enabled(cfg) && (len > 0 || cfg.zeros) {
            self.splt
                .get_or_insert_with(Pooled::take)
                .on_packet(&fp, cfg);
        }
        if len == 0 {
            return;
        }
        if byte_dist::enabled(cfg) {
            self.bd.get_or_insert_with(Pooled::take).on_packet(&fp, cfg);
        }
        if compact_bd::enabled(cfg) {
            let c = self.compact_bd.get_or_insert_with(Pooled::take);
            c.on_packet(&fp, cfg);
        }
        if idp::enabled(cfg) && !self.idp.as_deref().is_some_and(|i| i.has(fp.dir)) {
            self.idp
                .get_or_insert_with(Pooled::take)
                .on_packet(&fp, cfg);
        }
    }

    /// The features' JSON members, in Joy's order: `packets`, `byte_dist`,
    /// `entropy`, `compact_byte_dist`, `tcp`, the application's (`tls`,
    /// `dns`, `http`), `idp_*`. A feature that is on but saw nothing writes
    /// what Joy writes for an empty one.
    fn write_json(&self, w: &mut Vec<u8>, cx: &FlowContext<'_>) -> io::Result<()> {
        let cfg = cx.cfg;
        if splt::enabled(cfg) {
            write_or_default(self.splt.as_deref(), w, cx)?;
        }
        if byte_dist::enabled(cfg) {
            write_or_default(self.bd.as_deref(), w, cx)?;
        }
        if compact_bd::enabled(cfg) {
            let map = cfg.compact_bd.as_deref();
            CompactCounts::write_json_or_zeros(self.compact_bd.as_deref(), map, w)?;
        }
        if cfg.has(Feature::Tcp) {
            write_or_default(self.tcp.as_deref(), w, cx)?;
        }
        if let Some(a) = self.app.as_deref() {
            a.write_json(w, cx)?;
        }
        if idp::enabled(cfg) {
            write_or_default(self.idp.as_deref(), w, cx)?;
        }
        Ok(())
    }
}

/// True if TCP details are kept: for the `tcp` feature, or to tell
/// retransmissions apart for the features that skip them.
fn tracks_tcp(cfg: &FeatureConfig) -> bool {
    let skips_retransmissions = splt::enabled(cfg)
        || byte_dist::enabled(cfg)
        || compact_bd::enabled(cfg)
        || idp::enabled(cfg);
    cfg.has(Feature::Tcp) || (skips_retransmissions && !cfg.retrans)
}

/// Writes `f`'s JSON, or that of an empty `F` when the flow never needed one.
fn write_or_default<F: FlowFeature>(
    f: Option<&F>,
    w: &mut Vec<u8>,
    cx: &FlowContext<'_>,
) -> io::Result<()> {
    match f {
        Some(f) => f.write_json(w, cx),
        None => F::default().write_json(w, cx),
    }
}

/// The captured part of `len` bytes at `offset` of `data`.
fn captured(data: &[u8], offset: u32, len: u32) -> &[u8] {
    let start = offset as usize;
    let end = start.saturating_add(len as usize).min(data.len());
    data.get(start..end).unwrap_or_default()
}
