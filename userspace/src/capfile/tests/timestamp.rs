//! Tick conversion.
use crate::capfile::timestamp::{pcap_timestamp, ticks_to_timestamp, TsResolution};
use crate::time::Timestamp;

#[test]
fn resolutions() {
    use TsResolution::*;
    assert_eq!(TsResolution::from_option(6), Pow10(6));
    assert_eq!(TsResolution::from_option(0x94), Pow2(20));
    assert_eq!(ticks_to_timestamp(5, Pow10(0), 0), Timestamp(5_000_000_000));
    assert_eq!(ticks_to_timestamp(5, Pow10(9), 0), Timestamp(5));
    assert_eq!(ticks_to_timestamp(12_345, Pow10(12), 0), Timestamp(12));
    assert_eq!(
        ticks_to_timestamp(1 << 20, Pow2(20), 0),
        Timestamp(1_000_000_000)
    );
    assert_eq!(ticks_to_timestamp(1, Pow2(1), 0), Timestamp(500_000_000));
    assert_eq!(ticks_to_timestamp(u64::MAX, Pow2(127), 0), Timestamp(0));
    assert_eq!(ticks_to_timestamp(u64::MAX, Pow10(127), 0), Timestamp(0));
    assert_eq!(
        ticks_to_timestamp(u64::MAX, Pow10(0), 0),
        Timestamp(u64::MAX)
    );
}

#[test]
fn offsets() {
    let us = TsResolution::MICROS;
    assert_eq!(ticks_to_timestamp(1, us, 2), Timestamp(2_000_001_000));
    assert_eq!(
        ticks_to_timestamp(3_000_000, us, -1),
        Timestamp(2_000_000_000)
    );
    assert_eq!(ticks_to_timestamp(1, us, -5), Timestamp(0));
    assert_eq!(ticks_to_timestamp(1, us, i64::MAX), Timestamp(u64::MAX));
}

#[test]
fn pcap_units() {
    assert_eq!(pcap_timestamp(1, 2, false), Timestamp(1_000_002_000));
    assert_eq!(pcap_timestamp(1, 2, true), Timestamp(1_000_000_002));
}
