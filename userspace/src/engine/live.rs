//! The live engine: attach the XDP program, open one AF_XDP socket and one worker per
//! rx queue, drop privileges, write finished flows, stop cleanly on SIGINT/SIGTERM or
//! after a duration, and reopen the outputs on SIGHUP.
//!
//! Nothing between the threads drops a flow: a worker whose export queue is full waits
//! for the writer (see `export_queue`). A second SIGINT/SIGTERM while the last flows are
//! being written ends the process at once, saying what was not written.
use super::{export_queue, handoff, shutdown::ShutdownBarrier, worker, writer};

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    thread::{self, JoinHandle},
    time::{Duration, Instant},
};

pub use super::report::{CaptureReport, QueueReport};
use crate::engine::pipeline::{Pipeline, Seat};
use crate::policy::PolicyConfig;
use crate::{
    anon::Anonymizer,
    bpf::{
        capture::{AttachMode, CaptureProgram},
        offload::KernelOffload,
    },
    capture::afxdp::{BindMode, XskConfig, XskQueue},
    error::Error,
    export::{
        encoder::RecordEncoder, ipfix::IpfixOptions, output::RecordOutput,
        record_writer::RecordWriter,
    },
    features::{FeatureConfig, ReadyHooks},
    flow::{FlowTableConfig, KeyHasher},
    metrics::MetricsServer,
    netdev,
    privileges::{privileged_threads, PrivilegePlan},
};
use export_queue::{ExportLane, ExportQueue, WriterState};
use worker::PanicOnQueue;

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
    /// L7 detection and rules.
    pub policy: PolicyConfig,
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
    /// The Kafka producer, when records go to Kafka.
    pub kafka: Option<crate::export::kafka::KafkaSink>,
    /// The ZMQ exporter, when flows go to ntopng.
    pub zmq: Option<crate::export::zmq::ZmqExporter>,
    /// `--filter`: each worker runs a copy on every frame before decoding it.
    pub filter: Option<crate::filter::Filter>,
    /// Install final verdicts (discard, shunt, forward) in the XDP program's
    /// verdict map, so those flows' packets stop reaching userspace.
    pub kernel_verdicts: bool,
    /// What to do with privileges once the program, sockets and outputs are open.
    pub privileges: PrivilegePlan,
    /// Test-only fault injection: this queue's worker panics.
    pub panic_on: Option<PanicOnQueue>,
    /// Benchmark only: workers receive and refill, counting, and nothing else.
    pub bare_loop: bool,
    /// CPUs to pin the workers (one each, in turn) and the writer to; empty:
    /// not pinned.
    pub cpus: Vec<usize>,
    /// Print the counters on stderr this often while capturing.
    pub stats_interval: Option<Duration>,
    /// What those lines are: a summary or every counter as JSON.
    pub stats_format: StatsFormat,
    /// The `--metrics` endpoint: fed a snapshot of every counter while
    /// capturing (it stops with the capture).
    pub metrics: Option<MetricsServer>,
}

/// What `--stats-interval` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatsFormat {
    /// One summary line: rate, flows, drops ([`CaptureReport::summary`]).
    #[default]
    Line,
    /// Every counter, the `--stats` object on one line.
    Json,
}

/// How often the `--metrics` snapshot is refreshed (worker counters are
/// published once per housekeeping pass, as often).
const METRICS_EVERY: Duration = worker::HOUSEKEEPING_INTERVAL;

/// Pins the calling thread to `cpus` (none: leaves it alone); a failure is
/// printed, and the thread runs unpinned.
fn pin(cpus: &[usize], who: &str) {
    if cpus.is_empty() {
        return;
    }
    if let Err(e) = crate::engine::cpus::pin_current_thread(cpus) {
        eprintln!("sluice: pinning {who} to CPUs {cpus:?} failed: {e}");
    }
}

/// The capture's signals: stop (SIGINT/SIGTERM) and reopen (SIGHUP).
struct Signals {
    stop: Arc<AtomicBool>,
    reopen: Arc<AtomicBool>,
}

