//! Typed decode errors: which layer failed, where in the frame, and why.

use std::fmt;

use crate::decode::link::LinkType;

/// The protocol layer a decode error refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// Ethernet II header.
    Ethernet,
    /// An 802.1Q / 802.1ad VLAN tag.
    Vlan,
    /// IPv4 header (including options).
    Ipv4,
    /// IPv6 fixed header.
    Ipv6,
    /// An IPv6 extension header.
    Ipv6Ext,
    /// TCP header (including options).
    Tcp,
    /// UDP header.
    Udp,
    /// ICMP or ICMPv6 header.
    Icmp,
    /// An MPLS label stack entry.
    Mpls,
    /// A PPPoE session header.
    Pppoe,
    /// A PPP header (protocol field).
    Ppp,
    /// SCTP common header.
    Sctp,
    /// The link-layer header of a capture link type (SLL, PPI, radiotap, ...).
    Link(LinkType),
}

impl Layer {
    /// Short lowercase name of the layer, e.g. `"ipv4"`.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Ethernet => "ethernet",
            Layer::Vlan => "vlan",
            Layer::Ipv4 => "ipv4",
            Layer::Ipv6 => "ipv6",
            Layer::Ipv6Ext => "ipv6-ext",
            Layer::Tcp => "tcp",
            Layer::Udp => "udp",
            Layer::Icmp => "icmp",
            Layer::Mpls => "mpls",
            Layer::Pppoe => "pppoe",
            Layer::Ppp => "ppp",
            Layer::Sctp => "sctp",
            Layer::Link(link) => link.name(),
        }
    }
}

/// Why a frame could not be decoded. Every offset is a byte offset in the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// A header needs more bytes than are available. For layers inside an IP
    /// packet, `available` counts only bytes that are both captured and within
    /// the length the IP header claims.
    Truncated {
        /// Layer whose header is cut short.
        layer: Layer,
        /// Offset where that header starts.
        offset: usize,
        /// Bytes the header needs.
        needed: usize,
        /// Bytes available from `offset`.
        available: usize,
    },
    /// The frame carries something other than IPv4/IPv6: e.g. ARP (EtherType
    /// 0x0806), a PPP control protocol, an 802.11 management frame.
    NotIp {
        /// Layer whose protocol field named the non-IP protocol: `Ethernet`
        /// for an EtherType (also after VLAN tags, SLL, Cisco HDLC), `Ppp`,
        /// `Mpls` (first payload nibble), or `Link(..)` for a link type's own
        /// protocol field.
        layer: Layer,
        /// The protocol value found (EtherType, PPP protocol, address family,
        /// 802.11 frame control, ...).
        protocol: u32,
    },
    /// More than [`crate::decode::vlan::MAX_VLAN_TAGS`] VLAN tags are stacked.
    TooManyVlanTags {
        /// Offset of the first tag beyond the limit.
        offset: usize,
    },
    /// More than [`crate::decode::l2::MAX_MPLS_LABELS`] MPLS labels are stacked.
    TooManyMplsLabels {
        /// Offset of the first label beyond the limit.
        offset: usize,
    },
    /// The IP version nibble does not match the EtherType (or, for raw IP
    /// link types, is neither 4 nor 6).
    BadIpVersion {
        /// Layer the EtherType announced (`Ipv4` or `Ipv6`), or `Link(..)`
        /// for a raw IP link type.
        layer: Layer,
        /// Offset of the IP header.
        offset: usize,
        /// Version nibble found.
        version: u8,
    },
    /// IPv4 IHL below 5 (header shorter than 20 bytes).
    BadIpv4Ihl {
        /// Offset of the IPv4 header.
        offset: usize,
        /// IHL found (in 32-bit words).
        ihl: u8,
    },
    /// The IPv4 total length is smaller than the IPv4 header. (IPv6 lengths
    /// cannot be: extension headers running past the IPv6 payload length are
    /// reported as `Truncated` with layer `Ipv6Ext`.)
    BadIpTotalLength {
        /// Always `Ipv4` for now.
        layer: Layer,
        /// Offset of the IP header.
        offset: usize,
        /// Total length claimed by the header.
        total_len: usize,
        /// Length of the IP header.
        header_len: usize,
    },
    /// More than [`crate::decode::ipv6::MAX_EXT_HEADERS`] IPv6 extension headers.
    TooManyIpv6ExtHeaders {
        /// Offset of the first extension header beyond the limit.
        offset: usize,
    },
    /// TCP data offset below 5 (header shorter than 20 bytes). Only
    /// [`crate::decode::TcpHeader::new_checked`] reports it: the frame decoder
    /// keeps the ports of such segments.
    BadTcpDataOffset {
        /// Offset of the TCP header.
        offset: usize,
        /// Data offset found (in 32-bit words).
        data_offset: u8,
    },
    /// A link-layer header's own length or version field is invalid (PPI or
    /// radiotap length below its fixed header, a zero-length NFLOG attribute).
    BadLinkHeader {
        /// The link type whose header is malformed.
        link: LinkType,
        /// Offset of the malformed field's header.
        offset: usize,
    },
}

