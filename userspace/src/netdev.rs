//! Facts about a network interface read from sysfs and ioctl-free syscalls.
#![allow(unsafe_code)] // if_nametoindex and the SIOCETHTOOL ioctl are libc calls; each block says why it is sound.
use std::{ffi::CString, fs};

use crate::error::Error;

/// The interface index of `name`, or `UnknownInterface`.
pub fn ifindex(name: &str) -> Result<u32, Error> {
    let c = CString::new(name).map_err(|_| Error::UnknownInterface(name.to_string()))?;
    // SAFETY: `c` is a valid NUL-terminated string.
    let idx = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if idx == 0 {
        return Err(Error::UnknownInterface(name.to_string()));
    }
    Ok(idx)
}

/// The interface's MTU.
pub fn mtu(name: &str) -> Option<u32> {
    read_sys(name, "mtu")?.trim().parse().ok()
}

/// The interface's MAC address.
pub fn mac(name: &str) -> Option<[u8; 6]> {
    let text = read_sys(name, "address")?;
    let mut mac = [0u8; 6];
    let mut parts = text.trim().split(':');
    for b in &mut mac {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    Some(mac)
}

/// Number of rx queues (`/sys/class/net/IF/queues/rx-*`).
pub fn rx_queue_count(name: &str) -> Result<u32, Error> {
    let dir = format!("/sys/class/net/{name}/queues");
    let entries = fs::read_dir(&dir).map_err(|_| Error::UnknownInterface(name.to_string()))?;
    let n = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("rx-"))
        .count() as u32;
    Ok(n.max(1))
}

/// A counter from `/sys/class/net/IF/statistics/NAME` (e.g. `rx_dropped`).
pub fn stat(name: &str, counter: &str) -> Option<u64> {
    read_sys(name, &format!("statistics/{counter}"))?
        .trim()
        .parse()
        .ok()
}

fn read_sys(name: &str, file: &str) -> Option<String> {
    if name.contains('/') || name.is_empty() {
        return None;
    }
    fs::read_to_string(format!("/sys/class/net/{name}/{file}")).ok()
}

/// The driver's own counters of an interface (what `ethtool -S` shows), read with the
/// `SIOCETHTOOL` ioctl, which needs no privilege.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DriverStats {
    /// The driver's name (`veth`, `mlx5_core`, ...).
    pub driver: String,
    /// Each counter's name and value, in the driver's order.
    pub counters: Vec<(String, u64)>,
}

impl DriverStats {
    /// Reads the driver name and counters of `name`; None if the driver has none or
    /// the interface is gone.
    pub fn read(name: &str) -> Option<DriverStats> {
        ethtool::read(name)
    }

    /// The value of counter `name`, if the driver has it.
    pub fn get(&self, name: &str) -> Option<u64> {
        self.counters
            .iter()
            .find_map(|(n, v)| (n == name).then_some(*v))
    }

    /// The sum of the counters whose name starts with `prefix` and ends with `suffix`
    /// (per-queue counters such as `rx_queue_N_drops`).
    pub fn sum(&self, prefix: &str, suffix: &str) -> u64 {
        self.counters
            .iter()
            .filter(|(n, _)| n.starts_with(prefix) && n.ends_with(suffix))
            .map(|(_, v)| v)
            .sum()
    }

    /// Each counter's rise from `before` to `self` (counters new since count in full).
    pub fn since(&self, before: &DriverStats) -> DriverStats {
        let counters = self
            .counters
            .iter()
            .map(|(n, v)| (n.clone(), v.saturating_sub(before.get(n).unwrap_or(0))))
            .collect();
        DriverStats {
            driver: self.driver.clone(),
            counters,
        }
    }
}

/// The `SIOCETHTOOL` calls behind [`DriverStats::read`].
mod ethtool {
    use super::DriverStats;

    const SIOCETHTOOL: libc::c_ulong = 0x8946;
    const ETHTOOL_GDRVINFO: u32 = 0x03;
    const ETHTOOL_GSTRINGS: u32 = 0x1b;
    const ETHTOOL_GSTATS: u32 = 0x1d;
    const ETH_SS_STATS: u32 = 1;
    const ETH_GSTRING_LEN: usize = 32;
    /// More counters than any driver has; a larger count is refused as nonsense.
    const MAX_STATS: u32 = 1 << 16;

    /// `struct ethtool_drvinfo`.
    #[repr(C)]
    struct DrvInfo {
        cmd: u32,
        driver: [u8; 32],
        version: [u8; 32],
        fw_version: [u8; 32],
        bus_info: [u8; 32],
        erom_version: [u8; 32],
        reserved2: [u8; 12],
        n_priv_flags: u32,
        n_stats: u32,
        testinfo_len: u32,
        eedump_len: u32,
        regdump_len: u32,
    }

