//! Bounds-checked byte readers shared by the protocol detectors and parsers:
//! every read past the end is `None`, never a panic.

/// Big-endian u16 at `at`, `None` past the end.
#[inline]
pub fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

/// Big-endian 24-bit value at `at`, `None` past the end.
#[inline]
pub fn be24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(3)?)?;
    Some(u32::from_be_bytes([0, s[0], s[1], s[2]]))
}

/// Big-endian u32 at `at`, `None` past the end.
#[inline]
pub fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// True if `b` starts with `prefix`, ASCII case-insensitively.
#[inline]
pub fn starts_with_ci(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// True if `needle` occurs in `hay` (ASCII case-insensitively).
pub fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The first line of `b` (without `\r\n`), at most `max` bytes looked at.
pub fn first_line(b: &[u8], max: usize) -> &[u8] {
    let b = &b[..b.len().min(max)];
    let end = b.iter().position(|&c| c == b'\n').unwrap_or(b.len());
    let line = &b[..end];
    line.strip_suffix(b"\r").unwrap_or(line)
}
