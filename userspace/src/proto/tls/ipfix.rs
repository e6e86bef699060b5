//! The TLS fields of a flow's IPFIX record: the client hello's values
//! forward, the server hello's reverse (RFC 5103), then SNI, JA3 and JA4.
//! Elements: Cisco's ETA numbers (PEN 9), CESNET's SNI and JA4 (ipfixprobe),
//! Flowmon's JA3; see docs/ipfix.md.

use sluice_ipfix::{pen, semantic, ExportError, Field, RecordFields, VARLEN};

use crate::proto::tls::TlsState;

/// Cipher suites offered (reverse: the one selected): a basicList element.
pub const TLS_CIPHERS: Field = Field::enterprise(pen::CISCO, 44946, 2);
/// Hello version.
pub const TLS_VERSION: Field = Field::enterprise(pen::CISCO, 44948, 2);
/// Client key exchange length in bits.
pub const TLS_KEY_LEN: Field = Field::enterprise(pen::CISCO, 44949, 2);
/// Hello session id.
pub const TLS_SESSION_ID: Field = Field::enterprise(pen::CISCO, 44950, VARLEN);
/// Hello random (32 bytes).
pub const TLS_RANDOM: Field = Field::enterprise(pen::CISCO, 44951, 32);
/// Hello extension lengths: a basicList element.
pub const TLS_EXT_LENGTHS: Field = Field::enterprise(pen::CISCO, 44960, 2);
/// Hello extension types: a basicList element.
pub const TLS_EXT_TYPES: Field = Field::enterprise(pen::CISCO, 44961, 2);
/// Server name indication (CESNET, as ipfixprobe).
pub const TLS_SNI: Field = Field::enterprise(pen::CESNET, 808, VARLEN);
/// JA4 fingerprint (CESNET).
pub const TLS_JA4: Field = Field::enterprise(pen::CESNET, 809, VARLEN);
/// JA3 fingerprint (Flowmon).
pub const TLS_JA3: Field = Field::enterprise(pen::FLOWMON, 357, VARLEN);

/// Names and puts the TLS fields of `t` (zeros and empty values for what is
/// unknown; `None` describes the template).
pub fn put_ipfix(out: &mut dyn RecordFields, t: Option<&TlsState>) -> Result<(), ExportError> {
    let ch = t.and_then(TlsState::client_hello);
    out.uint(
        TLS_VERSION,
        u64::from(t.and_then(TlsState::client_version).unwrap_or(0)),
    )?;
    out.bytes(TLS_RANDOM, &random32(ch.map(|c| c.random())))?;
    out.bytes(TLS_SESSION_ID, ch.map(|c| c.session_id()).unwrap_or(&[]))?;
    let key_bits = t
        .and_then(TlsState::client_key_length)
        .unwrap_or(0)
        .min(usize::from(u16::MAX));
    out.uint(TLS_KEY_LEN, key_bits as u64)?;
    let ciphers = t.map(TlsState::cipher_suites).unwrap_or_default();
    let mut offered = ciphers.iter().map(|&c| u64::from(c));
    out.uint_list(semantic::ORDERED, TLS_CIPHERS, &mut offered)?;
    let ext: Vec<(u16, usize)> = ch
        .map(|c| c.extensions().map(|(ty, d)| (ty, d.len())).collect())
        .unwrap_or_default();
    put_extensions(out, false, &ext)?;

    let sh = t.and_then(TlsState::server_hello);
    out.uint(
        TLS_VERSION.reverse(),
        u64::from(t.and_then(TlsState::server_version).unwrap_or(0)),
    )?;
    out.bytes(TLS_RANDOM.reverse(), &random32(sh.map(|s| s.random())))?;
    out.bytes(
        TLS_SESSION_ID.reverse(),
        sh.map(|s| s.session_id()).unwrap_or(&[]),
    )?;
    let mut selected = t
        .and_then(TlsState::selected_cipher_suite)
        .map(u64::from)
        .into_iter();
    out.uint_list(semantic::ORDERED, TLS_CIPHERS.reverse(), &mut selected)?;
    let ext: Vec<(u16, usize)> = sh
        .map(|s| s.extensions().map(|(ty, d)| (ty, d.len())).collect())
        .unwrap_or_default();
    put_extensions(out, true, &ext)?;

    out.str(TLS_SNI, t.and_then(TlsState::sni).unwrap_or(""))?;
    out.str(TLS_JA3, t.and_then(TlsState::ja3).as_deref().unwrap_or(""))?;
    out.str(TLS_JA4, t.and_then(TlsState::ja4).as_deref().unwrap_or(""))
}

fn put_extensions(
    out: &mut dyn RecordFields,
    reverse: bool,
    ext: &[(u16, usize)],
) -> Result<(), ExportError> {
    let (types, lens) = if reverse {
        (TLS_EXT_TYPES.reverse(), TLS_EXT_LENGTHS.reverse())
    } else {
        (TLS_EXT_TYPES, TLS_EXT_LENGTHS)
    };
    let mut ids = ext.iter().map(|&(t, _)| u64::from(t));
    out.uint_list(semantic::ORDERED, types, &mut ids)?;
    let mut sizes = ext
        .iter()
        .map(|&(_, l)| l.min(usize::from(u16::MAX)) as u64);
    out.uint_list(semantic::ORDERED, lens, &mut sizes)
}

/// A hello random as the fixed 32 bytes (zeros when absent).
fn random32(r: Option<&[u8]>) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Some(r) = r {
        let n = r.len().min(32);
        out[..n].copy_from_slice(&r[..n]);
    }
    out
}
