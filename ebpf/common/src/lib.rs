//! The kernel/user contract of Sluice.
//!
//! Every type that crosses the boundary between the XDP programs (`ebpf/xdp`) and the
//! engine (`userspace/`) is defined here once, `#[repr(C)]`, so the two sides cannot drift.
//! The crate is `no_std` and has no dependencies on the kernel side; with the `user`
//! feature it also implements aya's `Pod` so userspace can read the maps directly.
#![no_std]

/// Name of the capture program's per-CPU counters map (`PerCpuArray<XdpCounters>`, 1 entry).
pub const COUNTERS_MAP: &str = "SLUICE_COUNTERS";
/// Name of the capture program's AF_XDP socket map (`XskMap`, indexed by rx queue).
pub const XSKS_MAP: &str = "SLUICE_XSKS";
/// Name of the capture XDP program in the object.
pub const CAPTURE_PROG: &str = "sluice_xdp";
/// Maximum number of rx queues (entries of the XskMap).
pub const MAX_QUEUES: u32 = 64;

/// Name of the generator's configuration map (`Array<GenConfig>`, 1 entry).
pub const GEN_CONFIG_MAP: &str = "GEN_CONFIG";
/// Name of the generator's per-CPU frame counter map (`PerCpuArray<u64>`, 1 entry).
pub const GEN_COUNTER_MAP: &str = "GEN_COUNTER";
/// Name of the generator XDP program in its object.
pub const GEN_PROG: &str = "sluice_gen";
/// Name of the benchmark's XDP_DROP program (same object as the generator).
pub const DROP_PROG: &str = "sluice_drop";
/// Name of the drop program's per-CPU frame counter (`PerCpuArray<u64>`, 1 entry).
pub const DROP_COUNTER_MAP: &str = "DROP_COUNTER";

/// Per-CPU counters kept by the capture program, one slot per CPU.
///
/// Every frame the program sees is counted in `frames`/`bytes` and then in exactly one
/// of `redirected`, `passed_non_ip`, `passed_no_socket` or `redirect_failed`, so
/// `frames == redirected + passed_non_ip + passed_no_socket + redirect_failed` holds per CPU.
/// `parse_failed` counts IP frames whose headers were malformed or truncated; they are
/// still redirected so userspace can count them by reason.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XdpCounters {
    /// Frames seen by the program.
    pub frames: u64,
    /// Bytes of those frames (linear part as seen by XDP; the frame length on veth).
    pub bytes: u64,
    /// IPv4 frames (after any VLAN tags).
    pub ipv4: u64,
    /// IPv6 frames (after any VLAN tags).
    pub ipv6: u64,
    /// TCP segments (IPv4 or IPv6, first fragments and unfragmented only).
    pub tcp: u64,
    /// UDP datagrams (IPv4 or IPv6, first fragments and unfragmented only).
    pub udp: u64,
    /// Frames carrying at least one 802.1Q/802.1ad tag.
    pub vlan: u64,
    /// IP frames whose Ethernet/VLAN/IP/L4 headers were truncated or malformed.
    pub parse_failed: u64,
    /// Frames handed to an AF_XDP socket with `bpf_redirect_map`.
    pub redirected: u64,
    /// Non-IP frames (ARP, LLDP, ...) passed to the kernel stack.
    pub passed_non_ip: u64,
    /// Frames passed to the stack because no AF_XDP socket is bound to their rx queue.
    pub passed_no_socket: u64,
    /// Frames whose redirect failed although a socket was bound (passed to the stack).
    pub redirect_failed: u64,
}

impl XdpCounters {
    /// Field names in declaration order, for reports.
    pub const NAMES: [&'static str; 12] = [
        "frames",
        "bytes",
        "ipv4",
        "ipv6",
        "tcp",
        "udp",
        "vlan",
        "parse_failed",
        "redirected",
        "passed_non_ip",
        "passed_no_socket",
        "redirect_failed",
    ];

    /// The counters as an array in the order of [`XdpCounters::NAMES`].
    pub fn to_array(&self) -> [u64; 12] {
        [
            self.frames,
            self.bytes,
            self.ipv4,
            self.ipv6,
            self.tcp,
            self.udp,
            self.vlan,
            self.parse_failed,
            self.redirected,
            self.passed_non_ip,
            self.passed_no_socket,
            self.redirect_failed,
        ]
    }

    /// Adds another CPU's counters to these.
    pub fn add(&mut self, o: &XdpCounters) {
        self.frames += o.frames;
        self.bytes += o.bytes;
        self.ipv4 += o.ipv4;
        self.ipv6 += o.ipv6;
        self.tcp += o.tcp;
        self.udp += o.udp;
        self.vlan += o.vlan;
        self.parse_failed += o.parse_failed;
        self.redirected += o.redirected;
        self.passed_non_ip += o.passed_non_ip;
        self.passed_no_socket += o.passed_no_socket;
        self.redirect_failed += o.redirect_failed;
    }
}

/// Configuration of the traffic generator's XDP program.
///
/// The generator is given one template frame (Ethernet/IPv4/UDP). For frame number `n`
/// (counted per CPU from the start of a run), it writes UDP source port
/// `base_sport + (n % flows)` and clears the UDP checksum, then returns `XDP_TX`, which
/// `BPF_PROG_TEST_RUN` in live-frames mode turns into a transmit on the sending veth.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenConfig {
    /// Number of distinct flows (source ports) to cycle through; 0 or 1 keeps the template.
    pub flows: u32,
    /// First UDP source port.
    pub base_sport: u16,
    /// Byte offset of the UDP header in the template frame.
    pub udp_offset: u16,
}

#[cfg(feature = "user")]
mod user {
    // SAFETY: plain `#[repr(C)]` structs of integers with no padding holes that matter.
    unsafe impl aya::Pod for super::XdpCounters {}
    unsafe impl aya::Pod for super::GenConfig {}
}
