//! Syslog: a `<PRI>` prefix.

use crate::l7::packet::L7Packet;

/// Month abbreviations opening an RFC 3164 timestamp.
const MONTHS: [&[u8]; 12] = [
    b"Jan ", b"Feb ", b"Mar ", b"Apr ", b"May ", b"Jun ", b"Jul ", b"Aug ", b"Sep ", b"Oct ",
    b"Nov ", b"Dec ",
];

/// True for `<N>` (N at most 191, no leading zero) then message text, on
/// UDP; over TCP, on port 514/601 or when an RFC 5424 version and date
/// (`1 YYYY-`) or an RFC 3164 timestamp (`Mmm `) follows.
pub(crate) fn is_syslog(p: &L7Packet<'_>) -> bool {
    let b = p.payload;
    if !(p.is_udp() || p.is_tcp()) || b.first() != Some(&b'<') {
        return false;
    }
    let digits = b[1..]
        .iter()
        .take(4)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=3).contains(&digits) || b.get(1 + digits) != Some(&b'>') {
        return false;
    }
    if digits > 1 && b[1] == b'0' {
        return false;
    }
    let pri = b[1..1 + digits]
        .iter()
        .fold(0u32, |n, &c| n * 10 + u32::from(c - b'0'));
    let rest = &b[2 + digits..];
    if pri > 191
        || !rest
            .first()
            .is_some_and(|c| c.is_ascii_graphic() || *c == b' ')
    {
        return false;
    }
    let dated = (rest.starts_with(b"1 ")
        && rest
            .get(2..6)
            .is_some_and(|y| y.iter().all(u8::is_ascii_digit))
        && rest.get(6) == Some(&b'-'))
        || MONTHS.iter().any(|m| rest.starts_with(m));
    p.is_udp() || p.any_port(&[514, 601]) || dated
}
