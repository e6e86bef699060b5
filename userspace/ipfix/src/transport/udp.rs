//! UDP collectors: each message one datagram; templates before their first
//! data set and again every refresh interval (RFC 7011 §10.3.6). A send
//! that fails (collector down: ICMP port unreachable, full socket buffer)
//! loses that message, counted, and its records do not advance the sequence
//! number (RFC 7011 §3.1 counts the data records sent); the next one is
//! tried normally. But ECONNREFUSED (Linux reports an ICMP port unreachable
//! on the next send of the connected socket, which it then does not send)
//! is an earlier datagram's error: a message of templates or element type
//! records is then tried once more at once. Else the first refresh a
//! restarted collector could get would fail in its stead, and the collector
//! would wait a second interval for the templates.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use crate::error::ExportError;
use crate::message::HEADER_LEN;
use crate::stream::{Outgoing, StreamState, TemplatePolicy};
use crate::transport::CollectorStats;

/// A UDP collector.
pub(crate) struct UdpCollector {
    sock: UdpSocket,
    stream: StreamState,
    mtu: usize,
    stats: CollectorStats,
    datagram: Vec<u8>,
}

impl UdpCollector {
    pub(crate) fn open(
        addr: SocketAddr,
        domain: u32,
        refresh: Duration,
        mtu: usize,
    ) -> Result<UdpCollector, ExportError> {
        let name = format!("udp://{addr}");
        let io = |err: io::Error| ExportError::Io {
            collector: name.clone(),
            err,
        };
        let local: SocketAddr = if addr.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            ([0u16; 8], 0).into()
        };
        let sock = UdpSocket::bind(local).map_err(io)?;
        sock.connect(addr).map_err(io)?;
        sock.set_nonblocking(true).map_err(io)?;
        Ok(UdpCollector {
            sock,
            stream: StreamState::new(domain, TemplatePolicy::Refresh(refresh)),
            mtu,
            stats: CollectorStats {
                name,
                sessions: 1,
                ..CollectorStats::default()
            },
            datagram: Vec::with_capacity(mtu),
        })
    }

    pub(crate) fn send(&mut self, msg: &Outgoing<'_>, now: Instant, export_time: u32) {
        let (bodies, n) = self.stream.templates_before(msg, now, self.mtu);
        self.stats.templates += n;
        for (body, records) in bodies {
            self.datagram(&body, records, export_time, true);
        }
        self.datagram(msg.sets, msg.records, export_time, false);
    }

    /// UDP never withdraws (RFC 7011 §8.4); the template just stops being
    /// refreshed.
    pub(crate) fn withdraw(&mut self, id: u16) {
        let _ = self.stream.withdraw(id);
    }

    /// Sends one message; once more at once if it was refused for an
    /// earlier datagram and `again` (see the module's documentation).
    fn datagram(&mut self, sets: &[u8], records: u32, export_time: u32, again: bool) {
        let h = self.stream.header(sets.len(), records, export_time);
        self.datagram.clear();
        self.datagram.extend_from_slice(&h);
        self.datagram.extend_from_slice(sets);
        let mut sent = self.sock.send(&self.datagram);
        let refused = matches!(&sent, Err(e) if e.kind() == io::ErrorKind::ConnectionRefused);
        if again && refused {
            self.stats.last_error = sent.as_ref().err().map(ToString::to_string);
            sent = self.sock.send(&self.datagram);
        }
        match sent {
            Ok(_) => {
                self.stats.messages += 1;
                self.stats.records += u64::from(records);
                self.stats.bytes += (HEADER_LEN + sets.len()) as u64;
            }
            Err(e) => {
                self.stream.unsent(records);
                self.stats.dropped_messages += 1;
                self.stats.dropped_records += u64::from(records);
                self.stats.last_error = Some(e.to_string());
            }
        }
    }

    pub(crate) fn stats(&self) -> CollectorStats {
        self.stats.clone()
    }
}
