//! Legacy pcap: byte orders, timestamp units, variants and damaged files.
use super::build::Pcap;
use super::{open, read, read_ok};
use crate::capfile::{FileFormat, ReadErrorKind, MAX_RECORD};
use crate::time::Timestamp;

fn two_packets(p: Pcap) -> Vec<u8> {
    p.packet(10, 500, &[1, 2, 3, 4, 5], 60)
        .packet(11, 7, &[9; 64], 64)
        .bytes
}

#[test]
fn little_endian_micros() {
    let bytes = two_packets(Pcap::new(false, 1));
    let mut f = open(bytes.clone()).unwrap();
    assert_eq!(f.format(), FileFormat::Pcap { nanos: false });
    assert_eq!(f.len(), Some(bytes.len() as u64));
    let (pkts, err) = super::drain(&mut f);
    assert!(err.is_none());
    assert_eq!(f.bytes_read(), bytes.len() as u64);
    assert_eq!(pkts.len(), 2);
    assert_eq!(pkts[0].ts, Timestamp(10_000_500_000));
    assert_eq!(pkts[0].linktype, 1);
    assert_eq!(pkts[0].data, vec![1, 2, 3, 4, 5]);
    assert_eq!(pkts[0].wire_len, 60);
    assert_eq!(pkts[0].offset, 24);
    assert_eq!(pkts[1].ts, Timestamp(11_000_007_000));
    assert_eq!(pkts[1].offset, 24 + 16 + 5);
    assert_eq!(pkts[1].data.len(), 64);
}

#[test]
fn big_endian_matches_little_endian() {
    let le = read_ok(two_packets(Pcap::new(false, 113)));
    let be = read_ok(two_packets(Pcap::new(true, 113)));
    assert_eq!(le, be);
    assert_eq!(be[0].linktype, 113);
}

#[test]
fn nanosecond_magic_both_orders() {
    for be in [false, true] {
        let bytes = Pcap::nanos(be, 1)
            .packet(3, 123_456_789, &[0; 14], 14)
            .bytes;
        let mut f = open(bytes).unwrap();
        assert_eq!(f.format(), FileFormat::Pcap { nanos: true });
        let (pkts, err) = super::drain(&mut f);
        assert!(err.is_none());
        assert_eq!(pkts[0].ts, Timestamp(3_123_456_789));
    }
}

#[test]
fn modified_format_has_longer_record_headers() {
    let bytes = Pcap::with_magic(0xa1b2_cd34, false, 1, 4)
        .packet(1, 2, &[7; 20], 20)
        .packet(1, 3, &[8; 4], 40)
        .bytes;
    let pkts = read_ok(bytes);
    assert_eq!(pkts.len(), 2);
    assert_eq!(pkts[0].data, vec![7; 20]);
    assert_eq!(pkts[1].offset, 24 + 24 + 20);
    assert_eq!(pkts[1].wire_len, 40);
}

#[test]
fn versions_before_2_3_swap_the_lengths() {
    // Written as (orig, cap) in file order.
    let old = Pcap::with_magic(0xa1b2_c3d4, false, 1, 2).raw(1, 0, 100, 4, &[1, 2, 3, 4]);
    let pkts = read_ok(old.bytes);
    assert_eq!((pkts[0].data.len(), pkts[0].wire_len), (4, 100));
    // 2.3: swapped only when the first is larger.
    let v23 = Pcap::with_magic(0xa1b2_c3d4, false, 1, 3)
        .raw(1, 0, 100, 4, &[1, 2, 3, 4])
        .raw(1, 0, 4, 100, &[1, 2, 3, 4]);
    let pkts = read_ok(v23.bytes);
    assert_eq!((pkts[0].data.len(), pkts[0].wire_len), (4, 100));
    assert_eq!((pkts[1].data.len(), pkts[1].wire_len), (4, 100));
}

#[test]
fn wire_len_is_at_least_captured_len() {
    let pkts = read_ok(Pcap::new(false, 1).packet(0, 0, &[0; 30], 10).bytes);
    assert_eq!(pkts[0].wire_len, 30);
}

