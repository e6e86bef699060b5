//! One X.509 certificate of a Certificate handshake message, summarized with
//! x509-parser into the fields Joy prints (OpenSSL names and formats).

use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};
use x509_parser::public_key::PublicKey;

use super::hex::hex_colon_upper;
use super::oid_names::{curve_bits, joy_truncate, long_name};
use super::validity::openssl_time;

/// Joy keeps at most 12 name attributes and 12 extensions per certificate.
const MAX_ITEMS: usize = 12;
/// Joy drops serial numbers longer than this (RFC 5280 allows 20 octets).
const MAX_SERIAL: usize = 24;
/// Joy drops signatures longer than this many bytes (4096 bits).
const MAX_SIGNATURE: usize = 512;

/// Why a certificate could not be summarized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertError {
    /// x509-parser rejected the DER.
    Der(String),
}

/// The fields of one certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Certificate {
    /// DER length in bytes.
    pub length: usize,
    /// Serial number magnitude (leading zero octets removed, as OpenSSL stores it);
    /// empty if longer than 24 bytes.
    pub serial: Vec<u8>,
    /// Signature bits; empty if longer than 512 bytes.
    pub signature: Vec<u8>,
    /// Signature algorithm, OpenSSL long name or dotted OID.
    pub signature_algorithm: String,
    /// Signature length in bits.
    pub signature_key_size: usize,
    /// Issuer attributes in order: (OpenSSL long name or OID, value).
    pub issuer: Vec<(String, String)>,
    /// Subject attributes in order.
    pub subject: Vec<(String, String)>,
    /// X.509v3 extensions: (OpenSSL long name or OID, rendered value).
    pub extensions: Vec<(String, String)>,
    /// subjectAltName entries, OpenSSL style ("DNS:example.com").
    pub san: Vec<String>,
    /// notBefore, ASN1_TIME_print format ("Mar 31 18:28:35 2017 GMT").
    pub not_before: String,
    /// notAfter, same format.
    pub not_after: String,
    /// Public key algorithm, OpenSSL long name or dotted OID.
    pub public_key_algorithm: String,
    /// Public key size in bits (RSA modulus bits, EC group order bits); 0 if unknown.
    pub public_key_size: usize,
}

fn oid_name(dotted: String) -> String {
    match long_name(&dotted) {
        Some(n) => n.to_string(),
        None => joy_truncate(&dotted).to_string(),
    }
}

fn name_items(n: &X509Name<'_>) -> Vec<(String, String)> {
    n.iter_attributes()
        .take(MAX_ITEMS)
        .map(|a| {
            let value = match a.as_str() {
                Ok(s) => s.to_string(),
                Err(_) => String::from_utf8_lossy(a.as_slice()).into_owned(),
            };
            (oid_name(a.attr_type().to_id_string()), value)
        })
        .collect()
}

fn general_name(g: &GeneralName<'_>) -> String {
    match g {
        GeneralName::DNSName(s) => format!("DNS:{s}"),
        GeneralName::RFC822Name(s) => format!("email:{s}"),
        GeneralName::URI(s) => format!("URI:{s}"),
        GeneralName::IPAddress(b) => match b.len() {
            4 => {
                let mut a = [0u8; 4];
                a.copy_from_slice(b);
                format!("IP Address:{}", std::net::Ipv4Addr::from(a))
            }
            16 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(b);
                format!("IP Address:{}", std::net::Ipv6Addr::from(a))
            }
            _ => "IP Address:<invalid>".to_string(),
        },
        GeneralName::DirectoryName(n) => format!("DirName:{n}"),
        GeneralName::RegisteredID(o) => format!("Registered ID:{o}"),
        GeneralName::OtherName(..) => "othername:<unsupported>".to_string(),
        GeneralName::X400Address(_) => "X400Name:<unsupported>".to_string(),
        GeneralName::EDIPartyName(_) => "EdiPartyName:<unsupported>".to_string(),
    }
}

