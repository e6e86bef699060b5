//! TLS metadata of a TCP flow, in Joy's `tls` format plus fingerprints.
//!
//! The feature framework hands each direction's reassembled stream bytes to
//! [`TlsState::on_data`] in order, in chunks split anywhere. [`stream`] frames
//! records and reassembles handshake messages (bounded per direction),
//! [`hello`] summarizes the hellos with tls-parser, [`cert`] the certificates
//! with x509-parser (once per worker for the same bytes: [`cert_cache`]), [`salt`] keeps the record list, and [`json`] writes the
//! object. Fingerprints: [`ja3`] (JA3, JA3S) and [`ja4`].
//!
//! SSLv2-compatible ClientHellos are not TLS here: their first byte has the
//! top bit set, so the stream is marked not-TLS and ignored.

pub mod cert;
pub mod cert_cache;
pub mod detect;
pub mod extensions;
pub mod grease;
pub mod handshake;
pub mod hello;
pub mod hex;
pub mod ipfix;
pub mod ja3;
pub mod ja4;
pub mod json;
pub mod oid_names;
pub mod record;
pub mod salt;
pub mod span;
pub mod stream;
pub mod validity;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::flow::Direction;
use crate::time::Timestamp;

use cert::Certificate;
use handshake::Handshake;
use hello::{ClientHello, ServerHello};
use salt::{RecordStat, Salt};
use stream::{DirStream, Mode};

/// Settings of the TLS feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// Parse certificate chains.
    pub certs: bool,
    /// SALT records kept per direction (Joy keeps 50).
    pub max_records: usize,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            certs: true,
            max_records: 50,
        }
    }
}

/// Everything a flow's TLS state holds once it has seen data.
#[derive(Debug, Default)]
struct Inner {
    /// Indexed by [`Direction`].
    dirs: [DirStream; 2],
    salt: Salt,
    hs: Handshake,
    /// [`TlsConfig::max_records`] at the flow's first data.
    max_records: usize,
}

impl Inner {
    /// Notes on what could not be read, for the JSON `notes` list.
    fn notes(&self) -> Vec<&'static str> {
        let mut n = Vec::new();
        for dir in Direction::BOTH {
            let d = &self.dirs[dir];
            if d.overflowed() {
                n.push(if dir.is_out() {
                    "outbound handshake over 64 KiB: not parsed further"
                } else {
                    "inbound handshake over 64 KiB: not parsed further"
                });
            }
            if matches!(d.mode(), Mode::Desync(_)) {
                n.push(if dir.is_out() {
                    "outbound record framing lost"
                } else {
                    "inbound record framing lost"
                });
            }
        }
        if self.hs.cert_errors > 0 {
            n.push("certificate not parsed");
        }
        if self.hs.hello_errors > 0 {
            n.push("hello not parsed");
        }
        n
    }
}

/// Per-flow TLS state for both directions. 8 bytes until the first data.
#[derive(Debug, Default)]
pub struct TlsState {
    inner: Option<Box<Inner>>,
}

impl TlsState {
    /// In-order stream bytes of direction `dir` (`Out` = sent by the flow's
    /// initiator). Records and handshake messages may span chunks.
    pub fn on_data(&mut self, dir: Direction, data: &[u8], ts: Timestamp, cfg: &TlsConfig) {
        if data.is_empty() {
            return;
        }
        let inner = self.inner.get_or_insert_with(|| {
            Box::new(Inner {
                hs: Handshake {
                    want_certs: cfg.certs,
                    ..Handshake::default()
                },
                max_records: cfg.max_records,
                ..Inner::default()
            })
        });
        let Inner { dirs, salt, hs, .. } = &mut **inner;
        dirs[dir].feed(dir, data, ts, cfg.max_records, salt, hs);
    }

    /// False once more bytes cannot change the output: a direction is not TLS
    /// (or lost framing), or both handshakes are over and both SALT lists full.
    pub fn wants_data(&self) -> bool {
        let Some(inner) = self.inner.as_deref() else {
            return true;
        };
        let [o, i] = &inner.dirs;
        let not_tls = |d: &DirStream| matches!(d.mode(), Mode::NotTls(_));
        if not_tls(o) || not_tls(i) {
            return false;
        }
        !(o.done(inner.max_records) && i.done(inner.max_records))
    }

    /// True once both directions have finished their handshake (encrypted
    /// records follow) or cannot say more: the handshake is all known.
    pub fn handshake_done(&self) -> bool {
        self.inner
            .as_deref()
            .is_some_and(|inner| inner.dirs.iter().all(|d| d.done(0)))
    }

