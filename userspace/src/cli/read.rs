//! `sluice read`.
use std::{path::PathBuf, time::Duration};

use clap::Args;

use super::files::RunFiles;
use super::StatsFile;
use crate::{
    engine::offline::{run_read, ReadOptions},
    error::Error,
    flow::FlowTableConfig,
    policy::PolicyConfig,
};

/// Options of `sluice read`.
#[derive(Args, Debug)]
pub struct ReadArgs {
    /// Capture files (pcap or pcapng), read in order as one capture.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write flow records (JSON lines); `-` is stdout. Default:
    /// stdout, unless IPFIX, Kafka or ZMQ is asked for (then no JSON file
    /// unless given).
    #[arg(short, long)]
    pub output: Option<String>,
    /// Only frames this tcpdump filter expression accepts make flows (the
    /// others are counted as `filtered`); compiled by libpcap for each
    /// input's link type.
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Flow rules.
    #[command(flatten)]
    pub rules: super::rules::RulesArgs,
    /// Decode tunnels (GRE, VXLAN, Geneve, GTP-U, IP-in-IP, Teredo, L2TP) and key
    /// flows by the inner headers.
    #[arg(long)]
    pub decode_tunnels: bool,
    /// Leave VLAN ids out of the flow key.
    #[arg(long)]
    pub ignore_vlan: bool,
    /// Export a flow after this many seconds without packets.
    #[arg(long, default_value_t = 30)]
    pub idle_timeout: u64,
    /// Export a flow after this many seconds of life, however active.
    #[arg(long, default_value_t = 120)]
    pub lifetime_timeout: u64,
    /// Also export each flow's counts every this many seconds (slices).
    #[arg(long)]
    pub slice_timeout: Option<u64>,
    /// Maximum concurrent flows; the most idle flow is exported (`o`) when full.
    #[arg(long, default_value_t = 262_144)]
    pub max_flows: usize,
    /// Threads counting flows (default: one per core; 1: everything on one
    /// thread). The output is the same bytes whatever the number.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Back the big tables (each shard's flow slab and hash index) with
    /// transparent huge pages; without them, normal pages (said once).
    #[arg(long)]
    pub hugepages: bool,
    /// Do not show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Write every counter of the run as JSON to this file at exit.
    #[arg(long)]
    pub stats: Option<PathBuf>,
    /// Serve the packets read so far, per file, as Prometheus/OpenMetrics
    /// text at `http://ADDR:PORT/metrics` while reading (for long reads, or
    /// reads from a pipe).
    #[arg(long, value_name = "ADDR:PORT")]
    pub metrics: Option<String>,
    /// Joy features.
    #[command(flatten)]
    pub features: super::features::FeatureArgs,
    /// IPFIX export.
    #[command(flatten)]
    pub ipfix: super::ipfix::IpfixArgs,
    /// Kafka and ZMQ (ntopng) export.
    #[command(flatten)]
    pub streams: super::streams::StreamArgs,
    /// L7 protocol detection.
    #[command(flatten)]
    pub l7: super::l7::L7Args,
    /// Privileges.
    #[command(flatten)]
    pub privileges: super::privileges::PrivilegeArgs,
}

/// Runs `sluice read`. Returns an error (exit status 1) if any file could not
/// be read to its end, after every flow was written; [`Error::Lost`] if an
/// IPFIX collector lost records.
pub fn run(a: ReadArgs) -> Result<(), Error> {
    let files = run_files(&a);
    files.check()?;
    if a.hugepages {
        super::hugepages_on();
    }
    let rules = a.rules.load()?;
    let filter = a
        .filter
        .as_deref()
        .map(crate::filter::Filter::for_any_link)
        .transpose()?;
    if a.slice_timeout == Some(0) {
        return Err(Error::BadOption {
            option: "--slice-timeout",
            value: "0".into(),
            why: "must be at least 1 second".into(),
        });
    }
    let threads = match a.threads {
        Some(0) => {
            return Err(Error::BadOption {
                option: "--threads",
                value: "0".into(),
                why: "must be at least 1".into(),
            })
        }
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let features = a.features.config()?;
    let anon = a.features.anonymizer()?;
    let ipfix = a.ipfix.options()?;
    let output = a.features.records_for(
        a.output.as_deref(),
        ipfix.is_some() || a.streams.kafka.is_some() || a.streams.zmq.is_some(),
    )?;
    let table = FlowTableConfig {
        max_flows: a.max_flows.max(1),
        idle_timeout: Duration::from_secs(a.idle_timeout),
        active_timeout: Duration::from_secs(a.lifetime_timeout),
        slice_timeout: a.slice_timeout.map(Duration::from_secs),
        ignore_vlan: a.ignore_vlan,
        decode_tunnels: a.decode_tunnels,
        ..FlowTableConfig::default()
    };
    let policy = PolicyConfig {
        l7: a.l7.config(),
        rules,
    };
    let mut stats = a.stats.as_deref().map(StatsFile::create).transpose()?;
    let privileges = a.privileges.plan(&files)?;
    let hook = privileges.thread_start_hook();
    let metrics = a
        .metrics
        .as_deref()
        .map(|m| super::start_metrics(m, hook))
        .transpose()?;
    let (kafka, zmq) = a.streams.open(
        hook,
        a.files
            .first()
            .map(|f| f.display().to_string())
            .unwrap_or_default(),
        (a.idle_timeout, a.lifetime_timeout),
    )?;
    let report = run_read(ReadOptions {
        files: a.files,
        table,
        policy,
        features,
        anon,
        output,
        ipfix,
        kafka,
        zmq,
        progress: !a.no_progress,
        metrics,
        privileges,
        filter,
        threads,
    });
    let report = super::discard_stats_on_error(report, &mut stats)?;
    eprintln!("{report}");
    if let Some(s) = stats {
        s.write(&report.to_json())?;
    }
    if report.had_errors() {
        return Err(Error::Other(
            "some input could not be read (see above); every flow read before was written".into(),
        ));
    }
    match report.losses() {
        None => Ok(()),
        Some(why) => Err(Error::Lost(why)),
    }
}

/// The files `sluice read` reads and writes.
fn run_files(a: &ReadArgs) -> RunFiles {
    let mut files = RunFiles::default();
    for f in &a.files {
        files.input("FILE", f);
    }
    super::note_files(
        &mut files,
        &a.rules,
        &a.features,
        a.output.as_deref(),
        &a.ipfix,
        a.stats.as_deref(),
    );
    files
}
