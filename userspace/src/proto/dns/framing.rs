//! DNS over TCP framing (RFC 1035 4.2.2): each message is preceded by its
//! 2-byte length; messages and even length prefixes may span chunks.

/// One direction's framing state. Whole messages inside one chunk are handed
/// out without copying; only a message split across chunks is buffered.
#[derive(Debug, Default, Clone)]
pub struct TcpFramer {
    /// Length prefix bytes seen so far (0, 1).
    prefix: Option<u8>,
    /// Bytes of the current message still expected (0: reading a prefix).
    need: usize,
    /// Part of the current message seen so far.
    buf: Vec<u8>,
    /// True when the current message is longer than the bound: skip it.
    skipping: bool,
}

impl TcpFramer {
    /// Feeds in-order stream bytes; calls `on_msg` for every complete message
    /// of at most `max` bytes.
    pub fn push(&mut self, mut data: &[u8], max: usize, mut on_msg: impl FnMut(&[u8])) {
        while !data.is_empty() {
            if self.need == 0 {
                let Some((&b, rest)) = data.split_first() else {
                    return;
                };
                data = rest;
                match self.prefix.take() {
                    None => self.prefix = Some(b),
                    Some(hi) => {
                        self.need = usize::from(u16::from_be_bytes([hi, b]));
                        self.skipping = self.need > max;
                    }
                }
                continue;
            }
            let n = self.need.min(data.len());
            let (part, rest) = data.split_at(n);
            data = rest;
            self.need -= n;
            if self.skipping {
                continue;
            }
            if self.buf.is_empty() && self.need == 0 {
                on_msg(part);
                continue;
            }
            self.buf.extend_from_slice(part);
            if self.need == 0 {
                on_msg(&self.buf);
                self.buf = Vec::new();
            }
        }
    }
}
