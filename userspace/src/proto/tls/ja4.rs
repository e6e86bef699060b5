//! JA4 (FoxIO) for a TCP ClientHello: `t{ver}{d|i}{nc}{ne}{alpn}_{b}_{c}` where
//! b is sha256-12 of the sorted cipher list and c of the sorted extension list
//! (SNI and ALPN removed) plus '_' and the signature algorithms in wire order.
//! GREASE is ignored everywhere, signature algorithms included (the spec's
//! rule; see FoxIO-LLC/ja4 issues #60 and #305).

use sha2::{Digest, Sha256};

use super::extensions::ext;
use super::grease::is_grease;
use super::hello::ClientHello;
use super::hex::hex;
use crate::json::num::HEX_DIGITS;

/// Two-character version code of JA4_a.
fn version_code(v: u16) -> &'static str {
    match v {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    }
}

/// First 12 hex digits of the SHA-256 of `s`, or twelve zeros for an empty list.
fn hash12(s: &str, empty: bool) -> String {
    if empty {
        return "000000000000".to_string();
    }
    hex(&Sha256::digest(s.as_bytes())[..6])
}

/// Appends `v` as four-digit lowercase hex values joined by ','.
fn push_hex_list(out: &mut String, v: &[u16]) {
    for (i, &x) in v.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for shift in [12, 8, 4, 0] {
            out.push(char::from(HEX_DIGITS[usize::from(x >> shift & 0xf)]));
        }
    }
}

fn hex_list(v: &[u16]) -> String {
    let mut s = String::with_capacity(v.len() * 5);
    push_hex_list(&mut s, v);
    s
}

/// The two ALPN characters: first and last of the first protocol, their hex
/// digits if either is not ASCII alphanumeric, "00" without ALPN.
fn alpn_code(ch: &ClientHello) -> String {
    let Some(first) = ch.alpn().next() else {
        return "00".to_string();
    };
    match (first.first(), first.last()) {
        (Some(&a), Some(&z)) if a.is_ascii_alphanumeric() && z.is_ascii_alphanumeric() => {
            format!("{}{}", a as char, z as char)
        }
        (Some(&a), Some(&z)) => format!("{:x}{:x}", a >> 4, z & 0x0f),
        _ => "00".to_string(),
    }
}

/// The raw (unhashed) parts of JA4: `(a, ciphers, extensions_and_sigalgs)`.
pub fn ja4_parts(ch: &ClientHello) -> (String, String, String) {
    let version = ch
        .supported_versions()
        .iter()
        .copied()
        .filter(|v| !is_grease(*v))
        .max()
        .unwrap_or(ch.version());
    let mut ciphers: Vec<u16> = ch
        .ciphers()
        .iter()
        .copied()
        .filter(|c| !is_grease(*c))
        .collect();
    let all_ext: Vec<u16> = ch.extension_types().filter(|e| !is_grease(*e)).collect();
    let mut a = String::with_capacity(10);
    a.push('t');
    a.push_str(version_code(version));
    a.push(if ch.has_sni_extension() { 'd' } else { 'i' });
    for n in [ciphers.len().min(99), all_ext.len().min(99)] {
        a.push(char::from(b'0' + (n / 10) as u8));
        a.push(char::from(b'0' + (n % 10) as u8));
    }
    a.push_str(&alpn_code(ch));
    ciphers.sort_unstable();
    let mut exts: Vec<u16> = all_ext
        .into_iter()
        .filter(|e| *e != ext::SERVER_NAME && *e != ext::ALPN)
        .collect();
    exts.sort_unstable();
    let sig: Vec<u16> = ch
        .signature_algorithms()
        .iter()
        .copied()
        .filter(|s| !is_grease(*s))
        .collect();
    let mut c = hex_list(&exts);
    if !sig.is_empty() {
        c.push('_');
        push_hex_list(&mut c, &sig);
    }
    (a, hex_list(&ciphers), c)
}

/// The JA4 fingerprint.
pub fn ja4(ch: &ClientHello) -> String {
    ja4_and_raw(ch).0
}

/// JA4_r: the same fields with the lists spelled out instead of hashed.
pub fn ja4_r(ch: &ClientHello) -> String {
    ja4_and_raw(ch).1
}

/// JA4 and JA4_r from one pass over the hello.
pub fn ja4_and_raw(ch: &ClientHello) -> (String, String) {
    let (a, b, c) = ja4_parts(ch);
    let no_ext = !ch
        .extension_types()
        .any(|e| !is_grease(e) && e != ext::SERVER_NAME && e != ext::ALPN);
    let fingerprint = [a.as_str(), &hash12(&b, b.is_empty()), &hash12(&c, no_ext)].join("_");
    let raw = [a.as_str(), &b, &c].join("_");
    (fingerprint, raw)
}
