//! Running libfixbuf's `ipfixDump` and reading its text.
//!
//! `ipfixDump --in FILE` prints every message header, template and data
//! record of an RFC 5655 file. Its warnings go to stderr and its exit code
//! is 0 whatever it found, so callers check stderr and the closing
//! `*** File Stats ... ***` line. [`parse_dump`] keeps the data records and
//! that line; message headers and templates are skipped.
//!
//! A data record looks like this (`^I` is a tab):
//!
//! ```text
//! --- data record 32 ---
//! header:
//! ^Icount: 36      tid:   258 (0x0102)
//! fields:
//! ^I(148)                             flowId : 44
//! ^I(29305/1)         reverseOctetDeltaCount : 1547
//! ^I(291)                          basicList :
//! ^I^I+++ basicList +++
//! ^I^I^Icount: 4       semantic: 4-ordered         ie: (9/12184) sequenceOfPacketLengths
//! ^I^I^I1  : 217
//! ^I(8057/808)                        tlsSni : (len: 14) 0x3139322e...
//! ```
//!
//! Quirks the accessors deal with: times are UTC `YYYY-MM-DD hh:mm:ss.mmm`;
//! IPv6 groups are zero-padded (`2001:0db8::0001`, which `Ipv6Addr`
//! parses); strings are `(len: N) TEXT`; with `--hexdump` octet arrays
//! are `(len: N) 0xHEX`, without it only `len: N`. An enterprise string
//! whose type ipfixDump learned only after the template is an octet array.
use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    path::Path,
    process::Command,
};

/// A field's value: its text as printed, or a basicList.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DumpValue {
    Text(String),
    List(BasicList),
}

/// A basicList (RFC 6313) as ipfixDump prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicList {
    /// Semantic number (4 = ordered).
    pub semantic: u8,
    /// The list's element.
    pub pen: u32,
    pub id: u16,
    pub name: String,
    /// The items' text, in order.
    pub items: Vec<String>,
}

impl BasicList {
    /// The items as unsigned integers.
    pub fn uints(&self) -> Vec<u64> {
        self.items
            .iter()
            .map(|s| {
                s.parse().unwrap_or_else(|_| {
                    panic!("list item {s:?} of {} is not an integer", self.name)
                })
            })
            .collect()
    }
}

/// One field of a data record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpField {
    /// Enterprise number (0 for IANA elements).
    pub pen: u32,
    pub id: u16,
    /// Element name as ipfixDump knows it.
    pub name: String,
    /// Scope field of an options record.
    pub scope: bool,
    pub value: DumpValue,
}

/// One data record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpRecord {
    /// ipfixDump's running number (from 1, across the whole file).
    pub number: u64,
    /// Template id.
    pub tid: u16,
    pub fields: Vec<DumpField>,
}

/// The `*** File Stats: M Messages, D Data Records, T Template Records ***` line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileStats {
    pub messages: u64,
    pub data_records: u64,
    pub template_records: u64,
}

/// A parsed dump: the data records in file order and the file stats.
#[derive(Clone, Debug, Default)]
pub struct Dump {
    pub records: Vec<DumpRecord>,
    /// `None` when the dump has no File Stats line (ipfixDump stopped early).
    pub stats: Option<FileStats>,
}

/// What ipfixDump printed.
pub struct DumpOutput {
    pub stdout: String,
    pub stderr: String,
}

