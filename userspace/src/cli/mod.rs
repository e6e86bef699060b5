//! Command-line interface: argument parsing and wiring only.
#[cfg(feature = "live")]
pub mod capture;
pub mod features;
pub mod ipfix;
pub mod l7;
pub mod read;
pub mod rules;

use std::{fs::File, io::BufWriter, path::Path};

use clap::{Parser, Subcommand};

use crate::error::Error;

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
        Err(e) => {
            eprintln!("sluice: error: {e}");
            1
        }
    }
}

/// Opens `--output`: `-` is stdout; both buffered.
fn open_output(path: &str) -> Result<Box<dyn std::io::Write + Send>, Error> {
    if path == "-" {
        return Ok(Box::new(BufWriter::with_capacity(
            1 << 16,
            std::io::stdout(),
        )));
    }
    let f = File::create(path).map_err(|e| Error::BadOption {
        option: "--output",
        value: path.into(),
        why: e.to_string(),
    })?;
    Ok(Box::new(BufWriter::with_capacity(1 << 16, f)))
}

/// Writes a run's counters as pretty JSON to the `--stats` file.
fn write_stats(path: &Path, stats: &serde_json::Value) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(stats).unwrap_or_default();
    std::fs::write(path, text + "\n").map_err(|e| Error::BadOption {
        option: "--stats",
        value: path.display().to_string(),
        why: e.to_string(),
    })
}
