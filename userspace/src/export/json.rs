//! Joy-compatible JSON lines: one object per flow record.

use std::io::{self, Write};
use std::net::Ipv6Addr;

use crate::flow::{FlowRecord, Timestamp};
use crate::json::num::{write_ipv4, write_uint};

/// Writes `rec` as one JSON object followed by `\n`, using Joy's field names:
///
/// `sa`, `da` (dotted IPv4 / RFC 5952 IPv6 strings), `pr`, `sp`, `dp`,
/// `vlan` (only when nonzero), `community_id` (when the record has one),
/// `bytes_out`, `num_pkts_out`, `bytes_in`,
/// `num_pkts_in`, `wire_bytes_out`, `wire_bytes_in`, `ip_bytes_out`,
/// `ip_bytes_in`, `icmp_type`, `icmp_code`, `icmp_id` (only for ICMP and
/// ICMPv6), `action` (only when not `default`), `l7` (nDPI's protocol
/// name, `Unknown` when not detected), `l7_guess` (only when `true`: the
/// protocol is a port guess), `tcp_flags_out`,
/// `tcp_flags_in` (only for TCP),
/// `time_start`, `time_end` (epoch seconds with 6 decimals) and
/// `expire_type` ([`crate::flow::EndReason::joy_name`]).
///
/// Formats straight into `w` without allocating and without `core::fmt`
/// (numbers through `json::num`; only IPv6 addresses use the standard
/// formatter); wrap unbuffered writers in a `BufWriter`.
pub fn write_flow_json<W: Write>(rec: &FlowRecord, w: &mut W) -> io::Result<()> {
    write_flow_json_with(rec, w, |_| Ok(()))
}

/// As [`write_flow_json`], with `extra` writing more members (each with a
/// leading comma: the flow's features) before `expire_type`.
pub fn write_flow_json_with<W: Write, F: FnOnce(&mut W) -> io::Result<()>>(
    rec: &FlowRecord,
    w: &mut W,
    extra: F,
) -> io::Result<()> {
    w.write_all(b"{\"sa\":\"")?;
    write_ip(w, rec.ip_version, &rec.sa)?;
    w.write_all(b"\",\"da\":\"")?;
    write_ip(w, rec.ip_version, &rec.da)?;
    member(w, b"\",\"pr\":", u64::from(rec.proto.number()))?;
    member(w, b",\"sp\":", u64::from(rec.sp))?;
    member(w, b",\"dp\":", u64::from(rec.dp))?;
    if rec.vlan != 0 {
        member(w, b",\"vlan\":", u64::from(rec.vlan))?;
    }
    if let Some(id) = &rec.community_id {
        w.write_all(b",\"community_id\":\"")?;
        w.write_all(id.as_str().as_bytes())?;
        w.write_all(b"\"")?;
    }
    let [o, i] = &rec.dirs;
    member(w, b",\"bytes_out\":", o.bytes)?;
    member(w, b",\"num_pkts_out\":", o.packets)?;
    member(w, b",\"bytes_in\":", i.bytes)?;
    member(w, b",\"num_pkts_in\":", i.packets)?;
    member(w, b",\"wire_bytes_out\":", o.wire_bytes)?;
    member(w, b",\"wire_bytes_in\":", i.wire_bytes)?;
    member(w, b",\"ip_bytes_out\":", o.ip_bytes)?;
    member(w, b",\"ip_bytes_in\":", i.ip_bytes)?;
    if rec.proto.is_icmp() {
        member(w, b",\"icmp_type\":", u64::from(rec.icmp.kind))?;
        member(w, b",\"icmp_code\":", u64::from(rec.icmp.code))?;
        member(w, b",\"icmp_id\":", u64::from(rec.icmp.id))?;
    }
    if rec.action != crate::flow::Action::Default {
        w.write_all(b",\"action\":\"")?;
        w.write_all(rec.action.name().as_bytes())?;
        w.write_all(b"\"")?;
    }
    w.write_all(b",\"l7\":\"")?;
    w.write_all(rec.app.label.name().as_bytes())?;
    w.write_all(b"\"")?;
    if rec.app.guessed {
        w.write_all(b",\"l7_guess\":true")?;
    }
    if let Some(sni) = &rec.app.server_name {
        w.write_all(b",\"quic_sni\":")?;
        crate::json::write_str(w, sni)?;
    }
    if rec.kernel_packets != 0 {
        member(w, b",\"kernel_pkts\":", rec.kernel_packets)?;
        member(w, b",\"kernel_wire_bytes\":", rec.kernel_bytes)?;
    }
    if rec.proto == crate::decode::IpProto::TCP {
        member(w, b",\"tcp_flags_out\":", u64::from(o.tcp_flags.bits()))?;
        member(w, b",\"tcp_flags_in\":", u64::from(i.tcp_flags.bits()))?;
    }
    w.write_all(b",\"time_start\":")?;
    write_secs(w, rec.time_start)?;
    w.write_all(b",\"time_end\":")?;
    write_secs(w, rec.time_end)?;
    extra(w)?;
    w.write_all(b",\"expire_type\":\"")?;
    w.write_all(rec.end_reason.joy_name().as_bytes())?;
    w.write_all(b"\"}\n")
}

/// Writes `name` (the member's bytes up to its value) and the number `n`.
#[inline]
fn member<W: Write + ?Sized>(w: &mut W, name: &[u8], n: u64) -> io::Result<()> {
    w.write_all(name)?;
    write_uint(w, n)
}

/// Writes the address in `bytes` for `version` (IPv4 in the first 4 bytes):
/// dotted IPv4 (`json::write_ipv4`), IPv6 in RFC 5952 form through the standard
/// library's formatter.
fn write_ip<W: Write + ?Sized>(w: &mut W, version: u8, bytes: &[u8; 16]) -> io::Result<()> {
    if version != 4 {
        return write!(w, "{}", Ipv6Addr::from(*bytes));
    }
    write_ipv4(w, [bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// Writes a timestamp as epoch seconds with exactly 6 decimals (truncated).
fn write_secs<W: Write + ?Sized>(w: &mut W, t: Timestamp) -> io::Result<()> {
    write_uint(w, t.secs())?;
    let mut frac = [b'.', b'0', b'0', b'0', b'0', b'0', b'0'];
    let mut us = t.subsec_micros();
    for d in frac[1..].iter_mut().rev() {
        *d = b'0' + (us % 10) as u8;
        us /= 10;
    }
    w.write_all(&frac)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    #[test]
    fn ipv4_addresses_as_the_standard_formatter_writes_them() {
        for a in 0..=255u8 {
            let b = a.wrapping_mul(37);
            let bytes: [u8; 16] = [a, b, 255 - a, a / 3, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9];
            let mut out = Vec::new();
            write_ip(&mut out, 4, &bytes).unwrap();
            let expect = Ipv4Addr::new(a, b, 255 - a, a / 3).to_string();
            assert_eq!(String::from_utf8(out).unwrap(), expect);
        }
        let mut out = Vec::new();
        let v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        write_ip(&mut out, 6, &v6).unwrap();
        assert_eq!(out, b"2001:db8::1");
    }

    #[test]
    fn timestamps_have_six_truncated_decimals() {
        for (ns, expect) in [
            (0, "0.000000"),
            (1_700_000_000_123_456_789, "1700000000.123456"),
            (1_000_000_999, "1.000000"),
            (999, "0.000000"),
            (5_000_001_000, "5.000001"),
        ] {
            let mut out = Vec::new();
            write_secs(&mut out, Timestamp(ns)).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expect);
        }
    }
}
