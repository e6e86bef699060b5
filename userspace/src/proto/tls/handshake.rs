//! What the handshake messages of both directions told us: the hellos, the
//! client key exchange and the certificate chains.

use tls_parser::{parse_tls_handshake_msg_certificate, TlsMessageHandshake};

use std::sync::Arc;

use super::cert::Certificate;
use super::cert_cache;
use super::hello::{ClientHello, ServerHello};
use super::stream::HandshakeSink;
use crate::flow::Direction;

/// Handshake message types handled here.
mod hs {
    pub const CLIENT_HELLO: u8 = 1;
    pub const SERVER_HELLO: u8 = 2;
    pub const CERTIFICATE: u8 = 11;
    pub const CLIENT_KEY_EXCHANGE: u8 = 16;
}

/// Joy keeps a ClientKeyExchange only if it is at most 1024 bytes.
const MAX_CKE: usize = 1024;
/// Certificates kept per chain.
pub const MAX_CERTS: usize = 8;

/// Summaries of the handshake messages of a flow.
#[derive(Debug, Default)]
pub struct Handshake {
    /// The first ClientHello.
    pub client: Option<Box<ClientHello>>,
    /// Direction the ClientHello came from.
    pub client_dir: Option<Direction>,
    /// The first ServerHello (or HelloRetryRequest).
    pub server: Option<Box<ServerHello>>,
    /// Direction the ServerHello came from.
    pub server_dir: Option<Direction>,
    /// ClientKeyExchange body, if at most 1024 bytes.
    pub client_key_exchange: Option<Box<[u8]>>,
    /// The server's certificate chain (leaf first), shared with this worker's
    /// other flows that were sent the same certificates ([`cert_cache`]).
    pub server_certs: Vec<Arc<Certificate>>,
    /// The client's certificate chain.
    pub client_certs: Vec<Arc<Certificate>>,
    /// Certificates x509-parser could not read.
    pub cert_errors: u32,
    /// Hellos tls-parser could not read.
    pub hello_errors: u32,
    /// Parse certificates (from [`super::TlsConfig::certs`]).
    pub want_certs: bool,
}

impl Handshake {
    fn certificates(&mut self, dir: Direction, body: &[u8]) {
        let from_server = match (self.server_dir, self.client_dir) {
            (Some(s), _) => s == dir,
            (None, Some(c)) => c != dir,
            (None, None) => dir == Direction::In,
        };
        let already = if from_server {
            !self.server_certs.is_empty()
        } else {
            !self.client_certs.is_empty()
        };
        if already {
            return;
        }
        let Ok((_, TlsMessageHandshake::Certificate(chain))) =
            parse_tls_handshake_msg_certificate(body)
        else {
            self.cert_errors += 1;
            return;
        };
        let mut out = Vec::new();
        for raw in chain.cert_chain.iter().take(MAX_CERTS) {
            match cert_cache::summarize(raw.data) {
                Ok(c) => out.push(c),
                Err(_) => self.cert_errors += 1,
            }
        }
        if from_server {
            self.server_certs = out;
        } else {
            self.client_certs = out;
        }
    }
}

impl HandshakeSink for Handshake {
    fn message(&mut self, dir: Direction, typ: u8, body: &[u8]) {
        match typ {
            hs::CLIENT_HELLO if self.client.is_none() => match ClientHello::parse(body) {
                Ok(c) => {
                    self.client = Some(Box::new(c));
                    self.client_dir = Some(dir);
                }
                Err(_) => self.hello_errors += 1,
            },
            hs::SERVER_HELLO if self.server.is_none() => match ServerHello::parse(body) {
                Ok(s) => {
                    self.server = Some(Box::new(s));
                    self.server_dir = Some(dir);
                }
                Err(_) => self.hello_errors += 1,
            },
            hs::CLIENT_KEY_EXCHANGE
                if self.client_key_exchange.is_none() && body.len() <= MAX_CKE =>
            {
                self.client_key_exchange = Some(body.into());
            }
            hs::CERTIFICATE if self.want_certs => self.certificates(dir, body),
            _ => {}
        }
    }
}
