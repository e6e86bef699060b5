//! Sluice's capture XDP program.
//!
//! For every frame: bounds-checked parse of Ethernet, up to two 802.1Q/802.1ad tags,
//! IPv4 (variable IHL) or IPv6 (fixed header), then TCP or UDP; per-CPU counters; and a
//! redirect to the AF_XDP socket bound to the frame's rx queue. Non-IP frames go to the
//! stack, as do frames of a queue with no socket bound (counted separately).
//!
//! Inline shunting: before the redirect, an unfragmented TCP/UDP frame (IPv4 without
//! MF or offset, IPv6 whose next header is directly TCP/UDP) is looked up in the verdict
//! map by its bidirectional flow key. When userspace has installed a verdict for the
//! flow, the frame is counted in the entry (this CPU's copy, the sender's direction) and
//! dropped or passed to the stack instead of reaching AF_XDP. The program never inserts.
#![no_std]
#![no_main]

use aya_ebpf::{
    bindings::xdp_action,
    helpers::bpf_ktime_get_ns,
    macros::{map, xdp},
    maps::{Array, LruPerCpuHashMap, PerCpuArray, XskMap},
    programs::XdpContext,
};
use sluice_common::{
    VerdictDir, VerdictKey, VerdictValue, XdpCounters, CONFIG_IGNORE_VLAN, MAX_QUEUES,
    MAX_VERDICTS, VERDICT_DROP,
};

#[map(name = "SLUICE_COUNTERS")]
static SLUICE_COUNTERS: PerCpuArray<XdpCounters> = PerCpuArray::with_max_entries(1, 0);

#[map(name = "SLUICE_XSKS")]
static SLUICE_XSKS: XskMap = XskMap::with_max_entries(MAX_QUEUES, 0);

#[map(name = "SLUICE_VERDICTS")]
static SLUICE_VERDICTS: LruPerCpuHashMap<VerdictKey, VerdictValue> =
    LruPerCpuHashMap::with_max_entries(MAX_VERDICTS, 0);

#[map(name = "SLUICE_CONFIG")]
static SLUICE_CONFIG: Array<u32> = Array::with_max_entries(1, 0);

const ETH_HLEN: usize = 14;
const ETH_P_IP: u16 = 0x0800;
const ETH_P_IPV6: u16 = 0x86dd;
const ETH_P_8021Q: u16 = 0x8100;
const ETH_P_8021AD: u16 = 0x88a8;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;

/// What the parse found, for the counters.
struct Parsed {
    vlan: bool,
    l3: L3,
    l4: u8,
    /// The flow of an unfragmented TCP/UDP frame, for the verdict lookup.
    flow: Option<Flow>,
}

/// A TCP/UDP frame's flow key and what its direction counts.
struct Flow {
    key: VerdictKey,
    /// Sent by the lower endpoint: `(src, sport) <= (dst, dport)`.
    from_lower: bool,
    /// IP length as userspace's `Packet::ip_len`.
    ip_len: u32,
    /// Transport payload length as userspace's `Packet::payload_len`.
    payload_len: u32,
    tcp_flags: u8,
}

#[derive(PartialEq, Eq)]
enum L3 {
    Ipv4,
    Ipv6,
    NonIp,
}

#[xdp]
pub fn sluice_xdp(ctx: XdpContext) -> u32 {
    let Some(c) = SLUICE_COUNTERS.get_ptr_mut(0) else {
        return xdp_action::XDP_PASS;
    };
    // SAFETY: a per-CPU slot is only touched by this CPU while the program runs.
    let c = unsafe { &mut *c };
    c.frames += 1;
    c.bytes += (ctx.data_end() - ctx.data()) as u64;

    let ignore_vlan = SLUICE_CONFIG
        .get(0)
        .is_some_and(|f| f & CONFIG_IGNORE_VLAN != 0);
    let mut flow = None;
    match parse(&ctx, ignore_vlan) {
        Ok(p) => {
            if p.vlan {
                c.vlan += 1;
            }
            match p.l3 {
                L3::Ipv4 => c.ipv4 += 1,
                L3::Ipv6 => c.ipv6 += 1,
                L3::NonIp => {
                    c.passed_non_ip += 1;
                    return xdp_action::XDP_PASS;
                }
            }
            match p.l4 {
                IPPROTO_TCP => c.tcp += 1,
                IPPROTO_UDP => c.udp += 1,
                _ => {}
            }
            flow = p.flow;
        }
        Err(()) => c.parse_failed += 1,
    }

    if let Some(f) = flow {
        if let Some(v) = SLUICE_VERDICTS.get_ptr_mut(&f.key) {
            // SAFETY: a per-CPU map value: this CPU's copy, only touched by this CPU while
            // the program runs (userspace replaces or deletes whole entries).
            let v = unsafe { &mut *v };
            let d = if f.from_lower {
                &mut v.dirs[0]
            } else {
                &mut v.dirs[1]
            };
            count(d, &f, (ctx.data_end() - ctx.data()) as u64);
            if v.verdict == VERDICT_DROP {
                c.verdict_dropped += 1;
                return xdp_action::XDP_DROP;
            }
            c.verdict_passed += 1;
            return xdp_action::XDP_PASS;
        }
    }

    let queue = ctx.rx_queue_index();
    if SLUICE_XSKS.get(queue).is_none() {
        c.passed_no_socket += 1;
        return xdp_action::XDP_PASS;
    }
    match SLUICE_XSKS.redirect(queue, xdp_action::XDP_PASS as u64) {
        Ok(action) => {
            c.redirected += 1;
            action
        }
        Err(_) => {
            c.redirect_failed += 1;
            xdp_action::XDP_PASS
        }
    }
}

