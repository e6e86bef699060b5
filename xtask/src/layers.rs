//! `cargo xtask layers`: the `sluice` crate's production code may name (`crate::x`
//! paths) only top-level modules of its own layer or lower ones.
//!
//! The order is the fenced block between `<!-- layers -->` and `<!-- /layers -->` in
//! docs/architecture.md: one level a line, lowest first, top-level module names of
//! userspace/src separated by spaces; a line `except A -> B  reason` admits references
//! from `A` to `B`. Test code (`tests/` folders, `tests.rs` files, items under
//! `#[cfg(test)]`), comments and literals are not checked. Levels are numbered from 1,
//! the first line of the block.
//!
//! The scanner is a small lexer, not a parser (std only, like the rest of xtask): it
//! blanks comments and literals, then items under `#[cfg(test)]`, then reads the
//! `crate::` paths left, keeping line numbers.
use std::{
    collections::{BTreeMap, BTreeSet},
    fmt, fs,
    path::{Path, PathBuf},
};

use anyhow::{bail, Context, Result};

/// The document that holds the order, relative to the workspace root.
const DOC: &str = "docs/architecture.md";
/// The sources checked, relative to the workspace root.
const SRC: &str = "userspace/src";
/// The line that opens the layers block in [`DOC`].
const OPEN_MARKER: &str = "<!-- layers -->";
/// The line that closes the layers block in [`DOC`].
const CLOSE_MARKER: &str = "<!-- /layers -->";
/// A Markdown code fence.
const FENCE: &str = "```";
/// Crate-root files: they declare the modules and belong to no layer.
const ROOT_FILES: &[&str] = &["lib.rs", "main.rs"];
/// Words that start an item (after an optional `pub(...)`), as opposed to a field,
/// variant, argument, match arm or statement.
const ITEM_WORDS: &[&str] = &[
    "async",
    "const",
    "enum",
    "extern",
    "fn",
    "impl",
    "macro_rules",
    "mod",
    "static",
    "struct",
    "trait",
    "type",
    "union",
    "unsafe",
    "use",
];

/// Runs the check over the workspace: prints every violation and fails with their
/// count, or prints one summary line.
pub fn run() -> Result<()> {
    let root = crate::root();
    let doc = fs::read_to_string(root.join(DOC)).with_context(|| format!("reading {DOC}"))?;
    let layers = Layers::parse(&doc)?;
    let src = root.join(SRC);
    layers.require_listed(&top_level_modules(&src)?)?;
    let files = production_files(&src)?;
    let mut references = 0;
    let mut violations = Vec::new();
    for rel in &files {
        let path = src.join(rel);
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let found = scan(&text);
        references += found.len();
        violations.extend(layers.violations(&display_path(rel), &module_of(rel), &found));
    }
    for v in &violations {
        println!("{v}");
    }
    if !violations.is_empty() {
        bail!(
            "layers: {} of {references} crate:: references in {} files name a higher layer \
             (see the order in {DOC})",
            violations.len(),
            files.len()
        );
    }
    println!(
        "layers: {} files, {references} crate:: references, order respected",
        files.len()
    );
    Ok(())
}

/// The allowed order of the top-level modules.
#[derive(Debug, PartialEq, Eq)]
struct Layers {
    /// Each listed module's level, 1 for the lowest.
    levels: BTreeMap<String, usize>,
    /// `(from, to)` edges admitted by `except` lines.
    excepts: BTreeSet<(String, String)>,
}

