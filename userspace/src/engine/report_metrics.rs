//! A live capture's counters as `--metrics` families: the `--stats` object's
//! counters under Prometheus names (`sluice_..._total` for counters, labels
//! `cpu`, `queue`, `reason`, `stage`).

use sluice_common::XdpCounters;

use crate::decode::DecodeReason;
use crate::engine::report::{CaptureReport, QueueReport};
use crate::flow::EndReason;
use crate::metrics::{resident_bytes, Families, Snapshot};

impl Snapshot for CaptureReport {
    fn encode(&self, out: &mut Families<'_>) -> std::fmt::Result {
        xdp(self, out)?;
        queues(self, out)?;
        drops(self, out)?;
        out.counter(
            "sluice_records_written",
            "Flow records the outputs took.",
            self.writer.records,
        )?;
        out.counter(
            "sluice_record_write_errors",
            "Flow records the outputs refused.",
            self.writer.write_errors,
        )?;
        if let Some(k) = &self.writer.kafka {
            kafka(k, out)?;
        }
        if let Some(z) = &self.writer.zmq {
            zmq(z, out)?;
        }
        if let Some(x) = &self.writer.ipfix {
            out.counter(
                "sluice_ipfix_records",
                "IPFIX data records made.",
                x.records,
            )?;
            out.counter(
                "sluice_ipfix_dropped_records",
                "IPFIX data records lost on the way to a collector.",
                x.dropped_records(),
            )?;
        }
        out.counters(
            "sluice_process_cpu_seconds",
            "CPU time of the process, by mode.",
            "mode",
            [("user", self.cpu.0), ("system", self.cpu.1)],
        )?;
        out.gauge(
            "sluice_process_resident_memory_bytes",
            "Resident memory of the process.",
            resident_bytes() as f64,
        )?;
        out.gauge(
            "sluice_uptime_seconds",
            "Seconds since the capture started.",
            self.seconds,
        )
    }
}

/// The XDP program's counters, one sample per possible CPU.
fn xdp(r: &CaptureReport, out: &mut Families<'_>) -> std::fmt::Result {
    for (i, name) in XdpCounters::NAMES.iter().enumerate() {
        out.counters(
            &format!("sluice_xdp_{name}"),
            &format!("XDP program counter `{name}`, per CPU."),
            "cpu",
            r.xdp
                .iter()
                .enumerate()
                .map(|(cpu, c)| (cpu.to_string(), c.to_array()[i])),
        )?;
    }
    Ok(())
}

/// A per-queue counter family: name, help, and how to read it.
type QueueCounter = (&'static str, &'static str, fn(&QueueReport) -> u64);