/// Counts one frame of `f` (`wire` bytes long) in its direction's counters.
#[inline(always)]
fn count(d: &mut VerdictDir, f: &Flow, wire: u64) {
    d.packets += 1;
    d.payload_bytes += u64::from(f.payload_len);
    d.wire_bytes += wire;
    d.ip_bytes += u64::from(f.ip_len);
    // SAFETY: a helper without arguments or preconditions.
    d.last_ns = unsafe { bpf_ktime_get_ns() };
    let len = if f.ip_len > 0xffff {
        0xffff
    } else {
        f.ip_len as u16
    };
    if d.min_ip_len == 0 || len < d.min_ip_len {
        d.min_ip_len = len;
    }
    if len > d.max_ip_len {
        d.max_ip_len = len;
    }
    d.tcp_flags |= f.tcp_flags;
}

/// Copies `N` address bytes at `p` in the frame into `out` (the rest stays zero).
///
/// # Safety
/// The `N` bytes at `p` must be inside the frame.
#[inline(always)]
unsafe fn copy_addr<const N: usize>(p: *const u8, out: &mut [u8; 16]) {
    unsafe { core::ptr::copy_nonoverlapping(p, out.as_mut_ptr(), N) }
}

/// Returns a pointer to `len` bytes at `offset` in the frame, or `Err` when they are
/// not all inside the frame.
#[inline(always)]
fn bytes_at(ctx: &XdpContext, offset: usize, len: usize) -> Result<*const u8, ()> {
    let start = ctx.data();
    let end = ctx.data_end();
    if start + offset + len > end {
        return Err(());
    }
    Ok((start + offset) as *const u8)
}

#[inline(always)]
fn read_u16_be(ctx: &XdpContext, offset: usize) -> Result<u16, ()> {
    let p = bytes_at(ctx, offset, 2)?;
    // SAFETY: `bytes_at` checked both bytes are inside the frame.
    Ok(unsafe { u16::from_be_bytes([*p, *p.add(1)]) })
}

