//! `sluice capture`.
use std::{path::PathBuf, time::Duration};

use clap::Args;

use super::files::RunFiles;
use super::StatsFile;
use crate::{
    bpf::capture::AttachMode,
    capture::afxdp::XskConfig,
    engine::{run_capture, worker::PanicOnQueue, CaptureOptions, Queues, StatsFormat},
    error::Error,
    flow::FlowTableConfig,
    policy::PolicyConfig,
};

/// Options of `sluice capture`.
#[derive(Args, Debug)]
pub struct CaptureArgs {
    /// Interface to capture from.
    #[arg(short, long)]
    pub interface: String,
    /// Number of rx queues to capture (queues 0..N), or `all`.
    #[arg(short, long, default_value = "all")]
    pub queues: String,
    /// Where to write flow records (JSON lines); `-` is stdout. Default:
    /// stdout, unless IPFIX, Kafka or ZMQ is asked for (then no JSON file
    /// unless given).
    #[arg(short, long)]
    pub output: Option<String>,
    /// Stop after this many seconds (default: run until SIGINT/SIGTERM).
    #[arg(short, long)]
    pub duration: Option<f64>,
    /// Export a flow after this many seconds without packets (PF_RING FT's default: 30).
    #[arg(long, default_value_t = 30)]
    pub idle_timeout: u64,
    /// Export a flow after this many seconds of life, however active (PF_RING FT's: 120).
    #[arg(long, default_value_t = 120)]
    pub lifetime_timeout: u64,
    /// Maximum concurrent flows per queue; the most idle flow is exported when full.
    #[arg(long, default_value_t = 262_144)]
    pub max_flows: usize,
    /// XDP attach mode: `native` (driver) or `skb` (generic, for drivers without XDP).
    #[arg(long, default_value = "native")]
    pub xdp_mode: String,
    /// Pin the workers (one CPU each, in turn) and the writer to these CPUs,
    /// e.g. `2-5` or `1,3`: keep them off the CPUs serving the NIC's
    /// interrupts and NAPI. Default: wherever the scheduler puts them.
    #[arg(long, value_name = "LIST")]
    pub cpus: Option<String>,
    /// Back the big tables (each shard's flow slab and hash index) with
    /// transparent huge pages, and the AF_XDP UMEM with reserved
    /// huge pages (`vm.nr_hugepages`) where there are enough; without them, normal pages (said once).
    #[arg(long)]
    pub hugepages: bool,
    /// Entries of each AF_XDP rx and fill ring (power of two).
    #[arg(long, default_value_t = 4096)]
    pub ring_size: u32,
    /// Write every counter of the run as JSON to this file at exit.
    #[arg(long)]
    pub stats: Option<PathBuf>,
    /// While capturing, print the counters on stderr every this many
    /// seconds: a one-line summary (rate, flows, drops), or with
    /// `--stats-format json` every counter as one JSON line.
    #[arg(long, value_name = "SECS")]
    pub stats_interval: Option<f64>,
    /// What `--stats-interval` prints: `line` (a summary) or `json` (the
    /// `--stats` object, `sluice: stats: {...}`).
    #[arg(long, default_value = "line", value_name = "FORMAT")]
    pub stats_format: String,
    /// Serve every counter of the run as Prometheus/OpenMetrics text at
    /// `http://ADDR:PORT/metrics` while capturing.
    #[arg(long, value_name = "ADDR:PORT")]
    pub metrics: Option<String>,
    /// Only frames this tcpdump filter expression accepts make flows (the
    /// others are counted as `filtered`); compiled by libpcap for Ethernet,
    /// before anything is attached, and run by each worker.
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Flow rules.
    #[command(flatten)]
    pub rules: super::rules::RulesArgs,
    /// Keep final verdicts in userspace: do not install them in the XDP
    /// program's verdict map (every packet then reaches userspace).
    #[arg(long)]
    pub no_kernel_verdicts: bool,
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
    /// Test-only fault injection: the worker of this queue panics on its first
    /// frame (the run must then fail, naming the queue).
    #[arg(long, hide = true, value_name = "QUEUE")]
    pub test_panic_queue: Option<u32>,
    /// Benchmark only (`cargo xtask bench live`): the workers take frames from
    /// their rings and refill them, counting, and nothing else (no decoding,
    /// no flows, no records): the ceiling of this kernel path for the same
    /// program, sockets and rings.
    #[arg(long, hide = true)]
    pub bench_bare_loop: bool,
}

