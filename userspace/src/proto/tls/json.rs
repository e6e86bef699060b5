//! The `"tls"` object: Joy's fields first, in Joy's order and formats
//! (`tls_print_json` in cisco/joy src/tls.c), then Sluice's additions.

use std::io::{self, Write};

use crate::json::{write_hex, write_str, write_uint};

use super::cert::Certificate;
use super::extensions::joy_name;
use super::salt::RecordStat;
use super::TlsState;

/// Joy prints byte strings longer than this as "".
const JOY_HEX_LIMIT: usize = 1024;

/// Joy's internal version number: SSLv3 = 2 ... TLS 1.3 = 6 (and draft 0x7f12 = 6).
pub fn joy_version(v: u16) -> Option<u8> {
    Some(match v {
        0x0300 => 2,
        0x0301 => 3,
        0x0302 => 4,
        0x0303 => 5,
        0x0304 | 0x7f12 => 6,
        _ => return None,
    })
}

/// Writes comma-separated members of one JSON object.
struct Obj<'w, W: Write> {
    w: &'w mut W,
    first: bool,
}

impl<'w, W: Write> Obj<'w, W> {
    fn key(&mut self, k: &str) -> io::Result<&mut W> {
        if !self.first {
            self.w.write_all(b",")?;
        }
        self.first = false;
        write_key(self.w, k)?;
        Ok(self.w)
    }
    fn num(&mut self, k: &str, v: u64) -> io::Result<()> {
        let w = self.key(k)?;
        write_uint(w, v)
    }
    fn flag(&mut self, k: &str) -> io::Result<()> {
        self.key(k)?.write_all(b"true")
    }
    /// A 16-bit code point as four quoted hex digits (`"0a0a"`).
    fn hex16(&mut self, k: &str, v: u16) -> io::Result<()> {
        let w = self.key(k)?;
        write_hex16(w, v)
    }
    fn str(&mut self, k: &str, v: &str) -> io::Result<()> {
        let w = self.key(k)?;
        write_str(w, v)
    }
    /// A byte string as Joy's `zprintf_raw_as_hex_tls` prints it.
    fn joy_hex(&mut self, k: &str, b: &[u8]) -> io::Result<()> {
        let w = self.key(k)?;
        write_joy_hex(w, b)
    }
}

fn write_joy_hex<W: Write>(w: &mut W, b: &[u8]) -> io::Result<()> {
    if b.len() > JOY_HEX_LIMIT {
        w.write_all(b"\"\"")
    } else {
        w.write_all(b"\"")?;
        write_hex(w, b)?;
        w.write_all(b"\"")
    }
}

/// `"k":`.
fn write_key<W: Write + ?Sized>(w: &mut W, k: &str) -> io::Result<()> {
    w.write_all(b"\"")?;
    w.write_all(k.as_bytes())?;
    w.write_all(b"\":")
}

/// `v` as four quoted lowercase hex digits.
fn write_hex16<W: Write + ?Sized>(w: &mut W, v: u16) -> io::Result<()> {
    w.write_all(b"\"")?;
    write_hex(w, &v.to_be_bytes())?;
    w.write_all(b"\"")
}

/// `{"group":"001d","length":32}`: a key share.
fn write_key_share<W: Write + ?Sized>(w: &mut W, group: u16, len: usize) -> io::Result<()> {
    w.write_all(b"{\"group\":")?;
    write_hex16(w, group)?;
    w.write_all(b",\"length\":")?;
    write_uint(w, len as u64)?;
    w.write_all(b"}")
}

fn write_list<W: Write, T>(
    w: &mut W,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut W, T) -> io::Result<()>,
) -> io::Result<()> {
    w.write_all(b"[")?;
    for (i, it) in items.into_iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        each(w, it)?;
    }
    w.write_all(b"]")
}

fn write_extensions<'a, W: Write>(
    w: &mut W,
    exts: impl Iterator<Item = (u16, &'a [u8])>,
) -> io::Result<()> {
    write_list(w, exts, |w, (t, d)| {
        w.write_all(b"{")?;
        match joy_name(t) {
            Some(n) => write_key(w, n)?,
            None => {
                w.write_all(b"\"kind\":")?;
                write_uint(w, u64::from(t))?;
                w.write_all(b",\"data\":")?;
            }
        }
        write_joy_hex(w, d)?;
        w.write_all(b"}")
    })
}

