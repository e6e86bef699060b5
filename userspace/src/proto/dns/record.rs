//! Questions and resource records, decoded into small owned summaries.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::error::DnsError;
use super::name::NameRef;
use super::wire::Cursor;

/// Record types decoded by name (RFC 1035 3.2.2, RFC 3596).
pub mod rtype {
    /// IPv4 address.
    pub const A: u16 = 1;
    /// Authoritative name server.
    pub const NS: u16 = 2;
    /// Canonical name.
    pub const CNAME: u16 = 5;
    /// Start of authority.
    pub const SOA: u16 = 6;
    /// Domain name pointer.
    pub const PTR: u16 = 12;
    /// Mail exchange.
    pub const MX: u16 = 15;
    /// Text strings.
    pub const TXT: u16 = 16;
    /// IPv6 address.
    pub const AAAA: u16 = 28;
}

/// The Internet class; mDNS sets the top bit (unicast-response / cache-flush).
const CLASS_IN: u16 = 1;

/// One question: name, type and class as on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsQuestion {
    /// QNAME as text (see [`NameRef::to_text`]).
    pub name: String,
    /// QTYPE number.
    pub qtype: u16,
    /// QCLASS number (mDNS's unicast-response bit included).
    pub qclass: u16,
}

impl DnsQuestion {
    /// Reads one question at the cursor.
    pub fn parse(cur: &mut Cursor<'_>) -> Result<Self, DnsError> {
        let name = NameRef::parse(cur)?.to_text();
        let qtype = cur.u16()?;
        let qclass = cur.u16()?;
        Ok(DnsQuestion {
            name,
            qtype,
            qclass,
        })
    }
}

/// Which section of the message a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Answer section.
    Answer,
    /// Authority section.
    Authority,
    /// Additional section.
    Additional,
}

/// Decoded RDATA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RData {
    /// Type A, class IN, 4 bytes.
    A(Ipv4Addr),
    /// Type AAAA, class IN, 16 bytes.
    Aaaa(Ipv6Addr),
    /// Type CNAME: the canonical name.
    Cname(String),
    /// Type NS: the server's name.
    Ns(String),
    /// Type PTR: the target name.
    Ptr(String),
    /// Type MX: the exchange's name (the preference is not kept, as in Joy).
    Mx(String),
    /// Type SOA: the primary server's name (MNAME), as Joy prints it.
    Soa(String),
    /// Type TXT: the character-strings concatenated, bytes outside
    /// printable ASCII as '*', at most the configured RDATA bytes.
    Txt(String),
    /// Any other type or class, or a record whose RDATA did not decode: the
    /// first RDATA bytes (at most the configured bound).
    Other(Vec<u8>),
}

/// One resource record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsAnswer {
    /// Section it appeared in.
    pub section: Section,
    /// Owner name.
    pub name: String,
    /// TYPE number.
    pub rtype: u16,
    /// CLASS number as on the wire (mDNS's cache-flush bit included).
    pub class: u16,
    /// TTL in seconds.
    pub ttl: u32,
    /// RDLENGTH.
    pub rdlength: u16,
    /// Decoded RDATA.
    pub rdata: RData,
}

impl DnsAnswer {
    /// Reads one record at the cursor, keeping at most `max_raw` raw RDATA
    /// bytes for types not decoded by name. The cursor ends after the RDATA.
    pub fn parse(cur: &mut Cursor<'_>, section: Section, max_raw: usize) -> Result<Self, DnsError> {
        let name = NameRef::parse(cur)?.to_text();
        let rtype = cur.u16()?;
        let class = cur.u16()?;
        let ttl = cur.u32()?;
        let rdlength = cur.u16()?;
        let start = cur.pos();
        let raw = cur.take(usize::from(rdlength))?;
        let end = cur.pos();
        let rdata = decode_rdata(cur.message(), start, raw, rtype, class, max_raw);
        cur.seek(end)?;
        Ok(DnsAnswer {
            section,
            name,
            rtype,
            class,
            ttl,
            rdlength,
            rdata,
        })
    }
}

/// Decodes RDATA at `start` (`raw` is its bytes); undecodable data is kept raw.
fn decode_rdata(
    msg: &[u8],
    start: usize,
    raw: &[u8],
    rtype: u16,
    class: u16,
    max_raw: usize,
) -> RData {
    let other = || RData::Other(raw.iter().take(max_raw).copied().collect());
    if class & 0x7fff != CLASS_IN {
        return other();
    }
    let name_at = |skip: usize| -> Option<String> {
        let mut c = Cursor::new(msg, start + skip);
        let n = NameRef::parse(&mut c).ok()?;
        // A name must start inside its RDATA (it may point outside it).
        (skip < raw.len()).then(|| n.to_text())
    };
    let decoded = match rtype {
        rtype::A => <[u8; 4]>::try_from(raw)
            .ok()
            .map(|b| RData::A(Ipv4Addr::from(b))),
        rtype::AAAA => <[u8; 16]>::try_from(raw)
            .ok()
            .map(|b| RData::Aaaa(Ipv6Addr::from(b))),
        rtype::CNAME => name_at(0).map(RData::Cname),
        rtype::NS => name_at(0).map(RData::Ns),
        rtype::PTR => name_at(0).map(RData::Ptr),
        rtype::SOA => name_at(0).map(RData::Soa),
        rtype::MX => name_at(2).map(RData::Mx),
        rtype::TXT => Some(RData::Txt(txt_text(raw, max_raw))),
        _ => None,
    };
    decoded.unwrap_or_else(other)
}

/// TXT character-strings concatenated (RFC 7208 3.3), bounded to `max` bytes.
fn txt_text(mut raw: &[u8], max: usize) -> String {
    let mut out = String::new();
    while let Some((&len, rest)) = raw.split_first() {
        let n = usize::from(len).min(rest.len());
        let (s, tail) = rest.split_at(n);
        for &b in s {
            if out.len() >= max {
                return out;
            }
            out.push(if (0x20..0x7f).contains(&b) {
                char::from(b)
            } else {
                '*'
            });
        }
        raw = tail;
    }
    out
}
