//! The set of subnets whose addresses are anonymized, read from a Joy-style
//! subnets file (Joy's `anon=FILE`, `joy_anon_subnets`).
//!
//! File syntax: `#` starts a comment that runs to the end of the line; after
//! removing it and surrounding whitespace a line is either empty or holds exactly
//! one subnet, `ADDRESS/LENGTH` or a bare `ADDRESS` (a /32 or /128 host route).
//! IPv4 and IPv6 may be mixed. Host bits below the prefix length are ignored, as
//! in Joy (`10.1.2.3/8` is `10.0.0.0/8`).
use std::net::IpAddr;
use std::path::Path;

use super::error::AnonError;

/// Prefixes of one length, sorted, for binary search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct SameLength<T> {
    len: u32,
    networks: Vec<T>,
}

/// A set of IPv4 and IPv6 prefixes with a fast membership test: one sorted
/// vector per distinct prefix length, so a lookup is one mask and one binary
/// search per length in use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubnetSet {
    v4: Vec<SameLength<u32>>,
    v6: Vec<SameLength<u128>>,
}

/// The top `len` bits of a `bits`-wide value held in a u128.
fn mask128(len: u32) -> u128 {
    u128::MAX.checked_shl(128 - len).unwrap_or(0)
}

fn mask32(len: u32) -> u32 {
    u32::MAX.checked_shl(32 - len).unwrap_or(0)
}

fn insert<T: Ord + Copy>(groups: &mut Vec<SameLength<T>>, len: u32, network: T) {
    let pos = match groups.binary_search_by_key(&len, |g| g.len) {
        Ok(pos) => pos,
        Err(pos) => {
            groups.insert(
                pos,
                SameLength {
                    len,
                    networks: Vec::new(),
                },
            );
            pos
        }
    };
    if let Some(g) = groups.get_mut(pos) {
        if let Err(at) = g.networks.binary_search(&network) {
            g.networks.insert(at, network);
        }
    }
}

