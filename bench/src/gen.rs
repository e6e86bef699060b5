//! The project's traffic generator: `BPF_PROG_TEST_RUN` with `BPF_F_TEST_XDP_LIVE_FRAMES`
//! on the `sluice_gen` XDP program, which returns `XDP_TX` so the kernel transmits each
//! copy of the template frame out of a veth into its peer, rewriting the UDP source port
//! per frame to spread the load over `flows` flows.
//!
//! Two modes: fast (large repeat counts, as fast as the kernel goes) and exact (small
//! bursts that the receiving veth's ring always has room for, for tests that count).
//! In both, frame `n` of a run belongs to flow `n % flows`, so a run of `flows * k`
//! frames sends exactly `k` frames per flow.
use std::{
    os::fd::{AsFd, AsRawFd},
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context, Result};
use aya::{
    maps::{Array, PerCpuArray, PerCpuValues},
    programs::Xdp,
    Ebpf,
};
use sluice_common::{GenConfig, GEN_CONFIG_MAP, GEN_COUNTER_MAP, GEN_PROG};

use crate::objects::GEN_OBJECT;

const BPF_PROG_TEST_RUN: libc::c_long = 10;
const BPF_F_TEST_XDP_LIVE_FRAMES: u32 = 1 << 1;
/// Frames per `BPF_PROG_TEST_RUN` call in exact mode without a rate, and the batch
/// the kernel transmits at once in exact mode (the veth ring holds 256; the receiving
/// NAPI runs after each batch).
const EXACT_BURST: u32 = 64;
/// Largest burst per call in exact mode with a rate: a quarter of the AF_XDP rx ring,
/// so a burst sent back to back fits even behind a receiver that is a burst late.
const EXACT_BURST_MAX: u64 = 1024;
/// Shortest pause between two calls in exact mode, so a receiver sharing the
/// generator's CPU always gets to run.
const EXACT_MIN_PAUSE: Duration = Duration::from_millis(1);
/// What one live-frames `BPF_PROG_TEST_RUN` call costs besides its frames (measured on
/// this machine kind: about 23 ms, whatever the repeat count), so paced runs send
/// bursts of rate × this.
const CALL_COST: Duration = Duration::from_millis(25);

/// `union bpf_attr`, the `test` member used by `BPF_PROG_TEST_RUN`.
#[repr(C)]
#[derive(Default)]
struct TestRunAttr {
    prog_fd: u32,
    retval: u32,
    data_size_in: u32,
    data_size_out: u32,
    data_in: u64,
    data_out: u64,
    repeat: u32,
    duration: u32,
    ctx_size_in: u32,
    ctx_size_out: u32,
    ctx_in: u64,
    ctx_out: u64,
    flags: u32,
    cpu: u32,
    batch_size: u32,
    _pad: u32,
}

/// `struct xdp_md`, the context passed in.
#[repr(C)]
#[derive(Default)]
struct XdpMd {
    data: u32,
    data_end: u32,
    data_meta: u32,
    ingress_ifindex: u32,
    rx_queue_index: u32,
    egress_ifindex: u32,
}

/// One generator run.
#[derive(Clone, Debug)]
pub struct GenRun {
    /// Interface index of the veth to transmit from (its peer receives).
    pub ifindex: u32,
    /// The template frame.
    pub frame: Vec<u8>,
    /// Byte offset of the UDP header in the frame.
    pub udp_offset: u16,
    /// Flows to spread over (distinct UDP source ports from the template's).
    pub flows: u32,
    /// First source port.
    pub base_sport: u16,
    /// Frames to send in total.
    pub frames: u64,
    /// Exact mode: small bursts with pauses, so the receiver never overflows.
    pub exact: bool,
    /// Frames per second in exact mode (None: one burst of 64 every 500 µs, about
    /// 128 k frames/s).
    pub rate: Option<u64>,
}

/// What a run did.
#[derive(Clone, Copy, Debug)]
pub struct GenResult {
    /// Frames handed to the kernel for transmission.
    pub sent: u64,
    /// Wall time.
    pub seconds: f64,
}

/// The loaded generator program.
pub struct Generator {
    ebpf: Ebpf,
}

impl Generator {
    /// Loads the generator object (needs root).
    pub fn load() -> Result<Self> {
        let mut ebpf = Ebpf::load(GEN_OBJECT).context("loading the generator object")?;
        let prog: &mut Xdp = ebpf
            .program_mut(GEN_PROG)
            .ok_or_else(|| anyhow!("{GEN_PROG} missing"))?
            .try_into()?;
        prog.load().context("loading the generator program")?;
        Ok(Generator { ebpf })
    }

