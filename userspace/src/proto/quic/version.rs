//! QUIC versions whose Initial packets can be opened: the salt, HKDF labels
//! and long-header type bits of each (RFC 9001 section 5.2, RFC 9369
//! section 3), and nDPI-style display names.

use std::fmt;

/// QUIC version 1 (RFC 9000).
pub const V1: u32 = 0x0000_0001;
/// QUIC version 2 (RFC 9369).
pub const V2: u32 = 0x6b33_43cf;
/// draft-ietf-quic-transport-29, the most deployed draft.
pub const DRAFT_29: u32 = 0xff00_001d;
/// Facebook mvfst, draft-22 based.
pub const MVFST_22: u32 = 0xface_b001;
/// Facebook mvfst, draft-27 based.
pub const MVFST_27: u32 = 0xface_b002;
/// Facebook mvfst, experimental.
pub const MVFST_EXP: u32 = 0xface_b00e;
/// Google QUIC with TLS, T050.
pub const T050: u32 = 0x5430_3530;
/// Google QUIC with TLS, T051.
pub const T051: u32 = 0x5430_3531;

/// RFC 9001 section 5.2.
const SALT_V1: [u8; 20] = hex20(b"38762cf7f55934b34d179ae6a4c80cadccbb7f0a");
/// RFC 9369 section 3.3.1.
const SALT_V2: [u8; 20] = hex20(b"0dede3def700a6db819381be6e269dcbf9bd2ed9");
/// draft-ietf-quic-tls-29 to -32.
const SALT_DRAFT_29: [u8; 20] = hex20(b"afbfec289993d24c9e9786f19c6111e04390a899");
/// draft-ietf-quic-tls-23 to -28.
const SALT_DRAFT_23: [u8; 20] = hex20(b"c3eef712c72ebb5a11a7d2432bb46365bef9f502");
/// draft-ietf-quic-tls-22.
const SALT_DRAFT_22: [u8; 20] = hex20(b"7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a");
/// Google T050 (as in Wireshark's packet-quic.c).
const SALT_T050: [u8; 20] = hex20(b"7ff579e5acd072915580304c43a2367c60488310");
/// Google T051.
const SALT_T051: [u8; 20] = hex20(b"7a4edef4e7ccee5fa4506c19124fc8ccda6e033d");

/// Decodes 40 hex digits at compile time.
const fn hex20(s: &[u8; 40]) -> [u8; 20] {
    const fn nib(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => 0,
        }
    }
    let mut out = [0u8; 20];
    let mut i = 0;
    while i < 20 {
        out[i] = (nib(s[2 * i]) << 4) | nib(s[2 * i + 1]);
        i += 1;
    }
    out
}

/// The HKDF-Expand-Label labels for the packet protection key, IV and header
/// protection key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    /// "quic key" (v1 and drafts) or "quicv2 key".
    pub key: &'static [u8],
    /// "quic iv" or "quicv2 iv".
    pub iv: &'static [u8],
    /// "quic hp" or "quicv2 hp".
    pub hp: &'static [u8],
}

const LABELS_V1: Labels = Labels {
    key: b"quic key",
    iv: b"quic iv",
    hp: b"quic hp",
};
const LABELS_V2: Labels = Labels {
    key: b"quicv2 key",
    iv: b"quicv2 iv",
    hp: b"quicv2 hp",
};

/// Long header packet types, whatever their wire encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketType {
    /// Initial: carries the ClientHello.
    Initial,
    /// 0-RTT.
    ZeroRtt,
    /// Handshake.
    Handshake,
    /// Retry: no Length field, runs to the end of the datagram.
    Retry,
}

/// How a version numbers its frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameDialect {
    /// RFC 9000 frame types (CRYPTO is 0x06), also used by the drafts.
    Ietf,
    /// Google's T050/T051: gQUIC frame types (PADDING 0x00, PING 0x07,
    /// CRYPTO 0x08 with the IETF layout).
    Google,
}

/// What Initial protection needs to know about a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionParams {
    /// The version number.
    pub version: u32,
    /// HKDF-Extract salt of the Initial secret.
    pub salt: &'static [u8; 20],
    /// HKDF-Expand-Label labels.
    pub labels: Labels,
    /// Packet types in the order of their 2-bit wire codes 0..=3.
    pub types: [PacketType; 4],
    /// Frame type numbering.
    pub frames: FrameDialect,
}

impl VersionParams {
    /// The packet type of a long header's first byte.
    pub fn packet_type(&self, first: u8) -> PacketType {
        self.types[usize::from((first >> 4) & 3)]
    }
}

const TYPES_V1: [PacketType; 4] = [
    PacketType::Initial,
    PacketType::ZeroRtt,
    PacketType::Handshake,
    PacketType::Retry,
];
/// RFC 9369 section 3.2: Initial is 0b01, 0-RTT 0b10, Handshake 0b11, Retry 0b00.
const TYPES_V2: [PacketType; 4] = [
    PacketType::Retry,
    PacketType::Initial,
    PacketType::ZeroRtt,
    PacketType::Handshake,
];

/// True for the versions RFC 9000 section 15 reserves to exercise version
/// negotiation (0x?a?a?a?a).
pub fn is_grease(version: u32) -> bool {
    version & 0x0f0f_0f0f == 0x0a0a_0a0a
}

