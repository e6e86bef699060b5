//! The writer thread: takes the encoded flows of every worker's export queue
//! and writes them (JSON bytes, IPFIX records). Workers wait for it when
//! their queue is full (see `export_queue`), so nothing is dropped between
//! the two; what the output itself refuses is counted here.
//!
//! SIGHUP (the `reopen` flag) makes it close and reopen its output files
//! between two records.
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use crate::{
    engine::export_queue::{ExportQueue, WriterState},
    export::{ipfix::IpfixReport, record_writer::RecordWriter},
};

/// Flows taken from one queue before the writer looks at the next.
const ROUND: usize = 1024;
/// How often the Kafka and ZMQ counters are published for `--metrics`.
const STREAMS_EVERY: Duration = Duration::from_millis(200);
/// How long the writer sleeps when every queue is empty.
const IDLE: Duration = Duration::from_millis(10);

/// What the writer did.
#[derive(Clone, Debug, Default)]
pub struct WriterReport {
    /// Flow records written.
    pub records: u64,
    /// Records lost because the output failed (the first error is printed).
    pub write_errors: u64,
    /// Times the outputs were reopened (SIGHUP).
    pub reopens: u64,
    /// Reopens that failed (the error is printed; the next write fails too).
    pub reopen_errors: u64,
    /// The IPFIX output's counters, when it was on.
    pub ipfix: Option<IpfixReport>,
    /// The Kafka output's, when it was on.
    pub kafka: Option<crate::export::kafka::KafkaReport>,
    /// The ZMQ output's, when it was on.
    pub zmq: Option<crate::export::zmq::ZmqReport>,
}

/// The writer's inputs and signals.
pub struct WriterJob {
    /// Every worker's export queue.
    pub queues: Vec<Arc<ExportQueue>>,
    /// The outputs.
    pub out: RecordWriter,
    /// Set once every worker has stopped: drain what is left and finish.
    pub done: Arc<AtomicBool>,
    /// Set by SIGHUP: reopen the outputs.
    pub reopen: Arc<AtomicBool>,
    /// Cleared when this thread ends, however it ends.
    pub state: Arc<WriterState>,
}

/// Writes until `done` is set and every queue is empty.
pub fn run(job: WriterJob) -> WriterReport {
    let WriterJob {
        queues,
        mut out,
        done,
        reopen,
        state,
    } = job;
    let _alive = state.guard();
    let mut report = WriterReport::default();
    let mut streams_published = Instant::now();
    loop {
        // Read `done` before draining so records pushed before it was set are seen.
        let finished = done.load(Ordering::Acquire);
        if reopen.swap(false, Ordering::AcqRel) {
            reopen_outputs(&mut out, &mut report);
        }
        let mut wrote = 0;
        for q in &queues {
            for _ in 0..ROUND {
                let Some(flow) = q.pop() else { break };
                wrote += 1;
                match out.write_encoded(&flow) {
                    Ok(()) => report.records += 1,
                    Err(e) => {
                        if report.write_errors == 0 {
                            eprintln!("sluice: writing flows failed: {e}");
                        }
                        report.write_errors += 1;
                    }
                }
            }
        }
        state.publish(report.records, report.write_errors);
        if streams_published.elapsed() >= STREAMS_EVERY {
            state.publish_streams(out.stream_reports());
            streams_published = Instant::now();
        }
        if finished && wrote == 0 {
            break;
        }
        if wrote == 0 {
            if let Err(e) = out.flush() {
                eprintln!("sluice: flushing flows failed: {e}");
            }
            std::thread::sleep(IDLE);
        }
    }
    match out.finish() {
        Ok(w) => {
            report.ipfix = w.ipfix;
            report.kafka = w.kafka;
            report.zmq = w.zmq;
        }
        Err(e) => {
            eprintln!("sluice: flushing flows failed: {e}");
            report.write_errors += 1;
        }
    }
    report
}

/// Reopens the outputs, counting the reopen and any failure.
fn reopen_outputs(out: &mut RecordWriter, report: &mut WriterReport) {
    report.reopens += 1;
    match out.reopen() {
        Ok(()) => eprintln!("sluice: SIGHUP: output files reopened"),
        Err(e) => {
            report.reopen_errors += 1;
            eprintln!("sluice: SIGHUP: reopening the output failed: {e}");
        }
    }
}
