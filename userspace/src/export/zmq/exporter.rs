//! The exporter's socket and message framing (libzmq, through the `zmq`
//! crate): see the parent module.

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{
    encode_flow, header, tlv, InterfaceInfo, ZmqFormat, ZmqOptions, ZmqReport, MAX_PAYLOAD,
};
use crate::features::FlowFeatures;
use crate::flow::FlowRecord;

/// How long closing the socket waits for queued messages to leave.
const LINGER_MS: i32 = 2_000;

/// The exporter: PF_RING FT's ZMQ export (`pfring_ft_zmq_export_configure`
/// is [`ZmqExporter::configure`], `pfring_ft_zmq_export_flow`
/// [`ZmqExporter::export_flow`], `pfring_ft_zmq_export_stats`
/// [`ZmqExporter::export_stats`]).
pub struct ZmqExporter {
    // Declared before the context: the socket closes first.
    socket: zmq::Socket,
    _context: zmq::Context,
    options: ZmqOptions,
    /// Records of the message being assembled, and how many.
    pending: Vec<u8>,
    pending_records: u64,
    msg_id: u32,
    report: ZmqReport,
    /// Packets and bytes of the flows exported (the `event` totals).
    totals: (u64, u64),
    started: Instant,
    next_stats: Instant,
}

impl ZmqExporter {
    /// Opens the socket as `o` says (binds, or connects in probe mode), then
    /// waits up to `o.wait_subscriber` for a subscriber.
    pub fn open(o: ZmqOptions) -> Result<ZmqExporter, String> {
        let context = zmq::Context::new();
        let mut socket = context.socket(zmq::XPUB).map_err(|e| e.to_string())?;
        socket.set_linger(LINGER_MS).map_err(|e| e.to_string())?;
        set_nodrop(&mut socket)?;
        if let Some(server) = &o.server_key {
            let mine = zmq::CurveKeyPair::new().map_err(|e| format!("CURVE keys: {e}"))?;
            socket
                .set_curve_serverkey(server)
                .map_err(|e| format!("CURVE: {e}"))?;
            socket
                .set_curve_publickey(&mine.public_key)
                .map_err(|e| format!("CURVE: {e}"))?;
            socket
                .set_curve_secretkey(&mine.secret_key)
                .map_err(|e| format!("CURVE: {e}"))?;
        }
        let attach = if o.probe_mode {
            socket.connect(&o.endpoint)
        } else {
            socket.bind(&o.endpoint)
        };
        attach.map_err(|e| e.to_string())?;
        let now = Instant::now();
        let mut x = ZmqExporter {
            socket,
            _context: context,
            next_stats: now + o.stats_every,
            options: o,
            pending: Vec::with_capacity(MAX_PAYLOAD),
            pending_records: 0,
            msg_id: 0,
            report: ZmqReport::default(),
            totals: (0, 0),
            started: now,
        };
        x.wait_for_subscriber();
        Ok(x)
    }

    /// [`ZmqExporter::open`] with PF_RING FT's arguments: `endpoint`, the
    /// collector's CURVE key, probe mode, compression off, JSON instead of
    /// TLV; the other settings as `--zmq`'s defaults.
    pub fn configure(
        endpoint: &str,
        server_public_key: Option<[u8; 32]>,
        probe_mode: bool,
        disable_compression: bool,
        use_json: bool,
    ) -> Result<ZmqExporter, String> {
        ZmqExporter::open(ZmqOptions {
            endpoint: endpoint.to_string(),
            probe_mode,
            format: if use_json {
                ZmqFormat::Json
            } else {
                ZmqFormat::Tlv
            },
            compress: !disable_compression,
            server_key: server_public_key,
            source_id: std::process::id(),
            wait_subscriber: Duration::from_secs(1),
            stats_every: Duration::from_secs(10),
            interface: InterfaceInfo::default(),
            timeouts: (30, 120),
        })
    }

    /// The endpoint the socket bound or connected to (the port chosen, when
    /// `:*` or `:0` was given).
    pub fn endpoint(&self) -> String {
        self.socket
            .get_last_endpoint()
            .ok()
            .and_then(Result::ok)
            .unwrap_or_else(|| self.options.endpoint.clone())
    }

