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
/// Name of the capture program's verdict map
/// (`LruPerCpuHashMap<VerdictKey, VerdictValue>`, [`MAX_VERDICTS`] entries).
pub const VERDICTS_MAP: &str = "SLUICE_VERDICTS";
/// Capacity of the verdict map. It is an LRU map: inserting beyond this evicts the least
/// recently used entry (whose flow's frames then go to AF_XDP again, and whose kernel
/// counts are lost), so userspace must keep fewer verdicts than this.
pub const MAX_VERDICTS: u32 = 262_144;
/// Name of the capture program's configuration map (`Array<u32>`, 1 entry: flag bits).
pub const CONFIG_MAP: &str = "SLUICE_CONFIG";
/// Configuration flag: leave the VLAN id out of verdict keys (key `vlan` is 0), as
/// userspace does with `--ignore-vlan`.
pub const CONFIG_IGNORE_VLAN: u32 = 1;

/// Verdict: the program passes the flow's frames to the kernel stack (and counts them).
pub const VERDICT_PASS: u32 = 1;
/// Verdict: the program drops the flow's frames (and counts them).
pub const VERDICT_DROP: u32 = 2;

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
/// of `redirected`, `passed_non_ip`, `passed_no_socket`, `redirect_failed`,
/// `verdict_dropped` or `verdict_passed`, so
/// `frames == redirected + passed_non_ip + passed_no_socket + redirect_failed +
/// verdict_dropped + verdict_passed` holds per CPU.
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
    /// Frames of a flow with a [`VERDICT_DROP`] entry in the verdict map: dropped in the
    /// program and counted in the entry, never seen by userspace.
    pub verdict_dropped: u64,
    /// Frames of a flow with a [`VERDICT_PASS`] entry in the verdict map: passed to the
    /// kernel stack and counted in the entry, never seen by userspace.
    pub verdict_passed: u64,
}

impl XdpCounters {
    /// Field names in declaration order, for reports.
    pub const NAMES: [&'static str; 14] = [
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
        "verdict_dropped",
        "verdict_passed",
    ];

    /// The counters as an array in the order of [`XdpCounters::NAMES`].
    pub fn to_array(&self) -> [u64; 14] {
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
            self.verdict_dropped,
            self.verdict_passed,
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
        self.verdict_dropped += o.verdict_dropped;
        self.verdict_passed += o.verdict_passed;
    }
}

/// Key of the verdict map: a TCP or UDP flow, both directions, laid out like userspace's
/// `FlowKey` so the two agree byte for byte.
///
/// IPv4 addresses occupy bytes 0..4 and the rest is zero. The endpoints are ordered by
/// (address bytes compared lexicographically, then port): `lo_*` is the smaller, and a
/// frame was sent by the lower endpoint when `(src, sport) <= (dst, dport)`.
/// 40 bytes, no padding; 8-aligned so the program can compare and swap the addresses as
/// 64-bit words.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VerdictKey {
    /// Address of the lower endpoint.
    pub lo_addr: [u8; 16],
    /// Address of the higher endpoint.
    pub hi_addr: [u8; 16],
    /// Port of the lower endpoint.
    pub lo_port: u16,
    /// Port of the higher endpoint.
    pub hi_port: u16,
    /// Outer VLAN id (12 bits), 0 when untagged or when VLANs are ignored.
    pub vlan: u16,
    /// 6 (TCP) or 17 (UDP).
    pub proto: u8,
    /// 4 or 6.
    pub ip_version: u8,
}

impl VerdictKey {
    /// Orders the endpoints of a key filled with a frame's source as `lo_*` and its
    /// destination as `hi_*`: swaps them unless `(src, sport) <= (dst, dport)`, comparing
    /// the address bytes in order and then the ports, exactly like userspace's
    /// `FlowKey::from_packet`. Returns true when the sender is the lower endpoint (also
    /// when both endpoints are equal).
    ///
    /// The XDP program runs this very function; the addresses are compared as two
    /// big-endian 64-bit words each, which orders them like the bytes.
    #[inline(always)]
    pub fn order(&mut self) -> bool {
        let (s0, s1) = addr_words(&self.lo_addr);
        let (d0, d1) = addr_words(&self.hi_addr);
        let from_lower = if s0 != d0 {
            s0 < d0
        } else if s1 != d1 {
            s1 < d1
        } else {
            self.lo_port <= self.hi_port
        };
        if !from_lower {
            core::mem::swap(&mut self.lo_addr, &mut self.hi_addr);
            core::mem::swap(&mut self.lo_port, &mut self.hi_port);
        }
        from_lower
    }
}

/// An address as two big-endian words, so that comparing the pairs compares the 16
/// bytes in order.
#[inline(always)]
fn addr_words(a: &[u8; 16]) -> (u64, u64) {
    let p = a.as_ptr() as *const u64;
    // SAFETY: only called on the addresses of a `VerdictKey`, which is 8-aligned with its
    // addresses at offsets 0 and 16, so both words are aligned and inside the array.
    unsafe { (u64::from_be(p.read()), u64::from_be(p.add(1).read())) }
}

/// One direction's counts of a flow handled in the kernel, kept per CPU.
///
/// The byte counts follow userspace's `Packet`: `ip_bytes` sums the IP length (IPv4 total
/// length, IPv6 payload length + 40), `payload_bytes` the transport payload (IP length
/// minus the IP header minus the TCP/UDP header), `wire_bytes` the frame length.
/// 48 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerdictDir {
    /// Frames.
    pub packets: u64,
    /// Transport payload bytes.
    pub payload_bytes: u64,
    /// Frame bytes.
    pub wire_bytes: u64,
    /// IP bytes (headers + payload as claimed by the IP header).
    pub ip_bytes: u64,
    /// `bpf_ktime_get_ns()` (CLOCK_MONOTONIC) of the latest frame; 0 when none.
    pub last_ns: u64,
    /// Smallest IP length seen; 0 when no frame.
    pub min_ip_len: u16,
    /// Largest IP length seen.
    pub max_ip_len: u16,
    /// OR of the TCP flags bytes; 0 for UDP.
    pub tcp_flags: u8,
    /// Padding to a multiple of 8 bytes.
    pub pad: [u8; 3],
}

/// Value of the verdict map: what to do with the flow's frames and what was done.
///
/// Only userspace inserts entries, with the verdict in every CPU's copy and zeroed counts;
/// the program counts into the copy of the CPU it runs on. 104 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerdictValue {
    /// [`VERDICT_PASS`] or [`VERDICT_DROP`].
    pub verdict: u32,
    /// Padding.
    pub pad: u32,
    /// `dirs[0]`: frames sent by the lower endpoint; `dirs[1]`: by the higher one.
    pub dirs: [VerdictDir; 2],
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
    unsafe impl aya::Pod for super::VerdictKey {}
    unsafe impl aya::Pod for super::VerdictDir {}
    unsafe impl aya::Pod for super::VerdictValue {}
}

// The layouts the kernel and userspace both rely on.
const _: () = {
    assert!(core::mem::size_of::<VerdictKey>() == 40);
    assert!(core::mem::align_of::<VerdictKey>() == 8);
    assert!(core::mem::offset_of!(VerdictKey, hi_addr) == 16);
    assert!(core::mem::size_of::<VerdictDir>() == 48);
    assert!(core::mem::size_of::<VerdictValue>() == 104);
};
