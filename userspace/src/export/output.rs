//! Where JSON records go: stdout, one file, or files rotated every
//! `max_records` records, optionally gzipped (Joy's `max_records`).
//!
//! [`RecordOutput::reopen`] is what SIGHUP does (the logrotate convention):
//! buffered records are written to the file they were meant for, the file is
//! closed, and the same name is opened again, appending, so a reopen without
//! a rename loses nothing either. Rotated outputs start their next file.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};

use crate::export::rotate::RotatingWriter;

/// Bytes buffered before a write to a file or stdout.
const BUFFER: usize = 1 << 16;

/// The file names an output writes (checked against the inputs before any
/// output is opened).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputNames {
    /// One file.
    One(PathBuf),
    /// Numbered files `PREFIX-NN SUFFIX` (two digits or more).
    Numbered {
        /// The path before `-NN`.
        prefix: PathBuf,
        /// What follows the number (`.gz` or nothing).
        suffix: &'static str,
    },
}

impl OutputNames {
    /// The name of numbered file `n`: `PREFIX-NN SUFFIX` (at least two digits).
    pub fn numbered(prefix: &Path, suffix: &str, n: u64) -> PathBuf {
        let mut s = prefix.as_os_str().to_owned();
        s.push(format!("-{n:02}{suffix}"));
        PathBuf::from(s)
    }

    /// The first file the output writes.
    pub fn first_file(&self) -> PathBuf {
        match self {
            OutputNames::One(p) => p.clone(),
            OutputNames::Numbered { prefix, suffix } => OutputNames::numbered(prefix, suffix, 1),
        }
    }
}

/// A destination for whole JSON lines.
pub enum RecordOutput {
    /// Standard output, buffered.
    Stdout(BufWriter<Stdout>),
    /// One file, buffered; its path is kept for [`RecordOutput::reopen`].
    File {
        /// The file's path as given.
        path: PathBuf,
        /// The open file.
        file: BufWriter<File>,
    },
    /// Any other stream (benchmarks, tests): written, never reopened.
    Stream(Box<dyn Write + Send>),
    /// Rotated (and maybe gzipped) files.
    Rotating(Box<RotatingWriter>),
}

impl RecordOutput {
    /// Standard output.
    pub fn stdout() -> Self {
        RecordOutput::Stdout(BufWriter::with_capacity(BUFFER, io::stdout()))
    }

    /// Creates (truncating) the file at `path`.
    pub fn create(path: &Path) -> io::Result<Self> {
        let f = File::create(path)?;
        Ok(RecordOutput::File {
            path: path.to_path_buf(),
            file: BufWriter::with_capacity(BUFFER, f),
        })
    }

    /// Writes one complete line (with its `\n`).
    pub fn write_record(&mut self, line: &[u8]) -> io::Result<()> {
        match self {
            RecordOutput::Stdout(w) => w.write_all(line),
            RecordOutput::File { path, file } => file.write_all(line).map_err(|e| at(path, e)),
            RecordOutput::Stream(w) => w.write_all(line),
            RecordOutput::Rotating(r) => r.write_record(line),
        }
    }

    /// Pushes buffered records of a stream out (rotated files flush as
    /// they rotate and at `finish`).
    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            RecordOutput::Stdout(w) => w.flush(),
            RecordOutput::File { path, file } => file.flush().map_err(|e| at(path, e)),
            RecordOutput::Stream(w) => w.flush(),
            RecordOutput::Rotating(_) => Ok(()),
        }
    }

    /// Closes the current file and opens its name again (appending); a
    /// rotated output starts its next file. Stdout and streams only flush.
    pub fn reopen(&mut self) -> io::Result<()> {
        match self {
            RecordOutput::File { path, file } => {
                file.flush().map_err(|e| at(path, e))?;
                let f = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&*path)
                    .map_err(|e| at(path, e))?;
                *file = BufWriter::with_capacity(BUFFER, f);
                Ok(())
            }
            RecordOutput::Rotating(r) => r.reopen(),
            RecordOutput::Stdout(_) | RecordOutput::Stream(_) => self.flush(),
        }
    }

    /// Flushes, finishes compressed streams, and returns the files written
    /// (empty for a stream).
    pub fn finish(self) -> io::Result<Vec<PathBuf>> {
        match self {
            RecordOutput::Stdout(mut w) => w.flush().map(|()| Vec::new()),
            RecordOutput::File { path, mut file } => {
                file.flush().map_err(|e| at(&path, e))?;
                Ok(Vec::new())
            }
            RecordOutput::Stream(mut w) => w.flush().map(|()| Vec::new()),
            RecordOutput::Rotating(r) => r.finish(),
        }
    }
}

/// An `io::Error` of the same kind whose message starts with the file's name.
fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