fn write_pairs<W: Write>(w: &mut W, items: &[(String, String)]) -> io::Result<()> {
    write_list(w, items, |w, (k, v)| {
        w.write_all(b"{")?;
        write_str(w, k)?;
        w.write_all(b":")?;
        write_str(w, v)?;
        w.write_all(b"}")
    })
}

fn write_cert<W: Write>(w: &mut W, c: &Certificate) -> io::Result<()> {
    w.write_all(b"{\"length\":")?;
    write_uint(w, c.length as u64)?;
    let mut o = Obj { w, first: false };
    if !c.serial.is_empty() {
        o.joy_hex("serial_number", &c.serial)?;
    }
    if !c.signature.is_empty() {
        o.joy_hex("signature", &c.signature)?;
    }
    if !c.signature_algorithm.is_empty() {
        o.str("signature_algo", &c.signature_algorithm)?;
    }
    if c.signature_key_size > 0 {
        o.num("signature_key_size", c.signature_key_size as u64)?;
    }
    if !c.issuer.is_empty() {
        write_pairs(o.key("issuer")?, &c.issuer)?;
    }
    if !c.subject.is_empty() {
        write_pairs(o.key("subject")?, &c.subject)?;
    }
    if !c.extensions.is_empty() {
        write_pairs(o.key("extensions")?, &c.extensions)?;
    }
    o.str("validity_not_before", &c.not_before)?;
    o.str("validity_not_after", &c.not_after)?;
    if !c.public_key_algorithm.is_empty() {
        o.str("subject_public_key_algo", &c.public_key_algorithm)?;
    }
    if c.public_key_size > 0 {
        o.num("subject_public_key_size", c.public_key_size as u64)?;
    }
    if !c.san.is_empty() {
        write_list(o.key("san")?, &c.san, |w, s| write_str(w, s))?;
    }
    o.w.write_all(b"}")
}

fn write_record<W: Write>(w: &mut W, r: &RecordStat, ipt_ms: u64) -> io::Result<()> {
    w.write_all(b"{\"b\":")?;
    write_uint(w, u64::from(r.len))?;
    w.write_all(if r.dir.is_out() {
        b",\"dir\":\">\",\"ipt\":"
    } else {
        b",\"dir\":\"<\",\"ipt\":"
    })?;
    write_uint(w, ipt_ms)?;
    w.write_all(b",\"tp\":")?;
    write_uint(w, u64::from(r.content_type))?;
    if !r.handshake_types().is_empty() {
        write_list(w.by_ref_key("hs_types")?, r.handshake_types(), |w, &t| {
            write_uint(w, u64::from(t))
        })?;
        write_list(w.by_ref_key("hs_lens")?, r.handshake_lens(), |w, &l| {
            write_uint(w, u64::from(l))
        })?;
    }
    w.write_all(b"}")
}

/// `,"key":` on a writer that is inside an object with members already.
trait KeyExt: Write + Sized {
    fn by_ref_key(&mut self, k: &str) -> io::Result<&mut Self> {
        self.write_all(b",")?;
        write_key(self, k)?;
        Ok(self)
    }
}
impl<W: Write> KeyExt for W {}

fn hex16_list<W: Write>(w: &mut W, v: impl IntoIterator<Item = u16>) -> io::Result<()> {
    write_list(w, v, |w, x| write_hex16(w, x))
}