impl Signals {
    fn install() -> Result<Signals, Error> {
        let stop = Arc::new(AtomicBool::new(false));
        let reopen = Arc::new(AtomicBool::new(false));
        let install = |sig, flag: &Arc<AtomicBool>| {
            signal_hook::flag::register(sig, Arc::clone(flag))
                .map(|_| ())
                .map_err(|e| Error::Other(format!("installing signal handler: {e}")))
        };
        install(signal_hook::consts::SIGINT, &stop)?;
        install(signal_hook::consts::SIGTERM, &stop)?;
        install(signal_hook::consts::SIGHUP, &reopen)?;
        Ok(Signals { stop, reopen })
    }

    /// True once stopping was asked for; clears the request, so that the
    /// next call sees only a new one (a second signal).
    fn take_stop(&self) -> bool {
        self.stop.swap(false, Ordering::Relaxed)
    }
}

/// The kernel side of a capture: the attached program and one socket per queue.
struct Kernel {
    program: CaptureProgram,
    sockets: Vec<XskQueue>,
    /// The verdict map, when final verdicts go into the kernel.
    verdicts: Option<crate::bpf::verdicts::VerdictMap>,
}

impl Kernel {
    /// Attaches the program to `interface` and binds a socket to each of its first
    /// `nq` queues (needs root).
    fn open(interface: &str, nq: u32, o: &CaptureOptions) -> Result<Kernel, Error> {
        let mut program = CaptureProgram::attach(interface, o.attach_mode)?;
        // Verdict keys must be built the way the flow table builds its keys.
        program.set_config(if o.table.ignore_vlan {
            sluice_common::CONFIG_IGNORE_VLAN
        } else {
            0
        })?;
        let mut sockets = Vec::with_capacity(nq as usize);
        for q in 0..nq {
            let s = XskQueue::open(interface, q, o.xsk)?;
            if o.xsk.hugepages && !s.huge_umem() && q == 0 {
                eprintln!(
                    "sluice: --hugepages: no reserved huge pages for the UMEM \
                     (vm.nr_hugepages); it uses normal pages"
                );
            }
            program.bind_socket(q, s.fd())?;
            sockets.push(s);
        }
        let verdicts = if o.kernel_verdicts {
            Some(program.verdicts()?)
        } else {
            None
        };
        Ok(Kernel {
            program,
            sockets,
            verdicts,
        })
    }
}

/// The threads of a running capture and what they share.
struct Threads {
    workers: Vec<(u32, JoinHandle<(worker::WorkerReport, XskQueue)>)>,
    writer: JoinHandle<writer::WriterReport>,
    /// Each worker's export queue, by queue index.
    outs: Vec<Arc<ExportQueue>>,
    /// Each worker's socket mode and published counters, by queue index.
    published: Vec<(BindMode, Arc<Mutex<worker::WorkerReport>>)>,
    writer_state: Arc<WriterState>,
    /// Tells the workers to stop (after the program is detached).
    stop: Arc<AtomicBool>,
    /// Tells the writer every worker has stopped.
    done: Arc<AtomicBool>,
    /// Set by a worker that panicked.
    worker_failed: Arc<AtomicBool>,
}

/// What the threads handed back when they ended.
struct Joined {
    /// Reports and sockets of the workers that ended normally.
    finished: Vec<(worker::WorkerReport, XskQueue)>,
    /// Queues whose worker panicked.
    panicked: Vec<u32>,
    writer: writer::WriterReport,
    writer_panicked: bool,
}

/// The per-run parts the workers are built from.
struct WorkerParts<'a> {
    table: &'a FlowTableConfig,
    filter: Option<&'a crate::filter::Filter>,
    policy: &'a PolicyConfig,
    features: &'a Arc<FeatureConfig>,
    encoder: &'a RecordEncoder,
    verdicts: Option<&'a crate::bpf::verdicts::VerdictMap>,
    handoff_queue: usize,
    export_queue: usize,
    panic_on: Option<PanicOnQueue>,
    bare_loop: bool,
    cpus: &'a [usize],
}

