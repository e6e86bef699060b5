//! The interface every per-flow feature implements.

use std::io;

use sluice_ipfix::{ExportError, RecordFields};

use crate::decode::{Packet, TcpHeader};
use crate::features::config::FeatureConfig;
use crate::flow::Direction;
use crate::json::Rewrite;
use crate::time::Timestamp;

/// One packet of a flow, as the features see it.
#[derive(Clone, Copy)]
pub struct FeaturePacket<'a> {
    /// Its direction within the flow.
    pub dir: Direction,
    /// Packet time.
    pub ts: Timestamp,
    /// The decoded summary.
    pub packet: &'a Packet,
    /// The captured part of the transport payload.
    pub payload: &'a [u8],
    /// The captured part of the IP packet (header on).
    pub ip: &'a [u8],
    /// The TCP header (first fragment of a TCP segment only).
    pub tcp: Option<TcpHeader<'a>>,
}

impl FeaturePacket<'_> {
    /// Transport payload length on the wire (may exceed what was captured).
    pub fn payload_len(&self) -> u32 {
        self.packet.payload_len
    }
}

/// What a feature's output needs to know about its flow.
#[derive(Clone, Copy)]
pub struct FlowContext<'a> {
    /// Time of the flow's first packet.
    pub start: Timestamp,
    /// True once a packet towards the initiator was seen.
    pub bidir: bool,
    /// The feature settings.
    pub cfg: &'a FeatureConfig,
    /// Rewrites values for anonymization (HTTP URIs), if configured.
    pub rewrite: Rewrite<'a>,
}

/// One of Joy's per-flow features (SPLT, byte distribution, IDP, TCP, the
/// application parsers...): its state is created when a flow first needs it
/// and updated with the flow's packets; it writes its own JSON members and
/// IPFIX fields.
pub trait FlowFeature: Default {
    /// Takes one packet of the flow (TCP retransmissions only when the
    /// configuration counts them).
    fn on_packet(&mut self, p: &FeaturePacket<'_>, cfg: &FeatureConfig);

    /// Writes this feature's JSON members, each with a leading comma.
    fn write_json(&self, w: &mut Vec<u8>, cx: &FlowContext<'_>) -> io::Result<()>;

    /// Names and puts this feature's fields of the flow's main IPFIX record
    /// (none by default). Called on a default state to describe the
    /// template, and on the flow's state to put the values: one method for
    /// both, so the template and the record cannot differ.
    fn put_ipfix(
        &self,
        _out: &mut dyn RecordFields,
        _cx: &FlowContext<'_>,
    ) -> Result<(), ExportError> {
        Ok(())
    }

    /// True once the feature holds what its ready hook waits for, with the
    /// hook's `threshold` (packets, bytes; ignored where there is none).
    fn ready(&self, _threshold: u64) -> bool {
        false
    }
}
