//! `cargo xtask bench offline`: `sluice read` side by side with softflowd, argus and
//! nfstream on three captures, each tool a child process timed whole.
//!
//! The inputs (written once and cached in `target/bench-offline/`):
//! - **big**: the shared corpus's Ethernet captures replayed with shifted addresses
//!   ([`crate::mixed`]), as many rounds as make about `--big-packets` (3 M) packets;
//! - **small**: 1 M 64-byte Ethernet / IPv4 / UDP frames over 100 k concurrent flows
//!   (packet n belongs to flow n mod 100 k, 1 µs apart; criterion's `read` bench's
//!   capture);
//! - **flood**: 3 M packets, each a new UDP flow ([`crate::memory::write_flood`]).
//!
//! The tools, at their defaults but for what makes them comparable:
//! - `sluice read INPUT -o /dev/null [--features all] [--threads 1]`;
//! - `softflowd -r INPUT -v 9 -m 262144 -n 127.0.0.1:PORT` (NetFlow v9, a 5-tuple table
//!   as large as Sluice's default), exporting to a socket this process holds and never
//!   reads;
//! - `argus -X -r INPUT -w FILE` (5-tuple bidirectional flows, the records to a file);
//! - nfstream's `NFStreamer(source=INPUT, statistical_analysis=True, splt_analysis=10)`
//!   with every flow iterated in Python (big only: it is slow).
//!
//! Every run is checked: exit status 0 and output that accounts for the input's packets
//! (Sluice's and softflowd's summaries, argus's records counted with `racount`,
//! nfstream's flows summed), so a misconfigured peer cannot report a fast rate. Runs
//! alternate between the tools (A B C A B C ...); the table shows medians, and
//! `target/bench-offline.json` the same figures.
use std::{
    fs::File,
    io::{BufReader, BufWriter, Read, Write},
    net::{Ipv4Addr, UdpSocket},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};

use crate::{
    frame::{udp_frame, UdpTemplate, MIN_FRAME},
    memory, mixed,
    pcap_write::{write_header, write_record},
};

/// Options of the offline benchmark.
#[derive(clap::Args, Debug)]
pub struct OfflineArgs {
    /// The `sluice` binary measured.
    #[arg(long)]
    pub sluice: PathBuf,
    /// Runs of each tool per input (the table shows medians).
    #[arg(long, default_value_t = 3)]
    pub runs: u32,
    /// The inputs measured, in order.
    #[arg(long, value_delimiter = ',', default_value = "big,small,flood")]
    pub inputs: Vec<InputKind>,
    /// Leave nfstream out (it takes minutes on big).
    #[arg(long)]
    pub skip_nfstream: bool,
    /// The shared corpus (default: `$SLUICE_CORPUS`, else `shared/corpus` beside the
    /// workspace or one of its ancestors, else `/work/shared/corpus`).
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// About how many packets big has (whole rounds of the corpus, rounded up).
    #[arg(long, default_value_t = 3_000_000)]
    pub big_packets: u64,
    /// Where the inputs are cached (default: `target/bench-offline` in the workspace).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// The results as JSON (default: `target/bench-offline.json` in the workspace).
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// The Python with nfstream (default: `target/venv-nfstream/bin/python` in the
    /// workspace, where `cargo xtask setup` installs it).
    #[arg(long)]
    pub python: Option<PathBuf>,
}

/// One of the three captures.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// About 3 M real packets: the corpus replayed with shifted addresses.
    Big,
    /// 1 M 64-byte UDP frames over 100 k concurrent flows.
    Small,
    /// 3 M one-packet UDP flows.
    Flood,
}

impl InputKind {
    /// The input's name in the table and the JSON.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Big => "big",
            InputKind::Small => "small",
            InputKind::Flood => "flood",
        }
    }
}

/// A capture ready to be read.
#[derive(Clone, Debug)]
pub struct Input {
    /// Which one.
    pub kind: InputKind,
    /// Its pcap file.
    pub path: PathBuf,
    /// Its packets (records).
    pub packets: u64,
}

/// A tool (or a configuration of Sluice) measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// `sluice read`, no features.
    Sluice,
    /// `sluice read --features all`.
    SluiceFeatures,
    /// `sluice read --threads 1`.
    Sluice1t,
    /// `sluice read --threads 1 --features all`.
    Sluice1tFeatures,
    /// softflowd, NetFlow v9 export.
    Softflowd,
    /// argus, records to a file.
    Argus,
    /// nfstream with statistics and SPLT (10 packets).
    Nfstream,
}

