//! Initial secrets and keys (RFC 9001 section 5.2, RFC 9369 section 3.3):
//! HKDF-Extract over the client's Destination Connection ID with the
//! version's salt, then HKDF-Expand-Label (RFC 8446 section 7.1) down to the
//! AEAD key, IV and header protection key.

use aes::cipher::KeyInit;
use aes::Aes128;
use aes_gcm::Aes128Gcm;
use hkdf::Hkdf;
use sha2::Sha256;

use super::version::VersionParams;

/// Which endpoint's Initial keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Keys of the client's Initial packets ("client in").
    Client,
    /// Keys of the server's Initial packets ("server in").
    Server,
}

/// The raw key material of one side's Initial packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Secrets {
    /// The side's Initial secret (client_initial_secret or server_initial_secret).
    pub secret: [u8; 32],
    /// AEAD_AES_128_GCM key.
    pub key: [u8; 16],
    /// AEAD IV (nonce base).
    pub iv: [u8; 12],
    /// Header protection key (AES-128-ECB).
    pub hp: [u8; 16],
}

/// HKDF-Expand-Label(secret, label, "", N) with the "tls13 " prefix.
fn expand_label<const N: usize>(hk: &Hkdf<Sha256>, label: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    // Labels here are at most 12 bytes and N at most 32, so both fit.
    let len = (N as u16).to_be_bytes();
    let label_len = [(6 + label.len()) as u8];
    // Cannot fail: N is far below 255 * 32 bytes.
    let _ = hk.expand_multi_info(&[&len, &label_len, b"tls13 ", label, &[0]], &mut out);
    out
}

impl Secrets {
    /// Derives `side`'s Initial key material for a connection whose client
    /// chose `dcid` as the Destination Connection ID of its first Initial.
    pub fn derive(params: &VersionParams, dcid: &[u8], side: Side) -> Secrets {
        let (_, initial) = Hkdf::<Sha256>::extract(Some(params.salt), dcid);
        let label: &[u8] = match side {
            Side::Client => b"client in",
            Side::Server => b"server in",
        };
        let secret: [u8; 32] = expand_label(&initial, label);
        // A 32-byte PRK is always accepted; the fallback is never taken.
        let hk = Hkdf::<Sha256>::from_prk(&secret).unwrap_or(initial);
        Secrets {
            secret,
            key: expand_label(&hk, params.labels.key),
            iv: expand_label(&hk, params.labels.iv),
            hp: expand_label(&hk, params.labels.hp),
        }
    }
}

/// Ready-to-use ciphers of one side's Initial packets.
#[derive(Clone)]
pub struct InitialKeys {
    /// Payload protection.
    pub aead: Aes128Gcm,
    /// The IV that packet numbers are XORed into.
    pub iv: [u8; 12],
    /// Header protection.
    pub hp: Aes128,
}

impl InitialKeys {
    /// Key schedules for `s`.
    pub fn new(s: &Secrets) -> InitialKeys {
        InitialKeys {
            aead: Aes128Gcm::new(&s.key.into()),
            iv: s.iv,
            hp: Aes128::new(&s.hp.into()),
        }
    }

    /// The client's Initial keys for `dcid` under `params`.
    pub fn client(params: &VersionParams, dcid: &[u8]) -> InitialKeys {
        InitialKeys::new(&Secrets::derive(params, dcid, Side::Client))
    }
}

impl std::fmt::Debug for InitialKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InitialKeys { .. }")
    }
}
