//! Options of the outputs that feed users' pipelines, shared by
//! `sluice capture` and `sluice read`: Kafka (`--kafka`) and ZMQ to ntopng
//! (`--zmq`). Both are opened here, before anything is attached or read, so
//! a bad value or an endpoint that cannot be bound stops the run at once.
//!
//! librdkafka and libzmq start threads of their own when opened, before the
//! run drops its privileges; so they are opened from a thread that has
//! already dropped its own (the privilege plan's thread-start hook), and
//! every thread they start inherits that.

use std::time::Duration;

use clap::Args;

use super::unprivileged;
use crate::error::Error;
use crate::export::kafka::{Acks, Compression, KafkaOptions, KafkaSink};
use crate::export::zmq::{InterfaceInfo, ZmqExporter, ZmqFormat, ZmqOptions};

/// How long opening `--kafka` waits for the brokers' first answer.
const KAFKA_PROBE: Duration = Duration::from_secs(3);

/// Kafka and ZMQ outputs.
#[derive(Args, Debug, Clone)]
pub struct StreamArgs {
    /// Produce every flow record (its JSON line) to Kafka: BROKERS/TOPIC,
    /// brokers HOST:PORT comma-separated; the key is the flow's Community ID.
    #[arg(long, value_name = "BROKERS/TOPIC")]
    pub kafka: Option<String>,
    /// Kafka message compression: none, gzip, lz4 or zstd.
    #[arg(long, default_value = "none", value_name = "CODEC")]
    pub kafka_compression: String,
    /// Replicas that acknowledge each message: 0, 1 or all (all: idempotent).
    #[arg(long, default_value = "all", value_name = "ACKS")]
    pub kafka_acks: String,
    /// Records the producer keeps while the brokers are slow or down; more
    /// are dropped and counted.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub kafka_queue: u32,
    /// Milliseconds a record may wait to fill a batch.
    #[arg(long, default_value_t = 20, value_name = "MS")]
    pub kafka_linger_ms: u64,
    /// Seconds a record may wait for delivery before it counts as failed.
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub kafka_delivery_timeout: u64,
    /// Seconds the end of the run waits for queued records to be delivered.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub kafka_flush_timeout: u64,
    /// Export flows to ntopng over ZMQ: the endpoint to bind (as nProbe's
    /// `--zmq tcp://*:5556`), or with --zmq-probe-mode, or a trailing `c` as
    /// ntopng writes it, the collector's endpoint to connect to.
    #[arg(long, value_name = "ENDPOINT")]
    pub zmq: Option<String>,
    /// Connect to a collector that binds (ntopng `-i tcp://*:5556c`).
    #[arg(long)]
    pub zmq_probe_mode: bool,
    /// Flow encoding: tlv (nDPI's TLV, what ntopng reads) or json (ntopng Pro).
    #[arg(long, default_value = "tlv", value_name = "FORMAT")]
    pub zmq_format: String,
    /// Send payloads uncompressed (needed by ntopng 6.2 and older for TLV).
    #[arg(long)]
    pub zmq_no_compression: bool,
    /// CURVE encryption: ntopng's public key (40 Z85 characters, or the 80
    /// hex digits its web interface shows).
    #[arg(long, value_name = "KEY")]
    pub zmq_server_key: Option<String>,
    /// Source id in every message header (default: the process id); give
    /// each probe feeding one ntopng its own.
    #[arg(long, value_name = "N")]
    pub zmq_source_id: Option<u32>,
    /// Seconds to wait for a subscriber before the first message (default:
    /// 1 in probe mode, 0 when binding).
    #[arg(long, value_name = "SECS")]
    pub zmq_wait: Option<f64>,
    /// Seconds between interface stats messages (topic `event`).
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub zmq_stats_interval: u64,
}

fn bad(option: &'static str, value: &str, why: impl Into<String>) -> Error {
    Error::BadOption {
        option,
        value: value.into(),
        why: why.into(),
    }
}

