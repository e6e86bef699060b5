//! ClientHello and ServerHello summaries. tls-parser reads the hello and
//! each extension body; the summary keeps one owned copy of the message body
//! and [`Span`]s into it, so accessors return views.

use tls_parser::{
    parse_tls_client_hello_extension, parse_tls_handshake_client_hello,
    parse_tls_handshake_server_hello, parse_tls_server_hello_extension, SNIType, TlsExtension,
};

use super::extensions::{ext, walk};
use super::span::Span;

/// Why a hello message could not be summarized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelloError {
    /// tls-parser rejected the fixed part of the hello.
    Malformed,
    /// The message is longer than a summary can index (over 4 GiB; cannot
    /// happen with the 64 KiB handshake bound).
    TooLong,
}

/// One key_share entry: the group and the length of its key exchange data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyShare {
    /// NamedGroup.
    pub group: u16,
    /// Length of key_exchange in bytes.
    pub len: u16,
}

/// Fields shared by both hellos' extension blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Extensions {
    /// (type, data) in wire order.
    list: Vec<(u16, Span)>,
    /// The block ended inside an extension.
    truncated: bool,
}

impl Extensions {
    fn read(raw: &[u8], block: Option<&[u8]>) -> Extensions {
        let mut out = Extensions::default();
        let Some(block) = block else { return out };
        for e in walk(block) {
            match e {
                Ok(e) => out
                    .list
                    .push((e.typ, Span::within(raw, e.data).unwrap_or_default())),
                Err(_) => out.truncated = true,
            }
        }
        out
    }

    /// The whole extension (4-byte header and data) as a view of `raw`,
    /// the form tls-parser's per-extension parsers take.
    fn with_header(raw: &[u8], data: Span) -> &[u8] {
        let d = data.get(raw);
        let base = raw.as_ptr() as usize;
        let start = (d.as_ptr() as usize).saturating_sub(base).saturating_sub(4);
        start
            .checked_add(4 + d.len())
            .and_then(|end| raw.get(start..end))
            .unwrap_or(&[])
    }
}

/// A summarized ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    raw: Box<[u8]>,
    version: u16,
    random: Span,
    session_id: Span,
    ciphers: Vec<u16>,
    compression: Vec<u8>,
    exts: Extensions,
    sni: Option<Span>,
    groups: Vec<u16>,
    point_formats: Vec<u8>,
    sig_algs: Vec<u16>,
    alpn: Vec<Span>,
    supported_versions: Vec<u16>,
    key_shares: Vec<KeyShare>,
}

impl ClientHello {
    /// Summarizes a ClientHello handshake body (after the 4-byte handshake header).
    pub fn parse(body: &[u8]) -> Result<ClientHello, HelloError> {
        if u32::try_from(body.len()).is_err() {
            return Err(HelloError::TooLong);
        }
        let raw: Box<[u8]> = body.into();
        let (_, ch) = parse_tls_handshake_client_hello(&raw).map_err(|_| HelloError::Malformed)?;
        let exts = Extensions::read(&raw, ch.ext);
        let mut out = ClientHello {
            version: ch.version.0,
            random: Span::within(&raw, ch.random).unwrap_or_default(),
            session_id: ch
                .session_id
                .and_then(|s| Span::within(&raw, s))
                .unwrap_or_default(),
            ciphers: ch.ciphers.iter().map(|c| c.0).collect(),
            compression: ch.comp.iter().map(|c| c.0).collect(),
            sni: None,
            groups: Vec::new(),
            point_formats: Vec::new(),
            sig_algs: Vec::new(),
            alpn: Vec::new(),
            supported_versions: Vec::new(),
            key_shares: Vec::new(),
            exts: Extensions::default(),
            raw: Box::default(),
        };
        for (typ, data) in &exts.list {
            let whole = Extensions::with_header(&raw, *data);
            let Ok((_, parsed)) = parse_tls_client_hello_extension(whole) else {
                continue;
            };
            match (*typ, parsed) {
                (ext::SERVER_NAME, TlsExtension::SNI(names)) => {
                    out.sni = names
                        .iter()
                        .find(|(t, _)| *t == SNIType::HostName)
                        .and_then(|(_, n)| Span::within(&raw, n));
                }
                (ext::SUPPORTED_GROUPS, TlsExtension::EllipticCurves(g)) => {
                    out.groups = g.iter().map(|g| g.0).collect();
                }
                (ext::EC_POINT_FORMATS, TlsExtension::EcPointFormats(f)) => {
                    out.point_formats = f.to_vec();
                }
                (ext::SIGNATURE_ALGORITHMS, TlsExtension::SignatureAlgorithms(s)) => {
                    out.sig_algs = s;
                }
                (ext::ALPN, TlsExtension::ALPN(list)) => {
                    out.alpn = list.iter().filter_map(|p| Span::within(&raw, p)).collect();
                }
                (ext::SUPPORTED_VERSIONS, TlsExtension::SupportedVersions(v)) => {
                    out.supported_versions = v.iter().map(|v| v.0).collect();
                }
                (ext::KEY_SHARE, TlsExtension::KeyShare(d)) => {
                    out.key_shares = client_key_shares(d);
                }
                _ => {}
            }
        }
        out.exts = exts;
        out.raw = raw;
        Ok(out)
    }

