//! The IANA IPFIX information-element registry: what ipfixlolib offers as
//! `ipfix_id_lookup`, `ipfix_name_lookup` and `ipfix_id_rangecheck`.
//!
//! The table ([`ELEMENTS`]) and the id constants ([`ie`]) are generated at
//! build time by the crate's `build.rs` from IANA's registry file,
//! `registry/ipfix-information-elements.csv` (its provenance, date and how
//! to refresh it are in `registry/README.md`; the date is also
//! [`REGISTRY_DATE`]). Nothing here is copied by hand from the registry.
//!
//! ```
//! use sluice_ipfix::registry::{self, ie, DataType};
//!
//! let e = registry::by_id(ie::FLOW_START_MILLISECONDS).unwrap();
//! assert_eq!(e.name, "flowStartMilliseconds");
//! assert_eq!(e.data_type, DataType::DateTimeMilliseconds);
//! assert_eq!(registry::by_name("octetDeltaCount").unwrap().id, ie::OCTET_DELTA_COUNT);
//! assert!(e.data_type.length_ok(8));
//! ```

mod generated {
    use super::{DataType, InfoElement};
    include!(concat!(env!("OUT_DIR"), "/iana_registry.rs"));
}

pub use generated::ie;

#[cfg(test)]
#[path = "../codegen/csv.rs"]
mod csv;
#[cfg(test)]
mod tests;

/// An IPFIX abstract data type (RFC 7011 §6.1, RFC 6313 for the lists).
///
/// The discriminant is the type's code in IANA's "IPFIX Information Element
/// Data Types" registry (RFC 5610 §3.1), see [`DataType::iana_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum DataType {
    /// `octetArray`: any octets; variable length.
    OctetArray = 0,
    /// `unsigned8`.
    Unsigned8 = 1,
    /// `unsigned16`.
    Unsigned16 = 2,
    /// `unsigned32`.
    Unsigned32 = 3,
    /// `unsigned64`.
    Unsigned64 = 4,
    /// `signed8`.
    Signed8 = 5,
    /// `signed16`.
    Signed16 = 6,
    /// `signed32`.
    Signed32 = 7,
    /// `signed64`.
    Signed64 = 8,
    /// `float32`: IEEE 754 single precision.
    Float32 = 9,
    /// `float64`: IEEE 754 double precision.
    Float64 = 10,
    /// `boolean`: one octet, 1 true, 2 false.
    Boolean = 11,
    /// `macAddress`: six octets.
    MacAddress = 12,
    /// `string`: UTF-8; variable length.
    String = 13,
    /// `dateTimeSeconds`: seconds since the UNIX epoch, 32 bits.
    DateTimeSeconds = 14,
    /// `dateTimeMilliseconds`: milliseconds since the UNIX epoch, 64 bits.
    DateTimeMilliseconds = 15,
    /// `dateTimeMicroseconds`: NTP timestamp format, 64 bits.
    DateTimeMicroseconds = 16,
    /// `dateTimeNanoseconds`: NTP timestamp format, 64 bits.
    DateTimeNanoseconds = 17,
    /// `ipv4Address`: four octets.
    Ipv4Address = 18,
    /// `ipv6Address`: sixteen octets.
    Ipv6Address = 19,
    /// `basicList` (RFC 6313); variable length.
    BasicList = 20,
    /// `subTemplateList` (RFC 6313); variable length.
    SubTemplateList = 21,
    /// `subTemplateMultiList` (RFC 6313); variable length.
    SubTemplateMultiList = 22,
}

impl DataType {
    /// Every data type, in order of [`DataType::iana_code`].
    const ALL: [DataType; 23] = [
        DataType::OctetArray,
        DataType::Unsigned8,
        DataType::Unsigned16,
        DataType::Unsigned32,
        DataType::Unsigned64,
        DataType::Signed8,
        DataType::Signed16,
        DataType::Signed32,
        DataType::Signed64,
        DataType::Float32,
        DataType::Float64,
        DataType::Boolean,
        DataType::MacAddress,
        DataType::String,
        DataType::DateTimeSeconds,
        DataType::DateTimeMilliseconds,
        DataType::DateTimeMicroseconds,
        DataType::DateTimeNanoseconds,
        DataType::Ipv4Address,
        DataType::Ipv6Address,
        DataType::BasicList,
        DataType::SubTemplateList,
        DataType::SubTemplateMultiList,
    ];

