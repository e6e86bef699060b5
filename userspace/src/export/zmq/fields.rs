//! One flow as the fields of nProbe's template that ntopng's
//! `ParserInterface` maps: IANA element ids, and ntop's (57472 + n) for the
//! rest. [`put_flow`] names every field once; [`TlvFields`] and
//! [`JsonFields`] write them in the two formats ntopng reads.
//!
//! Directions follow ntopng: the source is the flow's initiator (`sa`),
//! `IN_*` counts what it sent (`sa` → `da`, IP bytes), `OUT_*` the reverse.
//! A slice record counts the packets since the previous slice, which is
//! what ntopng adds up (its counters are per export).

use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::tlv;
use crate::decode::IpProto;
use crate::features::FlowFeatures;
use crate::flow::{Direction, FlowRecord};

/// Element ids (PEN 0: IANA; 57472 + n: ntop's, as nProbe numbers them).
pub mod id {
    /// IN_BYTES: source → destination IP bytes.
    pub const IN_BYTES: u32 = 1;
    /// IN_PKTS.
    pub const IN_PKTS: u32 = 2;
    /// PROTOCOL.
    pub const PROTOCOL: u32 = 4;
    /// TCP_FLAGS (both directions OR-ed).
    pub const TCP_FLAGS: u32 = 6;
    /// L4_SRC_PORT.
    pub const L4_SRC_PORT: u32 = 7;
    /// IPV4_SRC_ADDR.
    pub const IPV4_SRC_ADDR: u32 = 8;
    /// L4_DST_PORT.
    pub const L4_DST_PORT: u32 = 11;
    /// IPV4_DST_ADDR.
    pub const IPV4_DST_ADDR: u32 = 12;
    /// LAST_SWITCHED: epoch seconds.
    pub const LAST_SWITCHED: u32 = 21;
    /// FIRST_SWITCHED: epoch seconds.
    pub const FIRST_SWITCHED: u32 = 22;
    /// OUT_BYTES: destination → source IP bytes.
    pub const OUT_BYTES: u32 = 23;
    /// OUT_PKTS.
    pub const OUT_PKTS: u32 = 24;
    /// IPV6_SRC_ADDR.
    pub const IPV6_SRC_ADDR: u32 = 27;
    /// IPV6_DST_ADDR.
    pub const IPV6_DST_ADDR: u32 = 28;
    /// SRC_VLAN.
    pub const SRC_VLAN: u32 = 58;
    /// IP_PROTOCOL_VERSION.
    pub const IP_PROTOCOL_VERSION: u32 = 60;
    /// The base of ntop's element ids.
    pub const NTOP_BASE: u32 = 57472;
    /// CLIENT_TCP_FLAGS.
    pub const CLIENT_TCP_FLAGS: u32 = NTOP_BASE + 78;
    /// SERVER_TCP_FLAGS.
    pub const SERVER_TCP_FLAGS: u32 = NTOP_BASE + 79;
    /// L7_PROTO: `"master.app"` by nDPI's numbers (Sluice: the one protocol).
    pub const L7_PROTO: u32 = NTOP_BASE + 118;
    /// L7_PROTO_NAME.
    pub const L7_PROTO_NAME: u32 = NTOP_BASE + 119;
    /// HTTP_URL.
    pub const HTTP_URL: u32 = NTOP_BASE + 180;
    /// HTTP_USER_AGENT.
    pub const HTTP_USER_AGENT: u32 = NTOP_BASE + 183;
    /// TLS_SERVER_NAME.
    pub const TLS_SERVER_NAME: u32 = NTOP_BASE + 188;
    /// DNS_QUERY.
    pub const DNS_QUERY: u32 = NTOP_BASE + 205;
    /// HTTP_METHOD.
    pub const HTTP_METHOD: u32 = NTOP_BASE + 360;
    /// HTTP_SITE: the HTTP Host, as ntopng reads it.
    pub const HTTP_SITE: u32 = NTOP_BASE + 361;
    /// JA3C_HASH (ntopng 6.2 keeps it as an additional field).
    pub const JA3C_HASH: u32 = NTOP_BASE + 489;
    /// JA3S_HASH.
    pub const JA3S_HASH: u32 = NTOP_BASE + 490;
    /// JA4C_HASH.
    pub const JA4C_HASH: u32 = NTOP_BASE + 576;
}

/// Where a flow's fields go.
pub trait NtopFields {
    /// An unsigned integer field.
    fn uint(&mut self, id: u32, v: u64);
    /// A string field.
    fn str(&mut self, id: u32, s: &str);
}

/// Fields appended as one TLV record (closed by [`TlvFields::end`]).
pub struct TlvFields<'a>(pub &'a mut Vec<u8>);

impl TlvFields<'_> {
    /// Closes the record.
    pub fn end(self) {
        self.0.push(tlv::END_OF_RECORD);
    }
}

impl NtopFields for TlvFields<'_> {
    fn uint(&mut self, id: u32, v: u64) {
        tlv::put_uint(self.0, id, v);
    }
    fn str(&mut self, id: u32, s: &str) {
        tlv::put_str(self.0, id, s);
    }
}

