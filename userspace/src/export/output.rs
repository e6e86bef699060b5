//! Where JSON records go: one stream (a file or stdout), or files rotated
//! every `max_records` records, optionally gzipped (Joy's `max_records`).

use std::io::{self, Write};
use std::path::PathBuf;

use crate::export::rotate::RotatingWriter;

/// A destination for whole JSON lines.
pub enum RecordOutput {
    /// One buffered stream.
    Stream(Box<dyn Write + Send>),
    /// Rotated (and maybe gzipped) files.
    Rotating(Box<RotatingWriter>),
}

impl RecordOutput {
    /// Writes one complete line (with its `\n`).
    pub fn write_record(&mut self, line: &[u8]) -> io::Result<()> {
        match self {
            RecordOutput::Stream(w) => w.write_all(line),
            RecordOutput::Rotating(r) => r.write_record(line),
        }
    }

    /// Pushes buffered records of a stream out (rotated files flush as
    /// they rotate and at `finish`).
    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            RecordOutput::Stream(w) => w.flush(),
            RecordOutput::Rotating(_) => Ok(()),
        }
    }

    /// Flushes, finishes compressed streams, and returns the files written
    /// (empty for a stream).
    pub fn finish(self) -> io::Result<Vec<PathBuf>> {
        match self {
            RecordOutput::Stream(mut w) => w.flush().map(|()| Vec::new()),
            RecordOutput::Rotating(r) => r.finish(),
        }
    }
}

impl From<Box<dyn Write + Send>> for RecordOutput {
    fn from(w: Box<dyn Write + Send>) -> Self {
        RecordOutput::Stream(w)
    }
}
