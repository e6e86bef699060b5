//! Pseudonymization of listed usernames in HTTP request URIs, after Joy's
//! `useranon=FILE` (`joy_anon_http_usernames`).
//!
//! Joy applies it to the request URI only (`http_print_message` runs the
//! username matcher over `line->uri`; header values and bodies are printed
//! unchanged). It finds the listed names in the URI, leftmost and longest
//! first, without overlap, and replaces a match only when it stands alone: the
//! character before it is the start of the URI or one of ``? & / - \ _ . = ;``,
//! and so is the character after it (or the end of the URI). So with `bob`
//! listed, `/home/bob/x` and `/q?user=bob&x=1` are rewritten, `/bobby` and
//! `/home/xbob` are not.
//!
//! The replacement is a keyed pseudonym: the first 16 bytes, in lowercase hex
//! (32 characters), of `HMAC-SHA256(K, username)`, where
//! `K = HMAC-SHA256(anonymization key, "sluice username pseudonym v1")`. The same
//! key and name always give the same pseudonym; without the key it cannot be
//! linked back to the name. (Joy encrypts the name with AES under its own key
//! file and prints 32 hex digits; the length is the same, the values are not.)
use std::collections::HashSet;
use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::error::AnonError;
use super::key::AnonKey;

type HmacSha256 = Hmac<Sha256>;

/// The context string from which the pseudonym key is derived.
const PSEUDONYM_CONTEXT: &[u8] = b"sluice username pseudonym v1";

/// Whether `c` may border a username for it to be replaced (Joy's `is_special`).
fn is_boundary(c: u8) -> bool {
    matches!(
        c,
        b'?' | b'&' | b'/' | b'-' | b'\\' | b'_' | b'.' | b'=' | b';'
    )
}

/// The listed usernames and the key of their pseudonyms.
#[derive(Clone)]
pub struct UsernameSet {
    names: HashSet<Box<str>>,
    /// Distinct name lengths in bytes, longest first.
    lengths: Vec<usize>,
    mac: HmacSha256,
}

impl std::fmt::Debug for UsernameSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsernameSet")
            .field("names", &self.names.len())
            .finish_non_exhaustive()
    }
}

impl UsernameSet {
    /// Reads a usernames file: one user id per line and nothing else. Surrounding
    /// whitespace is ignored and blank lines are skipped; a line with inner
    /// whitespace is an error.
    pub fn load(path: &Path, key: &AnonKey) -> Result<Self, AnonError> {
        let bytes = std::fs::read(path).map_err(|source| AnonError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&bytes, path, key)
    }

    /// Parses the contents of a usernames file; `path` is only used in errors.
    pub fn parse(data: &[u8], path: &Path, key: &AnonKey) -> Result<Self, AnonError> {
        let mut names = HashSet::new();
        for (i, raw) in data.split(|&b| b == b'\n').enumerate() {
            let err = |why: &str| AnonError::Line {
                path: path.to_path_buf(),
                line: i + 1,
                text: String::from_utf8_lossy(raw.trim_ascii()).into_owned(),
                why: why.to_string(),
            };
            let line = std::str::from_utf8(raw).map_err(|_| err("not valid UTF-8"))?;
            let name = line.trim();
            if name.is_empty() {
                continue;
            }
            if name.contains(char::is_whitespace) {
                return Err(err("a username may not contain whitespace"));
            }
            names.insert(Box::<str>::from(name));
        }
        Ok(Self::from_names(names, key))
    }

    /// A set from names already in hand.
    pub fn from_names(names: HashSet<Box<str>>, key: &AnonKey) -> Self {
        let mut lengths: Vec<usize> = names.iter().map(|n| n.len()).collect();
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        UsernameSet {
            names,
            lengths,
            mac: pseudonym_mac(key),
        }
    }

    /// The number of listed names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name is listed.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The pseudonym of `name` (32 lowercase hex digits), whether listed or not.
    pub fn pseudonym(&self, name: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(name.as_bytes());
        let tag = mac.finalize().into_bytes();
        crate::json::num::hex(tag.get(..16).unwrap_or_default())
    }

    /// The listed names in `uri` that Joy's rule replaces, as byte ranges.
    fn replaced_ranges(&self, uri: &str) -> Vec<(usize, usize)> {
        let bytes = uri.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let found = self.lengths.iter().copied().find(|&len| {
                uri.get(i..i.saturating_add(len))
                    .is_some_and(|s| self.names.contains(s))
            });
            match found {
                Some(len) if len > 0 => {
                    let end = i + len;
                    let before = i == 0 || bytes.get(i - 1).copied().is_some_and(is_boundary);
                    let after = bytes.get(end).copied().is_none_or(is_boundary);
                    if before && after {
                        out.push((i, end));
                    }
                    i = end;
                }
                _ => i += 1,
            }
        }
        out
    }

    /// `uri` with every standalone listed username replaced by its pseudonym, or
    /// `None` when there is nothing to replace. Suitable as the
    /// `&dyn Fn(&str) -> Option<String>` of the HTTP JSON writer.
    pub fn rewrite(&self, uri: &str) -> Option<String> {
        let ranges = self.replaced_ranges(uri);
        if ranges.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(uri.len() + 32 * ranges.len());
        let mut last = 0;
        for (start, end) in ranges {
            out.push_str(uri.get(last..start)?);
            out.push_str(&self.pseudonym(uri.get(start..end)?));
            last = end;
        }
        out.push_str(uri.get(last..)?);
        Some(out)
    }

    /// The pseudonyms of the usernames replaced in `uri`, in order (Joy prints
    /// these as a `usernames` element after the request line).
    pub fn pseudonyms_in(&self, uri: &str) -> Vec<String> {
        self.replaced_ranges(uri)
            .into_iter()
            .filter_map(|(s, e)| uri.get(s..e).map(|n| self.pseudonym(n)))
            .collect()
    }
}

