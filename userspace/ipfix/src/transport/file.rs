//! IPFIX files (RFC 5655): messages written one after another. Each file is
//! its own session: it starts with the templates its data needs and with
//! sequence number 0, so every file reads on its own.
//!
//! Rotation (optional) by size or age: `PATH-01`, `PATH-02`, ... (at least
//! two digits), the same naming as the JSON output's rotation. A new file is
//! only opened when a message arrives for it.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::ExportError;
use crate::message::HEADER_LEN;
use crate::stream::{Outgoing, StreamState, TemplatePolicy};
use crate::transport::CollectorStats;

/// An IPFIX file collector.
pub(crate) struct FileCollector {
    base: PathBuf,
    rotate_bytes: Option<u64>,
    rotate_every: Option<Duration>,
    out: Option<BufWriter<File>>,
    /// Files opened so far (the next one's number is this + 1).
    files: u32,
    in_file: u64,
    opened: Instant,
    stream: StreamState,
    mtu: usize,
    stats: CollectorStats,
}

impl FileCollector {
    /// Creates the first file now, so a bad path fails at once.
    pub(crate) fn create(
        base: &Path,
        rotate_bytes: Option<u64>,
        rotate_every: Option<Duration>,
        domain: u32,
        mtu: usize,
    ) -> Result<FileCollector, ExportError> {
        let mut c = FileCollector {
            base: base.to_path_buf(),
            rotate_bytes: rotate_bytes.filter(|&b| b > 0),
            rotate_every: rotate_every.filter(|d| !d.is_zero()),
            out: None,
            files: 0,
            in_file: 0,
            opened: Instant::now(),
            stream: StreamState::new(domain, TemplatePolicy::PerSession),
            mtu,
            stats: CollectorStats {
                name: base.display().to_string(),
                ..CollectorStats::default()
            },
        };
        c.open_next().map_err(|err| ExportError::Io {
            collector: c.stats.name.clone(),
            err,
        })?;
        Ok(c)
    }

    fn rotating(&self) -> bool {
        self.rotate_bytes.is_some() || self.rotate_every.is_some()
    }

    fn path_of(&self, n: u32) -> PathBuf {
        if !self.rotating() {
            return self.base.clone();
        }
        let mut s = self.base.clone().into_os_string();
        s.push(format!("-{n:02}"));
        PathBuf::from(s)
    }

    fn open_next(&mut self) -> io::Result<()> {
        self.finish_file()?;
        let path = self.path_of(self.files + 1);
        let f = File::create(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        self.files += 1;
        self.out = Some(BufWriter::with_capacity(1 << 16, f));
        self.in_file = 0;
        self.opened = Instant::now();
        self.stream.reset();
        self.stats.sessions += 1;
        Ok(())
    }

    fn finish_file(&mut self) -> io::Result<()> {
        match self.out.take() {
            Some(mut w) => w.flush(),
            None => Ok(()),
        }
    }

    /// Whether the message of `len` bytes should start a new file.
    fn must_rotate(&self, len: u64, now: Instant) -> bool {
        if self.in_file == 0 {
            return false;
        }
        let by_size = self
            .rotate_bytes
            .is_some_and(|max| self.in_file + len > max);
        let by_age = self
            .rotate_every
            .is_some_and(|every| now.saturating_duration_since(self.opened) >= every);
        by_size || by_age
    }

    pub(crate) fn send(&mut self, msg: &Outgoing<'_>, now: Instant, export_time: u32) {
        let need = (HEADER_LEN + msg.sets.len()) as u64;
        if self.out.is_none() && !self.rotating() {
            // Reopening the one file would truncate what it holds; the
            // first error stays in `last_error`.
            self.stats.dropped_messages += 1;
            self.stats.dropped_records += u64::from(msg.records);
            return;
        }
        if self.must_rotate(need, now) || self.out.is_none() {
            if let Err(e) = self.open_next() {
                self.lost(msg.records, e);
                return;
            }
        }
        let (bodies, n) = self.stream.templates_before(msg, now, self.mtu);
        self.stats.templates += n;
        for (body, records) in bodies {
            if let Err(e) = self.write(&body, records, export_time) {
                self.lost(msg.records, e);
                return;
            }
        }
        if let Err(e) = self.write(msg.sets, msg.records, export_time) {
            self.lost(msg.records, e);
        }
    }

    pub(crate) fn withdraw(&mut self, id: u16, export_time: u32) {
        if let Some(body) = self.stream.withdraw(id) {
            if let Err(e) = self.write(&body, 0, export_time) {
                self.stats.last_error = Some(e.to_string());
            }
        }
    }

    fn write(&mut self, sets: &[u8], records: u32, export_time: u32) -> io::Result<()> {
        let Some(out) = self.out.as_mut() else {
            return Err(io::Error::other("file closed"));
        };
        let h = self.stream.header(sets.len(), records, export_time);
        out.write_all(&h)?;
        out.write_all(sets)?;
        let n = (HEADER_LEN + sets.len()) as u64;
        self.in_file += n;
        self.stats.messages += 1;
        self.stats.records += u64::from(records);
        self.stats.bytes += n;
        Ok(())
    }

    fn lost(&mut self, records: u32, e: io::Error) {
        self.stats.dropped_messages += 1;
        self.stats.dropped_records += u64::from(records);
        self.stats.last_error = Some(format!("{}: {e}", self.stats.name));
        // A failed write leaves the file in an unknown state: with rotation
        // the next message starts the next file; without, the rest is lost.
        self.out = None;
    }

    pub(crate) fn flush(&mut self) {
        if let Some(w) = self.out.as_mut() {
            if let Err(e) = w.flush() {
                self.stats.last_error = Some(e.to_string());
            }
        }
    }

    pub(crate) fn stats(&self) -> CollectorStats {
        self.stats.clone()
    }

    pub(crate) fn close(mut self) -> CollectorStats {
        if let Err(e) = self.finish_file() {
            self.stats.last_error = Some(e.to_string());
        }
        self.stats
    }
}
