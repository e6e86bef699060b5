//! IPFIX files (RFC 5655): messages written one after another. Each file is
//! its own session: it starts with the templates its data needs and with
//! sequence number 0, so every file reads on its own.
//!
//! Rotation (optional) by size or age: `PATH-01`, `PATH-02`, ... (at least
//! two digits), the same naming as the JSON output's rotation. A new file is
//! only opened when a message arrives for it.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::ExportError;
use crate::message::HEADER_LEN;
use crate::stream::{Outgoing, StreamState, TemplatePolicy};
use crate::transport::CollectorStats;

/// Bytes buffered before a write to the file.
const BUFFER: usize = 1 << 16;

/// An IPFIX file collector. Messages are buffered and written in blocks;
/// stats count a message as sent once its block is written, and a block
/// that fails to write counts its messages as dropped.
pub(crate) struct FileCollector {
    base: PathBuf,
    rotate_bytes: Option<u64>,
    rotate_every: Option<Duration>,
    file: Option<File>,
    /// Files opened so far (the next one's number is this + 1).
    files: u32,
    in_file: u64,
    opened: Instant,
    stream: StreamState,
    mtu: usize,
    stats: CollectorStats,
    buf: Vec<u8>,
    /// Messages and data records in `buf`.
    buf_messages: u64,
    buf_records: u64,
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
            file: None,
            files: 0,
            in_file: 0,
            opened: Instant::now(),
            stream: StreamState::new(domain, TemplatePolicy::PerSession),
            mtu,
            stats: CollectorStats {
                name: base.display().to_string(),
                ..CollectorStats::default()
            },
            buf: Vec::with_capacity(BUFFER + mtu),
            buf_messages: 0,
            buf_records: 0,
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
        self.open(false)
    }

    /// Opens the next file: truncating it, or (`append`, for a reopen of the
    /// one file of a collector that does not rotate) adding to its end.
    fn open(&mut self, append: bool) -> io::Result<()> {
        self.write_buffer();
        self.file = None;
        let path = self.path_of(self.files + 1);
        let f = if append {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
        } else {
            File::create(&path)
        };
        let f = f.map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        self.files += 1;
        self.file = Some(f);
        self.in_file = 0;
        self.opened = Instant::now();
        self.stream.reset();
        self.stats.sessions += 1;
        Ok(())
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
        if self.file.is_none() && !self.rotating() {
            // Reopening the one file would truncate what it holds; the
            // first error stays in `last_error`.
            self.stats.dropped_messages += 1;
            self.stats.dropped_records += u64::from(msg.records);
            return;
        }
        if self.must_rotate(need, now) || self.file.is_none() {
            if let Err(e) = self.open_next() {
                self.stats.dropped_messages += 1;
                self.stats.dropped_records += u64::from(msg.records);
                self.stats.last_error = Some(e.to_string());
                return;
            }
        }
        let (bodies, n) = self.stream.templates_before(msg, now, self.mtu);
        self.stats.templates += n;
        for (body, records) in bodies {
            self.put(&body, records, export_time);
        }
        self.put(msg.sets, msg.records, export_time);
    }

    pub(crate) fn withdraw(&mut self, id: u16, export_time: u32) {
        if self.file.is_some() {
            if let Some(body) = self.stream.withdraw(id) {
                self.put(&body, 0, export_time);
            }
        }
    }

    /// Appends one message to the buffer, writing the buffer when full.
    fn put(&mut self, sets: &[u8], records: u32, export_time: u32) {
        let h = self.stream.header(sets.len(), records, export_time);
        self.buf.extend_from_slice(&h);
        self.buf.extend_from_slice(sets);
        self.buf_messages += 1;
        self.buf_records += u64::from(records);
        self.in_file += (HEADER_LEN + sets.len()) as u64;
        if self.buf.len() >= BUFFER {
            self.write_buffer();
        }
    }

    /// Writes the buffered messages: counted as sent, or as dropped when
    /// the write fails (the file is then abandoned).
    fn write_buffer(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let r = match self.file.as_mut() {
            Some(f) => f.write_all(&self.buf),
            None => Err(io::Error::other("no file open")),
        };
        match r {
            Ok(()) => {
                self.stats.messages += self.buf_messages;
                self.stats.records += self.buf_records;
                self.stats.bytes += self.buf.len() as u64;
            }
            Err(e) => {
                self.stats.dropped_messages += self.buf_messages;
                self.stats.dropped_records += self.buf_records;
                self.stats.last_error = Some(format!("{}: {e}", self.stats.name));
                self.file = None;
            }
        }
        self.buf.clear();
        self.buf_messages = 0;
        self.buf_records = 0;
    }

    pub(crate) fn flush(&mut self) {
        self.write_buffer();
    }

    /// Writes what is buffered and closes the file; the next file (rotating:
    /// the next number, opened by the next message) or the same name again
    /// (not rotating: opened now, appending) is a new session that starts
    /// with the templates. Data written before is in the
    /// old file, whatever name it has now. A file that cannot be opened is
    /// counted as the collector's last error, and its messages as dropped.
    pub(crate) fn reopen(&mut self) {
        if self.file.is_some() && self.in_file == 0 {
            return;
        }
        if self.rotating() {
            // The next message opens the next file, as rotation does.
            self.write_buffer();
            self.file = None;
            return;
        }
        if let Err(e) = self.open(true) {
            self.stats.last_error = Some(e.to_string());
        }
    }

    pub(crate) fn stats(&self) -> CollectorStats {
        self.stats.clone()
    }

    pub(crate) fn close(mut self) -> CollectorStats {
        self.write_buffer();
        self.stats
    }
}
