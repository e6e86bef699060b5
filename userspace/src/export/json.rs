//! Joy-compatible JSON lines: one object per flow record.

use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::flow::{FlowRecord, Timestamp};

/// Writes `rec` as one JSON object followed by `\n`, using Joy's field names:
///
/// `sa`, `da` (dotted IPv4 / RFC 5952 IPv6 strings), `pr`, `sp`, `dp`,
/// `vlan` (only when nonzero), `bytes_out`, `num_pkts_out`, `bytes_in`,
/// `num_pkts_in`, `wire_bytes_out`, `wire_bytes_in`, `ip_bytes_out`,
/// `ip_bytes_in`, `icmp_type`, `icmp_code`, `icmp_id` (only for ICMP and
/// ICMPv6), `action` (only when not `default`), `l7` (nDPI's protocol
/// name, `Unknown` when not detected), `l7_guess` (only when `true`: the
/// protocol is a port guess), `tcp_flags_out`,
/// `tcp_flags_in` (only for TCP),
/// `time_start`, `time_end` (epoch seconds with 6 decimals) and
/// `expire_type` ([`crate::flow::EndReason::joy_name`]).
///
/// Formats straight into `w` without allocating; wrap unbuffered writers in
/// a `BufWriter`.
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
    write!(
        w,
        "{{\"sa\":\"{}\",\"da\":\"{}\",\"pr\":{},\"sp\":{},\"dp\":{}",
        ip(rec.ip_version, &rec.sa),
        ip(rec.ip_version, &rec.da),
        rec.proto,
        rec.sp,
        rec.dp
    )?;
    if rec.vlan != 0 {
        write!(w, ",\"vlan\":{}", rec.vlan)?;
    }
    let [o, i] = &rec.dirs;
    write!(
        w,
        ",\"bytes_out\":{},\"num_pkts_out\":{},\"bytes_in\":{},\"num_pkts_in\":{}",
        o.bytes, o.packets, i.bytes, i.packets
    )?;
    write!(
        w,
        ",\"wire_bytes_out\":{},\"wire_bytes_in\":{},\"ip_bytes_out\":{},\"ip_bytes_in\":{}",
        o.wire_bytes, i.wire_bytes, o.ip_bytes, i.ip_bytes
    )?;
    if rec.proto == crate::decode::IpProto::ICMP || rec.proto == crate::decode::IpProto::ICMPV6 {
        write!(
            w,
            ",\"icmp_type\":{},\"icmp_code\":{},\"icmp_id\":{}",
            rec.icmp.kind, rec.icmp.code, rec.icmp.id
        )?;
    }
    if rec.action != crate::flow::Action::Default {
        write!(w, ",\"action\":\"{}\"", rec.action.name())?;
    }
    write!(w, ",\"l7\":\"{}\"", rec.app.label.name())?;
    if rec.app.guessed {
        w.write_all(b",\"l7_guess\":true")?;
    }
    if let Some(sni) = &rec.app.server_name {
        w.write_all(b",\"quic_sni\":")?;
        serde_json::to_writer(&mut *w, &**sni)?;
    }
    if rec.kernel_packets != 0 {
        write!(
            w,
            ",\"kernel_pkts\":{},\"kernel_wire_bytes\":{}",
            rec.kernel_packets, rec.kernel_bytes
        )?;
    }
    if rec.proto == crate::decode::IpProto::TCP {
        write!(
            w,
            ",\"tcp_flags_out\":{},\"tcp_flags_in\":{}",
            o.tcp_flags.0, i.tcp_flags.0
        )?;
    }
    write!(
        w,
        ",\"time_start\":{},\"time_end\":{}",
        Secs(rec.time_start),
        Secs(rec.time_end),
    )?;
    extra(w)?;
    writeln!(w, ",\"expire_type\":\"{}\"}}", rec.end_reason.joy_name())
}

/// The address in `bytes` for `version` (IPv4 in the first 4 bytes).
fn ip(version: u8, bytes: &[u8; 16]) -> IpAddr {
    if version == 4 {
        IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]))
    } else {
        IpAddr::V6(Ipv6Addr::from(*bytes))
    }
}

/// Formats a timestamp as epoch seconds with exactly 6 decimals (truncated).
struct Secs(Timestamp);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.0.secs(), self.0.subsec_micros())
    }
}
