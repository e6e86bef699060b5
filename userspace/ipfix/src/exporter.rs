//! The exporter: one observation domain, its templates, its collectors and
//! the message being assembled (ipfixlolib's `ipfix_exporter`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::element_types::{self, ElementInfo};
use crate::error::ExportError;
use crate::message::{alone_len, MessageBuilder};
use crate::record::DataSet;
use crate::stream::{Definitions, Outgoing};
use crate::template::Template;
use crate::transport::file::FileCollector;
use crate::transport::tcp::{TcpCollector, TcpConfig};
use crate::transport::udp::UdpCollector;
use crate::transport::{export_time_now, Collector, CollectorSpec, CollectorStats};

/// Exporter settings.
#[derive(Clone, Copy, Debug)]
pub struct ExporterConfig {
    /// Observation domain id (ipfixlolib's source id).
    pub domain: u32,
    /// Largest message, header included (the path MTU less IP and UDP
    /// headers for UDP). 64..=65535.
    pub mtu: usize,
    /// How often UDP collectors get the templates again.
    pub template_refresh: Duration,
    /// TCP queue, backoff and drain settings.
    pub tcp: TcpConfig,
}

impl Default for ExporterConfig {
    fn default() -> ExporterConfig {
        ExporterConfig {
            domain: 0,
            mtu: 1400,
            template_refresh: Duration::from_secs(60),
            tcp: TcpConfig::default(),
        }
    }
}

/// Identifies a collector of an exporter.
pub type CollectorId = usize;

/// Counters of an exporter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExporterStats {
    /// Data records ended.
    pub records: u64,
    /// Records refused because one alone exceeds the maximum message size.
    pub too_large: u64,
    /// Records in messages assembled while no collector was attached.
    pub unsent: u64,
    /// Each collector's counters (removed collectors included).
    pub collectors: Vec<CollectorStats>,
}

/// An IPFIX exporter.
pub struct Exporter {
    cfg: ExporterConfig,
    templates: Arc<Definitions>,
    builder: MessageBuilder,
    collectors: Vec<Option<Collector>>,
    removed: Vec<CollectorStats>,
    records: u64,
    too_large: u64,
    unsent: u64,
}

impl Exporter {
    /// An exporter for observation domain `domain` with default settings
    /// (ipfixlolib's `ipfix_init_exporter`).
    pub fn new(domain: u32) -> Exporter {
        Exporter::build(ExporterConfig {
            domain,
            ..ExporterConfig::default()
        })
    }

    /// An exporter with `cfg`; fails on an MTU outside 64..=65535.
    pub fn with_config(cfg: ExporterConfig) -> Result<Exporter, ExportError> {
        if !(64..=65535).contains(&cfg.mtu) {
            return Err(ExportError::BadCollector {
                spec: format!("mtu {}", cfg.mtu),
                why: "the maximum message size must be 64..=65535".into(),
            });
        }
        Ok(Exporter::build(cfg))
    }

    fn build(cfg: ExporterConfig) -> Exporter {
        Exporter {
            builder: MessageBuilder::new(cfg.mtu),
            cfg,
            templates: Arc::new(Definitions::default()),
            collectors: Vec::new(),
            removed: Vec::new(),
            records: 0,
            too_large: 0,
            unsent: 0,
        }
    }

    /// The settings.
    pub fn config(&self) -> &ExporterConfig {
        &self.cfg
    }

    /// Adds a collector (ipfixlolib's `ipfix_add_collector`). A file is
    /// created now; a UDP socket is connected now; a TCP collector connects
    /// in the background and retries until it answers.
    pub fn add_collector(&mut self, spec: &CollectorSpec) -> Result<CollectorId, ExportError> {
        let (domain, mtu) = (self.cfg.domain, self.cfg.mtu);
        let c = match spec {
            CollectorSpec::Udp(a) => Collector::Udp(UdpCollector::open(
                *a,
                domain,
                self.cfg.template_refresh,
                mtu,
            )?),
            CollectorSpec::Tcp(a) => {
                Collector::Tcp(TcpCollector::start(*a, domain, mtu, self.cfg.tcp).map_err(
                    |err| ExportError::Io {
                        collector: spec.name(),
                        err,
                    },
                )?)
            }
            CollectorSpec::File {
                path,
                rotate_bytes,
                rotate_every,
            } => Collector::File(FileCollector::create(
                path,
                *rotate_bytes,
                *rotate_every,
                domain,
                mtu,
            )?),
        };
        self.collectors.push(Some(c));
        Ok(self.collectors.len() - 1)
    }

    /// Sends what is pending to it, then removes and closes a collector
    /// (ipfixlolib's `ipfix_remove_collector`); returns its final counters.
    pub fn remove_collector(&mut self, id: CollectorId) -> Result<CollectorStats, ExportError> {
        if !matches!(self.collectors.get(id), Some(Some(_))) {
            return Err(ExportError::UnknownCollector(id));
        }
        self.send();
        let c = self
            .collectors
            .get_mut(id)
            .and_then(Option::take)
            .ok_or(ExportError::UnknownCollector(id))?;
        let stats = c.close();
        self.removed.push(stats.clone());
        Ok(stats)
    }

