//! Minimal BER (ASN.1) reading for the BER-encoded protocols (SNMP, LDAP,
//! Kerberos).

/// The tag at `at` and the (offset of the content, content length) of a
/// definite-length BER element, `None` if cut or malformed (long form
/// lengths up to 4 bytes; indefinite length is rejected).
pub(crate) fn element(b: &[u8], at: usize) -> Option<(u8, usize, usize)> {
    let tag = *b.get(at)?;
    let first = *b.get(at + 1)?;
    if first < 0x80 {
        return Some((tag, at + 2, usize::from(first)));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let bytes = b.get(at + 2..at + 2 + n)?;
    let len = bytes.iter().fold(0usize, |l, &c| (l << 8) | usize::from(c));
    Some((tag, at + 2 + n, len))
}

/// The value of a small BER INTEGER (up to 4 bytes) at `at`, and the offset
/// after it.
pub(crate) fn integer(b: &[u8], at: usize) -> Option<(i64, usize)> {
    let (tag, off, len) = element(b, at)?;
    if tag != 0x02 || len == 0 || len > 4 {
        return None;
    }
    let bytes = b.get(off..off + len)?;
    let mut v = if bytes[0] & 0x80 != 0 { -1i64 } else { 0 };
    for &c in bytes {
        v = (v << 8) | i64::from(c);
    }
    Some((v, off + len))
}
