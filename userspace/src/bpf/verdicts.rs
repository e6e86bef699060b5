//! The capture program's verdict map (inline shunting), seen from the workers.
//!
//! Once userspace decides a TCP/UDP flow is shunted, discarded or forwarded, it installs a
//! verdict for the flow's [`VerdictKey`]: from then on the XDP program drops
//! ([`Verdict::Drop`]) or passes to the stack ([`Verdict::Pass`]) the flow's frames instead
//! of handing them to AF_XDP, and counts them per direction in the entry. Reading or
//! removing the entry gives those counts ([`KernelCounts`]) so they can be merged into the
//! exported flow.
//!
//! Each [`VerdictMap`] owns its own file descriptor of the one map, so every worker can
//! hold its own handle ([`VerdictMap::try_clone`]) and use it without locks: the element
//! operations are plain `bpf(2)` calls on that descriptor.
//!
//! The map is an LRU map of [`MAX_VERDICTS`] entries: installing more evicts the least
//! recently used entry, whose counts are then lost and whose flow reaches AF_XDP again.
#![allow(unsafe_code)] // the bpf(2) map calls and clock_gettime (the clock bpf_ktime_get_ns reads); each block says why it is sound.
use std::{
    fmt, io,
    net::{Ipv4Addr, Ipv6Addr},
    os::fd::{AsFd, AsRawFd, OwnedFd},
};

use sluice_common::{
    VerdictDir, VerdictKey, VerdictValue, MAX_VERDICTS, VERDICTS_MAP, VERDICT_DROP, VERDICT_PASS,
};

use crate::{
    decode::IpProto,
    error::Error,
    flow::{FlowKey, Timestamp},
};

const BPF_MAP_LOOKUP_ELEM: libc::c_long = 1;
const BPF_MAP_UPDATE_ELEM: libc::c_long = 2;
const BPF_MAP_DELETE_ELEM: libc::c_long = 3;
const BPF_MAP_GET_NEXT_KEY: libc::c_long = 4;
const BPF_MAP_LOOKUP_AND_DELETE_ELEM: libc::c_long = 21;
/// `BPF_NOEXIST`: create a new element only.
const BPF_NOEXIST: u64 = 1;
/// The kernel's `ENOTSUPP` (not in libc: it is not a user-visible errno).
const ENOTSUPP: i32 = 524;

/// `union bpf_attr`, the member used by the map element commands.
#[repr(C)]
#[derive(Default)]
struct ElemAttr {
    map_fd: u32,
    _pad: u32,
    key: u64,
    /// `value`, or `next_key` for `BPF_MAP_GET_NEXT_KEY`.
    value: u64,
    flags: u64,
}

/// What the XDP program does with a flow's frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Pass them to the kernel stack (forwarded flows).
    Pass,
    /// Drop them (discarded flows, and shunted ones on a monitor port).
    Drop,
}

impl Verdict {
    /// The value kept in the map ([`VERDICT_PASS`] or [`VERDICT_DROP`]).
    pub fn raw(self) -> u32 {
        match self {
            Verdict::Pass => VERDICT_PASS,
            Verdict::Drop => VERDICT_DROP,
        }
    }

    /// The verdict of a map value, `None` for an unknown value.
    pub fn from_raw(v: u32) -> Option<Verdict> {
        match v {
            VERDICT_PASS => Some(Verdict::Pass),
            VERDICT_DROP => Some(Verdict::Drop),
            _ => None,
        }
    }
}

/// One entry's counts summed over CPUs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelCounts {
    /// The verdict in the entry (`None` if no CPU copy holds a known one).
    pub verdict: Option<Verdict>,
    /// `dirs[0]`: frames sent by the lower endpoint of the key; `dirs[1]`: by the higher
    /// one. Sums of packets and bytes; `min_ip_len` is the smallest nonzero minimum,
    /// `max_ip_len` the largest maximum, `tcp_flags` the OR and `last_ns` the latest
    /// (CLOCK_MONOTONIC nanoseconds; turn it into a [`Timestamp`] with [`MonoClock`]).
    pub dirs: [VerdictDir; 2],
}