/// Parses the frame. `ignore_vlan` leaves the VLAN id out of the flow key.
#[inline(always)]
fn parse(ctx: &XdpContext, ignore_vlan: bool) -> Result<Parsed, ()> {
    let mut ethertype = read_u16_be(ctx, 12)?;
    let mut off = ETH_HLEN;
    let mut vlan = false;
    // The key's VLAN id is the first nonzero id of the tags, as userspace takes it.
    let mut vid = 0;
    // At most two tags (802.1ad outer + 802.1Q inner); unrolled for the verifier.
    if ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD {
        vlan = true;
        vid = read_u16_be(ctx, off)? & 0x0fff;
        ethertype = read_u16_be(ctx, off + 2)?;
        off += 4;
        if ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD {
            if vid == 0 {
                vid = read_u16_be(ctx, off)? & 0x0fff;
            }
            ethertype = read_u16_be(ctx, off + 2)?;
            off += 4;
        }
    }
    if ignore_vlan {
        vid = 0;
    }
    // Fixed-size headers are bounds-checked as a whole first and read through that one
    // checked pointer; a variable-length check (IHL, TCP data offset) comes after, on
    // its own, so the verifier never has to infer one check from another.
    let frame_len = ctx.data_end() - ctx.data();
    // The frame's source goes to `lo_*`, its destination to `hi_*`;
    // `VerdictKey::order` swaps them.
    let mut key = VerdictKey {
        vlan: vid,
        ..VerdictKey::default()
    };
    // IP length and IP header length as userspace counts them, and whether the frame
    // is unfragmented (only those are looked up).
    let (l3, l4_off, proto, ip_len, ip_hdr, whole) = match ethertype {
        ETH_P_IP => {
            let ip = bytes_at(ctx, off, 20)?;
            // SAFETY: 20 bytes at `ip` are inside the frame.
            let (vihl, total, frag, proto) = unsafe {
                (
                    *ip,
                    u16::from_be_bytes([*ip.add(2), *ip.add(3)]),
                    u16::from_be_bytes([*ip.add(6), *ip.add(7)]),
                    *ip.add(9),
                )
            };
            let ihl = ((vihl & 0x0f) as usize) * 4;
            if vihl >> 4 != 4 || ihl < 20 {
                return Err(());
            }
            if frag & 0x1fff != 0 {
                // A non-first fragment carries no L4 header.
                return Ok(Parsed {
                    vlan,
                    l3: L3::Ipv4,
                    l4: 0,
                    flow: None,
                });
            }
            // Options included, the whole header must be in the frame.
            bytes_at(ctx, off, ihl)?;
            // SAFETY: the addresses are within the 20 bytes at `ip`.
            unsafe {
                copy_addr::<4>(ip.add(12), &mut key.lo_addr);
                copy_addr::<4>(ip.add(16), &mut key.hi_addr);
            }
            key.ip_version = 4;
            // A total length of 0 (TSO) counts as the rest of the frame, as userspace does.
            let ip_len = if total == 0 {
                (frame_len - off) as u32
            } else {
                u32::from(total)
            };
            // First fragments (MF set) go to userspace, which tracks their fragments.
            let whole = frag & 0x2000 == 0;
            (L3::Ipv4, off + ihl, proto, ip_len, ihl as u32, whole)
        }
        ETH_P_IPV6 => {
            let ip = bytes_at(ctx, off, 40)?;
            // SAFETY: 40 bytes at `ip` are inside the frame.
            let (v, payload, next) = unsafe {
                (
                    *ip,
                    u16::from_be_bytes([*ip.add(4), *ip.add(5)]),
                    *ip.add(6),
                )
            };
            if v >> 4 != 6 {
                return Err(());
            }
            // SAFETY: the addresses are within the 40 bytes at `ip`.
            unsafe {
                copy_addr::<16>(ip.add(8), &mut key.lo_addr);
                copy_addr::<16>(ip.add(24), &mut key.hi_addr);
            }
            key.ip_version = 6;
            (L3::Ipv6, off + 40, next, 40 + u32::from(payload), 40, true)
        }
        _ => {
            return Ok(Parsed {
                vlan,
                l3: L3::NonIp,
                l4: 0,
                flow: None,
            });
        }
    };
    // The transport header: its length and the flags, for the payload count.
    let (l4_hdr, tcp_flags) = match proto {
        IPPROTO_TCP => {
            let tcp = bytes_at(ctx, l4_off, 20)?;
            // SAFETY: 20 bytes at `tcp` are inside the frame.
            let (sport, dport, doff, flags) = unsafe {
                (
                    u16::from_be_bytes([*tcp, *tcp.add(1)]),
                    u16::from_be_bytes([*tcp.add(2), *tcp.add(3)]),
                    ((*tcp.add(12) >> 4) as u32) * 4,
                    *tcp.add(13),
                )
            };
            if doff < 20 {
                return Err(());
            }
            (key.lo_port, key.hi_port) = (sport, dport);
            (doff, flags)
        }
        IPPROTO_UDP => {
            let udp = bytes_at(ctx, l4_off, 8)?;
            // SAFETY: 8 bytes at `udp` are inside the frame.
            let (sport, dport) = unsafe {
                (
                    u16::from_be_bytes([*udp, *udp.add(1)]),
                    u16::from_be_bytes([*udp.add(2), *udp.add(3)]),
                )
            };
            (key.lo_port, key.hi_port) = (sport, dport);
            (8, 0)
        }
        _ => {
            return Ok(Parsed {
                vlan,
                l3,
                l4: proto,
                flow: None,
            });
        }
    };
    let flow = if whole {
        key.proto = proto;
        let from_lower = key.order();
        Some(Flow {
            key,
            from_lower,
            ip_len,
            payload_len: ip_len.saturating_sub(ip_hdr + l4_hdr),
            tcp_flags,
        })
    } else {
        None
    };
    Ok(Parsed {
        vlan,
        l3,
        l4: proto,
        flow,
    })
}

#[cfg(not(test))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(link_section = "license")]
#[unsafe(no_mangle)]
static LICENSE: [u8; 4] = *b"GPL\0";
