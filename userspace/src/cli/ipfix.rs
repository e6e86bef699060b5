//! IPFIX options shared by `sluice capture` and `sluice read`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use sluice_ipfix::{CollectorSpec, ExporterConfig, TcpConfig};

use crate::cli::files::{OutputNames, RunFiles};
use crate::error::Error;
use crate::export::ipfix::IpfixOptions;

/// Where to export IPFIX, and how.
#[derive(Args, Debug, Clone)]
pub struct IpfixArgs {
    /// Export IPFIX to a collector: udp://HOST:PORT or tcp://HOST:PORT
    /// (repeatable). Without --output, no JSON is written.
    #[arg(long, value_name = "URL")]
    pub ipfix: Vec<String>,
    /// Write IPFIX to a file (RFC 5655; repeatable).
    #[arg(long, value_name = "PATH")]
    pub ipfix_file: Vec<PathBuf>,
    /// IPFIX observation domain id.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub ipfix_domain: u32,
    /// Largest IPFIX message in bytes (64..=65535).
    #[arg(long, default_value_t = 1400, value_name = "BYTES")]
    pub ipfix_mtu: usize,
    /// Seconds between template re-sends to UDP collectors.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub ipfix_template_refresh: u64,
    /// Start a new IPFIX file (PATH-01, PATH-02, ...) before this many bytes.
    #[arg(long, value_name = "BYTES")]
    pub ipfix_rotate_bytes: Option<u64>,
    /// Start a new IPFIX file (PATH-01, PATH-02, ...) every this many seconds.
    #[arg(long, value_name = "SECS")]
    pub ipfix_rotate_secs: Option<u64>,
    /// IPFIX messages kept for a TCP collector that is down or slow; more
    /// are dropped and counted.
    #[arg(long, default_value_t = 4096, value_name = "N")]
    pub ipfix_tcp_queue: usize,
}

impl IpfixArgs {
    /// Whether any IPFIX output was asked for.
    pub fn enabled(&self) -> bool {
        !self.ipfix.is_empty() || !self.ipfix_file.is_empty()
    }

    /// Notes the IPFIX files these options write.
    pub fn note_files(&self, files: &mut RunFiles) {
        let rotates = self.ipfix_rotate_bytes.is_some_and(|b| b > 0)
            || self.ipfix_rotate_secs.is_some_and(|s| s > 0);
        for path in &self.ipfix_file {
            let names = if rotates {
                OutputNames::Numbered {
                    prefix: path.clone(),
                    suffix: "",
                }
            } else {
                OutputNames::One(path.clone())
            };
            files.output("--ipfix-file", names);
        }
    }

    /// The IPFIX output these options describe, if any.
    pub fn options(&self) -> Result<Option<IpfixOptions>, Error> {
        if !self.enabled() {
            return Ok(None);
        }
        let mut collectors = Vec::new();
        for url in &self.ipfix {
            collectors.push(CollectorSpec::parse_url(url).map_err(|e| Error::BadOption {
                option: "--ipfix",
                value: url.clone(),
                why: e.to_string(),
            })?);
        }
        for path in &self.ipfix_file {
            collectors.push(CollectorSpec::File {
                path: path.clone(),
                rotate_bytes: self.ipfix_rotate_bytes,
                rotate_every: self.ipfix_rotate_secs.map(Duration::from_secs),
            });
        }
        if !(64..=65535).contains(&self.ipfix_mtu) {
            return Err(Error::BadOption {
                option: "--ipfix-mtu",
                value: self.ipfix_mtu.to_string(),
                why: "must be between 64 and 65535".into(),
            });
        }
        if self.ipfix_template_refresh == 0 {
            return Err(Error::BadOption {
                option: "--ipfix-template-refresh",
                value: "0".into(),
                why: "must be at least 1 second".into(),
            });
        }
        Ok(Some(IpfixOptions {
            collectors,
            exporter: ExporterConfig {
                domain: self.ipfix_domain,
                mtu: self.ipfix_mtu,
                template_refresh: Duration::from_secs(self.ipfix_template_refresh),
                tcp: TcpConfig {
                    queue: self.ipfix_tcp_queue.max(1),
                    ..TcpConfig::default()
                },
            },
        }))
    }
}