impl KernelCounts {
    /// Sums one CPU's copy of an entry into these counts.
    pub fn add(&mut self, v: &VerdictValue) {
        if self.verdict.is_none() {
            self.verdict = Verdict::from_raw(v.verdict);
        }
        for (t, d) in self.dirs.iter_mut().zip(&v.dirs) {
            t.packets += d.packets;
            t.payload_bytes += d.payload_bytes;
            t.wire_bytes += d.wire_bytes;
            t.ip_bytes += d.ip_bytes;
            t.last_ns = t.last_ns.max(d.last_ns);
            if d.min_ip_len != 0 && (t.min_ip_len == 0 || d.min_ip_len < t.min_ip_len) {
                t.min_ip_len = d.min_ip_len;
            }
            t.max_ip_len = t.max_ip_len.max(d.max_ip_len);
            t.tcp_flags |= d.tcp_flags;
        }
    }

    /// Frames counted in both directions.
    pub fn packets(&self) -> u64 {
        self.dirs[0].packets + self.dirs[1].packets
    }

    /// CLOCK_MONOTONIC time of the latest frame in either direction, 0 when none.
    pub fn last_ns(&self) -> u64 {
        self.dirs[0].last_ns.max(self.dirs[1].last_ns)
    }
}

/// Converts `bpf_ktime_get_ns()` values (CLOCK_MONOTONIC) to realtime [`Timestamp`]s
/// (nanoseconds since the epoch, like `time::now()`), by the offset between the
/// two clocks when it was made. Make a new one now and then if the realtime clock may be
/// stepped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonoClock {
    /// Realtime minus monotonic, in nanoseconds.
    offset: i128,
}

impl MonoClock {
    /// The current offset between CLOCK_REALTIME and CLOCK_MONOTONIC.
    pub fn now() -> MonoClock {
        // Monotonic read between two realtime reads: the offset error is at most the
        // time between the reads, and the middle reading halves it.
        let r0 = clock_ns(libc::CLOCK_REALTIME);
        let m = clock_ns(libc::CLOCK_MONOTONIC);
        let r1 = clock_ns(libc::CLOCK_REALTIME);
        MonoClock {
            offset: (r0 + r1) / 2 - m,
        }
    }

    /// The realtime timestamp of CLOCK_MONOTONIC time `mono_ns`.
    pub fn to_realtime(&self, mono_ns: u64) -> Timestamp {
        let t = i128::from(mono_ns) + self.offset;
        Timestamp(u64::try_from(t.max(0)).unwrap_or(u64::MAX))
    }
}

/// Reads `clock` in nanoseconds.
fn clock_ns(clock: libc::clockid_t) -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clocks used always exist.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    i128::from(ts.tv_sec) * 1_000_000_000 + i128::from(ts.tv_nsec)
}

/// The verdict key of a flow: `Some` for TCP and UDP flows only (the program keys no
/// other protocol). The endpoint order is [`FlowKey`]'s, which the program reproduces
/// with [`VerdictKey::order`].
pub trait FromFlowKey: Sized {
    /// The verdict key of `key`, `None` unless it is a TCP or UDP flow.
    fn from_flow_key(key: &FlowKey) -> Option<Self>;
}

impl FromFlowKey for VerdictKey {
    fn from_flow_key(k: &FlowKey) -> Option<VerdictKey> {
        if k.proto != IpProto::TCP && k.proto != IpProto::UDP {
            return None;
        }
        Some(VerdictKey {
            lo_addr: k.lo_addr,
            hi_addr: k.hi_addr,
            lo_port: k.lo_port,
            hi_port: k.hi_port,
            vlan: k.vlan,
            proto: k.proto.0,
            ip_version: k.ip_version,
        })
    }
}

/// A verdict key shown as a flow, for errors and logs:
/// `udp 10.0.0.1:5000 <-> 10.0.0.2:6000 vlan 7`.
pub struct ShowKey<'a>(pub &'a VerdictKey);

