//! Every counter of a capture run, shown on stderr at the end and optionally as JSON.
//!
//! Drops are listed per stage: interface (before XDP), XDP redirect, AF_XDP socket (rx
//! ring full, fill ring empty), decode, flow table overflow, export queue, output.
use std::fmt;

use serde_json::{json, Value};
use sluice_common::XdpCounters;

use crate::{
    capture::afxdp::BindMode,
    decode::DecodeReason,
    engine::{worker::WorkerReport, writer::WriterReport},
    flow::EndReason,
};

/// One queue's worker and socket.
#[derive(Clone, Debug)]
pub struct QueueReport {
    /// Copy or zero-copy.
    pub mode: BindMode,
    /// The worker's counters.
    pub worker: WorkerReport,
}

/// The whole run.
#[derive(Clone, Debug)]
pub struct CaptureReport {
    /// Interface captured.
    pub interface: String,
    /// Wall time of the capture.
    pub seconds: f64,
    /// XDP program counters, one entry per possible CPU.
    pub xdp: Vec<XdpCounters>,
    /// Per-queue reports.
    pub queues: Vec<QueueReport>,
    /// The output writer.
    pub writer: WriterReport,
    /// Rise of the interface's own `rx_dropped` during the run (loss before XDP).
    pub interface_rx_dropped: u64,
    /// CPU time of the whole process (user, system), in seconds.
    pub cpu: (f64, f64),
}

/// User and system CPU time of this process so far, in seconds.
pub fn process_cpu() -> (f64, f64) {
    // SAFETY: getrusage fills the zeroed struct we pass; no other effect.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return (0.0, 0.0);
    }
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (s(ru.ru_utime), s(ru.ru_stime))
}

/// Drop counts per stage, summed over queues.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Drops {
    /// Interface `rx_dropped` rise (before the XDP program).
    pub interface_rx_dropped: u64,
    /// XDP redirects that failed although a socket was bound.
    pub xdp_redirect_failed: u64,
    /// Frames of a queue with no socket (passed to the stack, not captured).
    pub xdp_no_socket: u64,
    /// Frames of flows with a drop verdict, dropped in the XDP program (not lost: counted
    /// in the verdict map and merged into their flows).
    pub xdp_verdict_dropped: u64,
    /// Frames of flows with a pass verdict, passed to the stack by the XDP program
    /// (counted in the verdict map and merged into their flows).
    pub xdp_verdict_passed: u64,
    /// AF_XDP socket `rx_dropped` (kernel could not deliver to the socket).
    pub xsk_rx_dropped: u64,
    /// AF_XDP rx ring full events.
    pub xsk_rx_ring_full: u64,
    /// AF_XDP fill ring empty events.
    pub xsk_fill_ring_empty: u64,
    /// Flows evicted because the flow table was full (exported, not lost).
    pub flow_table_overflow: u64,
    /// Packets lost because the queue to their flow's owning worker was full.
    pub handoff_queue_full: u64,
    /// Finished flows lost because an export queue was full.
    pub export_queue_full: u64,
    /// Flow records the output could not take.
    pub write_errors: u64,
    /// IPFIX data records lost on the way to a collector (send errors,
    /// full TCP queue, collector gone at exit).
    pub ipfix_dropped_records: u64,
}

impl CaptureReport {
    /// XDP counters summed over CPUs.
    pub fn xdp_total(&self) -> XdpCounters {
        let mut t = XdpCounters::default();
        for c in &self.xdp {
            t.add(c);
        }
        t
    }

    /// Drops per stage.
    pub fn drops(&self) -> Drops {
        let x = self.xdp_total();
        let mut d = Drops {
            interface_rx_dropped: self.interface_rx_dropped,
            xdp_redirect_failed: x.redirect_failed,
            xdp_no_socket: x.passed_no_socket,
            xdp_verdict_dropped: x.verdict_dropped,
            xdp_verdict_passed: x.verdict_passed,
            write_errors: self.writer.write_errors,
            ipfix_dropped_records: self
                .writer
                .ipfix
                .as_ref()
                .map_or(0, |x| x.dropped_records()),
            ..Default::default()
        };
        for q in &self.queues {
            let w = &q.worker;
            d.xsk_rx_dropped += w.socket.rx_dropped;
            d.xsk_rx_ring_full += w.socket.rx_ring_full;
            d.xsk_fill_ring_empty += w.socket.rx_fill_ring_empty_descs;
            d.flow_table_overflow += w.table.overflows;
            d.export_queue_full += w.export_queue_full;
            d.handoff_queue_full += w.handoff_queue_full;
        }
        d
    }

    /// Frames taken from all rx rings.
    pub fn frames(&self) -> u64 {
        self.queues.iter().map(|q| q.worker.frames).sum()
    }

