//! Output files that rotate after a number of records (Joy's `max_records`),
//! optionally gzip-compressed (Joy's compressed output).
//!
//! Naming. Let `BASE` be the given path, less a final `.gz` when compressing,
//! and `SUFFIX` be `.gz` when compressing and empty otherwise.
//! * `max_records == 0` (never rotate): one file, `BASE SUFFIX`.
//! * `max_records > 0`: `BASE-01 SUFFIX`, `BASE-02 SUFFIX`, ... (at least two
//!   digits, more past 99). So `flows.json` gives `flows.json-01.gz`,
//!   `flows.json-02.gz`, ... with gzip on.
//!
//! Joy names its files `BASE-NN-YYYYMMDDhhmmss.gz` (a counter and the local
//! time of the rotation); the timestamp is left out here so names are
//! predictable and sort in write order (each record carries its own times).
//! A new file is only opened when a record arrives for it, so `N` records
//! always make `ceil(N / max_records)` files and never a trailing empty one.
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;

use crate::export::output::OutputNames;
use flate2::Compression;

/// Where the records of the current file go.
enum Sink {
    Plain(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
}

impl Sink {
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.write_all(buf),
            Sink::Gzip(w) => w.write_all(buf),
        }
    }

    /// Flushes everything, writing the gzip trailer if compressing.
    fn finish(self) -> io::Result<()> {
        let mut inner = match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w.finish()?,
        };
        inner.flush()
    }
}

/// An `io::Error` of the same kind whose message starts with the file's name.
fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// A JSON-lines writer that starts a new file every `max_records` records.
pub struct RotatingWriter {
    base: OsString,
    suffix: &'static str,
    max_records: u64,
    gzip: bool,
    /// Records written to the current file.
    in_file: u64,
    /// Sequence number of the current file (1-based; unused when not rotating).
    seq: u64,
    /// Path of the current file.
    current: PathBuf,
    /// The current file; None after a reopen until the next record opens
    /// the next file.
    sink: Option<Sink>,
    /// Every file opened so far, in order.
    written: Vec<PathBuf>,
}

impl std::fmt::Debug for RotatingWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotatingWriter")
            .field("current", &self.current)
            .field("max_records", &self.max_records)
            .field("gzip", &self.gzip)
            .field("in_file", &self.in_file)
            .finish_non_exhaustive()
    }
}

impl RotatingWriter {
    /// The names [`RotatingWriter::create`] with these arguments writes.
    pub fn names(path: &Path, max_records: u64, gzip: bool) -> OutputNames {
        let (base, suffix) = split(path, gzip);
        if max_records == 0 {
            OutputNames::One(name(&base, suffix, 0, 1))
        } else {
            OutputNames::Numbered {
                prefix: PathBuf::from(base),
                suffix,
            }
        }
    }

    /// Creates (truncating) the first output file. `max_records == 0` never
    /// rotates. See the module documentation for the file names.
    pub fn create(path: &Path, max_records: u64, gzip: bool) -> io::Result<Self> {
        let (base, suffix) = split(path, gzip);
        let first = name(&base, suffix, max_records, 1);
        let sink = Some(open(&first, gzip, false)?);
        Ok(RotatingWriter {
            base,
            suffix,
            max_records,
            gzip,
            in_file: 0,
            seq: 1,
            current: first.clone(),
            sink,
            written: vec![first],
        })
    }