impl fmt::Display for ShowKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.0;
        let proto = match IpProto(k.proto) {
            IpProto::TCP => "tcp".to_string(),
            IpProto::UDP => "udp".to_string(),
            p => format!("proto {p}"),
        };
        let addr = |a: &[u8; 16]| -> String {
            if k.ip_version == 4 {
                Ipv4Addr::new(a[0], a[1], a[2], a[3]).to_string()
            } else {
                format!("[{}]", Ipv6Addr::from(*a))
            }
        };
        write!(
            f,
            "{proto} {}:{} <-> {}:{}",
            addr(&k.lo_addr),
            k.lo_port,
            addr(&k.hi_addr),
            k.hi_port
        )?;
        if k.vlan != 0 {
            write!(f, " vlan {}", k.vlan)?;
        }
        Ok(())
    }
}

/// A handle on the verdict map. Each handle owns a descriptor of the map; clone one per
/// worker with [`VerdictMap::try_clone`]. All operations take `&self` and no lock.
#[derive(Debug)]
pub struct VerdictMap {
    fd: OwnedFd,
    /// Possible CPUs: the number of copies of a per-CPU value.
    cpus: usize,
}

impl VerdictMap {
    /// A handle on the map open as `fd` (the handle keeps its own duplicate).
    pub fn from_fd(fd: impl AsFd) -> Result<VerdictMap, Error> {
        let fd = fd
            .as_fd()
            .try_clone_to_owned()
            .map_err(|e| Error::Other(format!("duplicating the {VERDICTS_MAP} map fd: {e}")))?;
        let cpus = aya::util::nr_cpus().map_err(|(what, e)| {
            Error::Other(format!(
                "counting possible CPUs ({what}) for the {VERDICTS_MAP} map: {e}"
            ))
        })?;
        Ok(VerdictMap { fd, cpus })
    }

    /// Another handle on the same map, with its own descriptor (for another thread).
    pub fn try_clone(&self) -> Result<VerdictMap, Error> {
        let fd = self
            .fd
            .try_clone()
            .map_err(|e| Error::Other(format!("duplicating the {VERDICTS_MAP} map fd: {e}")))?;
        Ok(VerdictMap {
            fd,
            cpus: self.cpus,
        })
    }

    /// Capacity of the map.
    pub const fn capacity(&self) -> u32 {
        MAX_VERDICTS
    }

    /// Installs `verdict` for the flow `key` with zeroed counts, in every CPU's copy.
    /// Fails if the flow already has an entry (read or remove it first: replacing it
    /// would lose its counts).
    pub fn install(&self, key: &VerdictKey, verdict: Verdict) -> Result<(), Error> {
        let value = VerdictValue {
            verdict: verdict.raw(),
            ..VerdictValue::default()
        };
        let values = vec![value; self.cpus];
        self.elem(
            BPF_MAP_UPDATE_ELEM,
            key,
            values.as_ptr() as u64,
            BPF_NOEXIST,
        )
        .map_err(|e| {
            let why = if e.raw_os_error() == Some(libc::EEXIST) {
                "the flow already has a verdict".to_string()
            } else if e.raw_os_error() == Some(libc::E2BIG) {
                format!("the map is full ({MAX_VERDICTS} entries)")
            } else {
                e.to_string()
            };
            Error::Other(format!(
                "installing verdict {verdict:?} in map {VERDICTS_MAP} for {}: {why}",
                ShowKey(key)
            ))
        })
    }

    /// The counts of the flow `key` summed over CPUs, `None` when it has no entry.
    pub fn read(&self, key: &VerdictKey) -> Result<Option<KernelCounts>, Error> {
        let mut values = vec![VerdictValue::default(); self.cpus];
        match self.elem(BPF_MAP_LOOKUP_ELEM, key, values.as_mut_ptr() as u64, 0) {
            Ok(()) => Ok(Some(sum(&values))),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(None),
            Err(e) => Err(Error::Other(format!(
                "reading map {VERDICTS_MAP} for {}: {e}",
                ShowKey(key)
            ))),
        }
    }

