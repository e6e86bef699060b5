//! `sluice read --threads N` writes the same bytes whatever N is: JSON with
//! every feature and IPFIX (export times aside, which are the wall clock),
//! per capture of the corpus and for the whole corpus read as one capture,
//! with the options that change how flows are cut, and with `--hugepages`.
use std::path::{Path, PathBuf};
use std::process::Command;

use sluice_tests::{corpus, scratch, sluice_bin};

/// One run's outputs: the JSON lines, the IPFIX messages with their export
/// times zeroed, and the `--stats` counters without the wall time.
#[derive(PartialEq, Eq, Debug)]
struct Outputs {
    json: Vec<u8>,
    ipfix: Vec<u8>,
    stats: serde_json::Value,
}

impl Outputs {
    /// Where `other` first differs from these outputs.
    fn first_difference(&self, other: &Outputs) -> String {
        let lines = |b: &[u8]| {
            b.split(|&c| c == b'\n')
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        };
        let (a, b) = (lines(&self.json), lines(&other.json));
        if let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
            let show = |l: Option<&Vec<u8>>| {
                l.map(|l| {
                    String::from_utf8_lossy(l)
                        .chars()
                        .take(300)
                        .collect::<String>()
                })
            };
            return format!(
                "JSON line {}: {:?} against {:?}",
                i + 1,
                show(b.get(i)),
                show(a.get(i))
            );
        }
        if self.ipfix != other.ipfix {
            let at = self
                .ipfix
                .iter()
                .zip(&other.ipfix)
                .position(|(x, y)| x != y);
            return format!(
                "IPFIX from byte {at:?} ({} bytes against {})",
                other.ipfix.len(),
                self.ipfix.len()
            );
        }
        format!("stats {} against {}", other.stats, self.stats)
    }
}

fn run(dir: &Path, threads: usize, args: &[&str], files: &[PathBuf]) -> Outputs {
    // The same names for every run: the stats name them.
    let (json, ipfix, stats) = (
        dir.join("flows.json"),
        dir.join("flows.ipfix"),
        dir.join("stats.json"),
    );
    let out = Command::new(sluice_bin())
        .args(["read", "--no-progress", "--features", "all", "--threads"])
        .arg(threads.to_string())
        .arg("-o")
        .arg(&json)
        .arg("--ipfix-file")
        .arg(&ipfix)
        .arg("--stats")
        .arg(&stats)
        .args(args)
        .args(files)
        .output()
        .expect("running sluice read");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{:?} {files:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let mut stats: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&stats).unwrap()).unwrap();
    stats["seconds"] = 0.into();
    Outputs {
        json: std::fs::read(&json).unwrap(),
        ipfix: zero_export_times(std::fs::read(&ipfix).unwrap()),
        stats,
    }
}

/// The IPFIX messages of a file with each header's export time (bytes 4..8)
/// set to 0.
fn zero_export_times(mut bytes: Vec<u8>) -> Vec<u8> {
    let mut at = 0;
    while at + 16 <= bytes.len() {
        assert_eq!(&bytes[at..at + 2], &[0, 10], "IPFIX version at byte {at}");
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        assert!(len >= 16, "IPFIX message length {len} at byte {at}");
        bytes[at + 4..at + 8].fill(0);
        at += len;
    }
    assert_eq!(at, bytes.len(), "IPFIX messages end at the file's end");
    bytes
}

fn corpus_captures() -> Vec<PathBuf> {
    sluice_bench::mixed::corpus_files(&corpus()).expect("corpus captures")
}

#[test]
fn every_corpus_capture_gives_the_same_bytes_with_one_two_and_four_threads() {
    let dir = scratch("threads-each");
    let files = corpus_captures();
    assert!(files.len() > 500, "{} captures", files.len());
    let mut records = 0u64;
    for f in &files {
        let one = run(&dir, 1, &[], std::slice::from_ref(f));
        for n in [2, 4] {
            let many = run(&dir, n, &[], std::slice::from_ref(f));
            assert!(
                one == many,
                "{}: --threads {n} differs from --threads 1: {}",
                f.display(),
                one.first_difference(&many)
            );
        }
        records += one.stats["records"].as_u64().unwrap();
    }
    assert!(records > 10_000, "{records} records");
}

#[test]
fn the_whole_corpus_as_one_capture_gives_the_same_bytes_whatever_the_threads() {
    let dir = scratch("threads-all");
    let files = corpus_captures();
    for args in [
        &[][..],
        &["--decode-tunnels", "--ignore-vlan", "--slice-timeout", "5"],
        // Full shards evict: which flow goes must not depend on the threads.
        &["--max-flows", "1000", "--idle-timeout", "5"],
        &["--no-l7"],
    ] {
        let one = run(&dir, 1, args, &files);
        let records = one.stats["records"].as_u64().unwrap();
        assert!(records > 10_000, "{args:?}: {records} records");
        if args.contains(&"--max-flows") {
            assert!(
                one.stats["table"]["overflows"].as_u64().unwrap() > 1000,
                "{args:?}: the table overflows: {}",
                one.stats["table"]
            );
        }
        for n in [3, 4] {
            let many = run(&dir, n, args, &files);
            assert!(
                one == many,
                "{args:?}: --threads {n} differs from --threads 1: {}",
                one.first_difference(&many)
            );
        }
    }
}

/// `--hugepages` changes where the tables live, never what they hold.
#[test]
fn huge_pages_give_the_same_bytes() {
    let dir = scratch("threads-hugepages");
    let files = corpus_captures();
    for n in [1, 2] {
        let normal = run(&dir, n, &[], &files);
        let huge = run(&dir, n, &["--hugepages"], &files);
        assert!(
            normal == huge,
            "--threads {n} --hugepages differs: {}",
            normal.first_difference(&huge)
        );
    }
}
