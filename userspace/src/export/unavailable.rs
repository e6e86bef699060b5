//! Builds without the `streams` feature (the fuzz targets, which cannot
//! build librdkafka and libzmq under their sanitizers): the Kafka and ZMQ
//! outputs are types with no value, so an output of theirs can never be
//! opened (`open` says why) and every `Option` of one is `None`.

use std::time::Duration;

use super::kafka::{KafkaOptions, KafkaReport};
use super::zmq::{ZmqFormat, ZmqOptions, ZmqReport};
use crate::features::FlowFeatures;
use crate::flow::FlowRecord;

const WHY: &str = "this build of Sluice has no `streams` feature (Kafka and ZMQ)";

/// The Kafka producer, absent from this build.
pub enum KafkaSink {}

impl KafkaSink {
    /// Always fails: see the module documentation.
    pub fn open(_: &KafkaOptions, _: Duration) -> Result<KafkaSink, String> {
        Err(WHY.into())
    }

    /// Never called: there is no value.
    pub fn put(&mut self, _: &[u8], _: &[u8]) {
        match *self {}
    }

    /// Never called: there is no value.
    pub fn report(&self) -> KafkaReport {
        match *self {}
    }

    /// Never called: there is no value.
    pub fn finish(self) -> KafkaReport {
        match self {}
    }
}

/// The ZMQ exporter, absent from this build.
pub enum ZmqExporter {}

impl ZmqExporter {
    /// Always fails: see the module documentation.
    pub fn open(_: ZmqOptions) -> Result<ZmqExporter, String> {
        Err(WHY.into())
    }

    /// Never called: there is no value.
    pub fn endpoint(&self) -> String {
        match *self {}
    }

    /// Never called: there is no value.
    pub fn export_flow(&mut self, _: &FlowRecord, _: &FlowFeatures) {
        match *self {}
    }

    /// Never called: there is no value.
    pub fn put_encoded(&mut self, _: &[u8], _: u64, _: u64) {
        match *self {}
    }

    /// Never called: there is no value.
    pub fn flush(&mut self) {
        match *self {}
    }

    /// Never called: there is no value.
    pub fn format(&self) -> ZmqFormat {
        match *self {}
    }

    /// Never called: there is no value.
    pub fn report(&self) -> &ZmqReport {
        match *self {}
    }

    /// Never called: there is no value.
    pub fn finish(self) -> ZmqReport {
        match self {}
    }
}
