//! Generates `$OUT_DIR/iana_registry.rs` from IANA's IPFIX information-element
//! registry, `registry/ipfix-information-elements.csv` (see
//! `registry/README.md`), for `src/registry.rs` to include:
//!
//! - `TABLE`: every assigned element, sorted by id. Rows whose ElementID is a
//!   range (`34-35`), and rows with no data type (Reserved, Unassigned,
//!   "Assigned for NetFlow v9 compatibility") are skipped.
//! - `BY_NAME`: (name, index into `TABLE`) sorted by name, for lookups.
//! - `REGISTRY_DATE`: the latest value of the `Date` column.
//! - `pub mod ie`: one `pub const NAME: u16 = id;` per element, the name
//!   being the IANA camelCase name in SCREAMING_SNAKE_CASE (see
//!   [`const_name`]).
//!
//! Any problem (malformed CSV, unknown data type, id out of 1..=32767,
//! duplicate id, name or constant name) fails the build with the file and
//! line.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs, process};

#[path = "codegen/csv.rs"]
mod csv;

const CSV_PATH: &str = "registry/ipfix-information-elements.csv";

/// IANA data-type names and the `DataType` variant each one maps to.
const DATA_TYPES: &[(&str, &str)] = &[
    ("octetArray", "OctetArray"),
    ("unsigned8", "Unsigned8"),
    ("unsigned16", "Unsigned16"),
    ("unsigned32", "Unsigned32"),
    ("unsigned64", "Unsigned64"),
    ("signed8", "Signed8"),
    ("signed16", "Signed16"),
    ("signed32", "Signed32"),
    ("signed64", "Signed64"),
    ("float32", "Float32"),
    ("float64", "Float64"),
    ("boolean", "Boolean"),
    ("macAddress", "MacAddress"),
    ("string", "String"),
    ("dateTimeSeconds", "DateTimeSeconds"),
    ("dateTimeMilliseconds", "DateTimeMilliseconds"),
    ("dateTimeMicroseconds", "DateTimeMicroseconds"),
    ("dateTimeNanoseconds", "DateTimeNanoseconds"),
    ("ipv4Address", "Ipv4Address"),
    ("ipv6Address", "Ipv6Address"),
    ("basicList", "BasicList"),
    ("subTemplateList", "SubTemplateList"),
    ("subTemplateMultiList", "SubTemplateMultiList"),
];

/// Mixed-case abbreviations read as one word by [`const_name`]: without
/// these, `sourceIPv6Address` would split as `SOURCE_I_PV6_ADDRESS`.
const WORDS: &[(&str, &str)] = &[
    ("IPv4", "Ipv4"),
    ("IPv6", "Ipv6"),
    ("IPSec", "Ipsec"),
    ("MCast", "Mcast"),
];

/// Whole names the rule of [`const_name`] gets wrong (`VRFname` would be
/// `VR_FNAME`).
const OVERRIDES: &[(&str, &str)] = &[("VRFname", "VRF_NAME")];

/// One element, as generated.
struct Element {
    line: usize,
    id: u16,
    name: String,
    variant: &'static str,
    data_type: String,
    semantics: String,
    units: String,
    status: String,
    const_name: String,
}