    /// Removes the entry of the flow `key` and returns its counts (`None` when it had no
    /// entry); the flow's frames go to AF_XDP again.
    ///
    /// Race: the counts are copied and the entry deleted in one call, but a frame being
    /// counted on another CPU at that moment (the program already holds a pointer to the
    /// entry) lands after the copy and is lost. That is why userspace removes only
    /// entries of flows idle past their timeout, or after the program is detached.
    pub fn remove(&self, key: &VerdictKey) -> Result<Option<KernelCounts>, Error> {
        let mut values = vec![VerdictValue::default(); self.cpus];
        let fail = |e: io::Error| {
            Error::Other(format!(
                "removing {} from map {VERDICTS_MAP}: {e}",
                ShowKey(key)
            ))
        };
        match self.elem(
            BPF_MAP_LOOKUP_AND_DELETE_ELEM,
            key,
            values.as_mut_ptr() as u64,
            0,
        ) {
            Ok(()) => return Ok(Some(sum(&values))),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(None),
            // Kernels before 5.14 cannot do both at once on hash maps: read, then delete.
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EINVAL) | Some(libc::EOPNOTSUPP) | Some(ENOTSUPP)
                ) => {}
            Err(e) => return Err(fail(e)),
        }
        let Some(counts) = self.read(key)? else {
            return Ok(None);
        };
        match self.elem(BPF_MAP_DELETE_ELEM, key, 0, 0) {
            Ok(()) => Ok(Some(counts)),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(Some(counts)),
            Err(e) => Err(fail(e)),
        }
    }

    /// The keys in the map (one `bpf` call per entry: for tests and reports, not for
    /// the packet path). Entries deleted meanwhile may restart the walk; it stops after
    /// [`MAX_VERDICTS`] keys.
    pub fn keys(&self) -> Result<Vec<VerdictKey>, Error> {
        let mut keys = Vec::new();
        let mut cur: Option<VerdictKey> = None;
        while keys.len() < MAX_VERDICTS as usize {
            let mut next = VerdictKey::default();
            let key_ptr = cur.as_ref().map_or(0, |k| k as *const VerdictKey as u64);
            let mut attr = ElemAttr {
                map_fd: self.fd.as_raw_fd() as u32,
                key: key_ptr,
                value: &mut next as *mut VerdictKey as u64,
                ..ElemAttr::default()
            };
            match bpf(BPF_MAP_GET_NEXT_KEY, &mut attr) {
                Ok(()) => {
                    keys.push(next);
                    cur = Some(next);
                }
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => break,
                Err(e) => {
                    return Err(Error::Other(format!(
                        "listing the keys of map {VERDICTS_MAP}: {e}"
                    )))
                }
            }
        }
        Ok(keys)
    }

    /// Number of entries (walks the keys: see [`VerdictMap::keys`]).
    pub fn len(&self) -> Result<usize, Error> {
        Ok(self.keys()?.len())
    }

    /// True when the map has no entry.
    pub fn is_empty(&self) -> Result<bool, Error> {
        let mut next = VerdictKey::default();
        let mut attr = ElemAttr {
            map_fd: self.fd.as_raw_fd() as u32,
            value: &mut next as *mut VerdictKey as u64,
            ..ElemAttr::default()
        };
        match bpf(BPF_MAP_GET_NEXT_KEY, &mut attr) {
            Ok(()) => Ok(false),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(true),
            Err(e) => Err(Error::Other(format!(
                "listing the keys of map {VERDICTS_MAP}: {e}"
            ))),
        }
    }

    /// One element command on `key` with `value` (a pointer to `cpus` values, or 0).
    fn elem(&self, cmd: libc::c_long, key: &VerdictKey, value: u64, flags: u64) -> io::Result<()> {
        let mut attr = ElemAttr {
            map_fd: self.fd.as_raw_fd() as u32,
            key: key as *const VerdictKey as u64,
            value,
            flags,
            ..ElemAttr::default()
        };
        bpf(cmd, &mut attr)
    }
}

/// Sums the per-CPU copies of one entry.
fn sum(values: &[VerdictValue]) -> KernelCounts {
    let mut c = KernelCounts::default();
    for v in values {
        c.add(v);
    }
    c
}

