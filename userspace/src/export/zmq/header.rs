//! The header part of a message to ntopng's ZMQ collector
//! (`ZMQCollectorInterface`), told apart by its length: `zmq_msg_hdr_v2`
//! (28 bytes) for every release since 5.x, `zmq_msg_hdr_v3` (36 bytes,
//! ntopng ≥ 6.3) when a TLV payload is compressed. The topic is NUL-padded
//! to 16 bytes, `msg_id` is big-endian, `source_id` (and v3's sizes) in the
//! host's order, as ntopng reads them: these are C structs it copies raw.

/// v2 `version`: a JSON payload, zlib-compressed when it starts with 0.
pub const VERSION_JSON: u8 = 2;
/// v2 `version`: an nDPI TLV payload, never compressed.
pub const VERSION_TLV: u8 = 3;
/// v3 `version`: flags say TLV and compression.
pub const VERSION_FLAGS: u8 = 4;
/// v3 flag: the payload is TLV.
pub const FLAG_TLV: u8 = 0x02;
/// v3 flag: the payload is one zlib stream.
pub const FLAG_COMPRESSED: u8 = 0x04;

/// The 16-byte topic field.
fn topic_field(topic: &str) -> [u8; 16] {
    let mut t = [0u8; 16];
    let n = topic.len().min(15);
    t[..n].copy_from_slice(&topic.as_bytes()[..n]);
    t
}

/// A `zmq_msg_hdr_v2`: topic, version, size (not read by ntopng: the
/// payload length, saturated), message id, source id.
pub fn v2(topic: &str, version: u8, size: usize, msg_id: u32, source_id: u32) -> [u8; 28] {
    let mut h = [0u8; 28];
    h[..16].copy_from_slice(&topic_field(topic));
    h[16] = version;
    h[18..20].copy_from_slice(&(size.min(usize::from(u16::MAX)) as u16).to_ne_bytes());
    h[20..24].copy_from_slice(&msg_id.to_be_bytes());
    h[24..28].copy_from_slice(&source_id.to_ne_bytes());
    h
}

/// A `zmq_msg_hdr_v3` (version 4) with `flags`. ntopng sizes its
/// decompression buffer from `compressed_size` + 16, so both size fields
/// carry the uncompressed length (`uncompressed`).
pub fn v3(topic: &str, flags: u8, uncompressed: usize, msg_id: u32, source_id: u32) -> [u8; 36] {
    let mut h = [0u8; 36];
    h[..16].copy_from_slice(&topic_field(topic));
    h[16] = VERSION_FLAGS;
    h[17] = flags;
    let size = u32::try_from(uncompressed).unwrap_or(u32::MAX);
    h[20..24].copy_from_slice(&size.to_ne_bytes());
    h[24..28].copy_from_slice(&size.to_ne_bytes());
    h[28..32].copy_from_slice(&msg_id.to_be_bytes());
    h[32..36].copy_from_slice(&source_id.to_ne_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    // The layouts of ntopng's structs (include/ntop_typedefs.h), as gcc lays
    // them out on x86-64: a 118-byte TLV payload, msg_id 1, source_id 7.
    #[test]
    fn layouts_as_ntopng_reads_them() {
        let h = v2("flow", VERSION_TLV, 118, 1, 7);
        let mut want = b"flow".to_vec();
        want.resize(16, 0);
        want.extend_from_slice(&[3, 0, 0x76, 0, 0, 0, 0, 1, 7, 0, 0, 0]);
        assert_eq!(h.to_vec(), want);
        let h = v3("flow", FLAG_TLV, 118, 1, 7);
        let mut want = b"flow".to_vec();
        want.resize(16, 0);
        want.extend_from_slice(&[
            4, 2, 0, 0, 0x76, 0, 0, 0, 0x76, 0, 0, 0, 0, 0, 0, 1, 7, 0, 0, 0,
        ]);
        assert_eq!(h.to_vec(), want);
    }
}