/// `HMAC-SHA256` keyed with the pseudonym key derived from `key`.
fn pseudonym_mac(key: &AnonKey) -> HmacSha256 {
    let mut derive = hmac_with(key.as_bytes());
    derive.update(PSEUDONYM_CONTEXT);
    hmac_with(&derive.finalize().into_bytes().into())
}

/// HMAC-SHA256 under a 32-byte key. HMAC zero-pads keys shorter than the hash
/// block (64 bytes), so keying with the padded block is the same MAC, and
/// infallible.
fn hmac_with(key: &[u8; 32]) -> HmacSha256 {
    let mut block = hmac::digest::Key::<HmacSha256>::default();
    for (d, s) in block.iter_mut().zip(key.iter()) {
        *d = *s;
    }
    <HmacSha256 as hmac::digest::KeyInit>::new(&block)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AnonKey {
        let mut k = [0u8; 32];
        let hex = "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210";
        for (b, i) in k.iter_mut().zip((0..64).step_by(2)) {
            *b = u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
        }
        AnonKey::from_bytes(k)
    }

    fn set(text: &str) -> UsernameSet {
        UsernameSet::parse(text.as_bytes(), Path::new("users.txt"), &key()).unwrap()
    }

    // Expected pseudonyms computed independently with Python's hmac/hashlib:
    // hmac.new(hmac.new(key, b"sluice username pseudonym v1", sha256).digest(),
    //          name.encode(), sha256).hexdigest()[:32]
    const ALICE: &str = "17c8c5ebf729e52120e2c746f0124dc1";
    const BOB: &str = "d7cde5bb238e5778b5afc33e4d329599";
    const BOBBY: &str = "29f52f812b534bf9d8095a6c4b12b83a";
    const ZOE: &str = "314c487e3284cdac4c980c153179ac06";

    #[test]
    fn pseudonyms_are_the_keyed_hmac() {
        let s = set("alice\nbob\n");
        assert_eq!(s.pseudonym("alice"), ALICE);
        assert_eq!(s.pseudonym("bob"), BOB);
        assert_eq!(s.pseudonym("bobby"), BOBBY);
        assert_eq!(s.pseudonym("zoë"), ZOE);
        let other =
            UsernameSet::parse(b"bob", Path::new("u"), &AnonKey::from_bytes([7; 32])).unwrap();
        assert_ne!(other.pseudonym("bob"), BOB);
    }

    #[test]
    fn rewrites_only_standalone_names_per_joys_rule() {
        let s = set("bob\nalice\nbobby\nzoë\n");
        assert_eq!(
            s.rewrite("/home/bob/index.html").as_deref(),
            Some(format!("/home/{BOB}/index.html").as_str())
        );
        assert_eq!(
            s.rewrite("/q?user=alice&x=1;y=bob").as_deref(),
            Some(format!("/q?user={ALICE}&x=1;y={BOB}").as_str())
        );
        // At the very start and end of the URI.
        assert_eq!(s.rewrite("bob").as_deref(), Some(BOB));
        // Longest match wins: "bobby" is listed too.
        assert_eq!(
            s.rewrite("/bobby").as_deref(),
            Some(format!("/{BOBBY}").as_str())
        );
        // Every boundary character of Joy's is_special.
        for c in ['?', '&', '/', '-', '\\', '_', '.', '=', ';'] {
            assert_eq!(
                s.rewrite(&format!("x{c}bob{c}y")),
                Some(format!("x{c}{BOB}{c}y")),
                "{c}"
            );
        }
        assert_eq!(
            s.rewrite("/~zoë/").as_deref(),
            None,
            "'~' is not a boundary"
        );
        assert_eq!(
            s.rewrite("/u/zoë").as_deref(),
            Some(format!("/u/{ZOE}").as_str())
        );
    }

    #[test]
    fn leaves_embedded_or_unlisted_names_alone() {
        let s = set("bob\n");
        assert_eq!(s.rewrite("/home/xbob/"), None);
        assert_eq!(s.rewrite("/bobcat"), None);
        assert_eq!(s.rewrite("/Bob/"), None, "matching is case-sensitive");
        assert_eq!(s.rewrite("/bob:1"), None, "':' is not a boundary");
        assert_eq!(s.rewrite(""), None);
        assert_eq!(s.rewrite("/carol/"), None);
    }

    #[test]
    fn lists_the_pseudonyms_found() {
        let s = set("bob\nalice\n");
        assert_eq!(
            s.pseudonyms_in("/a/bob/alice/xbob/bob"),
            vec![BOB.to_string(), ALICE.to_string(), BOB.to_string()]
        );
    }

    #[test]
    fn file_syntax_and_errors() {
        let s = set("  alice \r\n\n\tbob\n\n");
        assert_eq!(s.len(), 2);
        let e = UsernameSet::parse(b"alice\n\nbob smith\n", Path::new("/etc/users"), &key())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "/etc/users:3: a username may not contain whitespace: 'bob smith'"
        );
        let e = UsernameSet::parse(b"ok\n\xff\xfe\n", Path::new("/etc/users"), &key())
            .unwrap_err()
            .to_string();
        assert_eq!(e, "/etc/users:2: not valid UTF-8: '\u{fffd}\u{fffd}'");
    }
}
