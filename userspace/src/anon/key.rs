//! The 32-byte anonymization key, shared by Crypto-PAn (addresses) and the
//! username pseudonyms: the same key always gives the same output.
use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

use super::error::AnonError;

/// The anonymization key. Its `Debug` form never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct AnonKey([u8; 32]);

impl std::fmt::Debug for AnonKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnonKey(..)")
    }
}

impl AnonKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        AnonKey(bytes)
    }

    /// The key's 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A fresh random key from the kernel's generator (`/dev/urandom`).
    pub fn generate() -> io::Result<Self> {
        let mut bytes = [0u8; 32];
        fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
        Ok(AnonKey(bytes))
    }

    /// Loads a key file: either 64 hexadecimal digits (upper or lower case,
    /// surrounding whitespace and a final newline allowed), or exactly 32 raw
    /// bytes.
    pub fn load(path: &Path) -> Result<Self, AnonError> {
        let data = fs::read(path).map_err(|source| AnonError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&data).map_err(|why| AnonError::Key {
            path: path.to_path_buf(),
            why,
        })
    }

    /// Parses the contents of a key file (see [`AnonKey::load`]).
    fn parse(data: &[u8]) -> Result<Self, String> {
        let text = data.trim_ascii();
        if text.len() == 64 && text.iter().all(u8::is_ascii_hexdigit) {
            let mut bytes = [0u8; 32];
            for (b, pair) in bytes.iter_mut().zip(text.chunks_exact(2)) {
                let digits = std::str::from_utf8(pair).map_err(|e| e.to_string())?;
                *b = u8::from_str_radix(digits, 16).map_err(|e| e.to_string())?;
            }
            return Ok(AnonKey(bytes));
        }
        if let Ok(bytes) = <[u8; 32]>::try_from(data) {
            return Ok(AnonKey(bytes));
        }
        Err(format!(
            "found {} bytes ({} after trimming whitespace) that are not 64 hex digits",
            data.len(),
            text.len()
        ))
    }

    /// The key as 64 lowercase hex digits, the format [`AnonKey::save`] writes.
    pub fn to_hex(&self) -> String {
        crate::json::num::hex(&self.0)
    }

    /// Writes the key as 64 hex digits and a newline to a new file readable only
    /// by its owner (mode 0600). Refuses to overwrite an existing file.
    pub fn save(&self, path: &Path) -> Result<(), AnonError> {
        use std::os::unix::fs::OpenOptionsExt;
        let io_err = |source| AnonError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(io_err)?;
        f.write_all(format!("{}\n", self.to_hex()).as_bytes())
            .map_err(io_err)?;
        f.sync_all().map_err(io_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "00112233445566778899aabbccddeeff0123456789ABCDEFfedcba9876543210";
    const BYTES: [u8; 32] = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
        0xff, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
        0x32, 0x10,
    ];

    #[test]
    fn parses_hex_with_surrounding_whitespace() {
        let k = AnonKey::parse(format!("  {HEX}\n").as_bytes()).unwrap();
        assert_eq!(k.as_bytes(), &BYTES);
        assert_eq!(k.to_hex(), HEX.to_ascii_lowercase());
    }

    #[test]
    fn parses_32_raw_bytes_even_if_they_look_like_whitespace() {
        let raw: [u8; 32] = std::array::from_fn(|i| if i % 2 == 0 { b' ' } else { 0xA5 });
        assert_eq!(AnonKey::parse(&raw).unwrap().as_bytes(), &raw);
    }

    #[test]
    fn rejects_other_lengths_and_non_hex() {
        assert!(AnonKey::parse(&HEX.as_bytes()[..62]).is_err());
        let bad = HEX.replace('f', "g");
        assert!(AnonKey::parse(bad.as_bytes()).is_err());
        assert!(AnonKey::parse(b"").is_err());
    }

    #[test]
    fn load_names_the_file() {
        let dir = std::env::temp_dir().join(format!("sluice-anon-key-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.key");
        fs::write(&path, "abc\n").unwrap();
        let e = AnonKey::load(&path).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("{}: found 4 bytes", path.display())),
            "{e}"
        );
        fs::remove_file(&path).unwrap();

        let saved = dir.join("good.key");
        let _ = fs::remove_file(&saved);
        let k = AnonKey::from_bytes(BYTES);
        k.save(&saved).unwrap();
        assert_eq!(AnonKey::load(&saved).unwrap(), k);
        assert!(k.save(&saved).is_err(), "save must not overwrite");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn debug_does_not_show_the_key() {
        assert_eq!(format!("{:?}", AnonKey::from_bytes(BYTES)), "AnonKey(..)");
    }
}
