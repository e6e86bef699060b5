//! Fuzz target: the anonymization subnets file (`SubnetSet::parse`) and usernames file
//! (`UsernameSet::parse`) parsers. Each accepts exactly what its documented syntax
//! allows and reports the first bad line; a set that parses answers `contains` as an
//! independent prefix match does; the anonymizer built from both leaves addresses
//! outside the subnets alone and preserves prefixes inside them; and `rewrite` and
//! `pseudonyms_in` replace listed names by Joy's leftmost-longest standalone rule,
//! the same way for the same key and differently for another key.
//!
//! Input: the subnets file, a NUL byte, the usernames file, a NUL byte, then URIs
//! separated by newlines.
#![no_main]

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sluice::anon::{AnonError, AnonKey, Anonymizer, SubnetSet, UsernameSet};

const KEY_A: [u8; 32] = [
    0x3c, 0x91, 0x07, 0xe2, 0x5d, 0xa8, 0x14, 0x6f, 0xb0, 0x29, 0xc7, 0x52, 0x8e, 0x0d, 0xf3, 0x46,
    0x71, 0xaa, 0x1b, 0x98, 0xe5, 0x30, 0x6c, 0xd4, 0x0f, 0x87, 0x5b, 0xc2, 0x39, 0xee, 0x64, 0x11,
];
const KEY_B: [u8; 32] = [0xa5; 32];

/// Most URIs, and bytes of each, that one input checks (the rewrite costs URI length
/// times distinct name lengths).
const MAX_URIS: usize = 4;
const MAX_URI_BYTES: usize = 512;
/// Names checked one by one, and most names for which the rewrite oracle runs.
const MAX_NAMES: usize = 64;
/// Subnet entries whose first and last addresses are checked.
const MAX_ENTRY_ADDRS: usize = 64;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let subnets_text = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let users_bytes = parts.next().unwrap_or_default();
    let uris_bytes = parts.next().unwrap_or_default();
    let key = AnonKey::from_bytes(KEY_A);

    let subnets_path = Path::new("fuzz/anon.net");
    let subnets = SubnetSet::parse(&subnets_text, subnets_path);
    let entries = match (oracle_subnets(&subnets_text), &subnets) {
        (Ok(entries), Ok(set)) => {
            check_subnets(set, &entries, data);
            Some(entries)
        }
        (Err(line), Err(e)) => {
            check_line_error(e, subnets_path, line);
            None
        }
        (want, got) => panic!("subnets: oracle {want:?}, parser {got:?}"),
    };

    let users_path = Path::new("fuzz/users.txt");
    let users = UsernameSet::parse(users_bytes, users_path, &key);
    let names = match (oracle_usernames(users_bytes), &users) {
        (Ok(names), Ok(set)) => {
            assert_eq!(set.len(), names.len());
            assert_eq!(set.is_empty(), names.is_empty());
            check_names(set, &names);
            Some(names)
        }
        (Err(line), Err(e)) => {
            check_line_error(e, users_path, line);
            None
        }
        (want, got) => panic!(
            "usernames: oracle {want:?}, parser {:?}",
            got.as_ref().err()
        ),
    };

    let uris: Vec<String> = uris_bytes
        .split(|&b| b == b'\n')
        .take(MAX_URIS)
        .map(|u| String::from_utf8_lossy(&u[..u.len().min(MAX_URI_BYTES)]).into_owned())
        .collect();
    if let (Ok(set), Some(names)) = (&users, &names) {
        let again = UsernameSet::parse(users_bytes, users_path, &key).expect("parses again");
        for uri in &uris {
            check_rewrite(set, &again, names, uri);
        }
    }

    // The anonymizer of both files (an empty subnet set or no usernames if one failed).
    let subnets = subnets.unwrap_or_default();
    let users = users.ok();
    let anon = Anonymizer::new(subnets.clone(), users.clone(), &key);
    let twin = Anonymizer::new(subnets.clone(), users.clone(), &key);
    assert_eq!(anon.anonymizes_addresses(), !subnets.is_empty());
    let addrs = derived_addresses(data, entries.as_deref().unwrap_or_default());
    for &ip in &addrs {
        let a = anon.address(ip);
        assert_eq!(a, twin.address(ip), "same key, same address");
        assert_eq!(a.is_ipv4(), ip.is_ipv4());
        if !subnets.contains(ip) {
            assert_eq!(a, ip, "{ip} is outside every subnet");
        }
    }
    for (i, &x) in addrs.iter().enumerate() {
        for &y in &addrs[i + 1..] {
            if x.is_ipv4() == y.is_ipv4() && subnets.contains(x) && subnets.contains(y) {
                assert_eq!(
                    common_prefix(anon.address(x), anon.address(y)),
                    common_prefix(x, y),
                    "Crypto-PAn preserves the common prefix of {x} and {y}"
                );
            }
        }
    }
    let rewrite = anon.username_rewriter();
    for uri in &uris {
        assert_eq!(
            rewrite(uri),
            users.as_ref().and_then(|u| u.rewrite(uri)),
            "{uri:?}"
        );
    }
});

