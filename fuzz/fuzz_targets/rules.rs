//! Fuzz target: the flow rules file parser. Any text (the input, lossy UTF-8) parses to
//! the same rules twice or fails, never panics; what parses has at most `MAX_RULES`
//! rules with well-formed prefixes, and `lookup`/`lookup_l7` on flow keys derived from
//! the input and from the rules themselves return the first matching rule (checked
//! against an independent bit-by-bit match), an id `get` resolves, or 0 when none
//! matches.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice::decode::IpProto;
use sluice::flow::FlowKey;
use sluice::l7::L7Proto;
use sluice::policy::rules::MAX_RULES;
use sluice::policy::{Prefix, Rule, Rules};

/// Keys taken from the input bytes, at most.
const INPUT_KEYS: usize = 8;
/// Bytes of input one key is made of.
const KEY_BYTES: usize = 40;
/// Rules (the first ones) that each get a key built to match them.
const BUILT_KEYS: usize = 64;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let rules = match Rules::parse(&text) {
        Ok(r) => r,
        Err(e) => {
            assert!(!e.is_empty());
            return;
        }
    };
    assert_eq!(
        Rules::parse(&text).as_ref(),
        Ok(&rules),
        "parse is deterministic"
    );
    assert!(rules.rules.len() <= MAX_RULES);
    assert_eq!(
        rules.has_l7_rules(),
        rules.rules.iter().any(|r| r.l7.is_some())
    );
    for r in &rules.rules {
        assert_ne!(r.l7, Some(L7Proto::Unknown));
        if let Some(p) = &r.net {
            check_prefix(p);
        }
    }
    assert!(rules.get(0).is_none());
    let n = rules.rules.len();
    if let Ok(last) = u8::try_from(n) {
        assert_eq!(rules.get(last).is_some(), n > 0);
        if let Some(past) = last.checked_add(1) {
            assert!(rules.get(past).is_none());
        }
    }

    // Keys from the input bytes, and one key built to match each rule.
    let mut keys: Vec<FlowKey> = data
        .chunks_exact(KEY_BYTES)
        .take(INPUT_KEYS)
        .map(key_from_bytes)
        .collect();
    // Each application protocol the rules name, once, and one from the input.
    let mut l7s: Vec<L7Proto> = rules
        .rules
        .iter()
        .filter_map(|r| r.l7)
        .chain(
            data.first()
                .map(|&b| L7Proto::ALL[usize::from(b) % L7Proto::ALL.len()]),
        )
        .collect();
    l7s.sort_unstable();
    l7s.dedup();
    for (i, r) in rules.rules.iter().enumerate().take(BUILT_KEYS) {
        let Some(k) = key_matching(r, data.get(i).copied().unwrap_or(0)) else {
            continue;
        };
        assert!(
            oracle_matches(r, &k),
            "built key must match rule #{}",
            i + 1
        );
        let id = match r.l7 {
            None => rules.lookup(&k),
            Some(p) => rules.lookup_l7(&k, p),
        };
        assert!(
            id != 0 && usize::from(id) <= i + 1,
            "rule #{} matches, lookup gave {id}",
            i + 1
        );
        keys.push(k);
    }
    for k in &keys {
        let matching: Vec<bool> = rules
            .rules
            .iter()
            .map(|r| {
                let m = oracle_matches(r, k);
                assert_eq!(r.matches(k), m, "{r:?} on {k:?}");
                m
            })
            .collect();
        check_lookup(&rules, &matching, k, None, rules.lookup(k));
        for &p in &l7s {
            check_lookup(&rules, &matching, k, Some(p), rules.lookup_l7(k, p));
        }
    }
});

/// `id` (from `lookup` for `l7 == None`, else `lookup_l7`) names the first rule for
/// `l7` that matches `k` (`matching[i]`: rule `i` matches), or is 0 when none does.
fn check_lookup(rules: &Rules, matching: &[bool], k: &FlowKey, l7: Option<L7Proto>, id: u8) {
    let first = rules
        .rules
        .iter()
        .zip(matching)
        .position(|(r, &m)| r.l7 == l7 && m);
    match first {
        None => assert_eq!(id, 0, "no rule matches {k:?}"),
        Some(i) => {
            assert_eq!(usize::from(id), i + 1, "first match for {k:?}");
            let r = rules.get(id).expect("get resolves a looked-up id");
            assert_eq!(r, &rules.rules[i]);
        }
    }
}

