//! Flow records to Kafka (`--kafka BROKERS/TOPIC`), through librdkafka (the
//! `rdkafka` crate, which builds its bundled, current librdkafka).
//!
//! Each record is one message: the value is its JSON line (without the
//! `\n`), the key its Community ID, so every record of one flow (slices and
//! the final one) lands in one partition, in order. The producer is
//! idempotent when every replica must acknowledge (`--kafka-acks all`, the
//! default): librdkafka's own retries then never duplicate a message, and
//! Sluice never retries a message itself.
//!
//! Nothing is lost silently: a record the producer's bounded queue cannot
//! take is counted (`dropped`), a delivery the broker refused or that timed
//! out is counted (`failed`), and what is still queued when the run ends
//! after `flush_timeout` is counted (`undelivered`); records = delivered +
//! failed + dropped + undelivered once the run has ended.

use std::time::Duration;

use serde_json::{json, Value};

#[cfg(feature = "streams")]
mod producer;
#[cfg(not(feature = "streams"))]
pub use crate::export::unavailable::KafkaSink;
#[cfg(feature = "streams")]
pub use producer::KafkaSink;

/// Message compression (`--kafka-compression`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compression {
    /// None (the default, as Kafka's own producers): compression costs
    /// the probe CPU per record (lz4: about 0.45 of a plain read's CPU time
    /// on the big capture, docs/benchmarks.md).
    #[default]
    None,
    /// gzip.
    Gzip,
    /// LZ4.
    Lz4,
    /// Zstandard.
    Zstd,
}

impl Compression {
    /// librdkafka's `compression.codec` name.
    pub fn codec(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }

    /// Parses `none`, `gzip`, `lz4` or `zstd`.
    pub fn parse(s: &str) -> Option<Compression> {
        Some(match s {
            "none" => Compression::None,
            "gzip" => Compression::Gzip,
            "lz4" => Compression::Lz4,
            "zstd" => Compression::Zstd,
            _ => return None,
        })
    }
}

/// How many replicas acknowledge a message (`--kafka-acks`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Acks {
    /// None: fire and forget.
    None,
    /// The partition leader.
    Leader,
    /// Every in-sync replica (idempotent delivery).
    #[default]
    All,
}

impl Acks {
    /// Parses `0`, `1` or `all`.
    pub fn parse(s: &str) -> Option<Acks> {
        Some(match s {
            "0" => Acks::None,
            "1" => Acks::Leader,
            "all" | "-1" => Acks::All,
            _ => return None,
        })
    }

    /// librdkafka's `acks` value.
    pub fn config(self) -> &'static str {
        match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        }
    }
}

/// Where and how to produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaOptions {
    /// Bootstrap brokers, `host:port[,host:port...]`.
    pub brokers: String,
    /// The topic.
    pub topic: String,
    /// Message compression.
    pub compression: Compression,
    /// Acknowledgements.
    pub acks: Acks,
    /// Messages the producer keeps while the broker is slow or down; more
    /// are dropped and counted.
    pub queue: u32,
    /// How long a message may wait to fill a batch (librdkafka `linger.ms`).
    pub linger: Duration,
    /// How long a message may wait for delivery before it counts as failed.
    pub delivery_timeout: Duration,
    /// How long the end of the run waits for queued messages to be delivered.
    pub flush_timeout: Duration,
}

impl KafkaOptions {
    /// `BROKERS/TOPIC` split, with the other settings at their defaults.
    pub fn parse(value: &str) -> Result<KafkaOptions, String> {
        let (brokers, topic) = value
            .rsplit_once('/')
            .ok_or("expected BROKERS/TOPIC, e.g. 127.0.0.1:9092/flows")?;
        if brokers.is_empty() || brokers.split(',').any(|b| !valid_broker(b)) {
            return Err("each broker must be HOST:PORT".into());
        }
        let topic_ok = !topic.is_empty()
            && topic.len() <= 249
            && topic
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !topic_ok {
            return Err("a topic is 1 to 249 of [A-Za-z0-9._-]".into());
        }
        Ok(KafkaOptions {
            brokers: brokers.to_string(),
            topic: topic.to_string(),
            compression: Compression::default(),
            acks: Acks::default(),
            queue: 100_000,
            linger: Duration::from_millis(20),
            delivery_timeout: Duration::from_secs(300),
            flush_timeout: Duration::from_secs(10),
        })
    }
}

fn valid_broker(b: &str) -> bool {
    b.rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0))
}

/// What the Kafka output did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KafkaReport {
    /// Records handed to the producer.
    pub records: u64,
    /// Records the broker acknowledged.
    pub delivered: u64,
    /// Records whose delivery failed (refused, or timed out).
    pub failed: u64,
    /// Records the full producer queue could not take (`kafka_dropped_records`).
    pub dropped: u64,
    /// Records still queued when the run ended.
    pub undelivered: u64,
    /// Records queued in the producer now (live reports).
    pub queued: u64,
    /// The first delivery error, if any.
    pub first_error: Option<String>,
}

impl KafkaReport {
    /// Records lost on the way to the broker.
    pub fn lost(&self) -> u64 {
        self.failed + self.dropped + self.undelivered
    }

    /// What was lost, in words, if anything.
    pub fn losses(&self) -> Option<String> {
        (self.lost() > 0).then(|| {
            format!(
                "{} Kafka records lost ({} dropped from a full queue, {} failed, {} undelivered at exit{})",
                self.lost(),
                self.dropped,
                self.failed,
                self.undelivered,
                self.first_error
                    .as_deref()
                    .map(|e| format!("; first error: {e}"))
                    .unwrap_or_default()
            )
        })
    }

    /// The report as JSON (for `--stats`).
    pub fn to_json(&self) -> Value {
        json!({
            "records": self.records,
            "delivered": self.delivered,
            "failed": self.failed,
            "kafka_dropped_records": self.dropped,
            "undelivered": self.undelivered,
            "queued": self.queued,
            "first_error": self.first_error,
        })
    }
}

impl std::fmt::Display for KafkaReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "  kafka: {} records, {} delivered, {} failed, {} dropped (queue full), {} undelivered",
            self.records, self.delivered, self.failed, self.dropped, self.undelivered
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brokers_and_topic() {
        let o = KafkaOptions::parse("127.0.0.1:9092,[::1]:9093/flows.v1").unwrap();
        assert_eq!(
            (o.brokers.as_str(), o.topic.as_str()),
            ("127.0.0.1:9092,[::1]:9093", "flows.v1")
        );
        for bad in [
            "flows",
            "127.0.0.1/flows",
            "h:0/t",
            "h:1/",
            ":1/t",
            "h:1/a b",
        ] {
            assert!(KafkaOptions::parse(bad).is_err(), "{bad}");
        }
    }
}
