//! QUIC Initial packets: decryption and ClientHello (SNI, ALPN) extraction
//! (RFC 9000, RFC 9001, RFC 9369 for QUIC v2).
//!
//! A QUIC client's first flight is protected only with keys derived from
//! its own Destination Connection ID and a per-version salt, so a passive
//! observer can open it: remove header protection (AES-128), decrypt the
//! payload (AES-128-GCM, tag checked), collect the CRYPTO frames and read
//! the TLS ClientHello they carry.
//!
//! # API for the L7 classifier
//!
//! ```text
//! pub fn looks_like_initial(datagram: &[u8]) -> Option<u32>
//! pub fn version_name(v: u32) -> VersionName            // impl Display: "V-1", "Draft-29", ...
//! impl QuicInitialState {
//!     pub fn new() -> QuicInitialState
//!     pub fn push(&mut self, datagram: &[u8]) -> QuicProgress
//! }
//! pub enum QuicProgress { NotQuic, NeedMore, Done(QuicHello), Failed(QuicError) }
//! pub struct QuicHello { pub version: u32, pub sni: Option<String>, pub alpn: Vec<String> }
//! ```
//!
//! Per UDP flow: on the first client datagram, [`looks_like_initial`] is a
//! header-only test (no cryptography, no allocation) that the datagram
//! starts with an Initial packet of a version we can open, and gives that
//! version. Only then box a [`QuicInitialState`] for the flow and
//! [`push`](QuicInitialState::push) that datagram and each later
//! client→server datagram until the result is final:
//!
//! - [`QuicProgress::NotQuic`]: nothing opened yet (drop the state);
//! - [`QuicProgress::NeedMore`]: the ClientHello is spread over more
//!   packets or datagrams (as Chrome's are, with post-quantum key shares);
//! - [`QuicProgress::Done`]: SNI, ALPN and version;
//! - [`QuicProgress::Failed`]: Initials opened but no ClientHello can be read.
//!
//! Server datagrams must not be pushed (they never open with client keys).
//! The push never panics and allocates only the bounded CRYPTO buffer
//! ([`crypto_stream::MAX_CRYPTO`]) and one reused decryption buffer.
//!
//! Versions: 1, 2, drafts 22 to 34, mvfst (draft-22, draft-27 and
//! experimental), Google's T050/T051, and the reserved 0x?a?a?a?a versions
//! that clients send to force Version Negotiation (opened with the v1 or
//! draft-29 salt, whichever authenticates). gQUIC (Q0xx) is not TLS-based
//! and not handled here.
//!
//! Tested against the RFC 9001 and RFC 9369 appendix A vectors and, per
//! flow, against tshark's SNI and nDPI's ALPN lists on the corpus QUIC
//! captures (`tests/corpus.rs`).
//!
//! # Layout
//!
//! [`cursor`] reads fields and varints; [`version`] holds salts, labels and
//! names; [`header`] parses long headers and coalesced packets; [`keys`]
//! derives Initial secrets; [`protect`] removes header protection and
//! decrypts; [`frames`] walks the frames; [`crypto_stream`] reassembles
//! CRYPTO data; [`hello`] reads the ClientHello with the TLS feature's
//! parser; [`state`] ties them together per flow.

pub mod crypto_stream;
pub mod cursor;
pub mod detect;
pub mod error;
pub mod frames;
pub mod header;
pub mod hello;
pub mod keys;
pub mod protect;
pub mod state;
pub mod version;

#[cfg(test)]
mod tests;

pub use error::QuicError;
pub use header::looks_like_initial;
pub use hello::QuicHello;
pub use state::{QuicInitialState, QuicProgress};
pub use version::{version_name, VersionName};

/// A flow's QUIC server name, learnt from the client's Initial packets: fed the
/// client's datagrams of a flow detected as QUIC until the ClientHello is read or
/// cannot be.
#[derive(Debug, Default)]
pub enum QuicSni {
    /// Not a QUIC flow yet, or no client datagram seen.
    #[default]
    Idle,
    /// Client Initials being decrypted and their CRYPTO frames reassembled.
    Reading(Box<QuicInitialState>),
    /// The ClientHello was read; its server name, if it had one.
    Done(Option<Box<str>>),
    /// No ClientHello can come out of this flow's Initials.
    Failed,
}

impl QuicSni {
    /// Feeds one client datagram; does nothing once done or failed.
    pub fn push(&mut self, datagram: &[u8]) {
        if matches!(self, QuicSni::Idle) && looks_like_initial(datagram).is_some() {
            *self = QuicSni::Reading(Box::default());
        }
        let QuicSni::Reading(state) = self else {
            return;
        };
        match state.push(datagram) {
            QuicProgress::NotQuic | QuicProgress::NeedMore => {}
            QuicProgress::Done(h) => *self = QuicSni::Done(h.sni.map(String::into_boxed_str)),
            QuicProgress::Failed(_) => *self = QuicSni::Failed,
        }
    }

    /// True while datagrams may still tell something.
    pub fn wants_more(&self) -> bool {
        matches!(self, QuicSni::Idle | QuicSni::Reading(_))
    }

    /// The server name, once read.
    pub fn sni(&self) -> Option<&str> {
        match self {
            QuicSni::Done(s) => s.as_deref(),
            _ => None,
        }
    }
}
