//! Errors from loading a feature's configuration file (anonymization subnets,
//! usernames and key; the compact byte distribution map): each names the file
//! and, where there is one, the line at fault.
use std::path::PathBuf;
use std::{fmt, io};

/// Why a feature's configuration file could not be used.
#[derive(Debug)]
pub enum FileError {
    /// The file could not be opened or read.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A line of the file is malformed.
    Line {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// The offending text, trimmed.
        text: String,
        /// What is wrong with it.
        why: String,
    },
    /// A key file does not hold a key in one of the accepted formats.
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            FileError::Line {
                path,
                line,
                text,
                why,
            } => write!(f, "{}:{line}: {why}: '{text}'", path.display()),
            FileError::Key { path, why } => write!(
                f,
                "{}: {why}: a key file holds 64 hex digits or exactly 32 raw bytes",
                path.display()
            ),
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
