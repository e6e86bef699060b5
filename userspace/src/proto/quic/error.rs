//! Why a datagram, packet or handshake could not be read.

use std::fmt;

/// Why QUIC Initial processing stopped. Every variant is a plain value: no
/// input can make the parser panic, it returns one of these instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuicError {
    /// A field runs past the end of the datagram (or of the packet's Length).
    Truncated,
    /// The packet has a short header (first bit clear) or the fixed bit is clear.
    NotLongHeader,
    /// A Version Negotiation packet (version 0).
    VersionNegotiation,
    /// A long header with a version whose Initial protection we do not know.
    UnknownVersion(u32),
    /// A connection ID longer than the 20 bytes the known versions allow.
    BadConnectionIdLength(u8),
    /// The packet is too short to hold a packet number, a header protection
    /// sample and an AEAD tag.
    TooShort,
    /// The AEAD tag did not verify: not a client Initial for these keys.
    Decrypt,
    /// A frame that an Initial packet may not carry, or one cut short.
    BadFrame(u64),
    /// CRYPTO data lies beyond the reassembly bound or is split into too many
    /// pieces.
    CryptoOverflow,
    /// The first handshake message is not a ClientHello (its type is given).
    NotClientHello(u8),
    /// The ClientHello is longer than the reassembly bound.
    HelloTooLarge(u32),
    /// tls-parser rejected the ClientHello.
    HelloMalformed,
}

impl fmt::Display for QuicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuicError::Truncated => f.write_str("field runs past the end of the packet"),
            QuicError::NotLongHeader => f.write_str("not a long header packet"),
            QuicError::VersionNegotiation => f.write_str("version negotiation packet"),
            QuicError::UnknownVersion(v) => write!(f, "unknown QUIC version {v:#010x}"),
            QuicError::BadConnectionIdLength(n) => write!(f, "connection ID of {n} bytes"),
            QuicError::TooShort => f.write_str("packet too short for a sample and a tag"),
            QuicError::Decrypt => f.write_str("AEAD authentication failed"),
            QuicError::BadFrame(t) => write!(f, "frame type {t:#x} not readable in an Initial"),
            QuicError::CryptoOverflow => f.write_str("CRYPTO data beyond the reassembly bound"),
            QuicError::NotClientHello(t) => {
                write!(f, "handshake message type {t} is not ClientHello")
            }
            QuicError::HelloTooLarge(n) => write!(f, "ClientHello of {n} bytes exceeds the bound"),
            QuicError::HelloMalformed => f.write_str("malformed ClientHello"),
        }
    }
}

impl std::error::Error for QuicError {}
