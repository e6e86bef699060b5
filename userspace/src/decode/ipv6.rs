//! IPv6 fixed header and extension header views, and the extension-header walk.

use crate::decode::error::{need, DecodeError, Layer};
use crate::decode::packet::Fragment;

/// Most extension headers [`walk_extensions`] skips before giving up.
pub const MAX_EXT_HEADERS: usize = 8;

/// Next-header value of the hop-by-hop options header.
pub const EXT_HOP_BY_HOP: u8 = 0;
/// Next-header value of the routing header.
pub const EXT_ROUTING: u8 = 43;
/// Next-header value of the fragment header.
pub const EXT_FRAGMENT: u8 = 44;
/// Next-header value of the authentication header.
pub const EXT_AUTH: u8 = 51;
/// Next-header value of the destination options header.
pub const EXT_DEST_OPTS: u8 = 60;

/// True for the extension headers [`walk_extensions`] skips:
/// hop-by-hop (0), routing (43), fragment (44), AH (51), destination options (60).
pub fn is_extension(next_header: u8) -> bool {
    matches!(
        next_header,
        EXT_HOP_BY_HOP | EXT_ROUTING | EXT_FRAGMENT | EXT_AUTH | EXT_DEST_OPTS
    )
}

/// A validated view of the 40-byte IPv6 fixed header.
#[derive(Debug, Clone, Copy)]
pub struct Ipv6Header<'a>(&'a [u8]);

impl<'a> Ipv6Header<'a> {
    /// Length of the fixed header.
    pub const LEN: usize = 40;

    /// Validates the header at the start of `buf`, which begins `offset` bytes
    /// into the frame (`offset` is only used in error reports).
    pub fn new_checked(buf: &'a [u8], offset: usize) -> Result<Self, DecodeError> {
        need(Layer::Ipv6, buf, offset, Self::LEN)?;
        let version = buf[0] >> 4;
        if version != 6 {
            return Err(DecodeError::BadIpVersion {
                layer: Layer::Ipv6,
                offset,
                version,
            });
        }
        Ok(Self(&buf[..Self::LEN]))
    }

    /// Payload length field (everything after the fixed header).
    pub fn payload_len(&self) -> usize {
        usize::from(u16::from_be_bytes([self.0[4], self.0[5]]))
    }

    /// Next header (first extension header or transport protocol).
    pub fn next_header(&self) -> u8 {
        self.0[6]
    }

    /// Hop limit.
    pub fn hop_limit(&self) -> u8 {
        self.0[7]
    }

    /// Source address.
    pub fn src(&self) -> [u8; 16] {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.0[8..24]);
        a
    }

    /// Destination address.
    pub fn dst(&self) -> [u8; 16] {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.0[24..40]);
        a
    }
}

/// A validated view of one IPv6 extension header of a known kind.
#[derive(Debug, Clone, Copy)]
pub struct Ipv6ExtHeader<'a> {
    buf: &'a [u8],
    kind: u8,
}

impl<'a> Ipv6ExtHeader<'a> {
    /// Validates an extension header of type `kind` (the previous header's
    /// next-header value) at the start of `buf`, `offset` bytes into the frame.
    pub fn new_checked(buf: &'a [u8], offset: usize, kind: u8) -> Result<Self, DecodeError> {
        need(Layer::Ipv6Ext, buf, offset, 2)?;
        let len = match kind {
            EXT_FRAGMENT => 8,
            EXT_AUTH => (usize::from(buf[1]) + 2) * 4,
            _ => (usize::from(buf[1]) + 1) * 8,
        };
        need(Layer::Ipv6Ext, buf, offset, len)?;
        Ok(Self {
            buf: &buf[..len],
            kind,
        })
    }

    /// Type of the header that follows.
    pub fn next_header(&self) -> u8 {
        self.buf[0]
    }

    /// Length of this extension header in bytes.
    pub fn header_len(&self) -> usize {
        self.buf.len()
    }

    /// For a fragment header, its fragment offset in 8-byte units; `None` for
    /// other kinds.
    pub fn fragment_offset(&self) -> Option<u16> {
        (self.kind == EXT_FRAGMENT).then(|| u16::from_be_bytes([self.buf[2], self.buf[3]]) >> 3)
    }

    /// For a fragment header, its identification, offset and M flag; `None`
    /// for other kinds.
    pub fn fragment(&self) -> Option<Fragment> {
        let b = self.buf;
        (self.kind == EXT_FRAGMENT).then(|| Fragment {
            id: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
            offset: u16::from_be_bytes([b[2], b[3]]) >> 3,
            more: b[3] & 0x01 != 0,
        })
    }
}

/// Outcome of skipping the extension-header chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv6Chain {
    /// The first header type that is not a skipped extension (the transport protocol).
    pub proto: u8,
    /// Total bytes of the skipped extension headers.
    pub ext_len: usize,
    /// True if a fragment header with nonzero offset was found: no transport
    /// header follows.
    pub non_first_fragment: bool,
    /// The fragment header's fields, when one was found with a nonzero offset
    /// or the M flag set (atomic fragments are not fragments).
    pub frag: Option<Fragment>,
    /// True when an extension header is cut short (by the capture or by the
    /// payload length): the walk stopped there and `proto` is that header's type.
    pub cut: bool,
}

/// Skips extension headers starting with type `first` at the start of `buf`
/// (`offset` bytes into the frame). Stops at the first non-extension header,
/// after a non-first fragment header, or at a header cut short (see
/// [`Ipv6Chain::cut`]). Fails only when there are more than
/// [`MAX_EXT_HEADERS`].
pub fn walk_extensions(buf: &[u8], offset: usize, first: u8) -> Result<Ipv6Chain, DecodeError> {
    let mut chain = Ipv6Chain {
        proto: first,
        ext_len: 0,
        non_first_fragment: false,
        frag: None,
        cut: false,
    };
    let mut count = 0;
    while is_extension(chain.proto) {
        let at = offset + chain.ext_len;
        if count == MAX_EXT_HEADERS {
            return Err(DecodeError::TooManyIpv6ExtHeaders { offset: at });
        }
        let rest = buf.get(chain.ext_len..).unwrap_or(&[]);
        let Ok(ext) = Ipv6ExtHeader::new_checked(rest, at, chain.proto) else {
            chain.cut = true;
            break;
        };
        chain.proto = ext.next_header();
        chain.ext_len += ext.header_len();
        count += 1;
        if let Some(frag) = ext.fragment() {
            if frag.offset != 0 || frag.more {
                chain.frag = Some(frag);
            }
            if frag.offset != 0 {
                chain.non_first_fragment = true;
                break;
            }
        }
    }
    Ok(chain)
}