    /// Waits up to `wait_subscriber` for a subscription to arrive.
    fn wait_for_subscriber(&mut self) {
        let wait = self.options.wait_subscriber;
        if wait.is_zero() {
            return;
        }
        let until = Instant::now() + wait;
        while Instant::now() < until {
            let left = until.saturating_duration_since(Instant::now());
            let ms = i64::try_from(left.as_millis()).unwrap_or(i64::MAX).max(1);
            if matches!(self.socket.poll(zmq::POLLIN, ms), Ok(n) if n > 0) {
                if let Ok(m) = self.socket.recv_bytes(zmq::DONTWAIT) {
                    if m.first() == Some(&1) {
                        return;
                    }
                }
            }
        }
    }

    /// Exports one flow (`pfring_ft_zmq_export_flow`): encodes it in the
    /// exporter's format and queues it.
    pub fn export_flow(&mut self, rec: &FlowRecord, features: &FlowFeatures) {
        let mut one = Vec::new();
        encode_flow(self.options.format, rec, features, &mut one);
        let packets = rec.dirs.iter().map(|d| d.packets).sum();
        let bytes = rec.dirs.iter().map(|d| d.ip_bytes).sum();
        self.put_encoded(&one, packets, bytes);
    }

    /// Queues one flow encoded by [`encode_flow`] (`packets` and `bytes`:
    /// its counts, for the `event` totals); a full message is sent first.
    pub fn put_encoded(&mut self, record: &[u8], packets: u64, bytes: u64) {
        self.report.records += 1;
        self.totals.0 += packets;
        self.totals.1 += bytes;
        if self.pending_records > 0 && self.pending.len() + record.len() + 1 > MAX_PAYLOAD {
            self.send_flows();
        }
        if self.options.format == ZmqFormat::Json {
            self.pending.push(if self.pending_records == 0 {
                b'['
            } else {
                b','
            });
        }
        self.pending.extend_from_slice(record);
        self.pending_records += 1;
        self.stats_if_due();
    }

    /// Sends the message being assembled (the writer calls it when idle),
    /// and the `event` message when due.
    pub fn flush(&mut self) {
        if self.pending_records > 0 {
            self.send_flows();
        }
        self.stats_if_due();
    }

    fn stats_if_due(&mut self) {
        if Instant::now() >= self.next_stats {
            self.next_stats = Instant::now() + self.options.stats_every;
            let i = self.options.interface.clone();
            self.export_stats(&i.name, i.speed_mbps, &i.ip, &i.management_ip);
        }
    }

    /// Sends the probe's counters on topic `event`
    /// (`pfring_ft_zmq_export_stats`): the interface, the totals of the flows
    /// exported, the timeouts ntopng should expire them by, and the drops.
    pub fn export_stats(
        &mut self,
        if_name: &str,
        if_speed_mbps: u64,
        if_ip: &str,
        management_ip: &str,
    ) {
        let (idle, lifetime) = self.options.timeouts;
        let secs = self.started.elapsed().as_secs_f64().max(1.0);
        let event = json!({
            "time": crate::time::now().secs(),
            "packets": self.totals.0,
            "bytes": self.totals.1,
            "packet_drops": 0,
            "iface": { "name": if_name, "speed": if_speed_mbps, "ip": if_ip },
            "probe": {
                "ip": management_ip,
                "version": concat!("sluice ", env!("CARGO_PKG_VERSION")),
                "osname": std::env::consts::OS,
                "unique_source_id": self.options.source_id,
            },
            "avg": { "bps": (self.totals.1 as f64 * 8.0 / secs) as u64, "pps": (self.totals.0 as f64 / secs) as u64 },
            "timeout": { "lifetime": lifetime, "idle": idle, "collected_lifetime": lifetime },
            "drops": { "export_queue_full": self.report.dropped_records, "too_many_flows": 0 },
            "zmq": { "num_flow_exports": self.report.records, "num_zmq_exporters": 1 },
        });
        let payload = event.to_string().into_bytes();
        let h = header::v2(
            "event",
            header::VERSION_JSON,
            payload.len(),
            self.next_id(),
            self.options.source_id,
        );
        self.send(&h, &payload, 0);
    }

