//! Sluice's capture XDP program.
//!
//! For every frame: bounds-checked parse of Ethernet, up to two 802.1Q/802.1ad tags,
//! IPv4 (variable IHL) or IPv6 (fixed header), then TCP or UDP; per-CPU counters; and a
//! redirect to the AF_XDP socket bound to the frame's rx queue. Non-IP frames go to the
//! stack, as do frames of a queue with no socket bound (counted separately).
#![no_std]
#![no_main]

use aya_ebpf::{
    bindings::xdp_action,
    macros::{map, xdp},
    maps::{PerCpuArray, XskMap},
    programs::XdpContext,
};
use sluice_common::{XdpCounters, MAX_QUEUES};

#[map(name = "SLUICE_COUNTERS")]
static SLUICE_COUNTERS: PerCpuArray<XdpCounters> = PerCpuArray::with_max_entries(1, 0);

#[map(name = "SLUICE_XSKS")]
static SLUICE_XSKS: XskMap = XskMap::with_max_entries(MAX_QUEUES, 0);

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

    match parse(&ctx) {
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
        }
        Err(()) => c.parse_failed += 1,
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

#[inline(always)]
fn parse(ctx: &XdpContext) -> Result<Parsed, ()> {
    let mut ethertype = read_u16_be(ctx, 12)?;
    let mut off = ETH_HLEN;
    let mut vlan = false;
    // At most two tags (802.1ad outer + 802.1Q inner); unrolled for the verifier.
    if ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD {
        vlan = true;
        ethertype = read_u16_be(ctx, off + 2)?;
        off += 4;
        if ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD {
            ethertype = read_u16_be(ctx, off + 2)?;
            off += 4;
        }
    }
    // Fixed-size headers are bounds-checked as a whole first and read through that one
    // checked pointer; a variable-length check (IHL, TCP data offset) comes after, on
    // its own, so the verifier never has to infer one check from another.
    let (l3, l4_off, proto) = match ethertype {
        ETH_P_IP => {
            let ip = bytes_at(ctx, off, 20)?;
            // SAFETY: 20 bytes at `ip` are inside the frame.
            let (vihl, frag, proto) = unsafe {
                (
                    *ip,
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
                });
            }
            // Options included, the whole header must be in the frame.
            bytes_at(ctx, off, ihl)?;
            (L3::Ipv4, off + ihl, proto)
        }
        ETH_P_IPV6 => {
            let ip = bytes_at(ctx, off, 40)?;
            // SAFETY: 40 bytes at `ip` are inside the frame.
            let (v, next) = unsafe { (*ip, *ip.add(6)) };
            if v >> 4 != 6 {
                return Err(());
            }
            (L3::Ipv6, off + 40, next)
        }
        _ => {
            return Ok(Parsed {
                vlan,
                l3: L3::NonIp,
                l4: 0,
            });
        }
    };
    match proto {
        IPPROTO_TCP => {
            let tcp = bytes_at(ctx, l4_off, 20)?;
            // SAFETY: 20 bytes at `tcp` are inside the frame.
            let doff = ((unsafe { *tcp.add(12) } >> 4) as usize) * 4;
            if doff < 20 {
                return Err(());
            }
        }
        IPPROTO_UDP => {
            bytes_at(ctx, l4_off, 8)?;
        }
        _ => {}
    }
    Ok(Parsed {
        vlan,
        l3,
        l4: proto,
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