impl Layers {
    /// Reads the layers block of the architecture document.
    fn parse(doc: &str) -> Result<Self> {
        let mut levels = BTreeMap::new();
        let mut excepts = Vec::new();
        let mut level = 0;
        for (n, line) in block_lines(doc)? {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if line.split_whitespace().next() == Some("except") {
                excepts.push((n, parse_except(n, line)?));
                continue;
            }
            level += 1;
            for name in line.split_whitespace() {
                if !is_ident(name) {
                    bail!("{DOC}:{n}: `{name}` in the layers block is not a module name");
                }
                if levels.insert(name.to_string(), level).is_some() {
                    bail!("{DOC}:{n}: module `{name}` is listed twice in the layers block");
                }
            }
        }
        if level == 0 {
            bail!("{DOC}: the layers block lists no level");
        }
        for (n, (from, to)) in &excepts {
            if let Some(m) = [from, to].into_iter().find(|m| !levels.contains_key(*m)) {
                bail!("{DOC}:{n}: the except line names `{m}`, which no level lists");
            }
        }
        let excepts = excepts.into_iter().map(|(_, edge)| edge).collect();
        Ok(Layers { levels, excepts })
    }

    /// Fails, naming them, if some of `modules` are in no level.
    fn require_listed(&self, modules: &[String]) -> Result<()> {
        let missing: Vec<String> = modules
            .iter()
            .filter(|m| !self.levels.contains_key(*m))
            .map(|m| format!("`{m}`"))
            .collect();
        if !missing.is_empty() {
            bail!(
                "{SRC} has top-level module(s) {} that the layers block of {DOC} does not \
                 list: add each to a level",
                missing.join(", ")
            );
        }
        Ok(())
    }

    /// Whether module `from` may name module `to`.
    fn allows(&self, from: &str, to: &str) -> bool {
        match (self.levels.get(from), self.levels.get(to)) {
            (Some(i), Some(j)) => j <= i || self.is_except(from, to),
            _ => self.is_except(from, to),
        }
    }

    /// Whether an `except from -> to` line admits the edge.
    fn is_except(&self, from: &str, to: &str) -> bool {
        self.excepts.contains(&(from.to_string(), to.to_string()))
    }

    /// The references, found in file `path` of module `from`, that break the order.
    /// Names that no level lists (items of the crate root, exported macros) belong
    /// to no layer and are not checked.
    fn violations(&self, path: &str, from: &str, refs: &[Reference]) -> Vec<Violation> {
        let Some(&from_level) = self.levels.get(from) else {
            return Vec::new();
        };
        refs.iter()
            .filter_map(|r| {
                let &to_level = self.levels.get(&r.name)?;
                (!self.allows(from, &r.name)).then(|| Violation {
                    path: path.to_string(),
                    line: r.line,
                    from: from.to_string(),
                    from_level,
                    to: r.name.clone(),
                    to_level,
                })
            })
            .collect()
    }
}

/// The lines inside the fenced block between the layers markers, each with its line
/// number in the document.
fn block_lines(doc: &str) -> Result<Vec<(usize, &str)>> {
    let lines: Vec<(usize, &str)> = doc.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    let open = marker_line(&lines, OPEN_MARKER)?;
    let close = marker_line(&lines, CLOSE_MARKER)?;
    if close < open {
        bail!(
            "{DOC}:{}: `{CLOSE_MARKER}` comes before `{OPEN_MARKER}`",
            lines[close].0
        );
    }
    let between = &lines[open + 1..close];
    let fences: Vec<usize> = (0..between.len())
        .filter(|&i| between[i].1.trim_start().starts_with(FENCE))
        .collect();
    let [start, end] = fences[..] else {
        bail!(
            "{DOC}:{}: the layers block must hold exactly one {FENCE} fenced block",
            lines[open].0
        );
    };
    let outside = between[..start].iter().chain(&between[end + 1..]);
    if let Some((n, l)) = outside.into_iter().find(|(_, l)| !l.trim().is_empty()) {
        bail!(
            "{DOC}:{n}: text outside the fenced block of the layers block: `{}`",
            l.trim()
        );
    }
    Ok(between[start + 1..end].to_vec())
}

