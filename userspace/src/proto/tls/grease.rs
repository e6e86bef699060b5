//! GREASE values (RFC 8701): reserved code points clients sprinkle into
//! cipher, extension, group, version and signature-algorithm lists. JA3 and
//! JA4 both leave them out.

/// True for the sixteen RFC 8701 values 0x0a0a, 0x1a1a, ... 0xfafa.
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff
}

#[cfg(test)]
mod tests {
    use super::is_grease;

    #[test]
    fn exactly_the_sixteen_rfc8701_values() {
        let all: Vec<u16> = (0..=u16::MAX).filter(|v| is_grease(*v)).collect();
        let want: Vec<u16> = (0..16u16)
            .map(|i| (i << 12) | 0x0a00 | (i << 4) | 0x0a)
            .collect();
        assert_eq!(all, want);
        assert_eq!(all.first(), Some(&0x0a0a));
        assert_eq!(all.last(), Some(&0xfafa));
        assert!(!is_grease(0x0a1a));
    }
}
