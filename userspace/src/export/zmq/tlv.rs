//! nDPI's TLV serialization (`ndpi_serialization_format_tlv`), the encoding
//! ntopng's ZMQ collector reads flows in (nProbe's default since ntopng 6.0
//! reads JSON flows only in its Pro build).
//!
//! A message is `01 01` (serializer version 1, format TLV), then records of
//! items, each record closed by the byte `01`. An item is a type byte
//! (key type in the high nibble, value type in the low), the key, the value.
//! Numeric keys and unsigned values take their narrowest width; integers and
//! string lengths are big-endian; strings carry no terminator.

/// The two bytes a TLV message starts with: version 1, format TLV.
pub const MESSAGE_START: [u8; 2] = [1, 1];
/// The byte that closes a record.
pub const END_OF_RECORD: u8 = 1;

const UINT8: u8 = 2;
const UINT16: u8 = 3;
const UINT32: u8 = 4;
const UINT64: u8 = 5;
const FLOAT: u8 = 10;
const STRING: u8 = 11;

/// The narrowest unsigned type of `v` and its big-endian bytes.
fn narrow(v: u64) -> (u8, [u8; 8], usize) {
    let b = v.to_be_bytes();
    if v <= 0xff {
        (UINT8, b, 7)
    } else if v <= 0xffff {
        (UINT16, b, 6)
    } else if v <= 0xffff_ffff {
        (UINT32, b, 4)
    } else {
        (UINT64, b, 0)
    }
}

/// Appends the type byte and key of an item whose value type is `value`.
fn item(out: &mut Vec<u8>, key: u32, value: u8) {
    let (kt, kb, from) = narrow(u64::from(key));
    out.push(kt << 4 | value);
    out.extend_from_slice(&kb[from..]);
}

/// Appends an unsigned integer item.
pub fn put_uint(out: &mut Vec<u8>, key: u32, v: u64) {
    let (vt, vb, from) = narrow(v);
    item(out, key, vt);
    out.extend_from_slice(&vb[from..]);
}

/// Appends a 32-bit float item (native byte order, as nDPI writes it:
/// little-endian on the machines Sluice runs on).
pub fn put_f32(out: &mut Vec<u8>, key: u32, v: f32) {
    item(out, key, FLOAT);
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends a string item (at most 65,535 bytes: longer strings are cut at
/// a character boundary).
pub fn put_str(out: &mut Vec<u8>, key: u32, s: &str) {
    let mut end = s.len().min(usize::from(u16::MAX));
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    item(out, key, STRING);
    out.extend_from_slice(&(end as u16).to_be_bytes());
    out.extend_from_slice(&s.as_bytes()[..end]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The items of a flow as nDPI 4.2's `ndpi_serialize_uint32_*` calls
    /// write them (checked against libndpi by the spec's author).
    #[test]
    fn items_as_ndpi_writes_them() {
        let mut b = Vec::new();
        put_str(&mut b, 8, "192.168.1.10");
        put_uint(&mut b, 7, 51234);
        put_uint(&mut b, 4, 6);
        put_uint(&mut b, 22, 1_729_760_000);
        put_uint(&mut b, 57550, 0x1b);
        put_str(&mut b, 57590, "91.126");
        put_f32(&mut b, 57595, 1.25);
        b.push(END_OF_RECORD);
        let mut want = vec![0x2b, 0x08, 0x00, 0x0c];
        want.extend_from_slice(b"192.168.1.10");
        want.extend_from_slice(&[0x23, 0x07, 0xc8, 0x22]);
        want.extend_from_slice(&[0x22, 0x04, 0x06]);
        want.extend_from_slice(&[0x24, 0x16, 0x67, 0x1a, 0x0b, 0x00]);
        want.extend_from_slice(&[0x32, 0xe0, 0xce, 0x1b]);
        want.extend_from_slice(&[0x3b, 0xe0, 0xf6, 0x00, 0x06]);
        want.extend_from_slice(b"91.126");
        want.extend_from_slice(&[0x3a, 0xe0, 0xfb, 0x00, 0x00, 0xa0, 0x3f]);
        want.push(0x01);
        assert_eq!(b, want);
    }

    #[test]
    fn wide_values_and_long_strings() {
        let mut b = Vec::new();
        put_uint(&mut b, 1, 1 << 40);
        assert_eq!(b, [0x25, 0x01, 0, 0, 1, 0, 0, 0, 0, 0]);
        let mut b = Vec::new();
        put_str(&mut b, 1, &"é".repeat(40_000));
        let len = u16::from_be_bytes([b[2], b[3]]);
        assert_eq!(usize::from(len), b.len() - 4);
        assert!(std::str::from_utf8(&b[4..]).is_ok());
    }
}