/// Writes `,"tls":{...}` for `s`; nothing if the flow carried no TLS.
pub fn write_tls<W: Write>(s: &TlsState, w: &mut W) -> io::Result<()> {
    let Some(inner) = s.inner.as_deref() else {
        return Ok(());
    };
    let h = &inner.hs;
    let ch = h.client.as_deref();
    let sh = h.server.as_deref();
    if ch.is_none() && sh.is_none() && (inner.salt.records().len() < 2 || s.is_not_tls()) {
        return Ok(());
    }
    w.write_all(b",\"tls\":{")?;
    let mut o = Obj { w, first: true };
    if let Some(v) = ch.and_then(|c| joy_version(c.version())) {
        o.num("c_version", u64::from(v))?;
    }
    if let Some(v) = sh.and_then(|s| joy_version(s.version())) {
        o.num("s_version", u64::from(v))?;
    }
    if let Some(k) = h.client_key_exchange.as_deref().filter(|k| !k.is_empty()) {
        o.num("c_key_length", k.len() as u64 * 8)?;
        o.joy_hex("c_key_exchange", k)?;
    }
    if let Some(c) = ch {
        o.joy_hex("c_random", c.random())?;
    }
    if let Some(s) = sh {
        o.joy_hex("s_random", s.random())?;
    }
    if let Some(c) = ch.filter(|c| !c.session_id().is_empty()) {
        o.joy_hex("c_sid", c.session_id())?;
    }
    if let Some(s) = sh.filter(|s| !s.session_id().is_empty()) {
        o.joy_hex("s_sid", s.session_id())?;
    }
    if let Some(name) = ch.and_then(|c| c.sni_bytes()) {
        let w = o.key("sni")?;
        w.write_all(b"[")?;
        write_str(w, &String::from_utf8_lossy(name))?;
        w.write_all(b"]")?;
    }
    if let Some(s) = sh {
        o.hex16("scs", s.cipher())?;
    }
    if let Some(c) = ch.filter(|c| !c.ciphers().is_empty()) {
        hex16_list(o.key("cs")?, c.ciphers().iter().copied())?;
    }
    if let Some(c) = ch.filter(|c| c.extensions().next().is_some()) {
        write_extensions(o.key("c_extensions")?, c.extensions())?;
    }
    if let Some(s) = sh.filter(|s| s.extensions().next().is_some()) {
        write_extensions(o.key("s_extensions")?, s.extensions())?;
    }
    if !h.client_certs.is_empty() {
        write_list(o.key("c_cert")?, &h.client_certs, |w, c| write_cert(w, c))?;
    }
    if !h.server_certs.is_empty() {
        write_list(o.key("s_cert")?, &h.server_certs, |w, c| write_cert(w, c))?;
    }
    let recs = inner.salt.sorted();
    if !recs.is_empty() {
        let w = o.key("srlt")?;
        let mut last = recs.first().map(|r| r.ts);
        write_list(w, &recs, |w, r| {
            let ipt = last.map_or(0, |l| r.ts.nanos_since(l) / 1_000_000);
            last = Some(r.ts);
            write_record(w, r, ipt)
        })?;
    }
    // Sluice additions.
    if let Some(c) = ch {
        if !c.supported_versions().is_empty() {
            hex16_list(
                o.key("c_supported_versions")?,
                c.supported_versions().iter().copied(),
            )?;
        }
        if !c.key_shares().is_empty() {
            write_list(o.key("c_key_shares")?, c.key_shares(), |w, k| {
                write_key_share(w, k.group, k.len as usize)
            })?;
        }
        let alpn: Vec<String> = c
            .alpn()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        if !alpn.is_empty() {
            write_list(o.key("c_alpn")?, &alpn, |w, p| write_str(w, p))?;
        }
        let ja3 = super::ja3::ja3_string(c);
        o.str("ja3", &super::ja3::md5_hex(&ja3))?;
        o.str("ja3_string", &ja3)?;
        let (ja4, ja4_r) = super::ja4::ja4_and_raw(c);
        o.str("ja4", &ja4)?;
        o.str("ja4_r", &ja4_r)?;
    }
    if let Some(s) = sh {
        if let Some(v) = s.selected_version() {
            o.hex16("s_selected_version", v)?;
        }
        if let Some(k) = s.key_share() {
            write_key_share(o.key("s_key_share")?, k.group, k.len as usize)?;
        }
        if let Some(p) = s.alpn() {
            o.str("s_alpn", &String::from_utf8_lossy(p))?;
        }
        if s.is_hello_retry_request() {
            o.flag("hello_retry_request")?;
        }
        if s.negotiated_version() == 0x0304 {
            // TLS 1.3 encrypts the Certificate message: no chain to report.
            o.flag("s_cert_encrypted")?;
        }
        let ja3s = super::ja3::ja3s_string(s);
        o.str("ja3s", &super::ja3::md5_hex(&ja3s))?;
        o.str("ja3s_string", &ja3s)?;
    }
    let notes = inner.notes();
    if !notes.is_empty() {
        write_list(o.key("notes")?, &notes, |w, n| write_str(w, n))?;
    }
    o.w.write_all(b"}")
}
