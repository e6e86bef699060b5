//! Every capture of the shared corpus reads to the same frame count and wire bytes as
//! tshark's reference.
//!
//! The corpus is found through `SLUICE_CORPUS` (default `../../shared/corpus` from this
//! crate); the test fails when it is missing.
//!
//! Three rules account for tshark's own behaviour, not ours:
//! - tshark's `frame.len` is a signed 32-bit length in its dissection engine, so an original
//!   length above `i32::MAX` (a corrupt record) is reported as `i32::MAX`: wire bytes are
//!   compared with each packet's length clamped the same way.
//! - when tshark stopped on a damaged file (non-zero `tshark_rc`), we must report an error
//!   too, having returned at least the frames and wire bytes tshark counted.
//! - tshark's times are signed and ours ([`sluice::flow::Timestamp`]) are unsigned since
//!   the epoch: a reference time before 1970 (only seen from garbage record headers) is not
//!   compared.
//!
//! Where tshark read the whole file, captured bytes and the earliest and latest packet
//! times (within 2 µs: the reference stores float seconds) must match too.
use std::path::{Path, PathBuf};

use serde_json::Value;
use sluice::capfile::CaptureFile;

/// The corpus directory.
fn corpus_dir() -> PathBuf {
    match std::env::var_os("SLUICE_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    }
}

/// The largest frame length tshark reports (its lengths are signed 32-bit).
const TSHARK_MAX_LEN: u32 = i32::MAX as u32;

/// What reading one file gave: frames, wire bytes, and the error that ended it, if any.
struct Read {
    frames: u64,
    wire_bytes: u64,
    cap_bytes: u64,
    /// Earliest and latest packet time, nanoseconds since the epoch.
    first_ns: Option<u64>,
    last_ns: Option<u64>,
    error: Option<String>,
}

fn read_all(path: &Path) -> Read {
    let mut out = Read {
        frames: 0,
        wire_bytes: 0,
        cap_bytes: 0,
        first_ns: None,
        last_ns: None,
        error: None,
    };
    let mut file = match CaptureFile::open(path) {
        Ok(f) => f,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    loop {
        match file.next_packet() {
            Ok(Some(p)) => {
                assert!(p.data.len() <= p.wire_len as usize, "{}", path.display());
                out.frames += 1;
                out.cap_bytes += p.data.len() as u64;
                out.first_ns = Some(out.first_ns.map_or(p.ts.0, |t| t.min(p.ts.0)));
                out.last_ns = Some(out.last_ns.map_or(p.ts.0, |t| t.max(p.ts.0)));
                out.wire_bytes += u64::from(p.wire_len.min(TSHARK_MAX_LEN));
            }
            Ok(None) => break,
            Err(e) => {
                out.error = Some(e.to_string());
                // The reader must stay finished after an error.
                assert!(matches!(file.next_packet(), Ok(None)));
                break;
            }
        }
    }
    out
}

#[test]
fn corpus_matches_tshark_counts() {
    let dir = corpus_dir();
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap_or_else(|e| {
        panic!(
            "corpus manifest {} unreadable ({e}): set SLUICE_CORPUS to the corpus directory",
            dir.join("MANIFEST.tsv").display()
        )
    });
    let mut checked = 0;
    let (mut frames, mut elapsed) = (0u64, std::time::Duration::ZERO);
    let mut failures = Vec::new();
    for line in manifest.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let file = line.split('\t').next().unwrap_or_default();
        let reference = dir.join("reference").join(format!("{file}.json"));
        let text = std::fs::read_to_string(&reference)
            .unwrap_or_else(|e| panic!("{}: {e}", reference.display()));
        let reference: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", reference.display()));
        let want_frames = reference["totals"]["frames"].as_u64().unwrap_or(u64::MAX);
        let want_bytes = reference["totals"]["wire_bytes"]
            .as_u64()
            .unwrap_or(u64::MAX);
        let tshark_failed = reference["tshark_rc"].as_i64() != Some(0);
        let start = std::time::Instant::now();
        let got = read_all(&dir.join(file));
        elapsed += start.elapsed();
        frames += got.frames;
        let ok = if tshark_failed {
            got.error.is_some() && got.frames >= want_frames && got.wire_bytes >= want_bytes
        } else {
            got.error.is_none() && got.frames == want_frames && got.wire_bytes == want_bytes
        };
        let want_cap = reference["totals"]["cap_bytes"]
            .as_u64()
            .unwrap_or(u64::MAX);
        let ts_ok = |ours: Option<u64>, theirs: &Value| match (ours, theirs.as_f64()) {
            // Before the epoch: not representable by our unsigned time (see above).
            (Some(_), Some(secs)) if secs < 0.0 => true,
            (Some(ns), Some(secs)) => (ns as f64 / 1e9 - secs).abs() < 2e-6,
            (None, None) => true,
            _ => false,
        };
        let detail_ok = tshark_failed
            || (got.cap_bytes == want_cap
                && ts_ok(got.first_ns, &reference["first_ts"])
                && ts_ok(got.last_ns, &reference["last_ts"]));
        if !detail_ok {
            failures.push(format!(
                "{file}: cap bytes {} vs {want_cap}, first {:?} vs {}, last {:?} vs {}",
                got.cap_bytes,
                got.first_ns,
                reference["first_ts"],
                got.last_ns,
                reference["last_ts"]
            ));
        }
        if !ok {
            failures.push(format!(
                "{file}: got {} frames / {} bytes (error: {:?}), tshark {} / {} (rc {})",
                got.frames,
                got.wire_bytes,
                got.error,
                want_frames,
                want_bytes,
                reference["tshark_rc"]
            ));
        }
        checked += 1;
    }
    assert!(checked > 0, "the manifest lists no captures");
    assert!(
        failures.is_empty(),
        "{} of {checked} captures differ from tshark:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{checked} captures match tshark ({frames} packets read in {:.1} ms)",
        elapsed.as_secs_f64() * 1e3
    );
}
