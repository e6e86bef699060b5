//! Offline reading: capture files through the same decode → flow table → JSON
//! path as live capture, with packet timestamps as the clock.
//!
//! Files are read in the order given, as one continuous capture into one flow
//! table (cut into shards by flow hash: [`shards`]). Housekeeping runs
//! whenever packet time passes the next whole second, so flows expire within
//! 1 s (of packet time) of when they are due. Records are written in the
//! order flows end, exactly as [`shards::Order`] says, whatever the number
//! of threads (`--threads`: [`threads`]). A file that cannot be read, or
//! that breaks off, is reported with its name and byte offset; what was read
//! before still counts, the other files are still read, and every flow is
//! flushed at the end (also on SIGINT/SIGTERM).
//!
//! Every input is opened before anything is parsed; then privileges are
//! dropped as the run's [`PrivilegePlan`] says. SIGHUP reopens the outputs
//! between two records.
#![allow(unsafe_code)] // getrlimit/setrlimit are libc calls; each block says why it is sound.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::anon::Anonymizer;
use crate::capfile::{CaptureFile, ReadError};
use crate::decode::LinkType;
use crate::engine::progress::Progress;
pub use crate::engine::read_report::{FileReport, ReadReport};
use crate::error::Error;
use crate::export::encoder::RecordEncoder;
use crate::export::ipfix::IpfixOptions;
use crate::export::kafka::KafkaSink;
use crate::export::output::RecordOutput;
use crate::export::record_writer::{RecordWriter, WrittenOutputs};
use crate::export::zmq::ZmqExporter;
use crate::features::{FeatureConfig, FlowFeatures};
use crate::flow::{FlowRecord, FlowTableConfig, Timestamp};
use crate::policy::PolicyConfig;
use crate::privileges::PrivilegePlan;
use keyer::{KeyedPacket, Keyer};
use shards::ShardSet;
use threads::{WorkerSetup, Workers, Written};

mod keyer;
pub mod shards;
mod threads;

/// Everything `sluice read` needs.
pub struct ReadOptions {
    /// Capture files, read in this order.
    pub files: Vec<PathBuf>,
    /// Flow table settings (tunnel decoding, timeouts...).
    pub table: FlowTableConfig,
    /// L7 detection and rules.
    pub policy: PolicyConfig,
    /// Which Joy features each record carries.
    pub features: FeatureConfig,
    /// Replaces addresses (and HTTP usernames) in exported records.
    pub anon: Option<Anonymizer>,
    /// Where JSON flow records go (None: no JSON).
    pub output: Option<RecordOutput>,
    /// Where IPFIX goes (None: no IPFIX).
    pub ipfix: Option<IpfixOptions>,
    /// The Kafka producer, when records go to Kafka.
    pub kafka: Option<KafkaSink>,
    /// The ZMQ exporter, when flows go to ntopng.
    pub zmq: Option<ZmqExporter>,
    /// Show a progress bar for big files (when stderr is a terminal).
    pub progress: bool,
    /// The `--metrics` endpoint: fed the packets read so far while reading.
    pub metrics: Option<crate::metrics::MetricsServer>,
    /// What to do with privileges once every input and output is open.
    pub privileges: PrivilegePlan,
    /// `--filter`: frames it rejects are only counted.
    pub filter: Option<crate::filter::Filter>,
    /// Worker threads (1: everything on the calling thread). The output is
    /// the same whatever the number.
    pub threads: usize,
}