impl Tool {
    /// The tool's key in the JSON (`KEY_mpps`, `KEY_rss_mb`).
    pub fn key(self) -> &'static str {
        match self {
            Tool::Sluice => "sluice",
            Tool::SluiceFeatures => "sluice_features",
            Tool::Sluice1t => "sluice_1t",
            Tool::Sluice1tFeatures => "sluice_1t_features",
            Tool::Softflowd => "softflowd",
            Tool::Argus => "argus",
            Tool::Nfstream => "nfstream",
        }
    }

    /// The tool's row label in the table.
    pub fn label(self) -> &'static str {
        match self {
            Tool::Sluice => "sluice",
            Tool::SluiceFeatures => "sluice --features all",
            Tool::Sluice1t => "sluice --threads 1",
            Tool::Sluice1tFeatures => "sluice --threads 1 --features all",
            Tool::Softflowd => "softflowd (NetFlow v9)",
            Tool::Argus => "argus",
            Tool::Nfstream => "nfstream (stats + SPLT 10)",
        }
    }

    /// Whether this is a run of Sluice.
    fn is_sluice(self) -> bool {
        matches!(
            self,
            Tool::Sluice | Tool::SluiceFeatures | Tool::Sluice1t | Tool::Sluice1tFeatures
        )
    }
}

/// The ratios printed and saved: (numerator, denominator); those whose tools did not
/// run on an input are left out.
const RATIOS: &[(Tool, Tool)] = &[
    (Tool::Sluice, Tool::Softflowd),
    (Tool::SluiceFeatures, Tool::Softflowd),
    (Tool::Sluice, Tool::Argus),
    (Tool::SluiceFeatures, Tool::Argus),
    (Tool::SluiceFeatures, Tool::Nfstream),
    (Tool::Sluice1t, Tool::Softflowd),
    (Tool::Sluice1tFeatures, Tool::Nfstream),
];

/// softflowd's flow table, as large as `sluice read`'s default `--max-flows`.
const SOFTFLOWD_MAX_FLOWS: &str = "262144";

/// Iterates every flow nfstream makes of `sys.argv[1]` and prints `FLOWS PACKETS`.
const NFSTREAM_SCRIPT: &str = "\
import sys
from nfstream import NFStreamer
flows = packets = 0
for f in NFStreamer(source=sys.argv[1], statistical_analysis=True, splt_analysis=10):
    flows += 1
    packets += f.bidirectional_packets
print(flows, packets)
";

/// One run of a tool.
#[derive(Clone, Copy, Debug)]
pub struct Measure {
    /// From spawn to reap.
    pub wall: Duration,
    /// User + system CPU time of the process and its reaped children.
    pub cpu: Duration,
    /// Peak resident set size (wait4's `ru_maxrss`: the largest single process), KiB.
    pub peak_rss_kib: u64,
}

impl Measure {
    /// Peak RSS in MB (10^6 bytes).
    pub fn rss_mb(&self) -> f64 {
        self.peak_rss_kib as f64 * 1024.0 / 1e6
    }

    /// Millions of packets per second of wall time for an input of `packets`.
    pub fn mpps(&self, packets: u64) -> f64 {
        packets as f64 / self.wall.as_secs_f64().max(1e-9) / 1e6
    }
}

/// What every run needs besides the tool and the input.
struct Setup {
    sluice: PathBuf,
    python: PathBuf,
    dir: PathBuf,
    /// softflowd's collector: a socket held open and never read.
    netflow_port: u16,
}

