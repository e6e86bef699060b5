//! A small RFC 4180 CSV reader, used by `build.rs` to read the IANA registry
//! (and compiled into the crate's unit tests, which exercise it).
//!
//! - Fields are separated by `,`; records end in CRLF or a bare LF, the last
//!   one possibly at end of input without a line break.
//! - A field starting with `"` is quoted: it runs to the next lone `"`, and may
//!   hold `,`, CR and LF; `""` inside it stands for one `"`. After the closing
//!   quote only `,`, a line break or the end of input may follow.
//! - A `"` inside an unquoted field, a CR not followed by LF outside quotes, or
//!   a quoted field left open at the end of input is an error.
//! - Blank lines are skipped; a leading UTF-8 byte-order mark is ignored.
//!   Field text is returned as is (no trimming).

use std::fmt;

/// One record and the (1-based) line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Line of the input the record starts on, counting LF (a CRLF is one).
    pub line: usize,
    /// The fields, unquoted.
    pub fields: Vec<String>,
}

/// A malformed input: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line of the input the problem is on.
    pub line: usize,
    /// What is wrong.
    pub msg: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.msg)
    }
}

/// Splits `text` into records.
pub fn parse(text: &str) -> Result<Vec<Record>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    let mut records = Vec::new();
    let err = |line: usize, msg: String| Err(ParseError { line, msg });

    while chars.peek().is_some() {
        let record_line = line;
        let mut fields = Vec::new();
        let mut quoted = false;
        loop {
            let mut field = String::new();
            if chars.peek() == Some(&'"') {
                let open_line = line;
                quoted = true;
                chars.next();
                loop {
                    match chars.next() {
                        None => {
                            return err(
                                open_line,
                                "quoted field is not closed before the end of the file".into(),
                            )
                        }
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            field.push(c);
                        }
                    }
                }
                if let Some(&c) = chars.peek() {
                    if !matches!(c, ',' | '\r' | '\n') {
                        return err(line, format!("{c:?} after the closing quote of a field"));
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    match c {
                        ',' | '\r' | '\n' => break,
                        '"' => return err(line, "quote inside an unquoted field".into()),
                        _ => {
                            field.push(c);
                            chars.next();
                        }
                    }
                }
            }
            fields.push(field);
            match chars.next() {
                Some(',') => {}
                Some('\r') => {
                    if chars.next() != Some('\n') {
                        return err(line, "carriage return not followed by a line feed".into());
                    }
                    line += 1;
                    break;
                }
                Some('\n') => {
                    line += 1;
                    break;
                }
                None => break,
                Some(c) => return err(line, format!("unexpected {c:?} after a field")),
            }
        }
        let blank = !quoted && fields.len() == 1 && fields.first().is_some_and(String::is_empty);
        if !blank {
            records.push(Record {
                line: record_line,
                fields,
            });
        }
    }
    Ok(records)
}
