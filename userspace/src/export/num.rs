//! Fast integer formatting for the JSON writers (`core::fmt` costs several
//! times more per number, and feature records hold hundreds of numbers).

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

#[cfg(test)]
mod tests {
    use super::*;

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
