//! The export-time anonymizer: which addresses and usernames are replaced, and
//! by what.
use std::net::IpAddr;
use std::path::Path;

use super::cryptopan::CryptoPan;
use super::error::AnonError;
use super::key::AnonKey;
use super::subnets::SubnetSet;
use super::usernames::UsernameSet;

/// Anonymizes addresses inside the configured subnets with Crypto-PAn, and
/// listed usernames in HTTP request URIs with keyed pseudonyms. With neither
/// file configured it changes nothing (as Joy, which anonymizes only what its
/// `anon` and `useranon` files name).
#[derive(Debug, Clone)]
pub struct Anonymizer {
    cryptopan: CryptoPan,
    subnets: SubnetSet,
    usernames: Option<UsernameSet>,
}

impl Anonymizer {
    /// Loads the subnets file and the usernames file, either of which may be
    /// absent, under `key`.
    pub fn load(
        subnets: Option<&Path>,
        usernames: Option<&Path>,
        key: AnonKey,
    ) -> Result<Self, AnonError> {
        let subnets = match subnets {
            Some(p) => SubnetSet::load(p)?,
            None => SubnetSet::new(),
        };
        let usernames = usernames.map(|p| UsernameSet::load(p, &key)).transpose()?;
        Ok(Self::new(subnets, usernames, &key))
    }

    /// An anonymizer from parts already loaded.
    pub fn new(subnets: SubnetSet, usernames: Option<UsernameSet>, key: &AnonKey) -> Self {
        Anonymizer {
            cryptopan: CryptoPan::new(key.as_bytes()),
            subnets,
            usernames,
        }
    }

    /// Anonymizes a record's two addresses in place (see [`Anonymizer::address`]).
    pub fn anonymize_record(&self, rec: &mut crate::flow::FlowRecord) {
        if !self.anonymizes_addresses() {
            return;
        }
        for a in [&mut rec.sa, &mut rec.da] {
            let ip = if rec.ip_version == 4 {
                IpAddr::from([a[0], a[1], a[2], a[3]])
            } else {
                IpAddr::from(*a)
            };
            match self.address(ip) {
                IpAddr::V4(v4) => a[..4].copy_from_slice(&v4.octets()),
                IpAddr::V6(v6) => *a = v6.octets(),
            }
        }
    }

    /// `ip` itself, or its Crypto-PAn form if it lies inside a configured subnet.
    pub fn address(&self, ip: IpAddr) -> IpAddr {
        if !self.subnets.contains(ip) {
            return ip;
        }
        match ip {
            IpAddr::V4(a) => IpAddr::V4(self.cryptopan.anonymize_v4(a)),
            IpAddr::V6(a) => IpAddr::V6(self.cryptopan.anonymize_v6(a)),
        }
    }

    /// Whether any address can be anonymized (a subnets file with at least one
    /// subnet was given), so callers can skip the per-address work otherwise.
    pub fn anonymizes_addresses(&self) -> bool {
        !self.subnets.is_empty()
    }

    /// The URI rewriter for the HTTP JSON writer: `Some(rewritten)` when a
    /// listed username occurs standalone in the URI, `None` otherwise (always
    /// `None` without a usernames file).
    pub fn username_rewriter(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |uri| self.usernames.as_ref()?.rewrite(uri)
    }

    /// The usernames set, if a usernames file was given.
    pub fn usernames(&self) -> Option<&UsernameSet> {
        self.usernames.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Crypto-PAn reference key (see cryptopan.rs).
    const REFERENCE_KEY: [u8; 32] = [
        21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16, 216, 152, 143, 131,
        121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2,
    ];

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let d =
            std::env::temp_dir().join(format!("sluice-anonymizer-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn anonymizes_only_inside_listed_subnets() {
        let dir = temp_dir("subnets");
        let subnets = dir.join("anon.net");
        std::fs::write(&subnets, "# test\n128.11.0.0/16\n2001:db8::/32\n").unwrap();
        let a = Anonymizer::load(Some(&subnets), None, AnonKey::from_bytes(REFERENCE_KEY)).unwrap();
        // Inside: the reference sample-trace value and the published IPv6 vector.
        assert_eq!(a.address(ip("128.11.68.132")), ip("135.242.180.132"));
        assert_eq!(
            a.address(ip("2001:db8::1")),
            ip("4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e")
        );
        // Outside: unchanged, even though the sample trace has a value for it.
        assert_eq!(a.address(ip("129.118.74.4")), ip("129.118.74.4"));
        assert_eq!(a.address(ip("::1")), ip("::1"));
        assert!(a.anonymizes_addresses());
        // Same key, same output.
        let b = Anonymizer::load(Some(&subnets), None, AnonKey::from_bytes(REFERENCE_KEY)).unwrap();
        assert_eq!(a.address(ip("128.11.1.2")), b.address(ip("128.11.1.2")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn without_files_nothing_changes() {
        let a = Anonymizer::load(None, None, AnonKey::from_bytes(REFERENCE_KEY)).unwrap();
        assert_eq!(a.address(ip("128.11.68.132")), ip("128.11.68.132"));
        assert!(!a.anonymizes_addresses());
        assert_eq!(a.username_rewriter()("/home/bob/"), None);
    }

    #[test]
    fn username_rewriter_uses_the_loaded_file_and_key() {
        let dir = temp_dir("users");
        let users = dir.join("users.txt");
        std::fs::write(&users, "bob\n").unwrap();
        let key = AnonKey::from_bytes(REFERENCE_KEY);
        let a = Anonymizer::load(None, Some(&users), key.clone()).unwrap();
        let f: &dyn Fn(&str) -> Option<String> = &a.username_rewriter();
        let want = UsernameSet::parse(b"bob", Path::new("x"), &key)
            .unwrap()
            .pseudonym("bob");
        assert_eq!(f("/home/bob/"), Some(format!("/home/{want}/")));
        assert_eq!(f("/home/bobcat/"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn load_errors_name_the_file_and_line() {
        let dir = temp_dir("errors");
        let subnets = dir.join("anon.net");
        std::fs::write(&subnets, "10.0.0.0/8\nnot-an-address\n").unwrap();
        let e = Anonymizer::load(Some(&subnets), None, AnonKey::from_bytes(REFERENCE_KEY))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!(
                "{}:2: 'not-an-address' is not an IPv4 or IPv6 address: 'not-an-address'",
                subnets.display()
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