/// A prefix has a known version, a length within it, and no host bits.
fn check_prefix(p: &Prefix) {
    let bits = match p.ip_version {
        4 => 32,
        6 => 128,
        v => panic!("ip_version {v}"),
    };
    assert!(usize::from(p.len) <= bits);
    for bit in usize::from(p.len)..128 {
        assert!(!bit_of(&p.addr, bit), "host bit {bit} set in {p:?}");
    }
    assert!(p.contains(p.ip_version, &p.addr));
}

fn bit_of(a: &[u8; 16], bit: usize) -> bool {
    a[bit / 8] & (0x80 >> (bit % 8)) != 0
}

/// `Prefix::contains`, one bit at a time.
fn oracle_contains(p: &Prefix, version: u8, a: &[u8; 16]) -> bool {
    version == p.ip_version && (0..usize::from(p.len)).all(|b| bit_of(a, b) == bit_of(&p.addr, b))
}

/// `Rule::matches` as docs/flow-table.md describes it.
fn oracle_matches(r: &Rule, k: &FlowKey) -> bool {
    let ports = matches!(k.proto.0, 6 | 17 | 132);
    r.proto.is_none_or(|p| p == k.proto)
        && r.port
            .is_none_or(|p| ports && (k.lo_port == p || k.hi_port == p))
        && r.net.is_none_or(|n| {
            oracle_contains(&n, k.ip_version, &k.lo_addr)
                || oracle_contains(&n, k.ip_version, &k.hi_addr)
        })
}

/// A key from `KEY_BYTES` input bytes (IPv4 addresses in the first 4 bytes, the rest
/// zero, as the flow table builds them).
fn key_from_bytes(b: &[u8]) -> FlowKey {
    let ip_version = if b[0] & 1 == 0 { 4 } else { 6 };
    let mut lo_addr = [0u8; 16];
    let mut hi_addr = [0u8; 16];
    lo_addr.copy_from_slice(&b[8..24]);
    hi_addr.copy_from_slice(&b[24..40]);
    if ip_version == 4 {
        lo_addr[4..].fill(0);
        hi_addr[4..].fill(0);
    }
    FlowKey {
        vlan: u16::from_be_bytes([b[1], b[2]]),
        ip_version,
        proto: IpProto(b[3]),
        lo_port: u16::from_be_bytes([b[4], b[5]]),
        hi_port: u16::from_be_bytes([b[6], b[7]]),
        lo_addr,
        hi_addr,
    }
}

/// A key that `r` matches, varied by `salt`, or `None` if no key can match (a port on
/// a protocol without ports).
fn key_matching(r: &Rule, salt: u8) -> Option<FlowKey> {
    let proto = r.proto.map_or(if salt & 1 == 0 { 6 } else { 17 }, |p| p.0);
    let has_ports = matches!(proto, 6 | 17 | 132);
    if r.port.is_some() && !has_ports {
        return None;
    }
    let (ip_version, mut addr) = match &r.net {
        Some(n) => (n.ip_version, n.addr),
        None => (if salt & 2 == 0 { 4 } else { 6 }, [0u8; 16]),
    };
    // Set host bits below the prefix, so the key is not just the network address.
    let len = r.net.map_or(0, |n| usize::from(n.len));
    let width = if ip_version == 4 { 32 } else { 128 };
    for bit in len..width {
        if (bit + usize::from(salt)) % 3 == 0 {
            addr[bit / 8] |= 0x80 >> (bit % 8);
        }
    }
    let port = r.port.unwrap_or(u16::from(salt) * 257);
    let other = [0xffu8; 16];
    let mut other_addr = [0u8; 16];
    let n = if ip_version == 4 { 4 } else { 16 };
    other_addr[..n].copy_from_slice(&other[..n]);
    Some(FlowKey {
        vlan: u16::from(salt),
        ip_version,
        proto: IpProto(proto),
        lo_port: if has_ports {
            port
        } else {
            u16::from(salt) << 8
        },
        hi_port: if has_ports { 40000 } else { 1 },
        lo_addr: addr,
        hi_addr: other_addr,
    })
}