    /// Sends `run.frames` frames from the calling thread (pin it to choose the CPU, and so
    /// the receiving veth queue).
    pub fn run(&mut self, run: &GenRun) -> Result<GenResult> {
        let cfg = GenConfig {
            flows: run.flows,
            base_sport: run.base_sport,
            udp_offset: run.udp_offset,
        };
        let mut cfg_map: Array<_, GenConfig> = Array::try_from(
            self.ebpf
                .map_mut(GEN_CONFIG_MAP)
                .ok_or_else(|| anyhow!("no config map"))?,
        )?;
        cfg_map.set(0, cfg, 0)?;
        let ncpu = aya::util::nr_cpus().map_err(|(m, e)| anyhow!("{m}: {e}"))?;
        let mut counter: PerCpuArray<_, u64> = PerCpuArray::try_from(
            self.ebpf
                .map_mut(GEN_COUNTER_MAP)
                .ok_or_else(|| anyhow!("no counter map"))?,
        )?;
        counter.set(0, PerCpuValues::try_from(vec![0u64; ncpu])?, 0)?;

        let prog: &Xdp = self
            .ebpf
            .program(GEN_PROG)
            .ok_or_else(|| anyhow!("{GEN_PROG} missing"))?
            .try_into()?;
        let fd = prog.fd()?.as_fd().as_raw_fd();
        let start = Instant::now();
        let mut sent = 0u64;
        while sent < run.frames {
            let left = run.frames - sent;
            let burst = if run.exact {
                let per_call = match run.rate {
                    Some(r) if r > 0 => (r * CALL_COST.as_millis() as u64 / 1000)
                        .clamp(u64::from(EXACT_BURST), EXACT_BURST_MAX),
                    _ => u64::from(EXACT_BURST),
                };
                left.min(per_call) as u32
            } else {
                left.min(1 << 24) as u32
            };
            test_run(fd, run.ifindex, &run.frame, burst, run.exact)?;
            sent += burst as u64;
            if run.exact {
                let pause = match run.rate {
                    Some(r) if r > 0 => {
                        // Keep the average rate: sleep until this burst's due time.
                        let due = start + Duration::from_secs_f64(sent as f64 / r as f64);
                        due.saturating_duration_since(Instant::now())
                            .max(EXACT_MIN_PAUSE)
                    }
                    _ => Duration::from_micros(500),
                };
                std::thread::sleep(pause);
            }
        }
        Ok(GenResult {
            sent,
            seconds: start.elapsed().as_secs_f64(),
        })
    }
}

fn test_run(prog_fd: i32, ifindex: u32, frame: &[u8], repeat: u32, exact: bool) -> Result<()> {
    let ctx = XdpMd {
        data_end: frame.len() as u32,
        ingress_ifindex: ifindex,
        ..Default::default()
    };
    let attr = TestRunAttr {
        prog_fd: prog_fd as u32,
        data_size_in: frame.len() as u32,
        data_in: frame.as_ptr() as u64,
        repeat,
        ctx_size_in: std::mem::size_of::<XdpMd>() as u32,
        ctx_in: &ctx as *const XdpMd as u64,
        flags: BPF_F_TEST_XDP_LIVE_FRAMES,
        batch_size: if exact { EXACT_BURST } else { 0 },
        ..Default::default()
    };
    // SAFETY: `attr` is a valid `bpf_attr.test` that outlives the call; the kernel only
    // reads `frame` and `ctx`, which also outlive it.
    let r = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            BPF_PROG_TEST_RUN,
            &attr as *const TestRunAttr,
            std::mem::size_of::<TestRunAttr>(),
        )
    };
    if r != 0 {
        let e = std::io::Error::last_os_error();
        bail!("BPF_PROG_TEST_RUN (live frames) on ifindex {ifindex}: {e}");
    }
    Ok(())
}

/// A UDP load: `frames` copies of a template frame of `size` bytes, spread over `flows`
/// source ports starting at the template's.
#[derive(Clone, Copy, Debug)]
pub struct UdpLoad {
    /// Addresses and first source port.
    pub template: crate::frame::UdpTemplate,
    /// Frame size in bytes (no FCS).
    pub size: usize,
    /// Distinct flows.
    pub flows: u32,
    /// Frames in total.
    pub frames: u64,
    /// Exact (paced) or fast mode.
    pub exact: bool,
}

/// Flows per generator run when a load has more flows than source ports: each run
/// uses the next destination port.
pub const FLOWS_PER_DPORT: u32 = 50_000;

/// The runs that send `flows` distinct flows from `base_sport` to `base_dport`: run `i`
/// goes to destination port `base_dport + i` with up to [`FLOWS_PER_DPORT`] source
/// ports, as (destination port, flows).
pub fn flow_chunks(flows: u32, base_dport: u16) -> Vec<(u16, u32)> {
    let mut chunks = Vec::new();
    let mut left = flows;
    let mut dport = base_dport;
    while left > 0 {
        let n = left.min(FLOWS_PER_DPORT);
        chunks.push((dport, n));
        left -= n;
        dport = dport.wrapping_add(1);
    }
    chunks
}

/// Sends `load` out of `interface` inside network namespace `ns`, from a thread pinned
/// to `cpu` (which selects the receiving veth queue).
pub fn send_in_netns(ns: &str, interface: &str, cpu: usize, load: UdpLoad) -> Result<GenResult> {
    let (ns, interface) = (ns.to_string(), interface.to_string());
    std::thread::spawn(move || {
        crate::netns::in_netns(&ns, || {
            pin_to_cpu(cpu)?;
            let mut g = Generator::load()?;
            g.run(&GenRun {
                ifindex: sluice::netdev::ifindex(&interface)?,
                frame: crate::frame::udp_frame(&load.template, load.size),
                udp_offset: 34,
                flows: load.flows,
                base_sport: load.template.sport,
                frames: load.frames,
                exact: load.exact,
                rate: None,
            })
        })
    })
    .join()
    .map_err(|_| anyhow!("generator thread panicked"))?
}

/// Pins the calling thread to `cpu`.
pub fn pin_to_cpu(cpu: usize) -> Result<()> {
    // SAFETY: a zeroed cpu_set_t is valid; CPU_SET and sched_setaffinity get valid pointers.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            bail!("pinning to CPU {cpu}: {}", std::io::Error::last_os_error());
        }
    }
    Ok(())
}