/// Runs `ipfixDump --in FILE` with `args` before it; fails the test if it
/// cannot be run or exits nonzero (it does so only when FILE cannot be opened).
pub fn run_ipfix_dump(file: &Path, args: &[&str]) -> DumpOutput {
    let out = Command::new("ipfixDump")
        .args(args)
        .arg("--in")
        .arg(file)
        .output()
        .expect("running ipfixDump (libfixbuf-tools, installed by `cargo xtask setup`)");
    assert!(
        out.status.success(),
        "ipfixDump failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    DumpOutput {
        stdout: String::from_utf8(out.stdout).expect("ipfixDump output is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Parses ipfixDump's text output (default or `--data` mode, with or
/// without `--hexdump`). Panics, naming the line, on anything unexpected
/// inside a data record.
pub fn parse_dump(text: &str) -> Dump {
    let mut dump = Dump::default();
    // The record being read; closed by any line that is not part of it.
    let mut cur: Option<DumpRecord> = None;
    for (n, line) in text.lines().enumerate() {
        let at = || format!("ipfixDump output line {}: {line:?}", n + 1);
        if let Some(num) = line
            .strip_prefix("--- data record ")
            .and_then(|s| s.strip_suffix(" ---"))
        {
            dump.records.extend(cur.take());
            cur = Some(DumpRecord {
                number: num.parse().unwrap_or_else(|_| panic!("{}", at())),
                tid: 0,
                fields: Vec::new(),
            });
            continue;
        }
        if let Some(s) = line.strip_prefix("*** File Stats: ") {
            dump.records.extend(cur.take());
            dump.stats = Some(parse_file_stats(s).unwrap_or_else(|| panic!("{}", at())));
            continue;
        }
        let Some(rec) = cur.as_mut() else {
            continue;
        };
        if line == "header:" || line == "fields:" {
            continue;
        }
        if let Some(h) = line.strip_prefix("\tcount:") {
            // "\tcount: 36      tid:   258 (0x0102) "
            let tid = h
                .split_once("tid:")
                .and_then(|(_, t)| t.split_whitespace().next()?.parse().ok())
                .unwrap_or_else(|| panic!("{}", at()));
            rec.tid = tid;
            continue;
        }
        if let Some(item) = line.strip_prefix("\t\t\t") {
            let list = match rec.fields.last_mut().map(|f| &mut f.value) {
                Some(DumpValue::List(l)) => Some(l),
                _ => None,
            };
            if let Some(h) = item.strip_prefix("count: ") {
                // "count: 4       semantic: 4-ordered         ie: (9/12184) name"
                let f = rec.fields.last_mut().unwrap_or_else(|| panic!("{}", at()));
                let l = parse_list_header(h).unwrap_or_else(|| panic!("{}", at()));
                f.value = DumpValue::List(l);
            } else {
                let l = list.unwrap_or_else(|| panic!("list item outside a list: {}", at()));
                let (idx, v) = item.split_once(" : ").unwrap_or_else(|| panic!("{}", at()));
                assert_eq!(
                    idx.trim().parse::<usize>().ok(),
                    Some(l.items.len() + 1),
                    "list items out of order: {}",
                    at()
                );
                l.items.push(v.to_string());
            }
            continue;
        }
        if line == "\t\t+++ basicList +++" {
            // The list's header line follows and fills in the value.
            assert!(
                matches!(rec.fields.last(), Some(f) if f.id == 291 && f.pen == 0),
                "basicList without its field: {}",
                at()
            );
            continue;
        }
        if let Some(f) = line.strip_prefix("\t(") {
            rec.fields
                .push(parse_field(f).unwrap_or_else(|| panic!("{}", at())));
            continue;
        }
        // Anything else ends the record (message header, stats, templates).
        if !line.is_empty() {
            dump.records.extend(cur.take());
        }
    }
    dump.records.extend(cur.take());
    for r in &dump.records {
        assert!(
            r.tid >= 256,
            "data record {} without a template id",
            r.number
        );
        for f in &r.fields {
            if let DumpValue::List(l) = &f.value {
                assert!(l.id != 0, "basicList header missing in record {}", r.number);
            }
        }
    }
    dump
}

fn parse_file_stats(s: &str) -> Option<FileStats> {
    // "367 Messages, 754 Data Records, 7 Template Records ***"
    let w: Vec<&str> = s.split_whitespace().collect();
    let num = |word: &str| -> Option<u64> {
        let i = w.iter().position(|x| x.trim_end_matches(',') == word)?;
        w.get(i.checked_sub(1)?)?.parse().ok()
    };
    Some(FileStats {
        messages: num("Messages")?,
        data_records: w
            .windows(3)
            .find(|x| x[1] == "Data" && x[2].starts_with("Records"))?[0]
            .parse()
            .ok()?,
        template_records: w
            .windows(3)
            .find(|x| x[1] == "Template" && x[2].starts_with("Records"))?[0]
            .parse()
            .ok()?,
    })
}

/// `(pen/id)` or `(id)`.
fn parse_ie(s: &str) -> Option<(u32, u16)> {
    match s.split_once('/') {
        Some((pen, id)) => Some((pen.parse().ok()?, id.parse().ok()?)),
        None => Some((0, s.parse().ok()?)),
    }
}

fn parse_list_header(h: &str) -> Option<BasicList> {
    let (_count, rest) = h.split_once("semantic: ")?;
    let (sem, rest) = rest.split_once('-')?;
    let (_, ie) = rest.split_once("ie: (")?;
    let (ie, name) = ie.split_once(") ")?;
    let (pen, id) = parse_ie(ie)?;
    Some(BasicList {
        semantic: sem.trim().parse().ok()?,
        pen,
        id,
        name: name.trim().to_string(),
        items: Vec::new(),
    })
}

/// `8)                    sourceIPv4Address : 10.0.0.1` (after "\t(").
fn parse_field(f: &str) -> Option<DumpField> {
    let (ie, rest) = f.split_once(')')?;
    let (pen, id) = parse_ie(ie)?;
    let (scope, rest) = match rest.strip_prefix(" (S)") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let (name, value) = rest.split_once(" : ")?;
    Some(DumpField {
        pen,
        id,
        name: name.trim().to_string(),
        scope,
        value: DumpValue::Text(value.to_string()),
    })
}

impl DumpRecord {
    /// The first field with this element.
    pub fn field(&self, pen: u32, id: u16) -> Option<&DumpField> {
        self.fields.iter().find(|f| f.pen == pen && f.id == id)
    }

    /// The text of the first field with this element; panics if absent.
    pub fn text(&self, pen: u32, id: u16) -> &str {
        match self.field(pen, id).map(|f| &f.value) {
            Some(DumpValue::Text(t)) => t,
            _ => panic!(
                "record {} (tid {}) has no field {pen}/{id}",
                self.number, self.tid
            ),
        }
    }

    /// An unsigned integer field.
    pub fn uint(&self, pen: u32, id: u16) -> u64 {
        let t = self.text(pen, id);
        t.parse().unwrap_or_else(|_| {
            panic!(
                "record {}: {pen}/{id} = {t:?} is not an integer",
                self.number
            )
        })
    }

    /// An address field (IPv4 dotted quad or zero-padded IPv6).
    pub fn ip(&self, pen: u32, id: u16) -> IpAddr {
        let t = self.text(pen, id);
        t.parse::<Ipv4Addr>()
            .map(IpAddr::V4)
            .or_else(|_| t.parse::<Ipv6Addr>().map(IpAddr::V6))
            .unwrap_or_else(|_| {
                panic!(
                    "record {}: {pen}/{id} = {t:?} is not an address",
                    self.number
                )
            })
    }

    /// A dateTimeMilliseconds field as milliseconds since the epoch.
    pub fn time_ms(&self, pen: u32, id: u16) -> u64 {
        let t = self.text(pen, id);
        parse_utc_ms(t)
            .unwrap_or_else(|| panic!("record {}: {pen}/{id} = {t:?} is not a time", self.number))
    }

    /// An octetArray or string field printed with `--hexdump`.
    pub fn bytes(&self, pen: u32, id: u16) -> Vec<u8> {
        let t = self.text(pen, id);
        parse_hexdump(t).unwrap_or_else(|| {
            panic!(
                "record {}: {pen}/{id} = {t:?} is not `(len: N) 0xHEX` (run ipfixDump with --hexdump)",
                self.number
            )
        })
    }

    /// A string field: `(len: N) TEXT`, N the UTF-8 length of TEXT.
    pub fn string(&self, pen: u32, id: u16) -> String {
        let t = self.text(pen, id);
        parse_string(t).unwrap_or_else(|| {
            panic!(
                "record {}: {pen}/{id} = {t:?} is not `(len: N) TEXT` (is the element a string?)",
                self.number
            )
        })
    }

    /// The basicLists of the record, in order.
    pub fn lists(&self) -> impl Iterator<Item = &BasicList> {
        self.fields.iter().filter_map(|f| match &f.value {
            DumpValue::List(l) => Some(l),
            DumpValue::Text(_) => None,
        })
    }

    /// The basicList whose items are element `pen/id`; panics if absent.
    pub fn list(&self, pen: u32, id: u16) -> &BasicList {
        self.lists()
            .find(|l| l.pen == pen && l.id == id)
            .unwrap_or_else(|| {
                panic!(
                    "record {} (tid {}) has no basicList of {pen}/{id}",
                    self.number, self.tid
                )
            })
    }
}

/// `(len: 3) 0x616263` or `(len: 0)` as bytes.
pub fn parse_hexdump(t: &str) -> Option<Vec<u8>> {
    let rest = t.strip_prefix("(len: ")?;
    let (len, hex) = rest.split_once(')')?;
    let len: usize = len.parse().ok()?;
    let hex = hex.trim();
    let hex = if len == 0 {
        hex
    } else {
        hex.strip_prefix("0x")?
    };
    if hex.len() != 2 * len || !hex.is_ascii() {
        return None;
    }
    (0..len)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// `(len: 3) abc` or `(len: 0)` as the string.
pub fn parse_string(t: &str) -> Option<String> {
    let rest = t.strip_prefix("(len: ")?;
    let (len, text) = rest.split_once(')')?;
    let text = text.strip_prefix(' ').unwrap_or(text);
    (len.parse::<usize>().ok()? == text.len()).then(|| text.to_string())
}

/// `YYYY-MM-DD hh:mm:ss.mmm` (UTC) as milliseconds since the epoch.
pub fn parse_utc_ms(t: &str) -> Option<u64> {
    let (date, time) = t.split_once(' ')?;
    let d: Vec<i64> = date
        .split('-')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let (hms, ms) = time.split_once('.')?;
    let h: Vec<i64> = hms
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    if d.len() != 3 || h.len() != 3 || ms.len() != 3 {
        return None;
    }
    let days = days_from_civil(d[0], d[1], d[2]);
    let secs = days * 86_400 + h[0] * 3600 + h[1] * 60 + h[2];
    u64::try_from(secs * 1000 + ms.parse::<i64>().ok()?).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "--- Message Header ---
export time: 2023-11-14 22:13:20\tobservation domain id: 1
message length: 172             \tsequence number: 0 (0)

--- template record ---
header:
\ttid:   256 (0x0100)    field count:    16    scope:     0
fields:
\tent:     0  id:     8  type: ipv4      len:     4     sourceIPv4Address
*** Msg Stats: 1 Template Records ***

--- data record 1 ---
header:
\tcount: 5      tid:   256 (0x0100) 
fields:
\t(8)                    sourceIPv4Address : 10.0.0.1
\t(27)                   sourceIPv6Address : 2001:0db8::0001
\t(152)              flowStartMilliseconds : 2023-11-14 22:12:20.005
\t(291)                          basicList : 
\t\t+++ basicList +++
\t\t\tcount: 2       semantic: 4-ordered         ie: (9/28568) reverseSequenceOfPacketLengths
\t\t\t1  : 7
\t\t\t2  : 8
\t(8057/808)                        tlsSni : (len: 3) abc
\t(9/12172)              initialDataPacket : (len: 3) 0x616263
--- data record 2 ---
header:
\tcount: 2      tid:   511 (0x01ff) 
fields:
\t(346) (S)        privateEnterpriseNumber : 9
\t(341)             informationElementName : (len: 0)
*** Msg Stats: 2 Data Records (length: 156) ***

*** File Stats: 2 Messages, 2 Data Records, 1 Template Records ***
";

    #[test]
    fn parses_records_lists_and_stats() {
        let d = parse_dump(SAMPLE);
        assert_eq!(
            d.stats,
            Some(FileStats {
                messages: 2,
                data_records: 2,
                template_records: 1
            })
        );
        assert_eq!(d.records.len(), 2);
        let r = &d.records[0];
        assert_eq!((r.number, r.tid, r.fields.len()), (1, 256, 6));
        assert_eq!(r.ip(0, 8), "10.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(r.ip(0, 27), "2001:db8::1".parse::<IpAddr>().unwrap());
        assert_eq!(r.time_ms(0, 152), 1_699_999_940_005);
        assert_eq!(r.list(9, 28568).uints(), vec![7, 8]);
        assert_eq!(r.list(9, 28568).semantic, 4);
        assert_eq!(r.string(8057, 808), "abc");
        assert_eq!(r.bytes(9, 12172), b"abc");
        let t = &d.records[1];
        assert_eq!(t.tid, 511);
        assert!(t.field(0, 346).unwrap().scope);
        assert_eq!(t.string(0, 341), "");
        assert_eq!(t.bytes(0, 341), b"");
    }

    #[test]
    fn utc_times() {
        assert_eq!(parse_utc_ms("1970-01-01 00:00:00.000"), Some(0));
        assert_eq!(
            parse_utc_ms("2016-08-02 02:19:41.237"),
            Some(1_470_104_381_237)
        );
        assert_eq!(
            parse_utc_ms("2000-02-29 23:59:59.999"),
            Some(951_868_799_999)
        );
        assert_eq!(parse_utc_ms("2000-02-29 23:59:59"), None);
    }
}
