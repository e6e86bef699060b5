//! Errors from loading the anonymization configuration: each names the file and,
//! where there is one, the line at fault.
use std::path::PathBuf;
use std::{fmt, io};

/// Why an anonymization file (subnets, usernames or key) could not be used.
#[derive(Debug)]
pub enum AnonError {
    /// The file could not be opened or read.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A line of a subnets or usernames file is malformed.
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

impl fmt::Display for AnonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnonError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            AnonError::Line {
                path,
                line,
                text,
                why,
            } => write!(f, "{}:{line}: {why}: '{text}'", path.display()),
            AnonError::Key { path, why } => write!(
                f,
                "{}: {why}: a key file holds 64 hex digits or exactly 32 raw bytes",
                path.display()
            ),
        }
    }
}

impl std::error::Error for AnonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AnonError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
