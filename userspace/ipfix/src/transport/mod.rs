//! Where messages go: UDP and TCP collectors, and IPFIX files (RFC 5655).

pub mod file;
pub mod spec;
pub mod stats;
pub mod tcp;
pub mod udp;

use std::time::Instant;

use crate::stream::Outgoing;

pub use spec::CollectorSpec;
pub use stats::CollectorStats;

/// A collector the exporter sends to.
pub(crate) enum Collector {
    Udp(udp::UdpCollector),
    Tcp(tcp::TcpCollector),
    File(file::FileCollector),
}

impl Collector {
    /// Sends one data message (and the templates it needs first).
    pub(crate) fn send(&mut self, msg: &Outgoing<'_>, now: Instant, export_time: u32) {
        match self {
            Collector::Udp(c) => c.send(msg, now, export_time),
            Collector::Tcp(c) => c.send(msg),
            Collector::File(c) => c.send(msg, now, export_time),
        }
    }

    /// Withdraws template `id` where the session was sent it.
    pub(crate) fn withdraw(&mut self, id: u16, export_time: u32) {
        match self {
            Collector::Udp(c) => c.withdraw(id),
            Collector::Tcp(c) => c.withdraw(id),
            Collector::File(c) => c.withdraw(id, export_time),
        }
    }

    /// Pushes buffered bytes out (files).
    pub(crate) fn flush(&mut self) {
        if let Collector::File(c) = self {
            c.flush();
        }
    }

    /// Closes a file and opens its name again (files only; see
    /// [`file::FileCollector::reopen`]).
    pub(crate) fn reopen(&mut self) {
        if let Collector::File(c) = self {
            c.reopen();
        }
    }

    /// The collector's counters.
    pub(crate) fn stats(&self) -> CollectorStats {
        match self {
            Collector::Udp(c) => c.stats(),
            Collector::Tcp(c) => c.stats(),
            Collector::File(c) => c.stats(),
        }
    }

    /// Sends or drops what is left and closes; returns the final counters.
    pub(crate) fn close(self) -> CollectorStats {
        match self {
            Collector::Udp(c) => c.stats(),
            Collector::Tcp(c) => c.close(),
            Collector::File(c) => c.close(),
        }
    }
}

/// Seconds since the Unix epoch, for the message header's export time.
pub(crate) fn export_time_now() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as u32)
        .unwrap_or(0)
}
