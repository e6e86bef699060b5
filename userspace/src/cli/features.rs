//! Feature options shared by `sluice capture` and `sluice read`.

use clap::Args;

use crate::error::Error;
use crate::features::{FeatureConfig, FeatureSet};

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
        Ok(FeatureConfig {
            set,
            num_pkts: self.num_pkts,
            idp_bytes: self.idp_bytes,
            zeros: self.zeros,
            retrans: self.retrans,
        })
    }
}
