//! The features of one flow: what the worker keeps per flow and updates with
//! each packet. A flow costs one null pointer when every feature is off.

use std::io::{self, Write};

use crate::anon::Anonymizer;
use crate::decode::{Packet, PROTO_TCP, PROTO_UDP};
use crate::features::app::App;
use crate::features::byte_dist::ByteDist;
use crate::features::config::{Feature, FeatureConfig};
use crate::features::idp::Idp;
use crate::features::splt::Splt;
use crate::features::stream::Stream;
use crate::features::tcp_info::{TcpHeader, TcpInfo};
use crate::flow::{PacketInfo, Timestamp};
use crate::json::num::write_uint_list;

/// Per-flow features (the flow table's user metadata). Empty until the
/// flow's first packet when any feature is on.
#[derive(Debug, Default)]
pub struct FlowFeatures(Option<Box<FeatureState>>);

/// The feature values of a flow.
#[derive(Debug, Default)]
pub struct FeatureState {
    /// Time of the flow's first packet.
    pub start: Timestamp,
    /// True once a packet towards the initiator was seen.
    pub bidir: bool,
    /// Packet lengths and times.
    pub splt: Splt,
    /// Byte distribution (when `bd` or `entropy` is on).
    pub bd: Option<ByteDist>,
    /// Compact byte distribution: counts per bucket of the mapping.
    pub compact_bd: Option<Box<[u64]>>,
    /// Initial data packets.
    pub idp: Idp,
    /// TCP handshake details and retransmissions.
    pub tcp: TcpInfo,
    pub(crate) streams: Option<Box<[Stream; 2]>>,
    /// The application parser (TLS...).
    pub app: App,
    /// Ready callbacks already run (bit per hook).
    pub(crate) fired: u8,
}

impl FlowFeatures {
    /// The feature values, if any packet was seen with features on.
    pub fn state(&self) -> Option<&FeatureState> {
        self.0.as_deref()
    }

    /// Updates the features with one packet of the flow.
    pub fn update(&mut self, p: &PacketInfo<'_>, cfg: &FeatureConfig) {
        let st = self.0.get_or_insert_with(|| {
            Box::new(FeatureState {
                start: p.ts,
                bd: (cfg.has(Feature::Bd) || cfg.has(Feature::Entropy)).then(ByteDist::default),
                compact_bd: cfg
                    .compact_bd
                    .as_ref()
                    .filter(|_| cfg.has(Feature::CompactBd))
                    .map(|m| vec![0; m.buckets()].into_boxed_slice()),
                ..FeatureState::default()
            })
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
    /// `anon` rewrites listed usernames in HTTP request URIs.
    pub fn write_json<W: Write + ?Sized>(
        &self,
        w: &mut W,
        cfg: &FeatureConfig,
        anon: Option<&Anonymizer>,
    ) -> io::Result<()> {
        match self.state() {
            Some(s) => s.write_json(w, cfg, anon),
            None => Ok(()),
        }
    }
}

impl FeatureState {
    /// True once the TLS handshake has told all it will.
    pub fn tls_ready(&self) -> bool {
        self.app.tls_ready()
    }

    fn update(&mut self, p: &PacketInfo<'_>, cfg: &FeatureConfig) {
        let pkt: &Packet = p.packet;
        self.bidir |= !p.outbound;
        let payload = payload_of(pkt, p.data);
        let mut retrans = false;
        if pkt.proto == PROTO_TCP && pkt.frag.is_none_or(|f| f.is_first()) {
            let hdr = p
                .data
                .get(pkt.l4_offset as usize..)
                .and_then(TcpHeader::parse);
            if let Some(h) = hdr {
                retrans = self.tcp.update(p.outbound, &h, pkt.payload_len);
                if cfg.set.needs_streams() && self.app.wants_stream() {
                    self.feed_stream(p.outbound, &h, payload, [pkt.sport, pkt.dport], p.ts, cfg);
                }
            }
        }
        if pkt.proto == PROTO_UDP
            && cfg.set.needs_streams()
            && pkt.frag.is_none_or(|f| f.is_first())
            && !matches!(self.app, App::Nothing)
        {
            let ports = [pkt.sport, pkt.dport];
            self.app.on_datagram(p.outbound, payload, ports, p.ts, cfg);
        }
        if retrans && !cfg.retrans {
            return;
        }
        let len = pkt.payload_len;
        if cfg.has(Feature::Splt) && (len > 0 || cfg.zeros) {
            self.splt.push(p.outbound, len, p.ts, cfg.num_pkts);
        }
        if len == 0 {
            return;
        }
        if let Some(bd) = self.bd.as_mut() {
            bd.add(payload);
        }
        if let (Some(counts), Some(map)) = (self.compact_bd.as_mut(), cfg.compact_bd.as_ref()) {
            for &b in payload {
                if let Some(c) = counts.get_mut(usize::from(map.bucket(b))) {
                    *c += 1;
                }
            }
        }
        if cfg.has(Feature::Idp) && !self.idp.has(p.outbound) {
            let l3 = pkt.l3_offset as usize;
            let end = l3.saturating_add(pkt.ip_len as usize).min(p.data.len());
            self.idp.offer(
                p.outbound,
                p.data.get(l3..end).unwrap_or_default(),
                cfg.idp_bytes,
            );
        }
    }

    /// Passes a TCP segment's payload through the direction's reassembly.
    fn feed_stream(
        &mut self,
        outbound: bool,
        h: &TcpHeader<'_>,
        payload: &[u8],
        ports: [u16; 2],
        ts: Timestamp,
        cfg: &FeatureConfig,
    ) {
        let streams = self.streams.get_or_insert_with(Box::default);
        let s = &mut streams[usize::from(!outbound)];
        if h.flags & 0x02 != 0 {
            s.syn(h.seq);
        }
        let app = &mut self.app;
        s.push(h.seq, payload, &mut |bytes| {
            app.on_stream(outbound, bytes, ports, ts, cfg)
        });
        if !self.app.wants_stream() {
            // Nothing more to parse: free the reassembly buffers.
            self.streams = None;
        }
    }

    fn write_json<W: Write + ?Sized>(
        &self,
        w: &mut W,
        cfg: &FeatureConfig,
        anon: Option<&Anonymizer>,
    ) -> io::Result<()> {
        if cfg.has(Feature::Splt) {
            self.splt.write_json(w, self.start, self.bidir)?;
        }
        if let Some(bd) = &self.bd {
            let stats = bd.stats();
            if cfg.has(Feature::Bd) {
                bd.write_json_with(w, stats)?;
            }
            if cfg.has(Feature::Entropy) {
                bd.write_entropy_json_with(w, stats)?;
            }
        }
        if let Some(counts) = &self.compact_bd {
            w.write_all(b",\"compact_byte_dist\":[")?;
            write_uint_list(w, counts.iter().copied())?;
            w.write_all(b"]")?;
        }
        if cfg.has(Feature::Tcp) {
            self.tcp.write_json(w)?;
        }
        self.app.write_json(w, cfg, anon)?;
        if cfg.has(Feature::Idp) {
            self.idp.write_json(w)?;
        }
        Ok(())
    }
}

/// The captured part of a packet's transport payload.
fn payload_of<'a>(pkt: &Packet, data: &'a [u8]) -> &'a [u8] {
    let start = pkt.payload_offset as usize;
    let end = start
        .saturating_add(pkt.payload_len as usize)
        .min(data.len());
    data.get(start..end).unwrap_or_default()
}