/// Payload-free classification of a [`DecodeError`], usable as an array index
/// for per-reason counters: `counts[err.reason().index()] += 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(usize)]
pub enum DecodeReason {
    /// [`DecodeError::Truncated`].
    Truncated,
    /// [`DecodeError::NotIp`].
    NotIp,
    /// [`DecodeError::TooManyVlanTags`].
    TooManyVlanTags,
    /// [`DecodeError::BadIpVersion`].
    BadIpVersion,
    /// [`DecodeError::BadIpv4Ihl`].
    BadIpv4Ihl,
    /// [`DecodeError::BadIpTotalLength`].
    BadIpTotalLength,
    /// [`DecodeError::TooManyIpv6ExtHeaders`].
    TooManyIpv6ExtHeaders,
    /// [`DecodeError::BadTcpDataOffset`].
    BadTcpDataOffset,
    /// [`DecodeError::TooManyMplsLabels`].
    TooManyMplsLabels,
    /// [`DecodeError::BadLinkHeader`].
    BadLinkHeader,
}

impl DecodeReason {
    /// Number of reasons; the length of a per-reason counter array.
    pub const COUNT: usize = 10;

    /// Every reason, in index order.
    pub const ALL: [DecodeReason; DecodeReason::COUNT] = [
        DecodeReason::Truncated,
        DecodeReason::NotIp,
        DecodeReason::TooManyVlanTags,
        DecodeReason::BadIpVersion,
        DecodeReason::BadIpv4Ihl,
        DecodeReason::BadIpTotalLength,
        DecodeReason::TooManyIpv6ExtHeaders,
        DecodeReason::BadTcpDataOffset,
        DecodeReason::TooManyMplsLabels,
        DecodeReason::BadLinkHeader,
    ];

    /// Index of this reason in `0..COUNT`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Stable snake_case name, suitable as a metric label.
    pub fn name(self) -> &'static str {
        match self {
            DecodeReason::Truncated => "truncated",
            DecodeReason::NotIp => "not_ip",
            DecodeReason::TooManyVlanTags => "too_many_vlan_tags",
            DecodeReason::TooManyMplsLabels => "too_many_mpls_labels",
            DecodeReason::BadIpVersion => "bad_ip_version",
            DecodeReason::BadIpv4Ihl => "bad_ipv4_ihl",
            DecodeReason::BadIpTotalLength => "bad_ip_total_length",
            DecodeReason::TooManyIpv6ExtHeaders => "too_many_ipv6_ext_headers",
            DecodeReason::BadTcpDataOffset => "bad_tcp_data_offset",
            DecodeReason::BadLinkHeader => "bad_link_header",
        }
    }
}

impl DecodeError {
    /// The payload-free reason of this error.
    pub fn reason(&self) -> DecodeReason {
        match self {
            DecodeError::Truncated { .. } => DecodeReason::Truncated,
            DecodeError::NotIp { .. } => DecodeReason::NotIp,
            DecodeError::TooManyVlanTags { .. } => DecodeReason::TooManyVlanTags,
            DecodeError::TooManyMplsLabels { .. } => DecodeReason::TooManyMplsLabels,
            DecodeError::BadIpVersion { .. } => DecodeReason::BadIpVersion,
            DecodeError::BadIpv4Ihl { .. } => DecodeReason::BadIpv4Ihl,
            DecodeError::BadIpTotalLength { .. } => DecodeReason::BadIpTotalLength,
            DecodeError::TooManyIpv6ExtHeaders { .. } => DecodeReason::TooManyIpv6ExtHeaders,
            DecodeError::BadTcpDataOffset { .. } => DecodeReason::BadTcpDataOffset,
            DecodeError::BadLinkHeader { .. } => DecodeReason::BadLinkHeader,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DecodeError::Truncated {
                layer,
                offset,
                needed,
                available,
            } => write!(
                f,
                "{} header at offset {offset} truncated: needs {needed} bytes, {available} available",
                layer.name()
            ),
            DecodeError::NotIp { layer, protocol } => {
                write!(f, "not an IP frame: {} protocol 0x{protocol:04x}", layer.name())
            }
            DecodeError::TooManyMplsLabels { offset } => {
                write!(f, "too many stacked MPLS labels at offset {offset}")
            }
            DecodeError::TooManyVlanTags { offset } => {
                write!(f, "too many stacked VLAN tags at offset {offset}")
            }
            DecodeError::BadIpVersion {
                layer,
                offset,
                version,
            } => write!(
                f,
                "{} header at offset {offset} has IP version {version}",
                layer.name()
            ),
            DecodeError::BadIpv4Ihl { offset, ihl } => {
                write!(f, "ipv4 header at offset {offset} has invalid IHL {ihl}")
            }
            DecodeError::BadIpTotalLength {
                layer,
                offset,
                total_len,
                header_len,
            } => write!(
                f,
                "{} header at offset {offset}: total length {total_len} < header length {header_len}",
                layer.name()
            ),
            DecodeError::TooManyIpv6ExtHeaders { offset } => {
                write!(f, "too many ipv6 extension headers at offset {offset}")
            }
            DecodeError::BadTcpDataOffset {
                offset,
                data_offset,
            } => write!(
                f,
                "tcp header at offset {offset} has invalid data offset {data_offset}"
            ),
            DecodeError::BadLinkHeader { link, offset } => {
                write!(f, "{} header at offset {offset} is malformed", link.name())
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Returns `Truncated` unless `buf` holds at least `needed` bytes.
pub(crate) fn need(
    layer: Layer,
    buf: &[u8],
    offset: usize,
    needed: usize,
) -> Result<(), DecodeError> {
    if buf.len() < needed {
        Err(DecodeError::Truncated {
            layer,
            offset,
            needed,
            available: buf.len(),
        })
    } else {
        Ok(())
    }
}
