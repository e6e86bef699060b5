//! Builders for pcap and pcapng bytes.

/// Appends `v` in the chosen byte order.
fn put32(out: &mut Vec<u8>, v: u32, be: bool) {
    out.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
}

fn put16(out: &mut Vec<u8>, v: u16, be: bool) {
    out.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
}

/// A legacy pcap file under construction.
pub struct Pcap {
    pub bytes: Vec<u8>,
    be: bool,
    modified: bool,
}

impl Pcap {
    /// Microsecond pcap, version 2.4.
    pub fn new(be: bool, linktype: u32) -> Self {
        Pcap::with_magic(0xa1b2_c3d4, be, linktype, 4)
    }

    /// Nanosecond pcap.
    pub fn nanos(be: bool, linktype: u32) -> Self {
        Pcap::with_magic(0xa1b2_3c4d, be, linktype, 4)
    }

    /// Any magic and minor version.
    pub fn with_magic(magic: u32, be: bool, linktype: u32, minor: u16) -> Self {
        let mut bytes = Vec::new();
        put32(&mut bytes, magic, be);
        put16(&mut bytes, 2, be);
        put16(&mut bytes, minor, be);
        put32(&mut bytes, 0, be);
        put32(&mut bytes, 0, be);
        put32(&mut bytes, 65535, be);
        put32(&mut bytes, linktype, be);
        Pcap {
            bytes,
            be,
            modified: magic == 0xa1b2_cd34,
        }
    }

    /// Appends a record with explicit length fields (in file order).
    pub fn raw(mut self, secs: u32, frac: u32, len1: u32, len2: u32, data: &[u8]) -> Self {
        let be = self.be;
        put32(&mut self.bytes, secs, be);
        put32(&mut self.bytes, frac, be);
        put32(&mut self.bytes, len1, be);
        put32(&mut self.bytes, len2, be);
        if self.modified {
            self.bytes.extend_from_slice(&[0; 8]);
        }
        self.bytes.extend_from_slice(data);
        self
    }

    /// Appends a record.
    pub fn packet(self, secs: u32, frac: u32, data: &[u8], origlen: u32) -> Self {
        self.raw(secs, frac, data.len() as u32, origlen, data)
    }
}

/// Option code of `if_tsresol`.
pub const IF_TSRESOL: u16 = 9;
/// Option code of `if_tsoffset`.
pub const IF_TSOFFSET: u16 = 14;

/// A pcapng file under construction.
pub struct Ng {
    pub bytes: Vec<u8>,
    be: bool,
}

impl Ng {
    /// A file starting with a section header in the given byte order.
    pub fn new(be: bool) -> Self {
        Ng {
            bytes: Vec::new(),
            be,
        }
        .shb(be)
    }

    /// Appends a block of `kind` with `body` padded to 4 bytes.
    pub fn block(mut self, kind: u32, body: &[u8]) -> Self {
        let padded = body.len().div_ceil(4) * 4;
        let len = (12 + padded) as u32;
        let be = self.be;
        put32(&mut self.bytes, kind, be);
        put32(&mut self.bytes, len, be);
        self.bytes.extend_from_slice(body);
        self.bytes.resize(self.bytes.len() + padded - body.len(), 0);
        put32(&mut self.bytes, len, be);
        self
    }

    /// Starts a new section in the given byte order.
    pub fn shb(mut self, be: bool) -> Self {
        self.be = be;
        let mut body = Vec::new();
        put32(&mut body, 0x1a2b_3c4d, be);
        put16(&mut body, 1, be);
        put16(&mut body, 0, be);
        body.extend_from_slice(&[0xff; 8]);
        self.block(0x0a0d_0d0a, &body)
    }

    /// Options encoded in the section's byte order, with an end-of-options marker.
    fn options(&self, opts: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (code, value) in opts {
            put16(&mut out, *code, self.be);
            put16(&mut out, value.len() as u16, self.be);
            out.extend_from_slice(value);
            out.resize(out.len().div_ceil(4) * 4, 0);
        }
        if !opts.is_empty() {
            out.extend_from_slice(&[0; 4]);
        }
        out
    }

    /// An `if_tsoffset` option value in the section's byte order.
    pub fn tsoffset(&self, secs: i64) -> (u16, Vec<u8>) {
        let v = if self.be {
            secs.to_be_bytes()
        } else {
            secs.to_le_bytes()
        };
        (IF_TSOFFSET, v.to_vec())
    }

    /// Appends an Interface Description Block.
    pub fn idb(self, linktype: u16, snaplen: u32, opts: &[(u16, Vec<u8>)]) -> Self {
        let mut body = Vec::new();
        put16(&mut body, linktype, self.be);
        put16(&mut body, 0, self.be);
        put32(&mut body, snaplen, self.be);
        body.extend_from_slice(&self.options(opts));
        self.block(1, &body)
    }

    /// Appends an Enhanced Packet Block.
    pub fn epb(self, if_id: u32, ticks: u64, data: &[u8], origlen: u32) -> Self {
        let mut body = Vec::new();
        put32(&mut body, if_id, self.be);
        put32(&mut body, (ticks >> 32) as u32, self.be);
        put32(&mut body, ticks as u32, self.be);
        put32(&mut body, data.len() as u32, self.be);
        put32(&mut body, origlen, self.be);
        body.extend_from_slice(data);
        self.block(6, &body)
    }

    /// Appends a Simple Packet Block.
    pub fn spb(self, data: &[u8], origlen: u32) -> Self {
        let mut body = Vec::new();
        put32(&mut body, origlen, self.be);
        body.extend_from_slice(data);
        self.block(3, &body)
    }

    /// Appends an obsolete Packet Block.
    pub fn pb(self, if_id: u16, ticks: u64, data: &[u8], origlen: u32) -> Self {
        let mut body = Vec::new();
        put16(&mut body, if_id, self.be);
        put16(&mut body, 0, self.be);
        put32(&mut body, (ticks >> 32) as u32, self.be);
        put32(&mut body, ticks as u32, self.be);
        put32(&mut body, data.len() as u32, self.be);
        put32(&mut body, origlen, self.be);
        body.extend_from_slice(data);
        self.block(2, &body)
    }
}