/// One subnet entry: address family (4 or 6), prefix length, and the address bits as
/// a 128-bit number (IPv4 in the low 32 bits).
#[derive(Debug, Clone, Copy)]
struct Entry {
    v4: bool,
    len: u32,
    bits: u128,
}

impl Entry {
    fn width(self) -> u32 {
        if self.v4 {
            32
        } else {
            128
        }
    }

    /// Whether `ip` agrees with the entry's address in the top `len` bits.
    fn contains(self, ip: IpAddr) -> bool {
        let (v4, bits) = split(ip);
        v4 == self.v4 && (self.len == 0 || (bits ^ self.bits) >> (self.width() - self.len) == 0)
    }

    /// The first or last address of the prefix.
    fn end(self, last: bool) -> IpAddr {
        let mut bits = self.bits;
        for i in self.len..self.width() {
            let m = 1u128 << (self.width() - 1 - i);
            bits = if last { bits | m } else { bits & !m };
        }
        if self.v4 {
            IpAddr::V4(Ipv4Addr::from(bits as u32))
        } else {
            IpAddr::V6(Ipv6Addr::from(bits))
        }
    }
}

fn split(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(a) => (true, u128::from(u32::from(a))),
        IpAddr::V6(a) => (false, u128::from(a)),
    }
}

/// The subnets file as its module documentation describes it: the entries, or the
/// 1-based number of the first line that is not an entry.
fn oracle_subnets(text: &str) -> Result<Vec<Entry>, usize> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let content = match raw.find('#') {
            Some(at) => &raw[..at],
            None => raw,
        }
        .trim();
        if content.is_empty() {
            continue;
        }
        let bad = i + 1;
        if content.chars().any(char::is_whitespace) {
            return Err(bad);
        }
        let (addr, len) = match content.find('/') {
            Some(at) => (&content[..at], Some(&content[at + 1..])),
            None => (content, None),
        };
        let ip: IpAddr = addr.parse().map_err(|_| bad)?;
        let (v4, bits) = split(ip);
        let width = if v4 { 32 } else { 128 };
        let len = match len {
            None => width,
            Some(l) => {
                if l.is_empty() || !l.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad);
                }
                let n = l.bytes().fold(0u64, |n, b| {
                    n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
                });
                if n > u64::from(width) {
                    return Err(bad);
                }
                n as u32
            }
        };
        out.push(Entry { v4, len, bits });
    }
    Ok(out)
}

fn check_subnets(set: &SubnetSet, entries: &[Entry], data: &[u8]) {
    // The same set as adding each entry through the public API.
    let mut built = SubnetSet::new();
    for e in entries {
        built.add(e.end(false), e.len);
    }
    assert_eq!(&built, set);
    // One prefix per distinct (family, length, network).
    let distinct: BTreeSet<(bool, u32, IpAddr)> = entries
        .iter()
        .map(|e| (e.v4, e.len, e.end(false)))
        .collect();
    assert_eq!(set.len(), distinct.len());
    assert_eq!(set.is_empty(), entries.is_empty());
    for e in entries.iter().take(MAX_ENTRY_ADDRS) {
        for last in [false, true] {
            assert!(set.contains(e.end(last)), "{e:?} holds {}", e.end(last));
        }
    }
    for ip in derived_addresses(data, entries) {
        let want = entries.iter().any(|e| e.contains(ip));
        assert_eq!(set.contains(ip), want, "{ip}");
    }
}

/// Addresses from the input bytes (as IPv4 and as IPv6), each entry's first and last
/// address, and the addresses just outside a few entries.
fn derived_addresses(data: &[u8], entries: &[Entry]) -> Vec<IpAddr> {
    let mut out = Vec::new();
    for w in data.chunks_exact(16).take(6) {
        let mut b = [0u8; 16];
        b.copy_from_slice(w);
        out.push(IpAddr::V6(Ipv6Addr::from(b)));
        out.push(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3])));
        // And as an IPv4-mapped IPv6 address, which IPv4 prefixes must not match.
        out.push(IpAddr::V6(
            Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_ipv6_mapped(),
        ));
    }
    for e in entries.iter().take(8) {
        out.push(e.end(false));
        out.push(e.end(true));
        let (_, lo) = split(e.end(false));
        let (_, hi) = split(e.end(true));
        for bits in [lo.wrapping_sub(1), hi.wrapping_add(1)] {
            out.push(if e.v4 {
                IpAddr::V4(Ipv4Addr::from(bits as u32))
            } else {
                IpAddr::V6(Ipv6Addr::from(bits))
            });
        }
    }
    out
}

