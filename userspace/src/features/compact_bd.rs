//! Compact byte distribution (Joy's `cdist=FILE`, `joy_update_compact_bd`): a
//! mapping file assigns each byte value to a bucket, and the byte distribution
//! is counted over the buckets instead of over all 256 values.
//!
//! File format (Joy's, read there with `fscanf("%hu\t%hu")`): one pair per line,
//! `BYTE BUCKET`, both decimal, separated by a tab or spaces; `BYTE` is 0..=255
//! and `BUCKET` 0..=255. Byte values not listed go to bucket 0, as in Joy.
//! Blank lines and `#` comments are also accepted (Joy has no comments). Joy's
//! shipped `compact_bd.txt` lists all 256 bytes over buckets 0..=15 and loads
//! as is.
//!
//! There is no built-in default mapping: Joy has none either (compact BD is off
//! unless a file is given), so the mapping always comes from a file.
use std::io::{self, Write};

use crate::features::config::{Feature, FeatureConfig};
use crate::features::feature::{FeaturePacket, FlowContext, FlowFeature};
use crate::features::pool::recycle;
use crate::json::num::write_uint_list;
use std::path::Path;

/// Why a compact BD mapping file could not be used: the features' shared
/// file error (never its `Key` variant).
pub type CompactBdError = crate::error::FileError;

/// A byte-value-to-bucket mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactBdMap {
    map: [u8; 256],
    buckets: usize,
}