    /// legacy_version of the hello (0x0303 for TLS 1.2 and 1.3).
    pub fn version(&self) -> u16 {
        self.version
    }
    /// The 32-byte random.
    pub fn random(&self) -> &[u8] {
        self.random.get(&self.raw)
    }
    /// The session id (empty if none).
    pub fn session_id(&self) -> &[u8] {
        self.session_id.get(&self.raw)
    }
    /// Offered cipher suites in wire order, GREASE included.
    pub fn ciphers(&self) -> &[u16] {
        &self.ciphers
    }
    /// Offered compression methods.
    pub fn compression(&self) -> &[u8] {
        &self.compression
    }
    /// Extensions (type, data) in wire order, GREASE included.
    pub fn extensions(&self) -> impl Iterator<Item = (u16, &[u8])> + '_ {
        self.exts.list.iter().map(|(t, s)| (*t, s.get(&self.raw)))
    }
    /// Extension types in wire order.
    pub fn extension_types(&self) -> impl Iterator<Item = u16> + '_ {
        self.exts.list.iter().map(|(t, _)| *t)
    }
    /// True if the extension block ended inside an extension.
    pub fn extensions_truncated(&self) -> bool {
        self.exts.truncated
    }
    /// The server_name extension is present (whatever it holds).
    pub fn has_sni_extension(&self) -> bool {
        self.extension_types().any(|t| t == ext::SERVER_NAME)
    }
    /// Raw host_name bytes of the server_name extension.
    pub fn sni_bytes(&self) -> Option<&[u8]> {
        self.sni.map(|s| s.get(&self.raw))
    }
    /// The host_name of the server_name extension, if it is UTF-8.
    pub fn sni(&self) -> Option<&str> {
        self.sni_bytes().and_then(|b| std::str::from_utf8(b).ok())
    }
    /// supported_groups (elliptic curves) in wire order, GREASE included.
    pub fn groups(&self) -> &[u16] {
        &self.groups
    }
    /// ec_point_formats in wire order.
    pub fn point_formats(&self) -> &[u8] {
        &self.point_formats
    }
    /// signature_algorithms in wire order, GREASE included.
    pub fn signature_algorithms(&self) -> &[u16] {
        &self.sig_algs
    }
    /// ALPN protocol names in wire order.
    pub fn alpn(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.alpn.iter().map(|s| s.get(&self.raw))
    }
    /// supported_versions in wire order, GREASE included.
    pub fn supported_versions(&self) -> &[u16] {
        &self.supported_versions
    }
    /// key_share entries offered.
    pub fn key_shares(&self) -> &[KeyShare] {
        &self.key_shares
    }
}

/// Reads a ClientHello key_share list: u16 length, then (group, u16 len, data) entries.
fn client_key_shares(d: &[u8]) -> Vec<KeyShare> {
    let mut out = Vec::new();
    let Some(list) = d.get(2..) else { return out };
    let mut pos = 0usize;
    while let Some(&[g0, g1, l0, l1]) = list.get(pos..pos + 4) {
        let len = u16::from_be_bytes([l0, l1]);
        if list.get(pos + 4..pos + 4 + usize::from(len)).is_none() {
            break;
        }
        out.push(KeyShare {
            group: u16::from_be_bytes([g0, g1]),
            len,
        });
        pos += 4 + usize::from(len);
    }
    out
}

