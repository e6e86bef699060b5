//! Per-collector counters.

/// What one collector was sent and what it lost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CollectorStats {
    /// The collector (URL or file path).
    pub name: String,
    /// Messages handed to the transport (data and template messages).
    pub messages: u64,
    /// Data records in those messages.
    pub records: u64,
    /// Bytes handed to the transport.
    pub bytes: u64,
    /// Template records sent (first use, refresh, reconnect, new file).
    pub templates: u64,
    /// Data messages lost: send error, full queue, collector gone at close.
    pub dropped_messages: u64,
    /// Data records in the lost messages.
    pub dropped_records: u64,
    /// Connections made (TCP) or files opened (file).
    pub sessions: u64,
    /// The last error, if any.
    pub last_error: Option<String>,
}