/// Runs the benchmark: builds the inputs, measures, prints the tables, writes the JSON.
pub fn run(a: OfflineArgs) -> Result<()> {
    let dir = a
        .dir
        .clone()
        .unwrap_or_else(|| workspace().join("target/bench-offline"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let collector = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).context("binding a UDP socket")?;
    let ctx = Setup {
        sluice: a.sluice.clone(),
        python: a
            .python
            .clone()
            .unwrap_or_else(|| workspace().join("target/venv-nfstream/bin/python")),
        dir: dir.clone(),
        netflow_port: collector.local_addr()?.port(),
    };
    let threads = sluice_has_threads(&ctx.sluice)?;
    check_peers(&ctx, !a.skip_nfstream && a.inputs.contains(&InputKind::Big))?;
    let mut results = Map::new();
    for &kind in &a.inputs {
        let input = ensure_input(kind, &dir, &a)?;
        let tools = tools_for(kind, threads, a.skip_nfstream);
        let measured = measure_input(&ctx, &input, &tools, a.runs.max(1))?;
        let tools: Vec<Tool> = measured.tools.iter().map(|&(t, _)| t).collect();
        let medians: Vec<Measure> = measured.tools.iter().map(|(_, m)| *m).collect();
        print_table(&input, &tools, &medians);
        for (tool, why) in &measured.failed {
            println!("  {}: left out: {why}", tool.label());
        }
        let mut j = input_json(&input, &tools, &medians);
        j["failed"] = measured
            .failed
            .iter()
            .map(|(t, why)| (t.key().to_string(), Value::String(why.clone())))
            .collect::<Map<String, Value>>()
            .into();
        results.insert(kind.name().into(), j);
    }
    drop(collector);
    let json_path = a
        .json
        .clone()
        .unwrap_or_else(|| workspace().join("target/bench-offline.json"));
    let doc = json!({ "runs": a.runs.max(1), "sluice": a.sluice.display().to_string(), "inputs": results });
    std::fs::write(&json_path, serde_json::to_string_pretty(&doc)? + "\n")
        .with_context(|| format!("writing {}", json_path.display()))?;
    println!("\nresults: {}", json_path.display());
    Ok(())
}

/// The workspace root (the parent of bench/), as built.
pub(crate) fn workspace() -> PathBuf {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    bench.parent().unwrap_or(bench).to_path_buf()
}

/// The tools run on `kind`, in the order they alternate.
pub fn tools_for(kind: InputKind, threads: bool, skip_nfstream: bool) -> Vec<Tool> {
    let mut tools = vec![Tool::Sluice, Tool::SluiceFeatures];
    if threads {
        tools.extend([Tool::Sluice1t, Tool::Sluice1tFeatures]);
    }
    tools.extend([Tool::Softflowd, Tool::Argus]);
    if kind == InputKind::Big && !skip_nfstream {
        tools.push(Tool::Nfstream);
    }
    tools
}

/// Whether `sluice read --help` lists `--threads`.
fn sluice_has_threads(sluice: &Path) -> Result<bool> {
    let out = Command::new(sluice)
        .args(["read", "--help"])
        .output()
        .with_context(|| format!("running {} read --help", sluice.display()))?;
    Ok(String::from_utf8_lossy(&out.stdout).contains("--threads"))
}

/// Fails early, with the fix, when a peer is not installed.
fn check_peers(ctx: &Setup, nfstream: bool) -> Result<()> {
    for bin in ["softflowd", "argus", "racount"] {
        if which(bin).is_none() {
            bail!("`{bin}` is not installed: run `cargo xtask setup` (it installs softflowd, argus-server and argus-client)");
        }
    }
    if nfstream {
        let ok = Command::new(&ctx.python)
            .args(["-c", "import nfstream"])
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            bail!(
                "nfstream is not importable by {}: run `cargo xtask setup`, pass --python, or --skip-nfstream",
                ctx.python.display()
            );
        }
    }
    Ok(())
}

/// `name`'s path on `PATH` (and the sbin directories, where Debian puts the peers).
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    let found = path
        .split(':')
        .chain(["/usr/sbin", "/sbin", "/usr/bin"])
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file());
    found
}

/// The cached capture of `kind` in `dir`, written first if missing.
pub fn ensure_input(kind: InputKind, dir: &Path, a: &OfflineArgs) -> Result<Input> {
    let path = match kind {
        InputKind::Big => {
            let path = dir.join(format!("big-{}.pcap", a.big_packets));
            if !path.exists() {
                let corpus = match &a.corpus {
                    Some(c) => c.clone(),
                    None => find_corpus()?,
                };
                write_cached(&path, |p| write_big(&corpus, a.big_packets, p))?;
            }
            path
        }
        InputKind::Small => {
            let path = dir.join(format!("small-{SMALL_PACKETS}-{SMALL_FLOWS}.pcap"));
            if !path.exists() {
                write_cached(&path, write_small)?;
            }
            path
        }
        InputKind::Flood => memory::ensure_flood(dir, FLOOD_FLOWS)?,
    };
    let packets = count_records(&path)?;
    Ok(Input {
        kind,
        path,
        packets,
    })
}