impl Threads {
    /// Starts the writer on `records` and one worker per socket.
    fn start(
        sockets: Vec<XskQueue>,
        records: RecordWriter,
        parts: WorkerParts<'_>,
        reopen: &Arc<AtomicBool>,
    ) -> Result<Threads, Error> {
        let n = sockets.len();
        let outs: Vec<Arc<ExportQueue>> = (0..n)
            .map(|_| Arc::new(ExportQueue::new(parts.export_queue)))
            .collect();
        let done = Arc::new(AtomicBool::new(false));
        let writer_state = WriterState::new();
        let job = writer::WriterJob {
            queues: outs.clone(),
            out: records,
            done: Arc::clone(&done),
            reopen: Arc::clone(reopen),
            state: Arc::clone(&writer_state),
        };
        let writer_cpus = parts.cpus.to_vec();
        let writer = thread::Builder::new()
            .name("sluice-writer".into())
            .spawn(move || {
                pin(&writer_cpus, "the writer");
                writer::run(job)
            })
            .map_err(|e| Error::Other(format!("starting the writer: {e}")))?;
        let stop = Arc::new(AtomicBool::new(false));
        let worker_failed = Arc::new(AtomicBool::new(false));
        let barrier = ShutdownBarrier::new(n, Arc::clone(&worker_failed));
        let mut workers = Vec::with_capacity(n);
        let mut published = Vec::with_capacity(n);
        // One seed for every worker's keys: they agree on each flow's owner.
        let hasher = KeyHasher::default();
        for ((s, out), links) in sockets
            .into_iter()
            .zip(&outs)
            .zip(handoff::mesh(n, parts.handoff_queue))
        {
            let mut pipeline = Pipeline::new(
                parts.table.clone(),
                parts.policy.clone(),
                Arc::clone(parts.features),
                ReadyHooks::default(),
                hasher.clone(),
                Seat {
                    me: links.me,
                    workers: n,
                },
            )
            .with_filter(parts.filter.map(|f| f.try_clone()).transpose()?);
            if let Some(v) = parts.verdicts {
                pipeline
                    .table_mut()
                    .set_offload(Box::new(KernelOffload::new(v.try_clone()?)));
            }
            let q = s.queue();
            let report = Arc::new(Mutex::new(worker::WorkerReport {
                queue: q,
                ..Default::default()
            }));
            published.push((s.mode(), Arc::clone(&report)));
            let w = worker::Worker {
                pipeline,
                links,
                export: ExportLane::new(
                    Arc::clone(out),
                    Arc::clone(&writer_state),
                    parts.encoder.clone(),
                ),
                panic_on: parts.panic_on,
                bare_loop: parts.bare_loop,
                published: report,
            };
            let (stop, arrival) = (Arc::clone(&stop), barrier.arrival());
            let cpu: Vec<usize> = parts
                .cpus
                .get(workers.len() % parts.cpus.len().max(1))
                .copied()
                .into_iter()
                .collect();
            let h = thread::Builder::new()
                .name(format!("sluice-q{q}"))
                .spawn(move || {
                    pin(&cpu, &format!("the worker of queue {q}"));
                    worker::run(s, w, stop, arrival)
                })
                .map_err(|e| Error::Other(format!("starting worker {q}: {e}")))?;
            workers.push((q, h));
        }
        Ok(Threads {
            workers,
            writer,
            outs,
            published,
            writer_state,
            stop,
            done,
            worker_failed,
        })
    }

    /// Tells the workers to stop, waits for them and then for the writer (a second
    /// signal meanwhile exits at once), and counts what is left in the queues as lost.
    fn stop_and_join(self, signals: &Signals) -> (Joined, Vec<Arc<ExportQueue>>) {
        self.stop.store(true, Ordering::Relaxed);
        let mut finished = Vec::with_capacity(self.workers.len());
        let mut panicked = Vec::new();
        for (q, h) in self.workers {
            match join_or_abandon(h, signals, &self.outs) {
                Ok(w) => finished.push(w),
                Err(()) => {
                    eprintln!("sluice: queue {q}: the worker panicked; the flows it held are lost");
                    panicked.push(q);
                }
            }
        }
        self.done.store(true, Ordering::Release);
        let (writer, writer_panicked) = match join_or_abandon(self.writer, signals, &self.outs) {
            Ok(w) => (w, false),
            Err(()) => {
                eprintln!("sluice: the writer panicked; the flows it had not written are lost");
                (writer::WriterReport::default(), true)
            }
        };
        for q in &self.outs {
            q.count_leftovers_lost();
        }
        let joined = Joined {
            finished,
            panicked,
            writer,
            writer_panicked,
        };
        (joined, self.outs)
    }
}

