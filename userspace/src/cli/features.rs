//! Feature options shared by `sluice capture` and `sluice read`.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::anon::{AnonKey, Anonymizer};
use crate::cli::files::RunFiles;
use crate::error::Error;
use crate::export::output::{OutputNames, RecordOutput};
use crate::export::rotate::RotatingWriter;
use crate::features::compact_bd::CompactBdMap;
use crate::features::{Feature, FeatureConfig, FeatureSet};

/// Which Joy features to compute, and their parameters.
#[derive(Args, Debug, Clone)]
pub struct FeatureArgs {
    /// Features to compute per flow, comma-separated: splt, bd, entropy, idp,
    /// tcp, tls, salt, dns, http (or all, none). `bidir` is accepted (flows are
    /// always bidirectional).
    #[arg(long, default_value = "none", value_name = "LIST")]
    pub features: String,
    /// Packets per direction in the SPLT list (Joy's num_pkts).
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub num_pkts: usize,
    /// Bytes of the initial data packet kept per direction (Joy's idp).
    #[arg(long, default_value_t = 1300, value_name = "N")]
    pub idp_bytes: usize,
    /// Include packets without payload in the SPLT list (Joy's zeros).
    #[arg(long)]
    pub zeros: bool,
    /// Include TCP retransmissions in SPLT, byte distribution and IDP (Joy's retrans).
    #[arg(long)]
    pub retrans: bool,
    /// Byte-to-bucket mapping file for the compact byte distribution (Joy's
    /// compact_bd); turns the compact_bd feature on.
    #[arg(long, value_name = "FILE")]
    pub compact_bd: Option<PathBuf>,
    /// Subnets whose addresses are anonymized with Crypto-PAn (Joy's anon file).
    #[arg(long, value_name = "FILE")]
    pub anon: Option<PathBuf>,
    /// HTTP usernames replaced by keyed pseudonyms in request URIs (Joy's useranon file).
    #[arg(long, value_name = "FILE")]
    pub anon_http: Option<PathBuf>,
    /// Anonymization key: 64 hex digits or 32 raw bytes; same key, same
    /// output. It must exist unless --anon-key-new. Default: sluice-anon.key.
    #[arg(long, value_name = "FILE")]
    pub anon_key: Option<PathBuf>,
    /// Create the --anon-key file with a new random key (mode 0600; never
    /// over an existing file).
    #[arg(long)]
    pub anon_key_new: bool,
    /// Start a new output file after this many records (Joy's max_records; 0 = never).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub max_records: u64,
    /// Gzip the output file(s).
    #[arg(long)]
    pub gzip: bool,
    /// Seed of the Community ID every record carries (0 to 65535; the
    /// spec's default is 0).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub community_id_seed: u16,
    /// Leave the Community ID out of the records.
    #[arg(long, conflicts_with = "community_id_seed")]
    pub no_community_id: bool,
}

impl FeatureArgs {
    /// The feature configuration these options describe.
    pub fn config(&self) -> Result<FeatureConfig, Error> {
        let set = FeatureSet::parse(&self.features).map_err(|why| Error::BadOption {
            option: "--features",
            value: self.features.clone(),
            why,
        })?;
        if self.num_pkts == 0 || self.num_pkts > 65_535 {
            return Err(Error::BadOption {
                option: "--num-pkts",
                value: self.num_pkts.to_string(),
                why: "must be between 1 and 65535".into(),
            });
        }
        if self.idp_bytes == 0 || self.idp_bytes > 65_535 {
            return Err(Error::BadOption {
                option: "--idp-bytes",
                value: self.idp_bytes.to_string(),
                why: "must be between 1 and 65535".into(),
            });
        }
        let mut set = set;
        let compact_bd = match &self.compact_bd {
            Some(p) => {
                set.insert(Feature::CompactBd);
                Some(std::sync::Arc::new(CompactBdMap::load(p).map_err(|e| {
                    Error::BadOption {
                        option: "--compact-bd",
                        value: p.display().to_string(),
                        why: e.to_string(),
                    }
                })?))
            }
            None => None,
        };
        Ok(FeatureConfig {
            set,
            compact_bd,
            num_pkts: self.num_pkts,
            idp_bytes: self.idp_bytes,
            zeros: self.zeros,
            retrans: self.retrans,
            community_id: (!self.no_community_id).then_some(self.community_id_seed),
        })
    }
}

