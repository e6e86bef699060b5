//! Every counter of a capture run, shown on stderr at the end and optionally as JSON.
//!
//! Drops are listed per stage: interface (before XDP), XDP redirect, AF_XDP socket (rx
//! ring full, fill ring empty), decode, handoff between workers, export, output. The
//! accounting adds them up: every frame the XDP program saw is in a flow, in a kernel
//! verdict's count, passed to the stack, or in one named drop.
//!
//! [`CaptureReport::losses`] says what was lost inside Sluice (the exit status): flows
//! or packets lost between threads, records the outputs refused, a worker or writer
//! that panicked. Frames the kernel could not deliver (interface, rx ring, fill ring)
//! are reported but are not Sluice's loss: they happen before any frame is seen.
use std::fmt;

use serde_json::{json, Value};
use sluice_common::XdpCounters;

use crate::{
    capture::afxdp::BindMode,
    decode::DecodeReason,
    engine::{export_queue::ExportQueueStats, worker::WorkerReport, writer::WriterReport},
    flow::EndReason,
    netdev::RxDrops,
};

/// One queue's worker and socket.
#[derive(Clone, Debug)]
pub struct QueueReport {
    /// Copy or zero-copy.
    pub mode: BindMode,
    /// The worker's counters.
    pub worker: WorkerReport,
    /// Its export queue's counters.
    pub export: ExportQueueStats,
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
    /// The interface's receive drops during the run (rises).
    pub interface_drops: RxDrops,
    /// CPU time of the whole process (user, system), in seconds.
    pub cpu: (f64, f64),
    /// Queues whose worker panicked (their flows are lost; no report of theirs).
    pub panicked_queues: Vec<u32>,
    /// True if the writer thread panicked.
    pub writer_panicked: bool,
    /// Flows lost between the workers and the writer (the writer was gone).
    pub export_lost: u64,
    /// True if privileges were dropped after setup.
    pub privileges_dropped: bool,
    /// Threads found with capabilities after the drop (should be 0).
    pub privileged_threads: usize,
}

pub use crate::metrics::process_cpu;

/// Where the frames the XDP program saw went: `xdp_frames` is the sum of the others
/// when nothing is unaccounted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accounting {
    /// Frames the XDP program saw.
    pub xdp_frames: u64,
    /// Frames counted in flows by the workers' tables.
    pub in_flows: u64,
    /// Frames counted in kernel verdict entries (dropped or passed; in their flows too).
    pub kernel_verdicts: u64,
    /// Frames passed to the kernel stack uncaptured: non-IP, no socket, failed redirect.
    pub passed_to_stack: u64,
    /// Frames redirected to a socket but never received (rx ring full, fill ring empty).
    pub undelivered: u64,
    /// Frames received that did not decode.
    pub decode_errors: u64,
    /// Frames received that the `--filter` rejected.
    pub filtered: u64,
    /// Frames dropped between workers.
    pub handoff_dropped: u64,
}

impl Accounting {
    /// Frames seen by the program and in none of the other counts (0 unless a worker
    /// panicked and took its counts with it).
    pub fn unaccounted(&self) -> i64 {
        self.xdp_frames as i64
            - (self.in_flows
                + self.kernel_verdicts
                + self.passed_to_stack
                + self.undelivered
                + self.decode_errors
                + self.filtered
                + self.handoff_dropped) as i64
    }
}

