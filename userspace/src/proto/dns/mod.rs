//! DNS metadata (RFC 1035) over UDP (DNS, mDNS, LLMNR) and TCP: each
//! message's id, flags, response code, questions and records (A, AAAA, CNAME,
//! NS, PTR, MX, SOA, TXT by name, others by type number with raw RDATA), and
//! Joy's `"dns"` JSON. See docs/features-dns-http.md.
//!
//! The wire parser ([`wire`], [`name`]) reads borrowed bytes with bounds
//! checks and typed errors; [`DnsMessage`] is the bounded, owned summary a
//! flow keeps.

mod config;
pub mod detect;
mod error;
mod framing;
mod json;
mod message;
pub mod name;
mod record;
mod state;
pub mod wire;

#[cfg(test)]
mod tests;

pub use config::DnsConfig;
pub use error::DnsError;
pub use framing::TcpFramer;
pub use message::{DnsMessage, Malformed};
pub use record::{rtype, DnsAnswer, DnsQuestion, RData, Section};
pub use state::DnsState;

impl DnsState {
    /// Writes `,"dns":[...]` (leading comma) in Joy's format with additions;
    /// nothing if the flow had no DNS message.
    pub fn write_json<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        json::write_dns(w, self.messages())
    }
}

/// Hex text to bytes, for the feature tests' fixtures.
#[cfg(test)]
pub(crate) fn tests_hex(s: &str) -> Vec<u8> {
    tests::hex(s)
}
