//! Packet protection of a long header packet (RFC 9001 sections 5.3 and
//! 5.4): AES-128-GCM over the payload with the header as associated data,
//! and AES-128 header protection over a 16-byte sample. [`open`] removes it;
//! [`seal`] applies it (for tests and fuzzing: the engine only observes).

use std::ops::Range;

use aes::cipher::BlockEncrypt;
use aes_gcm::aead::AeadInPlace;

use super::error::QuicError;
use super::keys::InitialKeys;

/// Length of the AEAD tag.
pub const TAG_LEN: usize = 16;
/// Length of the header protection sample.
pub const SAMPLE_LEN: usize = 16;

/// An opened packet: its packet number and where its plaintext lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The full packet number.
    pub pn: u64,
    /// The plaintext payload (frames) within the packet buffer.
    pub payload: Range<usize>,
}

/// Expands a truncated packet number of `pn_len` bytes to the value closest
/// to `largest + 1` (RFC 9000 appendix A.3). Without a previous packet the
/// truncated value is the packet number.
pub fn decode_pn(largest: Option<u64>, truncated: u64, pn_len: usize) -> u64 {
    let Some(largest) = largest else {
        return truncated;
    };
    let bits = 8 * pn_len.clamp(1, 4) as u32;
    let expected = largest.saturating_add(1);
    let win = 1u64 << bits;
    let hwin = win / 2;
    let mask = win - 1;
    let candidate = (expected & !mask) | (truncated & mask);
    if candidate.saturating_add(hwin) <= expected && candidate < (1 << 62) - win {
        candidate + win
    } else if candidate > expected.saturating_add(hwin) && candidate >= win {
        candidate - win
    } else {
        candidate
    }
}

/// Removes header protection and decrypts `packet` in place. `pn_offset` is
/// where the packet number starts (from [`super::header::LongHeader`]);
/// `largest` is the largest packet number opened so far in this space.
///
/// On success `packet[..payload.start]` is the unprotected header and
/// `packet[payload]` the frames. On failure the buffer holds garbage.
pub fn open(
    keys: &InitialKeys,
    packet: &mut [u8],
    pn_offset: usize,
    largest: Option<u64>,
) -> Result<Opened, QuicError> {
    let sample_at = pn_offset.checked_add(4).ok_or(QuicError::TooShort)?;
    let sample = sample_at
        .checked_add(SAMPLE_LEN)
        .and_then(|end| packet.get(sample_at..end))
        .ok_or(QuicError::TooShort)?;
    let mut mask = aes::Block::default();
    mask.copy_from_slice(sample);
    keys.hp.encrypt_block(&mut mask);

    let first = packet.first_mut().ok_or(QuicError::TooShort)?;
    *first ^= mask[0] & 0x0f;
    let pn_len = usize::from(*first & 0x03) + 1;
    // pn_offset + 4 did not overflow, so neither does pn_offset + pn_len.
    let pn_bytes = packet
        .get_mut(pn_offset..pn_offset + pn_len)
        .ok_or(QuicError::TooShort)?;
    let mut truncated = 0u64;
    for (b, m) in pn_bytes.iter_mut().zip(&mask[1..]) {
        *b ^= m;
        truncated = (truncated << 8) | u64::from(*b);
    }
    let pn = decode_pn(largest, truncated, pn_len);

    let mut nonce = keys.iv;
    for (n, p) in nonce[4..].iter_mut().zip(pn.to_be_bytes()) {
        *n ^= p;
    }
    let start = pn_offset + pn_len;
    let end = packet
        .len()
        .checked_sub(TAG_LEN)
        .filter(|&e| e >= start)
        .ok_or(QuicError::TooShort)?;
    let (header, body) = packet.split_at_mut(start);
    let (ciphertext, tag) = body.split_at_mut(end - start);
    let tag = aes_gcm::Tag::clone_from_slice(tag);
    keys.aead
        .decrypt_in_place_detached(&nonce.into(), header, ciphertext, &tag)
        .map_err(|_| QuicError::Decrypt)?;
    Ok(Opened {
        pn,
        payload: start..end,
    })
}

/// Protects `packet` in place: it holds the unprotected header, ending with
/// a packet number of the length its first byte gives, at `pn_offset`, then
/// the plaintext payload; the tag is appended. The header's Length must
/// already count the tag. Fails (leaving `packet` unchanged) if the packet
/// is too short to sample.
pub fn seal(
    keys: &InitialKeys,
    packet: &mut Vec<u8>,
    pn_offset: usize,
    pn: u64,
) -> Result<(), QuicError> {
    let first = *packet.first().ok_or(QuicError::TooShort)?;
    let pn_len = usize::from(first & 0x03) + 1;
    let start = pn_offset.checked_add(pn_len).ok_or(QuicError::TooShort)?;
    let sample_at = pn_offset.checked_add(4).ok_or(QuicError::TooShort)?;
    if start > packet.len() || packet.len() + TAG_LEN < sample_at + SAMPLE_LEN {
        return Err(QuicError::TooShort);
    }
    let mut nonce = keys.iv;
    for (n, p) in nonce[4..].iter_mut().zip(pn.to_be_bytes()) {
        *n ^= p;
    }
    let (header, body) = packet.split_at_mut(start);
    let tag = keys
        .aead
        .encrypt_in_place_detached(&nonce.into(), header, body)
        .map_err(|_| QuicError::TooShort)?;
    packet.extend_from_slice(&tag);
    let mut mask = aes::Block::default();
    mask.copy_from_slice(&packet[sample_at..sample_at + SAMPLE_LEN]);
    keys.hp.encrypt_block(&mut mask);
    packet[0] ^= mask[0] & 0x0f;
    for (b, m) in packet[pn_offset..start].iter_mut().zip(&mask[1..]) {
        *b ^= m;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::decode_pn;

    #[test]
    fn rfc9000_a3_example() {
        // Largest 0xa82f30ea, 2-byte truncated 0x9b32 -> 0xa82f9b32.
        assert_eq!(decode_pn(Some(0xa82f_30ea), 0x9b32, 2), 0xa82f_9b32);
        assert_eq!(decode_pn(None, 2, 4), 2);
        // Out-of-range inputs do not overflow.
        let _ = decode_pn(Some(u64::MAX), 0xff, 1);
        let _ = decode_pn(Some(1 << 62), u64::MAX, 9);
    }
}
