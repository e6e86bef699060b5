//! Facts about a network interface read from sysfs and ioctl-free syscalls.
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
