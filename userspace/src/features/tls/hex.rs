//! Lower-case hex rendering, as Joy prints byte strings.

use std::fmt::Write as _;

/// Lower-case hex of `bytes`, two digits per byte, no separators.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Upper-case hex pairs joined by ':' (OpenSSL's rendering of key identifiers).
pub fn hex_colon_upper(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        let _ = write!(s, "{b:02X}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders() {
        assert_eq!(hex(&[0x00, 0xab, 0x10]), "00ab10");
        assert_eq!(hex(&[]), "");
        assert_eq!(hex_colon_upper(&[0xce, 0xbf, 0x03]), "CE:BF:03");
    }
}