/// Drop counts per stage, summed over queues.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Drops {
    /// Frames the interface dropped before the XDP program saw them: its
    /// `rx_dropped` rise less what the driver dropped after the program (see
    /// [`RxDrops::after_xdp`]).
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
    /// Frames the program redirected that no worker received: `redirected` minus the
    /// frames taken from the rx rings (exact, per frame; the socket counters below say
    /// why).
    pub xsk_undelivered: u64,
    /// AF_XDP socket `rx_dropped`: frames dropped for want of a fill ring buffer (or too
    /// large for a frame).
    pub xsk_rx_dropped: u64,
    /// AF_XDP `rx_ring_full`: frames dropped because the rx ring was full.
    pub xsk_rx_ring_full: u64,
    /// AF_XDP fill ring empty events (the kernel counts each time it found the fill ring
    /// empty, not frames: the frames are in `xsk_rx_dropped`).
    pub xsk_fill_ring_empty: u64,
    /// Flows evicted because the flow table was full (exported, not lost).
    pub flow_table_overflow: u64,
    /// Packets lost because the queue to their flow's owning worker was full.
    pub handoff_queue_full: u64,
    /// Finished flows lost on the way to the writer (only when the writer was gone).
    pub export_lost: u64,
    /// Flow records the output could not take.
    pub write_errors: u64,
    /// IPFIX data records lost on the way to a collector (send errors,
    /// full TCP queue, collector gone at exit).
    pub ipfix_dropped_records: u64,
}