    /// Writes one complete JSON record, adding the final newline if `line` lacks
    /// it. Rotation happens only between records. A record containing a newline
    /// other than a final one is refused (`InvalidInput`), since it would count
    /// as more than one line.
    pub fn write_record(&mut self, line: &[u8]) -> io::Result<()> {
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        if body.contains(&b'\n') {
            return Err(at(
                &self.current,
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a record must be a single line",
                ),
            ));
        }
        if self.max_records > 0 && self.in_file >= self.max_records {
            self.rotate()?;
        }
        let mut sink = match self.sink.take() {
            Some(s) => s,
            None => self.open_next()?,
        };
        let written = sink.write_all(body).and_then(|()| sink.write_all(b"\n"));
        self.sink = Some(sink);
        written.map_err(|e| at(&self.current, e))?;
        self.in_file += 1;
        Ok(())
    }

    /// Closes the current file and opens the next.
    fn rotate(&mut self) -> io::Result<()> {
        self.close_current()?;
        self.sink = Some(self.open_next()?);
        Ok(())
    }

    /// Finishes and closes the current file, if one is open.
    fn close_current(&mut self) -> io::Result<()> {
        match self.sink.take() {
            Some(old) => old.finish().map_err(|e| at(&self.current, e)),
            None => Ok(()),
        }
    }

    /// Opens the file after the current one: the next number when rotating,
    /// else the same name again, appending (a gzip output then holds one
    /// more gzip member, which gzip readers take as one stream).
    fn open_next(&mut self) -> io::Result<Sink> {
        if self.max_records == 0 {
            return open(&self.current, self.gzip, true);
        }
        let seq = self.seq + 1;
        let next = name(&self.base, self.suffix, self.max_records, seq);
        let sink = open(&next, self.gzip, false)?;
        self.current = next.clone();
        self.written.push(next);
        self.seq = seq;
        self.in_file = 0;
        Ok(sink)
    }

    /// Closes the current file (SIGHUP, the logrotate convention). The next
    /// record opens the next file: the next number when rotating, else the
    /// same name again, appending. A file that holds no record yet is kept.
    pub fn reopen(&mut self) -> io::Result<()> {
        if self.in_file == 0 && self.sink.is_some() {
            return Ok(());
        }
        self.close_current()
    }

    /// The file records are currently written to.
    pub fn current_path(&self) -> &Path {
        &self.current
    }

    /// Flushes and closes the current file (finishing the gzip stream) and
    /// returns every file written, in order.
    pub fn finish(mut self) -> io::Result<Vec<PathBuf>> {
        self.close_current()?;
        Ok(self.written)
    }
}

/// The base name and suffix of the files for `path`: less a final `.gz`, and
/// `.gz`, when compressing.
fn split(path: &Path, gzip: bool) -> (OsString, &'static str) {
    if gzip {
        let whole = path.as_os_str();
        (strip_gz(whole).unwrap_or_else(|| whole.to_owned()), ".gz")
    } else {
        (path.as_os_str().to_owned(), "")
    }
}

/// `s` without a final `.gz`, if it has one.
fn strip_gz(s: &std::ffi::OsStr) -> Option<OsString> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    s.as_bytes()
        .strip_suffix(b".gz")
        .map(|b| OsString::from_vec(b.to_vec()))
}

/// The name of file number `seq`.
fn name(base: &OsString, suffix: &str, max_records: u64, seq: u64) -> PathBuf {
    if max_records > 0 {
        return OutputNames::numbered(Path::new(base), suffix, seq);
    }
    let mut n = base.clone();
    n.push(suffix);
    PathBuf::from(n)
}