impl CompactBdMap {
    /// Reads a mapping file.
    pub fn load(path: &Path) -> Result<Self, CompactBdError> {
        let text = std::fs::read_to_string(path).map_err(|source| CompactBdError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses the text of a mapping file; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, CompactBdError> {
        let mut map = [0u8; 256];
        let mut seen = [false; 256];
        for (i, raw) in text.lines().enumerate() {
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let err = |why: String| CompactBdError::Line {
                path: path.to_path_buf(),
                line: i + 1,
                text: raw.trim().to_string(),
                why,
            };
            let mut fields = content.split_whitespace();
            let (Some(byte), Some(bucket), None) = (fields.next(), fields.next(), fields.next())
            else {
                return Err(err("expected two numbers, 'BYTE BUCKET'".into()));
            };
            let number = |s: &str, what: &str| {
                if s.bytes().all(|b| b.is_ascii_digit()) {
                    s.parse::<u8>().ok()
                } else {
                    None
                }
                .ok_or_else(|| err(format!("{what} '{s}' is not a number from 0 to 255")))
            };
            let byte = number(byte, "byte value")?;
            let bucket = number(bucket, "bucket")?;
            let slot = usize::from(byte);
            if seen.get(slot).copied().unwrap_or(false) {
                return Err(err(format!("byte value {byte} is mapped twice")));
            }
            if let (Some(s), Some(m)) = (seen.get_mut(slot), map.get_mut(slot)) {
                *s = true;
                *m = bucket;
            }
        }
        let buckets = map.iter().copied().max().map_or(1, |m| usize::from(m) + 1);
        Ok(CompactBdMap { map, buckets })
    }

    /// The bucket of a byte value.
    #[inline]
    pub fn bucket(&self, byte: u8) -> u8 {
        self.map.get(usize::from(byte)).copied().unwrap_or(0)
    }

    /// The number of buckets: one more than the highest bucket used (unlisted
    /// byte values count towards bucket 0).
    pub fn buckets(&self) -> usize {
        self.buckets
    }
}

/// A flow's compact byte distribution: counts per bucket of the mapping
/// (Joy's `compact_byte_dist`), sized to the mapping at the first payload.
#[derive(Debug, Default)]
pub struct CompactCounts(Vec<u64>);

recycle!(CompactCounts, |c| c.0.clear());

impl CompactCounts {
    /// Writes `,"compact_byte_dist":[...]` for `counts`, or zeros for every
    /// bucket of `map` when the flow had no payload.
    pub fn write_json_or_zeros(
        counts: Option<&CompactCounts>,
        map: Option<&CompactBdMap>,
        w: &mut Vec<u8>,
    ) -> io::Result<()> {
        w.write_all(b",\"compact_byte_dist\":[")?;
        match counts {
            Some(c) => write_uint_list(w, c.0.iter().copied())?,
            None => {
                let buckets = map.map_or(0, CompactBdMap::buckets);
                write_uint_list(w, std::iter::repeat_n(0, buckets))?
            }
        }
        w.write_all(b"]")
    }

    /// The counts, one per bucket.
    pub fn counts(&self) -> &[u64] {
        &self.0
    }
}

impl FlowFeature for CompactCounts {
    fn on_packet(&mut self, p: &FeaturePacket<'_>, cfg: &FeatureConfig) {
        let Some(map) = cfg.compact_bd.as_deref() else {
            return;
        };
        if self.0.len() != map.buckets() {
            self.0.resize(map.buckets(), 0);
        }
        for &b in p.payload {
            if let Some(c) = self.0.get_mut(usize::from(map.bucket(b))) {
                *c += 1;
            }
        }
    }

    fn write_json(&self, w: &mut Vec<u8>, cx: &FlowContext<'_>) -> io::Result<()> {
        CompactCounts::write_json_or_zeros(Some(self), cx.cfg.compact_bd.as_deref(), w)
    }
}

/// True if the compact byte distribution is on (and has a mapping).
pub(crate) fn enabled(cfg: &FeatureConfig) -> bool {
    cfg.has(Feature::CompactBd) && cfg.compact_bd.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CompactBdMap, String> {
        CompactBdMap::parse(text, Path::new("/etc/cbd.txt")).map_err(|e| e.to_string())
    }

    #[test]
    fn maps_listed_bytes_and_sends_the_rest_to_bucket_zero() {
        // Printable ASCII letters to 1, digits to 2, 0xff to 3; tab and spaces
        // both separate, as with Joy's fscanf.
        let mut text = String::from("# test mapping\n\n");
        for b in b'a'..=b'z' {
            text.push_str(&format!("{b}\t1\n"));
        }
        for b in b'0'..=b'9' {
            text.push_str(&format!("{b}  2   # digit\n"));
        }
        text.push_str("255\t3\n");
        let m = parse(&text).unwrap();
        assert_eq!(m.buckets(), 4);
        assert_eq!(m.bucket(b'a'), 1);
        assert_eq!(m.bucket(b'z'), 1);
        assert_eq!(m.bucket(b'5'), 2);
        assert_eq!(m.bucket(0xff), 3);
        assert_eq!(m.bucket(b'A'), 0);
        assert_eq!(m.bucket(0), 0);
        assert_eq!(
            (0..=255u8).filter(|&b| m.bucket(b) == 0).count(),
            256 - 26 - 10 - 1
        );
    }

    #[test]
    fn empty_file_is_one_bucket() {
        let m = parse("").unwrap();
        assert_eq!(m.buckets(), 1);
        assert_eq!(m.bucket(200), 0);
    }

    #[test]
    fn errors_name_file_and_line() {
        assert_eq!(
            parse("0\t0\n1\t256\n").unwrap_err(),
            "/etc/cbd.txt:2: bucket '256' is not a number from 0 to 255: '1\t256'"
        );
        assert_eq!(
            parse("\n256 1\n").unwrap_err(),
            "/etc/cbd.txt:2: byte value '256' is not a number from 0 to 255: '256 1'"
        );
        assert_eq!(
            parse("7 1\n7 2\n").unwrap_err(),
            "/etc/cbd.txt:2: byte value 7 is mapped twice: '7 2'"
        );
        assert_eq!(
            parse("1 2 3\n").unwrap_err(),
            "/etc/cbd.txt:1: expected two numbers, 'BYTE BUCKET': '1 2 3'"
        );
        assert_eq!(
            parse("5\n").unwrap_err(),
            "/etc/cbd.txt:1: expected two numbers, 'BYTE BUCKET': '5'"
        );
        assert_eq!(
            parse("-1 0\n").unwrap_err(),
            "/etc/cbd.txt:1: byte value '-1' is not a number from 0 to 255: '-1 0'"
        );
        assert_eq!(
            parse("+1 0\n").unwrap_err(),
            "/etc/cbd.txt:1: byte value '+1' is not a number from 0 to 255: '+1 0'"
        );
    }

    #[test]
    fn load_reports_a_missing_file_by_name() {
        let e = CompactBdMap::load(Path::new("/nonexistent/cbd.txt"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/nonexistent/cbd.txt: "), "{e}");
    }
}