    /// Writes `,"tls":{...}` (leading comma); nothing if the flow carried no TLS.
    pub fn write_json<W: std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        json::write_tls(self, w)
    }

    /// True if either direction was found not to be TLS.
    pub fn is_not_tls(&self) -> bool {
        self.inner
            .as_deref()
            .is_some_and(|i| i.dirs.iter().any(|d| matches!(d.mode(), Mode::NotTls(_))))
    }

    fn hs(&self) -> Option<&Handshake> {
        self.inner.as_deref().map(|i| &i.hs)
    }

    /// The ClientHello summary.
    pub fn client_hello(&self) -> Option<&ClientHello> {
        self.hs().and_then(|h| h.client.as_deref())
    }

    /// The ServerHello summary.
    pub fn server_hello(&self) -> Option<&ServerHello> {
        self.hs().and_then(|h| h.server.as_deref())
    }

    /// SNI host name.
    pub fn sni(&self) -> Option<&str> {
        self.client_hello().and_then(|c| c.sni())
    }

    /// ClientHello legacy_version (e.g. 0x0303).
    pub fn client_version(&self) -> Option<u16> {
        self.client_hello().map(|c| c.version())
    }

    /// ServerHello legacy_version.
    pub fn server_version(&self) -> Option<u16> {
        self.server_hello().map(|s| s.version())
    }

    /// supported_versions offered by the client (GREASE included).
    pub fn supported_versions(&self) -> &[u16] {
        self.client_hello().map_or(&[], |c| c.supported_versions())
    }

    /// The version the server selected in supported_versions (TLS 1.3).
    pub fn server_selected_version(&self) -> Option<u16> {
        self.server_hello().and_then(|s| s.selected_version())
    }

    /// Offered cipher suites (GREASE included).
    pub fn cipher_suites(&self) -> &[u16] {
        self.client_hello().map_or(&[], |c| c.ciphers())
    }

    /// The selected cipher suite.
    pub fn selected_cipher_suite(&self) -> Option<u16> {
        self.server_hello().map(|s| s.cipher())
    }

    /// ClientHello extension types in wire order.
    pub fn client_extension_types(&self) -> Vec<u16> {
        self.client_hello()
            .map(|c| c.extension_types().collect())
            .unwrap_or_default()
    }

    /// ServerHello extension types in wire order.
    pub fn server_extension_types(&self) -> Vec<u16> {
        self.server_hello()
            .map(|s| s.extension_types().collect())
            .unwrap_or_default()
    }

    /// JA3 string.
    pub fn ja3_string(&self) -> Option<String> {
        self.client_hello().map(ja3::ja3_string)
    }

    /// JA3 (MD5 hex of the JA3 string).
    pub fn ja3(&self) -> Option<String> {
        self.ja3_string().map(|s| ja3::md5_hex(&s))
    }

    /// JA3S string.
    pub fn ja3s_string(&self) -> Option<String> {
        self.server_hello().map(ja3::ja3s_string)
    }

    /// JA3S (MD5 hex of the JA3S string).
    pub fn ja3s(&self) -> Option<String> {
        self.ja3s_string().map(|s| ja3::md5_hex(&s))
    }

    /// JA4 of the ClientHello.
    pub fn ja4(&self) -> Option<String> {
        self.client_hello().map(ja4::ja4)
    }

    /// JA4_r (JA4 with the lists unhashed).
    pub fn ja4_r(&self) -> Option<String> {
        self.client_hello().map(ja4::ja4_r)
    }

    /// ClientKeyExchange length in bits (Joy's c_key_length).
    pub fn client_key_length(&self) -> Option<usize> {
        self.hs()
            .and_then(|h| h.client_key_exchange.as_deref())
            .map(|k| k.len() * 8)
    }

    /// The server's certificate chain, leaf first (empty under TLS 1.3).
    pub fn server_certificates(&self) -> &[Arc<Certificate>] {
        self.hs().map_or(&[], |h| &h.server_certs)
    }

    /// The client's certificate chain.
    pub fn client_certificates(&self) -> &[Arc<Certificate>] {
        self.hs().map_or(&[], |h| &h.client_certs)
    }

    /// SALT records in arrival order.
    pub fn records(&self) -> &[RecordStat] {
        self.inner.as_deref().map_or(&[], |i| i.salt.records())
    }
}
