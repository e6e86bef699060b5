//! A byte range inside an owned buffer: lets a parsed summary keep one copy
//! of a message and hand out views of its fields.

/// Start and length of a field within its owner's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Span {
    /// The span `part` occupies inside `whole`, or `None` if `part` is not a
    /// sub-slice of `whole` (computed from addresses; no unsafe code).
    pub fn within(whole: &[u8], part: &[u8]) -> Option<Span> {
        let base = whole.as_ptr() as usize;
        let p = part.as_ptr() as usize;
        let start = p.checked_sub(base)?;
        let end = start.checked_add(part.len())?;
        if end > whole.len() {
            return None;
        }
        Some(Span {
            start: u32::try_from(start).ok()?,
            len: u32::try_from(part.len()).ok()?,
        })
    }

    /// The bytes this span covers in `buf` (empty if out of range).
    pub fn get<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        let s = self.start as usize;
        s.checked_add(self.len as usize)
            .and_then(|e| buf.get(s..e))
            .unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::Span;

    #[test]
    fn within_and_get() {
        let buf = [1u8, 2, 3, 4, 5];
        let s = Span::within(&buf, buf.get(1..4).unwrap_or(&[])).unwrap_or_default();
        assert_eq!(s.get(&buf), &[2, 3, 4]);
        let other = [9u8; 3];
        assert_eq!(Span::within(&buf, &other), None);
        assert_eq!(Span { start: 4, len: 9 }.get(&buf), &[] as &[u8]);
    }
}