impl StreamArgs {
    /// The ZMQ exporter and the Kafka producer these options ask for, opened
    /// by threads that ran `hook`; `interface` names the capture in ZMQ's
    /// stats messages, beside the table's `(idle, lifetime)` timeouts.
    pub fn open(
        &self,
        hook: Option<fn()>,
        interface: String,
        timeouts: (u64, u64),
    ) -> Result<(Option<KafkaSink>, Option<ZmqExporter>), Error> {
        let zmq = self.zmq(
            hook,
            InterfaceInfo {
                name: interface,
                ..Default::default()
            },
            timeouts,
        )?;
        Ok((self.kafka(hook)?, zmq))
    }

    /// The Kafka producer `--kafka` asks for, opened by a thread that ran
    /// `hook` first (see the module documentation).
    pub fn kafka(&self, hook: Option<fn()>) -> Result<Option<KafkaSink>, Error> {
        let Some(v) = &self.kafka else {
            return Ok(None);
        };
        let mut o = KafkaOptions::parse(v).map_err(|why| bad("--kafka", v, why))?;
        o.compression = Compression::parse(&self.kafka_compression).ok_or_else(|| {
            bad(
                "--kafka-compression",
                &self.kafka_compression,
                "expected none, gzip, lz4 or zstd",
            )
        })?;
        o.acks = Acks::parse(&self.kafka_acks)
            .ok_or_else(|| bad("--kafka-acks", &self.kafka_acks, "expected 0, 1 or all"))?;
        if self.kafka_queue == 0 {
            return Err(bad("--kafka-queue", "0", "must be at least 1"));
        }
        o.queue = self.kafka_queue;
        o.linger = Duration::from_millis(self.kafka_linger_ms);
        o.delivery_timeout = Duration::from_secs(self.kafka_delivery_timeout.max(1));
        o.flush_timeout = Duration::from_secs(self.kafka_flush_timeout);
        unprivileged(hook, || KafkaSink::open(&o, KAFKA_PROBE))
            .map(Some)
            .map_err(|why| bad("--kafka", v, why))
    }

    /// The ZMQ exporter `--zmq` asks for, bound or connected by a thread
    /// that ran `hook` first; `interface` and the table's `(idle, lifetime)`
    /// timeouts go in its stats messages.
    pub fn zmq(
        &self,
        hook: Option<fn()>,
        interface: InterfaceInfo,
        timeouts: (u64, u64),
    ) -> Result<Option<ZmqExporter>, Error> {
        let Some(v) = &self.zmq else {
            return Ok(None);
        };
        let (endpoint, trailing_c) = endpoint(v).map_err(|why| bad("--zmq", v, why))?;
        let probe_mode = self.zmq_probe_mode || trailing_c;
        let format = match self.zmq_format.as_str() {
            "tlv" => ZmqFormat::Tlv,
            "json" => ZmqFormat::Json,
            f => return Err(bad("--zmq-format", f, "expected tlv or json")),
        };
        let server_key = match &self.zmq_server_key {
            Some(k) => Some(curve_key(k).map_err(|why| bad("--zmq-server-key", k, why))?),
            None => None,
        };
        let wait = match self.zmq_wait {
            Some(s) if s.is_finite() && s >= 0.0 => Duration::from_secs_f64(s),
            Some(s) => {
                return Err(bad(
                    "--zmq-wait",
                    &s.to_string(),
                    "must be 0 or more seconds",
                ))
            }
            None if probe_mode => Duration::from_secs(1),
            None => Duration::ZERO,
        };
        let o = ZmqOptions {
            endpoint,
            probe_mode,
            format,
            compress: !self.zmq_no_compression,
            server_key,
            source_id: self.zmq_source_id.unwrap_or_else(std::process::id),
            wait_subscriber: wait,
            stats_every: Duration::from_secs(self.zmq_stats_interval.max(1)),
            interface,
            timeouts,
        };
        let x = unprivileged(hook, || ZmqExporter::open(o)).map_err(|why| bad("--zmq", v, why))?;
        eprintln!(
            "sluice: zmq: {} {} ({:?}{})",
            if probe_mode { "connected to" } else { "bound" },
            x.endpoint(),
            format,
            if self.zmq_no_compression {
                ""
            } else {
                ", compressed"
            }
        );
        Ok(Some(x))
    }
}