fn main() {
    println!("cargo:rerun-if-changed={CSV_PATH}");
    println!("cargo:rerun-if-changed=codegen/csv.rs");
    println!("cargo:rerun-if-changed=build.rs");
    if let Err(msg) = run() {
        eprintln!("error: {msg}");
        process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?;
    let out_dir = env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?;
    let path = Path::new(&manifest_dir).join(CSV_PATH);
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (elements, date) = read_registry(&path, &text)?;
    let code = generate(&elements, &date);
    let out = PathBuf::from(out_dir).join("iana_registry.rs");
    fs::write(&out, code).map_err(|e| format!("{}: {e}", out.display()))
}

/// The assigned elements sorted by id, and the registry date.
fn read_registry(path: &Path, text: &str) -> Result<(Vec<Element>, String), String> {
    let at = |line: usize, msg: String| format!("{}:{line}: {msg}", path.display());
    let records = csv::parse(text).map_err(|e| at(e.line, e.msg))?;
    let (header, rows) = records
        .split_first()
        .ok_or_else(|| format!("{}: empty file", path.display()))?;
    let column = |name: &str| {
        header
            .fields
            .iter()
            .position(|f| f.trim() == name)
            .ok_or_else(|| at(header.line, format!("no `{name}` column in the header")))
    };
    let (c_id, c_name, c_type) = (column("ElementID")?, column("Name")?, column("Data Type")?);
    let (c_sem, c_status) = (column("Data Type Semantics")?, column("Status")?);
    let (c_units, c_date) = (column("Units")?, column("Date")?);

    let mut elements = Vec::new();
    let mut date = String::new();
    for row in rows {
        if row.fields.len() != header.fields.len() {
            return Err(at(
                row.line,
                format!(
                    "{} fields, the header has {}",
                    row.fields.len(),
                    header.fields.len()
                ),
            ));
        }
        let field = |c: usize| row.fields.get(c).map_or("", |f| f.trim());
        let row_date = field(c_date);
        if !row_date.is_empty() {
            if !is_date(row_date) {
                return Err(at(row.line, format!("Date `{row_date}` is not YYYY-MM-DD")));
            }
            if row_date > date.as_str() {
                date = row_date.to_string();
            }
        }
        let (id, name, data_type) = (field(c_id), field(c_name), field(c_type));
        if id.contains('-') || data_type.is_empty() || is_placeholder(name) {
            continue;
        }
        let id: u16 = id
            .parse()
            .map_err(|_| at(row.line, format!("ElementID `{id}` is not a number")))?;
        if !(1..=32767).contains(&id) {
            return Err(at(row.line, format!("ElementID {id} is outside 1..=32767")));
        }
        if !is_ie_name(name) {
            return Err(at(
                row.line,
                format!("element {id}: `{name}` is not a valid name"),
            ));
        }
        let variant = DATA_TYPES
            .iter()
            .find(|(iana, _)| *iana == data_type)
            .map(|(_, variant)| *variant)
            .ok_or_else(|| {
                at(
                    row.line,
                    format!(
                        "element {id} ({name}): unknown data type `{data_type}` \
                         (add it to DataType in src/registry.rs and DATA_TYPES in build.rs)"
                    ),
                )
            })?;
        elements.push(Element {
            line: row.line,
            id,
            name: name.to_string(),
            variant,
            data_type: data_type.to_string(),
            semantics: field(c_sem).to_string(),
            units: field(c_units).to_string(),
            status: field(c_status).to_string(),
            const_name: const_name(name),
        });
    }
    if elements.is_empty() {
        return Err(format!("{}: no elements", path.display()));
    }

    elements.sort_by_key(|e| e.id);
    let mut ids: HashMap<u16, &Element> = HashMap::new();
    let mut names: HashMap<&str, &Element> = HashMap::new();
    let mut consts: HashMap<&str, &Element> = HashMap::new();
    for e in &elements {
        if let Some(first) = ids.insert(e.id, e) {
            return Err(at(
                e.line,
                format!("ElementID {} already on line {}", e.id, first.line),
            ));
        }
        if let Some(first) = names.insert(&e.name, e) {
            return Err(at(
                e.line,
                format!(
                    "name `{}` already used by element {} on line {}",
                    e.name, first.id, first.line
                ),
            ));
        }
        if let Some(first) = consts.insert(&e.const_name, e) {
            return Err(at(
                e.line,
                format!(
                    "element {} ({}) and element {} ({}, line {}) both make the constant ie::{}; \
                     give one of them a name in OVERRIDES in build.rs",
                    e.id, e.name, first.id, first.name, first.line, e.const_name
                ),
            ));
        }
    }
    Ok((elements, date))
}

fn is_date(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// Names IANA gives to rows that are not elements.
fn is_placeholder(name: &str) -> bool {
    name.eq_ignore_ascii_case("reserved")
        || name.eq_ignore_ascii_case("unassigned")
        || name.starts_with("Assigned for")
}

/// An IANA element name: an ASCII letter, then ASCII letters and digits.
fn is_ie_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The `ie` constant name of an element: the camelCase name split into words
/// and upper-cased, joined by `_`. A word starts at an upper-case letter that
/// follows a lower-case letter or a digit (`octetDelta` -> `OCTET_DELTA`,
/// `ipv4Options` -> `IPV4_OPTIONS`), or that ends a run of capitals before a
/// lower-case letter (`postNATSource` -> `POST_NAT_SOURCE`). The
/// abbreviations in [`WORDS`] are read as one word first
/// (`sourceIPv6Address` -> `SOURCE_IPV6_ADDRESS`), and the names in
/// [`OVERRIDES`] are taken as they are given there.
fn const_name(name: &str) -> String {
    if let Some((_, fixed)) = OVERRIDES.iter().find(|(n, _)| *n == name) {
        return (*fixed).to_string();
    }
    let mut s = name.to_string();
    for (word, as_one) in WORDS {
        s = s.replace(word, as_one);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(chars.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn generate(elements: &[Element], date: &str) -> String {
    let mut code = String::new();
    let n = elements.len();
    // `write!` to a String cannot fail.
    let _ = writeln!(
        code,
        "// Generated by build.rs from {CSV_PATH}: do not edit.\n\n\
         /// The registry's date: the latest value of its `Date` column.\n\
         pub(super) const REGISTRY_DATE: &str = {date:?};\n\n\
         /// Every assigned element, sorted by id.\n\
         pub(super) static TABLE: [InfoElement; {n}] = ["
    );
    for e in elements {
        let _ = writeln!(
            code,
            "    InfoElement {{ id: {}, name: {:?}, data_type: DataType::{}, semantics: {:?}, \
             units: {:?}, status: {:?} }},",
            e.id, e.name, e.variant, e.semantics, e.units, e.status
        );
    }
    let _ = writeln!(
        code,
        "];\n\n\
         /// (name, index into `TABLE`), sorted by name.\n\
         pub(super) static BY_NAME: [(&str, u16); {n}] = ["
    );
    let mut by_name: Vec<(&str, usize)> = elements
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.as_str(), i))
        .collect();
    by_name.sort_unstable();
    for (name, i) in by_name {
        let _ = writeln!(code, "    ({name:?}, {i}),");
    }
    let _ = writeln!(
        code,
        "];\n\n\
         pub mod ie {{\n\
         \x20   //! IANA information-element ids, one constant per element of the\n\
         \x20   //! registry (registry date {date}).\n\
         \x20   //!\n\
         \x20   //! Each constant is the element's IANA name in SCREAMING_SNAKE_CASE:\n\
         \x20   //! `octetDeltaCount` is [`OCTET_DELTA_COUNT`], `sourceIPv6Address` is\n\
         \x20   //! [`SOURCE_IPV6_ADDRESS`], `postNATSourceIPv4Address` is\n\
         \x20   //! [`POST_NAT_SOURCE_IPV4_ADDRESS`] (the rule is in the crate's `build.rs`).\n"
    );
    for e in elements {
        let mut doc = format!("`{}` ({}): {}", e.name, e.id, e.data_type);
        for extra in [&e.semantics, &e.units] {
            if !extra.is_empty() {
                doc.push_str(", ");
                doc.push_str(extra);
            }
        }
        if !e.status.is_empty() && e.status != "current" {
            doc.push_str(" (");
            doc.push_str(&e.status);
            doc.push(')');
        }
        doc.push('.');
        let _ = writeln!(
            code,
            "    #[doc = {doc:?}]\n    pub const {}: u16 = {};",
            e.const_name, e.id
        );
    }
    code.push_str("}\n");
    code
}