    /// The data type of an IANA name, spelled as IANA does (case-sensitive):
    /// `"unsigned64"`, `"dateTimeMilliseconds"`, `"ipv4Address"`,
    /// `"basicList"`.
    pub fn from_name(name: &str) -> Option<DataType> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The IANA name of the type, e.g. `"unsigned64"`.
    pub fn name(self) -> &'static str {
        match self {
            DataType::OctetArray => "octetArray",
            DataType::Unsigned8 => "unsigned8",
            DataType::Unsigned16 => "unsigned16",
            DataType::Unsigned32 => "unsigned32",
            DataType::Unsigned64 => "unsigned64",
            DataType::Signed8 => "signed8",
            DataType::Signed16 => "signed16",
            DataType::Signed32 => "signed32",
            DataType::Signed64 => "signed64",
            DataType::Float32 => "float32",
            DataType::Float64 => "float64",
            DataType::Boolean => "boolean",
            DataType::MacAddress => "macAddress",
            DataType::String => "string",
            DataType::DateTimeSeconds => "dateTimeSeconds",
            DataType::DateTimeMilliseconds => "dateTimeMilliseconds",
            DataType::DateTimeMicroseconds => "dateTimeMicroseconds",
            DataType::DateTimeNanoseconds => "dateTimeNanoseconds",
            DataType::Ipv4Address => "ipv4Address",
            DataType::Ipv6Address => "ipv6Address",
            DataType::BasicList => "basicList",
            DataType::SubTemplateList => "subTemplateList",
            DataType::SubTemplateMultiList => "subTemplateMultiList",
        }
    }

    /// The encoded length in octets (RFC 7011 §6.1), or `None` for the
    /// variable-length types: `octetArray`, `string` and the three lists.
    pub fn natural_length(self) -> Option<u16> {
        match self {
            DataType::Unsigned8 | DataType::Signed8 | DataType::Boolean => Some(1),
            DataType::Unsigned16 | DataType::Signed16 => Some(2),
            DataType::Unsigned32
            | DataType::Signed32
            | DataType::Float32
            | DataType::DateTimeSeconds
            | DataType::Ipv4Address => Some(4),
            DataType::MacAddress => Some(6),
            DataType::Unsigned64
            | DataType::Signed64
            | DataType::Float64
            | DataType::DateTimeMilliseconds
            | DataType::DateTimeMicroseconds
            | DataType::DateTimeNanoseconds => Some(8),
            DataType::Ipv6Address => Some(16),
            DataType::OctetArray
            | DataType::String
            | DataType::BasicList
            | DataType::SubTemplateList
            | DataType::SubTemplateMultiList => None,
        }
    }

    /// Whether a template field of this type may have length `len`.
    ///
    /// RFC 7011 §6.2 (reduced-size encoding): `unsignedN` and `signedN` may be
    /// sent in any 1 to N/8 octets, `float64` in 4 or 8; every other fixed
    /// type only in its [`natural_length`](DataType::natural_length). The
    /// variable-length types take any length, including 65535, the
    /// "variable length" marker (RFC 7011 §7).
    pub fn length_ok(self, len: u16) -> bool {
        match self {
            DataType::Unsigned8
            | DataType::Unsigned16
            | DataType::Unsigned32
            | DataType::Unsigned64
            | DataType::Signed8
            | DataType::Signed16
            | DataType::Signed32
            | DataType::Signed64 => self
                .natural_length()
                .is_some_and(|n| (1..=n).contains(&len)),
            DataType::Float64 => len == 4 || len == 8,
            _ => self.natural_length().is_none_or(|n| len == n),
        }
    }

    /// The type's code in IANA's "IPFIX Information Element Data Types"
    /// registry, as carried by `informationElementDataType` (RFC 5610 §3.1):
    /// `octetArray` 0, `unsigned8` 1, ... `ipv6Address` 19, `basicList` 20,
    /// `subTemplateList` 21, `subTemplateMultiList` 22.
    pub fn iana_code(self) -> u8 {
        self as u8
    }
}

/// One IANA information element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InfoElement {
    /// Element id, 1..=32767 (no enterprise bit).
    pub id: u16,
    /// IANA name, e.g. `"octetDeltaCount"`.
    pub name: &'static str,
    /// Abstract data type.
    pub data_type: DataType,
    /// Data type semantics as IANA spells it (`"deltaCounter"`,
    /// `"identifier"`, `"flags"`, ...), or `""` when the registry gives none.
    pub semantics: &'static str,
    /// Units as IANA gives them (`"octets"`, `"milliseconds"`, ...), or `""`.
    pub units: &'static str,
    /// Status as IANA gives it: `"current"`, `"deprecated"` or `"obsolete"`.
    pub status: &'static str,
}

/// Every assigned element of the registry, sorted by id (ids are unique).
pub static ELEMENTS: &[InfoElement] = &generated::TABLE;

/// The registry's date (the latest `Date` of its rows), `YYYY-MM-DD`.
pub const REGISTRY_DATE: &str = generated::REGISTRY_DATE;

/// The element with IANA id `id` (ipfixlolib's `ipfix_id_lookup`), if
/// assigned.
pub fn by_id(id: u16) -> Option<&'static InfoElement> {
    let i = ELEMENTS.binary_search_by_key(&id, |e| e.id).ok()?;
    ELEMENTS.get(i)
}

/// The element named `name`, exactly as IANA spells it (case-sensitive;
/// ipfixlolib's `ipfix_name_lookup`).
pub fn by_name(name: &str) -> Option<&'static InfoElement> {
    let i = generated::BY_NAME
        .binary_search_by_key(&name, |&(n, _)| n)
        .ok()?;
    let &(_, index) = generated::BY_NAME.get(i)?;
    ELEMENTS.get(usize::from(index))
}

/// ipfixlolib's `ipfix_id_rangecheck`: true when `id` is a valid IANA element
/// id (1..=32767), i.e. usable without an enterprise number. Whether the id
/// is assigned is [`by_id`]'s question.
pub fn id_rangecheck(id: u16) -> bool {
    (1..=32767).contains(&id)
}
