//! Read errors: one line naming the file, the byte offset and the reason.
use std::{fmt, io};

/// An error while reading a capture file, located at a byte offset of the file.
#[derive(Debug)]
pub struct ReadError {
    /// The file name (or the name given to [`super::CaptureFile::from_reader`]).
    pub file: String,
    /// Byte offset in the file of the header, record or block at fault.
    pub offset: u64,
    /// What went wrong.
    pub kind: ReadErrorKind,
}

/// Why a capture file could not be read further.
#[derive(Debug)]
pub enum ReadErrorKind {
    /// The file could not be opened or read.
    Io(io::Error),
    /// The file is shorter than any capture file header.
    Empty {
        /// How many bytes the file has.
        len: u64,
    },
    /// The first bytes are neither a pcap nor a pcapng magic number.
    NotCapture {
        /// The first (up to) four bytes found.
        found: Vec<u8>,
    },
    /// The file ends in the middle of a header, record or block.
    Truncated {
        /// Bytes the record needs, counted from its start.
        needed: u64,
        /// Bytes left in the file from the record's start.
        available: u64,
    },
    /// A record or block claims a length above the reader's per-record limit.
    TooLarge {
        /// The claimed length in bytes.
        len: u64,
        /// The limit in bytes.
        max: u64,
    },
    /// A pcapng block (or a pcap record) is malformed.
    Corrupt(String),
    /// A pcapng packet names an interface its section never described.
    UnknownInterface {
        /// The interface id in the packet.
        id: u32,
        /// How many interfaces the current section has described.
        known: u32,
    },
}

impl fmt::Display for ReadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadErrorKind::Io(e) => write!(f, "read failed: {e}"),
            ReadErrorKind::Empty { len } => write!(
                f,
                "not a capture file: only {len} bytes, too short for a pcap or pcapng header"
            ),
            ReadErrorKind::NotCapture { found } => {
                write!(f, "not a pcap or pcapng file: found magic bytes")?;
                for b in found {
                    write!(f, " {b:02x}")?;
                }
                write!(
                    f,
                    " (pcap starts with a1b2c3d4/a1b23c4d in either byte order, pcapng with 0a0d0d0a)"
                )
            }
            ReadErrorKind::Truncated { needed, available } => write!(
                f,
                "file cut short in the middle of a record: it needs {needed} bytes, the file has {available} left"
            ),
            ReadErrorKind::TooLarge { len, max } => write!(
                f,
                "record claims {len} bytes, more than the limit of {max}: the file is corrupt"
            ),
            ReadErrorKind::Corrupt(why) => write!(f, "corrupt record: {why}"),
            ReadErrorKind::UnknownInterface { id, known } => write!(
                f,
                "packet names interface {id}, but its section describes only {known} interface(s)"
            ),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: byte {}: {}", self.file, self.offset, self.kind)
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ReadErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}
