//! Per-flow bounds of the DNS feature.

/// Bounds on what one flow keeps; the defaults suit monitoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsConfig {
    /// Messages kept per flow (both directions together); then the flow
    /// stops wanting data. Joy keeps a fixed number of packets per flow too.
    pub max_messages: usize,
    /// Questions kept per message (almost always 1).
    pub max_questions: usize,
    /// Records kept per message, over the answer, authority and additional
    /// sections together.
    pub max_answers: usize,
    /// Raw RDATA bytes kept for types not decoded by name, and TXT length.
    pub max_rdata_bytes: usize,
    /// Largest DNS-over-TCP message buffered; longer ones are skipped.
    pub max_tcp_message: usize,
}

impl Default for DnsConfig {
    fn default() -> Self {
        DnsConfig {
            max_messages: 64,
            max_questions: 4,
            max_answers: 64,
            max_rdata_bytes: 64,
            max_tcp_message: 65_535,
        }
    }
}