    /// The report as JSON (the `--stats` file).
    pub fn to_json(&self) -> Value {
        let xdp_obj = |c: &XdpCounters| {
            let m: serde_json::Map<String, Value> = XdpCounters::NAMES
                .iter()
                .zip(c.to_array())
                .map(|(n, v)| (n.to_string(), json!(v)))
                .collect();
            Value::Object(m)
        };
        let queues: Vec<Value> = self
            .queues
            .iter()
            .map(|q| {
                let w = &q.worker;
                let decode: serde_json::Map<String, Value> = DecodeReason::ALL
                    .iter()
                    .map(|r| (r.name().to_string(), json!(w.table.decode_errors[r.index()])))
                    .collect();
                let exported: serde_json::Map<String, Value> = EndReason::ALL
                    .iter()
                    .map(|r| (r.name().to_string(), json!(w.table.exported(*r))))
                    .collect();
                json!({
                    "queue": w.queue,
                    "mode": match q.mode { BindMode::Copy => "copy", BindMode::ZeroCopy => "zero-copy" },
                    "frames": w.frames,
                    "bytes": w.bytes,
                    "socket": {
                        "rx_dropped": w.socket.rx_dropped,
                        "rx_invalid_descs": w.socket.rx_invalid_descs,
                        "rx_ring_full": w.socket.rx_ring_full,
                        "rx_fill_ring_empty_descs": w.socket.rx_fill_ring_empty_descs,
                    },
                    "pending_frames": w.pending_frames,
                    "decode_errors": decode,
                    "flows": {
                        "created": w.table.created,
                        "active_at_end": w.table.active,
                        "overflows": w.table.overflows,
                        "exported": exported,
                    },
                    "handoff": { "out": w.handed_off, "in": w.handed_in, "queue_full": w.handoff_queue_full },
                    "export_queue_full": w.export_queue_full,
                    "kernel_verdicts": {
                        "installed": w.offload.installed,
                        "install_failed": w.offload.install_failed,
                        "missing_at_export": w.offload.missing,
                        "packets": w.offload.packets,
                        "wire_bytes": w.offload.bytes,
                    },
                })
            })
            .collect();
        let d = self.drops();
        json!({
            "interface": self.interface,
            "seconds": self.seconds,
            "cpu": { "user_s": self.cpu.0, "system_s": self.cpu.1 },
            "xdp": { "total": xdp_obj(&self.xdp_total()), "per_cpu": self.xdp.iter().map(xdp_obj).collect::<Vec<_>>() },
            "queues": queues,
            "flows_written": self.writer.records,
            "drops": {
                "interface_rx_dropped": d.interface_rx_dropped,
                "xdp_redirect_failed": d.xdp_redirect_failed,
                "xdp_no_socket": d.xdp_no_socket,
                "xdp_verdict_dropped": d.xdp_verdict_dropped,
                "xdp_verdict_passed": d.xdp_verdict_passed,
                "xsk_rx_dropped": d.xsk_rx_dropped,
                "xsk_rx_ring_full": d.xsk_rx_ring_full,
                "xsk_fill_ring_empty": d.xsk_fill_ring_empty,
                "flow_table_overflow": d.flow_table_overflow,
                "handoff_queue_full": d.handoff_queue_full,
                "export_queue_full": d.export_queue_full,
                "write_errors": d.write_errors,
                "ipfix_dropped_records": d.ipfix_dropped_records,
            },
            "ipfix": self.writer.ipfix.as_ref().map(|x| x.to_json()),
        })
    }
}

impl fmt::Display for CaptureReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.seconds.max(1e-9);
        let frames = self.frames();
        writeln!(
            f,
            "sluice: {} in {:.1} s: {} frames ({:.3} Mpps), {} flows written",
            self.interface,
            self.seconds,
            frames,
            frames as f64 / secs / 1e6,
            self.writer.records
        )?;
        let x = self.xdp_total();
        write!(f, "  xdp total:")?;
        for (n, v) in XdpCounters::NAMES.iter().zip(x.to_array()) {
            write!(f, " {n}={v}")?;
        }
        writeln!(f)?;
        for (cpu, c) in self.xdp.iter().enumerate() {
            if c.frames > 0 {
                writeln!(
                    f,
                    "  xdp cpu{cpu}: frames={} redirected={} passed_non_ip={} passed_no_socket={} parse_failed={} redirect_failed={} verdict_dropped={} verdict_passed={}",
                    c.frames, c.redirected, c.passed_non_ip, c.passed_no_socket, c.parse_failed, c.redirect_failed,
                    c.verdict_dropped, c.verdict_passed
                )?;
            }
        }
        for q in &self.queues {
            let w = &q.worker;
            let decode_errors = w.table.total_decode_errors();
            writeln!(
                f,
                "  queue {} ({:?}): frames={} bytes={} decode_errors={} flows created={} overflows={} | handoff out={} in={} queue_full={} | socket rx_dropped={} rx_ring_full={} fill_ring_empty={} invalid={} | export_queue_full={} | kernel verdicts installed={} failed={} missing_at_export={} packets={}",
                w.queue, q.mode, w.frames, w.bytes, decode_errors, w.table.created, w.table.overflows,
                w.handed_off, w.handed_in, w.handoff_queue_full,
                w.socket.rx_dropped, w.socket.rx_ring_full, w.socket.rx_fill_ring_empty_descs,
                w.socket.rx_invalid_descs, w.export_queue_full,
                w.offload.installed, w.offload.install_failed, w.offload.missing, w.offload.packets
            )?;
            for r in DecodeReason::ALL {
                let n = w.table.decode_errors[r.index()];
                if n > 0 {
                    writeln!(f, "    decode error {}: {n}", r.name())?;
                }
            }
        }
        if let Some(x) = &self.writer.ipfix {
            writeln!(f, "{x}")?;
        }
        let d = self.drops();
        write!(
            f,
            "  drops: interface={} xdp_redirect_failed={} xdp_no_socket={} xsk_rx_dropped={} xsk_rx_ring_full={} xsk_fill_ring_empty={} handoff_queue_full={} export_queue_full={} write_errors={} ipfix_dropped_records={} (flow table overflow evictions={}; kernel verdicts, counted in their flows: dropped={} passed={})",
            d.interface_rx_dropped, d.xdp_redirect_failed, d.xdp_no_socket, d.xsk_rx_dropped,
            d.xsk_rx_ring_full, d.xsk_fill_ring_empty, d.handoff_queue_full, d.export_queue_full, d.write_errors,
            d.ipfix_dropped_records, d.flow_table_overflow, d.xdp_verdict_dropped, d.xdp_verdict_passed
        )
    }
}