/// Writes `path` through `write` to a partial file renamed when complete, so an
/// interrupted write is not taken for the input.
fn write_cached(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    eprintln!("offline: writing {} ...", path.display());
    let partial = path.with_extension("pcap.partial");
    write(&partial).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("renaming to {}", path.display()))
}

/// The shared corpus: `$SLUICE_CORPUS`, else `shared/corpus` beside the workspace or
/// one of its ancestors, else `/work/shared/corpus`.
fn find_corpus() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("SLUICE_CORPUS") {
        return Ok(PathBuf::from(p));
    }
    let root = workspace();
    root.ancestors()
        .map(|a| a.join("shared/corpus"))
        .chain(std::iter::once(PathBuf::from("/work/shared/corpus")))
        .find(|c| c.join("MANIFEST.tsv").exists())
        .context("the shared corpus (shared/corpus/MANIFEST.tsv) was not found; pass --corpus or set SLUICE_CORPUS")
}

/// Writes big: whole rounds of the corpus, as many as reach `target` packets.
fn write_big(corpus: &Path, target: u64, out: &Path) -> Result<()> {
    let one = mixed::build(corpus, 1, Path::new("/dev/null"))?.packets;
    if one == 0 {
        bail!("the corpus at {} has no Ethernet packets", corpus.display());
    }
    let rounds = u8::try_from(target.div_ceil(one)).unwrap_or(u8::MAX).max(1);
    let m = mixed::build(corpus, rounds, out)?;
    eprintln!(
        "offline: big is {rounds} rounds of the corpus: {} packets",
        m.packets
    );
    Ok(())
}

/// Packets in small.
pub const SMALL_PACKETS: u64 = 1_000_000;
/// Concurrent flows in small.
pub const SMALL_FLOWS: u64 = 100_000;
/// Flows (= packets) in the flood.
pub const FLOOD_FLOWS: u32 = 3_000_000;

/// The frame of small's flow `i`: 10.0.0.0/8 + `i` / 256 port 1024 + `i` mod 256 to
/// 10.200.0.1 port 53, 60 bytes (64 on the wire), as criterion's `read` bench.
fn small_frame(i: u64) -> Vec<u8> {
    let t = UdpTemplate {
        dst_mac: [2, 0, 0, 0, 0, 2],
        src_mac: [2, 0, 0, 0, 0, 1],
        src: Ipv4Addr::from(0x0a00_0000 | (i >> 8) as u32),
        dst: Ipv4Addr::new(10, 200, 0, 1),
        sport: 1024 + (i & 0xff) as u16,
        dport: 53,
    };
    udp_frame(&t, MIN_FRAME)
}

/// Writes small: packet `n` is flow `n` mod [`SMALL_FLOWS`]'s, 1 µs after packet `n - 1`.
fn write_small(path: &Path) -> Result<()> {
    let frames: Vec<Vec<u8>> = (0..SMALL_FLOWS).map(small_frame).collect();
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    write_header(&mut w, 1)?;
    for n in 0..SMALL_PACKETS {
        let f = &frames[(n % SMALL_FLOWS) as usize];
        write_record(&mut w, 1_700_000_000_000_000_000 + n * 1_000, f)?;
    }
    w.flush()?;
    Ok(())
}

/// The records of classic pcap file `path` (walking the record headers).
pub fn count_records(path: &Path) -> Result<u64> {
    let f = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut r = BufReader::with_capacity(1 << 20, f);
    let mut global = [0u8; 24];
    r.read_exact(&mut global)
        .with_context(|| format!("reading the header of {}", path.display()))?;
    let le = match u32::from_le_bytes(global[..4].try_into()?) {
        0xa1b2_c3d4 | 0xa1b2_3c4d => true,
        0xd4c3_b2a1 | 0x4d3c_b2a1 => false,
        m => bail!("{} is not a classic pcap (magic {m:#x})", path.display()),
    };
    let mut n = 0u64;
    let mut hdr = [0u8; 16];
    loop {
        match r.read_exact(&mut hdr) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(n),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        }
        let b: [u8; 4] = hdr[8..12].try_into()?;
        let len = if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        };
        r.seek_relative(i64::from(len))?;
        n += 1;
    }
}

