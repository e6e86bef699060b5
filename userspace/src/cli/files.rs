//! The files a run reads and the files it writes, checked before any output
//! is opened: an output that resolves to an input (the same file by device
//! and inode, through a symlink or a hard link, or the same path) or to
//! another output is refused, so `sluice read t.pcap -o t.pcap` leaves
//! `t.pcap` untouched.
//!
//! Rotated outputs (`--max-records`, `--ipfix-rotate-*`) write `BASE-01`,
//! `BASE-02`, ...: every existing file of that pattern is checked too.

use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::Error;
pub use crate::export::output::OutputNames;
use crate::privileges::LaterDir;

/// A file named on the command line.
#[derive(Clone, Debug)]
struct Named {
    option: &'static str,
    path: PathBuf,
}

/// What a run reads and writes.
#[derive(Clone, Debug, Default)]
pub struct RunFiles {
    inputs: Vec<Named>,
    outputs: Vec<(&'static str, OutputNames)>,
}

/// A file's identity: device and inode.
type FileId = (u64, u64);

impl RunFiles {
    /// Notes an input file of `option`.
    pub fn input(&mut self, option: &'static str, path: &Path) {
        self.inputs.push(Named {
            option,
            path: path.to_path_buf(),
        });
    }

    /// Notes an output of `option` writing `names`.
    pub fn output(&mut self, option: &'static str, names: OutputNames) {
        self.outputs.push((option, names));
    }

    /// The files outputs have created by the time setup ends: each single
    /// file, and the first file of each numbered output (for `--user`, the
    /// files handed over to that user).
    pub fn first_output_files(&self) -> Vec<PathBuf> {
        self.outputs.iter().map(|(_, n)| n.first_file()).collect()
    }

    /// The directories outputs write into; a numbered output will need new
    /// files there as it runs.
    pub fn output_dirs(&self) -> Vec<LaterDir> {
        self.outputs
            .iter()
            .map(|(option, n)| {
                let (p, rotates) = match n {
                    OutputNames::One(p) => (p, false),
                    OutputNames::Numbered { prefix, .. } => (prefix, true),
                };
                LaterDir {
                    option,
                    dir: parent_dir(p),
                    required: rotates,
                }
            })
            .collect()
    }

