//! MQTT control packets.

/// The packet type and the offset of the variable header of an MQTT
/// control packet filling `b` exactly (remaining length of 1 to 4 bytes).
fn fixed_header(b: &[u8]) -> Option<(u8, usize)> {
    let first = *b.first()?;
    let mut len = 0usize;
    let mut at = 1;
    loop {
        let c = *b.get(at)?;
        len |= usize::from(c & 0x7f) << (7 * (at - 1));
        at += 1;
        if c & 0x80 == 0 {
            break;
        }
        if at > 4 {
            return None;
        }
    }
    (at + len == b.len()).then_some((first, at))
}

/// True if `b` is one MQTT control packet nDPI recognizes: a CONNECT
/// (protocol name `MQTT` for 3.1.1/5 or `MQIsdp` for 3.1 with its level),
/// a PINGREQ/PINGRESP, or a PUBLISH/SUBSCRIBE whose topic is printable.
pub(crate) fn is_mqtt(b: &[u8]) -> bool {
    let Some((first, at)) = fixed_header(b) else {
        return false;
    };
    let rest = &b[at..];
    match first {
        0x10 => {
            (rest.starts_with(b"\x00\x04MQTT") && matches!(rest.get(6), Some(4 | 5)))
                || (rest.starts_with(b"\x00\x06MQIsdp") && rest.get(8) == Some(&3))
        }
        0xc0 | 0xd0 => b.len() == 2,
        0x30..=0x3f => topic(rest, 0),
        // SUBSCRIBE: packet id, then the first topic filter.
        0x82 => topic(rest, 2),
        _ => false,
    }
}

/// True if a non-empty printable UTF-8 string with its 2-byte length
/// starts at `at` and fits.
fn topic(b: &[u8], at: usize) -> bool {
    let Some(len) = crate::bytes::be16(b, at) else {
        return false;
    };
    let len = usize::from(len);
    b.get(at + 2..at + 2 + len)
        .is_some_and(|t| len > 0 && t.iter().all(|&c| (0x20..0x7f).contains(&c)))
}