/// Opens `path`, truncating it or (`append`) adding to its end.
fn open(path: &Path, gzip: bool, append: bool) -> io::Result<Sink> {
    let file = if append {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
    } else {
        File::create(path)
    };
    let file = BufWriter::new(file.map_err(|e| at(path, e))?);
    Ok(if gzip {
        Sink::Gzip(GzEncoder::new(file, Compression::default()))
    } else {
        Sink::Plain(file)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sluice-rotate-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn record(i: usize) -> Vec<u8> {
        format!("{{\"id\":{i}}}").into_bytes()
    }

    fn gunzip(path: &Path) -> String {
        let mut s = String::new();
        flate2::read::GzDecoder::new(File::open(path).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    fn lines(ids: std::ops::Range<usize>) -> String {
        ids.map(|i| format!("{{\"id\":{i}}}\n")).collect()
    }

    #[test]
    fn ten_records_max_three_gzip_make_four_files() {
        let dir = temp_dir("gz");
        let mut w = RotatingWriter::create(&dir.join("flows.json"), 3, true).unwrap();
        for i in 0..10 {
            w.write_record(&record(i)).unwrap();
        }
        let files = w.finish().unwrap();
        let names: Vec<PathBuf> = ["01", "02", "03", "04"]
            .iter()
            .map(|n| dir.join(format!("flows.json-{n}.gz")))
            .collect();
        assert_eq!(files, names);
        assert_eq!(gunzip(&names[0]), lines(0..3));
        assert_eq!(gunzip(&names[1]), lines(3..6));
        assert_eq!(gunzip(&names[2]), lines(6..9));
        assert_eq!(gunzip(&names[3]), lines(9..10));
        let mut all: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        all.sort();
        assert_eq!(all, names, "no other file is created");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn plain_rotation_and_no_trailing_empty_file() {
        let dir = temp_dir("plain");
        let mut w = RotatingWriter::create(&dir.join("out"), 3, false).unwrap();
        for i in 0..9 {
            // With and without the final newline.
            let mut r = record(i);
            if i % 2 == 0 {
                r.push(b'\n');
            }
            w.write_record(&r).unwrap();
        }
        let files = w.finish().unwrap();
        assert_eq!(
            files,
            vec![dir.join("out-01"), dir.join("out-02"), dir.join("out-03")]
        );
        for (k, f) in files.iter().enumerate() {
            assert_eq!(std::fs::read_to_string(f).unwrap(), lines(3 * k..3 * k + 3));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn never_rotating_writes_the_path_itself() {
        let dir = temp_dir("once");
        let mut w = RotatingWriter::create(&dir.join("flows.json.gz"), 0, true).unwrap();
        for i in 0..5 {
            w.write_record(&record(i)).unwrap();
        }
        assert_eq!(w.finish().unwrap(), vec![dir.join("flows.json.gz")]);
        assert_eq!(gunzip(&dir.join("flows.json.gz")), lines(0..5));

        let mut w = RotatingWriter::create(&dir.join("x.json"), 0, true).unwrap();
        w.write_record(b"{}").unwrap();
        assert_eq!(w.finish().unwrap(), vec![dir.join("x.json.gz")]);

        let mut w = RotatingWriter::create(&dir.join("y.json"), 0, false).unwrap();
        w.write_record(b"{}").unwrap();
        assert_eq!(w.finish().unwrap(), vec![dir.join("y.json")]);
        assert_eq!(std::fs::read_to_string(dir.join("y.json")).unwrap(), "{}\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn gz_suffix_moves_after_the_counter_and_counter_grows_past_99() {
        let dir = temp_dir("many");
        let mut w = RotatingWriter::create(&dir.join("f.gz"), 1, true).unwrap();
        for i in 0..101 {
            w.write_record(&record(i)).unwrap();
        }
        let files = w.finish().unwrap();
        assert_eq!(files.len(), 101);
        assert_eq!(files.first(), Some(&dir.join("f-01.gz")));
        assert_eq!(files.get(99), Some(&dir.join("f-100.gz")));
        assert_eq!(gunzip(&dir.join("f-101.gz")), lines(100..101));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_multi_line_records_and_names_the_file() {
        let dir = temp_dir("multi");
        let path = dir.join("o");
        let mut w = RotatingWriter::create(&path, 0, false).unwrap();
        let e = w.write_record(b"{}\n{}\n").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            format!("{}: a record must be a single line", path.display())
        );
        assert_eq!(w.finish().unwrap(), vec![path.clone()]);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn create_error_names_the_file() {
        let e = RotatingWriter::create(Path::new("/nonexistent/dir/flows"), 3, false).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert!(
            e.to_string().starts_with("/nonexistent/dir/flows-01: "),
            "{e}"
        );
    }
}
