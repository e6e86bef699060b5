//! Long header packets (RFC 9000 section 17.2) and the packets coalesced in
//! one UDP datagram (section 12.2), as zero-copy views.

use super::cursor::Cursor;
use super::error::QuicError;
use super::version::{params, PacketType, VersionParams};

/// Connection IDs of the versions we know are at most 20 bytes.
pub const MAX_CID_LEN: usize = 20;

/// The header-protection-free fields of a long header packet, borrowed from
/// the datagram. The packet number (and the low bits of `first`) are still
/// protected: see [`super::protect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongHeader<'a> {
    /// The first byte as it is on the wire (low four bits protected).
    pub first: u8,
    /// The version, with its Initial protection parameters.
    pub params: VersionParams,
    /// The packet type, decoded per version.
    pub packet_type: PacketType,
    /// Destination connection ID.
    pub dcid: &'a [u8],
    /// Source connection ID.
    pub scid: &'a [u8],
    /// Initial packets' token (empty for other types).
    pub token: &'a [u8],
    /// Offset of the (protected) packet number from the packet's start.
    pub pn_offset: usize,
    /// The whole packet: header, packet number and protected payload. For a
    /// Retry it runs to the end of the datagram.
    pub packet: &'a [u8],
}

impl LongHeader<'_> {
    /// The QUIC version.
    pub fn version(&self) -> u32 {
        self.params.version
    }
}

/// Reads the long header at the start of `buf`; the packet's Length decides
/// where the next coalesced packet starts.
pub fn parse(buf: &[u8]) -> Result<LongHeader<'_>, QuicError> {
    let mut c = Cursor::new(buf);
    let first = c.u8()?;
    if first & 0x80 == 0 {
        return Err(QuicError::NotLongHeader);
    }
    let version = c.u32()?;
    if version == 0 {
        return Err(QuicError::VersionNegotiation);
    }
    let params = params(version).ok_or(QuicError::UnknownVersion(version))?;
    // RFC 9000 17.2: the fixed bit is 1 in every known version.
    if first & 0x40 == 0 {
        return Err(QuicError::NotLongHeader);
    }
    let dcid = cid(&mut c)?;
    let scid = cid(&mut c)?;
    let packet_type = params.packet_type(first);
    let token = match packet_type {
        PacketType::Retry => {
            return Ok(LongHeader {
                first,
                params,
                packet_type,
                dcid,
                scid,
                token: &[],
                pn_offset: c.pos(),
                packet: buf,
            })
        }
        PacketType::Initial => {
            let n = c.varint()?;
            c.bytes_u64(n)?
        }
        PacketType::ZeroRtt | PacketType::Handshake => &[],
    };
    let length = c.varint()?;
    let pn_offset = c.pos();
    c.bytes_u64(length)?;
    Ok(LongHeader {
        first,
        params,
        packet_type,
        dcid,
        scid,
        token,
        pn_offset,
        packet: buf.get(..c.pos()).ok_or(QuicError::Truncated)?,
    })
}

fn cid<'a>(c: &mut Cursor<'a>) -> Result<&'a [u8], QuicError> {
    let n = c.u8()?;
    if usize::from(n) > MAX_CID_LEN {
        return Err(QuicError::BadConnectionIdLength(n));
    }
    c.bytes(usize::from(n))
}

/// The long header packets of a datagram, in order. Stops after the first
/// error (yielded once), at a short header packet (which runs to the end of
/// the datagram), after a Retry, and at trailing zero padding.
#[derive(Debug, Clone)]
pub struct Packets<'a> {
    rest: &'a [u8],
}

/// Iterates over the packets coalesced in `datagram`.
pub fn packets(datagram: &[u8]) -> Packets<'_> {
    Packets { rest: datagram }
}

impl<'a> Iterator for Packets<'a> {
    type Item = Result<LongHeader<'a>, QuicError>;

    fn next(&mut self) -> Option<Self::Item> {
        // Some stacks pad datagrams with zeros after the last packet.
        let &first = self.rest.first()?;
        if first & 0x80 == 0 {
            self.rest = &[];
            return None;
        }
        match parse(self.rest) {
            Ok(h) => {
                self.rest = self.rest.get(h.packet.len()..).unwrap_or(&[]);
                Some(Ok(h))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Header-only check that `datagram` starts with a client or server Initial
/// packet of a version we can open; returns that version. No cryptography,
/// no allocation: the classifier may call it on every first UDP datagram.
pub fn looks_like_initial(datagram: &[u8]) -> Option<u32> {
    let h = parse(datagram).ok()?;
    let room = h.packet.len().saturating_sub(h.pn_offset);
    (h.packet_type == PacketType::Initial && room >= 4 + 16).then(|| h.version())
}