/// The Initial protection parameters of `version`, or `None` when it is not
/// a version we can open (gQUIC Q0xx, unknown versions, 0). Reserved
/// (greased) versions get v1's; see [`salt_candidates`] for the others
/// their clients use.
pub fn params(version: u32) -> Option<VersionParams> {
    let mut frames = FrameDialect::Ietf;
    let (salt, labels, types) = match version {
        V1 => (&SALT_V1, LABELS_V1, TYPES_V1),
        _ if is_grease(version) => (&SALT_V1, LABELS_V1, TYPES_V1),
        V2 => (&SALT_V2, LABELS_V2, TYPES_V2),
        // Drafts 33 and 34 already used the v1 salt.
        0xff00_0021 | 0xff00_0022 => (&SALT_V1, LABELS_V1, TYPES_V1),
        0xff00_001d..=0xff00_0020 => (&SALT_DRAFT_29, LABELS_V1, TYPES_V1),
        0xff00_0017..=0xff00_001c | MVFST_27 | MVFST_EXP => (&SALT_DRAFT_23, LABELS_V1, TYPES_V1),
        0xff00_0016 | MVFST_22 => (&SALT_DRAFT_22, LABELS_V1, TYPES_V1),
        T050 | T051 => {
            frames = FrameDialect::Google;
            let salt = if version == T050 {
                &SALT_T050
            } else {
                &SALT_T051
            };
            (salt, LABELS_V1, TYPES_V1)
        }
        _ => return None,
    };
    Some(VersionParams {
        version,
        salt,
        labels,
        types,
        frames,
    })
}

/// The parameters to try, in order, for a packet whose header gave `p`.
/// Only a reserved (greased) version has two: clients that force Version
/// Negotiation protect that first Initial with the salt of the version they
/// really speak, v1 (quiche) or draft-29 (the 2020 interop runner clients;
/// Wireshark 4.0 opens only these).
pub fn salt_candidates(p: &VersionParams) -> impl Iterator<Item = VersionParams> {
    let draft = VersionParams {
        salt: &SALT_DRAFT_29,
        ..*p
    };
    std::iter::once(*p).chain(is_grease(p.version).then_some(draft))
}

/// A version's display name, as nDPI prints it: `V-1`, `V-2`, `Draft-29`,
/// `MVFST-22`, `MVFST-27`, `MVFST-EXP`, `T051`, `Q046`, `Ver-Negotiation`
/// for 0; anything else as `0x` and eight hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionName(u32);

impl VersionName {
    /// True if the version has a name rather than a hex rendering.
    pub fn is_known(&self) -> bool {
        !matches!(self.kind(), Kind::Other)
    }

    fn kind(&self) -> Kind {
        let v = self.0;
        let [a, b, c, d] = v.to_be_bytes();
        match v {
            0 => Kind::Fixed("Ver-Negotiation"),
            V1 => Kind::Fixed("V-1"),
            V2 => Kind::Fixed("V-2"),
            MVFST_22 => Kind::Fixed("MVFST-22"),
            MVFST_27 => Kind::Fixed("MVFST-27"),
            MVFST_EXP => Kind::Fixed("MVFST-EXP"),
            _ if a == 0xff && b == 0 && c == 0 && d > 0 => Kind::Draft(d),
            _ if (a == b'Q' || a == b'T') && [b, c, d].iter().all(u8::is_ascii_digit) => {
                Kind::Google([a, b, c, d])
            }
            _ => Kind::Other,
        }
    }
}

enum Kind {
    Fixed(&'static str),
    Draft(u8),
    Google([u8; 4]),
    Other,
}

impl fmt::Display for VersionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind() {
            Kind::Fixed(s) => f.write_str(s),
            Kind::Draft(n) => write!(f, "Draft-{n}"),
            Kind::Google(g) => g.iter().try_for_each(|&c| write!(f, "{}", char::from(c))),
            Kind::Other => write!(f, "{:#010x}", self.0),
        }
    }
}

/// The display name of a QUIC version (see [`VersionName`]); it formats
/// with `{}` without allocating.
pub fn version_name(v: u32) -> VersionName {
    VersionName(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_decode() {
        assert_eq!(SALT_V1[0], 0x38);
        assert_eq!(SALT_V1[19], 0x0a);
        assert_eq!(SALT_T050[10], 0x30);
        assert_eq!(SALT_T050[19], 0x10);
        assert_eq!(SALT_V2[19], 0xd9);
    }

    #[test]
    fn names() {
        let n = |v| version_name(v).to_string();
        assert_eq!(n(V1), "V-1");
        assert_eq!(n(V2), "V-2");
        assert_eq!(n(DRAFT_29), "Draft-29");
        assert_eq!(n(MVFST_EXP), "MVFST-EXP");
        assert_eq!(n(T051), "T051");
        assert_eq!(n(0x5130_3436), "Q046");
        assert_eq!(n(0), "Ver-Negotiation");
        assert_eq!(n(0x1a2a_3a4a), "0x1a2a3a4a");
        assert!(!version_name(0x1a2a_3a4a).is_known());
    }

    #[test]
    fn v2_types() {
        let p = params(V2).map(|p| p.packet_type(0xd3));
        assert_eq!(p, Some(PacketType::Initial));
        let p = params(V1).map(|p| p.packet_type(0xc3));
        assert_eq!(p, Some(PacketType::Initial));
    }
}
