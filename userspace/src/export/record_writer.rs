//! Writes finished flows: anonymizes the record when asked, then writes it
//! as a JSON line (to a stream or rotated files) and/or as IPFIX. Shared by
//! the offline sink and the live writer thread.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use sluice_ipfix::ExportError;

use crate::export::ipfix::{IpfixOptions, IpfixReport, IpfixSink};
use crate::export::json::write_flow_json_with;
use crate::export::output::RecordOutput;
use crate::features::anon::Anonymizer;
use crate::features::{FeatureConfig, FlowFeatures};
use crate::flow::FlowRecord;

/// Where a run's records went, once finished.
#[derive(Debug, Default)]
pub struct WrittenOutputs {
    /// JSON files written when rotating (`--max-records`).
    pub files: Vec<PathBuf>,
    /// The IPFIX output's counters, if it was on.
    pub ipfix: Option<IpfixReport>,
}

/// A flow record writer.
pub struct RecordWriter {
    json: Option<RecordOutput>,
    ipfix: Option<IpfixSink>,
    features: Arc<FeatureConfig>,
    anon: Option<Anonymizer>,
    line: Vec<u8>,
}

impl RecordWriter {
    /// Writes JSON to `json` and IPFIX as `ipfix` says (either or both),
    /// with the features `features` enables, anonymizing with `anon`.
    /// Opens the IPFIX collectors now.
    pub fn open(
        json: Option<RecordOutput>,
        ipfix: Option<&IpfixOptions>,
        features: Arc<FeatureConfig>,
        anon: Option<Anonymizer>,
    ) -> Result<Self, ExportError> {
        let ipfix = match ipfix {
            Some(o) => Some(IpfixSink::open(o, Arc::clone(&features))?),
            None => None,
        };
        Ok(RecordWriter {
            json,
            ipfix,
            features,
            anon,
            line: Vec::with_capacity(1 << 16),
        })
    }

    /// Writes one flow.
    pub fn write(&mut self, mut rec: FlowRecord, f: &FlowFeatures) -> io::Result<()> {
        if let Some(a) = &self.anon {
            a.anonymize_record(&mut rec);
        }
        if let Some(out) = &mut self.json {
            self.line.clear();
            let (cfg, anon) = (&*self.features, self.anon.as_ref());
            write_flow_json_with(&rec, &mut self.line, |w| f.write_json(w, cfg, anon))?;
            out.write_record(&self.line)?;
        }
        if let Some(x) = &mut self.ipfix {
            x.write(&rec, f);
        }
        Ok(())
    }

    /// Pushes buffered JSON lines and the IPFIX message being assembled out.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(x) = &mut self.ipfix {
            x.flush();
        }
        match &mut self.json {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }

    /// Flushes and finishes every output.
    pub fn finish(self) -> io::Result<WrittenOutputs> {
        let ipfix = self.ipfix.map(IpfixSink::finish);
        let files = match self.json {
            Some(out) => out.finish()?,
            None => Vec::new(),
        };
        Ok(WrittenOutputs { files, ipfix })
    }
}