/// The `bpf(2)` system call with a map element `attr`.
fn bpf(cmd: libc::c_long, attr: &mut ElemAttr) -> io::Result<()> {
    // SAFETY: `attr` is a valid `bpf_attr` element member; the pointers in it name a
    // key and a value buffer of the map's sizes (a 40-byte `VerdictKey`, and `cpus`
    // 104-byte `VerdictValue`s, which is the kernel's per-CPU layout: each copy rounded up
    // to 8 bytes) that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd,
            attr as *mut ElemAttr,
            std::mem::size_of::<ElemAttr>(),
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Packet;

    fn v4(a: [u8; 4]) -> [u8; 16] {
        let mut o = [0u8; 16];
        o[..4].copy_from_slice(&a);
        o
    }

    fn pkt(
        ip_version: u8,
        proto: IpProto,
        src: [u8; 16],
        sport: u16,
        dst: [u8; 16],
        dport: u16,
    ) -> Packet {
        Packet {
            vlan: 7,
            ip_version,
            src,
            dst,
            proto,
            sport,
            dport,
            ..Packet::default()
        }
    }

    /// The key the XDP program builds for `p`: source in `lo_*`, destination in `hi_*`,
    /// then the program's own `VerdictKey::order`.
    fn kernel_key(p: &Packet) -> (VerdictKey, bool) {
        let mut k = VerdictKey {
            lo_addr: p.src,
            hi_addr: p.dst,
            lo_port: p.sport,
            hi_port: p.dport,
            vlan: p.vlan,
            proto: p.proto.0,
            ip_version: p.ip_version,
        };
        let lower = k.order();
        (k, lower)
    }

    #[test]
    fn from_flow_key_orders_endpoints_like_the_program() {
        let a6: [u8; 16] = "2001:db8::1".parse::<Ipv6Addr>().unwrap().octets();
        let b6: [u8; 16] = "2001:db8::2".parse::<Ipv6Addr>().unwrap().octets();
        // Differ only in the last byte, in the first byte, and in the second word.
        let c6: [u8; 16] = "fe80::1:0:0:0:1".parse::<Ipv6Addr>().unwrap().octets();
        let d6: [u8; 16] = "fe80::1:0:0:0:0".parse::<Ipv6Addr>().unwrap().octets();
        let e6: [u8; 16] = "fe80::2:0:0:0:0".parse::<Ipv6Addr>().unwrap().octets();
        let cases = [
            (
                4,
                IpProto::UDP,
                v4([10, 0, 0, 1]),
                5000,
                v4([10, 0, 0, 2]),
                53,
            ),
            (
                4,
                IpProto::UDP,
                v4([10, 0, 0, 2]),
                53,
                v4([10, 0, 0, 1]),
                5000,
            ),
            // The first byte decides, whatever the later ones (lexicographic, not numeric
            // on a little-endian word).
            (
                4,
                IpProto::TCP,
                v4([9, 255, 255, 255]),
                1,
                v4([10, 0, 0, 0]),
                1,
            ),
            (
                4,
                IpProto::TCP,
                v4([10, 0, 0, 0]),
                1,
                v4([9, 255, 255, 255]),
                1,
            ),
            (4, IpProto::TCP, v4([1, 0, 0, 2]), 9, v4([2, 0, 0, 1]), 1),
            // Equal addresses: the ports break the tie; equal endpoints are "lower".
            (
                4,
                IpProto::TCP,
                v4([127, 0, 0, 1]),
                80,
                v4([127, 0, 0, 1]),
                40000,
            ),
            (
                4,
                IpProto::TCP,
                v4([127, 0, 0, 1]),
                40000,
                v4([127, 0, 0, 1]),
                80,
            ),
            (
                4,
                IpProto::UDP,
                v4([127, 0, 0, 1]),
                7,
                v4([127, 0, 0, 1]),
                7,
            ),
            (6, IpProto::UDP, a6, 5000, b6, 53),
            (6, IpProto::UDP, b6, 53, a6, 5000),
            (6, IpProto::TCP, c6, 1, d6, 2),
            (6, IpProto::TCP, d6, 2, c6, 1),
            (6, IpProto::TCP, d6, 2, e6, 1),
            (6, IpProto::TCP, e6, 1, d6, 2),
            (6, IpProto::TCP, a6, 443, a6, 443),
            (6, IpProto::TCP, a6, 443, a6, 442),
            (6, IpProto::TCP, a6, 65535, a6, 0),
            (6, IpProto::UDP, a6, 0, a6, 65535),
        ];
        for (ver, proto, src, sport, dst, dport) in cases {
            let p = pkt(ver, proto, src, sport, dst, dport);
            let (fk, flow_lower) = FlowKey::from_packet(&p);
            let vk = VerdictKey::from_flow_key(&fk).expect("TCP/UDP");
            let (kk, kernel_lower) = kernel_key(&p);
            assert_eq!(vk, kk, "{p:?}");
            assert_eq!(flow_lower, kernel_lower, "direction of {p:?}");
            assert_eq!(
                (vk.lo_addr, vk.hi_addr, vk.lo_port, vk.hi_port),
                (fk.lo_addr, fk.hi_addr, fk.lo_port, fk.hi_port)
            );
            assert_eq!((vk.vlan, vk.proto, vk.ip_version), (7, proto.0, ver));
        }
    }

    #[test]
    fn only_tcp_and_udp_flows_have_a_verdict_key() {
        let p = pkt(
            4,
            crate::decode::IpProto::ICMP,
            v4([1, 1, 1, 1]),
            0,
            v4([2, 2, 2, 2]),
            0,
        );
        assert!(VerdictKey::from_flow_key(&FlowKey::from_packet(&p).0).is_none());
        let p = pkt(
            4,
            crate::decode::IpProto::SCTP,
            v4([1, 1, 1, 1]),
            1,
            v4([2, 2, 2, 2]),
            2,
        );
        assert!(VerdictKey::from_flow_key(&FlowKey::from_packet(&p).0).is_none());
    }

    #[test]
    fn counts_sum_over_cpus() {
        let d = |packets, min, max, flags, last| VerdictDir {
            packets,
            payload_bytes: packets * 10,
            wire_bytes: packets * 60,
            ip_bytes: packets * 46,
            last_ns: last,
            min_ip_len: min,
            max_ip_len: max,
            tcp_flags: flags,
            pad: [0; 3],
        };
        let cpu0 = VerdictValue {
            verdict: VERDICT_DROP,
            pad: 0,
            dirs: [d(2, 40, 60, 0x02, 100), VerdictDir::default()],
        };
        let cpu1 = VerdictValue {
            verdict: VERDICT_DROP,
            pad: 0,
            dirs: [d(1, 52, 1500, 0x10, 90), d(3, 44, 44, 0x12, 120)],
        };
        let c = sum(&[cpu0, VerdictValue::default(), cpu1]);
        assert_eq!(c.verdict, Some(Verdict::Drop));
        assert_eq!(c.dirs[0], d(3, 40, 1500, 0x12, 100));
        assert_eq!(c.dirs[1], d(3, 44, 44, 0x12, 120));
        assert_eq!(c.packets(), 6);
        assert_eq!(c.last_ns(), 120);
    }

    #[test]
    fn monotonic_times_become_realtime() {
        let clock = MonoClock::now();
        let mono = clock_ns(libc::CLOCK_MONOTONIC) as u64;
        let real = crate::time::now().0;
        let t = clock.to_realtime(mono).0;
        assert!(t.abs_diff(real) < 50_000_000, "{t} vs {real}");
    }

    #[test]
    fn keys_show_as_flows() {
        let k = VerdictKey {
            lo_addr: v4([10, 0, 0, 1]),
            hi_addr: v4([10, 0, 0, 2]),
            lo_port: 5000,
            hi_port: 53,
            vlan: 7,
            proto: IpProto::UDP.0,
            ip_version: 4,
        };
        assert_eq!(
            ShowKey(&k).to_string(),
            "udp 10.0.0.1:5000 <-> 10.0.0.2:53 vlan 7"
        );
    }
}