/// Leading bits two addresses of one family share.
fn common_prefix(a: IpAddr, b: IpAddr) -> u32 {
    let ((v4, x), (_, y)) = (split(a), split(b));
    let lz = (x ^ y).leading_zeros();
    if v4 {
        lz.saturating_sub(96)
    } else {
        lz
    }
}

/// The error of a file whose first bad line is `line`.
fn check_line_error(e: &AnonError, path: &Path, line: usize) {
    match e {
        AnonError::Line {
            path: p,
            line: l,
            why,
            ..
        } => {
            assert_eq!(p, path);
            assert_eq!(*l, line, "the first bad line is reported");
            assert!(!why.is_empty());
        }
        other => panic!("a parse error names a line, not {other:?}"),
    }
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("{}:{line}: ", path.display())),
        "{shown}"
    );
}

/// The usernames file as documented: one name per `\n`-separated line, trimmed, blank
/// lines skipped; a line that is not UTF-8 or has inner whitespace is bad.
fn oracle_usernames(data: &[u8]) -> Result<BTreeSet<String>, usize> {
    let mut names = BTreeSet::new();
    for (i, raw) in data.split(|&b| b == b'\n').enumerate() {
        let line = std::str::from_utf8(raw).map_err(|_| i + 1)?;
        let name = line.trim();
        if name.is_empty() {
            continue;
        }
        if name.chars().any(char::is_whitespace) {
            return Err(i + 1);
        }
        names.insert(name.to_string());
    }
    Ok(names)
}

fn is_hex_pseudonym(p: &str) -> bool {
    p.len() == 32 && p.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Each listed name alone is one standalone match: replaced by its pseudonym, which is
/// 32 lowercase hex digits and depends on the key.
fn check_names(set: &UsernameSet, names: &BTreeSet<String>) {
    let other = UsernameSet::from_names(
        names.iter().take(4).map(|n| n.as_str().into()).collect(),
        &AnonKey::from_bytes(KEY_B),
    );
    for (i, n) in names.iter().take(MAX_NAMES).enumerate() {
        let p = set.pseudonym(n);
        assert!(is_hex_pseudonym(&p), "{p:?}");
        assert_eq!(set.rewrite(n).as_deref(), Some(p.as_str()), "{n:?}");
        assert_eq!(set.pseudonyms_in(n), vec![p.clone()]);
        if i < 4 {
            assert_ne!(other.pseudonym(n), p, "another key, another pseudonym");
        }
    }
}

/// Joy's boundary characters around a replaced name.
fn is_boundary(c: u8) -> bool {
    b"?&/-\\_.=;".contains(&c)
}

/// `rewrite` and `pseudonyms_in` on `uri` agree with each other, with a second set
/// parsed under the same key, and (for small sets) with the documented rule: scan
/// left to right, take the longest listed name starting here (and skip past it), and
/// replace it if the bytes around it are boundaries or the URI's ends.
fn check_rewrite(set: &UsernameSet, again: &UsernameSet, names: &BTreeSet<String>, uri: &str) {
    let out = set.rewrite(uri);
    let found = set.pseudonyms_in(uri);
    assert_eq!(out, again.rewrite(uri), "same key, same rewrite of {uri:?}");
    assert_eq!(found, again.pseudonyms_in(uri));
    assert_eq!(out.is_none(), found.is_empty(), "{uri:?}");
    assert!(found.iter().all(|p| is_hex_pseudonym(p)));
    if names.len() > MAX_NAMES {
        return;
    }
    let b = uri.as_bytes();
    let mut want = String::new();
    let mut want_found = Vec::new();
    let (mut i, mut copied) = (0, 0);
    while i < b.len() {
        let longest = names
            .iter()
            .filter(|n| b[i..].starts_with(n.as_bytes()))
            .max_by_key(|n| n.len());
        let Some(n) = longest else {
            i += 1;
            continue;
        };
        let end = i + n.len();
        let before = i == 0 || is_boundary(b[i - 1]);
        let after = end == b.len() || is_boundary(b[end]);
        if before && after {
            let p = set.pseudonym(n);
            want.push_str(&uri[copied..i]);
            want.push_str(&p);
            want_found.push(p);
            copied = end;
        }
        i = end;
    }
    want.push_str(&uri[copied..]);
    assert_eq!(found, want_found, "pseudonyms in {uri:?}");
    if !want_found.is_empty() {
        assert_eq!(out.as_deref(), Some(want.as_str()), "rewrite of {uri:?}");
    }
}