    /// Refuses outputs that would overwrite an input or each other.
    pub fn check(&self) -> Result<(), Error> {
        let inputs: Vec<(&Named, Option<FileId>, Option<PathBuf>)> = self
            .inputs
            .iter()
            .map(|n| (n, file_id(&n.path), fs::canonicalize(&n.path).ok()))
            .collect();
        let mut seen: Vec<(&'static str, &Path, PathBuf)> = Vec::new();
        for (option, names) in &self.outputs {
            for out in existing_or_planned(names) {
                let id = file_id(&out);
                let resolved = resolve(&out);
                for (input, in_id, in_path) in &inputs {
                    let same = (id.is_some() && id == *in_id)
                        || (resolved.is_some() && resolved == *in_path);
                    if same {
                        return Err(Error::BadOption {
                            option,
                            value: out.display().to_string(),
                            why: format!(
                                "it is the same file as the input {} ({}): refusing to overwrite an input",
                                input.path.display(),
                                input.option
                            ),
                        });
                    }
                }
                if let Some(r) = &resolved {
                    if let Some((other, other_path, _)) =
                        seen.iter().find(|(_, _, seen_r)| seen_r == r)
                    {
                        return Err(Error::BadOption {
                            option,
                            value: out.display().to_string(),
                            why: format!(
                                "{other} writes the same file ({}); give each output its own file",
                                other_path.display()
                            ),
                        });
                    }
                }
                if let (Some(r), OutputNames::One(p)) = (resolved, names) {
                    seen.push((option, p.as_path(), r));
                }
            }
        }
        Ok(())
    }
}

/// Device and inode of the file `path` names (following symlinks), if it exists.
fn file_id(path: &Path) -> Option<FileId> {
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// `path` with symlinks resolved; for a file that does not exist yet, its
/// directory resolved and its name appended.
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    Some(fs::canonicalize(parent_dir(path)).ok()?.join(name))
}

/// The directory `path` is in (`.` for a bare name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The files an output may write: the one file, or every existing file of a
/// numbered pattern (the numbers not written yet cannot be an input).
fn existing_or_planned(names: &OutputNames) -> Vec<PathBuf> {
    match names {
        OutputNames::One(p) => vec![p.clone()],
        OutputNames::Numbered { prefix, suffix } => {
            let dir = parent_dir(prefix);
            let Some(stem) = prefix.file_name() else {
                return Vec::new();
            };
            let Ok(entries) = fs::read_dir(&dir) else {
                return Vec::new();
            };
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name())
                .filter(|n| is_numbered(n, stem.as_bytes(), suffix.as_bytes()))
                .map(|n| dir.join(n))
                .collect()
        }
    }
}

/// Whether `name` is `STEM-NN SUFFIX` with two digits or more.
fn is_numbered(name: &OsString, stem: &[u8], suffix: &[u8]) -> bool {
    let Some(rest) = name.as_bytes().strip_prefix(stem) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix(b"-") else {
        return false;
    };
    let Some(digits) = rest.strip_suffix(suffix) else {
        return false;
    };
    digits.len() >= 2 && digits.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sluice-files-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn refused(files: &RunFiles) -> String {
        files.check().expect_err("refused").to_string()
    }

    #[test]
    fn an_output_naming_an_input_is_refused_by_path_symlink_and_hard_link() {
        let d = dir("same");
        let input = d.join("t.pcap");
        fs::write(&input, b"capture").unwrap();
        std::os::unix::fs::symlink(&input, d.join("link")).unwrap();
        fs::hard_link(&input, d.join("hard")).unwrap();
        for out in [
            input.clone(),
            d.join("link"),
            d.join("hard"),
            d.join("./t.pcap"),
        ] {
            let mut f = RunFiles::default();
            f.input("FILE", &input);
            f.output("--output", OutputNames::One(out.clone()));
            let e = refused(&f);
            assert!(e.contains("same file as the input"), "{out:?}: {e}");
        }
        assert_eq!(fs::read(&input).unwrap(), b"capture");
    }

    #[test]
    fn rotated_names_and_other_outputs_are_checked() {
        let d = dir("rotated");
        let input = d.join("flows.json-03.gz");
        fs::write(&input, b"old").unwrap();
        let mut f = RunFiles::default();
        f.input("FILE", &input);
        f.output(
            "--output",
            OutputNames::Numbered {
                prefix: d.join("flows.json"),
                suffix: ".gz",
            },
        );
        assert!(refused(&f).contains("flows.json-03.gz"));

        let mut f = RunFiles::default();
        f.output("--output", OutputNames::One(d.join("x")));
        f.output("--ipfix-file", OutputNames::One(d.join("x")));
        assert!(refused(&f).contains("--output writes the same file"));

        let mut f = RunFiles::default();
        f.input("FILE", &input);
        f.output("--output", OutputNames::One(d.join("new.json")));
        f.output(
            "--ipfix-file",
            OutputNames::Numbered {
                prefix: d.join("flows.json"),
                suffix: "",
            },
        );
        f.check().expect("distinct files are fine");
    }

    #[test]
    fn numbered_names_need_two_digits() {
        let n = |s: &str| OsString::from(s);
        assert!(is_numbered(&n("f-01.gz"), b"f", b".gz"));
        assert!(is_numbered(&n("f-123"), b"f", b""));
        assert!(!is_numbered(&n("f-1"), b"f", b""));
        assert!(!is_numbered(&n("f-0a"), b"f", b""));
        assert!(!is_numbered(&n("g-01"), b"f", b""));
    }
}
