//! Turns a finished flow into what the outputs take: the record anonymized
//! and given its Community ID, then its JSON line (when JSON is on) and its IPFIX records (when IPFIX is
//! on).
//!
//! Encoding runs in the thread that exported the flow (each live worker, or
//! the offline reader), so the one writer thread only writes bytes: the JSON
//! lines, and the IPFIX records copied into the messages the exporter alone
//! assembles (sequence numbers and sizes are per exporter).

use std::sync::Arc;

use crate::anon::Anonymizer;
use crate::export::ipfix::{IpfixEncoder, IpfixRecords};
use crate::export::json::write_flow_json_with;
use crate::features::{FeatureConfig, FlowFeatures};
use crate::flow::{CommunityId, FlowRecord};
use crate::json::Rewrite;

/// One flow, encoded, on its way to the writer.
#[derive(Debug, Default)]
pub struct EncodedFlow {
    /// The JSON line with its final `\n` (empty when JSON is off).
    pub json: Vec<u8>,
    /// Its IPFIX records (None when IPFIX is off).
    pub ipfix: Option<IpfixRecords>,
}

/// Which outputs a run writes, and how records are encoded for them. Cheap
/// to clone: one per worker.
#[derive(Clone)]
pub struct RecordEncoder {
    features: Arc<FeatureConfig>,
    anon: Option<Arc<Anonymizer>>,
    json: bool,
    ipfix: Option<IpfixEncoder>,
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
        }
    }

    /// Encodes one flow into a new [`EncodedFlow`]; `size_hint` is the
    /// expected JSON line length (the previous line's is a good guess).
    pub fn encode(&self, rec: FlowRecord, features: FlowFeatures, size_hint: usize) -> EncodedFlow {
        let mut json = Vec::new();
        if self.json {
            json.reserve(size_hint);
        }
        let ipfix = self.encode_into(rec, features, &mut json);
        EncodedFlow { json, ipfix }
    }

    /// Anonymizes `rec`, appends its JSON line to `json` (when JSON is on),
    /// and returns its IPFIX records (when IPFIX is on).
    pub fn encode_into(
        &self,
        mut rec: FlowRecord,
        features: FlowFeatures,
        json: &mut Vec<u8>,
    ) -> Option<IpfixRecords> {
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
        self.ipfix.as_ref().map(|x| x.encode(&rec, &features))
    }
}