/// A summarized ServerHello (or HelloRetryRequest, which shares its shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    raw: Box<[u8]>,
    version: u16,
    random: Span,
    session_id: Span,
    cipher: u16,
    compression: u8,
    exts: Extensions,
    selected_version: Option<u16>,
    key_share: Option<KeyShare>,
    alpn: Option<Span>,
}

/// SHA-256 of "HelloRetryRequest": the random that marks a HelloRetryRequest (RFC 8446 4.1.3).
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

impl ServerHello {
    /// Summarizes a ServerHello handshake body (after the 4-byte handshake header).
    pub fn parse(body: &[u8]) -> Result<ServerHello, HelloError> {
        if u32::try_from(body.len()).is_err() {
            return Err(HelloError::TooLong);
        }
        let raw: Box<[u8]> = body.into();
        let (_, sh) = parse_tls_handshake_server_hello(&raw).map_err(|_| HelloError::Malformed)?;
        let exts = Extensions::read(&raw, sh.ext);
        let mut out = ServerHello {
            version: sh.version.0,
            random: Span::within(&raw, sh.random).unwrap_or_default(),
            session_id: sh
                .session_id
                .and_then(|s| Span::within(&raw, s))
                .unwrap_or_default(),
            cipher: sh.cipher.0,
            compression: sh.compression.0,
            selected_version: None,
            key_share: None,
            alpn: None,
            exts: Extensions::default(),
            raw: Box::default(),
        };
        for (typ, data) in &exts.list {
            let whole = Extensions::with_header(&raw, *data);
            let Ok((_, parsed)) = parse_tls_server_hello_extension(whole) else {
                continue;
            };
            match (*typ, parsed) {
                (ext::SUPPORTED_VERSIONS, TlsExtension::SupportedVersions(v)) if v.len() == 1 => {
                    out.selected_version = v.first().map(|v| v.0);
                }
                (ext::KEY_SHARE, TlsExtension::KeyShare(d)) => {
                    out.key_share = match *d {
                        // ServerHello: one KeyShareEntry.
                        [g0, g1, l0, l1, ..] => Some(KeyShare {
                            group: u16::from_be_bytes([g0, g1]),
                            len: u16::from_be_bytes([l0, l1]),
                        }),
                        // HelloRetryRequest: the selected group only.
                        [g0, g1] => Some(KeyShare {
                            group: u16::from_be_bytes([g0, g1]),
                            len: 0,
                        }),
                        _ => None,
                    };
                }
                (ext::ALPN, TlsExtension::ALPN(list)) => {
                    out.alpn = list.first().and_then(|p| Span::within(&raw, p));
                }
                _ => {}
            }
        }
        out.exts = exts;
        out.raw = raw;
        Ok(out)
    }

    /// legacy_version of the hello.
    pub fn version(&self) -> u16 {
        self.version
    }
    /// The 32-byte random.
    pub fn random(&self) -> &[u8] {
        self.random.get(&self.raw)
    }
    /// True if this is a TLS 1.3 HelloRetryRequest.
    pub fn is_hello_retry_request(&self) -> bool {
        self.random() == HRR_RANDOM
    }
    /// The session id (empty if none).
    pub fn session_id(&self) -> &[u8] {
        self.session_id.get(&self.raw)
    }
    /// The selected cipher suite.
    pub fn cipher(&self) -> u16 {
        self.cipher
    }
    /// The selected compression method.
    pub fn compression(&self) -> u8 {
        self.compression
    }
    /// Extensions (type, data) in wire order.
    pub fn extensions(&self) -> impl Iterator<Item = (u16, &[u8])> + '_ {
        self.exts.list.iter().map(|(t, s)| (*t, s.get(&self.raw)))
    }
    /// Extension types in wire order.
    pub fn extension_types(&self) -> impl Iterator<Item = u16> + '_ {
        self.exts.list.iter().map(|(t, _)| *t)
    }
    /// The version chosen in supported_versions (TLS 1.3), if any.
    pub fn selected_version(&self) -> Option<u16> {
        self.selected_version
    }
    /// The key_share entry chosen (TLS 1.3), if any.
    pub fn key_share(&self) -> Option<KeyShare> {
        self.key_share
    }
    /// The protocol selected by ALPN, if any.
    pub fn alpn(&self) -> Option<&[u8]> {
        self.alpn.map(|s| s.get(&self.raw))
    }
    /// The negotiated version: supported_versions if present, else legacy_version.
    pub fn negotiated_version(&self) -> u16 {
        self.selected_version.unwrap_or(self.version)
    }
}
