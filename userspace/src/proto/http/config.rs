//! Per-flow bounds of the HTTP feature.

/// Bounds on what one flow keeps and buffers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// Messages kept per direction; then that direction is ignored.
    pub max_messages: usize,
    /// Largest header block buffered (start line, headers, blank line); a
    /// longer one is kept up to its last whole line and marked truncated.
    /// Joy copies at most 2048 bytes.
    pub max_header_bytes: usize,
    /// Headers kept per message.
    pub max_headers: usize,
    /// Body bytes kept from the start of each body (Joy's MAGIC is 16).
    pub body_prefix: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_messages: 16,
            max_header_bytes: 8192,
            max_headers: 64,
            body_prefix: 8,
        }
    }
}
