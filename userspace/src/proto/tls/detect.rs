//! TLS: a handshake record opening the stream (and the mail ports' names
//! for TLS, as nDPI gives them).

use crate::bytes::be16;
use crate::l7::packet::L7Packet;
use crate::l7::proto::L7Proto;

/// TLS record content type: handshake.
pub(crate) const HANDSHAKE: u8 = 22;

/// True if `b` starts with a TLS handshake record header (type 22, version
/// 3.0 to 3.4): what routes a stream to the TLS parser, which then reads
/// the records itself. The L7 label asks more (`is_tls`).
pub fn starts_handshake_record(b: &[u8]) -> bool {
    matches!(b, [HANDSHAKE, 0x03, v, ..] if *v <= 0x04)
}

/// True if `b` starts with a TLS ClientHello or ServerHello record
/// (SSL 3.0 to TLS 1.3 framing), or with a run of TLS records
/// (change_cipher_spec, alert, handshake, application data; TLS 1.0 to 1.3
/// framing) that fill the payload exactly or whose last one runs past its
/// end: a session picked up mid-stream, or a TCP segment of a big record.
pub(crate) fn is_tls(b: &[u8]) -> bool {
    is_hello(b) || is_record_run(b)
}

/// True for a handshake record holding a ClientHello or ServerHello whose
/// own version field (when captured) is SSL 3.0 to TLS 1.2.
fn is_hello(b: &[u8]) -> bool {
    let (Some(&ct), Some(ver), Some(len)) = (b.first(), be16(b, 1), be16(b, 3)) else {
        return false;
    };
    ct == HANDSHAKE
        && (0x0300..=0x0304).contains(&ver)
        && (4..=MAX_RECORD).contains(&len)
        && matches!(b.get(5), Some(1 | 2))
        && be16(b, 9).is_none_or(|v| (0x0300..=0x0303).contains(&v))
}

/// Largest record length accepted (2^14 plus expansion).
const MAX_RECORD: u16 = 16384 + 2048;

/// True if `b` is a sequence of TLS record headers and bodies that ends
/// exactly at its end or inside the last record (at most 16 records walked).
fn is_record_run(b: &[u8]) -> bool {
    let mut at = 0usize;
    for _ in 0..16 {
        let (Some(&ct), Some(ver), Some(len)) = (b.get(at), be16(b, at + 1), be16(b, at + 3))
        else {
            return false;
        };
        if !(20..=23).contains(&ct)
            || !(0x0301..=0x0304).contains(&ver)
            || len == 0
            || len > MAX_RECORD
        {
            return false;
        }
        at += 5 + usize::from(len);
        if at >= b.len() {
            return true;
        }
    }
    false
}

/// nDPI's name for TLS on the implicit-TLS mail ports: IMAPS (993), POPS
/// (995), SMTPS (465); plain TLS elsewhere.
pub(crate) fn tls_name(p: &L7Packet<'_>) -> L7Proto {
    if p.port(993) {
        L7Proto::Imaps
    } else if p.port(995) {
        L7Proto::Pops
    } else if p.port(465) {
        L7Proto::Smtps
    } else {
        L7Proto::Tls
    }
}
