//! Offline capture files: legacy pcap and pcapng, streamed packet by packet.
//!
//! [`CaptureFile`] reads a file of any size through a bounded buffer and lends each packet
//! as a zero-copy [`FilePacket`] valid until the next call. The file formats are parsed
//! with `pcap-parser`; this module adds the streaming, the per-interface link types and
//! clocks of pcapng, and errors that name the file and byte offset.
mod error;
mod interface;
mod pcap;
mod pcapng;
mod record;
mod source;
mod timestamp;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::Read;
use std::path::Path;

pub use error::{ReadError, ReadErrorKind};
pub use record::MAX_RECORD;

use crate::time::Timestamp;
use pcap::PcapReader;
use pcapng::PcapNgReader;
use record::{Fail, PacketAt};
use source::Source;

/// The format of a capture file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Legacy pcap; `nanos` when timestamps are in nanoseconds rather than microseconds.
    Pcap {
        /// Nanosecond timestamps (magic a1b23c4d).
        nanos: bool,
    },
    /// pcapng.
    PcapNg,
}

/// One packet of a capture file, borrowed from the reader's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilePacket<'a> {
    /// Capture time.
    pub ts: Timestamp,
    /// pcap LINKTYPE_ number of the packet's interface.
    pub linktype: u32,
    /// The captured bytes.
    pub data: &'a [u8],
    /// Length of the packet on the wire; never less than `data.len()`.
    pub wire_len: u32,
    /// Interface id within its pcapng section (0 for pcap).
    pub interface: u32,
    /// Byte offset in the file of the packet's record or block.
    pub offset: u64,
}

/// The format-specific state.
enum Reader {
    Pcap(PcapReader),
    PcapNg(PcapNgReader),
}

/// An open capture file, read front to back.
pub struct CaptureFile {
    name: String,
    src: Source,
    reader: Reader,
    len: Option<u64>,
    /// End of file or an error was reached: no more packets.
    done: bool,
}

impl CaptureFile {
    /// Opens the capture file at `path` and reads its header.
    pub fn open(path: &Path) -> Result<CaptureFile, ReadError> {
        CaptureFile::from_file(path, CaptureFile::open_file(path)?)
    }

    /// Opens the file at `path` for [`CaptureFile::from_file`] (so that a run
    /// can open every input before it parses any).
    pub fn open_file(path: &Path) -> Result<File, ReadError> {
        File::open(path).map_err(|e| io_error(path, e))
    }

    /// Reads a capture from `file`, opened from `path` (named in errors).
    pub fn from_file(path: &Path, file: File) -> Result<CaptureFile, ReadError> {
        let len = file.metadata().map_err(|e| io_error(path, e))?.len();
        CaptureFile::from_reader(path.display().to_string(), Box::new(file), Some(len))
    }

    /// Reads a capture from any byte stream; `name` appears in errors, `len` (if known)
    /// is reported by [`CaptureFile::len`].
    pub fn from_reader(
        name: impl Into<String>,
        r: Box<dyn Read + Send>,
        len: Option<u64>,
    ) -> Result<CaptureFile, ReadError> {
        let name = name.into();
        let mut src = Source::new(r, len);
        let reader = detect(&mut src).map_err(|f| located(&name, f))?;
        Ok(CaptureFile {
            name,
            src,
            reader,
            len,
            done: false,
        })
    }

    /// The next packet, `Ok(None)` at end of file. After an error, always `Ok(None)`.
    ///
    /// The packet borrows the reader's buffer and is valid until the next call.
    pub fn next_packet(&mut self) -> Result<Option<FilePacket<'_>>, ReadError> {
        if self.done {
            return Ok(None);
        }
        let next = match &mut self.reader {
            Reader::Pcap(r) => r.next(&mut self.src),
            Reader::PcapNg(r) => r.next(&mut self.src),
        };
        match next {
            Ok(Some(p)) => Ok(Some(self.lend(p))),
            Ok(None) => {
                self.done = true;
                Ok(None)
            }
            Err(f) => {
                self.done = true;
                Err(located(&self.name, f))
            }
        }
    }

    /// The file's format.
    pub fn format(&self) -> FileFormat {
        match &self.reader {
            Reader::Pcap(r) => FileFormat::Pcap { nanos: r.nanos() },
            Reader::PcapNg(_) => FileFormat::PcapNg,
        }
    }

    /// Bytes of the file consumed so far (headers and every record returned), for
    /// progress.
    pub fn bytes_read(&self) -> u64 {
        self.src.pos()
    }

    /// The file's size in bytes, if known.
    // A capture file has no meaningful `is_empty`: the size is for progress only.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> Option<u64> {
        self.len
    }

    /// The name used in errors.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Turns a located packet into a view of the buffer.
    fn lend(&self, p: PacketAt) -> FilePacket<'_> {
        FilePacket {
            ts: p.ts,
            linktype: p.linktype,
            data: self.src.slice(p.data_index, p.caplen),
            wire_len: p.wire_len,
            interface: p.interface,
            offset: p.offset,
        }
    }
}

/// Recognises the format from the first bytes and reads the pcap global header.
fn detect(src: &mut Source) -> Result<Reader, Fail> {
    let available = src
        .fill(pcap::HEADER_LEN)
        .map_err(|e| Fail::at(0, ReadErrorKind::Io(e)))?;
    let head = src.peek(4);
    if head.len() < 4 {
        return Err(Fail::at(
            0,
            ReadErrorKind::Empty {
                len: available as u64,
            },
        ));
    }
    match [head[0], head[1], head[2], head[3]] {
        m if u32::from_le_bytes(m) == pcapng::SHB => Ok(Reader::PcapNg(PcapNgReader::default())),
        [0xd4, 0xc3, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0xc3, 0xd4]
        | [0x4d, 0x3c, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0x3c, 0x4d]
        | [0x34, 0xcd, 0xb2, 0xa1] => Ok(Reader::Pcap(PcapReader::open(src)?)),
        _ => Err(Fail::at(
            0,
            ReadErrorKind::NotCapture {
                found: head.to_vec(),
            },
        )),
    }
}

/// Attaches the file name to a failure.
fn located(name: &str, f: Fail) -> ReadError {
    ReadError {
        file: name.to_string(),
        offset: f.offset,
        kind: f.kind,
    }
}

/// An I/O error at the start of the file at `path`.
fn io_error(path: &Path, e: std::io::Error) -> ReadError {
    ReadError {
        file: path.display().to_string(),
        offset: 0,
        kind: ReadErrorKind::Io(e),
    }
}
