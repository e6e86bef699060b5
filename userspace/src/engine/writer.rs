//! The writer thread: drains every worker's export queue into the outputs
//! (JSON, IPFIX). Workers never block on output; a full queue is a counted
//! drop in the worker.
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use crossbeam_queue::ArrayQueue;

use crate::{
    export::{ipfix::IpfixReport, record_writer::RecordWriter},
    features::FlowFeatures,
    flow::FlowRecord,
};

/// What the writer did.
#[derive(Clone, Debug, Default)]
pub struct WriterReport {
    /// Flow records written.
    pub records: u64,
    /// Records lost because the output failed (the first error is printed).
    pub write_errors: u64,
    /// The IPFIX output's counters, when it was on.
    pub ipfix: Option<IpfixReport>,
}

/// Drains `queues` into `out` until `done` is set and every queue is empty.
pub fn run(
    queues: Vec<Arc<ArrayQueue<(FlowRecord, FlowFeatures)>>>,
    mut out: RecordWriter,
    done: Arc<AtomicBool>,
) -> WriterReport {
    let mut report = WriterReport::default();
    loop {
        // Read `done` before draining so records pushed before it was set are seen.
        let finished = done.load(Ordering::Acquire);
        let mut wrote = 0;
        for q in &queues {
            while let Some((rec, f)) = q.pop() {
                wrote += 1;
                match out.write(rec, &f) {
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
        if finished {
            break;
        }
        if wrote == 0 {
            let _ = out.flush();
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    match out.finish() {
        Ok(w) => report.ipfix = w.ipfix,
        Err(e) => eprintln!("sluice: flushing flows failed: {e}"),
    }
    report
}
