//! Chunked transfer coding (RFC 9112 7.1): skipping chunk framing and
//! handing out the data bytes, across arbitrary chunk boundaries.

/// Where the decoder is inside the coded body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Reading a chunk-size line (hex digits, then extensions up to LF).
    Size { value: u64, digits: u8, done: bool },
    /// Inside chunk data: bytes left.
    Data(u64),
    /// After chunk data: expecting CRLF.
    DataEnd,
    /// Trailer section: bytes on the current line.
    Trailer(usize),
    /// The body ended.
    Done,
}

/// A chunked body that is not a valid coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadChunk;

/// Chunked body decoder state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunked {
    at: At,
}

impl Default for Chunked {
    fn default() -> Self {
        Chunked {
            at: At::Size {
                value: 0,
                digits: 0,
                done: false,
            },
        }
    }
}

impl Chunked {
    /// True once the last chunk and trailers were read.
    pub fn is_done(&self) -> bool {
        self.at == At::Done
    }

    /// Consumes coded bytes from `data`, passing chunk data to `on_data`;
    /// returns how many bytes belonged to the body (all of `data` unless it
    /// ended inside).
    pub fn feed(&mut self, data: &[u8], mut on_data: impl FnMut(&[u8])) -> Result<usize, BadChunk> {
        let mut i = 0;
        while let Some(rest) = data.get(i..).filter(|r| !r.is_empty()) {
            match self.at {
                At::Done => break,
                At::Data(left) => {
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                    on_data(rest.get(..n).unwrap_or(&[]));
                    i += n;
                    let left = left - n as u64;
                    self.at = if left == 0 {
                        At::DataEnd
                    } else {
                        At::Data(left)
                    };
                }
                _ => {
                    let b = rest.first().copied().unwrap_or(0);
                    i += 1;
                    self.at = self.byte(b)?;
                }
            }
        }
        Ok(i)
    }

    /// One framing byte.
    fn byte(&self, b: u8) -> Result<At, BadChunk> {
        Ok(match self.at {
            At::Size {
                value,
                digits,
                done,
            } => match b {
                b'\n' if digits == 0 => return Err(BadChunk),
                b'\n' if value == 0 => At::Trailer(0),
                b'\n' => At::Data(value),
                _ if !done && b.is_ascii_hexdigit() => {
                    if digits >= 15 {
                        return Err(BadChunk);
                    }
                    let d = u64::from(char::from(b).to_digit(16).unwrap_or(0));
                    At::Size {
                        value: value << 4 | d,
                        digits: digits + 1,
                        done,
                    }
                }
                _ if digits == 0 => return Err(BadChunk),
                // Extensions, spaces, CR: skipped up to LF.
                _ => At::Size {
                    value,
                    digits,
                    done: true,
                },
            },
            At::DataEnd => match b {
                b'\r' => At::DataEnd,
                b'\n' => At::Size {
                    value: 0,
                    digits: 0,
                    done: false,
                },
                _ => return Err(BadChunk),
            },
            At::Trailer(n) => match b {
                b'\r' => At::Trailer(n),
                b'\n' if n == 0 => At::Done,
                b'\n' => At::Trailer(0),
                _ => At::Trailer(n.saturating_add(1)),
            },
            At::Data(_) | At::Done => self.at,
        })
    }
}
