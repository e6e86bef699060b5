//! The flow's Community ID (version 1, corelight/community-id-spec): the
//! identifier Zeek, Suricata, Arkime and Elastic give the same flow, so
//! records of different tools join on it.
//!
//! The hash is the `community-id` crate's (SHA-1 over seed, ordered
//! addresses, protocol and ports or ICMP type/code, base64). Sluice feeds it
//! the record as written (after anonymization, so the identifier never
//! reveals an address the record hides): `sa` → `da`, the ports for TCP,
//! UDP and SCTP, the ICMP/ICMPv6 type and code for ICMP (the crate maps
//! request/reply types as the spec does), nothing for other protocols.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::decode::IpProto;
use crate::flow::FlowRecord;

/// Length of a version 1 identifier: `1:` and 28 base64 characters.
const LEN: usize = 30;

/// A version 1 Community ID, `1:` followed by the base64 of its hash.
/// Fixed-size, so records carry it without allocating.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommunityId([u8; LEN]);

impl CommunityId {
    /// The identifier of `rec` under `seed` (0 is the spec's default);
    /// `None` only for a record the spec cannot hash (mixed address
    /// families), which the flow table never makes.
    pub fn of(rec: &FlowRecord, seed: u16) -> Option<CommunityId> {
        let (src, dst) = addresses(rec);
        let (sp, dp) = match rec.proto {
            IpProto::TCP | IpProto::UDP | IpProto::SCTP => (Some(rec.sp), Some(rec.dp)),
            p if p.is_icmp() => (
                Some(u16::from(rec.icmp.kind)),
                Some(u16::from(rec.icmp.code)),
            ),
            _ => (None, None),
        };
        let s = ::community_id::calculate_community_id(seed, src, dst, sp, dp, rec.proto.0, false)
            .ok()?;
        Some(CommunityId(s.as_bytes().try_into().ok()?))
    }

    /// The identifier as text (`1:...=`).
    pub fn as_str(&self) -> &str {
        // Built from a String of ASCII base64 in `of`.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
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

fn addresses(rec: &FlowRecord) -> (IpAddr, IpAddr) {
    if rec.ip_version == 6 {
        return (Ipv6Addr::from(rec.sa).into(), Ipv6Addr::from(rec.da).into());
    }
    let v4 = |a: &[u8; 16]| IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3]));
    (v4(&rec.sa), v4(&rec.da))
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

    #[test]
    fn both_directions_give_one_identifier() {
        let a = rec(IpProto::TCP, [10, 0, 0, 1], [10, 0, 0, 2], 40000, 443);
        let b = rec(IpProto::TCP, [10, 0, 0, 2], [10, 0, 0, 1], 443, 40000);
        assert_eq!(CommunityId::of(&a, 7), CommunityId::of(&b, 7));
        assert_ne!(CommunityId::of(&a, 0), CommunityId::of(&a, 1));
    }
}