/// The queues to capture: all of `interface`'s, or the first `n`.
fn queue_count(interface: &str, queues: Queues) -> Result<u32, Error> {
    netdev::ifindex(interface)?;
    let available = netdev::rx_queue_count(interface)?;
    match queues {
        Queues::All => Ok(available),
        Queues::First(n) if n >= 1 && n <= available => Ok(n),
        Queues::First(n) => Err(Error::BadOption {
            option: "--queues",
            value: n.to_string(),
            why: format!("'{interface}' has {available} rx queue(s)"),
        }),
    }
}

/// Runs a live capture to completion and returns every counter.
pub fn run_capture(mut opts: CaptureOptions) -> Result<CaptureReport, Error> {
    let interface = opts.interface.clone();
    let nq = queue_count(&interface, opts.queues)?;
    // A signal asks to stop; workers are told only once the program is detached.
    let signals = Signals::install()?;
    let if_before = netdev::RxDrops::read(&interface);
    let mut kernel = Kernel::open(&interface, nq, &opts)?;
    let features = Arc::new(std::mem::take(&mut opts.features));
    let (output, ipfix) = (opts.output.take(), opts.ipfix.take());
    let ipfix = ipfix.map(|o| o.with_thread_start(opts.privileges.thread_start_hook()));
    let records = RecordWriter::open(output, ipfix.as_ref(), Arc::clone(&features))
        .map_err(|e| Error::Other(format!("ipfix: {e}")))?
        .with_kafka(opts.kafka.take())
        .with_zmq(opts.zmq.take());
    let encoder = RecordEncoder::for_writer(Arc::clone(&features), opts.anon.take(), &records);
    // Everything that needs root is open: from here on no thread has a capability.
    let dropped = opts.privileges.apply()?;
    eprintln!(
        "sluice: capturing on {interface}: {nq} queue(s), XDP {:?} mode, AF_XDP {:?}{}",
        opts.attach_mode,
        kernel.sockets[0].mode(),
        if dropped { ", privileges dropped" } else { "" }
    );

    let started = Instant::now();
    let parts = WorkerParts {
        table: &opts.table,
        filter: opts.filter.as_ref(),
        policy: &opts.policy,
        features: &features,
        encoder: &encoder,
        verdicts: kernel.verdicts.as_ref(),
        handoff_queue: opts.handoff_queue,
        export_queue: opts.export_queue,
        panic_on: opts.panic_on,
        bare_loop: opts.bare_loop,
        cpus: &opts.cpus,
    };
    let sockets = std::mem::take(&mut kernel.sockets);
    let threads = Threads::start(sockets, records, parts, &signals.reopen)?;
    let privileged = if dropped {
        privileged_threads().unwrap_or_default()
    } else {
        Vec::new()
    };
    for (tid, eff) in &privileged {
        eprintln!("sluice: warning: thread {tid} still has capabilities (CapEff {eff})");
    }
    let live = LiveCounters {
        interface: &interface,
        started,
        if_before: &if_before,
        published: &threads.published,
        outs: &threads.outs,
        writer: &threads.writer_state,
        privileges_dropped: dropped,
        privileged_threads: privileged.len(),
    };
    wait_for_stop(
        &signals,
        &threads.worker_failed,
        &live,
        &kernel.program,
        &opts,
    );

    // Detach first: no frame is redirected or counted in a verdict entry after this, so
    // the workers' last drain takes every frame in flight and their flush reads final
    // kernel counts. A program run that began before the detach ends within the grace.
    if let Err(e) = kernel.program.detach() {
        eprintln!("sluice: {e}");
    }
    thread::sleep(Duration::from_millis(20));
    let (joined, outs) = threads.stop_and_join(&signals);
    let xdp = kernel.program.counters().unwrap_or_default();
    drop(kernel);
    let mut queues = Vec::with_capacity(joined.finished.len());
    for (report, socket) in joined.finished {
        // Queues are 0..nq: the queue number is the index of its export queue.
        let export = outs[report.queue as usize].stats();
        queues.push(QueueReport {
            mode: socket.mode(),
            worker: report,
            export,
        });
        drop(socket);
    }
    Ok(CaptureReport {
        interface: interface.clone(),
        seconds: started.elapsed().as_secs_f64(),
        xdp,
        queues,
        writer: joined.writer,
        interface_drops: netdev::RxDrops::read(&interface).since(&if_before),
        cpu: super::report::process_cpu(),
        panicked_queues: joined.panicked,
        writer_panicked: joined.writer_panicked,
        export_lost: outs.iter().map(|q| q.stats().lost).sum(),
        privileges_dropped: dropped,
        privileged_threads: privileged.len(),
    })
}