impl Drops {
    /// The drops of every stage by their `--stats` names, leaving out
    /// `xsk_undelivered`: while a capture runs it also counts frames in
    /// flight, so only its final value is a drop count. Kernel verdicts are
    /// not drops (their frames are in their flows).
    pub fn by_stage(&self) -> [(&'static str, u64); 9] {
        let d = self;
        [
            ("interface_rx_dropped", d.interface_rx_dropped),
            ("xdp_redirect_failed", d.xdp_redirect_failed),
            ("xdp_no_socket", d.xdp_no_socket),
            ("xsk_rx_dropped", d.xsk_rx_dropped),
            ("xsk_rx_ring_full", d.xsk_rx_ring_full),
            ("handoff_queue_full", d.handoff_queue_full),
            ("export_lost", d.export_lost),
            ("write_errors", d.write_errors),
            ("ipfix_dropped_records", d.ipfix_dropped_records),
        ]
    }
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
            interface_rx_dropped: self.interface_drops.before_xdp(),
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
            xsk_undelivered: x.redirected.saturating_sub(self.frames()),
            export_lost: self.export_lost,
            ..Default::default()
        };
        for q in &self.queues {
            let w = &q.worker;
            d.xsk_rx_dropped += w.socket.rx_dropped;
            d.xsk_rx_ring_full += w.socket.rx_ring_full;
            d.xsk_fill_ring_empty += w.socket.rx_fill_ring_empty_descs;
            d.flow_table_overflow += w.table.overflows;
            d.handoff_queue_full += w.handoff_queue_full;
        }
        d
    }

    /// Where every frame the XDP program saw went.
    pub fn accounting(&self) -> Accounting {
        let x = self.xdp_total();
        let d = self.drops();
        let mut a = Accounting {
            xdp_frames: x.frames,
            kernel_verdicts: x.verdict_dropped + x.verdict_passed,
            passed_to_stack: x.passed_non_ip + x.passed_no_socket + x.redirect_failed,
            undelivered: d.xsk_undelivered,
            handoff_dropped: d.handoff_queue_full,
            ..Accounting::default()
        };
        for q in &self.queues {
            a.in_flows += q.worker.table.packets;
            a.decode_errors += q.worker.table.total_decode_errors();
            a.filtered += q.worker.table.filtered;
        }
        a
    }

    /// What was lost inside Sluice, in one line, if anything was (see the module
    /// documentation).
    pub fn losses(&self) -> Option<String> {
        let d = self.drops();
        let mut why = Vec::new();
        for q in &self.panicked_queues {
            why.push(format!("the worker of queue {q} panicked"));
        }
        if self.writer_panicked {
            why.push("the writer panicked".to_string());
        }
        let counted = [
            (d.export_lost, "flows lost on the way to the writer"),
            (
                d.handoff_queue_full,
                "packets dropped between workers (handoff queue full)",
            ),
            (d.write_errors, "flow records the output refused"),
            (d.ipfix_dropped_records, "IPFIX records dropped"),
            (
                self.writer.ipfix.as_ref().map_or(0, |x| x.errors),
                "flows not encoded as IPFIX",
            ),
        ];
        for (n, what) in counted {
            if n > 0 {
                why.push(format!("{n} {what}"));
            }
        }
        why.extend(self.writer.kafka.as_ref().and_then(|k| k.losses()));
        why.extend(self.writer.zmq.as_ref().and_then(|z| z.losses()));
        (!why.is_empty()).then(|| why.join(", "))
    }

    /// One line for `--stats-interval`: time, frame rate since `previous`
    /// (the line before; since the start for the first), flows active,
    /// created and exported, records written, and the drops that are not
    /// zero (Suricata's stats.log, in one line). Frames redirected and not
    /// yet received are in flight while the capture runs, not drops: the
    /// socket's own drop counters say what it lost.
    pub fn summary(&self, previous: Option<&CaptureReport>) -> String {
        let (frames, secs) = (self.frames(), self.seconds);
        let (f0, s0) = previous.map_or((0, 0.0), |p| (p.frames(), p.seconds));
        let rate = frames.saturating_sub(f0) as f64 / (secs - s0).max(1e-9);
        let sum = |f: fn(&QueueReport) -> u64| self.queues.iter().map(f).sum::<u64>();
        let active = sum(|q| q.worker.table.active);
        let created = sum(|q| q.worker.table.created);
        let exported = sum(|q| {
            EndReason::ALL
                .iter()
                .map(|r| q.worker.table.exported(*r))
                .sum()
        });
        let d = self.drops();
        let named = d.by_stage();
        let total: u64 = named.iter().map(|(_, n)| n).sum();
        let which: Vec<String> = named
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(w, n)| format!("{w}={n}"))
            .collect();
        let mut line = format!(
            "{secs:.1} s, {frames} frames ({rate:.0}/s), flows {active} active, {created} created, {exported} exported, {} written, drops {total}",
            self.writer.records
        );
        if !which.is_empty() {
            line.push_str(&format!(" ({})", which.join(" ")));
        }
        line
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
                    "filtered": w.table.filtered,
                    "flows": {
                        "created": w.table.created,
                        "active_at_end": w.table.active,
                        "overflows": w.table.overflows,
                        "exported": exported,
                    },
                    "handoff": { "out": w.handed_off, "in": w.handed_in, "queue_full": w.handoff_queue_full, "waits": w.handoff_waits },
                    "export": { "queued": q.export.queued, "lost": q.export.lost, "waits": q.export.waits, "wait_ms": q.export.wait_ms },
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
        let a = self.accounting();
        json!({
            "interface": self.interface,
            "seconds": self.seconds,
            "cpu": { "user_s": self.cpu.0, "system_s": self.cpu.1 },
            "xdp": { "total": xdp_obj(&self.xdp_total()), "per_cpu": self.xdp.iter().map(xdp_obj).collect::<Vec<_>>() },
            "queues": queues,
            "interface_drops": {
                "rx_dropped": self.interface_drops.rx_dropped,
                "after_xdp": self.interface_drops.after_xdp(),
                "before_xdp": self.interface_drops.before_xdp(),
                "driver": self.interface_drops.driver.as_ref().map(|d| d.driver.clone()),
                "driver_counters": self.interface_drops.driver.as_ref().map(|d| d.counters.iter()
                    .filter(|(_, v)| *v > 0)
                    .map(|(n, v)| (n.clone(), json!(v)))
                    .collect::<serde_json::Map<String, Value>>()),
            },
            "flows_written": self.writer.records,
            "reopens": self.writer.reopens,
            "privileges_dropped": self.privileges_dropped,
            "privileged_threads": self.privileged_threads,
            "panicked_queues": self.panicked_queues,
            "writer_panicked": self.writer_panicked,
            "lost": self.losses(),
            "accounting": {
                "xdp_frames": a.xdp_frames,
                "in_flows": a.in_flows,
                "kernel_verdicts": a.kernel_verdicts,
                "passed_to_stack": a.passed_to_stack,
                "undelivered": a.undelivered,
                "decode_errors": a.decode_errors,
                "filtered": a.filtered,
                "handoff_dropped": a.handoff_dropped,
                "unaccounted": a.unaccounted(),
            },
            "drops": {
                "interface_rx_dropped": d.interface_rx_dropped,
                "xdp_redirect_failed": d.xdp_redirect_failed,
                "xdp_no_socket": d.xdp_no_socket,
                "xdp_verdict_dropped": d.xdp_verdict_dropped,
                "xdp_verdict_passed": d.xdp_verdict_passed,
                "xsk_undelivered": d.xsk_undelivered,
                "xsk_rx_dropped": d.xsk_rx_dropped,
                "xsk_rx_ring_full": d.xsk_rx_ring_full,
                "xsk_fill_ring_empty": d.xsk_fill_ring_empty,
                "flow_table_overflow": d.flow_table_overflow,
                "handoff_queue_full": d.handoff_queue_full,
                "export_lost": d.export_lost,
                "write_errors": d.write_errors,
                "ipfix_dropped_records": d.ipfix_dropped_records,
            },
            "ipfix": self.writer.ipfix.as_ref().map(|x| x.to_json()),
            "kafka": self.writer.kafka.as_ref().map(|x| x.to_json()),
            "zmq": self.writer.zmq.as_ref().map(|x| x.to_json()),
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
                "  queue {} ({:?}): frames={} bytes={} decode_errors={} flows created={} overflows={} | handoff out={} in={} queue_full={} waits={} | socket rx_dropped={} rx_ring_full={} fill_ring_empty={} invalid={} | export queued={} waits={} ({} ms) lost={} | kernel verdicts installed={} failed={} missing_at_export={} packets={}",
                w.queue, q.mode, w.frames, w.bytes, decode_errors, w.table.created, w.table.overflows,
                w.handed_off, w.handed_in, w.handoff_queue_full, w.handoff_waits,
                w.socket.rx_dropped, w.socket.rx_ring_full, w.socket.rx_fill_ring_empty_descs,
                w.socket.rx_invalid_descs, q.export.queued, q.export.waits, q.export.wait_ms, q.export.lost,
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
        if let Some(x) = &self.writer.kafka {
            writeln!(f, "{x}")?;
        }
        if let Some(x) = &self.writer.zmq {
            writeln!(f, "{x}")?;
        }
        let d = self.drops();
        writeln!(
            f,
            "  drops: interface={} xdp_redirect_failed={} xdp_no_socket={} xsk_undelivered={} (rx_dropped={} rx_ring_full={} fill_ring_empty={}) handoff_queue_full={} export_lost={} write_errors={} ipfix_dropped_records={} (flow table overflow evictions={}; kernel verdicts, counted in their flows: dropped={} passed={})",
            d.interface_rx_dropped, d.xdp_redirect_failed, d.xdp_no_socket, d.xsk_undelivered, d.xsk_rx_dropped,
            d.xsk_rx_ring_full, d.xsk_fill_ring_empty, d.handoff_queue_full, d.export_lost, d.write_errors,
            d.ipfix_dropped_records, d.flow_table_overflow, d.xdp_verdict_dropped, d.xdp_verdict_passed
        )?;
        let a = self.accounting();
        write!(
            f,
            "  accounting: xdp frames {} = in flows {} + kernel verdicts {} + passed to the stack {} + undelivered {} + decode errors {} + filtered {} + handoff dropped {} (unaccounted {})",
            a.xdp_frames, a.in_flows, a.kernel_verdicts, a.passed_to_stack, a.undelivered,
            a.decode_errors, a.filtered, a.handoff_dropped, a.unaccounted()
        )
    }
}
