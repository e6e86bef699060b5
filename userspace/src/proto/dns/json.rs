//! Joy's `"dns"` JSON: one object per message, `qn`/`rn`, `rc`, `rr`.

use std::io::{self, Write};

use crate::json::write_str as string;

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
    write!(w, "\"rc\":{},\"rr\":[", m.rcode)?;
    for (i, rr) in m.answers.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_rr(w, rr)?;
    }
    write!(w, "],\"id\":{}", m.id)?;
    if let Some(q) = m.questions.first() {
        write!(w, ",\"qtype\":{}", q.qtype)?;
    }
    if m.questions.len() > 1 {
        w.write_all(b",\"questions\":[")?;
        for (i, q) in m.questions.iter().enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            w.write_all(b"{\"name\":")?;
            string(w, &q.name)?;
            write!(w, ",\"qtype\":{}}}", q.qtype)?;
        }
        w.write_all(b"]")?;
    }
    if let Some(bad) = m.malformed {
        write!(w, ",\"malformed\":{}", bad.remaining)?;
    }
    w.write_all(b"}")
}

/// One record: Joy's RDATA key and `ttl`, then our `name` (the owner).
fn write_rr<W: Write>(w: &mut W, rr: &DnsAnswer) -> io::Result<()> {
    w.write_all(b"{")?;
    let named = |key: &str| format!("\"{key}\":");
    match &rr.rdata {
        RData::A(a) => write!(w, "\"a\":\"{a}\"")?,
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
            w.write_all(named(key).as_bytes())?;
            string(w, n)?;
        }
        RData::Other(raw) => {
            write!(
                w,
                "\"type\":\"{:x}\",\"class\":\"{:x}\",\"rdlength\":{},\"rdata\":\"",
                rr.rtype, rr.class, rr.rdlength
            )?;
            crate::json::num::write_hex(w, raw)?;
            w.write_all(b"\"")?;
        }
    }
    write!(w, ",\"ttl\":{},\"name\":", rr.ttl)?;
    string(w, &rr.name)?;
    w.write_all(b"}")
}
