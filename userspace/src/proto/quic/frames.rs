//! The frames an Initial packet may carry (RFC 9000 section 12.4 and 19):
//! PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE. Any other frame type
//! ends the walk with an error, since its length cannot be known safely.
//! Google's T050/T051 number frames the gQUIC way; of those only PADDING,
//! PING and CRYPTO are read.

use super::cursor::Cursor;
use super::error::QuicError;
use super::version::FrameDialect;

/// One frame of a decrypted Initial payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A run of PADDING bytes (type 0x00), counted.
    Padding(usize),
    /// PING (0x01).
    Ping,
    /// ACK (0x02) or ACK with ECN counts (0x03); only the largest
    /// acknowledged packet number is kept.
    Ack {
        /// Largest Acknowledged.
        largest: u64,
    },
    /// CRYPTO (0x06): handshake bytes at `offset` of the Initial CRYPTO stream.
    Crypto {
        /// Offset in the CRYPTO stream.
        offset: u64,
        /// The bytes.
        data: &'a [u8],
    },
    /// CONNECTION_CLOSE (0x1c, or 0x1d which is not allowed in Initials
    /// but is read the same).
    ConnectionClose {
        /// The error code.
        error_code: u64,
        /// The reason phrase.
        reason: &'a [u8],
    },
}

/// Iterator over the frames of a plaintext payload. Yields an error at most
/// once, then stops.
#[derive(Debug, Clone)]
pub struct Frames<'a> {
    c: Cursor<'a>,
    dialect: FrameDialect,
    done: bool,
}

/// The frames of `payload`, numbered as `dialect` does.
pub fn frames(payload: &[u8], dialect: FrameDialect) -> Frames<'_> {
    Frames {
        c: Cursor::new(payload),
        dialect,
        done: false,
    }
}

impl<'a> Frames<'a> {
    fn frame(&mut self) -> Result<Frame<'a>, QuicError> {
        match self.dialect {
            FrameDialect::Ietf => self.ietf(),
            FrameDialect::Google => self.google(),
        }
    }

    /// gQUIC frame types: PADDING (0x00) fills the rest of the packet,
    /// PING is 0x07, CRYPTO 0x08 (offset and length as varints).
    fn google(&mut self) -> Result<Frame<'a>, QuicError> {
        let typ = self.c.u8()?;
        match typ {
            0x00 => {
                let n = self.c.remaining() + 1;
                self.c.bytes(n - 1)?;
                Ok(Frame::Padding(n))
            }
            0x07 => Ok(Frame::Ping),
            0x08 => self.crypto(0x08),
            _ => Err(QuicError::BadFrame(u64::from(typ))),
        }
    }

    /// CRYPTO's offset, length and data.
    fn crypto(&mut self, typ: u64) -> Result<Frame<'a>, QuicError> {
        let bad = |_| QuicError::BadFrame(typ);
        let offset = self.c.varint().map_err(bad)?;
        let len = self.c.varint().map_err(bad)?;
        let data = self.c.bytes_u64(len).map_err(bad)?;
        Ok(Frame::Crypto { offset, data })
    }

    fn ietf(&mut self) -> Result<Frame<'a>, QuicError> {
        let typ = self.c.varint()?;
        let bad = |_| QuicError::BadFrame(typ);
        match typ {
            0x00 => {
                let mut n = 1;
                while self.peek() == Some(0) {
                    self.c.u8().map_err(bad)?;
                    n += 1;
                }
                Ok(Frame::Padding(n))
            }
            0x01 => Ok(Frame::Ping),
            0x02 | 0x03 => {
                let largest = self.c.varint().map_err(bad)?;
                self.c.skip_varint().map_err(bad)?; // ACK Delay
                let ranges = self.c.varint().map_err(bad)?;
                self.c.skip_varint().map_err(bad)?; // First ACK Range
                for _ in 0..ranges {
                    // Each range takes at least two bytes: a huge count ends
                    // with Truncated long before it could loop for long.
                    self.c.skip_varint().map_err(bad)?; // Gap
                    self.c.skip_varint().map_err(bad)?; // ACK Range Length
                }
                if typ == 0x03 {
                    for _ in 0..3 {
                        self.c.skip_varint().map_err(bad)?;
                    }
                }
                Ok(Frame::Ack { largest })
            }
            0x06 => self.crypto(0x06),
            0x1c | 0x1d => {
                let error_code = self.c.varint().map_err(bad)?;
                if typ == 0x1c {
                    self.c.skip_varint().map_err(bad)?; // Frame Type
                }
                let len = self.c.varint().map_err(bad)?;
                let reason = self.c.bytes_u64(len).map_err(bad)?;
                Ok(Frame::ConnectionClose { error_code, reason })
            }
            _ => Err(QuicError::BadFrame(typ)),
        }
    }

    fn peek(&self) -> Option<u8> {
        let mut c = self.c;
        c.u8().ok()
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>, QuicError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.c.remaining() == 0 {
            return None;
        }
        let f = self.frame();
        self.done = f.is_err();
        Some(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk() {
        let p = [
            0x01, // PING
            0x02, 0x05, 0x00, 0x01, 0x00, 0x01, 0x02, // ACK, one extra range
            0x06, 0x40, 0x05, 0x02, b'h', b'i', // CRYPTO at 5
            0x1c, 0x0a, 0x06, 0x00, // CONNECTION_CLOSE
            0x00, 0x00, 0x00, // PADDING
        ];
        let got: Vec<_> = frames(&p, FrameDialect::Ietf).collect();
        assert_eq!(
            got,
            vec![
                Ok(Frame::Ping),
                Ok(Frame::Ack { largest: 5 }),
                Ok(Frame::Crypto {
                    offset: 5,
                    data: b"hi"
                }),
                Ok(Frame::ConnectionClose {
                    error_code: 10,
                    reason: b""
                }),
                Ok(Frame::Padding(3)),
            ]
        );
    }

    #[test]
    fn stops_at_unknown_and_truncated() {
        let got: Vec<_> = frames(&[0x01, 0x08, 0x01], FrameDialect::Ietf).collect();
        assert_eq!(got, vec![Ok(Frame::Ping), Err(QuicError::BadFrame(8))]);
        let got: Vec<_> = frames(&[0x06, 0x00, 0x05, b'x'], FrameDialect::Ietf).collect();
        assert_eq!(got, vec![Err(QuicError::BadFrame(6))]);
        let got: Vec<_> = frames(
            &[0x02, 0x00, 0x00, 0xbf, 0xff, 0xff, 0xff],
            FrameDialect::Ietf,
        )
        .collect();
        assert_eq!(got, vec![Err(QuicError::BadFrame(2))]);
    }

    #[test]
    fn google() {
        let p = [0x07, 0x08, 0x00, 0x02, b'h', b'i', 0x06, 0x00, 0x01, 0x02];
        let got: Vec<_> = frames(&p[..6], FrameDialect::Google).collect();
        assert_eq!(
            got,
            vec![
                Ok(Frame::Ping),
                Ok(Frame::Crypto {
                    offset: 0,
                    data: b"hi"
                })
            ]
        );
        let got: Vec<_> = frames(&p[6..], FrameDialect::Google).collect();
        assert_eq!(got, vec![Err(QuicError::BadFrame(6))]);
        let got: Vec<_> = frames(&[0x00, 0x05, 0x05], FrameDialect::Google).collect();
        assert_eq!(got, vec![Ok(Frame::Padding(3))]);
    }
}