/// One input's measurements: the median of each tool that processed the input
/// every time, and the peers that did not (with why).
struct Measured {
    tools: Vec<(Tool, Measure)>,
    failed: Vec<(Tool, String)>,
}

/// Measures every tool on `input` `runs` times, alternating; the medians per tool.
/// A peer that does not process the whole input is left out from then on, and
/// said so (its rate would be of less work); Sluice failing is an error.
fn measure_input(ctx: &Setup, input: &Input, tools: &[Tool], runs: u32) -> Result<Measured> {
    println!(
        "\noffline, {}: {} packets ({}), {runs} run(s) of each tool",
        input.kind.name(),
        input.packets,
        input.path.display()
    );
    let mut all = vec![Vec::new(); tools.len()];
    let mut failed: Vec<(Tool, String)> = Vec::new();
    for run in 1..=runs {
        for (t, &tool) in tools.iter().enumerate() {
            if failed.iter().any(|(f, _)| *f == tool) {
                continue;
            }
            let (m, note) = match run_checked(ctx, tool, input) {
                Ok(r) => r,
                Err(e) if !tool.is_sluice() => {
                    println!("  run {run}: {:<34} failed: {e:#}", tool.label());
                    failed.push((tool, format!("{e:#}")));
                    continue;
                }
                Err(e) => return Err(e),
            };
            println!(
                "  run {run}: {:<34} {:>8.2} s wall {:>8.2} s CPU {:>8.1} MB  {:>7.3} Mpps  ({note})",
                tool.label(),
                m.wall.as_secs_f64(),
                m.cpu.as_secs_f64(),
                m.rss_mb(),
                m.mpps(input.packets)
            );
            all[t].push(m);
        }
    }
    let tools = tools
        .iter()
        .zip(&all)
        .filter(|(t, _)| !failed.iter().any(|(f, _)| f == *t))
        .map(|(&t, runs)| (t, median(runs)))
        .collect();
    Ok(Measured { tools, failed })
}

/// The files a run's stdout and stderr go to.
pub(crate) struct Outputs {
    pub(crate) stdout: PathBuf,
    pub(crate) stderr: PathBuf,
}

/// Runs `tool` on `input` once and checks that it processed the input; the measure
/// and a note on what it reported.
fn run_checked(ctx: &Setup, tool: Tool, input: &Input) -> Result<(Measure, String)> {
    let out = Outputs {
        stdout: ctx.dir.join("run.stdout"),
        stderr: ctx.dir.join("run.stderr"),
    };
    let argus_out = ctx.dir.join("argus.out");
    // argus appends to its output file.
    let _ = std::fs::remove_file(&argus_out);
    let mut cmd = command(ctx, tool, input, &argus_out);
    let shown = format!("{cmd:?}");
    let (m, status) = measure(&mut cmd, &out).with_context(|| format!("running {shown}"))?;
    let stdout = std::fs::read_to_string(&out.stdout).unwrap_or_default();
    let stderr = std::fs::read_to_string(&out.stderr).unwrap_or_default();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        bail!(
            "{shown} failed (wait status {status:#x}):\n{}\n{}",
            stdout.trim_end(),
            stderr.trim_end()
        );
    }
    let note = check(tool, input, &stdout, &stderr, &argus_out)
        .with_context(|| format!("{shown} did not process the input"))?;
    let _ = std::fs::remove_file(&argus_out);
    Ok((m, note))
}

