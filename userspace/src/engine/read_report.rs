//! Every counter of a `sluice read` run: per file, then the flow table's.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{json, Value};

use crate::decode::DecodeReason;
use crate::flow::{EndReason, FlowTableStats};

/// What happened to one file.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    /// The file as named on the command line.
    pub name: String,
    /// Packets read from it.
    pub packets: u64,
    /// Wire bytes of those packets.
    pub bytes: u64,
    /// Why reading stopped early, if it did (names the file and byte offset).
    pub error: Option<String>,
    /// Frames of link types Sluice cannot decode, per pcap LINKTYPE_ number.
    pub unsupported_links: BTreeMap<u32, u64>,
}

/// The whole run.
#[derive(Clone, Debug, Default)]
pub struct ReadReport {
    /// Per-file results.
    pub files: Vec<FileReport>,
    /// The flow table's counters at the end.
    pub table: FlowTableStats,
    /// Flow records written.
    pub records: u64,
    /// Output files written when rotating (`--max-records`).
    pub outputs: Vec<std::path::PathBuf>,
    /// The IPFIX output's counters, when it was on.
    pub ipfix: Option<crate::export::ipfix::IpfixReport>,
    /// The Kafka output's, when it was on.
    pub kafka: Option<crate::export::kafka::KafkaReport>,
    /// The ZMQ output's, when it was on.
    pub zmq: Option<crate::export::zmq::ZmqReport>,
    /// Wall time.
    pub seconds: f64,
    /// True if SIGINT/SIGTERM stopped the run early.
    pub interrupted: bool,
}

impl ReadReport {
    /// Why records were lost, if they were: IPFIX records a collector could
    /// not take, flows that could not be encoded as IPFIX, Kafka or ZMQ
    /// records not delivered.
    pub fn losses(&self) -> Option<String> {
        let mut why = Vec::new();
        if let Some(x) = &self.ipfix {
            if x.dropped_records() > 0 {
                why.push(format!("{} IPFIX records dropped", x.dropped_records()));
            }
            if x.errors > 0 {
                why.push(format!("{} flows not encoded as IPFIX", x.errors));
            }
        }
        why.extend(self.kafka.as_ref().and_then(|k| k.losses()));
        why.extend(self.zmq.as_ref().and_then(|z| z.losses()));
        (!why.is_empty()).then(|| why.join(", "))
    }

    /// True if any file could not be read to its end.
    pub fn had_errors(&self) -> bool {
        self.files.iter().any(|f| f.error.is_some())
    }
}

impl ReadReport {
    /// Packets read from all files.
    pub fn packets(&self) -> u64 {
        self.files.iter().map(|f| f.packets).sum()
    }

    /// The report as JSON (for `--stats`).
    pub fn to_json(&self) -> Value {
        let t = &self.table;
        let files: Vec<Value> = self
            .files
            .iter()
            .map(|f| {
                json!({
                    "file": f.name,
                    "packets": f.packets,
                    "bytes": f.bytes,
                    "error": f.error,
                    "unsupported_link_types": f.unsupported_links.iter()
                        .map(|(k, v)| (k.to_string(), json!(v)))
                        .collect::<serde_json::Map<String, Value>>(),
                })
            })
            .collect();
        let decode: serde_json::Map<String, Value> = DecodeReason::ALL
            .iter()
            .map(|r| (r.name().to_string(), json!(t.decode_errors[r.index()])))
            .collect();
        let exported: serde_json::Map<String, Value> = EndReason::ALL
            .iter()
            .map(|r| (r.name().to_string(), json!(t.exported(*r))))
            .collect();
        json!({
            "files": files,
            "seconds": self.seconds,
            "interrupted": self.interrupted,
            "records": self.records,
            "outputs": self.outputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "ipfix": self.ipfix.as_ref().map(|x| x.to_json()),
            "kafka": self.kafka.as_ref().map(|x| x.to_json()),
            "zmq": self.zmq.as_ref().map(|x| x.to_json()),
            "table": {
                "packets": t.packets,
                "bytes": t.bytes,
                "flows_created": t.created,
                "exported": exported,
                "overflows": t.overflows,
                "filtered": t.filtered,
                "truncated": t.truncated,
                "fragments_joined": t.fragments_joined,
                "fragment_orphans": t.fragment_orphans,
                "decode_errors": decode,
            },
        })
    }
}

