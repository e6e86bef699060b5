//! Canonical bidirectional flow key.

use std::hash::{BuildHasher, Hash, Hasher};

use foldhash::fast::{FixedState, RandomState};

use crate::decode::{IpProto, Packet};

/// Bidirectional flow key: both directions of a conversation map to the same
/// key. Endpoints are ordered by `(addr, port)`; `lo_*` is the smaller one.
///
/// IPv4 addresses use the [`Packet`] layout (first 4 bytes, rest zero);
/// `ip_version` keeps them apart from IPv6 addresses.
///
/// ICMP and ICMPv6 flows have no ports: they are keyed by the addresses and
/// the message, with `lo_port = type << 8 | code` (a reply's type replaced by
/// its request's, so echo request and reply are one flow) and `hi_port` = the
/// echo (query) identifier, 0 for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowKey {
    /// Outer VLAN id, 0 when untagged.
    pub vlan: u16,
    /// 4 or 6.
    pub ip_version: u8,
    /// Transport protocol.
    pub proto: IpProto,
    /// Port of the lower endpoint.
    pub lo_port: u16,
    /// Port of the higher endpoint.
    pub hi_port: u16,
    /// Address of the lower endpoint.
    pub lo_addr: [u8; 16],
    /// Address of the higher endpoint.
    pub hi_addr: [u8; 16],
}

impl FlowKey {
    /// Builds the key of `pkt`'s flow. The flag is true when `pkt` was sent by
    /// the lower endpoint (also when both endpoints are equal).
    pub fn from_packet(pkt: &Packet) -> (FlowKey, bool) {
        if pkt.proto.is_icmp() {
            let src_is_lower = pkt.src <= pkt.dst;
            let (lo, hi) = if src_is_lower {
                (pkt.src, pkt.dst)
            } else {
                (pkt.dst, pkt.src)
            };
            let kind = icmp_request_type(pkt.proto, pkt.icmp.kind);
            let key = FlowKey {
                vlan: pkt.vlan,
                ip_version: pkt.ip_version,
                proto: pkt.proto,
                lo_port: u16::from(kind) << 8 | u16::from(pkt.icmp.code),
                hi_port: pkt.icmp.id,
                lo_addr: lo,
                hi_addr: hi,
            };
            return (key, src_is_lower);
        }
        let src = (pkt.src, pkt.sport);
        let dst = (pkt.dst, pkt.dport);
        let src_is_lower = src <= dst;
        let (lo, hi) = if src_is_lower { (src, dst) } else { (dst, src) };
        let key = FlowKey {
            vlan: pkt.vlan,
            ip_version: pkt.ip_version,
            proto: pkt.proto,
            lo_port: lo.1,
            hi_port: hi.1,
            lo_addr: lo.0,
            hi_addr: hi.0,
        };
        (key, src_is_lower)
    }

    /// True for TCP, UDP and SCTP, whose key fields `lo_port`/`hi_port` are ports.
    pub fn has_ports(&self) -> bool {
        self.proto.has_ports()
    }

    /// True for ICMP and ICMPv6, whose key carries the message type, code and id.
    pub fn is_icmp(&self) -> bool {
        self.proto.is_icmp()
    }
}

impl Hash for FlowKey {
    /// Feeds the key to the hasher as five `u64` words (no length prefixes).
    fn hash<H: Hasher>(&self, state: &mut H) {
        let head = u64::from(self.vlan)
            | u64::from(self.ip_version) << 16
            | u64::from(self.proto.0) << 24
            | u64::from(self.lo_port) << 32
            | u64::from(self.hi_port) << 48;
        state.write_u64(head);
        for addr in [&self.lo_addr, &self.hi_addr] {
            let (a, b) = addr.split_at(8);
            state.write_u64(u64::from_ne_bytes(to8(a)));
            state.write_u64(u64::from_ne_bytes(to8(b)));
        }
    }
}

/// The request type of an ICMP/ICMPv6 reply type (echo, timestamp,
/// information, address mask; ICMPv6 echo and node information); other
/// types unchanged.
pub fn icmp_request_type(proto: IpProto, kind: u8) -> u8 {
    match (proto, kind) {
        (IpProto::ICMP, 0) => 8,
        (IpProto::ICMP, 14) => 13,
        (IpProto::ICMP, 16) => 15,
        (IpProto::ICMP, 18) => 17,
        (IpProto::ICMPV6, 129) => 128,
        (IpProto::ICMPV6, 140) => 139,
        (_, k) => k,
    }
}

fn to8(s: &[u8]) -> [u8; 8] {
    let mut w = [0u8; 8];
    w.copy_from_slice(s);
    w
}

/// Hashes flow keys for the table index and for the choice of the worker
/// owning a flow: one hash per packet serves both. [`KeyHasher::default`]
/// seeds it at random (a remote sender cannot aim for collisions);
/// [`KeyHasher::with_seed`] makes it a function of the key alone, so that
/// which shard holds a flow is the same on every run (`sluice read`). Clones
/// share the seed, so every worker of a run that got a clone picks the same
/// owner.
#[derive(Clone)]
pub struct KeyHasher(FixedState);

impl KeyHasher {
    /// A hasher seeded with `seed`: the same keys hash the same on every run.
    pub const fn with_seed(seed: u64) -> Self {
        KeyHasher(FixedState::with_seed(seed))
    }

    /// The hash of `key` (the same for both directions of a flow, as the key is).
    pub fn hash(&self, key: &FlowKey) -> u64 {
        self.0.hash_one(key)
    }
}

impl Default for KeyHasher {
    /// A hasher with a random seed.
    fn default() -> Self {
        KeyHasher::with_seed(RandomState::default().hash_one(0u64))
    }
}

impl std::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyHasher")
    }
}

/// A packet's flow key and its hash, computed once per packet
/// ([`crate::flow::Table::key_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketKey {
    /// The canonical key.
    pub key: FlowKey,
    /// True if the packet was sent by the key's lower endpoint.
    pub from_lower: bool,
    /// The key's hash by the table's [`KeyHasher`].
    pub hash: u64,
}

impl PacketKey {
    /// The key of `pkt` (without its VLAN id when `ignore_vlan`) hashed by
    /// `hasher`: what [`crate::flow::Table::key_of`] gives.
    #[inline]
    pub fn of(pkt: &Packet, ignore_vlan: bool, hasher: &KeyHasher) -> PacketKey {
        let (key, from_lower) = FlowKey::from_packet(pkt);
        let key = if ignore_vlan {
            FlowKey { vlan: 0, ..key }
        } else {
            key
        };
        PacketKey {
            key,
            from_lower,
            hash: hasher.hash(&key),
        }
    }

    /// Which of `n` shards (workers, tables) holds this flow, `0..n`. Taken
    /// from the hash's bits 24..56 by a multiply-shift: a shard's flows then
    /// share neither the low bits its own index picks buckets by nor the top
    /// seven bits the index keeps as control bytes (hashbrown's h1 and h2),
    /// so the shard's index works as well as one holding every flow.
    #[inline]
    pub fn shard(&self, n: usize) -> usize {
        PacketKey::shard_of(self.hash, n)
    }

    /// [`PacketKey::shard`] of a key hashing to `hash`.
    #[inline]
    pub fn shard_of(hash: u64, n: usize) -> usize {
        ((((hash >> 24) & 0xffff_ffff) * n as u64) >> 32) as usize
    }
}
