//! Offline reading: capture files through the same decode → flow table → JSON
//! path as live capture, with packet timestamps as the clock.
//!
//! Files are read in the order given, as one continuous capture into one flow
//! table. Housekeeping runs whenever packet time passes the next whole second,
//! so flows expire within 1 s (of packet time) of when they are due. Records
//! are written in the order flows end; the records of one expiry pass are
//! sorted by the time of their last packet. A file that cannot be read, or
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
use crate::engine::pipeline::{Pipeline, Seat};
use crate::engine::progress::Progress;
pub use crate::engine::read_report::{FileReport, ReadReport};
use crate::error::Error;
use crate::export::encoder::RecordEncoder;
use crate::export::ipfix::IpfixOptions;
use crate::export::output::RecordOutput;
use crate::export::record_writer::{RecordWriter, WrittenOutputs};
use crate::features::{FeatureConfig, FlowFeatures, ReadyHooks};
use crate::flow::{FlowRecord, FlowTableConfig, KeyHasher, Timestamp};
use crate::policy::{FlowTable, PolicyConfig};
use crate::privileges::PrivilegePlan;

/// Flows exported and written per step of the final flush.
const FLUSH_CHUNK: usize = 4096;

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
    /// Show a progress bar for big files (when stderr is a terminal).
    pub progress: bool,
    /// What to do with privileges once every input and output is open.
    pub privileges: PrivilegePlan,
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
        progress,
        privileges,
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
    let mut pipeline = Pipeline::new(
        table,
        policy,
        Arc::clone(&features),
        ReadyHooks::default(),
        KeyHasher::default(),
        Seat::ALONE,
    );
    let ipfix = ipfix.map(|o| o.with_thread_start(privileges.thread_start_hook()));
    let json = output.is_some();
    let writer = RecordWriter::open(output, ipfix.as_ref(), Arc::clone(&features))
        .map_err(|e| Error::Other(format!("ipfix: {e}")))?;
    let encoder = RecordEncoder::new(Arc::clone(&features), anon, json, writer.ipfix_encoder());
    privileges.apply()?;
    let mut sink = Sink::new(writer, encoder, reopen);
    let mut report = ReadReport::default();
    let mut next_housekeeping = Timestamp(0);
    for (path, opened) in inputs {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let file = read_file(
            path,
            opened,
            &mut pipeline,
            &mut sink,
            &mut next_housekeeping,
            &stop,
            progress,
        )?;
        if let Some(e) = &file.error {
            eprintln!("sluice: {e}");
        }
        for (link, n) in &file.unsupported_links {
            eprintln!(
                "sluice: {}: {n} frame(s) of link type {link} skipped: Sluice cannot decode that link type",
                file.name
            );
        }
        report.files.push(file);
    }
    report.interrupted = stop.load(Ordering::Relaxed);
    // A chunk at a time: a full table's records are never all held at once.
    let table = pipeline.table_mut();
    while !table.flush_in_end_order(FLUSH_CHUNK) {
        sink.write(table)?;
    }
    sink.write(table)?;
    report.records = sink.records;
    let written = sink.finish()?;
    report.outputs = written.files;
    report.ipfix = written.ipfix;
    report.table = table.stats();
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

/// Reads one file (opened at the start of the run) into the table.
fn read_file(
    path: &Path,
    opened: Result<std::fs::File, ReadError>,
    pipeline: &mut Pipeline,
    sink: &mut Sink,
    next_housekeeping: &mut Timestamp,
    stop: &AtomicBool,
    progress: bool,
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
    let mut bar = progress
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
                pipeline.on_frame(link, pkt.data, pkt.wire_len, ts);
            }
            None => {
                *rep.unsupported_links.entry(pkt.linktype).or_default() += 1;
            }
        }
        let table = pipeline.table_mut();
        if ts >= *next_housekeeping {
            table.housekeeping(ts);
            *next_housekeeping = ts + Duration::from_secs(1);
        }
        sink.write(table)?;
        if rep.packets.is_multiple_of(4096) {
            if stop.load(Ordering::Relaxed) {
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

/// Writes exported records (JSON lines, IPFIX), one expiry pass at a time.
struct Sink {
    out: RecordWriter,
    encoder: RecordEncoder,
    batch: Vec<(FlowRecord, FlowFeatures)>,
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
            batch: Vec::with_capacity(1024),
            line: Vec::with_capacity(1 << 12),
            records: 0,
            reopen,
        }
    }

    /// Writes what the table exported since the last call, sorted by end time.
    fn write(&mut self, table: &mut FlowTable<FlowFeatures>) -> Result<(), Error> {
        self.batch.extend(table.drain_exported_with_user());
        if self.batch.is_empty() {
            return Ok(());
        }
        if self.reopen.swap(false, Ordering::AcqRel) {
            self.out.reopen().map_err(output_error)?;
            eprintln!("sluice: SIGHUP: output files reopened");
        }
        self.batch.sort_by_key(|(r, _)| r.time_end);
        for (r, f) in self.batch.drain(..) {
            self.line.clear();
            let ipfix = self.encoder.encode_into(r, f, &mut self.line);
            self.out
                .write(&self.line, ipfix.as_ref())
                .map_err(output_error)?;
            self.records += 1;
        }
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
