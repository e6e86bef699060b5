//! Byte distribution of a flow's payload (both directions), its mean,
//! standard deviation and entropy (Joy's `byte_dist`, `byte_dist_mean`,
//! `byte_dist_std`, `entropy`, `total_entropy`).

use std::io::{self, Write};

/// Counts of each byte value over the payload bytes seen.
#[derive(Clone)]
pub struct ByteDist {
    counts: Box<[u64; 256]>,
    total: u64,
}

impl Default for ByteDist {
    fn default() -> Self {
        ByteDist {
            counts: Box::new([0; 256]),
            total: 0,
        }
    }
}

impl std::fmt::Debug for ByteDist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteDist")
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl ByteDist {
    /// Counts every byte of `bytes`.
    #[inline]
    pub fn add(&mut self, bytes: &[u8]) {
        // Four interleaved tables break the store-to-load chain on runs of
        // one value (zero padding, ASCII spaces) for longer payloads.
        if bytes.len() >= 256 {
            let mut t = [[0u32; 256]; 4];
            let mut chunks = bytes.chunks_exact(4);
            for c in &mut chunks {
                t[0][usize::from(c[0])] += 1;
                t[1][usize::from(c[1])] += 1;
                t[2][usize::from(c[2])] += 1;
                t[3][usize::from(c[3])] += 1;
            }
            for &b in chunks.remainder() {
                t[0][usize::from(b)] += 1;
            }
            for (i, c) in self.counts.iter_mut().enumerate() {
                *c += u64::from(t[0][i])
                    + u64::from(t[1][i])
                    + u64::from(t[2][i])
                    + u64::from(t[3][i]);
            }
        } else {
            for &b in bytes {
                self.counts[usize::from(b)] += 1;
            }
        }
        self.total += bytes.len() as u64;
    }

    /// The 256 counts.
    pub fn counts(&self) -> &[u64; 256] {
        &self.counts
    }

    /// Bytes counted.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Mean byte value (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let sum: f64 = self
            .counts
            .iter()
            .enumerate()
            .map(|(v, &c)| v as f64 * c as f64)
            .sum();
        sum / self.total as f64
    }

    /// Sample standard deviation of the byte values (n - 1 in the
    /// denominator, as Joy; 0 for fewer than 2 bytes).
    pub fn std_dev(&self) -> f64 {
        if self.total < 2 {
            return 0.0;
        }
        let mean = self.mean();
        let ss: f64 = self
            .counts
            .iter()
            .enumerate()
            .map(|(v, &c)| {
                let d = v as f64 - mean;
                d * d * c as f64
            })
            .sum();
        (ss / (self.total - 1) as f64).sqrt()
    }

    /// Shannon entropy of the distribution in bits per byte (0 when empty).
    pub fn entropy(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let n = self.total as f64;
        -self
            .counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / n;
                p * p.log2()
            })
            .sum::<f64>()
    }

    /// Writes `,"byte_dist":[...],"byte_dist_mean":m,"byte_dist_std":s`
    /// (the statistics only when bytes were seen, as Joy).
    pub fn write_json<W: Write + ?Sized>(&self, w: &mut W) -> io::Result<()> {
        // 256 numbers, mostly small: format them in one buffer.
        let mut buf = [0u8; 256 * 21 + 16];
        let mut n = 0;
        let mut digits = itoa::Buffer::new();
        for (i, &c) in self.counts.iter().enumerate() {
            if i > 0 {
                buf[n] = b',';
                n += 1;
            }
            if c < 10 {
                buf[n] = b'0' + c as u8;
                n += 1;
            } else {
                let s = digits.format(c).as_bytes();
                buf[n..n + s.len()].copy_from_slice(s);
                n += s.len();
            }
        }
        w.write_all(b",\"byte_dist\":[")?;
        w.write_all(&buf[..n])?;
        w.write_all(b"]")?;
        if self.total > 0 {
            write!(
                w,
                ",\"byte_dist_mean\":{:.6},\"byte_dist_std\":{:.6}",
                self.mean(),
                self.std_dev()
            )?;
        }
        Ok(())
    }

    /// Writes `,"entropy":e,"total_entropy":e*n` when bytes were seen.
    pub fn write_entropy_json<W: Write + ?Sized>(&self, w: &mut W) -> io::Result<()> {
        if self.total > 0 {
            let e = self.entropy();
            write!(
                w,
                ",\"entropy\":{e:.6},\"total_entropy\":{:.6}",
                e * self.total as f64
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_a_known_sequence() {
        let mut bd = ByteDist::default();
        bd.add(b"\x00\x00\xff\xff");
        assert_eq!(bd.total(), 4);
        assert_eq!(bd.counts()[0], 2);
        assert_eq!(bd.counts()[255], 2);
        assert!((bd.mean() - 127.5).abs() < 1e-12);
        // Sample variance: 4 * 127.5^2 / 3.
        assert!((bd.std_dev() - (4.0f64 * 127.5 * 127.5 / 3.0).sqrt()).abs() < 1e-9);
        assert!((bd.entropy() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn long_and_short_paths_count_the_same() {
        let data: Vec<u8> = (0..1001u32).map(|i| (i * 7 % 13) as u8).collect();
        let mut long = ByteDist::default();
        long.add(&data);
        let mut short = ByteDist::default();
        for c in data.chunks(100) {
            short.add(c);
        }
        assert_eq!(long.counts(), short.counts());
        assert_eq!(long.total(), 1001);
    }

    #[test]
    fn uniform_bytes_have_eight_bits_of_entropy() {
        let mut bd = ByteDist::default();
        let all: Vec<u8> = (0..=255u8).collect();
        bd.add(&all);
        assert!((bd.entropy() - 8.0).abs() < 1e-12);
        let mut out = Vec::new();
        bd.write_entropy_json(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            ",\"entropy\":8.000000,\"total_entropy\":2048.000000"
        );
    }
}
