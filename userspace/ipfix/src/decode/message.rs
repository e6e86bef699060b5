//! Messages and sets (RFC 7011 §3.1, §3.3), and streams of messages
//! (a TCP connection, or an IPFIX file: RFC 5655).

use super::reader::Reader;
use super::template::{read_template_set, TemplateItem};
use super::{DecodeError, TemplateDef};

/// The length of a message header.
pub const HEADER_LEN: usize = 16;
/// The message header's version for IPFIX.
pub const VERSION: u16 = 10;
/// The set id of template sets.
pub const TEMPLATE_SET_ID: u16 = 2;
/// The set id of options template sets.
pub const OPTIONS_TEMPLATE_SET_ID: u16 = 3;
/// The smallest set id of data sets (= the smallest template id).
pub const MIN_DATA_SET_ID: u16 = 256;

/// An IPFIX message: its header and its sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Always 10.
    pub version: u16,
    /// The message's length in bytes, header included.
    pub length: u16,
    /// Seconds since the Unix epoch when the message left the exporter.
    pub export_time: u32,
    /// Data records this domain sent before this message, modulo 2^32.
    pub sequence: u32,
    /// Observation domain id.
    pub domain: u32,
    /// The sets, in order. A template or options template set that mixes
    /// template records and withdrawal records is split into one entry per
    /// run of each kind, in wire order; so there may be more entries than
    /// sets on the wire.
    pub sets: Vec<Set>,
}

/// A set of a message, parsed as far as possible without templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Set {
    /// Template records (set id 2).
    Templates(Vec<TemplateDef>),
    /// Options template records (set id 3).
    OptionsTemplates(Vec<TemplateDef>),
    /// Withdrawal records of a template set (set id 2): template ids, or 2
    /// to withdraw all templates.
    Withdrawals(Vec<u16>),
    /// Withdrawal records of an options template set (set id 3): options
    /// template ids, or 3 to withdraw all options templates.
    OptionsWithdrawals(Vec<u16>),
    /// A data set: the template id and the set's bytes after its header
    /// (records, then any padding). [`Session`](super::Session) decodes it.
    Data {
        /// The set id: the id of the template its records use.
        set_id: u16,
        /// The set's body.
        raw: Vec<u8>,
    },
}

/// Parses the message at the start of `buf`, checking its framing: version
/// 10, a length from 16 to `buf`'s, one or more sets tiling it exactly, set
/// ids 2, 3 or ≥ 256, (options) template and withdrawal records, and padding.
/// Bytes after the message are not looked at. Returns the message and its
/// length. Offsets in errors count from `buf`'s start.
pub fn parse_message(buf: &[u8]) -> Result<(Message, usize), DecodeError> {
    parse_message_at(buf, 0)
}

/// Parses consecutive messages filling `buf` (a TCP byte stream, or an IPFIX
/// file: RFC 5655). A message cut short at the end is an error naming its
/// offset. Offsets in errors count from `buf`'s start.
pub fn parse_stream(buf: &[u8]) -> Result<Vec<Message>, DecodeError> {
    let mut messages = Vec::new();
    let mut offset = 0;
    while let Some(rest) = buf.get(offset..).filter(|rest| !rest.is_empty()) {
        let (message, used) = parse_message_at(rest, offset)?;
        messages.push(message);
        offset = offset.saturating_add(used);
    }
    Ok(messages)
}

/// [`parse_message`] with errors' offsets counted from `base` before `buf`.
fn parse_message_at(buf: &[u8], base: usize) -> Result<(Message, usize), DecodeError> {
    let mut r = Reader::new(buf, base);
    if buf.len() < HEADER_LEN {
        return Err(DecodeError::Truncated {
            what: "message header",
            offset: base,
            needed: HEADER_LEN,
            available: buf.len(),
        });
    }
    let version = r.u16("message header")?;
    if version != VERSION {
        return Err(DecodeError::Version {
            offset: base,
            version,
        });
    }
    let length = r.u16("message header")?;
    if usize::from(length) < HEADER_LEN {
        return Err(DecodeError::MessageLength {
            offset: base,
            length,
        });
    }
    let export_time = r.u32("message header")?;
    let sequence = r.u32("message header")?;
    let domain = r.u32("message header")?;
    // The rest of the message, after the header.
    let body = Reader::new(buf, base)
        .take(usize::from(length), "message")?
        .get(HEADER_LEN..)
        .unwrap_or_default();
    let mut r = Reader::new(body, base.saturating_add(HEADER_LEN));
    let mut sets = Vec::new();
    let mut wire_sets = 0usize;
    while r.remaining() > 0 {
        read_set(&mut r, &mut sets)?;
        wire_sets = wire_sets.saturating_add(1);
    }
    if wire_sets == 0 {
        return Err(DecodeError::NoSets { offset: base });
    }
    let message = Message {
        version,
        length,
        export_time,
        sequence,
        domain,
        sets,
    };
    Ok((message, usize::from(length)))
}

/// Reads one set from `r` (positioned on its header), appending what it holds
/// to `sets`.
fn read_set(r: &mut Reader<'_>, sets: &mut Vec<Set>) -> Result<(), DecodeError> {
    let offset = r.offset();
    let header = r.take(4, "set header")?;
    let mut h = Reader::new(header, offset);
    let set_id = h.u16("set header")?;
    let length = h.u16("set header")?;
    if set_id != TEMPLATE_SET_ID && set_id != OPTIONS_TEMPLATE_SET_ID && set_id < MIN_DATA_SET_ID {
        return Err(DecodeError::SetId { offset, set_id });
    }
    let available = r.remaining().saturating_add(4);
    let body_len = usize::from(length).checked_sub(4);
    let body = match body_len.map(|n| r.take(n, "set")) {
        Some(Ok(body)) => body,
        _ => {
            return Err(DecodeError::SetLength {
                offset,
                set_id,
                length,
                available,
            })
        }
    };
    let body_offset = offset.saturating_add(4);
    if set_id >= MIN_DATA_SET_ID {
        if body.is_empty() {
            return Err(DecodeError::EmptySet { offset, set_id });
        }
        sets.push(Set::Data {
            set_id,
            raw: body.to_vec(),
        });
        return Ok(());
    }
    // One entry per run of template records or of withdrawal records.
    let options = set_id == OPTIONS_TEMPLATE_SET_ID;
    let mut runs: Vec<Set> = Vec::new();
    for item in read_template_set(Reader::new(body, body_offset), set_id, offset)? {
        match (item, runs.last_mut()) {
            (
                TemplateItem::Define(def),
                Some(Set::Templates(defs) | Set::OptionsTemplates(defs)),
            ) => defs.push(def),
            (TemplateItem::Define(def), _) if options => {
                runs.push(Set::OptionsTemplates(vec![def]))
            }
            (TemplateItem::Define(def), _) => runs.push(Set::Templates(vec![def])),
            (
                TemplateItem::Withdraw(id),
                Some(Set::Withdrawals(ids) | Set::OptionsWithdrawals(ids)),
            ) => ids.push(id),
            (TemplateItem::Withdraw(id), _) if options => {
                runs.push(Set::OptionsWithdrawals(vec![id]))
            }
            (TemplateItem::Withdraw(id), _) => runs.push(Set::Withdrawals(vec![id])),
        }
    }
    sets.extend(runs);
    Ok(())
}