/// The command line of `tool` on `input`.
fn command(ctx: &Setup, tool: Tool, input: &Input, argus_out: &Path) -> Command {
    let mut c;
    if tool.is_sluice() {
        c = Command::new(&ctx.sluice);
        c.args(["read", "--no-progress"])
            .arg(&input.path)
            .args(["-o", "/dev/null"]);
        if matches!(tool, Tool::SluiceFeatures | Tool::Sluice1tFeatures) {
            c.args(["--features", "all"]);
        }
        if matches!(tool, Tool::Sluice1t | Tool::Sluice1tFeatures) {
            c.args(["--threads", "1"]);
        }
        return c;
    }
    match tool {
        Tool::Softflowd => {
            c = Command::new(which("softflowd").unwrap_or_else(|| "softflowd".into()));
            c.arg("-r")
                .arg(&input.path)
                .args(["-v", "9", "-m", SOFTFLOWD_MAX_FLOWS, "-n"])
                .arg(format!("127.0.0.1:{}", ctx.netflow_port));
        }
        Tool::Argus => {
            c = Command::new(which("argus").unwrap_or_else(|| "argus".into()));
            c.args(["-X", "-r"])
                .arg(&input.path)
                .arg("-w")
                .arg(argus_out);
        }
        _ => {
            c = Command::new(&ctx.python);
            c.args(["-c", NFSTREAM_SCRIPT]).arg(&input.path);
        }
    }
    c
}

/// Runs `cmd` to its end with its output in `out`: the measure and the wait status.
// The child is reaped with wait4, which also gives its resource usage.
#[allow(clippy::zombie_processes)]
pub(crate) fn measure(cmd: &mut Command, out: &Outputs) -> Result<(Measure, libc::c_int)> {
    let stdout = File::create(&out.stdout)?;
    let stderr = File::create(&out.stderr)?;
    let started = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()?;
    let (status, usage) = memory::wait4(child.id())?;
    let wall = started.elapsed();
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    Ok((
        Measure {
            wall,
            cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
            peak_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        },
        status,
    ))
}

/// Checks that a run that exited 0 accounted for the input; a note on what it said.
fn check(
    tool: Tool,
    input: &Input,
    stdout: &str,
    stderr: &str,
    argus_out: &Path,
) -> Result<String> {
    match tool {
        Tool::Softflowd => check_softflowd(input, stdout),
        Tool::Argus => check_argus(input, argus_out),
        Tool::Nfstream => check_nfstream(input, stdout),
        _ => check_sluice(input, stderr),
    }
}

/// The integer after `label` in `text` (commas allowed), if any.
pub(crate) fn number_after(text: &str, label: &str) -> Option<u64> {
    let rest = &text[text.find(label)? + label.len()..];
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Sluice's summary (`sluice read: 1 file(s), N packets, ...`) must count every packet.
fn check_sluice(input: &Input, stderr: &str) -> Result<String> {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("sluice read:"))
        .with_context(|| format!("no summary line in its stderr:\n{stderr}"))?;
    let packets =
        number_after(line, "file(s),").with_context(|| format!("no packet count in {line:?}"))?;
    if packets != input.packets {
        bail!("it read {packets} of {} packets: {line}", input.packets);
    }
    let flows = number_after(stderr, "flows:").unwrap_or(0);
    Ok(format!("{packets} packets, {flows} flows"))
}

/// softflowd's summary must account for every packet (processed, or ignored as non-IP:
/// the packets it finds too short are counted in both) and report exported flows
/// without failures.
fn check_softflowd(input: &Input, stdout: &str) -> Result<String> {
    let line = |label: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(label))
            .with_context(|| format!("no {label:?} in its summary:\n{stdout}"))
    };
    let number = |l: &str, label: &str| {
        number_after(l, label).with_context(|| format!("no number after {label:?} in {l:?}"))
    };
    let processed = number(line("Packets processed:")?, "Packets processed:")?;
    let non_ip = number(line("Ignored packets:")?, "(")?;
    let exported_line = line("Flows exported:")?;
    let exported = number(exported_line, "Flows exported:")?;
    let failures = number(exported_line, "packets (")?;
    if processed + non_ip != input.packets || processed == 0 {
        bail!(
            "it processed {processed} and ignored {non_ip} non-IP of {} packets",
            input.packets
        );
    }
    if exported == 0 || failures != 0 {
        bail!("it exported {exported} flows with {failures} failures");
    }
    Ok(format!(
        "{processed} packets, {non_ip} non-IP, {exported} flows exported"
    ))
}

