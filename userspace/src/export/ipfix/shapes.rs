//! One template per record shape. A flow's main record is IPv4 or IPv6,
//! with or without TLS fields; byte distribution and initial data packets
//! travel in records of their own, linked by flowId, so that every record
//! fits a 1400-byte message (a 1300-byte IDP per direction and 1 KiB of
//! byte distribution do not fit beside the flow).

use sluice_ipfix::{Field, Template};

use crate::export::ipfix::elements::*;
use crate::features::{Feature, FeatureConfig};

/// The record shapes, each with its template id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// IPv4 flow.
    Flow4 = 256,
    /// IPv6 flow.
    Flow6 = 257,
    /// IPv4 flow with a TLS handshake.
    Tls4 = 258,
    /// IPv6 flow with a TLS handshake.
    Tls6 = 259,
    /// Byte distribution of a flow (both directions).
    ByteDist = 260,
    /// Initial data packet, initiator to responder.
    IdpOut = 261,
    /// Initial data packet, responder to initiator.
    IdpIn = 262,
}

impl Shape {
    /// Every shape.
    pub const ALL: [Shape; 7] = [
        Shape::Flow4,
        Shape::Flow6,
        Shape::Tls4,
        Shape::Tls6,
        Shape::ByteDist,
        Shape::IdpOut,
        Shape::IdpIn,
    ];

    /// The template id.
    pub fn id(self) -> u16 {
        self as u16
    }

    /// Whether records of this shape are made under `cfg`.
    pub fn used(self, cfg: &FeatureConfig) -> bool {
        match self {
            Shape::Flow4 | Shape::Flow6 => true,
            Shape::Tls4 | Shape::Tls6 => cfg.has(Feature::Tls),
            Shape::ByteDist => cfg.has(Feature::Bd),
            Shape::IdpOut | Shape::IdpIn => cfg.has(Feature::Idp),
        }
    }

    /// The template of this shape under `cfg` (SPL/SPT lists in the flow
    /// shapes when SPLT is on).
    pub fn template(self, cfg: &FeatureConfig) -> Template {
        let t = Template::new(self.id()).field(FLOW_ID);
        match self {
            Shape::Flow4 => flow_fields(t, false, cfg),
            Shape::Flow6 => flow_fields(t, true, cfg),
            Shape::Tls4 => tls_fields(flow_fields(t, false, cfg)),
            Shape::Tls6 => tls_fields(flow_fields(t, true, cfg)),
            Shape::ByteDist => t.field(BASIC_LIST),
            Shape::IdpOut => t.field(IDP),
            Shape::IdpIn => t.field(IDP.reverse()),
        }
    }
}

/// The biflow fields (RFC 5103) and, with SPLT on, the four sequences.
fn flow_fields(t: Template, v6: bool, cfg: &FeatureConfig) -> Template {
    let (src, dst) = if v6 {
        (SRC_V6, DST_V6)
    } else {
        (SRC_V4, DST_V4)
    };
    let mut t = t
        .field(src)
        .field(dst)
        .field(SRC_PORT)
        .field(DST_PORT)
        .field(PROTO)
        .field(VLAN)
        .field(START_MS)
        .field(END_MS)
        .field(END_REASON)
        .field(OCTETS)
        .field(PACKETS)
        .field(TCP_FLAGS)
        .field(OCTETS.reverse())
        .field(PACKETS.reverse())
        .field(TCP_FLAGS.reverse())
        .field(APP_ID)
        .field(APP_NAME);
    if cfg.has(Feature::Splt) {
        // SPL, SPT, reverse SPL, reverse SPT: all basicLists.
        for _ in 0..4 {
            t = t.field(BASIC_LIST);
        }
    }
    t
}

/// The TLS fields: client hello values forward, server hello values
/// reverse, then SNI, JA3 and JA4.
fn tls_fields(t: Template) -> Template {
    let lists = |t: Template| t.field(BASIC_LIST).field(BASIC_LIST).field(BASIC_LIST);
    let t = t
        .field(TLS_VERSION)
        .field(TLS_RANDOM)
        .field(TLS_SESSION_ID)
        .field(TLS_KEY_LEN);
    // ciphers, extension types, extension lengths
    let t = lists(t);
    let t = t
        .field(TLS_VERSION.reverse())
        .field(TLS_RANDOM.reverse())
        .field(TLS_SESSION_ID.reverse());
    let t = lists(t);
    t.field(TLS_SNI).field(TLS_JA3).field(TLS_JA4)
}

/// The list element of each basicList of the flow shapes, in template order.
pub const SPLT_LISTS: [Field; 4] = [SPL, SPT, SPL.reverse(), SPT.reverse()];
