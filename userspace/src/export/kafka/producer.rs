//! The producer (librdkafka, through the `rdkafka` crate): see the parent
//! module for what it promises.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;

use super::{Acks, KafkaOptions, KafkaReport};

/// Delivery reports, counted as the producer's thread receives them.
#[derive(Default)]
struct Deliveries {
    delivered: AtomicU64,
    failed: AtomicU64,
    purged: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl ClientContext for Deliveries {}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.delivered.fetch_add(1, Ordering::Relaxed);
            }
            // Purged at the end of the run: still queued, never sent.
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::PurgeQueue), _))
            | Err((KafkaError::MessageProduction(RDKafkaErrorCode::PurgeInflight), _)) => {
                self.purged.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, _)) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut first) = self.first_error.lock() {
                    first.get_or_insert_with(|| e.to_string());
                }
            }
        }
    }
}

/// The producer of one run (in the writer thread).
pub struct KafkaSink {
    producer: ThreadedProducer<Deliveries>,
    deliveries: Arc<Deliveries>,
    options: KafkaOptions,
    records: u64,
    dropped: u64,
}

impl KafkaSink {
    /// Creates the producer. librdkafka connects in the background: a
    /// broker that is down now only delays delivery (the queue holds what
    /// it can), so this fails only for settings librdkafka refuses. The
    /// brokers are asked for the topic's metadata for up to `probe`; if
    /// they do not answer, a warning says so and the run goes on.
    pub fn open(o: &KafkaOptions, probe: Duration) -> Result<KafkaSink, String> {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &o.brokers)
            .set("client.id", "sluice")
            .set("compression.codec", o.compression.codec())
            .set("acks", o.acks.config())
            .set(
                "enable.idempotence",
                if o.acks == Acks::All { "true" } else { "false" },
            )
            .set("queue.buffering.max.messages", o.queue.to_string())
            .set("linger.ms", o.linger.as_millis().to_string())
            .set(
                "message.timeout.ms",
                o.delivery_timeout.as_millis().to_string(),
            )
            .set("partitioner", "murmur2_random")
            // A broker back from a restart is used within 2 s (librdkafka's
            // default backoff grows to 10 s while the queue fills).
            .set("reconnect.backoff.ms", "100")
            .set("reconnect.backoff.max.ms", "2000");
        let producer: ThreadedProducer<Deliveries> = c
            .create_with_context(Deliveries::default())
            .map_err(|e| e.to_string())?;
        let deliveries = Arc::clone(producer.context());
        if let Err(e) = producer.client().fetch_metadata(Some(&o.topic), probe) {
            eprintln!(
                "sluice: warning: --kafka {}/{}: no answer from the brokers yet ({e}); records are queued until they answer",
                o.brokers, o.topic
            );
        }
        Ok(KafkaSink {
            producer,
            deliveries,
            options: o.clone(),
            records: 0,
            dropped: 0,
        })
    }

    /// Queues one record: `value` its JSON line (without `\n`), `key` its
    /// partitioning key. A full queue drops it (counted).
    pub fn put(&mut self, key: &[u8], value: &[u8]) {
        self.records += 1;
        let record = BaseRecord::to(&self.options.topic).key(key).payload(value);
        if let Err((e, _)) = self.producer.send(record) {
            self.dropped += 1;
            if self.dropped == 1 {
                eprintln!("sluice: kafka: a record was dropped: {e}");
            }
        }
    }

    /// The counters so far.
    pub fn report(&self) -> KafkaReport {
        let d = &self.deliveries;
        KafkaReport {
            records: self.records,
            delivered: d.delivered.load(Ordering::Relaxed),
            failed: d.failed.load(Ordering::Relaxed),
            dropped: self.dropped,
            undelivered: d.purged.load(Ordering::Relaxed),
            queued: u64::try_from(self.producer.in_flight_count()).unwrap_or(0),
            first_error: d.first_error.lock().ok().and_then(|e| e.clone()),
        }
    }

    /// Waits up to `flush_timeout` for every queued record to be delivered,
    /// then purges what is left (counted as undelivered).
    pub fn finish(self) -> KafkaReport {
        // Not `Producer::flush`: with the producer's own thread polling, the
        // crate's flush loop spins a core for as long as it waits.
        let deadline = std::time::Instant::now() + self.options.flush_timeout;
        while self.producer.in_flight_count() > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let KafkaSink {
            producer,
            deliveries,
            records,
            dropped,
            ..
        } = self;
        // Dropping the producer purges its queue; the purged messages'
        // delivery reports arrive before it returns.
        drop(producer);
        let d = &deliveries;
        let delivered = d.delivered.load(Ordering::Relaxed);
        let failed = d.failed.load(Ordering::Relaxed);
        let accounted = delivered + failed + dropped + d.purged.load(Ordering::Relaxed);
        KafkaReport {
            records,
            delivered,
            failed,
            dropped,
            // Whatever no report came for is counted as undelivered too.
            undelivered: d.purged.load(Ordering::Relaxed) + records.saturating_sub(accounted),
            queued: 0,
            first_error: d.first_error.lock().ok().and_then(|e| e.clone()),
        }
    }
}
