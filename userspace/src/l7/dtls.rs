//! DTLS: a record header with a DTLS version and a consistent length.

use crate::bytes::be16;

/// True if `b` starts with a DTLS 1.0/1.2/1.3 record (or Cisco's
/// pre-standard 0x0100) (content type
/// change_cipher_spec, alert, handshake or application data) whose length
/// fits the datagram; a handshake record must hold a known message type.
pub(crate) fn is_dtls(b: &[u8]) -> bool {
    let (Some(&ct), Some(ver), Some(len)) = (b.first(), be16(b, 1), be16(b, 11)) else {
        return false;
    };
    if !matches!(ver, 0xfeff | 0xfefd | 0xfefc | 0x0100) || !(20..=23).contains(&ct) {
        return false;
    }
    let end = 13 + usize::from(len);
    if len == 0 || end > b.len() {
        return false;
    }
    ct != 22 || matches!(b[13], 1..=4 | 11..=16 | 20)
}
