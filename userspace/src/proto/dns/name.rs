//! Domain names on the wire (RFC 1035 3.1, 4.1.4): labels and compression
//! pointers, validated once and then read without copying.

use super::error::DnsError;
use super::wire::Cursor;

/// Longest name on the wire (RFC 1035 2.3.4).
const MAX_WIRE_LEN: usize = 255;
/// Most compression pointers followed in one name; real names need a few.
const MAX_POINTERS: usize = 64;

/// A validated name inside a message: where it starts; its labels may
/// continue elsewhere through compression pointers.
#[derive(Debug, Clone, Copy)]
pub struct NameRef<'a> {
    msg: &'a [u8],
    start: usize,
}

/// Where one step of a name leads.
enum Step<'a> {
    /// A label's bytes, and the offset after it.
    Label(&'a [u8], usize),
    /// A compression pointer to this offset.
    Pointer(u16),
    /// The root label: the name ends.
    End,
}

/// Reads the name element at `pos`.
fn step(msg: &[u8], pos: usize) -> Result<Step<'_>, DnsError> {
    let len = *msg.get(pos).ok_or(DnsError::Truncated)?;
    match len & 0xc0 {
        0x00 if len == 0 => Ok(Step::End),
        0x00 => {
            let from = pos + 1;
            let to = from + usize::from(len);
            let label = msg.get(from..to).ok_or(DnsError::Truncated)?;
            Ok(Step::Label(label, to))
        }
        0xc0 => {
            let lo = *msg.get(pos + 1).ok_or(DnsError::Truncated)?;
            Ok(Step::Pointer(u16::from_be_bytes([len & 0x3f, lo])))
        }
        _ => Err(DnsError::BadLabelType(len)),
    }
}

impl<'a> NameRef<'a> {
    /// Validates the name at the cursor and moves the cursor past it (past
    /// the first pointer if the name is compressed). A name longer than 255
    /// bytes is not an error (tshark reads on too): its text stops at 255.
    pub fn parse(cur: &mut Cursor<'a>) -> Result<Self, DnsError> {
        let msg = cur.message();
        let start = cur.pos();
        let mut pos = start;
        let mut after: Option<usize> = None;
        let mut wire_len = 1usize;
        let mut pointers = 0usize;
        loop {
            // Past the text bound, only the in-place part still matters:
            // where the name ends in the message.
            if wire_len > MAX_WIRE_LEN {
                if let Some(end) = after {
                    cur.seek(end)?;
                    return Ok(NameRef { msg, start });
                }
            }
            match step(msg, pos)? {
                Step::End => {
                    cur.seek(after.unwrap_or(pos + 1))?;
                    return Ok(NameRef { msg, start });
                }
                Step::Label(label, next) => {
                    wire_len += label.len() + 1;
                    pos = next;
                }
                Step::Pointer(target) => {
                    pointers += 1;
                    if pointers > MAX_POINTERS {
                        return Err(DnsError::PointerLoop);
                    }
                    if usize::from(target) >= msg.len() {
                        return Err(DnsError::BadPointer(target));
                    }
                    after.get_or_insert(pos + 2);
                    pos = usize::from(target);
                }
            }
        }
    }

    /// The labels in order, compression pointers followed.
    pub fn labels(&self) -> Labels<'a> {
        Labels {
            msg: self.msg,
            pos: self.start,
            steps: MAX_POINTERS + MAX_WIRE_LEN,
            wire_len: 1,
        }
    }

    /// The name as text: labels joined by '.', no trailing dot, the root as
    /// "". As in Joy, unprintable bytes become '*'; unlike Joy, a label that
    /// is valid UTF-8 (mDNS and LLMNR names are) keeps its non-ASCII
    /// characters, as tshark shows them. At most 255 wire bytes are read.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (i, label) in self.labels().enumerate() {
            if i > 0 {
                out.push('.');
            }
            push_label(&mut out, label);
        }
        out
    }
}

/// Appends one label: UTF-8 text with control characters as '*', or, if not
/// UTF-8, printable ASCII bytes with every other byte as '*' (Joy's rule).
pub(crate) fn push_label(out: &mut String, label: &[u8]) {
    match std::str::from_utf8(label) {
        Ok(s) => out.extend(s.chars().map(|c| if c.is_control() { '*' } else { c })),
        Err(_) => out.extend(label.iter().map(|&b| {
            if (0x20..0x7f).contains(&b) {
                char::from(b)
            } else {
                '*'
            }
        })),
    }
}

/// Iterator over a validated name's labels.
pub struct Labels<'a> {
    msg: &'a [u8],
    pos: usize,
    /// Steps left: a validated name never runs out, a bad one stops.
    steps: usize,
    /// Wire bytes read so far; labels past 255 are not returned.
    wire_len: usize,
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            self.steps = self.steps.checked_sub(1)?;
            match step(self.msg, self.pos).ok()? {
                Step::End => return None,
                Step::Label(label, next) => {
                    self.wire_len += label.len() + 1;
                    if self.wire_len > MAX_WIRE_LEN {
                        self.steps = 0;
                        return None;
                    }
                    self.pos = next;
                    return Some(label);
                }
                Step::Pointer(target) => self.pos = usize::from(target),
            }
        }
    }
}
