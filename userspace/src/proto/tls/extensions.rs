//! The raw extension block of a hello: a walk over (type, data) pairs, and
//! the IANA names Joy prints for the types it knows.

/// Extension type numbers used by this module.
pub mod ext {
    /// server_name.
    pub const SERVER_NAME: u16 = 0;
    /// supported_groups (elliptic_curves).
    pub const SUPPORTED_GROUPS: u16 = 10;
    /// ec_point_formats.
    pub const EC_POINT_FORMATS: u16 = 11;
    /// signature_algorithms.
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    /// application_layer_protocol_negotiation.
    pub const ALPN: u16 = 16;
    /// supported_versions.
    pub const SUPPORTED_VERSIONS: u16 = 43;
    /// key_share.
    pub const KEY_SHARE: u16 = 51;
}

/// Why an extension block could not be walked to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtError {
    /// An extension header or body runs past the end of the block.
    Truncated {
        /// Byte offset of the broken extension within the block.
        at: usize,
    },
}

/// One extension: its type and a view of its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawExt<'a> {
    /// Extension type.
    pub typ: u16,
    /// Extension data (without the 4-byte type/length header).
    pub data: &'a [u8],
    /// Offset of `data` within the block.
    pub offset: usize,
}

/// Walks an extension block (the bytes after the 2-byte block length).
/// Yields every well-formed extension, then one `Err` if the block is cut
/// short; never panics.
pub fn walk(block: &[u8]) -> impl Iterator<Item = Result<RawExt<'_>, ExtError>> {
    let mut pos = 0usize;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || pos >= block.len() {
            return None;
        }
        let at = pos;
        let item = (|| {
            let hdr = block.get(pos..pos.checked_add(4)?)?;
            let typ = u16::from_be_bytes([*hdr.first()?, *hdr.get(1)?]);
            let len = usize::from(u16::from_be_bytes([*hdr.get(2)?, *hdr.get(3)?]));
            let start = pos + 4;
            let data = block.get(start..start.checked_add(len)?)?;
            Some((typ, data, start))
        })();
        match item {
            Some((typ, data, offset)) => {
                pos = offset + data.len();
                Some(Ok(RawExt { typ, data, offset }))
            }
            None => {
                failed = true;
                Some(Err(ExtError::Truncated { at }))
            }
        }
    })
}

/// The name Joy's `tls_extension_lookup` gives a type (IANA names with
/// whitespace removed), or `None` where Joy prints `{"kind":N,"data":..}`.
pub fn joy_name(typ: u16) -> Option<&'static str> {
    Some(match typ {
        0 => "server_name",
        1 => "max_fragment_length",
        2 => "client_certificate_url",
        3 => "trusted_ca_keys",
        4 => "truncated_hmac",
        5 => "status_request",
        6 => "user_mapping",
        7 => "client_authz",
        8 => "server_authz",
        9 => "cert_type",
        10 => "supported_groups",
        11 => "ec_point_formats",
        12 => "srp",
        13 => "signature_algorithms",
        14 => "use_srtp",
        15 => "heartbeat",
        16 => "application_layer_protocol_negotiation",
        17 => "status_request_v2",
        18 => "signed_certificate_timestamp",
        19 => "client_certificate_type",
        20 => "server_certificate_type",
        21 => "padding",
        22 => "encrypt_then_mac",
        23 => "extended_master_secret",
        24 => "token_binding",
        25 => "cached_info",
        35 => "session_ticket",
        65281 => "renegotiation_info",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_and_stops_at_truncation() {
        // server_name (len 3) then extended_master_secret (len 0), then a cut header.
        let block = [0, 0, 0, 3, 1, 2, 3, 0, 23, 0, 0, 0xff];
        let got: Vec<_> = walk(&block).collect();
        assert_eq!(
            got,
            vec![
                Ok(RawExt {
                    typ: 0,
                    data: &[1, 2, 3],
                    offset: 4
                }),
                Ok(RawExt {
                    typ: 23,
                    data: &[],
                    offset: 11
                }),
                Err(ExtError::Truncated { at: 11 }),
            ]
        );
        // Body longer than the block.
        let got: Vec<_> = walk(&[0, 16, 0, 9, 1]).collect();
        assert_eq!(got, vec![Err(ExtError::Truncated { at: 0 })]);
        assert_eq!(walk(&[]).count(), 0);
    }

    #[test]
    fn joy_names() {
        assert_eq!(joy_name(0), Some("server_name"));
        assert_eq!(joy_name(16), Some("application_layer_protocol_negotiation"));
        assert_eq!(joy_name(65281), Some("renegotiation_info"));
        assert_eq!(joy_name(26), None);
        assert_eq!(joy_name(43), None);
    }
}
