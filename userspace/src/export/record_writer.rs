//! Writes encoded flows (see [`crate::export::encoder`]): the JSON line to a
//! stream or rotated files, the flow to the IPFIX exporter. Shared by the
//! offline sink and the live writer thread.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use sluice_ipfix::ExportError;

use crate::export::encoder::EncodedFlow;
use crate::export::ipfix::{IpfixEncoder, IpfixOptions, IpfixRecords, IpfixReport, IpfixSink};
use crate::export::output::RecordOutput;
use crate::features::FeatureConfig;

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
}

impl RecordWriter {
    /// Writes JSON to `json` and IPFIX as `ipfix` says (either or both),
    /// with the templates the features `features` call for. Opens the IPFIX
    /// collectors now.
    pub fn open(
        json: Option<RecordOutput>,
        ipfix: Option<&IpfixOptions>,
        features: Arc<FeatureConfig>,
    ) -> Result<Self, ExportError> {
        let ipfix = match ipfix {
            Some(o) => Some(IpfixSink::open(o, features)?),
            None => None,
        };
        Ok(RecordWriter { json, ipfix })
    }

    /// The encoder of the IPFIX output's records, when IPFIX is exported.
    pub fn ipfix_encoder(&self) -> Option<IpfixEncoder> {
        self.ipfix.as_ref().map(IpfixSink::encoder)
    }

    /// Writes one flow, encoded: its JSON line (empty when JSON is off) and
    /// its IPFIX records. A JSON write error is returned (the
    /// flow's IPFIX export still happens); IPFIX problems are counted in the
    /// IPFIX report.
    pub fn write(&mut self, json: &[u8], ipfix: Option<&IpfixRecords>) -> io::Result<()> {
        if let (Some(x), Some(r)) = (&mut self.ipfix, ipfix) {
            x.put(r);
        }
        match &mut self.json {
            Some(out) if !json.is_empty() => out.write_record(json),
            _ => Ok(()),
        }
    }

    /// Writes one [`EncodedFlow`].
    pub fn write_encoded(&mut self, flow: &EncodedFlow) -> io::Result<()> {
        self.write(&flow.json, flow.ipfix.as_ref())
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

    /// Closes the output files and opens them again (SIGHUP): see
    /// [`RecordOutput::reopen`]; IPFIX files start a new session.
    pub fn reopen(&mut self) -> io::Result<()> {
        if let Some(x) = &mut self.ipfix {
            x.reopen_files();
        }
        match &mut self.json {
            Some(out) => out.reopen(),
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
