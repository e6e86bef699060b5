//! Writes finished flows as JSON lines: the record (addresses anonymized when
//! asked) with its features, to a stream or rotated files. Shared by the
//! offline sink and the live writer thread.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use crate::export::json::write_flow_json_with;
use crate::export::output::RecordOutput;
use crate::features::anon::Anonymizer;
use crate::features::{FeatureConfig, FlowFeatures};
use crate::flow::FlowRecord;

/// A flow record writer.
pub struct RecordWriter {
    out: RecordOutput,
    features: Arc<FeatureConfig>,
    anon: Option<Anonymizer>,
    line: Vec<u8>,
}

impl RecordWriter {
    /// Writes to `out` the features `features` enables, anonymizing with `anon`.
    pub fn new(out: RecordOutput, features: Arc<FeatureConfig>, anon: Option<Anonymizer>) -> Self {
        RecordWriter {
            out,
            features,
            anon,
            line: Vec::with_capacity(1 << 16),
        }
    }

    /// Writes one flow as one line.
    pub fn write(&mut self, mut rec: FlowRecord, f: &FlowFeatures) -> io::Result<()> {
        if let Some(a) = &self.anon {
            a.anonymize_record(&mut rec);
        }
        self.line.clear();
        let (cfg, anon) = (&*self.features, self.anon.as_ref());
        write_flow_json_with(&rec, &mut self.line, |w| f.write_json(w, cfg, anon))?;
        self.out.write_record(&self.line)
    }

    /// Pushes buffered lines of a stream out.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Flushes and finishes the output; returns the files written when rotating.
    pub fn finish(self) -> io::Result<Vec<PathBuf>> {
        self.out.finish()
    }
}
