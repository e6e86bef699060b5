//! One template per record shape. A flow's main record is IPv4 or IPv6,
//! with or without TLS fields; byte distribution and initial data packets
//! travel in records of their own, linked by flowId, so that every record
//! fits a 1400-byte message (a 1300-byte IDP per direction and 1 KiB of
//! byte distribution do not fit beside the flow).
//!
//! A shape's template is what [`crate::export::ipfix::encode::put_record`]
//! names when it writes an empty flow: the template and the records come
//! from the same code.

use sluice_ipfix::{Template, TemplateFields};

use crate::export::ipfix::encode::put_record;
use crate::features::{Feature, FeatureConfig};
use crate::flow::FlowRecord;

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

    /// The flow's main record shape for its IP version, with or without TLS.
    pub fn main(v6: bool, tls: bool) -> Shape {
        match (v6, tls) {
            (false, false) => Shape::Flow4,
            (true, false) => Shape::Flow6,
            (false, true) => Shape::Tls4,
            (true, true) => Shape::Tls6,
        }
    }

    /// True for the main record shapes of IPv6 flows.
    pub fn is_v6(self) -> bool {
        matches!(self, Shape::Flow6 | Shape::Tls6)
    }

    /// True for the main record shapes with TLS fields.
    pub fn has_tls(self) -> bool {
        matches!(self, Shape::Tls4 | Shape::Tls6)
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
        let mut t = TemplateFields::new(self.id());
        // Describing cannot fail: a template collector takes every field.
        let _ = put_record(&mut t, self, &FlowRecord::default(), None, cfg);
        t.into_template()
    }
}