impl SubnetSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a subnets file.
    pub fn load(path: &Path) -> Result<Self, AnonError> {
        let text = std::fs::read_to_string(path).map_err(|source| AnonError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses the text of a subnets file; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, AnonError> {
        let mut set = SubnetSet::new();
        for (i, raw) in text.lines().enumerate() {
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let err = |why: String| AnonError::Line {
                path: path.to_path_buf(),
                line: i + 1,
                text: raw.trim().to_string(),
                why,
            };
            if content.split_whitespace().nth(1).is_some() {
                return Err(err("more than one subnet on a line".into()));
            }
            let (addr, len) = match content.split_once('/') {
                Some((a, l)) => (a, Some(l)),
                None => (content, None),
            };
            let addr: IpAddr = addr
                .parse()
                .map_err(|_| err(format!("'{addr}' is not an IPv4 or IPv6 address")))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let len = match len {
                None => max,
                Some(l) => match l.parse::<u32>() {
                    Ok(n) if n <= max && !l.starts_with('+') => n,
                    _ => {
                        return Err(err(format!(
                            "prefix length '{l}' is not a number from 0 to {max}"
                        )))
                    }
                },
            };
            set.add(addr, len);
        }
        Ok(set)
    }

    /// Adds `addr/len` (host bits are masked off; `len` is clamped to the
    /// address width).
    pub fn add(&mut self, addr: IpAddr, len: u32) {
        match addr {
            IpAddr::V4(a) => {
                let len = len.min(32);
                insert(&mut self.v4, len, u32::from(a) & mask32(len));
            }
            IpAddr::V6(a) => {
                let len = len.min(128);
                insert(&mut self.v6, len, u128::from(a) & mask128(len));
            }
        }
    }

    /// Whether the set holds no prefix.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// The number of distinct prefixes in the set.
    pub fn len(&self) -> usize {
        let n4: usize = self.v4.iter().map(|g| g.networks.len()).sum();
        let n6: usize = self.v6.iter().map(|g| g.networks.len()).sum();
        n4 + n6
    }

    /// Whether `ip` lies inside any prefix of the set. IPv4 addresses are only
    /// matched against IPv4 prefixes and IPv6 against IPv6 (an IPv4-mapped IPv6
    /// address needs an IPv6 prefix such as `::ffff:10.0.0.0/104`).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => {
                let a = u32::from(a);
                self.v4
                    .iter()
                    .any(|g| g.networks.binary_search(&(a & mask32(g.len))).is_ok())
            }
            IpAddr::V6(a) => {
                let a = u128::from(a);
                self.v6
                    .iter()
                    .any(|g| g.networks.binary_search(&(a & mask128(g.len))).is_ok())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const FILE: &str = "\
# internal networks
10.0.0.0/8
   # indented comment

192.168.1.77/24   # host bits are ignored, as in Joy
\t172.16.5.4\t# a bare address is a /32
2001:db8:abcd::/48#comment right after
fe80::1
0.0.0.0/32
";

    #[test]
    fn parses_comments_blanks_and_mixed_families() {
        let s = SubnetSet::parse(FILE, Path::new("anon.net")).unwrap();
        assert_eq!(s.len(), 6);
        for inside in [
            "10.0.0.0",
            "10.255.255.255",
            "192.168.1.0",
            "192.168.1.255",
            "172.16.5.4",
            "2001:db8:abcd::",
            "2001:db8:abcd:ffff:ffff:ffff:ffff:ffff",
            "fe80::1",
            "0.0.0.0",
        ] {
            assert!(s.contains(ip(inside)), "{inside}");
        }
        for outside in [
            "9.255.255.255",
            "11.0.0.0",
            "192.168.0.255",
            "192.168.2.0",
            "172.16.5.5",
            "2001:db8:abce::",
            "fe80::2",
            "0.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!s.contains(ip(outside)), "{outside}");
        }
    }

    #[test]
    fn zero_length_prefix_matches_everything_of_its_family() {
        let s = SubnetSet::parse("0.0.0.0/0\n", Path::new("f")).unwrap();
        assert!(s.contains(ip("203.0.113.1")));
        assert!(!s.contains(ip("2001:db8::1")));
    }

    fn error_of(text: &str) -> String {
        SubnetSet::parse(text, Path::new("/etc/sluice/anon.net"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn errors_name_file_and_line() {
        assert_eq!(
            error_of("# ok\n10.0.0.0/8\n10.0.0.0/33\n"),
            "/etc/sluice/anon.net:3: prefix length '33' is not a number from 0 to 32: '10.0.0.0/33'"
        );
        assert_eq!(
            error_of("\n\n\n10.0.0.0/8 192.168.0.0/16 # two\n"),
            "/etc/sluice/anon.net:4: more than one subnet on a line: '10.0.0.0/8 192.168.0.0/16 # two'"
        );
        assert_eq!(
            error_of("10.0.0/8\n"),
            "/etc/sluice/anon.net:1: '10.0.0' is not an IPv4 or IPv6 address: '10.0.0/8'"
        );
        assert_eq!(
            error_of("2001:db8::/129\n"),
            "/etc/sluice/anon.net:1: prefix length '129' is not a number from 0 to 128: '2001:db8::/129'"
        );
        assert_eq!(
            error_of("10.0.0.0/\n"),
            "/etc/sluice/anon.net:1: prefix length '' is not a number from 0 to 32: '10.0.0.0/'"
        );
        assert_eq!(
            error_of("10.0.0.0/+8\n"),
            "/etc/sluice/anon.net:1: prefix length '+8' is not a number from 0 to 32: '10.0.0.0/+8'"
        );
    }

    #[test]
    fn load_reports_a_missing_file_by_name() {
        let e = SubnetSet::load(Path::new("/nonexistent/anon.net"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/nonexistent/anon.net: "), "{e}");
    }
}
