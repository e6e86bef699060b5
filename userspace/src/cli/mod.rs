//! Command-line interface: argument parsing and wiring only.
#[cfg(feature = "live")]
pub mod capture;
pub mod features;
pub mod files;
pub mod ipfix;
pub mod l7;
pub mod privileges;
pub mod read;
pub mod rules;
pub mod streams;

use std::{
    fs::File,
    io::Write,
    path::{Path, PathBuf},
};

use clap::{Parser, Subcommand};

use crate::error::Error;
use crate::export::output::RecordOutput;

pub use crate::error::EXIT_LOST;

/// Sluice: kernel-bypass flow capture (XDP + AF_XDP) with Joy-style flow records.
#[derive(Parser, Debug)]
#[command(name = "sluice", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    #[cfg(feature = "live")]
    /// Capture live from an interface through XDP and AF_XDP and write flows as JSON lines.
    Capture(capture::CaptureArgs),
    /// Read pcap/pcapng files and write their flows as JSON lines.
    Read(read::ReadArgs),
}

/// Parses the arguments and runs the command; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let res = match cli.command {
        #[cfg(feature = "live")]
        Command::Capture(a) => capture::run(a),
        Command::Read(a) => read::run(a),
    };
    match res {
        Ok(()) => 0,
        Err(e @ Error::Lost(_)) => {
            eprintln!("sluice: {e}");
            EXIT_LOST
        }
        Err(e) => {
            eprintln!("sluice: error: {e}");
            1
        }
    }
}

/// Opens `--output`: `-` is stdout, else a file created (truncated) now.
fn open_output(path: &str) -> Result<RecordOutput, Error> {
    if path == "-" {
        return Ok(RecordOutput::stdout());
    }
    RecordOutput::create(Path::new(path)).map_err(|e| Error::BadOption {
        option: "--output",
        value: path.into(),
        why: e.to_string(),
    })
}

/// Notes the files the options both commands share read and write: the rules,
/// the feature files and the anonymization key, `--output`, `--ipfix-file` and
/// `--stats`.
fn note_files(
    files: &mut files::RunFiles,
    rules: &rules::RulesArgs,
    features: &features::FeatureArgs,
    output: Option<&str>,
    ipfix: &ipfix::IpfixArgs,
    stats: Option<&Path>,
) {
    rules.note_files(files);
    features.note_files(files, output);
    ipfix.note_files(files);
    if let Some(s) = stats {
        files.output("--stats", files::OutputNames::One(s.to_path_buf()));
    }
}

/// The `--stats` file: created when the run starts (while the process may
/// still create files anywhere), written when it ends.
struct StatsFile {
    path: PathBuf,
    file: File,
}

impl StatsFile {
    /// Creates (truncates) the file at `path`.
    fn create(path: &Path) -> Result<StatsFile, Error> {
        File::create(path)
            .map(|file| StatsFile {
                path: path.to_path_buf(),
                file,
            })
            .map_err(|e| stats_error(path, e))
    }

    /// Removes the (still empty) file: the run failed before it had counters.
    fn discard(self) {
        let _ = std::fs::remove_file(&self.path);
    }

    /// Writes a run's counters as pretty JSON.
    fn write(mut self, stats: &serde_json::Value) -> Result<(), Error> {
        let text = serde_json::to_string_pretty(stats).unwrap_or_default() + "\n";
        self.file
            .write_all(text.as_bytes())
            .map_err(|e| stats_error(&self.path, e))
    }
}

/// A run's result; when the run failed before it had counters, the (empty) stats file
/// made for it is removed.
/// `--hugepages`: turns on the allocator's huge-page advice, saying so when the
/// kernel cannot give them (the run goes on with normal pages).
/// Starts the `--metrics` endpoint on `addr` (before anything is attached,
/// so a bad address or a port in use stops the run at once), from a thread
/// that ran `hook` (see [`unprivileged`]).
fn start_metrics(addr: &str, hook: Option<fn()>) -> Result<crate::metrics::MetricsServer, Error> {
    let bad = |why: String| Error::BadOption {
        option: "--metrics",
        value: addr.into(),
        why,
    };
    let sock: std::net::SocketAddr = addr
        .parse()
        .map_err(|_| bad("expected ADDR:PORT, e.g. 127.0.0.1:9464 or [::1]:9464".into()))?;
    let server = unprivileged(hook, || crate::metrics::MetricsServer::start(sock))
        .map_err(|e| bad(e.to_string()))?;
    eprintln!("sluice: metrics at http://{}/metrics", server.addr());
    Ok(server)
}

/// Runs `open` on a new thread that first runs `hook` (drops its
/// privileges), and returns what it made. Libraries and servers that start
/// threads of their own when opened (librdkafka, libzmq, the metrics
/// server) are opened this way before the run drops its privileges: every
/// thread they start inherits the dropped ones.
fn unprivileged<T: Send>(hook: Option<fn()>, open: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            if let Some(h) = hook {
                h();
            }
            open()
        })
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

fn hugepages_on() {
    if let crate::hugepages::HugePages::Unavailable(why) = crate::hugepages::enable() {
        eprintln!("sluice: --hugepages: no transparent huge pages ({why}); using normal pages");
    }
}

fn discard_stats_on_error<T>(
    r: Result<T, Error>,
    stats: &mut Option<StatsFile>,
) -> Result<T, Error> {
    if r.is_err() {
        if let Some(s) = stats.take() {
            s.discard();
        }
    }
    r
}

fn stats_error(path: &Path, e: std::io::Error) -> Error {
    Error::BadOption {
        option: "--stats",
        value: path.display().to_string(),
        why: e.to_string(),
    }
}
