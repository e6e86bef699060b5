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
    // Build in a small stack buffer (cheap to set up) to keep the writer's
    // call count low.
    let mut buf = [0u8; 512];
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
        if v < 10 {
            // Most counts are small: skip the formatter.
            buf[n] = b'0' + v as u8;
            n += 1;
            continue;
        }
        let s = b.format(v).as_bytes();
        buf[n..n + s.len()].copy_from_slice(s);
        n += s.len();
    }
    w.write_all(&buf[..n])
}

/// Writes `x` with exactly six decimals, as `format!("{x:.6}")` does (the
/// exact binary value rounded half to even), without `core::fmt` for finite
/// values below 2^63 / 10^6 in magnitude; others go through `core::fmt`.
pub fn write_fixed6<W: Write + ?Sized>(w: &mut W, x: f64) -> io::Result<()> {
    match fixed6(x) {
        Some((negative, units)) => {
            let (int, frac) = (units / 1_000_000, units % 1_000_000);
            let mut buf = [0u8; 32];
            let mut n = 0;
            if negative {
                buf[0] = b'-';
                n = 1;
            }
            let mut b = itoa::Buffer::new();
            let s = b.format(int).as_bytes();
            buf[n..n + s.len()].copy_from_slice(s);
            n += s.len();
            buf[n] = b'.';
            n += 1;
            let mut f = frac;
            for i in (0..6).rev() {
                buf[n + i] = b'0' + (f % 10) as u8;
                f /= 10;
            }
            n += 6;
            w.write_all(&buf[..n])
        }
        None => write!(w, "{x:.6}"),
    }
}

/// `|x| * 10^6` rounded half to even, and the sign to print, or `None` when `x`
/// is not finite or too large for the fast path.
fn fixed6(x: f64) -> Option<(bool, u64)> {
    if !x.is_finite() || x.abs() >= 9.2e12 {
        return None;
    }
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    // x = mant * 2^shift exactly.
    let (mant, shift) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp - 1075)
    };
    let scaled = u128::from(mant) * 1_000_000;
    let units = if shift >= 0 {
        scaled << shift
    } else {
        let k = (-shift) as u32;
        if k >= 128 {
            0
        } else {
            let q = scaled >> k;
            let r = scaled - (q << k);
            let half = 1u128 << (k - 1);
            if r > half || (r == half && q & 1 == 1) {
                q + 1
            } else {
                q
            }
        }
    };
    Some((negative, u64::try_from(units).ok()?))
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

/// Lowercase hex digits, by value.
pub const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Writes a dotted IPv4 address, digit by digit (as `Ipv4Addr`'s `Display`).
pub fn write_ipv4<W: Write + ?Sized>(w: &mut W, octets: [u8; 4]) -> io::Result<()> {
    let mut buf = [0u8; 15];
    let mut n = 0;
    for (k, octet) in octets.into_iter().enumerate() {
        if k > 0 {
            buf[n] = b'.';
            n += 1;
        }
        if octet >= 100 {
            buf[n] = b'0' + octet / 100;
            n += 1;
        }
        if octet >= 10 {
            buf[n] = b'0' + octet / 10 % 10;
            n += 1;
        }
        buf[n] = b'0' + octet % 10;
        n += 1;
    }
    w.write_all(&buf[..n])
}

/// Hex digits of `chunk` (at most `out.len() / 2` bytes) into `out`; returns
/// how many digits were written.
fn hex_into(chunk: &[u8], out: &mut [u8]) -> usize {
    let mut n = 0;
    for (&b, pair) in chunk.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = HEX_DIGITS[usize::from(b >> 4)];
        pair[1] = HEX_DIGITS[usize::from(b & 15)];
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

    #[test]
    fn ipv4_addresses_as_the_standard_formatter_writes_them() {
        for a in 0..=255u8 {
            let octets = [a, a.wrapping_mul(37), 255 - a, a / 3];
            let mut out = Vec::new();
            write_ipv4(&mut out, octets).unwrap();
            let expect = std::net::Ipv4Addr::from(octets).to_string();
            assert_eq!(String::from_utf8(out).unwrap(), expect);
        }
    }

    fn fixed6_str(x: f64) -> String {
        let mut out = Vec::new();
        write_fixed6(&mut out, x).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn six_decimals_as_the_standard_formatter_writes_them() {
        // Exact ties (k/128 * 10^6 ends in .5), both roundings, the fast path's
        // bounds, zeros, subnormals, and what the features print.
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1e-7,
            4.9e-7,
            5e-7,
            5.1e-7,
            1.5e-6,
            2.5e-6,
            f64::MIN_POSITIVE,
            5e-324,
            9.199999e12,
            9.2e12,
            1e13,
            1e300,
            f64::MAX,
            127.999999_5,
            7.999_999_5,
            3.321_927,
            8.0 * 1499.0,
        ];
        values.extend((0..512).map(|k| f64::from(k) / 128.0));
        values.extend((0..512).map(|k| -f64::from(k) / 1024.0));
        // Pseudo-random bit patterns over every exponent (xorshift, fixed seed).
        let mut r = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            values.push(f64::from_bits(r));
            // And values of the size entropies and means have.
            values.push((r >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((r % 14) as i32));
        }
        for x in values {
            assert_eq!(
                fixed6_str(x),
                format!("{x:.6}"),
                "{x:e} ({:#x})",
                x.to_bits()
            );
        }
    }
}
