//! The ClientHello at the start of the Initial CRYPTO stream, summarized by
//! the TLS feature's parser ([`crate::proto::tls::hello::ClientHello`]).

use crate::proto::tls::hello::ClientHello;

use super::crypto_stream::MAX_CRYPTO;
use super::error::QuicError;

/// TLS handshake message type of a ClientHello.
const CLIENT_HELLO: u8 = 1;

/// What a QUIC client's first flight says about the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuicHello {
    /// The QUIC version of the Initial packets that carried the ClientHello.
    pub version: u32,
    /// host_name of the server_name extension, if present and UTF-8.
    pub sni: Option<String>,
    /// ALPN protocol names offered, in order (lossy UTF-8).
    pub alpn: Vec<String>,
}

impl QuicHello {
    /// The summary of a parsed ClientHello.
    pub fn new(version: u32, ch: &ClientHello) -> QuicHello {
        QuicHello {
            version,
            sni: ch.sni().map(str::to_owned),
            alpn: ch
                .alpn()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect(),
        }
    }
}

/// Looks for a complete ClientHello handshake message at the start of
/// `stream` (the contiguous CRYPTO bytes from offset 0): `None` while more
/// bytes are needed, else the parsed hello or why there will be none.
pub fn client_hello(stream: &[u8]) -> Option<Result<ClientHello, QuicError>> {
    let &[typ, l0, l1, l2, ..] = stream else {
        return None;
    };
    if typ != CLIENT_HELLO {
        return Some(Err(QuicError::NotClientHello(typ)));
    }
    let len = u32::from_be_bytes([0, l0, l1, l2]);
    let end = 4 + len as usize;
    if end > MAX_CRYPTO {
        return Some(Err(QuicError::HelloTooLarge(len)));
    }
    let body = stream.get(4..end)?;
    Some(ClientHello::parse(body).map_err(|_| QuicError::HelloMalformed))
}