/// Reads every file, writes every flow, and returns the counters. Fails only
/// when the output cannot be written; file problems are in the report.
pub fn run_read(opts: ReadOptions) -> Result<ReadReport, Error> {
    let ReadOptions {
        files,
        table,
        policy,
        features,
        anon,
        output,
        ipfix,
        kafka,
        zmq,
        progress,
        metrics,
        privileges,
        filter,
        threads,
    } = opts;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| Error::Other(format!("installing signal handler: {e}")))?;
    }
    let reopen = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGHUP, Arc::clone(&reopen))
        .map_err(|e| Error::Other(format!("installing signal handler: {e}")))?;
    let started = Instant::now();
    raise_open_files_limit(files.len());
    let inputs: Vec<(&PathBuf, Result<std::fs::File, ReadError>)> = files
        .iter()
        .map(|p| (p, CaptureFile::open_file(p)))
        .collect();
    let features = Arc::new(features);
    let ipfix = ipfix.map(|o| o.with_thread_start(privileges.thread_start_hook()));
    let writer = RecordWriter::open(output, ipfix.as_ref(), Arc::clone(&features))
        .map_err(|e| Error::Other(format!("ipfix: {e}")))?
        .with_kafka(kafka)
        .with_zmq(zmq);
    let encoder = RecordEncoder::for_writer(Arc::clone(&features), anon, &writer);
    let shard_count = shards::shard_count(table.max_flows);
    let threads = threads.clamp(1, shard_count);
    let mut counter = if threads == 1 {
        Counter::Alone(Box::new(Alone {
            shards: ShardSet::new(&table, &policy, &features, 0, 1),
            sink: Sink::new(writer, encoder, reopen),
        }))
    } else {
        let setup = WorkerSetup {
            table: &table,
            policy: &policy,
            features: &features,
            encoder: &encoder,
        };
        Counter::Workers(Workers::start(threads, shard_count, setup, writer, reopen)?)
    };
    privileges.apply()?;
    let mut reader = Reader {
        keyer: Keyer::new(&table, shards::key_hasher(), filter),
        next_seq: 0,
        next_housekeeping: Timestamp(0),
        stop: &stop,
        progress,
        live: metrics.as_ref().map(|m| LiveRead {
            server: m,
            started,
            next: Instant::now(),
            done: Vec::new(),
        }),
    };
    let mut report = ReadReport::default();
    for (path, opened) in inputs {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let file = reader.read_file(path, opened, &mut counter)?;
        if let Some(e) = &file.error {
            eprintln!("sluice: {e}");
        }
        for (link, n) in &file.unsupported_links {
            eprintln!(
                "sluice: {}: {n} frame(s) of link type {link} skipped: Sluice cannot decode that link type",
                file.name
            );
        }
        if let Some(l) = reader.live.as_mut() {
            l.done.push(file.clone());
        }
        report.files.push(file);
    }
    report.interrupted = stop.load(Ordering::Relaxed);
    let last = reader.next_seq.checked_sub(1);
    let written = counter.finish(last)?;
    report.records = written.records;
    report.outputs = written.outputs.files;
    report.ipfix = written.outputs.ipfix;
    report.kafka = written.outputs.kafka;
    report.zmq = written.outputs.zmq;
    report.table = written.stats;
    reader.keyer.add_to(&mut report.table);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Raises the soft limit of open files to the hard limit when `inputs` files
/// (opened together at the start) and a few outputs would not fit.
fn raise_open_files_limit(inputs: usize) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0
            && (lim.rlim_cur as u128) < inputs as u128 + 64
        {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// The reading side of a run: numbers packets, keys them, and runs the
/// clock.
struct Reader<'a> {
    keyer: Keyer,
    /// The number the next packet read gets.
    next_seq: u64,
    next_housekeeping: Timestamp,
    stop: &'a AtomicBool,
    progress: bool,
    /// `--metrics`: where the packets read so far are published.
    live: Option<LiveRead<'a>>,
}

/// How often a read publishes its counters for `--metrics`.
const LIVE_EVERY: Duration = Duration::from_millis(250);

/// A read's counters on their way to `--metrics`.
struct LiveRead<'a> {
    server: &'a crate::metrics::MetricsServer,
    started: Instant,
    next: Instant,
    /// The files read to their end.
    done: Vec<FileReport>,
}

impl LiveRead<'_> {
    /// Publishes the files done and `current` when it is time to.
    fn publish(&mut self, current: &FileReport) {
        let now = Instant::now();
        if now < self.next {
            return;
        }
        self.next = now + LIVE_EVERY;
        let mut files = self.done.clone();
        files.push(current.clone());
        self.server.publish(std::sync::Arc::new(ReadReport {
            files,
            seconds: self.started.elapsed().as_secs_f64(),
            ..ReadReport::default()
        }));
    }
}