/// Runs `sluice capture`. Returns [`Error::Lost`] (exit status 3) when
/// records or packets were lost inside Sluice.
pub fn run(a: CaptureArgs) -> Result<(), Error> {
    let files = run_files(&a);
    files.check()?;
    if a.hugepages {
        super::hugepages_on();
    }
    let queues = match a.queues.as_str() {
        "all" => Queues::All,
        n => Queues::First(n.parse().map_err(|_| Error::BadOption {
            option: "--queues",
            value: n.into(),
            why: "expected a number of queues or `all`".into(),
        })?),
    };
    let attach_mode = match a.xdp_mode.as_str() {
        "native" | "drv" => AttachMode::Native,
        "skb" | "generic" => AttachMode::Skb,
        m => {
            return Err(Error::BadOption {
                option: "--xdp-mode",
                value: m.into(),
                why: "expected `native` or `skb`".into(),
            })
        }
    };
    if !a.ring_size.is_power_of_two() {
        return Err(Error::BadOption {
            option: "--ring-size",
            value: a.ring_size.to_string(),
            why: "must be a power of two".into(),
        });
    }
    let duration = match a.duration {
        Some(d) if d.is_finite() && d > 0.0 => Some(Duration::from_secs_f64(d)),
        Some(d) => {
            return Err(Error::BadOption {
                option: "--duration",
                value: d.to_string(),
                why: "must be a positive number of seconds".into(),
            })
        }
        None => None,
    };
    let stats_interval = match a.stats_interval {
        Some(s) if s.is_finite() && s >= 0.1 => Some(Duration::from_secs_f64(s)),
        Some(s) => {
            return Err(Error::BadOption {
                option: "--stats-interval",
                value: s.to_string(),
                why: "must be at least 0.1 seconds".into(),
            })
        }
        None => None,
    };
    let stats_format = match a.stats_format.as_str() {
        "line" => StatsFormat::Line,
        "json" => StatsFormat::Json,
        f => {
            return Err(Error::BadOption {
                option: "--stats-format",
                value: f.into(),
                why: "expected `line` or `json`".into(),
            })
        }
    };
    let filter = a
        .filter
        .as_deref()
        .map(|e| crate::filter::Filter::new(e, &[crate::decode::LinkType::Ethernet]))
        .transpose()?;
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
        ..FlowTableConfig::default()
    };
    let policy = PolicyConfig {
        l7: a.l7.config(),
        rules: a.rules.load()?,
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
        a.interface.clone(),
        (a.idle_timeout, a.lifetime_timeout),
    )?;
    let report = run_capture(CaptureOptions {
        interface: a.interface,
        queues,
        duration,
        attach_mode,
        xsk: XskConfig {
            ring_size: a.ring_size,
            frame_count: a.ring_size * 2,
            hugepages: a.hugepages,
            ..XskConfig::default()
        },
        table,
        policy,
        export_queue: 65_536,
        handoff_queue: 16_384,
        features,
        anon,
        output,
        ipfix,
        kafka,
        zmq,
        filter,
        kernel_verdicts: !a.no_kernel_verdicts,
        privileges,
        panic_on: a.test_panic_queue.map(PanicOnQueue),
        bare_loop: a.bench_bare_loop,
        cpus: match a.cpus.as_deref() {
            Some(list) => {
                crate::engine::cpus::parse_cpu_list(list).map_err(|why| Error::BadOption {
                    option: "--cpus",
                    value: list.into(),
                    why,
                })?
            }
            None => Vec::new(),
        },
        stats_interval,
        stats_format,
        metrics,
    });
    let report = super::discard_stats_on_error(report, &mut stats)?;
    eprintln!("{report}");
    if let Some(s) = stats {
        s.write(&report.to_json())?;
    }
    match report.losses() {
        None => Ok(()),
        Some(why) => Err(Error::Lost(why)),
    }
}

/// The files `sluice capture` reads and writes.
fn run_files(a: &CaptureArgs) -> RunFiles {
    let mut files = RunFiles::default();
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
