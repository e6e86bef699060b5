//! The flow's Community ID (version 1, corelight/community-id-spec): the
//! identifier Zeek, Suricata, Arkime and Elastic give the same flow, so
//! records of different tools join on it.
//!
//! Sluice feeds it the record as written (after anonymization, so the
//! identifier never reveals an address the record hides): `sa` → `da`, the
//! ports for TCP, UDP and SCTP, the ICMP/ICMPv6 type and code for ICMP
//! (request/reply types mapped as the spec does), nothing for other
//! protocols. The hash is SHA-1 over seed, the ordered endpoints, protocol
//! and ports, in base64.
//!
//! Hand-written over the `sha1` and `base64` crates rather than the
//! `community-id` crate: it runs for every record, and the crate's
//! allocations (three Strings and a map lookup per call) cost about 10 % of
//! a `sluice read` of the big capture. The unit tests check it against the
//! crate on random flows, `tests/community_id.rs` against corelight's own.

use std::fmt;

use base64::Engine;
use sha1::{Digest, Sha1};

use crate::decode::IpProto;
use crate::flow::FlowRecord;

/// Length of a version 1 identifier: `1:` and 28 base64 characters.
const LEN: usize = 30;

/// A version 1 Community ID, `1:` followed by the base64 of its hash.
/// Fixed-size, so records carry it without allocating.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommunityId([u8; LEN]);

impl CommunityId {
    /// The identifier of `rec` under `seed` (0 is the spec's default).
    /// Always `Some` for a record of the flow table; the `Option` is for a
    /// record whose hash could not be written (it cannot happen).
    pub fn of(rec: &FlowRecord, seed: u16) -> Option<CommunityId> {
        let addr = if rec.ip_version == 6 { 16 } else { 4 };
        let (mut src, mut dst) = (&rec.sa[..addr], &rec.da[..addr]);
        let (mut sp, mut dp, one_way, ported) = match rec.proto {
            IpProto::TCP | IpProto::UDP | IpProto::SCTP => (rec.sp, rec.dp, false, true),
            p if p.is_icmp() => {
                let (kind, code) = (rec.icmp.kind, rec.icmp.code);
                match icmp_counterpart(p, kind) {
                    Some(other) => (u16::from(kind), u16::from(other), false, true),
                    None => (u16::from(kind), u16::from(code), true, true),
                }
            }
            _ => (0, 0, false, false),
        };
        if !(one_way || src < dst || (src == dst && sp < dp)) {
            std::mem::swap(&mut src, &mut dst);
            std::mem::swap(&mut sp, &mut dp);
        }
        let mut input = [0u8; 2 + 16 + 16 + 2 + 4];
        let mut n = 0;
        let mut put = |b: &[u8]| {
            input[n..n + b.len()].copy_from_slice(b);
            n += b.len();
        };
        put(&seed.to_be_bytes());
        put(src);
        put(dst);
        put(&[rec.proto.0, 0]);
        if ported {
            put(&sp.to_be_bytes());
            put(&dp.to_be_bytes());
        }
        let hash = Sha1::digest(&input[..n]);
        let mut id = [0u8; LEN];
        id[..2].copy_from_slice(b"1:");
        let written = base64::engine::general_purpose::STANDARD
            .encode_slice(hash, &mut id[2..])
            .ok()?;
        (written == LEN - 2).then_some(CommunityId(id))
    }

