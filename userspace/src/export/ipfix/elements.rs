//! The information elements Sluice exports, and why each number.
//!
//! - IANA elements come from the generated registry (`sluice_ipfix::registry::ie`).
//! - Reverse directions are RFC 5103's: IANA elements under PEN 29305,
//!   enterprise elements with bit 0x4000 of the id ([`Field::reverse`]).
//! - Feature elements are Cisco's Encrypted Traffic Analytics numbers
//!   (PEN 9, as used by Joy's newer headers). Cisco publishes them as
//!   16-bit field types (44940 ...); in IPFIX they are enterprise elements
//!   whose on-wire id, enterprise bit included, is that number (element
//!   `number - 32768` under PEN 9).
//! - TLS SNI and JA4 use CESNET's elements (PEN 8057, as ipfixprobe), JA3
//!   Flowmon's (PEN 39499, id 357), so their collectors read them as is.
//! - The Community ID has no registered element: RFC 5612's example
//!   enterprise (32473), id 1, described by an RFC 5610 type record.
//!
//! See docs/ipfix.md for the table.

use sluice_ipfix::registry::{ie, DataType};
use sluice_ipfix::{ElementInfo, Field, VARLEN};

pub use sluice_ipfix::pen::{CESNET as PEN_CESNET, CISCO as PEN_CISCO, FLOWMON as PEN_FLOWMON};

/// flowId: links a flow's records of several templates.
pub const FLOW_ID: Field = Field::iana(ie::FLOW_ID, 8);
/// sourceIPv4Address.
pub const SRC_V4: Field = Field::iana(ie::SOURCE_IPV4_ADDRESS, 4);
/// destinationIPv4Address.
pub const DST_V4: Field = Field::iana(ie::DESTINATION_IPV4_ADDRESS, 4);
/// sourceIPv6Address.
pub const SRC_V6: Field = Field::iana(ie::SOURCE_IPV6_ADDRESS, 16);
/// destinationIPv6Address.
pub const DST_V6: Field = Field::iana(ie::DESTINATION_IPV6_ADDRESS, 16);
/// sourceTransportPort.
pub const SRC_PORT: Field = Field::iana(ie::SOURCE_TRANSPORT_PORT, 2);
/// destinationTransportPort.
pub const DST_PORT: Field = Field::iana(ie::DESTINATION_TRANSPORT_PORT, 2);
/// protocolIdentifier.
pub const PROTO: Field = Field::iana(ie::PROTOCOL_IDENTIFIER, 1);
/// vlanId.
pub const VLAN: Field = Field::iana(ie::VLAN_ID, 2);
/// flowStartMilliseconds.
pub const START_MS: Field = Field::iana(ie::FLOW_START_MILLISECONDS, 8);
/// flowEndMilliseconds.
pub const END_MS: Field = Field::iana(ie::FLOW_END_MILLISECONDS, 8);
/// flowEndReason.
pub const END_REASON: Field = Field::iana(ie::FLOW_END_REASON, 1);
/// applicationId (RFC 6759): classification engine 20 (PANA-L7-PEN), ntop's PEN
/// (nDPI's numbering), and the nDPI protocol number: 7 octets.
pub const APP_ID: Field = Field::iana(ie::APPLICATION_ID, 7);
/// applicationName: the nDPI protocol name (`TLS`, `Unknown`, ...).
pub const APP_NAME: Field = Field::iana(ie::APPLICATION_NAME, VARLEN);
/// RFC 6759 classification engine id 20: PANA-L7-PEN (a vendor's own selector ids).
pub const ENGINE_PANA_L7_PEN: u8 = 20;
/// ntop's private enterprise number, under which nDPI's protocol numbers are defined.
pub use sluice_ipfix::pen::NTOP as PEN_NTOP;
/// octetDeltaCount: IP octets (RFC 7012), initiator to responder.
pub const OCTETS: Field = Field::iana(ie::OCTET_DELTA_COUNT, 8);
/// packetDeltaCount.
pub const PACKETS: Field = Field::iana(ie::PACKET_DELTA_COUNT, 8);
/// tcpControlBits: the OR of the TCP flags of one direction (one byte:
/// unsigned8 in the vendored registry, a valid reduced-size encoding of
/// RFC 7125's unsigned16).
pub const TCP_FLAGS: Field = Field::iana(ie::TCP_CONTROL_BITS, 1);
/// The flow's Community ID (`1:...`, empty when the run leaves it out).
/// No enterprise has registered one: RFC 5612's example enterprise, named
/// by its RFC 5610 type record.
pub const COMMUNITY_ID: Field = Field::enterprise(sluice_ipfix::pen::EXAMPLE, 1, VARLEN);
/// basicList (RFC 6313), variable length: carries the sequences.
// The feature elements are defined beside the features that fill them.
pub use crate::features::byte_dist::BYTE_DIST;
pub use crate::features::idp::IDP;
pub use crate::features::splt::{SPL, SPT};
pub use crate::proto::tls::ipfix::{
    TLS_CIPHERS, TLS_EXT_LENGTHS, TLS_EXT_TYPES, TLS_JA3, TLS_JA4, TLS_KEY_LEN, TLS_RANDOM,
    TLS_SESSION_ID, TLS_SNI, TLS_VERSION,
};
pub use sluice_ipfix::BASIC_LIST;

