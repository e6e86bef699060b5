//! The JSON writer's leaf helpers, below every layer that serializes itself
//! (protocols, features, export): fast numbers and hex ([`num`]) and escaped
//! strings.

use std::io::{self, Write};

pub mod num;

pub use num::{hex, write_fixed6, write_hex, write_ipv4, write_uint, write_uint_list};

/// A rewriter of text values before they are written (the anonymizer's
/// username rewriting of HTTP URIs): `Some(new)` replaces the value.
pub type Rewrite<'a> = Option<&'a dyn Fn(&str) -> Option<String>>;

/// Writes `s` as a JSON string: quoted, with `"`, `\\` and control
/// characters escaped.
pub fn write_str<W: Write + ?Sized>(w: &mut W, s: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *w, s).map_err(io::Error::other)
}