impl FeatureArgs {
    /// The anonymization key file (`--anon-key`, default `sluice-anon.key`).
    fn anon_key_path(&self) -> PathBuf {
        self.anon_key
            .clone()
            .unwrap_or_else(|| PathBuf::from("sluice-anon.key"))
    }

    /// The anonymizer `--anon`/`--anon-http` ask for, if any. The key file
    /// must exist, unless `--anon-key-new` asks to create it (then it must
    /// not exist).
    pub fn anonymizer(&self) -> Result<Option<Anonymizer>, Error> {
        if self.anon.is_none() && self.anon_http.is_none() {
            if self.anon_key_new {
                return Err(Error::BadOption {
                    option: "--anon-key-new",
                    value: self.anon_key_path().display().to_string(),
                    why: "needs --anon or --anon-http".into(),
                });
            }
            return Ok(None);
        }
        let key_path = self.anon_key_path();
        let bad = |why: String| Error::BadOption {
            option: "--anon-key",
            value: key_path.display().to_string(),
            why,
        };
        let key = if self.anon_key_new {
            if key_path.exists() {
                return Err(bad(
                    "exists; --anon-key-new never replaces a key (drop --anon-key-new to use it)"
                        .into(),
                ));
            }
            let k = AnonKey::generate().map_err(|e| bad(e.to_string()))?;
            k.save(&key_path).map_err(|e| bad(e.to_string()))?;
            eprintln!(
                "sluice: wrote a new anonymization key to {}",
                key_path.display()
            );
            k
        } else if key_path.exists() {
            AnonKey::load(&key_path).map_err(|e| bad(e.to_string()))?
        } else {
            return Err(bad(
                "no such file; give the key of earlier runs, or --anon-key-new to create a new one"
                    .into(),
            ));
        };
        Anonymizer::load(self.anon.as_deref(), self.anon_http.as_deref(), key)
            .map(Some)
            .map_err(|e| Error::BadOption {
                option: if self.anon.is_some() {
                    "--anon"
                } else {
                    "--anon-http"
                },
                value: self
                    .anon
                    .as_deref()
                    .or(self.anon_http.as_deref())
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                why: e.to_string(),
            })
    }

    /// Notes the files these options read and write (`output` is `--output`).
    pub fn note_files(&self, files: &mut RunFiles, output: Option<&str>) {
        for (option, path) in [
            ("--compact-bd", &self.compact_bd),
            ("--anon", &self.anon),
            ("--anon-http", &self.anon_http),
        ] {
            if let Some(p) = path {
                files.input(option, p);
            }
        }
        if self.anon.is_some() || self.anon_http.is_some() {
            let key = self.anon_key_path();
            if self.anon_key_new {
                files.output("--anon-key", OutputNames::One(key));
            } else {
                files.input("--anon-key", &key);
            }
        }
        if let Some(o) = output.filter(|o| *o != "-") {
            files.output(
                "--output",
                RotatingWriter::names(Path::new(o), self.max_records, self.gzip),
            );
        }
    }

    /// Where JSON records go for `-o output`: that path, else stdout unless
    /// another output (IPFIX, Kafka, ZMQ) is given (then no JSON file).
    pub fn records_for(
        &self,
        output: Option<&str>,
        other_output: bool,
    ) -> Result<Option<RecordOutput>, Error> {
        match (output, other_output) {
            (Some(o), _) => self.open_records(o).map(Some),
            (None, false) => self.open_records("-").map(Some),
            (None, true) => Ok(None),
        }
    }

    /// Opens `--output` for records, rotated by `--max-records` and gzipped
    /// with `--gzip` (both need a file, not stdout).
    pub fn open_records(&self, output: &str) -> Result<RecordOutput, Error> {
        if self.max_records == 0 && !self.gzip {
            return super::open_output(output);
        }
        if output == "-" {
            return Err(Error::BadOption {
                option: if self.gzip { "--gzip" } else { "--max-records" },
                value: "-".into(),
                why: "needs --output FILE, not stdout".into(),
            });
        }
        RotatingWriter::create(Path::new(output), self.max_records, self.gzip)
            .map(|r| RecordOutput::Rotating(Box::new(r)))
            .map_err(|e| Error::BadOption {
                option: "--output",
                value: output.into(),
                why: e.to_string(),
            })
    }
}
