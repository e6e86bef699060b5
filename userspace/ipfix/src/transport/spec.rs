//! Collector addresses as users write them: `udp://HOST:PORT`,
//! `tcp://HOST:PORT`, or a file path.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use crate::error::ExportError;

/// Where to export to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CollectorSpec {
    /// A collector listening on UDP.
    Udp(SocketAddr),
    /// A collector listening on TCP.
    Tcp(SocketAddr),
    /// An IPFIX file (RFC 5655), optionally rotated.
    File {
        /// The path (with rotation: the base of `PATH-01`, `PATH-02`, ...).
        path: PathBuf,
        /// Start a new file when this many bytes would be exceeded.
        rotate_bytes: Option<u64>,
        /// Start a new file after this long.
        rotate_every: Option<Duration>,
    },
}

impl CollectorSpec {
    /// Parses `udp://HOST:PORT` or `tcp://HOST:PORT` (HOST a name, an IPv4
    /// address or a bracketed IPv6 address), resolving the name now.
    pub fn parse_url(url: &str) -> Result<CollectorSpec, ExportError> {
        let bad = |why: &str| ExportError::BadCollector {
            spec: url.to_string(),
            why: why.to_string(),
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected udp://HOST:PORT or tcp://HOST:PORT"))?;
        let rest = rest.trim_end_matches('/');
        if rest.rsplit_once(':').is_none() {
            return Err(bad("missing :PORT"));
        }
        let addr = rest
            .to_socket_addrs()
            .map_err(|e| bad(&format!("cannot resolve: {e}")))?
            .next()
            .ok_or_else(|| bad("the name resolves to no address"))?;
        if addr.port() == 0 {
            return Err(bad("port 0"));
        }
        match scheme {
            "udp" => Ok(CollectorSpec::Udp(addr)),
            "tcp" => Ok(CollectorSpec::Tcp(addr)),
            _ => Err(bad("unknown scheme (udp or tcp)")),
        }
    }

    /// A file without rotation.
    pub fn file(path: impl Into<PathBuf>) -> CollectorSpec {
        CollectorSpec::File {
            path: path.into(),
            rotate_bytes: None,
            rotate_every: None,
        }
    }

    /// The name used in stats and errors.
    pub fn name(&self) -> String {
        match self {
            CollectorSpec::Udp(a) => format!("udp://{a}"),
            CollectorSpec::Tcp(a) => format!("tcp://{a}"),
            CollectorSpec::File { path, .. } => path.display().to_string(),
        }
    }
}