/// argus's records, counted by `racount`, must hold at least 99 % of the input's
/// packets (it leaves out what it cannot classify).
fn check_argus(input: &Input, argus_out: &Path) -> Result<String> {
    let size = std::fs::metadata(argus_out)
        .with_context(|| format!("no output file {}", argus_out.display()))?
        .len();
    let racount = which("racount").unwrap_or_else(|| "racount".into());
    let out = Command::new(racount)
        .arg("-r")
        .arg(argus_out)
        .output()
        .context("running racount")?;
    let text = String::from_utf8_lossy(&out.stdout);
    // racount prints a header and `sum RECORDS TOTAL_PKTS ...`.
    let sums: Vec<u64> = text
        .lines()
        .find(|l| l.trim_start().starts_with("sum "))
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .filter_map(|x| x.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let (records, packets) = match sums.as_slice() {
        [r, p, ..] => (*r, *p),
        _ => bail!("racount gave no sums for {}: {text}", argus_out.display()),
    };
    if packets * 100 < input.packets * 99 {
        bail!("its records hold {packets} of {} packets", input.packets);
    }
    Ok(format!(
        "{packets} packets in {records} records, {:.0} MB",
        size as f64 / 1e6
    ))
}

/// nfstream's flows must hold at least 95 % of the input's packets (it leaves out
/// non-IP frames, 1.4 % of big, and a little more: 97.4 % of big is in its flows).
fn check_nfstream(input: &Input, stdout: &str) -> Result<String> {
    let nums: Vec<u64> = stdout
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    let (flows, packets) = match nums.as_slice() {
        [f, p] => (*f, *p),
        _ => bail!("unexpected output: {stdout:?}"),
    };
    if flows == 0 || packets * 100 < input.packets * 95 {
        bail!(
            "{flows} flows holding {packets} of {} packets",
            input.packets
        );
    }
    Ok(format!("{packets} packets, {flows} flows"))
}

/// The median wall time, CPU time and peak RSS of `runs`, each taken on its own.
pub fn median(runs: &[Measure]) -> Measure {
    fn mid<T: Ord + Copy>(mut v: Vec<T>) -> T {
        v.sort_unstable();
        v[v.len() / 2]
    }
    Measure {
        wall: mid(runs.iter().map(|m| m.wall).collect()),
        cpu: mid(runs.iter().map(|m| m.cpu).collect()),
        peak_rss_kib: mid(runs.iter().map(|m| m.peak_rss_kib).collect()),
    }
}

/// The ratios of [`RATIOS`] whose tools both ran: (`a/b`, rate of a / rate of b).
fn ratios(tools: &[Tool], medians: &[Measure]) -> Vec<(String, f64)> {
    let wall = |t: Tool| {
        tools
            .iter()
            .position(|&x| x == t)
            .map(|i| medians[i].wall.as_secs_f64())
    };
    RATIOS
        .iter()
        .filter_map(|&(a, b)| {
            let (wa, wb) = (wall(a)?, wall(b)?);
            Some((format!("{}/{}", a.key(), b.key()), wb / wa.max(1e-9)))
        })
        .collect()
}

/// The table of one input: a row per tool, then the ratios.
fn print_table(input: &Input, tools: &[Tool], medians: &[Measure]) {
    println!(
        "\n{}: {} packets, medians\n{:<34} {:>8} {:>8} {:>8} {:>12}",
        input.kind.name(),
        input.packets,
        "tool",
        "Mpps",
        "wall s",
        "CPU s",
        "peak RSS MB"
    );
    for (tool, m) in tools.iter().zip(medians) {
        println!(
            "{:<34} {:>8.3} {:>8.2} {:>8.2} {:>12.1}",
            tool.label(),
            m.mpps(input.packets),
            m.wall.as_secs_f64(),
            m.cpu.as_secs_f64(),
            m.rss_mb()
        );
    }
    for (name, r) in ratios(tools, medians) {
        println!("  {name}: x{r:.2}");
    }
}

/// One input's figures for the JSON: `packets`, `KEY_mpps`, `KEY_rss_mb`,
/// `KEY_wall_s`, `KEY_cpu_s` per tool and `ratios`.
fn input_json(input: &Input, tools: &[Tool], medians: &[Measure]) -> Value {
    let mut o = Map::new();
    o.insert("packets".into(), json!(input.packets));
    o.insert("file".into(), json!(input.path.display().to_string()));
    let round = |x: f64, places: i32| {
        let s = 10f64.powi(places);
        (x * s).round() / s
    };
    for (tool, m) in tools.iter().zip(medians) {
        let k = tool.key();
        o.insert(format!("{k}_mpps"), json!(round(m.mpps(input.packets), 4)));
        o.insert(format!("{k}_rss_mb"), json!(round(m.rss_mb(), 1)));
        o.insert(format!("{k}_wall_s"), json!(round(m.wall.as_secs_f64(), 3)));
        o.insert(format!("{k}_cpu_s"), json!(round(m.cpu.as_secs_f64(), 3)));
    }
    let r: Map<String, Value> = ratios(tools, medians)
        .into_iter()
        .map(|(k, v)| (k, json!(round(v, 3))))
        .collect();
    o.insert("ratios".into(), Value::Object(r));
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_after_reads_counts_with_commas() {
        let s = "Packets processed: 26315\nFlows exported: 1,234 (1234 records) in 9 packets (0 failures)";
        assert_eq!(number_after(s, "Packets processed:"), Some(26_315));
        assert_eq!(number_after(s, "Flows exported:"), Some(1_234));
        assert_eq!(number_after(s, "packets ("), Some(0));
        assert_eq!(number_after(s, "missing:"), None);
    }

    #[test]
    fn softflowd_must_account_for_every_packet() {
        let input = Input {
            kind: InputKind::Small,
            path: PathBuf::new(),
            packets: 100,
        };
        let ok = "Packets processed: 98\nFragments: 0\nIgnored packets: 3 (2 non-IP, 1 too short)\n\
                  Flows expired: 5 (0 forced)\nFlows exported: 5 (5 records) in 1 packets (0 failures)\n";
        assert!(check_softflowd(&input, ok).is_ok());
        let short = ok.replace("processed: 98", "processed: 50");
        assert!(check_softflowd(&input, &short).is_err());
        let none = ok.replace("exported: 5", "exported: 0");
        assert!(check_softflowd(&input, &none).is_err());
    }

    #[test]
    fn sluice_summary_must_count_every_packet() {
        let input = Input {
            kind: InputKind::Small,
            path: PathBuf::new(),
            packets: 300_000,
        };
        let err = "sluice read: 1 file(s), 300000 packets, 18000000 bytes in 0.24 s (1.26 Mpps)\n  flows: 300000 created, 300000 written;";
        assert_eq!(
            check_sluice(&input, err).unwrap(),
            "300000 packets, 300000 flows"
        );
        assert!(check_sluice(&input, &err.replace("300000 packets", "3 packets")).is_err());
        assert!(check_sluice(&input, "").is_err());
    }

    #[test]
    fn nfstream_must_hold_the_packets() {
        let input = Input {
            kind: InputKind::Big,
            path: PathBuf::new(),
            packets: 1000,
        };
        assert!(check_nfstream(&input, "10 974\n").is_ok());
        assert!(check_nfstream(&input, "0 0\n").is_err());
        assert!(check_nfstream(&input, "10 500\n").is_err());
        assert!(check_nfstream(&input, "Traceback").is_err());
    }

    #[test]
    fn small_is_counted_and_its_flows_distinct() {
        let keys: std::collections::HashSet<Vec<u8>> = (0..SMALL_FLOWS)
            .map(|i| small_frame(i)[26..38].to_vec())
            .collect();
        assert_eq!(keys.len() as u64, SMALL_FLOWS);
        let dir = std::env::temp_dir().join(format!("sluice-offline-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.pcap");
        let mut w = BufWriter::new(File::create(&p).unwrap());
        write_header(&mut w, 1).unwrap();
        for n in 0..1000u64 {
            write_record(&mut w, n, &small_frame(n % 7)).unwrap();
        }
        drop(w);
        assert_eq!(count_records(&p).unwrap(), 1000);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ratios_only_where_both_ran() {
        let m = |s| Measure {
            wall: Duration::from_secs(s),
            cpu: Duration::ZERO,
            peak_rss_kib: 0,
        };
        let tools = [
            Tool::Sluice,
            Tool::SluiceFeatures,
            Tool::Softflowd,
            Tool::Argus,
        ];
        let r = ratios(&tools, &[m(1), m(4), m(2), m(8)]);
        let get = |k: &str| r.iter().find(|(n, _)| n == k).map(|x| x.1);
        assert_eq!(get("sluice/softflowd"), Some(2.0));
        assert_eq!(get("sluice_features/softflowd"), Some(0.5));
        assert_eq!(get("sluice/argus"), Some(8.0));
        assert_eq!(get("sluice_features/nfstream"), None);
    }
}