/// The index in `lines` of the one line that is `marker`.
fn marker_line(lines: &[(usize, &str)], marker: &str) -> Result<usize> {
    let mut found = (0..lines.len()).filter(|&i| lines[i].1.trim() == marker);
    match (found.next(), found.next()) {
        (Some(i), None) => Ok(i),
        (None, _) => bail!("{DOC}: no `{marker}` line"),
        (Some(_), Some(j)) => bail!("{DOC}:{}: a second `{marker}` line", lines[j].0),
    }
}

/// `except A -> B  reason`: the edge `(A, B)`; a reason is required.
fn parse_except(n: usize, line: &str) -> Result<(String, String)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words[..] {
        ["except", from, "->", to, _, ..] if is_ident(from) && is_ident(to) => {
            Ok((from.to_string(), to.to_string()))
        }
        _ => bail!("{DOC}:{n}: malformed line `{line}`: expected `except A -> B  reason`"),
    }
}

/// Whether `s` is an ASCII Rust identifier.
fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The top-level modules of `src`: each `foo.rs` (but the crate-root files) and each
/// `foo/` directly in it, sorted.
fn top_level_modules(src: &Path) -> Result<Vec<String>> {
    let mut names = BTreeSet::new();
    for (name, is_dir) in entries(src)? {
        if is_dir {
            names.insert(name);
        } else if let Some(stem) = name.strip_suffix(".rs") {
            if !ROOT_FILES.contains(&name.as_str()) {
                names.insert(stem.to_string());
            }
        }
    }
    Ok(names.into_iter().collect())
}

/// Every `.rs` file under `src`, relative to it and sorted, but the crate-root files and
/// test code: directories named `tests` and files named `tests.rs`.
fn production_files(src: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::new()];
    while let Some(dir) = dirs.pop() {
        for (name, is_dir) in entries(&src.join(&dir))? {
            let at_root = dir.as_os_str().is_empty();
            if is_dir && name != "tests" {
                dirs.push(dir.join(name));
            } else if !is_dir
                && name.ends_with(".rs")
                && name != "tests.rs"
                && !(at_root && ROOT_FILES.contains(&name.as_str()))
            {
                files.push(dir.join(name));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The names in `dir` and whether each is a directory; hidden names are left out.
fn entries(dir: &Path) -> Result<Vec<(String, bool)>> {
    let read = fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    let mut out = Vec::new();
    for entry in read {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') {
            out.push((name, entry.path().is_dir()));
        }
    }
    Ok(out)
}

/// The module of a file: its first path component under the sources
/// (`flow/table.rs` → `flow`, `privileges.rs` → `privileges`).
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    match first.strip_suffix(".rs") {
        Some(stem) => stem.to_string(),
        None => first,
    }
}

/// A source path as printed: from the workspace root, with `/`.
fn display_path(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    format!("{SRC}/{}", parts.join("/"))
}

/// A reference to a higher layer.
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    path: String,
    line: usize,
    from: String,
    from_level: usize,
    to: String,
    to_level: usize,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} (level {}) names crate::{} (level {})",
            self.path, self.line, self.from, self.from_level, self.to, self.to_level
        )
    }
}

/// One `crate::NAME` path: its 1-based line and the top-level name.
#[derive(Debug, PartialEq, Eq)]
struct Reference {
    line: usize,
    name: String,
}

/// The `crate::` references of a file's production code.
fn scan(text: &str) -> Vec<Reference> {
    let mut code = blank_comments_and_literals(text);
    blank_cfg_test(&mut code);
    crate_references(&code)
}