#[test]
fn linktype_drops_fcs_flag_bits() {
    let pkts = read_ok(Pcap::new(false, 0x1400_0001).packet(0, 0, &[0; 4], 4).bytes);
    assert_eq!(pkts[0].linktype, 1);
}

#[test]
fn truncated_last_record_after_complete_ones() {
    let third = two_packets(Pcap::new(false, 1)).len() as u64;
    // A third record whose data is cut short: its header says 100 bytes, 30 are present.
    let bytes = Pcap::new(false, 1)
        .packet(10, 500, &[1, 2, 3, 4, 5], 60)
        .packet(11, 7, &[9; 64], 64)
        .raw(12, 0, 100, 100, &[5; 30])
        .bytes;
    let (pkts, err) = read(bytes);
    assert_eq!(pkts.len(), 2);
    let err = err.unwrap();
    assert_eq!(err.offset, third);
    assert!(matches!(
        err.kind,
        ReadErrorKind::Truncated {
            needed: 116,
            available: 46
        }
    ));
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("mem.pcap: byte {third}: ")),
        "{msg}"
    );
    assert!(!msg.contains('\n'));
}

#[test]
fn truncated_record_header() {
    let mut bytes = two_packets(Pcap::new(true, 1));
    let end = bytes.len() as u64;
    bytes.extend_from_slice(&[0; 10]);
    let (pkts, err) = read(bytes);
    assert_eq!(pkts.len(), 2);
    let err = err.unwrap();
    assert_eq!(err.offset, end);
    assert!(matches!(
        err.kind,
        ReadErrorKind::Truncated {
            needed: 16,
            available: 10
        }
    ));
}

#[test]
fn truncated_global_header() {
    let bytes = Pcap::new(false, 1).bytes[..20].to_vec();
    let err = open(bytes).err().unwrap();
    assert_eq!(err.offset, 0);
    assert!(matches!(
        err.kind,
        ReadErrorKind::Truncated {
            needed: 24,
            available: 20
        }
    ));
}

#[test]
fn absurd_captured_length_is_an_error_not_an_allocation() {
    let bytes = Pcap::new(false, 1)
        .packet(0, 0, &[1; 8], 8)
        .raw(0, 0, u32::MAX, u32::MAX, &[0; 8])
        .bytes;
    let (pkts, err) = read(bytes);
    assert_eq!(pkts.len(), 1);
    let err = err.unwrap();
    assert_eq!(err.offset, 24 + 16 + 8);
    assert!(
        matches!(err.kind, ReadErrorKind::TooLarge { max, .. } if max == MAX_RECORD as u64),
        "{err}"
    );
}

#[test]
fn garbage_magic_says_what_it_found() {
    let err = open(b"GET / HTTP/1.1\r\n\r\n and more text".to_vec())
        .err()
        .unwrap();
    assert_eq!(err.offset, 0);
    assert!(matches!(&err.kind, ReadErrorKind::NotCapture { found } if found == b"GET "));
    assert_eq!(err.to_string().lines().count(), 1, "one line: {err}");
    assert!(err.to_string().contains("47 45 54 20"), "{err}");
}

#[test]
fn empty_and_tiny_files() {
    for len in 0..4 {
        let err = open(vec![0xd4; len]).err().unwrap();
        assert!(matches!(err.kind, ReadErrorKind::Empty { len: l } if l == len as u64));
    }
}

#[test]
fn header_only_file_has_no_packets() {
    let pkts = read_ok(Pcap::new(false, 1).bytes);
    assert!(pkts.is_empty());
}

#[test]
fn timestamps_saturate() {
    let pkts = read_ok(
        Pcap::nanos(false, 1)
            .packet(u32::MAX, u32::MAX, &[0], 1)
            .bytes,
    );
    assert_eq!(
        pkts[0].ts,
        Timestamp(u64::from(u32::MAX) * 1_000_000_000 + u64::from(u32::MAX))
    );
}