/// Waits until a signal, a failed worker or the end of `--duration`,
/// printing the counters every `--stats-interval` and refreshing the
/// `--metrics` snapshot meanwhile.
fn wait_for_stop(
    signals: &Signals,
    worker_failed: &AtomicBool,
    live: &LiveCounters<'_>,
    program: &CaptureProgram,
    opts: &CaptureOptions,
) {
    let expired = || opts.duration.is_some_and(|d| live.started.elapsed() >= d);
    let mut next_stats = opts.stats_interval.map(|d| live.started + d);
    let mut previous: Option<CaptureReport> = None;
    let mut next_metrics = live.started;
    while !signals.take_stop() && !worker_failed.load(Ordering::Relaxed) && !expired() {
        let now = Instant::now();
        if let Some(m) = opts.metrics.as_ref().filter(|_| now >= next_metrics) {
            m.publish(Arc::new(live.snapshot(program)));
            next_metrics = now + METRICS_EVERY;
        }
        if let (Some(due), Some(every)) = (next_stats, opts.stats_interval) {
            if now >= due {
                let r = live.snapshot(program);
                match opts.stats_format {
                    StatsFormat::Json => eprintln!("sluice: stats: {}", r.to_json()),
                    StatsFormat::Line => {
                        eprintln!("sluice: stats: {}", r.summary(previous.as_ref()))
                    }
                }
                previous = Some(r);
                next_stats = Some(due + every);
            }
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// Where the counters of a running capture are, for `--stats-interval` and
/// `--metrics`.
struct LiveCounters<'a> {
    interface: &'a str,
    started: Instant,
    if_before: &'a netdev::RxDrops,
    published: &'a [(BindMode, Arc<Mutex<worker::WorkerReport>>)],
    outs: &'a [Arc<ExportQueue>],
    writer: &'a WriterState,
    privileges_dropped: bool,
    privileged_threads: usize,
}

impl LiveCounters<'_> {
    /// Every counter now: the XDP program's and the interface's as they are, the
    /// workers' as of their last housekeeping pass (at most 250 ms old).
    fn snapshot(&self, program: &CaptureProgram) -> CaptureReport {
        let queues = self
            .published
            .iter()
            .zip(self.outs)
            .map(|((mode, w), out)| QueueReport {
                mode: *mode,
                worker: w.lock().map(|g| g.clone()).unwrap_or_default(),
                export: out.stats(),
            })
            .collect();
        let (records, write_errors) = self.writer.progress();
        let (kafka, zmq) = self.writer.streams();
        CaptureReport {
            interface: self.interface.to_string(),
            seconds: self.started.elapsed().as_secs_f64(),
            xdp: program.counters().unwrap_or_default(),
            queues,
            writer: writer::WriterReport {
                records,
                write_errors,
                kafka,
                zmq,
                ..Default::default()
            },
            interface_drops: netdev::RxDrops::read(self.interface).since(self.if_before),
            cpu: super::report::process_cpu(),
            panicked_queues: Vec::new(),
            writer_panicked: false,
            export_lost: self.outs.iter().map(|q| q.stats().lost).sum(),
            privileges_dropped: self.privileges_dropped,
            privileged_threads: self.privileged_threads,
        }
    }
}

/// Joins `h`; Err if it panicked. A second SIGINT/SIGTERM meanwhile ends the process at
/// once (exit status 3), saying how many flows were queued and not yet written.
fn join_or_abandon<T>(
    h: JoinHandle<T>,
    signals: &Signals,
    outs: &[Arc<ExportQueue>],
) -> Result<T, ()> {
    while !h.is_finished() {
        if signals.take_stop() {
            let queued: u64 = outs.iter().map(|q| q.stats().queued).sum();
            eprintln!(
                "sluice: second signal: exiting without waiting for the output; of {queued} flows queued, those not yet written and every flow still in a table are lost"
            );
            std::process::exit(crate::error::EXIT_LOST);
        }
        thread::sleep(Duration::from_millis(20));
    }
    h.join().map_err(|_| ())
}
