//! The 5-byte TLS record header: a zero-copy view with typed validation.

/// Record content types (RFC 8446 section 5.1, RFC 6520 for heartbeat).
pub mod content {
    /// change_cipher_spec.
    pub const CHANGE_CIPHER_SPEC: u8 = 20;
    /// alert.
    pub const ALERT: u8 = 21;
    /// handshake.
    pub const HANDSHAKE: u8 = 22;
    /// application_data.
    pub const APPLICATION_DATA: u8 = 23;
    /// heartbeat.
    pub const HEARTBEAT: u8 = 24;
}

/// Length of a record header.
pub const HEADER_LEN: usize = 5;
/// Largest record body allowed: 2^14 plus the 2048 bytes of expansion RFC 5246
/// allows for TLSCiphertext.
pub const MAX_RECORD_LEN: u16 = 16384 + 2048;

/// Why bytes are not a TLS record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordError {
    /// Fewer than 5 bytes.
    Short,
    /// Content type outside 20..=24 (an SSLv2 hello lands here: its first byte has the top bit set).
    ContentType(u8),
    /// Version is not 3.0..=3.4 (SSL 3.0 to TLS 1.3).
    Version(u16),
    /// Body longer than [`MAX_RECORD_LEN`].
    Length(u16),
}

/// A validated record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// Content type.
    pub content_type: u8,
    /// Record-layer version, e.g. 0x0303.
    pub version: u16,
    /// Body length in bytes (the header excluded).
    pub length: u16,
}

impl RecordHeader {
    /// Reads and validates the header at the start of `b`.
    pub fn parse(b: &[u8]) -> Result<Self, RecordError> {
        let [t, vmaj, vmin, lhi, llo, ..] = *b else {
            return Err(RecordError::Short);
        };
        let version = u16::from_be_bytes([vmaj, vmin]);
        let length = u16::from_be_bytes([lhi, llo]);
        if !(content::CHANGE_CIPHER_SPEC..=content::HEARTBEAT).contains(&t) {
            return Err(RecordError::ContentType(t));
        }
        if !(0x0300..=0x0304).contains(&version) {
            return Err(RecordError::Version(version));
        }
        if length > MAX_RECORD_LEN {
            return Err(RecordError::Length(length));
        }
        Ok(RecordHeader {
            content_type: t,
            version,
            length,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        // Start of a real ClientHello record (443-curl.pcap frame 4).
        assert_eq!(
            RecordHeader::parse(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01]),
            Ok(RecordHeader {
                content_type: 22,
                version: 0x0301,
                length: 512
            })
        );
        assert_eq!(
            RecordHeader::parse(&[0x16, 3, 1, 0]),
            Err(RecordError::Short)
        );
        // SSLv2-compatible ClientHello: 2-byte length with the top bit set.
        assert_eq!(
            RecordHeader::parse(&[0x80, 0x2e, 0x01, 0x03, 0x01]),
            Err(RecordError::ContentType(0x80))
        );
        assert_eq!(
            RecordHeader::parse(b"GET / HTTP/1.1"),
            Err(RecordError::ContentType(b'G'))
        );
        assert_eq!(
            RecordHeader::parse(&[0x17, 0x02, 0x00, 0x00, 0x10]),
            Err(RecordError::Version(0x0200))
        );
        assert_eq!(
            RecordHeader::parse(&[0x17, 0x03, 0x03, 0x48, 0x01]),
            Err(RecordError::Length(0x4801))
        );
    }
}
