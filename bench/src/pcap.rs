//! A minimal classic-pcap reader for the lab's cross-checks: tcpdump on the sending side
//! records the conversation, and these totals are what Sluice must report. Deliberately
//! independent of Sluice's own decoder.
use std::{collections::BTreeMap, net::Ipv4Addr, path::Path};

use anyhow::{bail, Context, Result};

/// Per-direction totals of one IPv4 TCP/UDP conversation in a capture.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirTotals {
    /// Frames.
    pub packets: u64,
    /// Original frame lengths summed (tcpdump's `orig_len`).
    pub wire_bytes: u64,
    /// Transport payload bytes (IP total length minus IP and TCP/UDP headers).
    pub payload_bytes: u64,
}

/// A conversation endpoint pair as first seen (initiator first).
pub type Conv = (Ipv4Addr, u16, Ipv4Addr, u16, u8);

/// Reads an Ethernet pcap and totals each IPv4 TCP/UDP conversation per direction:
/// `(first sender → receiver, receiver → first sender)`, keyed by the first packet's
/// orientation.
pub fn conversations(path: &Path) -> Result<BTreeMap<Conv, (DirTotals, DirTotals)>> {
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if data.len() < 24 {
        bail!("{}: shorter than a pcap header", path.display());
    }
    let magic = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
    if magic != 0xa1b2c3d4 && magic != 0xa1b23c4d {
        bail!(
            "{}: not a little-endian classic pcap (magic {magic:#x})",
            path.display()
        );
    }
    let linktype = u32::from_le_bytes([data[20], data[21], data[22], data[23]]);
    if linktype != 1 {
        bail!(
            "{}: link type {linktype}, expected Ethernet",
            path.display()
        );
    }
    let mut out: BTreeMap<Conv, (DirTotals, DirTotals)> = BTreeMap::new();
    let mut off = 24;
    while off + 16 <= data.len() {
        let rd = |o: usize| u32::from_le_bytes([data[o], data[o + 1], data[o + 2], data[o + 3]]);
        let incl = rd(off + 8) as usize;
        let orig = rd(off + 12) as u64;
        let start = off + 16;
        let end = start + incl;
        if end > data.len() {
            bail!("{}: truncated record at offset {off}", path.display());
        }
        off = end;
        let f = &data[start..end];
        if f.len() < 34 || u16::from_be_bytes([f[12], f[13]]) != 0x0800 {
            continue;
        }
        let ip = &f[14..];
        let ihl = ((ip[0] & 0x0f) as usize) * 4;
        let total = u16::from_be_bytes([ip[2], ip[3]]) as usize;
        let proto = ip[9];
        if (proto != 6 && proto != 17) || ip.len() < ihl + 20 {
            continue;
        }
        let src = Ipv4Addr::new(ip[12], ip[13], ip[14], ip[15]);
        let dst = Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]);
        let l4 = &ip[ihl..];
        let sport = u16::from_be_bytes([l4[0], l4[1]]);
        let dport = u16::from_be_bytes([l4[2], l4[3]]);
        let l4_hdr = if proto == 6 {
            ((l4[12] >> 4) as usize) * 4
        } else {
            8
        };
        let payload = total.saturating_sub(ihl + l4_hdr) as u64;
        let fwd = (src, sport, dst, dport, proto);
        let rev = (dst, dport, src, sport, proto);
        let (key, is_fwd) = if out.contains_key(&rev) {
            (rev, false)
        } else {
            (fwd, true)
        };
        let e = out.entry(key).or_default();
        let d = if is_fwd { &mut e.0 } else { &mut e.1 };
        d.packets += 1;
        d.wire_bytes += orig;
        d.payload_bytes += payload;
    }
    Ok(out)
}
