//! The live engine: attach the XDP program, open one AF_XDP socket and one worker per
//! rx queue, write finished flows, stop cleanly on SIGINT/SIGTERM or after a duration.
use super::{handoff, worker, writer};

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Barrier,
    },
    thread,
    time::{Duration, Instant},
};

use crossbeam_queue::ArrayQueue;

pub use super::report::{CaptureReport, QueueReport};
use crate::{
    bpf::{
        capture::{AttachMode, CaptureProgram},
        offload::KernelOffload,
    },
    capture::afxdp::{XskConfig, XskQueue},
    error::Error,
    export::{ipfix::IpfixOptions, output::RecordOutput, record_writer::RecordWriter},
    features::{anon::Anonymizer, attach, FeatureConfig, FlowFeatures, ReadyHooks},
    flow::{FlowTable, FlowTableConfig},
    netdev,
};

/// Which rx queues to capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queues {
    /// Every rx queue of the interface.
    All,
    /// Queues `0..n`.
    First(u32),
}

/// Everything `sluice capture` needs.
pub struct CaptureOptions {
    /// Interface to attach to.
    pub interface: String,
    /// Queues to open sockets on.
    pub queues: Queues,
    /// Stop after this long (None: until SIGINT/SIGTERM).
    pub duration: Option<Duration>,
    /// Native or generic XDP.
    pub attach_mode: AttachMode,
    /// Ring and UMEM sizes.
    pub xsk: XskConfig,
    /// Flow table settings (one table per worker).
    pub table: FlowTableConfig,
    /// Capacity of each worker's export queue (finished flows).
    pub export_queue: usize,
    /// Capacity of each queue between two workers (packets of flows the other owns).
    pub handoff_queue: usize,
    /// Joy features computed by each worker for its flows.
    pub features: FeatureConfig,
    /// Replaces addresses (and HTTP usernames) in written records.
    pub anon: Option<Anonymizer>,
    /// Where JSON flow records go (None: no JSON).
    pub output: Option<RecordOutput>,
    /// Where IPFIX goes (None: no IPFIX).
    pub ipfix: Option<IpfixOptions>,
    /// Install final verdicts (discard, shunt, forward) in the XDP program's
    /// verdict map, so those flows' packets stop reaching userspace.
    pub kernel_verdicts: bool,
}

/// Runs a live capture to completion and returns every counter.
pub fn run_capture(opts: CaptureOptions) -> Result<CaptureReport, Error> {
    let CaptureOptions {
        interface,
        queues,
        duration,
        attach_mode,
        xsk,
        table,
        export_queue,
        handoff_queue,
        features,
        anon,
        output,
        ipfix,
        kernel_verdicts,
    } = opts;
    netdev::ifindex(&interface)?;
    let available = netdev::rx_queue_count(&interface)?;
    let nq = match queues {
        Queues::All => available,
        Queues::First(n) if n >= 1 && n <= available => n,
        Queues::First(n) => {
            return Err(Error::BadOption {
                option: "--queues",
                value: n.to_string(),
                why: format!("'{interface}' has {available} rx queue(s)"),
            })
        }
    };

    // A signal asks to stop; workers are told only once the program is detached.
    let requested = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&requested))
            .map_err(|e| Error::Other(format!("installing signal handler: {e}")))?;
    }

    let if_dropped_before = netdev::stat(&interface, "rx_dropped").unwrap_or(0);
    let mut program = CaptureProgram::attach(&interface, attach_mode)?;
    // Verdict keys must be built the way the flow table builds its keys.
    program.set_config(if table.ignore_vlan {
        sluice_common::CONFIG_IGNORE_VLAN
    } else {
        0
    })?;
    let mut sockets = Vec::with_capacity(nq as usize);
    for q in 0..nq {
        let s = XskQueue::open(&interface, q, xsk)?;
        program.bind_socket(q, s.fd())?;
        sockets.push(s);
    }
    let modes: Vec<_> = sockets.iter().map(|s| s.mode()).collect();
    eprintln!(
        "sluice: capturing on {interface}: {nq} queue(s), XDP {:?} mode, AF_XDP {:?}",
        attach_mode, modes[0]
    );

    let started = Instant::now();
    let outs: Vec<_> = (0..nq)
        .map(|_| Arc::new(ArrayQueue::new(export_queue.max(1))))
        .collect();
    let done = Arc::new(AtomicBool::new(false));
    let features = Arc::new(features);
    let writer = {
        let (outs, done) = (outs.clone(), Arc::clone(&done));
        let records = RecordWriter::open(output, ipfix.as_ref(), Arc::clone(&features), anon)
            .map_err(|e| Error::Other(format!("ipfix: {e}")))?;
        thread::Builder::new()
            .name("sluice-writer".into())
            .spawn(move || writer::run(outs, records, done))
            .map_err(|e| Error::Other(format!("starting the writer: {e}")))?
    };
    let mut workers = Vec::with_capacity(nq as usize);
    let barrier = Arc::new(Barrier::new(nq as usize));
    let links = handoff::mesh(nq as usize, handoff_queue);
    let verdicts = if kernel_verdicts {
        Some(program.verdicts()?)
    } else {
        None
    };
    for ((s, out), links) in sockets.into_iter().zip(&outs).zip(links) {
        let mut table: FlowTable<FlowFeatures> = FlowTable::new(table.clone());
        attach(&mut table, Arc::clone(&features), ReadyHooks::default());
        if let Some(v) = &verdicts {
            table.set_offload(Box::new(KernelOffload::new(v.try_clone()?)));
        }
        let w = worker::Worker {
            table,
            links,
            out: Arc::clone(out),
        };
        let (stop, barrier) = (Arc::clone(&stop), Arc::clone(&barrier));
        let q = s.queue();
        let h = thread::Builder::new()
            .name(format!("sluice-q{q}"))
            .spawn(move || worker::run(s, w, stop, barrier))
            .map_err(|e| Error::Other(format!("starting worker {q}: {e}")))?;
        workers.push(h);
    }

    let expired = || duration.is_some_and(|d| started.elapsed() >= d);
    while !requested.load(Ordering::Relaxed) && !expired() {
        thread::sleep(Duration::from_millis(50));
    }
    // Detach first: no frame is redirected or counted in a verdict entry after this, so
    // the workers' last drain takes every frame in flight and their flush reads final
    // kernel counts. A program run that began before the detach ends within the grace.
    if let Err(e) = program.detach() {
        eprintln!("sluice: {e}");
    }
    thread::sleep(Duration::from_millis(20));
    stop.store(true, Ordering::Relaxed);

    let mut finished = Vec::with_capacity(workers.len());
    for h in workers {
        match h.join() {
            Ok(w) => finished.push(w),
            Err(_) => eprintln!("sluice: a worker panicked; its flows are lost"),
        }
    }
    done.store(true, Ordering::Release);
    let writer = writer.join().unwrap_or_default();
    let xdp = program.counters().unwrap_or_default();
    drop(program);
    let mut queues_report = Vec::with_capacity(finished.len());
    for (report, socket) in finished {
        queues_report.push(QueueReport {
            mode: socket.mode(),
            worker: report,
        });
        drop(socket);
    }
    let if_dropped_after = netdev::stat(&interface, "rx_dropped").unwrap_or(0);
    Ok(CaptureReport {
        interface,
        seconds: started.elapsed().as_secs_f64(),
        xdp,
        queues: queues_report,
        writer,
        interface_rx_dropped: if_dropped_after.saturating_sub(if_dropped_before),
        cpu: super::report::process_cpu(),
    })
}
