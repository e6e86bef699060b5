//! The writer thread: drains every worker's export queue into the JSON output.
//! Workers never block on output; a full queue is a counted drop in the worker.
use std::{
    io::Write,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use crossbeam_queue::ArrayQueue;

use crate::{export::json::write_flow_json, flow::FlowRecord};

/// What the writer did.
#[derive(Clone, Copy, Debug, Default)]
pub struct WriterReport {
    /// Flow records written.
    pub records: u64,
    /// Records lost because the output failed (the first error is printed).
    pub write_errors: u64,
}

/// Drains `queues` into `out` until `done` is set and every queue is empty.
pub fn run(
    queues: Vec<Arc<ArrayQueue<FlowRecord>>>,
    mut out: Box<dyn Write + Send>,
    done: Arc<AtomicBool>,
) -> WriterReport {
    let mut report = WriterReport::default();
    loop {
        // Read `done` before draining so records pushed before it was set are seen.
        let finished = done.load(Ordering::Acquire);
        let mut wrote = 0;
        for q in &queues {
            while let Some(rec) = q.pop() {
                wrote += 1;
                match write_flow_json(&rec, &mut out) {
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
    if let Err(e) = out.flush() {
        eprintln!("sluice: flushing flows failed: {e}");
    }
    report
}
