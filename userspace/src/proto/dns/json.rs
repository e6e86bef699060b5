//! Joy's `"dns"` JSON: one object per message, `qn`/`rn`, `rc`, `rr`.

use std::io::{self, Write};

use crate::json::num::HEX_DIGITS;
use crate::json::{write_ipv4, write_str as string, write_uint};

use super::message::DnsMessage;
use super::record::{DnsAnswer, RData};

/// Writes `,"dns":[...]`, or nothing when there are no messages.
pub fn write_dns<W: Write>(w: &mut W, messages: &[DnsMessage]) -> io::Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    w.write_all(b",\"dns\":[")?;
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_message(w, m)?;
    }
    w.write_all(b"]")
}

/// One message: Joy's fields, then ours (`id`, `qtype`, `questions`, `malformed`).
fn write_message<W: Write>(w: &mut W, m: &DnsMessage) -> io::Result<()> {
    w.write_all(b"{")?;
    if let Some(q) = m.questions.first() {
        w.write_all(if m.response { b"\"rn\":" } else { b"\"qn\":" })?;
        string(w, &q.name)?;
        w.write_all(b",")?;
    }
    w.write_all(b"\"rc\":")?;
    write_uint(w, u64::from(m.rcode))?;
    w.write_all(b",\"rr\":[")?;
    for (i, rr) in m.answers.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_rr(w, rr)?;
    }
    w.write_all(b"],\"id\":")?;
    write_uint(w, u64::from(m.id))?;
    if let Some(q) = m.questions.first() {
        w.write_all(b",\"qtype\":")?;
        write_uint(w, u64::from(q.qtype))?;
    }
    if m.questions.len() > 1 {
        w.write_all(b",\"questions\":[")?;
        for (i, q) in m.questions.iter().enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            w.write_all(b"{\"name\":")?;
            string(w, &q.name)?;
            w.write_all(b",\"qtype\":")?;
            write_uint(w, u64::from(q.qtype))?;
            w.write_all(b"}")?;
        }
        w.write_all(b"]")?;
    }
    if let Some(bad) = m.malformed {
        w.write_all(b",\"malformed\":")?;
        write_uint(w, bad.remaining as u64)?;
    }
    w.write_all(b"}")
}

/// One record: Joy's RDATA key and `ttl`, then our `name` (the owner).
fn write_rr<W: Write>(w: &mut W, rr: &DnsAnswer) -> io::Result<()> {
    w.write_all(b"{")?;
    match &rr.rdata {
        RData::A(a) => {
            w.write_all(b"\"a\":\"")?;
            write_ipv4(w, a.octets())?;
            w.write_all(b"\"")?;
        }
        RData::Aaaa(a) => write!(w, "\"aaaa\":\"{a}\"")?,
        RData::Cname(n)
        | RData::Ns(n)
        | RData::Ptr(n)
        | RData::Mx(n)
        | RData::Soa(n)
        | RData::Txt(n) => {
            let key = match &rr.rdata {
                RData::Cname(_) => "cname",
                RData::Ns(_) => "ns",
                RData::Ptr(_) => "ptr",
                RData::Mx(_) => "mx",
                RData::Soa(_) => "soa",
                _ => "txt",
            };
            w.write_all(b"\"")?;
            w.write_all(key.as_bytes())?;
            w.write_all(b"\":")?;
            string(w, n)?;
        }
        RData::Other(raw) => {
            w.write_all(b"\"type\":\"")?;
            write_hex_digits(w, rr.rtype)?;
            w.write_all(b"\",\"class\":\"")?;
            write_hex_digits(w, rr.class)?;
            w.write_all(b"\",\"rdlength\":")?;
            write_uint(w, u64::from(rr.rdlength))?;
            w.write_all(b",\"rdata\":\"")?;
            crate::json::num::write_hex(w, raw)?;
            w.write_all(b"\"")?;
        }
    }
    w.write_all(b",\"ttl\":")?;
    write_uint(w, u64::from(rr.ttl))?;
    w.write_all(b",\"name\":")?;
    string(w, &rr.name)?;
    w.write_all(b"}")
}

/// `v` in lowercase hex without leading zeros (`{:x}`).
fn write_hex_digits<W: Write>(w: &mut W, v: u16) -> io::Result<()> {
    let mut buf = [0u8; 4];
    let mut n = 0;
    for shift in [12u16, 8, 4, 0] {
        let d = (v >> shift) & 0xf;
        if d != 0 || n > 0 || shift == 0 {
            buf[n] = HEX_DIGITS[usize::from(d)];
            n += 1;
        }
    }
    w.write_all(&buf[..n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_digits_as_the_standard_formatter_writes_them() {
        for v in [
            0u16, 1, 0xf, 0x10, 0xff, 0x100, 0xabc, 0x1000, 0xffff, 65, 41,
        ] {
            let mut out = Vec::new();
            write_hex_digits(&mut out, v).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), format!("{v:x}"));
        }
    }
}