/// Fields appended as one JSON object keyed by element id (`{"8":"10.0.0.1",...}`,
/// the keys ntopng resolves without a template); closed by [`JsonFields::end`].
pub struct JsonFields<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> JsonFields<'a> {
    /// Opens the object.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        JsonFields { out, first: true }
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.push(b'}');
    }

    fn key(&mut self, id: u32) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        // Writing to a Vec cannot fail.
        let _ = write!(self.out, "\"{id}\":");
    }
}

impl NtopFields for JsonFields<'_> {
    fn uint(&mut self, id: u32, v: u64) {
        self.key(id);
        let _ = crate::json::num::write_uint(self.out, v);
    }
    fn str(&mut self, id: u32, s: &str) {
        self.key(id);
        let _ = crate::json::write_str(self.out, s);
    }
}

/// Writes the fields of one flow: endpoints, counters per direction, times,
/// TCP flags, the application, and what the protocol parsers found (TLS
/// server name and fingerprints, HTTP request, DNS query) when the flow's
/// features have them.
pub fn put_flow(out: &mut impl NtopFields, rec: &FlowRecord, features: &FlowFeatures) {
    put_endpoints(out, rec);
    let (o, i) = (&rec.dirs[Direction::Out], &rec.dirs[Direction::In]);
    out.uint(id::IN_PKTS, o.packets);
    out.uint(id::IN_BYTES, o.ip_bytes);
    out.uint(id::OUT_PKTS, i.packets);
    out.uint(id::OUT_BYTES, i.ip_bytes);
    out.uint(id::FIRST_SWITCHED, rec.time_start.secs());
    out.uint(id::LAST_SWITCHED, rec.time_end.secs());
    if rec.proto == IpProto::TCP {
        let (c, s) = (o.tcp_flags.bits(), i.tcp_flags.bits());
        out.uint(id::TCP_FLAGS, u64::from(c | s));
        out.uint(id::CLIENT_TCP_FLAGS, u64::from(c));
        out.uint(id::SERVER_TCP_FLAGS, u64::from(s));
    }
    let label = rec.app.label;
    out.str(id::L7_PROTO, &label.0.to_string());
    out.str(id::L7_PROTO_NAME, label.name());
    put_app(out, rec, features);
}

fn put_endpoints(out: &mut impl NtopFields, rec: &FlowRecord) {
    if rec.ip_version == 6 {
        out.str(id::IPV6_SRC_ADDR, &Ipv6Addr::from(rec.sa).to_string());
        out.str(id::IPV6_DST_ADDR, &Ipv6Addr::from(rec.da).to_string());
    } else {
        let v4 = |a: &[u8; 16]| Ipv4Addr::new(a[0], a[1], a[2], a[3]).to_string();
        out.str(id::IPV4_SRC_ADDR, &v4(&rec.sa));
        out.str(id::IPV4_DST_ADDR, &v4(&rec.da));
    }
    out.uint(id::IP_PROTOCOL_VERSION, u64::from(rec.ip_version));
    out.uint(id::L4_SRC_PORT, u64::from(rec.sp));
    out.uint(id::L4_DST_PORT, u64::from(rec.dp));
    out.uint(id::PROTOCOL, u64::from(rec.proto.0));
    if rec.vlan != 0 {
        out.uint(id::SRC_VLAN, u64::from(rec.vlan));
    }
}

/// The protocol parsers' fields ntopng shows: the first HTTP request, the
/// first DNS question, the TLS server name (or QUIC's) and fingerprints.
fn put_app(out: &mut impl NtopFields, rec: &FlowRecord, features: &FlowFeatures) {
    let app = features.state().and_then(|s| s.app());
    let tls = app.and_then(|a| a.tls());
    let sni = tls.and_then(|t| t.sni()).or(rec.app.server_name.as_deref());
    if let Some(sni) = sni {
        out.str(id::TLS_SERVER_NAME, sni);
    }
    if let Some(t) = tls {
        if let Some(ja3) = t.ja3() {
            out.str(id::JA3C_HASH, &ja3);
        }
        if let Some(ja3s) = t.ja3s() {
            out.str(id::JA3S_HASH, &ja3s);
        }
        if let Some(ja4) = t.ja4() {
            out.str(id::JA4C_HASH, &ja4);
        }
    }
    let request = app
        .and_then(|a| a.http())
        .and_then(|h| h.messages().iter().find(|m| m.method().is_some()));
    if let Some(m) = request {
        for (field, v) in [
            (id::HTTP_METHOD, m.method()),
            (id::HTTP_URL, m.uri()),
            (id::HTTP_SITE, m.host()),
            (id::HTTP_USER_AGENT, m.user_agent()),
        ] {
            if let Some(v) = v {
                out.str(field, v);
            }
        }
    }
    let question = app
        .and_then(|a| a.dns())
        .and_then(|d| d.messages().iter().find_map(|m| m.questions.first()));
    if let Some(q) = question {
        out.str(id::DNS_QUERY, &q.name);
    }
}
