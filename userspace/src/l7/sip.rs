//! SIP requests and responses (UDP or TCP).

use crate::bytes::first_line;

/// SIP request methods (RFC 3261 and extensions).
const METHODS: &[&[u8]] = &[
    b"INVITE ",
    b"REGISTER ",
    b"OPTIONS ",
    b"ACK ",
    b"BYE ",
    b"CANCEL ",
    b"SUBSCRIBE ",
    b"NOTIFY ",
    b"MESSAGE ",
    b"INFO ",
    b"PRACK ",
    b"UPDATE ",
    b"REFER ",
    b"PUBLISH ",
];

/// True if `b` starts with a SIP status line (`SIP/2.0 NNN`) or a request
/// line whose version is `SIP/2.0`.
pub(crate) fn is_sip(b: &[u8]) -> bool {
    if b.starts_with(b"SIP/2.0 ") {
        return b
            .get(8..11)
            .is_some_and(|c| c.iter().all(u8::is_ascii_digit));
    }
    METHODS.iter().any(|m| b.starts_with(m)) && first_line(b, 1024).ends_with(b" SIP/2.0")
}
