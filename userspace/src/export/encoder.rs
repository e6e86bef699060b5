//! Turns a finished flow into what the outputs take: the record anonymized
//! and given its Community ID, then its JSON line (when JSON is on) and what
//! the other outputs take ([`FlowExtras`]: IPFIX records, the Kafka key, the
//! ZMQ record).
//!
//! Encoding runs in the thread that exported the flow (each live worker, or
//! the offline reader), so the one writer thread only writes bytes: the JSON
//! lines, and the IPFIX records copied into the messages the exporter alone
//! assembles (sequence numbers and sizes are per exporter).

use std::sync::Arc;

use crate::anon::Anonymizer;
use crate::export::ipfix::{IpfixEncoder, IpfixRecords};
use crate::export::json::write_flow_json_with;
use crate::export::zmq::{encode_flow, ZmqFormat};
use crate::features::{FeatureConfig, FlowFeatures};
use crate::flow::{CommunityId, FlowRecord};
use crate::json::Rewrite;

/// One flow, encoded, on its way to the writer.
#[derive(Debug, Default)]
pub struct EncodedFlow {
    /// The JSON line with its final `\n` (empty when JSON is off).
    pub json: Vec<u8>,
    /// What the other outputs take.
    pub extras: FlowExtras,
}

/// What a flow gives the outputs besides its JSON line.
#[derive(Debug, Default)]
pub struct FlowExtras {
    /// Its IPFIX records (None when IPFIX is off).
    pub ipfix: Option<IpfixRecords>,
    /// The Kafka message key: the flow's Community ID (computed for the key
    /// even when the record leaves it out; None when Kafka is off).
    pub key: Option<CommunityId>,
    /// Its ZMQ record for ntopng (None when ZMQ is off).
    pub zmq: Option<ZmqRecord>,
}

/// One flow for the ZMQ exporter: its encoded fields, and its counts for
/// the exporter's `event` totals.
#[derive(Debug, Default)]
pub struct ZmqRecord {
    /// One TLV record or JSON object (see [`crate::export::zmq::encode_flow`]).
    pub bytes: Vec<u8>,
    /// Packets of the record, both directions.
    pub packets: u64,
    /// IP bytes of the record, both directions.
    pub ip_bytes: u64,
}

/// Which outputs a run writes, and how records are encoded for them. Cheap
/// to clone: one per worker.
#[derive(Clone)]
pub struct RecordEncoder {
    features: Arc<FeatureConfig>,
    anon: Option<Arc<Anonymizer>>,
    json: bool,
    ipfix: Option<IpfixEncoder>,
    keys: bool,
    zmq: Option<ZmqFormat>,
}

impl RecordEncoder {
    /// An encoder for JSON lines (`json`) and/or IPFIX (`ipfix`, the
    /// IPFIX output's encoder) with the features `features` enables,
    /// anonymizing with `anon`.
    pub fn new(
        features: Arc<FeatureConfig>,
        anon: Option<Anonymizer>,
        json: bool,
        ipfix: Option<IpfixEncoder>,
    ) -> Self {
        RecordEncoder {
            features,
            anon: anon.map(Arc::new),
            json,
            ipfix,
            keys: false,
            zmq: None,
        }
    }

    /// The encoder of the records `writer` writes: JSON when it has a JSON
    /// output or Kafka, IPFIX records, Kafka keys and ZMQ records when it
    /// has those outputs.
    pub fn for_writer(
        features: Arc<FeatureConfig>,
        anon: Option<Anonymizer>,
        writer: &crate::export::record_writer::RecordWriter,
    ) -> Self {
        let mut e = RecordEncoder::new(features, anon, writer.wants_json(), writer.ipfix_encoder());
        e.keys = writer.wants_keys();
        e.zmq = writer.zmq_format();
        e
    }

    /// Encodes one flow into a new [`EncodedFlow`]; `size_hint` is the
    /// expected JSON line length (the previous line's is a good guess).
    pub fn encode(&self, rec: FlowRecord, features: FlowFeatures, size_hint: usize) -> EncodedFlow {
        let mut json = Vec::new();
        if self.json {
            json.reserve(size_hint);
        }
        let extras = self.encode_into(rec, features, &mut json);
        EncodedFlow { json, extras }
    }

    /// Anonymizes `rec`, appends its JSON line to `json` (when JSON is on),
    /// and returns what the other outputs take.
    pub fn encode_into(
        &self,
        mut rec: FlowRecord,
        features: FlowFeatures,
        json: &mut Vec<u8>,
    ) -> FlowExtras {
        let anon = self.anon.as_deref();
        if let Some(a) = anon {
            a.anonymize_record(&mut rec);
        }
        rec.community_id = self
            .features
            .community_id
            .and_then(|seed| CommunityId::of(&rec, seed));
        if self.json {
            let cfg = &*self.features;
            let usernames = anon.filter(|a| a.usernames().is_some());
            let rewriter = usernames.map(Anonymizer::username_rewriter);
            let rewrite: Rewrite<'_> = rewriter
                .as_ref()
                .map(|r| r as &dyn Fn(&str) -> Option<String>);
            // Writing to a Vec cannot fail.
            let _ = write_flow_json_with(&rec, json, |w| features.write_json(w, cfg, rewrite));
        }
        let key = self.keys.then(|| {
            rec.community_id
                .or_else(|| CommunityId::of(&rec, self.features.community_id.unwrap_or(0)))
        });
        FlowExtras {
            ipfix: self.ipfix.as_ref().map(|x| x.encode(&rec, &features)),
            key: key.flatten(),
            zmq: self.zmq.map(|format| {
                let mut bytes = Vec::with_capacity(256);
                encode_flow(format, &rec, &features, &mut bytes);
                ZmqRecord {
                    bytes,
                    packets: rec.dirs.iter().map(|d| d.packets).sum(),
                    ip_bytes: rec.dirs.iter().map(|d| d.ip_bytes).sum(),
                }
            }),
        }
    }
}