/// Each queue's worker, socket, flow table and export queue.
fn queues(r: &CaptureReport, out: &mut Families<'_>) -> std::fmt::Result {
    let per_queue = |f: fn(&QueueReport) -> u64| {
        r.queues
            .iter()
            .map(move |q| (q.worker.queue.to_string(), f(q)))
    };
    let counters: [QueueCounter; 17] = [
        (
            "sluice_queue_frames",
            "Frames taken from the queue's rx ring.",
            |q| q.worker.frames,
        ),
        ("sluice_queue_bytes", "Bytes of those frames.", |q| {
            q.worker.bytes
        }),
        (
            "sluice_socket_rx_dropped",
            "AF_XDP socket rx_dropped (no fill ring buffer).",
            |q| q.worker.socket.rx_dropped,
        ),
        (
            "sluice_socket_rx_invalid_descs",
            "AF_XDP socket rx_invalid_descs.",
            |q| q.worker.socket.rx_invalid_descs,
        ),
        (
            "sluice_socket_rx_ring_full",
            "AF_XDP socket rx_ring_full.",
            |q| q.worker.socket.rx_ring_full,
        ),
        (
            "sluice_socket_rx_fill_ring_empty_descs",
            "AF_XDP socket fill ring empty events.",
            |q| q.worker.socket.rx_fill_ring_empty_descs,
        ),
        (
            "sluice_flows_created",
            "Flows the queue's table created.",
            |q| q.worker.table.created,
        ),
        (
            "sluice_flow_table_overflows",
            "Flows evicted because the table was full (exported).",
            |q| q.worker.table.overflows,
        ),
        (
            "sluice_handoff_out",
            "Packets handed to the worker owning their flow.",
            |q| q.worker.handed_off,
        ),
        (
            "sluice_handoff_in",
            "Packets received from other workers.",
            |q| q.worker.handed_in,
        ),
        (
            "sluice_handoff_queue_full",
            "Packets dropped because the owner's queue stayed full.",
            |q| q.worker.handoff_queue_full,
        ),
        (
            "sluice_export_queued",
            "Flows queued for the writer.",
            |q| q.export.queued,
        ),
        (
            "sluice_filtered",
            "Frames the --filter expression rejected.",
            |q| q.worker.table.filtered,
        ),
        (
            "sluice_export_lost",
            "Flows lost on the way to the writer.",
            |q| q.export.lost,
        ),
        (
            "sluice_export_waits",
            "Times the worker waited for room in the export queue.",
            |q| q.export.waits,
        ),
        (
            "sluice_kernel_verdicts_installed",
            "Flow verdicts moved into the kernel.",
            |q| q.worker.offload.installed,
        ),
        (
            "sluice_kernel_verdict_packets",
            "Packets the kernel counted for installed verdicts.",
            |q| q.worker.offload.packets,
        ),
    ];
    for (name, help, f) in counters {
        out.counters(name, help, "queue", per_queue(f))?;
    }
    out.gauges(
        "sluice_flows_active",
        "Flows in the queue's table.",
        "queue",
        r.queues
            .iter()
            .map(|q| (q.worker.queue.to_string(), q.worker.table.active as f64)),
    )?;
    out.counters2(
        "sluice_flows_exported",
        "Flow records exported by the queue's table, by end reason.",
        ["queue", "reason"],
        r.queues.iter().flat_map(|q| {
            EndReason::ALL.iter().skip(1).map(move |e| {
                (
                    q.worker.queue.to_string(),
                    e.name(),
                    q.worker.table.exported(*e),
                )
            })
        }),
    )?;
    out.counters2(
        "sluice_decode_errors",
        "Frames the queue's worker could not decode, by reason.",
        ["queue", "reason"],
        r.queues.iter().flat_map(|q| {
            DecodeReason::ALL.iter().map(move |d| {
                (
                    q.worker.queue.to_string(),
                    d.name(),
                    q.worker.table.decode_errors[d.index()],
                )
            })
        }),
    )
}

/// The named drops of every stage, summed over queues (the `drops` object).
fn drops(r: &CaptureReport, out: &mut Families<'_>) -> std::fmt::Result {
    let d = r.drops();
    out.counters(
        "sluice_dropped",
        "Frames or records dropped, by stage (the --stats `drops` object).",
        "stage",
        d.by_stage(),
    )?;
    // Redirected less received: while the capture runs it also counts the
    // frames in flight (the workers' counts are up to 250 ms older than the
    // program's), so it can fall: a gauge, final at the end.
    out.gauge(
        "sluice_xsk_undelivered_frames",
        "Frames redirected to a socket and not (yet) received by its worker; at the end, those never delivered.",
        d.xsk_undelivered as f64,
    )?;
    out.counters(
        "sluice_kernel_verdict_frames",
        "Frames of flows with a kernel verdict, by what the XDP program did (counted in their flows).",
        "verdict",
        [("dropped", d.xdp_verdict_dropped), ("passed", d.xdp_verdict_passed)],
    )
}

/// The Kafka producer's counters.
fn kafka(k: &crate::export::kafka::KafkaReport, out: &mut Families<'_>) -> std::fmt::Result {
    out.counter(
        "sluice_kafka_records",
        "Records handed to the Kafka producer.",
        k.records,
    )?;
    out.counter(
        "sluice_kafka_delivered_records",
        "Records the brokers acknowledged.",
        k.delivered,
    )?;
    out.counter(
        "sluice_kafka_failed_records",
        "Records whose delivery failed.",
        k.failed,
    )?;
    out.counter(
        "sluice_kafka_dropped_records",
        "Records dropped because the producer queue was full.",
        k.dropped,
    )?;
    out.gauge(
        "sluice_kafka_queued_records",
        "Records in the producer queue, waiting for delivery.",
        k.queued as f64,
    )
}

/// The ZMQ exporter's counters.
fn zmq(z: &crate::export::zmq::ZmqReport, out: &mut Families<'_>) -> std::fmt::Result {
    out.counter(
        "sluice_zmq_records",
        "Flow records handed to the ZMQ exporter.",
        z.records,
    )?;
    out.counter(
        "sluice_zmq_sent_records",
        "Records in messages the socket took.",
        z.sent_records,
    )?;
    out.counter(
        "sluice_zmq_dropped_records",
        "Records in messages the socket refused (send queue full).",
        z.dropped_records,
    )?;
    out.counter(
        "sluice_zmq_messages",
        "ZMQ messages sent, every topic.",
        z.messages,
    )
}
