//! Writes encoded flows (see [`crate::export::encoder`]): the JSON line to a
//! stream or rotated files and to Kafka, the flow to the IPFIX exporter and
//! to ntopng over ZMQ. Shared by the offline sink and the live writer
//! thread.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use sluice_ipfix::ExportError;

use crate::export::encoder::{EncodedFlow, FlowExtras};
use crate::export::ipfix::{IpfixEncoder, IpfixOptions, IpfixReport, IpfixSink};
use crate::export::kafka::{KafkaReport, KafkaSink};
use crate::export::output::RecordOutput;
use crate::export::zmq::{ZmqExporter, ZmqReport};
use crate::features::FeatureConfig;

/// Where a run's records went, once finished.
#[derive(Debug, Default)]
pub struct WrittenOutputs {
    /// JSON files written when rotating (`--max-records`).
    pub files: Vec<PathBuf>,
    /// The IPFIX output's counters, if it was on.
    pub ipfix: Option<IpfixReport>,
    /// The Kafka output's, if it was on.
    pub kafka: Option<KafkaReport>,
    /// The ZMQ output's, if it was on.
    pub zmq: Option<ZmqReport>,
}

/// A flow record writer.
pub struct RecordWriter {
    json: Option<RecordOutput>,
    ipfix: Option<IpfixSink>,
    kafka: Option<KafkaSink>,
    zmq: Option<ZmqExporter>,
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
        Ok(RecordWriter {
            json,
            ipfix,
            kafka: None,
            zmq: None,
        })
    }

    /// This writer also producing every record to Kafka.
    pub fn with_kafka(mut self, kafka: Option<KafkaSink>) -> Self {
        self.kafka = kafka;
        self
    }

    /// This writer also exporting every flow to ntopng over ZMQ.
    pub fn with_zmq(mut self, zmq: Option<ZmqExporter>) -> Self {
        self.zmq = zmq;
        self
    }

    /// True when a flow's JSON line is needed (a JSON output or Kafka).
    pub fn wants_json(&self) -> bool {
        self.json.is_some() || self.kafka.is_some()
    }

    /// True when flows need their Kafka key.
    pub fn wants_keys(&self) -> bool {
        self.kafka.is_some()
    }

    /// The Kafka and ZMQ outputs' counters so far (None when off).
    pub fn stream_reports(&self) -> (Option<KafkaReport>, Option<ZmqReport>) {
        (
            self.kafka.as_ref().map(KafkaSink::report),
            self.zmq.as_ref().map(|z| z.report().clone()),
        )
    }

    /// The ZMQ exporter's format, when ZMQ is on.
    pub fn zmq_format(&self) -> Option<crate::export::zmq::ZmqFormat> {
        self.zmq.as_ref().map(ZmqExporter::format)
    }

    /// The encoder of the IPFIX output's records, when IPFIX is exported.
    pub fn ipfix_encoder(&self) -> Option<IpfixEncoder> {
        self.ipfix.as_ref().map(IpfixSink::encoder)
    }

    /// Writes one flow, encoded: its JSON line (empty when JSON is off) and
    /// what the other outputs take. A JSON write error is returned (the
    /// flow's other exports still happen); IPFIX, Kafka and ZMQ problems
    /// are counted in their reports.
    pub fn write(&mut self, json: &[u8], extras: &FlowExtras) -> io::Result<()> {
        if let (Some(x), Some(r)) = (&mut self.ipfix, &extras.ipfix) {
            x.put(r);
        }
        if let (Some(k), Some(key)) = (&mut self.kafka, &extras.key) {
            k.put(
                key.as_str().as_bytes(),
                json.strip_suffix(b"\n").unwrap_or(json),
            );
        }
        if let (Some(z), Some(r)) = (&mut self.zmq, &extras.zmq) {
            z.put_encoded(&r.bytes, r.packets, r.ip_bytes);
        }
        match &mut self.json {
            Some(out) if !json.is_empty() => out.write_record(json),
            _ => Ok(()),
        }
    }

    /// Writes one [`EncodedFlow`].
    pub fn write_encoded(&mut self, flow: &EncodedFlow) -> io::Result<()> {
        self.write(&flow.json, &flow.extras)
    }

    /// Pushes buffered JSON lines and the IPFIX message being assembled out.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(x) = &mut self.ipfix {
            x.flush();
        }
        if let Some(z) = &mut self.zmq {
            z.flush();
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
        let kafka = self.kafka.map(KafkaSink::finish);
        let zmq = self.zmq.map(ZmqExporter::finish);
        let files = match self.json {
            Some(out) => out.finish()?,
            None => Vec::new(),
        };
        Ok(WrittenOutputs {
            files,
            ipfix,
            kafka,
            zmq,
        })
    }
}