/// Renders an extension value as OpenSSL's `X509V3_EXT_print` does for the
/// types handled here; other types as lower-case hex of the DER value.
fn render_extension(parsed: &ParsedExtension<'_>, raw: &[u8]) -> String {
    match parsed {
        ParsedExtension::SubjectAlternativeName(san) => {
            let v: Vec<String> = san.general_names.iter().map(general_name).collect();
            v.join(", ")
        }
        ParsedExtension::BasicConstraints(bc) => {
            let mut s = format!("CA:{}", if bc.ca { "TRUE" } else { "FALSE" });
            if let Some(p) = bc.path_len_constraint {
                s.push_str(&format!(", pathlen:{p}"));
            }
            s
        }
        ParsedExtension::SubjectKeyIdentifier(k) => hex_colon_upper(k.0),
        // OpenSSL 1.x prints "keyid:..\n"; Joy turns the newline into '.'.
        ParsedExtension::AuthorityKeyIdentifier(a) => match &a.key_identifier {
            Some(k) => format!("keyid:{}.", hex_colon_upper(k.0)),
            None => super::hex::hex(raw),
        },
        ParsedExtension::KeyUsage(k) => {
            let names = [
                (k.digital_signature(), "Digital Signature"),
                (k.non_repudiation(), "Non Repudiation"),
                (k.key_encipherment(), "Key Encipherment"),
                (k.data_encipherment(), "Data Encipherment"),
                (k.key_agreement(), "Key Agreement"),
                (k.key_cert_sign(), "Certificate Sign"),
                (k.crl_sign(), "CRL Sign"),
                (k.encipher_only(), "Encipher Only"),
                (k.decipher_only(), "Decipher Only"),
            ];
            let v: Vec<&str> = names
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, n)| *n)
                .collect();
            v.join(", ")
        }
        _ => super::hex::hex(raw),
    }
}

fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    match b.get(n..) {
        Some(rest) if !rest.is_empty() => rest,
        _ => b.get(b.len().saturating_sub(1)..).unwrap_or(b),
    }
}

fn bit_length(magnitude: &[u8]) -> usize {
    let m = strip_leading_zeros(magnitude);
    match m.first() {
        Some(&top) if top != 0 => (m.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        _ => 0,
    }
}

impl Certificate {
    /// Summarizes one DER certificate.
    pub fn parse(der: &[u8]) -> Result<Certificate, CertError> {
        let (_, x) = X509Certificate::from_der(der).map_err(|e| CertError::Der(e.to_string()))?;
        let mut c = Certificate {
            length: der.len(),
            ..Certificate::default()
        };
        let serial = strip_leading_zeros(x.raw_serial());
        if serial.len() <= MAX_SERIAL {
            c.serial = serial.to_vec();
        }
        let sig = &x.signature_value.data;
        if sig.len() <= MAX_SIGNATURE {
            c.signature = sig.to_vec();
            c.signature_key_size = sig.len() * 8;
            c.signature_algorithm = oid_name(x.signature_algorithm.algorithm.to_id_string());
        }
        c.issuer = name_items(x.issuer());
        c.subject = name_items(x.subject());
        for e in x.extensions().iter().take(MAX_ITEMS) {
            let name = oid_name(e.oid.to_id_string());
            c.extensions
                .push((name, render_extension(e.parsed_extension(), e.value)));
            if let ParsedExtension::SubjectAlternativeName(san) = e.parsed_extension() {
                c.san = san.general_names.iter().map(general_name).collect();
            }
        }
        c.not_before = openssl_time(x.validity().not_before.timestamp());
        c.not_after = openssl_time(x.validity().not_after.timestamp());
        let spki = x.public_key();
        c.public_key_algorithm = oid_name(spki.algorithm.algorithm.to_id_string());
        c.public_key_size = match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => bit_length(rsa.modulus),
            Ok(PublicKey::EC(point)) => spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .and_then(|o| curve_bits(&o.to_id_string()))
                .map(|b| b as usize)
                .unwrap_or_else(|| point.key_size()),
            Ok(PublicKey::DSA(y)) => bit_length(y),
            Ok(_) | Err(_) => match c.public_key_algorithm.as_str() {
                "ED25519" => 253,
                "X25519" => 253,
                "ED448" => 456,
                _ => 0,
            },
        };
        Ok(c)
    }
}