impl Reader<'_> {
    /// Reads one file (opened at the start of the run) into the table.
    fn read_file(
        &mut self,
        path: &Path,
        opened: Result<std::fs::File, ReadError>,
        counter: &mut Counter,
    ) -> Result<FileReport, Error> {
        let mut rep = FileReport {
            name: path.display().to_string(),
            ..FileReport::default()
        };
        let mut file = match opened.and_then(|f| CaptureFile::from_file(path, f)) {
            Ok(f) => f,
            Err(e) => {
                rep.error = Some(e.to_string());
                return Ok(rep);
            }
        };
        let mut bar = self
            .progress
            .then(|| Progress::new(&rep.name, file.len()))
            .flatten();
        let mut link_cache: Option<(u32, Option<LinkType>)> = None;
        loop {
            let pkt = match file.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(e) => {
                    rep.error = Some(e.to_string());
                    break;
                }
            };
            let seq = self.next_seq;
            self.next_seq += 1;
            rep.packets += 1;
            rep.bytes += u64::from(pkt.wire_len);
            let link = match link_cache {
                Some((dlt, l)) if dlt == pkt.linktype => l,
                _ => {
                    let l = LinkType::from_dlt(pkt.linktype);
                    link_cache = Some((pkt.linktype, l));
                    l
                }
            };
            let ts = pkt.ts;
            match link {
                Some(link) => {
                    if let Some(p) = self.keyer.key(seq, link, pkt.data, pkt.wire_len, ts) {
                        counter.packet(&p, pkt.data);
                    }
                }
                None => {
                    *rep.unsupported_links.entry(pkt.linktype).or_default() += 1;
                }
            }
            if ts >= self.next_housekeeping {
                counter.housekeeping(seq, ts);
                self.next_housekeeping = ts + Duration::from_secs(1);
            }
            if !counter.end_packet(seq)? {
                break;
            }
            if rep.packets.is_multiple_of(256) {
                if let Some(l) = self.live.as_mut() {
                    l.publish(&rep);
                }
            }
            if rep.packets.is_multiple_of(4096) {
                if self.stop.load(Ordering::Relaxed) {
                    break;
                }
                if let Some(b) = bar.as_mut() {
                    b.update(file.bytes_read(), rep.packets);
                }
            }
        }
        if let Some(b) = bar {
            b.finish(file.bytes_read(), rep.packets);
        }
        Ok(rep)
    }
}

/// Where keyed packets are counted: the shards on this thread, or workers.
enum Counter {
    /// `--threads 1`.
    Alone(Box<Alone>),
    /// `--threads N`, N ≥ 2.
    Workers(Workers),
}

impl Counter {
    /// Counts a packet in its flow's shard.
    #[inline]
    fn packet(&mut self, p: &KeyedPacket, frame: &[u8]) {
        match self {
            Counter::Alone(a) => a.shards.packet(p, frame),
            Counter::Workers(w) => w.packet(p, frame),
        }
    }

    /// Housekeeping at `ts`, after packet `seq`.
    fn housekeeping(&mut self, seq: u64, ts: Timestamp) {
        match self {
            Counter::Alone(a) => a.shards.housekeeping(ts),
            Counter::Workers(w) => w.housekeeping(seq, ts),
        }
    }

    /// Ends packet `seq` (one thread: writes its group). False: stop reading
    /// (the writer failed; `finish` says why).
    #[inline]
    fn end_packet(&mut self, seq: u64) -> Result<bool, Error> {
        match self {
            Counter::Alone(a) => {
                let sink = &mut a.sink;
                a.shards.take_group(seq, |_, r, f| sink.write(r, f))?;
                Ok(true)
            }
            Counter::Workers(w) => Ok(w.end_packet(seq)),
        }
    }

    /// Flushes every flow and finishes the outputs (`last`: the number of
    /// the last packet read, if any).
    fn finish(self, last: Option<u64>) -> Result<Written, Error> {
        match self {
            Counter::Alone(mut a) => {
                let sink = &mut a.sink;
                a.shards.flush(|_, r, f| sink.write(r, f))?;
                let records = a.sink.records;
                Ok(Written {
                    records,
                    outputs: a.sink.finish()?,
                    stats: a.shards.stats(),
                })
            }
            Counter::Workers(w) => w.finish(last),
        }
    }
}

/// `--threads 1`: the shards and the outputs on the reading thread.
struct Alone {
    shards: ShardSet,
    sink: Sink,
}

/// Writes records (JSON lines, IPFIX) as they come, in order.
struct Sink {
    out: RecordWriter,
    encoder: RecordEncoder,
    line: Vec<u8>,
    records: u64,
    /// Set by SIGHUP: reopen the outputs before the next record.
    reopen: Arc<AtomicBool>,
}

impl Sink {
    fn new(out: RecordWriter, encoder: RecordEncoder, reopen: Arc<AtomicBool>) -> Self {
        Sink {
            out,
            encoder,
            line: Vec::with_capacity(1 << 12),
            records: 0,
            reopen,
        }
    }

    /// Encodes and writes one record.
    fn write(&mut self, r: FlowRecord, f: FlowFeatures) -> Result<(), Error> {
        if self.reopen.swap(false, Ordering::AcqRel) {
            self.out.reopen().map_err(output_error)?;
            eprintln!("sluice: SIGHUP: output files reopened");
        }
        self.line.clear();
        let extras = self.encoder.encode_into(r, f, &mut self.line);
        self.out.write(&self.line, &extras).map_err(output_error)?;
        self.records += 1;
        Ok(())
    }

    /// Flushes and finishes the outputs.
    fn finish(self) -> Result<WrittenOutputs, Error> {
        self.out.finish().map_err(output_error)
    }
}

fn output_error(e: std::io::Error) -> Error {
    Error::Other(format!("writing flows failed: {e}"))
}
