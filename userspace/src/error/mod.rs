//! Engine errors: each names its cause and, where there is one, the fix, in one line.
use std::{fmt, io};

mod file;

pub use file::FileError;

/// Exit status of a run that went to its end but lost records or packets
/// inside Sluice (the reason is on stderr). 1 is any other failure.
pub const EXIT_LOST: i32 = 3;

/// An error that stops capture before or while it runs.
#[derive(Debug)]
pub enum Error {
    /// The named interface does not exist (in this network namespace).
    UnknownInterface(String),
    /// Loading BPF or opening AF_XDP sockets was refused.
    PermissionDenied(String),
    /// The interface's MTU is too large for a single-buffer native XDP program.
    MtuTooLarge {
        /// The interface.
        interface: String,
        /// Its MTU.
        mtu: u32,
    },
    /// Another XDP program is already attached to the interface.
    AlreadyAttached(String),
    /// The driver does not support native XDP.
    NoNativeXdp(String),
    /// A command-line option has a bad value.
    BadOption {
        /// The option, as spelt on the command line.
        option: &'static str,
        /// The value given.
        value: String,
        /// What is wrong with it.
        why: String,
    },
    /// The run finished, but records or packets were lost inside Sluice
    /// (exit status 3); the reason in one line.
    Lost(String),
    /// Any other failure, with context.
    Other(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownInterface(i) => write!(
                f,
                "unknown interface '{i}': list interfaces with `ip link` (in the right network namespace)"
            ),
            Error::PermissionDenied(what) => write!(
                f,
                "permission denied {what}: run as root (needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)"
            ),
            Error::MtuTooLarge { interface, mtu } => write!(
                f,
                "MTU {mtu} of '{interface}' is too large for native XDP on this driver: lower it, e.g. `ip link set dev {interface} mtu 3500`"
            ),
            Error::AlreadyAttached(i) => write!(
                f,
                "'{i}' already has an XDP program attached: stop the other capture or detach it with `ip link set dev {i} xdp off`"
            ),
            Error::NoNativeXdp(i) => write!(
                f,
                "the driver of '{i}' does not support native XDP: use `--xdp-mode skb`"
            ),
            Error::BadOption { option, value, why } => {
                write!(f, "bad value '{value}' for {option}: {why}")
            }
            Error::Lost(s) => write!(f, "data was lost: {s}"),
            Error::Other(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for Error {}

/// The first `io::Error` in an error's source chain, if any.
pub fn find_io_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a io::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            return Some(io);
        }
        cur = err.source();
    }
    None
}

/// Whether an error chain was caused by EPERM. (EACCES from `BPF_PROG_LOAD` is the
/// verifier rejecting a program, not a permission problem.)
pub fn is_permission(e: &(dyn std::error::Error + 'static)) -> bool {
    find_io_error(e).and_then(io::Error::raw_os_error) == Some(libc::EPERM)
}

/// Renders an error and its whole source chain on one line.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(err) = cur {
        let m = err.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = err.source();
    }
    s
}
