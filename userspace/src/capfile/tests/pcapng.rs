//! pcapng: interfaces, clocks, sections, packet block kinds and damaged blocks.
use super::build::{Ng, IF_TSRESOL};
use super::{open, read, read_ok};
use crate::capfile::{FileFormat, ReadErrorKind};
use crate::time::Timestamp;

/// Length of a section header block as built by [`Ng`].
const SHB_LEN: u64 = 28;

#[test]
fn two_interfaces_with_own_linktype_and_resolution() {
    let bytes = Ng::new(false)
        .idb(1, 0, &[(IF_TSRESOL, vec![9])])
        .idb(101, 0, &[(IF_TSRESOL, vec![0x80 | 10])])
        .epb(0, 1_500_000_000_123_456_789, &[1; 60], 60)
        .epb(1, 3 * 1024 + 512, &[2; 40], 1500)
        .bytes;
    let mut f = open(bytes).unwrap();
    assert_eq!(f.format(), FileFormat::PcapNg);
    let (pkts, err) = super::drain(&mut f);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(pkts.len(), 2);
    assert_eq!(pkts[0].linktype, 1);
    assert_eq!(pkts[0].interface, 0);
    assert_eq!(pkts[0].ts, Timestamp(1_500_000_000_123_456_789));
    assert_eq!(pkts[0].data, vec![1; 60]);
    assert_eq!(pkts[1].linktype, 101);
    assert_eq!(pkts[1].interface, 1);
    assert_eq!(pkts[1].ts, Timestamp(3_500_000_000));
    assert_eq!((pkts[1].data.len(), pkts[1].wire_len), (40, 1500));
}

#[test]
fn default_resolution_is_microseconds() {
    let pkts = read_ok(
        Ng::new(false)
            .idb(1, 0, &[])
            .epb(0, 2_000_001, &[0; 3], 3)
            .bytes,
    );
    assert_eq!(pkts[0].ts, Timestamp(2_000_001_000));
    assert_eq!(pkts[0].data, vec![0; 3]);
}

#[test]
fn tsoffset_adds_seconds_in_both_byte_orders() {
    for be in [false, true] {
        let ng = Ng::new(be);
        let off = ng.tsoffset(1_000);
        let pkts = read_ok(ng.idb(1, 0, &[off]).epb(0, 5, &[0; 4], 4).bytes);
        assert_eq!(pkts[0].ts, Timestamp(1_000_000_005_000), "be={be}");
    }
}

#[test]
fn extreme_clocks_saturate() {
    let ng = Ng::new(false);
    let (neg, huge) = (ng.tsoffset(i64::MIN), ng.tsoffset(i64::MAX));
    let pkts = read_ok(
        ng.idb(1, 0, &[neg])
            .idb(1, 0, &[huge])
            .idb(1, 0, &[(IF_TSRESOL, vec![0])])
            .idb(1, 0, &[(IF_TSRESOL, vec![127])])
            .idb(1, 0, &[(IF_TSRESOL, vec![0xff])])
            .epb(0, u64::MAX, &[0], 1)
            .epb(1, u64::MAX, &[0], 1)
            .epb(2, u64::MAX, &[0], 1)
            .epb(3, u64::MAX, &[0], 1)
            .epb(4, u64::MAX, &[0], 1)
            .bytes,
    );
    let ts: Vec<u64> = pkts.iter().map(|p| p.ts.0).collect();
    assert_eq!(ts, vec![0, u64::MAX, u64::MAX, 0, 0]);
}

#[test]
fn simple_packet_block_uses_interface_zero_and_previous_time() {
    let bytes = Ng::new(false)
        .idb(113, 64, &[])
        .epb(0, 7_000_000, &[1; 10], 10)
        // 100 bytes on the wire, all 100 stored, snaplen 64 cuts to 64.
        .spb(&[2; 100], 100)
        // Stored 20 (block room), original 18: captured is 18.
        .spb(&[3; 20], 18)
        .bytes;
    let pkts = read_ok(bytes);
    assert_eq!(pkts.len(), 3);
    assert_eq!(pkts[1].linktype, 113);
    assert_eq!(pkts[1].interface, 0);
    assert_eq!(pkts[1].ts, Timestamp(7_000_000_000));
    assert_eq!((pkts[1].data.len(), pkts[1].wire_len), (64, 100));
    assert_eq!((pkts[2].data.clone(), pkts[2].wire_len), (vec![3; 18], 18));
}

#[test]
fn simple_packet_block_without_interface_is_an_error() {
    let (pkts, err) = read(Ng::new(false).spb(&[0; 8], 8).bytes);
    assert!(pkts.is_empty());
    let err = err.unwrap();
    assert_eq!(err.offset, SHB_LEN);
    assert!(matches!(
        err.kind,
        ReadErrorKind::UnknownInterface { id: 0, known: 0 }
    ));
}

#[test]
fn sections_change_byte_order_and_restart_interfaces() {
    let bytes = Ng::new(false)
        .idb(1, 0, &[])
        .idb(101, 0, &[])
        .epb(1, 1, &[1; 4], 4)
        .shb(true)
        .idb(113, 0, &[(IF_TSRESOL, vec![3])])
        .epb(0, 2, &[2; 6], 6)
        .shb(false)
        .idb(228, 0, &[])
        .epb(0, 3, &[3; 8], 8)
        .bytes;
    let pkts = read_ok(bytes);
    let got: Vec<(u32, u32, u64, usize)> = pkts
        .iter()
        .map(|p| (p.linktype, p.interface, p.ts.0, p.data.len()))
        .collect();
    assert_eq!(
        got,
        vec![
            (101, 1, 1_000, 4),
            (113, 0, 2_000_000, 6),
            (228, 0, 3_000, 8)
        ]
    );
}

