//! Fast integer and hex formatting for the JSON writers (`core::fmt` costs
//! several times more per number or byte, and feature records hold hundreds).

use std::io::{self, Write};

/// Writes `n` in decimal.
#[inline]
pub fn write_uint<W: Write + ?Sized>(w: &mut W, n: u64) -> io::Result<()> {
    let mut b = itoa::Buffer::new();
    w.write_all(b.format(n).as_bytes())
}

/// Writes the numbers of `list` separated by commas (no brackets).
pub fn write_uint_list<W: Write + ?Sized>(
    w: &mut W,
    list: impl IntoIterator<Item = u64>,
) -> io::Result<()> {
    // Build in a stack buffer to keep the writer's call count low.
    let mut buf = [0u8; 4096];
    let mut n = 0;
    let mut b = itoa::Buffer::new();
    for (i, v) in list.into_iter().enumerate() {
        if n + 22 > buf.len() {
            w.write_all(&buf[..n])?;
            n = 0;
        }
        if i > 0 {
            buf[n] = b',';
            n += 1;
        }
        let s = b.format(v).as_bytes();
        buf[n..n + s.len()].copy_from_slice(s);
        n += s.len();
    }
    w.write_all(&buf[..n])
}

/// Writes `bytes` as lowercase hex digits, two per byte.
pub fn write_hex<W: Write + ?Sized>(w: &mut W, bytes: &[u8]) -> io::Result<()> {
    let mut buf = [0u8; 128];
    for chunk in bytes.chunks(64) {
        let n = hex_into(chunk, &mut buf);
        w.write_all(&buf[..n])?;
    }
    Ok(())
}

/// `bytes` as a string of lowercase hex digits.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = Vec::with_capacity(bytes.len() * 2);
    // Writing to a Vec cannot fail.
    let _ = write_hex(&mut s, bytes);
    String::from_utf8(s).unwrap_or_default()
}

/// Hex digits of `chunk` (at most `out.len() / 2` bytes) into `out`; returns
/// how many digits were written.
fn hex_into(chunk: &[u8], out: &mut [u8]) -> usize {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut n = 0;
    for (&b, pair) in chunk.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 15)];
        n += 2;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_of_every_byte() {
        let data: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
        let expect: String = data.iter().map(|b| format!("{b:02x}")).collect();
        let mut out = Vec::new();
        write_hex(&mut out, &data).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), expect);
        assert_eq!(hex(&data), expect);
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn lists_and_numbers() {
        let mut out = Vec::new();
        write_uint(&mut out, u64::MAX).unwrap();
        out.push(b' ');
        write_uint_list(&mut out, (0..1000u64).map(|i| i * 1_000_003)).unwrap();
        let expect = format!(
            "{} {}",
            u64::MAX,
            (0..1000u64)
                .map(|i| (i * 1_000_003).to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(String::from_utf8(out).unwrap(), expect);
    }
}
