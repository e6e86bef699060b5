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
/// characters escaped (serde_json's escapes). Most strings need none: they
/// are written in one piece.
pub fn write_str<W: Write + ?Sized>(w: &mut W, s: &str) -> io::Result<()> {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        w.write_all(b"\"")?;
        w.write_all(s.as_bytes())?;
        return w.write_all(b"\"");
    }
    serde_json::to_writer(&mut *w, s).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for s in [
            "",
            "www.ntop.org",
            "a\"b",
            "back\\slash",
            "tab\tnew\nline\u{1}\u{1f}",
            "caf\u{e9} \u{7f} / \u{2028}",
        ] {
            let mut ours = Vec::new();
            write_str(&mut ours, s).unwrap();
            assert_eq!(ours, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }
}