impl fmt::Display for ReadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.table;
        let pps = self.packets() as f64 / self.seconds.max(1e-9);
        writeln!(
            f,
            "sluice read: {} file(s), {} packets, {} bytes in {:.2} s ({:.2} Mpps){}",
            self.files.len(),
            self.packets(),
            self.files.iter().map(|x| x.bytes).sum::<u64>(),
            self.seconds,
            pps / 1e6,
            if self.interrupted {
                ", interrupted"
            } else {
                ""
            }
        )?;
        write!(
            f,
            "  flows: {} created, {} written;",
            t.created, self.records
        )?;
        for r in EndReason::ALL {
            let n = t.exported(r);
            if n > 0 {
                write!(f, " {} {n}", r.name())?;
            }
        }
        writeln!(f)?;
        write!(
            f,
            "  packets: {} counted, {} filtered, {} truncated, {} fragments joined, {} orphan fragments; not decoded: {}",
            t.packets,
            t.filtered,
            t.truncated,
            t.fragments_joined,
            t.fragment_orphans,
            t.total_decode_errors()
        )?;
        for r in DecodeReason::ALL {
            let n = t.decode_errors[r.index()];
            if n > 0 {
                write!(f, " {} {n}", r.name())?;
            }
        }
        if let Some(x) = &self.ipfix {
            write!(f, "\n{x}")?;
        }
        if let Some(x) = &self.kafka {
            write!(f, "\n{x}")?;
        }
        if let Some(x) = &self.zmq {
            write!(f, "\n{x}")?;
        }
        for file in self.files.iter().filter(|x| x.error.is_some()) {
            write!(
                f,
                "\n  error: {}",
                file.error.as_deref().unwrap_or_default()
            )?;
        }
        Ok(())
    }
}

impl crate::metrics::Snapshot for ReadReport {
    /// A read's counters under `--metrics`: packets and bytes read per file
    /// as the reading goes; the flow table's and the outputs' counters at
    /// the end (0 before).
    fn encode(&self, out: &mut crate::metrics::Families<'_>) -> fmt::Result {
        out.counters(
            "sluice_read_packets",
            "Packets read, per capture file.",
            "file",
            self.files.iter().map(|f| (f.name.as_str(), f.packets)),
        )?;
        out.counters(
            "sluice_read_bytes",
            "Wire bytes of those packets, per capture file.",
            "file",
            self.files.iter().map(|f| (f.name.as_str(), f.bytes)),
        )?;
        out.counter(
            "sluice_records_written",
            "Flow records written (at the end).",
            self.records,
        )?;
        out.counter(
            "sluice_flows_created",
            "Flows created (at the end).",
            self.table.created,
        )?;
        out.counters(
            "sluice_flows_exported",
            "Flow records exported, by end reason (at the end).",
            "reason",
            EndReason::ALL
                .iter()
                .skip(1)
                .map(|r| (r.name(), self.table.exported(*r))),
        )?;
        let (user, system) = crate::metrics::process_cpu();
        out.counters(
            "sluice_process_cpu_seconds",
            "CPU time of the process, by mode.",
            "mode",
            [("user", user), ("system", system)],
        )?;
        out.gauge(
            "sluice_process_resident_memory_bytes",
            "Resident memory of the process.",
            crate::metrics::resident_bytes() as f64,
        )?;
        out.gauge(
            "sluice_uptime_seconds",
            "Seconds since the read started.",
            self.seconds,
        )
    }
}