    /// Defines (or redefines) a template. Collectors get it before the
    /// first data set that uses it; a redefinition is withdrawn first where
    /// the transport withdraws (TCP, files).
    pub fn add_template(&mut self, t: Template) -> Result<(), ExportError> {
        t.validate()?;
        let need = alone_len(t.record_len());
        if need > self.cfg.mtu {
            return Err(ExportError::BadTemplate {
                template: t.id(),
                why: format!(
                    "the template needs a {need}-byte message, more than the maximum {}",
                    self.cfg.mtu
                ),
            });
        }
        if self
            .templates
            .preamble
            .as_ref()
            .is_some_and(|p| p.template.id() == t.id())
        {
            return Err(ExportError::BadTemplate {
                template: t.id(),
                why: "already used by the element type records".into(),
            });
        }
        if self
            .templates
            .templates
            .get(&t.id())
            .is_some_and(|old| **old == t)
        {
            return Ok(());
        }
        // Records of the old definition leave with the old definition.
        if self.templates.templates.contains_key(&t.id()) {
            self.send();
        }
        Arc::make_mut(&mut self.templates)
            .templates
            .insert(t.id(), Arc::new(t));
        Ok(())
    }

    /// Describes enterprise elements to collectors with RFC 5610 element
    /// type records (options template `template_id`), sent at the start of
    /// every session, before the templates. Replaces an earlier description.
    pub fn describe_elements(
        &mut self,
        template_id: u16,
        elements: &[ElementInfo],
    ) -> Result<(), ExportError> {
        if self.templates.templates.contains_key(&template_id) {
            return Err(ExportError::BadTemplate {
                template: template_id,
                why: "already used by a template".into(),
            });
        }
        let p = element_types::build(template_id, elements, self.cfg.mtu)?;
        Arc::make_mut(&mut self.templates).preamble = Some(Arc::new(p));
        Ok(())
    }

    /// Every template defined, by id.
    pub(crate) fn template_map(&self) -> &std::collections::HashMap<u16, Arc<Template>> {
        &self.templates.templates
    }

    /// The template with id `id`, if defined.
    pub fn template(&self, id: u16) -> Option<&Template> {
        self.templates.templates.get(&id).map(|t| &**t)
    }

    /// Removes a template and withdraws it from every collector that was
    /// sent it (TCP and files; UDP collectors just stop getting it)
    /// (ipfixlolib's `ipfix_remove_template_set`). Pending records are sent
    /// first.
    pub fn remove_template(&mut self, id: u16) -> Result<(), ExportError> {
        if !self.templates.templates.contains_key(&id) {
            return Err(ExportError::UnknownTemplate(id));
        }
        self.send();
        Arc::make_mut(&mut self.templates).templates.remove(&id);
        let t = export_time_now();
        for c in self.collectors.iter_mut().flatten() {
            c.withdraw(id, t);
        }
        Ok(())
    }

    /// Starts (or continues) a data set of template `id` (ipfixlolib's
    /// `ipfix_start_data_set`).
    pub fn start_data_set(&mut self, id: u16) -> Result<DataSet<'_>, ExportError> {
        let tpl = self
            .templates
            .templates
            .get(&id)
            .cloned()
            .ok_or(ExportError::UnknownTemplate(id))?;
        Ok(DataSet::new(self, tpl))
    }

    /// Sends the message being assembled, if any, to every collector
    /// (ipfixlolib's `ipfix_send`): each gets the templates it lacks first
    /// (or all of them again when a UDP refresh is due).
    pub fn send(&mut self) {
        if self.builder.is_empty() {
            return;
        }
        let (sets, records, templates) = self.builder.finish();
        self.records += u64::from(records);
        if !sets.is_empty() {
            let msg = Outgoing {
                sets,
                records,
                templates,
                defined: &self.templates,
            };
            let (now, t) = (Instant::now(), export_time_now());
            let mut any = false;
            for c in self.collectors.iter_mut().flatten() {
                c.send(&msg, now, t);
                any = true;
            }
            if !any {
                self.unsent += u64::from(records);
            }
        }
        self.builder.clear();
    }

    /// Sends the pending message and flushes file collectors.
    pub fn flush(&mut self) {
        self.send();
        for c in self.collectors.iter_mut().flatten() {
            c.flush();
        }
    }

    /// Sends the pending message, then closes every file collector and opens
    /// it again (SIGHUP, the logrotate convention): a file that was renamed
    /// is complete, and the new file under the old name starts a new session
    /// with the templates its data needs. Network collectors are untouched.
    pub fn reopen_files(&mut self) {
        self.send();
        for c in self.collectors.iter_mut().flatten() {
            c.reopen();
        }
    }

    /// Data records ended so far (cheap; [`Exporter::stats`] has more).
    pub fn records(&self) -> u64 {
        self.records + u64::from(self.builder.records())
    }

    /// The counters so far.
    pub fn stats(&self) -> ExporterStats {
        let mut collectors = self.removed.clone();
        collectors.extend(self.collectors.iter().flatten().map(Collector::stats));
        ExporterStats {
            records: self.records + u64::from(self.builder.records()),
            too_large: self.too_large,
            unsent: self.unsent,
            collectors,
        }
    }

    /// Sends what is pending and closes every collector (TCP collectors get
    /// up to their drain timeout); returns the final counters
    /// (ipfixlolib's `ipfix_deinit_exporter`).
    pub fn close(mut self) -> ExporterStats {
        self.close_all()
    }

    fn close_all(&mut self) -> ExporterStats {
        self.send();
        let ids: Vec<usize> = (0..self.collectors.len()).collect();
        for id in ids {
            if let Some(c) = self.collectors.get_mut(id).and_then(Option::take) {
                self.removed.push(c.close());
            }
        }
        self.stats()
    }

    pub(crate) fn builder_mut(&mut self) -> &mut MessageBuilder {
        &mut self.builder
    }

    pub(crate) fn count_too_large(&mut self) {
        self.too_large += 1;
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        if self.collectors.iter().any(Option::is_some) {
            self.close_all();
        }
    }
}