#[test]
fn interface_of_an_earlier_section_is_unknown() {
    let ng = Ng::new(false)
        .idb(1, 0, &[])
        .idb(1, 0, &[])
        .shb(true)
        .idb(1, 0, &[]);
    let at = ng.bytes.len() as u64;
    let (pkts, err) = read(ng.epb(1, 0, &[0; 4], 4).bytes);
    assert!(pkts.is_empty());
    let err = err.unwrap();
    assert_eq!(err.offset, at);
    assert!(matches!(
        err.kind,
        ReadErrorKind::UnknownInterface { id: 1, known: 1 }
    ));
    assert!(err.to_string().contains("interface 1"), "{err}");
}

#[test]
fn obsolete_packet_block_is_read_like_epb() {
    for be in [false, true] {
        let pkts = read_ok(
            Ng::new(be)
                .idb(1, 0, &[])
                .idb(105, 0, &[])
                .pb(1, 9, &[4; 12], 80)
                .bytes,
        );
        assert_eq!(pkts.len(), 1);
        assert_eq!(
            (
                pkts[0].linktype,
                pkts[0].interface,
                pkts[0].ts.0,
                pkts[0].wire_len
            ),
            (105, 1, 9_000, 80)
        );
        assert_eq!(pkts[0].data, vec![4; 12]);
    }
}

#[test]
fn other_blocks_are_skipped() {
    let bytes = Ng::new(false)
        .idb(1, 0, &[])
        .block(4, &[0; 8]) // name resolution
        .epb(0, 1, &[1; 4], 4)
        .block(5, &[0; 12]) // interface statistics
        .block(0x0a, &[0; 12]) // decryption secrets
        .block(0xbad, &[0; 8]) // custom
        .block(0x4000_0bad, &[]) // custom, not to be copied
        .epb(0, 2, &[2; 4], 4)
        .bytes;
    let pkts = read_ok(bytes);
    assert_eq!(pkts.len(), 2);
    assert_eq!(pkts[1].data, vec![2; 4]);
}

#[test]
fn truncated_last_block_after_complete_packets() {
    let ng = Ng::new(true)
        .idb(1, 0, &[])
        .epb(0, 1, &[1; 4], 4)
        .epb(0, 2, &[2; 4], 4);
    let at = ng.bytes.len() as u64;
    let mut bytes = ng.epb(0, 3, &[3; 100], 100).bytes;
    bytes.truncate(bytes.len() - 10);
    let (pkts, err) = read(bytes);
    assert_eq!(pkts.len(), 2);
    let err = err.unwrap();
    assert_eq!(err.offset, at);
    assert!(matches!(
        err.kind,
        ReadErrorKind::Truncated {
            needed: 132,
            available: 122
        }
    ));
}

/// A file with one good packet followed by a packet block whose length field is `len`.
fn bad_length(len: u32, trailer: u32) -> (Vec<u8>, u64) {
    let ng = Ng::new(false).idb(1, 0, &[]).epb(0, 1, &[1; 4], 4);
    let at = ng.bytes.len() as u64;
    let mut bytes = ng.epb(0, 2, &[2; 4], 4).bytes;
    let n = bytes.len();
    bytes[n - 36 + 4..n - 36 + 8].copy_from_slice(&len.to_le_bytes());
    bytes[n - 4..].copy_from_slice(&trailer.to_le_bytes());
    (bytes, at)
}

#[test]
fn absurd_block_length_is_an_error_not_an_allocation() {
    let (bytes, at) = bad_length(0xffff_fff0, 36);
    let (pkts, err) = read(bytes);
    assert_eq!(pkts.len(), 1);
    let err = err.unwrap();
    assert_eq!(err.offset, at);
    assert!(
        matches!(
            err.kind,
            ReadErrorKind::TooLarge {
                len: 0xffff_fff0,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn malformed_block_lengths() {
    for (len, trailer) in [(8, 36), (37, 36), (36, 40)] {
        let (bytes, at) = bad_length(len, trailer);
        let (pkts, err) = read(bytes);
        assert_eq!(pkts.len(), 1);
        let err = err.unwrap();
        assert_eq!(err.offset, at);
        assert!(
            matches!(err.kind, ReadErrorKind::Corrupt(_)),
            "{len}/{trailer}: {err}"
        );
    }
}

#[test]
fn packet_larger_than_its_block_is_corrupt() {
    let ng = Ng::new(false).idb(1, 0, &[]);
    let at = ng.bytes.len() as u64;
    let mut bytes = ng.epb(0, 1, &[1; 8], 8).bytes;
    let caplen_at = at as usize + 20;
    bytes[caplen_at..caplen_at + 4].copy_from_slice(&64u32.to_le_bytes());
    let (pkts, err) = read(bytes);
    assert!(pkts.is_empty());
    let err = err.unwrap();
    assert_eq!(err.offset, at);
    assert!(matches!(err.kind, ReadErrorKind::Corrupt(_)), "{err}");
}

#[test]
fn bad_byte_order_magic() {
    let mut bytes = Ng::new(false).bytes;
    bytes[8..12].copy_from_slice(b"ABCD");
    let (_, err) = read(bytes);
    assert!(matches!(err.unwrap().kind, ReadErrorKind::Corrupt(_)));
}
