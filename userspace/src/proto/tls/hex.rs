//! Hex renderings of certificate and handshake bytes: Joy's lowercase form
//! (the engine's shared writer) and OpenSSL's colon-separated uppercase.

use std::fmt::Write as _;

pub use crate::json::num::hex;

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
