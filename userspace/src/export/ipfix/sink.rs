//! The engine's IPFIX output: an exporter with the flow templates, fed one
//! flow at a time, and its counters for the run's report.

use std::fmt;
use std::sync::Arc;

use serde_json::{json, Value};
use sluice_ipfix::{
    CollectorSpec, CollectorStats, ExportError, Exporter, ExporterConfig, RecordBatch, Templates,
};

use crate::export::ipfix::elements::{element_infos, ELEMENT_TYPES_TEMPLATE};
use crate::export::ipfix::encode::{write_flow, FlowOutcome};
use crate::export::ipfix::shapes::Shape;
use crate::features::{FeatureConfig, FlowFeatures};
use crate::flow::FlowRecord;

/// Where and how to export IPFIX.
#[derive(Clone, Debug)]
pub struct IpfixOptions {
    /// Collectors and files, at least one.
    pub collectors: Vec<CollectorSpec>,
    /// Exporter settings (observation domain, MTU, refresh, TCP queue).
    pub exporter: ExporterConfig,
}

impl IpfixOptions {
    /// These options with `hook` run first in every thread the exporter
    /// starts (see `sluice_ipfix::TcpConfig::on_thread_start`).
    pub fn with_thread_start(mut self, hook: Option<fn()>) -> Self {
        self.exporter.tcp.on_thread_start = hook;
        self
    }
}

/// What the IPFIX output did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IpfixReport {
    /// Flows handed to the exporter.
    pub flows: u64,
    /// Data records made (a flow makes one, plus byte distribution and IDP
    /// records when those features are on).
    pub records: u64,
    /// Flows whose TLS fields did not fit one message: sent without them.
    pub tls_omitted: u64,
    /// Flows that could not be encoded (the first error is printed).
    pub errors: u64,
    /// Each collector's counters.
    pub collectors: Vec<CollectorStats>,
}

impl IpfixReport {
    /// Data records lost on the way to any collector.
    pub fn dropped_records(&self) -> u64 {
        self.collectors.iter().map(|c| c.dropped_records).sum()
    }

    /// The report as JSON (for `--stats`).
    pub fn to_json(&self) -> Value {
        json!({
            "flows": self.flows,
            "records": self.records,
            "tls_omitted": self.tls_omitted,
            "errors": self.errors,
            "collectors": self.collectors.iter().map(|c| json!({
                "name": c.name,
                "messages": c.messages,
                "records": c.records,
                "bytes": c.bytes,
                "templates": c.templates,
                "dropped_messages": c.dropped_messages,
                "dropped_records": c.dropped_records,
                "sessions": c.sessions,
                "last_error": c.last_error,
            })).collect::<Vec<_>>(),
        })
    }
}

impl fmt::Display for IpfixReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "  ipfix: {} flows as {} records",
            self.flows, self.records
        )?;
        if self.tls_omitted > 0 {
            write!(f, ", {} without TLS fields (too large)", self.tls_omitted)?;
        }
        if self.errors > 0 {
            write!(f, ", {} not encoded", self.errors)?;
        }
        for c in &self.collectors {
            write!(
                f,
                "\n    {}: {} messages, {} records, {} bytes, {} dropped messages ({} records)",
                c.name, c.messages, c.records, c.bytes, c.dropped_messages, c.dropped_records
            )?;
            if let Some(e) = &c.last_error {
                write!(f, "; last error: {e}")?;
            }
        }
        Ok(())
    }
}

/// One flow's IPFIX records, encoded where the flow was exported (a
/// worker), for [`IpfixSink::put`].
#[derive(Debug)]
pub struct IpfixRecords {
    /// The flow's id (named in errors).
    pub flow: u64,
    /// Its records, in order: the flow, then byte distribution and IDPs.
    pub batch: RecordBatch,
    /// What encoding did: an error leaves the records encoded before it.
    pub outcome: Result<FlowOutcome, ExportError>,
}

/// Encodes flows into [`IpfixRecords`] against the templates of one
/// [`IpfixSink`]. Cheap to clone: one per worker.
#[derive(Clone)]
pub struct IpfixEncoder {
    templates: Templates,
    mtu: usize,
    features: Arc<FeatureConfig>,
}

impl IpfixEncoder {
    /// The records of one flow.
    pub fn encode(&self, rec: &FlowRecord, f: &FlowFeatures) -> IpfixRecords {
        let mut batch = RecordBatch::new(Arc::clone(&self.templates), self.mtu);
        let outcome = write_flow(&mut batch, rec, f, &self.features);
        IpfixRecords {
            flow: rec.id,
            batch,
            outcome,
        }
    }
}

/// The IPFIX output of a run.
pub struct IpfixSink {
    exp: Exporter,
    features: Arc<FeatureConfig>,
    report: IpfixReport,
}

impl IpfixSink {
    /// Opens every collector (files are created, TCP connects in the
    /// background) and defines the templates the features call for.
    pub fn open(
        opts: &IpfixOptions,
        features: Arc<FeatureConfig>,
    ) -> Result<IpfixSink, ExportError> {
        let mut exp = Exporter::with_config(opts.exporter)?;
        for c in &opts.collectors {
            exp.add_collector(c)?;
        }
        exp.describe_elements(ELEMENT_TYPES_TEMPLATE, &element_infos())?;
        for shape in Shape::ALL.into_iter().filter(|s| s.used(&features)) {
            exp.add_template(shape.template(&features))?;
        }
        Ok(IpfixSink {
            exp,
            features,
            report: IpfixReport::default(),
        })
    }

    /// The encoder for this sink's templates (for the threads that export
    /// flows).
    pub fn encoder(&self) -> IpfixEncoder {
        IpfixEncoder {
            templates: self.exp.templates(),
            mtu: self.exp.config().mtu,
            features: Arc::clone(&self.features),
        }
    }

    /// Puts one flow's encoded records into the export. A flow that could
    /// not be encoded is counted (what was encoded before the error still
    /// goes out), and the first such error printed; the run goes on.
    pub fn put(&mut self, r: &IpfixRecords) {
        let put = self.exp.put_batch(&r.batch);
        let failed = match (&r.outcome, put) {
            (Ok(o), Ok(n)) => {
                self.report.flows += 1;
                self.report.tls_omitted += u64::from(o.tls_omitted);
                self.report.records += n as u64;
                None
            }
            (Err(e), Ok(n)) => {
                self.report.records += n as u64;
                Some(e.to_string())
            }
            (_, Err(e)) => Some(e.to_string()),
        };
        if let Some(e) = failed {
            if self.report.errors == 0 {
                eprintln!("sluice: ipfix: flow {}: {e}", r.flow);
            }
            self.report.errors += 1;
        }
    }

    /// Sends the message being assembled and flushes files.
    pub fn flush(&mut self) {
        self.exp.flush();
    }

    /// Closes IPFIX files and opens them again (SIGHUP); see
    /// [`Exporter::reopen_files`].
    pub fn reopen_files(&mut self) {
        self.exp.reopen_files();
    }

    /// Sends everything, closes the collectors (TCP waits up to its drain
    /// timeout) and returns the counters.
    pub fn finish(mut self) -> IpfixReport {
        let stats = self.exp.close();
        self.report.collectors = stats.collectors;
        self.report
    }
}
