//! The traffic generator's XDP program, run by `BPF_PROG_TEST_RUN` with
//! `BPF_F_TEST_XDP_LIVE_FRAMES`: for each transmitted copy of the template frame it
//! rewrites the UDP source port from a per-CPU counter (spreading frames over
//! `GenConfig::flows` flows), clears the UDP checksum and returns `XDP_TX`, which the
//! kernel turns into a transmit on the veth given as the ingress interface.
//! Also `sluice_drop`, the XDP_DROP ceiling of the live benchmark.
#![no_std]
#![no_main]

use aya_ebpf::{
    bindings::xdp_action,
    macros::{map, xdp},
    maps::{Array, PerCpuArray},
    programs::XdpContext,
};
use sluice_common::GenConfig;

#[map(name = "GEN_CONFIG")]
static GEN_CONFIG: Array<GenConfig> = Array::with_max_entries(1, 0);

#[map(name = "GEN_COUNTER")]
static GEN_COUNTER: PerCpuArray<u64> = PerCpuArray::with_max_entries(1, 0);

/// Largest UDP header offset accepted (Ethernet + two VLAN tags + IPv6 + slack).
const MAX_UDP_OFFSET: usize = 128;

#[xdp]
pub fn sluice_gen(ctx: XdpContext) -> u32 {
    let Some(cfg) = GEN_CONFIG.get(0) else {
        return xdp_action::XDP_ABORTED;
    };
    let Some(n) = GEN_COUNTER.get_ptr_mut(0) else {
        return xdp_action::XDP_ABORTED;
    };
    // SAFETY: per-CPU slot, only this CPU touches it while the program runs.
    let n = unsafe { &mut *n };
    let seq = *n;
    *n = seq + 1;
    if cfg.flows > 1 {
        let off = cfg.udp_offset as usize;
        if off > MAX_UDP_OFFSET {
            return xdp_action::XDP_ABORTED;
        }
        let start = ctx.data();
        if start + off + 8 > ctx.data_end() {
            return xdp_action::XDP_ABORTED;
        }
        let port = cfg.base_sport.wrapping_add((seq % cfg.flows as u64) as u16);
        let p = (start + off) as *mut u8;
        // SAFETY: the 8-byte UDP header was bounds-checked above.
        unsafe {
            let be = port.to_be_bytes();
            *p = be[0];
            *p.add(1) = be[1];
            *p.add(6) = 0;
            *p.add(7) = 0;
        }
    }
    xdp_action::XDP_TX
}

#[map(name = "DROP_COUNTER")]
static DROP_COUNTER: PerCpuArray<u64> = PerCpuArray::with_max_entries(1, 0);

/// The benchmark's kernel ceiling: count the frame and drop it.
#[xdp]
pub fn sluice_drop(_ctx: XdpContext) -> u32 {
    if let Some(n) = DROP_COUNTER.get_ptr_mut(0) {
        // SAFETY: per-CPU slot.
        unsafe { *n += 1 };
    }
    xdp_action::XDP_DROP
}

#[cfg(not(test))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(link_section = "license")]
#[unsafe(no_mangle)]
static LICENSE: [u8; 4] = *b"GPL\0";