    /// `struct ifreq` with `ifr_data`.
    #[repr(C)]
    struct IfReq {
        name: [u8; libc::IFNAMSIZ],
        data: *mut libc::c_void,
        _pad: [u8; 16],
    }

    /// A datagram socket to send the ioctls on, closed on drop.
    struct Sock(libc::c_int);

    impl Drop for Sock {
        fn drop(&mut self) {
            // SAFETY: closing the socket this struct owns.
            unsafe {
                libc::close(self.0);
            }
        }
    }

    /// One `SIOCETHTOOL` call on `name` with `data` (a struct starting with its `cmd`).
    fn call(sock: &Sock, name: &str, data: *mut libc::c_void) -> Option<()> {
        let mut req = IfReq {
            name: [0; libc::IFNAMSIZ],
            data,
            _pad: [0; 16],
        };
        let bytes = name.as_bytes();
        if bytes.len() >= libc::IFNAMSIZ {
            return None;
        }
        req.name[..bytes.len()].copy_from_slice(bytes);
        // SAFETY: `req` is a valid ifreq whose data points at a buffer the caller sized
        // for the command, and both outlive the call.
        let r = unsafe { libc::ioctl(sock.0, SIOCETHTOOL, &mut req as *mut IfReq) };
        (r == 0).then_some(())
    }

    pub(super) fn read(name: &str) -> Option<DriverStats> {
        // SAFETY: plain socket(2).
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            return None;
        }
        let sock = Sock(fd);
        // SAFETY: an all-zero DrvInfo is valid (integers and byte arrays).
        let mut info: DrvInfo = unsafe { std::mem::zeroed() };
        info.cmd = ETHTOOL_GDRVINFO;
        call(&sock, name, &mut info as *mut DrvInfo as *mut libc::c_void)?;
        let n = info.n_stats;
        if n == 0 || n > MAX_STATS {
            return None;
        }
        let n = n as usize;
        // struct ethtool_gstrings: cmd, string_set, len, then the strings.
        let mut strings = vec![0u8; 12 + n * ETH_GSTRING_LEN];
        strings[0..4].copy_from_slice(&ETHTOOL_GSTRINGS.to_ne_bytes());
        strings[4..8].copy_from_slice(&ETH_SS_STATS.to_ne_bytes());
        strings[8..12].copy_from_slice(&(n as u32).to_ne_bytes());
        call(&sock, name, strings.as_mut_ptr() as *mut libc::c_void)?;
        // struct ethtool_stats: cmd, n_stats, then u64 values (8-aligned in a u64 Vec).
        let mut stats = vec![0u64; 1 + n];
        let head = (ETHTOOL_GSTATS as u64) | ((n as u64) << 32);
        stats[0] = if cfg!(target_endian = "little") {
            head
        } else {
            head.rotate_left(32)
        };
        call(&sock, name, stats.as_mut_ptr() as *mut libc::c_void)?;
        let names = strings[12..].chunks_exact(ETH_GSTRING_LEN).map(c_string);
        Some(DriverStats {
            driver: c_string(&info.driver),
            counters: names.zip(stats[1..].iter().copied()).collect(),
        })
    }

    /// The NUL-terminated string at the start of `b`.
    fn c_string(b: &[u8]) -> String {
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        String::from_utf8_lossy(&b[..end]).into_owned()
    }
}

/// Receive drop counters of an interface at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RxDrops {
    /// `statistics/rx_dropped`.
    pub rx_dropped: u64,
    /// The driver's counters, when it has any.
    pub driver: Option<DriverStats>,
}

impl RxDrops {
    /// Reads them now.
    pub fn read(name: &str) -> RxDrops {
        RxDrops {
            rx_dropped: stat(name, "rx_dropped").unwrap_or(0),
            driver: DriverStats::read(name),
        }
    }

    /// What rose from `before` to `self`.
    pub fn since(&self, before: &RxDrops) -> RxDrops {
        RxDrops {
            rx_dropped: self.rx_dropped.saturating_sub(before.rx_dropped),
            driver: match (&self.driver, &before.driver) {
                (Some(a), Some(b)) => Some(a.since(b)),
                (a, _) => a.clone(),
            },
        }
    }

    /// Of `rx_dropped`, the frames the driver dropped after the XDP program ran (its
    /// redirect or transmit failed): they are Sluice's socket drops, counted per frame
    /// there. Known for veth (`rx_queue_N_drops`: failed XDP_REDIRECT/XDP_TX and skb
    /// builds); other drivers count XDP failures apart from `rx_dropped`, so 0.
    pub fn after_xdp(&self) -> u64 {
        match &self.driver {
            Some(d) if d.driver == "veth" => d.sum("rx_queue_", "_drops").min(self.rx_dropped),
            _ => 0,
        }
    }

    /// Frames the interface dropped before the XDP program saw them.
    pub fn before_xdp(&self) -> u64 {
        self.rx_dropped - self.after_xdp()
    }
}
