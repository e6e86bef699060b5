//! A bounded, growable read buffer over any `Read`, addressed by file offset.
//!
//! The buffer holds the unread tail of what was read; it grows only when a single record
//! needs more room than it has, and the caller caps that need before asking.
use std::io::{self, Read};

/// Starting (and usual) buffer size: big reads, few shifts.
pub(super) const DEFAULT_BUFFER: usize = 256 * 1024;

/// The byte stream of one capture file, with a window of buffered, unconsumed bytes.
pub(super) struct Source {
    reader: Box<dyn Read + Send>,
    buf: Vec<u8>,
    /// Index in `buf` of the first unconsumed byte.
    start: usize,
    /// Index in `buf` one past the last byte read.
    end: usize,
    /// File offset of `buf[start]`.
    pos: u64,
    /// The reader returned end of file.
    eof: bool,
    /// Size of the first allocation: [`DEFAULT_BUFFER`], or less for a file known to be
    /// smaller.
    chunk: usize,
}

impl Source {
    /// Wraps a reader whose length may be known; nothing is read yet.
    pub(super) fn new(reader: Box<dyn Read + Send>, len: Option<u64>) -> Self {
        let chunk = match len {
            // One more byte than the file, so that end of file shows in a single read.
            Some(n) => usize::try_from(n.saturating_add(1))
                .map_or(DEFAULT_BUFFER, |n| n.clamp(64, DEFAULT_BUFFER)),
            None => DEFAULT_BUFFER,
        };
        Source {
            reader,
            buf: Vec::new(),
            start: 0,
            end: 0,
            pos: 0,
            eof: false,
            chunk,
        }
    }

    /// File offset of the next unconsumed byte.
    pub(super) fn pos(&self) -> u64 {
        self.pos
    }

    /// Index in the buffer of the next unconsumed byte (valid until the next `fill`).
    pub(super) fn index(&self) -> usize {
        self.start
    }

    /// Makes at least `n` unconsumed bytes available unless the file ends first, and
    /// returns how many are available (less than `n` only at end of file).
    pub(super) fn fill(&mut self, n: usize) -> io::Result<usize> {
        if self.end - self.start >= n || self.eof {
            return Ok(self.end - self.start);
        }
        if self.start + n > self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            // The first allocation may be small (a small file); later ones are full size.
            let room = if self.buf.is_empty() {
                self.chunk
            } else {
                DEFAULT_BUFFER
            };
            if n > self.buf.len() || room > self.buf.len() {
                self.buf.resize(n.max(room), 0);
            }
        }
        while self.end - self.start < n && !self.eof {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k.min(self.buf.len() - self.end),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.end - self.start)
    }

    /// The next `n` unconsumed bytes, or fewer if fewer are buffered.
    pub(super) fn peek(&self, n: usize) -> &[u8] {
        let stop = self.start.saturating_add(n).min(self.end);
        &self.buf[self.start..stop]
    }

    /// Buffered bytes by buffer index, empty where out of range.
    pub(super) fn slice(&self, from: usize, len: usize) -> &[u8] {
        let stop = from.saturating_add(len).min(self.end);
        self.buf.get(from..stop).unwrap_or(&[])
    }

    /// Marks `n` buffered bytes as read; their bytes stay valid until the next `fill`.
    pub(super) fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.start);
        self.start += n;
        self.pos += n as u64;
    }
}