    /// The identifier as text (`1:...=`).
    pub fn as_str(&self) -> &str {
        // ASCII: "1:" and base64.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The spec's ICMP and ICMPv6 type pairs (request and reply, solicitation
/// and advertisement, ...): the type that answers `kind`, or `None` for a
/// type without one (then the code stands in for the second port, and the
/// endpoints are not ordered: the message goes one way).
fn icmp_counterpart(proto: IpProto, kind: u8) -> Option<u8> {
    let pairs: &[(u8, u8)] = if proto == IpProto::ICMP {
        &[(8, 0), (13, 14), (15, 16), (10, 9), (17, 18)]
    } else {
        &[
            (128, 129),
            (130, 131),
            (133, 134),
            (135, 136),
            (139, 140),
            (144, 145),
        ]
    };
    pairs.iter().find_map(|&(a, b)| {
        if kind == a {
            Some(b)
        } else if kind == b {
            Some(a)
        } else {
            None
        }
    })
}

impl fmt::Debug for CommunityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CommunityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::IcmpInfo;

    fn v4(a: [u8; 4]) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&a);
        b
    }

    fn rec(proto: IpProto, sa: [u8; 4], da: [u8; 4], sp: u16, dp: u16) -> FlowRecord {
        FlowRecord {
            sa: v4(sa),
            da: v4(da),
            sp,
            dp,
            ip_version: 4,
            proto,
            ..FlowRecord::default()
        }
    }

    // The spec's baseline vectors (community-id-spec, baseline/baseline_deflt.json).
    #[test]
    fn the_specs_baseline_vectors() {
        let tcp = rec(
            IpProto::TCP,
            [128, 232, 110, 120],
            [66, 35, 250, 204],
            34855,
            80,
        );
        assert_eq!(
            CommunityId::of(&tcp, 0).unwrap().as_str(),
            "1:LQU9qZlK+B5F3KDmev6m5PMibrg="
        );
        let udp = rec(IpProto::UDP, [192, 168, 1, 52], [8, 8, 8, 8], 54585, 53);
        assert_eq!(
            CommunityId::of(&udp, 0).unwrap().as_str(),
            "1:d/FP5EW3wiY1vCndhwleRRKHowQ="
        );
        let mut icmp = rec(IpProto::ICMP, [192, 168, 0, 89], [192, 168, 0, 1], 0, 0);
        icmp.icmp = IcmpInfo {
            kind: 8,
            code: 0,
            id: 0,
        };
        assert_eq!(
            CommunityId::of(&icmp, 0).unwrap().as_str(),
            "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="
        );
    }

    /// The `community-id` crate's identifier of `rec`.
    fn crate_id(rec: &FlowRecord, seed: u16) -> String {
        use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
        let ip = |a: &[u8; 16]| -> IpAddr {
            if rec.ip_version == 6 {
                Ipv6Addr::from(*a).into()
            } else {
                Ipv4Addr::new(a[0], a[1], a[2], a[3]).into()
            }
        };
        let (sp, dp) = match rec.proto {
            IpProto::TCP | IpProto::UDP | IpProto::SCTP => (Some(rec.sp), Some(rec.dp)),
            p if p.is_icmp() => (
                Some(u16::from(rec.icmp.kind)),
                Some(u16::from(rec.icmp.code)),
            ),
            _ => (None, None),
        };
        community_id::calculate_community_id(
            seed,
            ip(&rec.sa),
            ip(&rec.da),
            sp,
            dp,
            rec.proto.0,
            false,
        )
        .unwrap()
    }

    #[test]
    fn equal_to_the_community_id_crate_on_random_flows() {
        // A small xorshift: the same flows every run.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..20_000 {
            let v6 = i % 3 == 0;
            let proto = [6u8, 17, 132, 1, 58, 47, 50, 0][(next() % 8) as usize];
            let proto = match (proto, v6) {
                (1, true) => 58,
                (58, false) => 1,
                (p, _) => p,
            };
            let mut r = FlowRecord {
                ip_version: if v6 { 6 } else { 4 },
                proto: IpProto(proto),
                ..FlowRecord::default()
            };
            let len = if v6 { 16 } else { 4 };
            // Few distinct addresses and ports, so equal ones are common.
            for b in 0..len {
                r.sa[b] = (next() % 3) as u8;
                r.da[b] = (next() % 3) as u8;
            }
            if r.proto.is_icmp() {
                r.icmp.kind =
                    [0u8, 8, 3, 11, 13, 14, 128, 129, 133, 134, 1, 2][(next() % 12) as usize];
                r.icmp.code = (next() % 4) as u8;
            } else if matches!(proto, 6 | 17 | 132) {
                r.sp = (next() % 4) as u16 * 1000;
                r.dp = (next() % 4) as u16 * 1000;
            }
            let seed = (next() % 3) as u16;
            assert_eq!(
                CommunityId::of(&r, seed).unwrap().as_str(),
                crate_id(&r, seed),
                "{r:?}"
            );
        }
    }

    #[test]
    fn both_directions_give_one_identifier() {
        let a = rec(IpProto::TCP, [10, 0, 0, 1], [10, 0, 0, 2], 40000, 443);
        let b = rec(IpProto::TCP, [10, 0, 0, 2], [10, 0, 0, 1], 443, 40000);
        assert_eq!(CommunityId::of(&a, 7), CommunityId::of(&b, 7));
        assert_ne!(CommunityId::of(&a, 0), CommunityId::of(&a, 1));
    }
}
