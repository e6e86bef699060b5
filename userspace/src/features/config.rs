//! Which features are on, and their parameters (Joy's `joy_init` bitmask,
//! `num_pkts`, `idp`, `zeros`, `retrans`).

use std::fmt;

/// One switchable feature. The names are Joy's configuration names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// Packet lengths and inter-packet times (`packets`).
    Splt,
    /// Byte distribution with its mean and standard deviation (`byte_dist`).
    Bd,
    /// Compact byte distribution over a bucket mapping (`compact_byte_dist`).
    CompactBd,
    /// Entropy of the payload bytes (`entropy`, `total_entropy`).
    Entropy,
    /// Initial data packet each way (`idp_out`, `idp_in`).
    Idp,
    /// TCP handshake details and retransmissions (`tcp`).
    Tcp,
    /// TLS handshake metadata and fingerprints (`tls`).
    Tls,
    /// TLS record lengths, types and times (`tls.srlt`); implies `tls`.
    Salt,
    /// DNS messages (`dns`).
    Dns,
    /// HTTP/1.x messages (`http`).
    Http,
}

impl Feature {
    /// Every feature, in bit order.
    pub const ALL: [Feature; 10] = [
        Feature::Splt,
        Feature::Bd,
        Feature::CompactBd,
        Feature::Entropy,
        Feature::Idp,
        Feature::Tcp,
        Feature::Tls,
        Feature::Salt,
        Feature::Dns,
        Feature::Http,
    ];

    /// The configuration name (`--features` list item).
    pub fn name(self) -> &'static str {
        match self {
            Feature::Splt => "splt",
            Feature::Bd => "bd",
            Feature::CompactBd => "compact_bd",
            Feature::Entropy => "entropy",
            Feature::Idp => "idp",
            Feature::Tcp => "tcp",
            Feature::Tls => "tls",
            Feature::Salt => "salt",
            Feature::Dns => "dns",
            Feature::Http => "http",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of features, like Joy's bitmask (`JOY_TLS_ON | JOY_HTTP_ON ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeatureSet(u16);

impl FeatureSet {
    /// No feature.
    pub const NONE: FeatureSet = FeatureSet(0);

    /// Every feature except the compact byte distribution (which needs a
    /// mapping file).
    pub fn all() -> Self {
        let mut s = FeatureSet::NONE;
        for f in Feature::ALL {
            if f != Feature::CompactBd {
                s.insert(f);
            }
        }
        s
    }

    /// True if `f` is on.
    pub fn contains(self, f: Feature) -> bool {
        self.0 & f.bit() != 0
    }

    /// Switches `f` on.
    pub fn insert(&mut self, f: Feature) {
        self.0 |= f.bit();
    }

    /// True if no feature is on.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Parses a comma-separated list of names (`splt,bd,tls`), `all` or
    /// `none`. `bidir` is accepted and ignored: Sluice's flows are always
    /// bidirectional.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut s = FeatureSet::NONE;
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            match item {
                "all" => s.0 |= FeatureSet::all().0,
                "none" | "bidir" => {}
                _ => match Feature::ALL.iter().find(|f| f.name() == item) {
                    Some(&f) => s.insert(f),
                    None => {
                        let names: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
                        return Err(format!(
                            "unknown feature `{item}` (known: all, none, {})",
                            names.join(", ")
                        ));
                    }
                },
            }
        }
        if s.contains(Feature::Salt) {
            s.insert(Feature::Tls);
        }
        Ok(s)
    }

    /// True if any feature reads TCP/UDP payload bytes in order (TLS, DNS, HTTP).
    pub fn needs_streams(self) -> bool {
        self.contains(Feature::Tls) || self.contains(Feature::Dns) || self.contains(Feature::Http)
    }
}

impl fmt::Display for FeatureSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Feature::ALL
            .iter()
            .filter(|x| self.contains(**x))
            .map(|x| x.name())
            .collect();
        if names.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&names.join(","))
        }
    }
}

/// Feature settings of one engine.
#[derive(Debug, Clone)]
pub struct FeatureConfig {
    /// What is on.
    pub set: FeatureSet,
    /// Packets per direction in the SPLT list (Joy's `num_pkts`, 50).
    pub num_pkts: usize,
    /// Bytes of the initial data packet kept per direction (Joy's `idp`, 1300).
    pub idp_bytes: usize,
    /// Count packets without payload in the SPLT list (Joy's `zeros`).
    pub zeros: bool,
    /// Count TCP retransmissions in SPLT, byte distribution and IDP (Joy's
    /// `retrans`); off by default, as in Joy.
    pub retrans: bool,
    /// Bucket mapping of the compact byte distribution.
    pub compact_bd: Option<std::sync::Arc<crate::features::compact_bd::CompactBdMap>>,
    /// Seed of each record's Community ID (the spec's default is 0), or
    /// `None` to leave the identifier out (`--no-community-id`).
    pub community_id: Option<u16>,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            set: FeatureSet::NONE,
            num_pkts: 50,
            idp_bytes: 1300,
            zeros: false,
            retrans: false,
            compact_bd: None,
            community_id: Some(0),
        }
    }
}

impl FeatureConfig {
    /// True if `f` is on.
    pub fn has(&self, f: Feature) -> bool {
        self.set.contains(f)
    }
}
