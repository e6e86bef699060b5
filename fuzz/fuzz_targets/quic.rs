//! QUIC Initial path. The first byte picks the mode:
//! - even: the rest is client datagrams, each preceded by a length byte,
//!   pushed into one QuicInitialState the way the L7 classifier does; every
//!   datagram also goes through the header-only checks;
//! - odd: the rest (after a DCID length byte and the DCID) is the plaintext
//!   of Initial packets sealed here with the real keys, so the frames,
//!   CRYPTO reassembly and ClientHello parsing are reached past the AEAD
//!   tag; the same bytes are also walked as frames directly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice::proto::quic::crypto_stream::CryptoStream;
use sluice::proto::quic::frames::{frames, Frame};
use sluice::proto::quic::header::packets;
use sluice::proto::quic::hello::client_hello;
use sluice::proto::quic::keys::InitialKeys;
use sluice::proto::quic::protect::seal;
use sluice::proto::quic::version::{params, FrameDialect, V1, V2};
use sluice::proto::quic::{looks_like_initial, version_name, QuicInitialState, QuicProgress};

/// A client Initial carrying `payload` (at least 20 bytes), sealed.
fn initial(version: u32, dcid: &[u8], pn: u64, payload: &[u8]) -> Option<Vec<u8>> {
    let p = params(version)?;
    let first = if version == V2 { 0xd1 } else { 0xc1 }; // 2-byte packet number
    let mut h = vec![first];
    h.extend(version.to_be_bytes());
    h.push(dcid.len() as u8);
    h.extend(dcid);
    h.extend([0, 0]); // SCID, token
    let len = 2 + payload.len() + 16;
    h.extend((0x4000 | (len as u16 & 0x3fff)).to_be_bytes());
    let pn_offset = h.len();
    h.extend((pn as u16).to_be_bytes());
    h.extend(payload);
    seal(&InitialKeys::client(&p, dcid), &mut h, pn_offset, pn).ok()?;
    Some(h)
}

fn check(p: &QuicProgress) {
    if let QuicProgress::Done(h) = p {
        let _ = version_name(h.version).to_string();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let mut st = QuicInitialState::new();
    if sel & 1 == 0 {
        let mut r = rest;
        while let Some((&n, tail)) = r.split_first() {
            let n = usize::from(n) * 8 + 1;
            let (dgram, tail) = tail.split_at(n.min(tail.len()));
            let _ = looks_like_initial(dgram);
            for h in packets(dgram).take(64) {
                let _ = h.map(|h| (h.dcid.len(), h.token.len(), h.packet.len()));
            }
            check(&st.push(dgram));
            r = tail;
        }
        return;
    }
    // Sealed mode: DCID, then the plaintext cut into packets of up to 1200 bytes.
    let Some((&dl, rest)) = rest.split_first() else {
        return;
    };
    let (dcid, plain) = rest.split_at(usize::from(dl % 21).min(rest.len()));
    let version = if sel & 2 == 0 { V1 } else { V2 };
    for (i, chunk) in plain.chunks(1200).enumerate() {
        let mut payload = chunk.to_vec();
        payload.resize(payload.len().max(20), 0);
        if let Some(pkt) = initial(version, dcid, i as u64, &payload) {
            check(&st.push(&pkt));
        }
    }
    // The plaintext side directly, both frame numberings.
    for dialect in [FrameDialect::Ietf, FrameDialect::Google] {
        let mut cs = CryptoStream::default();
        for f in frames(plain, dialect) {
            match f {
                Ok(Frame::Crypto { offset, data }) => {
                    let _ = cs.insert(offset, data);
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let _ = client_hello(cs.contiguous());
    }
});