    /// Frames, compresses and sends the pending records on topic `flow`.
    fn send_flows(&mut self) {
        let records = std::mem::take(&mut self.pending_records);
        let mut body = std::mem::replace(&mut self.pending, Vec::with_capacity(MAX_PAYLOAD));
        let id = self.next_id();
        let src = self.options.source_id;
        match (self.options.format, self.options.compress) {
            (ZmqFormat::Tlv, false) => {
                let mut payload = tlv::MESSAGE_START.to_vec();
                payload.extend_from_slice(&body);
                let h = header::v2("flow", header::VERSION_TLV, payload.len(), id, src);
                self.send(&h, &payload, records);
            }
            (ZmqFormat::Tlv, true) => {
                let mut plain = tlv::MESSAGE_START.to_vec();
                plain.extend_from_slice(&body);
                let payload = zlib(&plain, Vec::new());
                let flags = header::FLAG_TLV | header::FLAG_COMPRESSED;
                let h = header::v3("flow", flags, plain.len(), id, src);
                self.send(&h, &payload, records);
            }
            (ZmqFormat::Json, compress) => {
                body.push(b']');
                let payload = if compress { zlib(&body, vec![0]) } else { body };
                let h = header::v2("flow", header::VERSION_JSON, payload.len(), id, src);
                self.send(&h, &payload, records);
            }
        }
    }

    /// The next message id: every message of every topic takes one, sent
    /// or not, so a refused message is a gap ntopng counts.
    fn next_id(&mut self) -> u32 {
        self.msg_id = self.msg_id.wrapping_add(1);
        self.msg_id
    }

    /// Sends header and payload as one two-part message, without waiting.
    fn send(&mut self, header: &[u8], payload: &[u8], records: u64) {
        let sent = self
            .socket
            .send(header, zmq::SNDMORE | zmq::DONTWAIT)
            .and_then(|()| self.socket.send(payload, zmq::DONTWAIT));
        match sent {
            Ok(()) => {
                self.report.messages += 1;
                self.report.sent_records += records;
                self.report.bytes += payload.len() as u64;
            }
            Err(_) => {
                self.report.dropped_messages += 1;
                self.report.dropped_records += records;
            }
        }
        // Subscriptions arrive as messages on an XPUB: take them off.
        while self.socket.recv_bytes(zmq::DONTWAIT).is_ok() {}
    }

    /// The payload encoding.
    pub fn format(&self) -> ZmqFormat {
        self.options.format
    }

    /// The counters so far.
    pub fn report(&self) -> &ZmqReport {
        &self.report
    }

    /// Sends what is pending and a last `event`, and closes the socket
    /// (waiting up to 2 s for queued messages to leave).
    pub fn finish(mut self) -> ZmqReport {
        if self.pending_records > 0 {
            self.send_flows();
        }
        let i = self.options.interface.clone();
        self.export_stats(&i.name, i.speed_mbps, &i.ip, &i.management_ip);
        self.report.clone()
    }
}

/// `prefix` followed by the zlib stream (RFC 1950) of `data`.
fn zlib(data: &[u8], prefix: Vec<u8>) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(prefix, flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = z.write_all(data);
    z.finish().unwrap_or_default()
}

/// `ZMQ_XPUB_NODROP`: a full queue fails the send instead of dropping it
/// silently (the `zmq` crate has no setter for it).
#[allow(unsafe_code)]
fn set_nodrop(socket: &mut zmq::Socket) -> Result<(), String> {
    let on: libc::c_int = 1;
    // SAFETY: the socket pointer is live for the call; the option value is
    // an int read by libzmq during the call only.
    let rc = unsafe {
        zmq_sys::zmq_setsockopt(
            socket.as_mut_ptr(),
            zmq_sys::ZMQ_XPUB_NODROP as libc::c_int,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>(),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(format!(
            "ZMQ_XPUB_NODROP: {}",
            std::io::Error::last_os_error()
        ))
    }
}