/// The endpoint to give libzmq (`zmq://` is ntopng's alias of `tcp://`),
/// and whether it ended in ntopng's `c` (the collector binds).
fn endpoint(v: &str) -> Result<(String, bool), String> {
    let rest = v
        .strip_prefix("tcp://")
        .or_else(|| v.strip_prefix("zmq://"))
        .ok_or("expected tcp://HOST:PORT (tcp://*:PORT binds every address)")?;
    let (rest, c) = match rest.strip_suffix('c') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let port_ok = rest
        .rsplit_once(':')
        .is_some_and(|(h, p)| !h.is_empty() && (p == "*" || p.parse::<u16>().is_ok()));
    if !port_ok {
        return Err("expected tcp://HOST:PORT (tcp://*:PORT binds every address)".into());
    }
    Ok((format!("tcp://{rest}"), c))
}

/// A CURVE public key: 40 Z85 characters, or 80 hex digits spelling them.
fn curve_key(k: &str) -> Result<[u8; 32], String> {
    let z85 = if k.len() == 80 {
        let bytes: Option<Vec<u8>> = (0..40)
            .map(|i| u8::from_str_radix(k.get(2 * i..2 * i + 2)?, 16).ok())
            .collect();
        String::from_utf8(bytes.ok_or("80 characters but not hex digits")?)
            .map_err(|_| "hex digits that do not spell Z85 text")?
    } else {
        k.to_string()
    };
    if z85.len() != 40 {
        return Err("a CURVE public key is 40 Z85 characters (or 80 hex digits)".into());
    }
    z85_decode(&z85)
}

/// The 32 bytes of a 40-character Z85 key (libzmq's decoder).
#[cfg(feature = "streams")]
fn z85_decode(z85: &str) -> Result<[u8; 32], String> {
    let raw = zmq::z85_decode(z85).map_err(|_| "not Z85 text")?;
    raw.try_into().map_err(|_| "not a 32-byte key".into())
}

/// Without the `streams` feature there is no ZMQ output to give a key to.
#[cfg(not(feature = "streams"))]
fn z85_decode(_: &str) -> Result<[u8; 32], String> {
    Err("this build of Sluice has no `streams` feature (Kafka and ZMQ)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_as_ntopng_writes_them() {
        assert_eq!(
            endpoint("tcp://*:5556").unwrap(),
            ("tcp://*:5556".into(), false)
        );
        assert_eq!(
            endpoint("tcp://127.0.0.1:5556c").unwrap(),
            ("tcp://127.0.0.1:5556".into(), true)
        );
        assert_eq!(
            endpoint("zmq://10.0.0.1:1234").unwrap(),
            ("tcp://10.0.0.1:1234".into(), false)
        );
        for bad in [
            "5556",
            "udp://*:5556",
            "tcp://*",
            "tcp://:1",
            "tcp://h:99999",
        ] {
            assert!(endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    #[cfg(feature = "streams")]
    fn curve_keys_in_z85_or_hex() {
        let pair = zmq::CurveKeyPair::new().unwrap();
        let z85 = zmq::z85_encode(&pair.public_key).unwrap();
        assert_eq!(curve_key(&z85).unwrap(), pair.public_key);
        let hex: String = z85.bytes().map(|b| format!("{b:02x}")).collect();
        assert_eq!(curve_key(&hex).unwrap(), pair.public_key);
        assert!(curve_key("short").is_err());
        assert!(curve_key(&"z".repeat(80)).is_err());
    }
}
