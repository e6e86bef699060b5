//! A small layer over `prometheus-client`'s descriptor encoder: one call per
//! metric family, with its samples as (label values, value) pairs.

use prometheus_client::encoding::{DescriptorEncoder, EncodeCounterValue, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;

/// Where a snapshot writes its families. Names are given whole
/// (`sluice_...`); counters get their `_total` suffix from the encoder.
pub struct Families<'a> {
    encoder: DescriptorEncoder<'a>,
}

impl<'a> Families<'a> {
    pub(super) fn new(encoder: DescriptorEncoder<'a>) -> Self {
        Families { encoder }
    }

    /// A counter family without labels.
    pub fn counter(&mut self, name: &str, help: &str, value: u64) -> std::fmt::Result {
        let e = self
            .encoder
            .encode_descriptor(name, help, None, MetricType::Counter)?;
        ConstCounter::new(value).encode(e)
    }

    /// A gauge family without labels.
    pub fn gauge(&mut self, name: &str, help: &str, value: f64) -> std::fmt::Result {
        let e = self
            .encoder
            .encode_descriptor(name, help, None, MetricType::Gauge)?;
        ConstGauge::new(value).encode(e)
    }

    /// A counter family with one label `label`: one sample per (value, count).
    pub fn counters<I, V, N>(
        &mut self,
        name: &str,
        help: &str,
        label: &str,
        samples: I,
    ) -> std::fmt::Result
    where
        I: IntoIterator<Item = (V, N)>,
        V: AsRef<str>,
        N: EncodeCounterValue + std::fmt::Debug,
    {
        let mut e = self
            .encoder
            .encode_descriptor(name, help, None, MetricType::Counter)?;
        for (v, n) in samples {
            let labels = [(label, v.as_ref())];
            ConstCounter::new(n).encode(e.encode_family(&labels)?)?;
        }
        Ok(())
    }

    /// A counter family with two labels.
    pub fn counters2<I, V, W>(
        &mut self,
        name: &str,
        help: &str,
        labels: [&str; 2],
        samples: I,
    ) -> std::fmt::Result
    where
        I: IntoIterator<Item = (V, W, u64)>,
        V: AsRef<str>,
        W: AsRef<str>,
    {
        let mut e = self
            .encoder
            .encode_descriptor(name, help, None, MetricType::Counter)?;
        for (a, b, n) in samples {
            let set = [(labels[0], a.as_ref()), (labels[1], b.as_ref())];
            ConstCounter::new(n).encode(e.encode_family(&set)?)?;
        }
        Ok(())
    }

    /// A gauge family with one label.
    pub fn gauges<I, V>(
        &mut self,
        name: &str,
        help: &str,
        label: &str,
        samples: I,
    ) -> std::fmt::Result
    where
        I: IntoIterator<Item = (V, f64)>,
        V: AsRef<str>,
    {
        let mut e = self
            .encoder
            .encode_descriptor(name, help, None, MetricType::Gauge)?;
        for (v, x) in samples {
            let labels = [(label, v.as_ref())];
            ConstGauge::new(x).encode(e.encode_family(&labels)?)?;
        }
        Ok(())
    }
}