/// `text` with comments and string, byte-string, raw-string and char literals replaced
/// by spaces (newlines kept, so lines stay where they were). Lifetimes and labels stay.
fn blank_comments_and_literals(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        let end = match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => Some(line_end(b, i)),
            b'/' if b.get(i + 1) == Some(&b'*') => Some(block_comment_end(b, i)),
            b'"' => Some(string_end(b, i)),
            b'\'' => char_literal_end(text, i),
            b'r' if raw_prefix_at(b, i) => raw_string_end(b, i),
            _ => None,
        };
        match end {
            Some(end) => {
                blank(&mut out[i..end]);
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// Replaces every byte but newlines with a space.
fn blank(bytes: &mut [u8]) {
    for c in bytes.iter_mut().filter(|c| **c != b'\n') {
        *c = b' ';
    }
}

/// Whether `c` may be part of an identifier (non-ASCII bytes included).
fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// The end of the line comment at `i` (the newline stays).
fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// The end (exclusive) of the block comment at `i`; block comments nest.
fn block_comment_end(b: &[u8], i: usize) -> usize {
    let (mut depth, mut j) = (0usize, i);
    while j < b.len() {
        if b[j..].starts_with(b"/*") {
            depth += 1;
            j += 2;
        } else if b[j..].starts_with(b"*/") {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return j;
            }
        } else {
            j += 1;
        }
    }
    b.len()
}

/// The end (exclusive) of the string literal whose opening quote is at `i`.
fn string_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

/// The end (exclusive) of the char literal at `i` (`'x'`, `'\n'`, `'\u{..}'`), or
/// `None` if the quote starts a lifetime or a label.
fn char_literal_end(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(i + 1) == Some(&b'\\') {
        let p = b.get(i + 3..)?.iter().position(|&c| c == b'\'')?;
        return Some(i + 3 + p + 1);
    }
    let c = text.get(i + 1..)?.chars().next()?;
    let close = i + 1 + c.len_utf8();
    (c != '\'' && b.get(close) == Some(&b'\'')).then_some(close + 1)
}

/// Whether the `r` at `i` starts a token (`r`, `br` or `cr`): it may open a raw string.
fn raw_prefix_at(b: &[u8], i: usize) -> bool {
    let starts_token = |k: usize| k == 0 || !is_ident_byte(b[k - 1]);
    starts_token(i) || (i > 0 && matches!(b[i - 1], b'b' | b'c') && starts_token(i - 1))
}

/// The end (exclusive) of the raw string `r#"..."#` whose `r` is at `i`, or `None` if
/// none starts there (a raw identifier `r#name`, or a plain `r`).
fn raw_string_end(b: &[u8], i: usize) -> Option<usize> {
    let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
    let open = i + 1 + hashes;
    if b.get(open) != Some(&b'"') {
        return None;
    }
    let mut closing = vec![b'"'];
    closing.resize(1 + hashes, b'#');
    let end = (open + 1..b.len())
        .find(|&j| b[j..].starts_with(&closing))
        .map_or(b.len(), |j| j + closing.len());
    Some(end)
}

/// Blanks every item under `#[cfg(test)]` (the attribute included); an inner
/// `#![cfg(test)]` blanks the rest of its scope.
fn blank_cfg_test(code: &mut [u8]) {
    let mut i = 0;
    while i < code.len() {
        let attribute = match attribute_at(code, i) {
            Some((end, inner, content)) if without_whitespace(content) == b"cfg(test)" => {
                Some((end, inner))
            }
            _ => None,
        };
        match attribute {
            Some((attr_end, inner)) => {
                let end = if inner {
                    scope_end(code, attr_end)
                } else {
                    item_end(code, attr_end)
                };
                blank(&mut code[i..end]);
                i = end;
            }
            None => i += 1,
        }
    }
}

/// The attribute `#[...]` or `#![...]` at `i`: its end (exclusive), whether it is
/// inner, and what is between the brackets.
fn attribute_at(code: &[u8], i: usize) -> Option<(usize, bool, &[u8])> {
    if code.get(i) != Some(&b'#') {
        return None;
    }
    let inner = code.get(i + 1) == Some(&b'!');
    let open = skip_whitespace(code, i + 1 + usize::from(inner));
    if code.get(open) != Some(&b'[') {
        return None;
    }
    let close = matching_close(code, open)?;
    Some((close + 1, inner, &code[open + 1..close]))
}

/// `bytes` without ASCII whitespace.
fn without_whitespace(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect()
}

/// The index of the bracket that closes the one at `open` (`(`, `[` or `{`).
fn matching_close(code: &[u8], open: usize) -> Option<usize> {
    let (o, c) = match code.get(open)? {
        b'(' => (b'(', b')'),
        b'[' => (b'[', b']'),
        b'{' => (b'{', b'}'),
        _ => return None,
    };
    let mut depth = 0usize;
    for (j, &x) in code.iter().enumerate().skip(open) {
        if x == o {
            depth += 1;
        } else if x == c {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        }
    }
    None
}

/// The first index at or after `i` that is not ASCII whitespace.
fn skip_whitespace(code: &[u8], i: usize) -> usize {
    i + code
        .get(i..)
        .unwrap_or_default()
        .iter()
        .take_while(|c| c.is_ascii_whitespace())
        .count()
}

/// The end (exclusive) of the item, field, variant, argument or statement that starts
/// at `from` (after its attributes): a `;`, a brace-balanced block, a `,` (not for
/// items), or the bracket that closes the enclosing scope.
fn item_end(code: &[u8], from: usize) -> usize {
    let mut i = skip_attributes(code, from);
    let is_item = starts_item(code, i);
    let mut depth = 0usize;
    while i < code.len() {
        match code[i] {
            b'(' | b'[' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return i,
            b')' | b']' => depth -= 1,
            b'{' if depth == 0 => return matching_close(code, i).map_or(code.len(), |c| c + 1),
            b';' if depth == 0 => return i + 1,
            b',' if depth == 0 && !is_item => return i + 1,
            _ => {}
        }
        i += 1;
    }
    code.len()
}

/// The first index at or after `i` past whitespace and outer attributes.
fn skip_attributes(code: &[u8], mut i: usize) -> usize {
    loop {
        i = skip_whitespace(code, i);
        match attribute_at(code, i) {
            Some((end, false, _)) => i = end,
            _ => return i,
        }
    }
}

/// Whether an item starts at `i`: after an optional `pub` or `pub(...)`, one of
/// [`ITEM_WORDS`].
fn starts_item(code: &[u8], i: usize) -> bool {
    let mut i = skip_whitespace(code, i);
    if ident_at(code, i).as_deref() == Some("pub") {
        i = skip_whitespace(code, i + 3);
        if code.get(i) == Some(&b'(') {
            i = matching_close(code, i).map_or(code.len(), |c| c + 1);
        }
        i = skip_whitespace(code, i);
    }
    ident_at(code, i).is_some_and(|w| ITEM_WORDS.contains(&w.as_str()))
}

/// The end (exclusive) of the scope that contains `from`: the index of the `}` that
/// closes it, or the end of the file.
fn scope_end(code: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    for (j, &c) in code.iter().enumerate().skip(from) {
        match c {
            b'{' => depth += 1,
            b'}' if depth == 0 => return j,
            b'}' => depth -= 1,
            _ => {}
        }
    }
    code.len()
}

/// The identifier that starts at `i`, if one does.
fn ident_at(code: &[u8], i: usize) -> Option<String> {
    let rest = code.get(i..)?;
    let len = rest.iter().take_while(|&&c| is_ident_byte(c)).count();
    if len == 0 || rest[0].is_ascii_digit() {
        return None;
    }
    Some(String::from_utf8_lossy(&rest[..len]).into_owned())
}

/// The 1-based line of byte `pos`.
fn line_of(code: &[u8], pos: usize) -> usize {
    code[..pos].iter().filter(|&&c| c == b'\n').count() + 1
}

/// Every `crate::NAME` and every head of `crate::{a::b, c}` in blanked code.
fn crate_references(code: &[u8]) -> Vec<Reference> {
    let mut refs = Vec::new();
    let mut from = 0;
    while let Some(p) = find(code, b"crate", from) {
        from = p + b"crate".len();
        if p > 0 && is_ident_byte(code[p - 1]) {
            continue;
        }
        let colons = skip_whitespace(code, from);
        if !code[colons..].starts_with(b"::") {
            continue;
        }
        let next = skip_whitespace(code, colons + 2);
        if code.get(next) == Some(&b'{') {
            refs.extend(group_heads(code, next));
        } else {
            refs.extend(reference_at(code, next));
        }
    }
    refs
}

/// The first index at or after `from` where `pattern` occurs.
fn find(code: &[u8], pattern: &[u8], from: usize) -> Option<usize> {
    code.get(from..)?
        .windows(pattern.len())
        .position(|w| w == pattern)
        .map(|p| from + p)
}

/// The reference whose name starts at `i`; `self`, `super`, globs and the like are none.
fn reference_at(code: &[u8], i: usize) -> Option<Reference> {
    let name = ident_at(code, i)?;
    if matches!(name.as_str(), "self" | "super" | "crate") {
        return None;
    }
    Some(Reference {
        line: line_of(code, i),
        name,
    })
}

/// The first name of each depth-1 item of the group `{...}` that opens at `open`:
/// `{a::b, c, d::{e, f}}` → `a`, `c`, `d`.
fn group_heads(code: &[u8], open: usize) -> Vec<Reference> {
    let close = matching_close(code, open).unwrap_or(code.len());
    let mut heads = Vec::new();
    let mut start = open + 1;
    let mut depth = 0usize;
    for (j, &c) in code.iter().enumerate().take(close).skip(open + 1) {
        match c {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                heads.extend(reference_at(code, skip_whitespace(code, start)));
                start = j + 1;
            }
            _ => {}
        }
    }
    heads.extend(reference_at(code, skip_whitespace(code, start)));
    heads
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document whose layers block holds `block`.
    fn doc(block: &str) -> String {
        format!("# Title\n\ntext\n\n{OPEN_MARKER}\n{FENCE}\n{block}{FENCE}\n{CLOSE_MARKER}\n")
    }

    /// The references of `text` as `(line, name)` pairs.
    fn refs(text: &str) -> Vec<(usize, String)> {
        scan(text).into_iter().map(|r| (r.line, r.name)).collect()
    }

    /// `(line, name)` pairs from literals.
    fn pairs(expected: &[(usize, &str)]) -> Vec<(usize, String)> {
        expected.iter().map(|&(l, n)| (l, n.to_string())).collect()
    }

    /// The error message of a parse that must fail.
    fn parse_error(doc: &str) -> String {
        format!(
            "{:#}",
            Layers::parse(doc).expect_err("the block is malformed")
        )
    }

    #[test]
    fn parses_levels_and_excepts() {
        let layers = Layers::parse(&doc(
            "error time\n\n  flow  \nexcept flow -> engine  the handoff moves later\nengine\n",
        ))
        .unwrap();
        let levels: Vec<(&str, usize)> = layers
            .levels
            .iter()
            .map(|(m, &l)| (m.as_str(), l))
            .collect();
        assert_eq!(
            levels,
            [("engine", 3), ("error", 1), ("flow", 2), ("time", 1)]
        );
        let excepts: Vec<(&str, &str)> = layers
            .excepts
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert_eq!(excepts, [("flow", "engine")]);
        assert!(layers.allows("engine", "flow"));
        assert!(layers.allows("error", "time"));
        assert!(layers.allows("flow", "engine"));
        assert!(!layers.allows("error", "flow"));
        assert!(!layers.allows("time", "engine"));
    }

    #[test]
    fn the_real_document_parses() {
        let text = fs::read_to_string(crate::root().join(DOC)).unwrap();
        Layers::parse(&text).unwrap();
    }

    #[test]
    fn refuses_malformed_blocks() {
        assert_eq!(
            parse_error("no markers"),
            format!("{DOC}: no `{OPEN_MARKER}` line")
        );
        assert_eq!(
            parse_error(&format!("{OPEN_MARKER}\nerror\n{CLOSE_MARKER}\n")),
            format!("{DOC}:1: the layers block must hold exactly one {FENCE} fenced block")
        );
        assert_eq!(
            parse_error(&format!(
                "{OPEN_MARKER}\nstray\n{FENCE}\nerror\n{FENCE}\n{CLOSE_MARKER}\n"
            )),
            format!("{DOC}:2: text outside the fenced block of the layers block: `stray`")
        );
        assert_eq!(
            parse_error(&format!("{CLOSE_MARKER}\n{OPEN_MARKER}\n")),
            format!("{DOC}:1: `{CLOSE_MARKER}` comes before `{OPEN_MARKER}`")
        );
        assert_eq!(
            parse_error(&doc("\n\n")),
            format!("{DOC}: the layers block lists no level")
        );
        assert_eq!(
            parse_error(&doc("error\nflow-table\n")),
            format!("{DOC}:8: `flow-table` in the layers block is not a module name")
        );
    }

    #[test]
    fn refuses_a_module_listed_twice() {
        assert_eq!(
            parse_error(&doc("error flow\nengine\nflow\n")),
            format!("{DOC}:9: module `flow` is listed twice in the layers block")
        );
    }

    #[test]
    fn refuses_malformed_except_lines() {
        let expected = |n: usize, line: &str| {
            format!("{DOC}:{n}: malformed line `{line}`: expected `except A -> B  reason`")
        };
        assert_eq!(
            parse_error(&doc("error\nflow\nexcept error -> flow\n")),
            expected(9, "except error -> flow")
        );
        assert_eq!(
            parse_error(&doc("error\nflow\nexcept error flow why\n")),
            expected(9, "except error flow why")
        );
        assert_eq!(
            parse_error(&doc("error\nexcept error -> flow why\n")),
            format!("{DOC}:8: the except line names `flow`, which no level lists")
        );
    }

    #[test]
    fn refuses_an_unlisted_module() {
        let layers = Layers::parse(&doc("error\nflow\n")).unwrap();
        let modules = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert!(layers.require_listed(&modules(&["error", "flow"])).is_ok());
        let err = layers
            .require_listed(&modules(&["error", "flow", "netdev", "proto"]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{SRC} has top-level module(s) `netdev`, `proto` that the layers block of \
                 {DOC} does not list: add each to a level"
            )
        );
    }

    #[test]
    fn finds_modules_and_production_files() {
        let dir = std::env::temp_dir().join(format!("xtask-layers-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for file in [
            "lib.rs",
            "main.rs",
            "error.rs",
            "flow/mod.rs",
            "flow/table.rs",
            "flow/tests.rs",
            "flow/tests/keys.rs",
            "flow/notes.md",
            "engine/live/worker.rs",
            "fixtures/a.hex",
        ] {
            let path = dir.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "").unwrap();
        }
        let modules = top_level_modules(&dir).unwrap();
        let files = production_files(&dir).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(modules, ["engine", "error", "fixtures", "flow"]);
        let files: Vec<String> = files.iter().map(|f| display_path(f)).collect();
        assert_eq!(
            files,
            [
                "userspace/src/engine/live/worker.rs",
                "userspace/src/error.rs",
                "userspace/src/flow/mod.rs",
                "userspace/src/flow/table.rs",
            ]
        );
        assert_eq!(module_of(Path::new("engine/live/worker.rs")), "engine");
        assert_eq!(module_of(Path::new("privileges.rs")), "privileges");
    }

    #[test]
    fn finds_plain_and_grouped_references() {
        let text = "use crate::flow::Table;\n\
                    use crate::{a::b, c, d::{e, f}, self};\n\
                    fn f() -> crate::error::Error { crate::g!() }\n";
        assert_eq!(
            refs(text),
            pairs(&[
                (1, "flow"),
                (2, "a"),
                (2, "c"),
                (2, "d"),
                (3, "error"),
                (3, "g")
            ])
        );
    }

    #[test]
    fn finds_multi_line_groups() {
        let text = "use crate::{\n    decode::{Packet,\n        Error},\n    flow::{\n        Table,\n    },\n    export,\n};\nuse std::io;\n";
        assert_eq!(
            refs(text),
            pairs(&[(2, "decode"), (4, "flow"), (7, "export")])
        );
    }

    #[test]
    fn ignores_other_paths() {
        let text = "use self::a::b;\nuse super::c;\npub(crate) fn f() {}\n\
                    use mycrate::x;\nuse crates::y;\nuse crate::*;\nuse $crate::z;\n";
        assert_eq!(refs(text), pairs(&[(7, "z")]));
    }

    #[test]
    fn ignores_comments() {
        let text = "//! crate::a\n/// crate::b\n// crate::c\n\
                    /* crate::d /* nested crate::e */ crate::f */ use crate::g;\n\
                    /** crate::h\n crate::i */\nuse crate::j; // crate::k\n";
        assert_eq!(refs(text), pairs(&[(4, "g"), (7, "j")]));
    }

    #[test]
    fn ignores_literals() {
        let text = concat!(
            "let s = \"crate::a \\\" crate::b\";\n",
            "let r = r#\"crate::c \" crate::d\"#; let q = r\"crate::e\";\n",
            "let c = '\"'; let d = '\\''; let e = b'\"'; use crate::f;\n",
            "fn g<'a, 'b>(x: &'a u8, y: crate::h::T<'b>) -> &'static str { 'l: loop { break 'l; } }\n",
            "let b = br##\"crate::i\"# crate::j\"##; let u = '\\u{22}'; crate::k::x();\n",
            "let y = \"multi\nline crate::m\"; crate::n::z();\n",
        );
        assert_eq!(refs(text), pairs(&[(3, "f"), (4, "h"), (5, "k"), (7, "n")]));
    }

    #[test]
    fn skips_cfg_test_items() {
        let text = "#[cfg(test)]\nmod tests;\nuse crate::a;\n\
                    #[cfg(test)]\nmod tests {\n    use crate::b;\n    fn f() { if x { crate::c(); } }\n}\n\
                    use crate::d;\n\
                    #[cfg( test )]\n#[allow(dead_code)]\npub(crate) fn h() -> [u8; 2] { crate::e::f() }\n\
                    #[cfg(test)] use crate::{g, h};\n\
                    struct S { #[cfg(test)] x: crate::i::I, y: crate::j::J }\n\
                    #[cfg(feature = \"live\")]\nuse crate::k;\n\
                    #[cfg(not(test))]\nuse crate::l;\n";
        assert_eq!(
            refs(text),
            pairs(&[(3, "a"), (9, "d"), (14, "j"), (16, "k"), (18, "l")])
        );
    }

    #[test]
    fn skips_a_file_under_inner_cfg_test() {
        assert_eq!(
            refs("#![cfg(test)]\nuse crate::a;\nfn f() { crate::b(); }\n"),
            pairs(&[])
        );
    }

    #[test]
    fn reports_violations_but_excepts() {
        let layers = Layers::parse(&doc(
            "error\nflow\nexcept flow -> engine  moved later\nengine\n",
        ))
        .unwrap();
        let found = scan("use crate::{engine, error, cli};\nuse crate::flow;\n");
        let path = "userspace/src/error.rs";
        let shown: Vec<String> = layers
            .violations(path, "error", &found)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            shown,
            [
                "userspace/src/error.rs:1: error (level 1) names crate::engine (level 3)",
                "userspace/src/error.rs:2: error (level 1) names crate::flow (level 2)",
            ]
        );
        assert_eq!(layers.violations(path, "flow", &found), []);
        assert_eq!(layers.violations(path, "engine", &found), []);
    }
}
