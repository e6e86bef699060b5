//! Fuzz target: the compact byte-distribution map parser. Any text (the input, lossy
//! UTF-8) parses the same way twice or fails naming its first bad line, never panics;
//! it accepts exactly the documented `BYTE BUCKET` lines (blank lines and `#`
//! comments aside, each byte at most once), and a map that parses sends every byte to
//! the bucket its line gives (unlisted bytes to 0), every bucket below `buckets()`,
//! which is one more than the highest bucket used.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sluice::features::compact_bd::{CompactBdError, CompactBdMap};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let path = Path::new("fuzz/compact_bd.txt");
    let parsed = CompactBdMap::parse(&text, path);
    match (oracle(&text), parsed) {
        (Ok(want), Ok(map)) => {
            let buckets = map.buckets();
            assert!((1..=256).contains(&buckets), "{buckets} buckets");
            let mut highest = 0;
            for b in 0..=255u8 {
                let got = map.bucket(b);
                assert!(
                    usize::from(got) < buckets,
                    "byte {b}: bucket {got} of {buckets}"
                );
                assert_eq!(got, want[usize::from(b)].unwrap_or(0), "byte {b}");
                highest = highest.max(got);
            }
            assert_eq!(buckets, usize::from(highest) + 1);
            assert_eq!(CompactBdMap::parse(&text, path).ok(), Some(map));
        }
        (Err(line), Err(e)) => match &e {
            CompactBdError::Line {
                path: p,
                line: l,
                why,
                ..
            } => {
                assert_eq!(p, path);
                assert_eq!(*l, line, "the first bad line is reported");
                assert!(!why.is_empty());
                let shown = e.to_string();
                assert!(
                    shown.starts_with(&format!("{}:{line}: ", path.display())),
                    "{shown}"
                );
            }
            other => panic!("a parse error names a line, not {other:?}"),
        },
        (want, got) => panic!("oracle {want:?}, parser {got:?}"),
    }
});

/// The mapping file as the module documentation describes it: each byte's bucket if
/// listed, or the 1-based number of the first bad line.
fn oracle(text: &str) -> Result<[Option<u8>; 256], usize> {
    let mut map = [None; 256];
    for (i, raw) in text.lines().enumerate() {
        let content = match raw.find('#') {
            Some(at) => &raw[..at],
            None => raw,
        };
        let fields: Vec<&str> = content.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let bad = i + 1;
        let [byte, bucket] = fields[..] else {
            return Err(bad);
        };
        let (Some(byte), Some(bucket)) = (decimal_u8(byte), decimal_u8(bucket)) else {
            return Err(bad);
        };
        let slot = &mut map[usize::from(byte)];
        if slot.is_some() {
            return Err(bad);
        }
        *slot = Some(bucket);
    }
    Ok(map)
}

/// A decimal number 0..=255: digits only (leading zeros allowed).
fn decimal_u8(s: &str) -> Option<u8> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = s.bytes().fold(0u32, |n, b| {
        n.saturating_mul(10).saturating_add(u32::from(b - b'0'))
    });
    u8::try_from(n).ok()
}
