//! Command-line interface: argument parsing and wiring only.
#[cfg(feature = "live")]
pub mod capture;
pub mod read;

use clap::{Parser, Subcommand};

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
