//! Per-flow state: client datagrams in, ClientHello summary out.

use super::crypto_stream::CryptoStream;
use super::error::QuicError;
use super::frames::{frames, Frame};
use super::header::{packets, LongHeader, MAX_CID_LEN};
use super::hello::{client_hello, QuicHello};
use super::keys::InitialKeys;
use super::protect::open;
use super::version::{salt_candidates, PacketType, VersionParams};

/// Where a flow stands after a datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuicProgress {
    /// No client Initial of a known version could be opened, in this datagram
    /// or any before it: this is not (decryptable) QUIC.
    NotQuic,
    /// Client Initial packets were opened but the ClientHello is not complete yet.
    NeedMore,
    /// The ClientHello is complete. Final: later calls return it again.
    Done(QuicHello),
    /// Initial packets were opened but no ClientHello can come out of them
    /// (see the error). Final: later calls return it again.
    Failed(QuicError),
}

/// Initial keys cached for the connection ID they were derived from.
#[derive(Debug, Clone)]
struct CachedKeys {
    version: u32,
    dcid: [u8; MAX_CID_LEN],
    dcid_len: u8,
    keys: InitialKeys,
}

impl CachedKeys {
    fn new(h: &LongHeader<'_>, params: &VersionParams) -> CachedKeys {
        let mut dcid = [0u8; MAX_CID_LEN];
        let n = h.dcid.len().min(MAX_CID_LEN);
        dcid[..n].copy_from_slice(&h.dcid[..n]);
        CachedKeys {
            version: h.version(),
            dcid,
            dcid_len: n as u8,
            keys: InitialKeys::client(params, h.dcid),
        }
    }

    fn matches(&self, h: &LongHeader<'_>) -> bool {
        self.version == h.version() && self.dcid.get(..usize::from(self.dcid_len)) == Some(h.dcid)
    }
}

/// The client side of one UDP flow: decrypts its Initial packets and
/// reassembles the CRYPTO stream until the ClientHello is complete.
///
/// 168 bytes, plus while the handshake is in flight the key schedules
/// (about 1.5 KiB), the CRYPTO bytes received (at most
/// [`super::crypto_stream::MAX_CRYPTO`]) and one packet's decryption
/// buffer; box it per flow only once [`super::looks_like_initial`] said yes.
#[derive(Debug, Clone, Default)]
pub struct QuicInitialState {
    /// Keys of the first client Initial (derived from its DCID), replaced
    /// when a later Initial only opens with keys from its own DCID (after a
    /// Retry or Version Negotiation).
    keys: Option<Box<CachedKeys>>,
    /// Version of the Initial packets that fed `crypto`.
    version: Option<u32>,
    /// Largest client Initial packet number opened.
    largest_pn: Option<u64>,
    crypto: CryptoStream,
    /// Client Initial packets opened.
    opened: u32,
    /// Decryption buffer, reused.
    scratch: Vec<u8>,
    /// The final result, once reached.
    outcome: Option<QuicProgress>,
}

impl QuicInitialState {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one UDP payload sent by the client (a datagram of possibly
    /// several coalesced QUIC packets). Server datagrams must not be fed:
    /// they use other keys and are ignored at a cost.
    pub fn push(&mut self, datagram: &[u8]) -> QuicProgress {
        if let Some(done) = &self.outcome {
            return done.clone();
        }
        for h in packets(datagram) {
            let Ok(h) = h else { break };
            if h.packet_type != PacketType::Initial {
                continue;
            }
            if let Err(e) = self.initial(&h) {
                if e == QuicError::CryptoOverflow {
                    return self.finish(QuicProgress::Failed(e));
                }
            }
        }
        if self.opened == 0 {
            return QuicProgress::NotQuic;
        }
        let Some(version) = self.version else {
            return QuicProgress::NeedMore;
        };
        match client_hello(self.crypto.contiguous()) {
            None => QuicProgress::NeedMore,
            Some(Ok(ch)) => self.finish(QuicProgress::Done(QuicHello::new(version, &ch))),
            Some(Err(e)) => self.finish(QuicProgress::Failed(e)),
        }
    }

    /// Client Initial packets opened so far.
    pub fn initials_opened(&self) -> u32 {
        self.opened
    }

    fn finish(&mut self, p: QuicProgress) -> QuicProgress {
        // The keys and buffers are no longer needed.
        self.keys = None;
        self.crypto = CryptoStream::default();
        self.scratch = Vec::new();
        self.outcome = Some(p.clone());
        p
    }

    /// Opens one Initial packet and stores its CRYPTO frames.
    fn initial(&mut self, h: &LongHeader<'_>) -> Result<(), QuicError> {
        let same_version = self.version == Some(h.version());
        let largest = self.largest_pn.filter(|_| same_version);
        let mut opened = Err(QuicError::Decrypt);
        let mut tried_own_dcid = false;
        if let Some(k) = self.keys.as_ref().filter(|k| k.version == h.version()) {
            opened = open(&k.keys, load(&mut self.scratch, h), h.pn_offset, largest);
            tried_own_dcid = k.matches(h);
        }
        if opened.is_err() && !tried_own_dcid {
            for params in salt_candidates(&h.params) {
                let fresh = CachedKeys::new(h, &params);
                let buf = load(&mut self.scratch, h);
                opened = open(&fresh.keys, buf, h.pn_offset, largest);
                if opened.is_ok() {
                    self.keys = Some(Box::new(fresh));
                    break;
                }
            }
        }
        let o = opened?;
        self.opened = self.opened.saturating_add(1);
        if !same_version {
            // A new version restarts the handshake (Version Negotiation).
            self.crypto.clear();
            self.version = Some(h.version());
        }
        self.largest_pn = Some(largest.map_or(o.pn, |l| l.max(o.pn)));
        let payload = self.scratch.get(o.payload).unwrap_or(&[]);
        for f in frames(payload, h.params.frames) {
            if let Frame::Crypto { offset, data } = f? {
                self.crypto.insert(offset, data)?;
            }
        }
        Ok(())
    }
}

/// Copies the packet into the reusable buffer that it is decrypted in.
fn load<'a>(scratch: &'a mut Vec<u8>, h: &LongHeader<'_>) -> &'a mut [u8] {
    scratch.clear();
    scratch.extend_from_slice(h.packet);
    scratch
}