/// Template id of the element type records (RFC 5610) describing the
/// enterprise elements above.
pub const ELEMENT_TYPES_TEMPLATE: u16 = 511;

/// RFC 5610 descriptions of every enterprise element Sluice exports
/// (reverse counterparts included), so collectors such as
/// `ipfixDump --rfc5610` decode them by name and type.
pub fn element_infos() -> Vec<ElementInfo> {
    use sluice_ipfix::element_types::{semantics as s, units as u};
    use DataType::*;
    let one = |f: Field, ty: DataType, sem: u8, unit: u16, name: &str, what: &str| ElementInfo {
        pen: f.pen,
        id: f.id,
        data_type: ty,
        semantics: sem,
        units: unit,
        name: name.to_string(),
        description: what.to_string(),
    };
    let both = |f: Field, ty: DataType, sem: u8, unit: u16, name: &str, what: &str| {
        let mut rev = name.to_string();
        if let Some(c) = rev.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        [
            one(f, ty, sem, unit, name, what),
            one(
                f.reverse(),
                ty,
                sem,
                unit,
                &format!("reverse{rev}"),
                &format!("{what} (reverse direction)"),
            ),
        ]
    };
    let mut v = Vec::new();
    v.extend(both(
        IDP,
        OctetArray,
        s::DEFAULT,
        u::NONE,
        "initialDataPacket",
        "IP packet of the first payload (Joy idp)",
    ));
    v.push(one(
        BYTE_DIST,
        Unsigned32,
        s::TOTAL_COUNTER,
        u::OCTETS,
        "byteDistribution",
        "count of each byte value 0..255 in the payload",
    ));
    v.extend(both(
        TLS_CIPHERS,
        Unsigned16,
        s::IDENTIFIER,
        u::NONE,
        "tlsCipherSuites",
        "TLS cipher suites offered (reverse: selected)",
    ));
    v.extend(both(
        TLS_VERSION,
        Unsigned16,
        s::IDENTIFIER,
        u::NONE,
        "tlsVersion",
        "TLS hello version",
    ));
    v.push(one(
        TLS_KEY_LEN,
        Unsigned16,
        s::QUANTITY,
        u::BITS,
        "tlsKeyLength",
        "TLS client key exchange length",
    ));
    v.extend(both(
        TLS_SESSION_ID,
        OctetArray,
        s::DEFAULT,
        u::NONE,
        "tlsSessionId",
        "TLS hello session id",
    ));
    v.extend(both(
        TLS_RANDOM,
        OctetArray,
        s::DEFAULT,
        u::NONE,
        "tlsRandom",
        "TLS hello random",
    ));
    v.extend(both(
        SPL,
        Unsigned16,
        s::QUANTITY,
        u::OCTETS,
        "sequenceOfPacketLengths",
        "payload length of each packet (Joy splt b)",
    ));
    v.extend(both(
        SPT,
        Unsigned32,
        s::QUANTITY,
        u::MILLISECONDS,
        "sequenceOfPacketTimes",
        "milliseconds since the flow's previous packet (Joy splt ipt)",
    ));
    v.extend(both(
        TLS_EXT_LENGTHS,
        Unsigned16,
        s::QUANTITY,
        u::OCTETS,
        "tlsExtensionLengths",
        "TLS hello extension lengths",
    ));
    v.extend(both(
        TLS_EXT_TYPES,
        Unsigned16,
        s::IDENTIFIER,
        u::NONE,
        "tlsExtensionTypes",
        "TLS hello extension types",
    ));
    v.push(one(
        COMMUNITY_ID,
        String,
        s::DEFAULT,
        u::NONE,
        "communityId",
        "Community ID (version 1) of the flow",
    ));
    v.push(one(
        TLS_SNI,
        String,
        s::DEFAULT,
        u::NONE,
        "tlsSni",
        "TLS server name indication",
    ));
    v.push(one(
        TLS_JA4,
        String,
        s::DEFAULT,
        u::NONE,
        "tlsJa4",
        "JA4 fingerprint of the ClientHello",
    ));
    v.push(one(
        TLS_JA3,
        String,
        s::DEFAULT,
        u::NONE,
        "tlsJa3",
        "JA3 fingerprint (md5, hex) of the ClientHello",
    ));
    v
}
