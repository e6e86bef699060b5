//! Crypto-PAn: prefix-preserving IP address anonymization (Xu, Fan, Ammar and
//! Moon, ICNP 2002), with the usual extension of the same construction to
//! 128-bit IPv6 addresses.
//!
//! The 32-byte key is split in two: the first 16 bytes are the AES-128 key, the
//! last 16 bytes are encrypted once with it to form the pad. Bit `i` of the
//! anonymized address is bit `i` of the original XOR the most significant bit of
//! `AES(first i bits of the original ++ the remaining bits of the pad)`, so two
//! addresses that share a `k`-bit prefix share exactly `k` bits afterwards.
//!
//! IPv4 output matches the reference C++ implementation bit for bit (the 16-byte
//! AES input is the 32-bit mixed prefix followed by bytes 4..16 of the pad).
//! IPv6 output matches the ports that apply the same rule over all 128 bits
//! (Yawning Angel's Go `cryptopan`, `node-cryptopan`, Tenzir), checked against
//! their published vectors.
use std::net::{Ipv4Addr, Ipv6Addr};

use aes::cipher::{BlockEncrypt, KeyInit};
use aes::{Aes128, Block};

/// A keyed Crypto-PAn anonymizer. Cheap to share between threads (`&self` only);
/// each address costs 32 (IPv4) or 128 (IPv6) AES block encryptions, issued as
/// one batch so AES-NI can pipeline them, and no allocation.
#[derive(Clone)]
pub struct CryptoPan {
    cipher: Aes128,
    /// `AES(key[16..32])`, as a big-endian 128-bit integer.
    pad: u128,
}

impl std::fmt::Debug for CryptoPan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CryptoPan { .. }")
    }
}

impl CryptoPan {
    /// An anonymizer for `key`: bytes 0..16 are the AES-128 key, bytes 16..32
    /// are encrypted to form the pad.
    pub fn new(key: &[u8; 32]) -> Self {
        let mut aes_key = [0u8; 16];
        let mut pad = [0u8; 16];
        for (d, s) in aes_key.iter_mut().zip(key.iter()) {
            *d = *s;
        }
        for (d, s) in pad.iter_mut().zip(key.iter().skip(16)) {
            *d = *s;
        }
        let cipher = Aes128::new(&aes_key.into());
        let mut block = Block::from(pad);
        cipher.encrypt_block(&mut block);
        let pad = u128::from_be_bytes(block.into());
        CryptoPan { cipher, pad }
    }

    /// The anonymized form of an IPv4 address.
    pub fn anonymize_v4(&self, addr: Ipv4Addr) -> Ipv4Addr {
        let a = u32::from(addr);
        // The address sits in the top 32 bits of the AES input; the low 96 bits
        // always come from the pad.
        let otp = self.one_time_pad::<32>(u128::from(a) << 96);
        Ipv4Addr::from(a ^ otp as u32)
    }

    /// The anonymized form of an IPv6 address.
    pub fn anonymize_v6(&self, addr: Ipv6Addr) -> Ipv6Addr {
        let a = u128::from(addr);
        Ipv6Addr::from(a ^ self.one_time_pad::<128>(a))
    }

    /// The `N`-bit pad for the address `a` (left-aligned in 128 bits): bit
    /// `N-1-i` is the first output bit of AES over the first `i` bits of `a`
    /// followed by the rest of the pad.
    #[inline]
    fn one_time_pad<const N: usize>(&self, a: u128) -> u128 {
        let mut blocks = [Block::default(); N];
        for (i, block) in blocks.iter_mut().enumerate() {
            // The first `i` bits (i < 128) of the address, the rest from the pad.
            let keep = u128::MAX.checked_shl(128 - i as u32).unwrap_or(0);
            let input = (a & keep) | (self.pad & !keep);
            *block = Block::from(input.to_be_bytes());
        }
        self.cipher.encrypt_blocks(&mut blocks);
        blocks.iter().fold(0u128, |otp, b| {
            (otp << 1) | u128::from(b.first().copied().unwrap_or(0) >> 7)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key of the sample trace in the Crypto-PAn reference distribution.
    const REFERENCE_KEY: [u8; 32] = [
        21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16, 216, 152, 143, 131,
        121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2,
    ];

    /// Every distinct address pair of `sample_trace_raw.dat` /
    /// `sample_trace_sanitized.dat` from the reference distribution (as listed in
    /// the tests of Yawning Angel's Go `cryptopan` and of `node-cryptopan`).
    const REFERENCE_TRACE: [(&str, &str); 71] = [
        ("128.11.68.132", "135.242.180.132"),
        ("129.118.74.4", "134.136.186.123"),
        ("130.132.252.244", "133.68.164.234"),
        ("141.223.7.43", "141.167.8.160"),
        ("141.233.145.108", "141.129.237.235"),
        ("152.163.225.39", "151.140.114.167"),
        ("156.29.3.236", "147.225.12.42"),
        ("165.247.96.84", "162.9.99.234"),
        ("166.107.77.190", "160.132.178.185"),
        ("192.102.249.13", "252.138.62.131"),
        ("192.215.32.125", "252.43.47.189"),
        ("192.233.80.103", "252.25.108.8"),
        ("192.41.57.43", "252.222.221.184"),
        ("193.150.244.223", "253.169.52.216"),
        ("195.205.63.100", "255.186.223.5"),
        ("198.200.171.101", "249.199.68.213"),
        ("198.26.132.101", "249.36.123.202"),
        ("198.36.213.5", "249.7.21.132"),
        ("198.51.77.238", "249.18.186.254"),
        ("199.217.79.101", "248.38.184.213"),
        ("202.49.198.20", "245.206.7.234"),
        ("203.12.160.252", "244.248.163.4"),
        ("204.184.162.189", "243.192.77.90"),
        ("204.202.136.230", "243.178.4.198"),
        ("204.29.20.4", "243.33.20.123"),
        ("205.178.38.67", "242.108.198.51"),
        ("205.188.147.153", "242.96.16.101"),
        ("205.188.248.25", "242.96.88.27"),
        ("205.245.121.43", "242.21.121.163"),
        ("207.105.49.5", "241.118.205.138"),
        ("207.135.65.238", "241.202.129.222"),
        ("207.155.9.214", "241.220.250.22"),
        ("207.188.7.45", "241.255.249.220"),
        ("207.25.71.27", "241.33.119.156"),
        ("207.33.151.131", "241.1.233.131"),
        ("208.147.89.59", "227.237.98.191"),
        ("208.234.120.210", "227.154.67.17"),
        ("208.28.185.184", "227.39.94.90"),
        ("208.52.56.122", "227.8.63.165"),
        ("209.12.231.7", "226.243.167.8"),
        ("209.238.72.3", "226.6.119.243"),
        ("209.246.74.109", "226.22.124.76"),
        ("209.68.60.238", "226.184.220.233"),
        ("209.85.249.6", "226.170.70.6"),
        ("212.120.124.31", "228.135.163.231"),
        ("212.146.8.236", "228.19.4.234"),
        ("212.186.227.154", "228.59.98.98"),
        ("212.204.172.118", "228.71.195.169"),
        ("212.206.130.201", "228.69.242.193"),
        ("216.148.237.145", "235.84.194.111"),
        ("216.157.30.252", "235.89.31.26"),
        ("216.184.159.48", "235.96.225.78"),
        ("216.227.10.221", "235.28.253.36"),
        ("216.254.18.172", "235.7.16.162"),
        ("216.32.132.250", "235.192.139.38"),
        ("216.35.217.178", "235.195.157.81"),
        ("24.0.250.221", "100.15.198.226"),
        ("24.13.62.231", "100.2.192.247"),
        ("24.14.213.138", "100.1.42.141"),
        ("24.5.0.80", "100.9.15.210"),
        ("24.7.198.88", "100.10.6.25"),
        ("24.94.26.44", "100.88.228.35"),
        ("38.15.67.68", "64.3.66.187"),
        ("4.3.88.225", "124.60.155.63"),
        ("63.14.55.111", "95.9.215.7"),
        ("63.195.241.44", "95.179.238.44"),
        ("63.97.7.140", "95.97.9.123"),
        ("64.14.118.196", "0.255.183.58"),
        ("64.34.154.117", "0.221.154.117"),
        ("64.39.15.238", "0.219.7.41"),
        ("10.185.25.118", "117.161.29.118"),
    ];

    /// Further IPv4 pairs for the reference key published with `node-cryptopan`
    /// (`src/test/test_data.ts`), covering the edges of the address space.
    const REFERENCE_KEY_EXTRA: [(&str, &str); 7] = [
        ("129.69.205.36", "134.182.53.212"),
        ("129.69.215.37", "134.182.41.43"),
        ("127.0.0.1", "33.0.243.129"),
        ("0.0.0.0", "120.255.240.1"),
        ("10.0.1.128", "117.15.1.129"),
        ("169.254.100.50", "169.251.68.45"),
        ("255.255.255.255", "206.120.97.255"),
    ];

    /// IPv6 pairs for the reference key (Go `cryptopan`, `node-cryptopan`).
    const REFERENCE_KEY_V6: [(&str, &str); 5] = [
        ("::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed"),
        ("::2", "78ff:f001:9fc0:20df:8380:b1f1:704:ef"),
        ("::ffff", "78ff:f001:9fc0:20df:8380:b1f1:704:f838"),
        ("2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e"),
        ("2001:db8::2", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c"),
    ];

    /// Second key of `node-cryptopan`'s test data.
    const KEY_2: [u8; 32] = [
        0x80, 0x09, 0xAB, 0x3A, 0x60, 0x54, 0x35, 0xBE, 0xA0, 0xC3, 0x85, 0xBE, 0xA1, 0x84, 0x85,
        0xD8, 0xB0, 0xA1, 0x10, 0x3D, 0x65, 0x90, 0xBD, 0xF4, 0x8C, 0x96, 0x8B, 0xE5, 0xDE, 0x53,
        0x83, 0x6E,
    ];

    /// Third key of `node-cryptopan`'s test data: bytes 0, 1, ..., 31.
    fn key_3() -> [u8; 32] {
        std::array::from_fn(|i| i as u8)
    }

    fn check_v4(key: &[u8; 32], pairs: &[(&str, &str)]) {
        let cp = CryptoPan::new(key);
        for (orig, want) in pairs {
            let got = cp.anonymize_v4(orig.parse().unwrap());
            assert_eq!(got, want.parse::<Ipv4Addr>().unwrap(), "{orig}");
        }
    }

    fn check_v6(key: &[u8; 32], pairs: &[(&str, &str)]) {
        let cp = CryptoPan::new(key);
        for (orig, want) in pairs {
            let got = cp.anonymize_v6(orig.parse().unwrap());
            assert_eq!(got, want.parse::<Ipv6Addr>().unwrap(), "{orig}");
        }
    }

    #[test]
    fn ipv4_matches_the_reference_sample_trace() {
        check_v4(&REFERENCE_KEY, &REFERENCE_TRACE);
    }

    #[test]
    fn ipv4_matches_node_cryptopan_vectors_for_the_reference_key() {
        check_v4(&REFERENCE_KEY, &REFERENCE_KEY_EXTRA);
    }

    #[test]
    fn ipv4_matches_node_cryptopan_vectors_for_two_other_keys() {
        check_v4(
            &KEY_2,
            &[
                ("123.123.123.123", "117.8.135.123"),
                ("131.159.1.42", "162.112.255.43"),
                ("8.8.8.8", "55.21.62.136"),
                ("255.8.1.100", "240.232.0.156"),
                ("0.0.0.0", "56.131.176.115"),
                ("255.255.255.255", "240.15.248.0"),
            ],
        );
        check_v4(
            &key_3(),
            &[
                ("192.0.2.1", "2.90.93.17"),
                ("0.0.0.0", "254.152.65.220"),
                ("10.0.1.128", "246.35.190.47"),
                ("127.0.0.1", "168.227.160.61"),
                ("165.254.100.50", "90.1.157.13"),
                ("255.255.255.255", "56.0.15.254"),
                ("148.88.132.153", "106.38.130.153"),
                ("148.88.132.64", "106.38.130.64"),
                ("148.88.133.200", "106.38.131.223"),
            ],
        );
    }

    #[test]
    fn ipv6_matches_go_and_node_cryptopan_vectors() {
        check_v6(&REFERENCE_KEY, &REFERENCE_KEY_V6);
        check_v6(
            &KEY_2,
            &[
                (
                    "2a02:db8:85a3::8a2e:370:7344",
                    "1482:f447:75b3:f1f9:fbdf:622e:34f:ff7b",
                ),
                (
                    "2a02:0db8:85a3:08d3:1319:8a2e:0370:7344",
                    "1482:f447:75b3:f904:c1d9:ba2e:489:1346",
                ),
                (
                    "2001:b8:a3:00:00:2e:70:44",
                    "1f18:b37b:1cc3:8118:41f:9fd1:f875:fab8",
                ),
                ("fc00::", "f33c:8ca3:ef0f:e019:e7ff:f1e3:f91f:f800"),
            ],
        );
        check_v6(
            &key_3(),
            &[("2001:db8::1", "dd92:2c44:3fc0:ff1e:7ff9:c7f0:8180:7e00")],
        );
    }

    /// A small deterministic generator (xorshift64*), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn next_u128(&mut self) -> u128 {
            (u128::from(self.next()) << 64) | u128::from(self.next())
        }
    }

    /// Length of the common prefix of `a` and `b` as `bits`-bit numbers.
    fn common_prefix(a: u128, b: u128, bits: u32) -> u32 {
        (a ^ b).leading_zeros() - (128 - bits)
    }

    #[test]
    fn shared_prefixes_are_preserved_exactly_v4() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let cp = CryptoPan::new(&std::array::from_fn(|_| rng.next() as u8));
        for k in 0..=32u32 {
            for _ in 0..40 {
                let a = rng.next() as u32;
                // Same first k bits, bit k flipped (when k < 32), the rest random.
                let b = if k == 32 {
                    a
                } else {
                    let low = (1u32 << (31 - k)) - 1;
                    (a & !low & !(1 << (31 - k)))
                        | (!a & (1 << (31 - k)))
                        | (rng.next() as u32 & low)
                };
                assert_eq!(common_prefix(u128::from(a), u128::from(b), 32), k);
                let (x, y) = (
                    u32::from(cp.anonymize_v4(a.into())),
                    u32::from(cp.anonymize_v4(b.into())),
                );
                assert_eq!(
                    common_prefix(u128::from(x), u128::from(y), 32),
                    k,
                    "{a:#x} {b:#x}"
                );
            }
        }
    }

    #[test]
    fn shared_prefixes_are_preserved_exactly_v6() {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        let cp = CryptoPan::new(&std::array::from_fn(|_| rng.next() as u8));
        for k in 0..=128u32 {
            for _ in 0..4 {
                let a = rng.next_u128();
                let b = if k == 128 {
                    a
                } else {
                    let bit = 1u128 << (127 - k);
                    let low = bit - 1;
                    (a & !low & !bit) | (!a & bit) | (rng.next_u128() & low)
                };
                assert_eq!(common_prefix(a, b, 128), k);
                let x = u128::from(cp.anonymize_v6(a.into()));
                let y = u128::from(cp.anonymize_v6(b.into()));
                assert_eq!(common_prefix(x, y, 128), k, "{a:#x} {b:#x}");
            }
        }
    }

    #[test]
    fn same_key_same_output_other_key_other_output() {
        let a = CryptoPan::new(&REFERENCE_KEY);
        let b = CryptoPan::new(&REFERENCE_KEY);
        let c = CryptoPan::new(&KEY_2);
        let v4: Ipv4Addr = "192.0.2.77".parse().unwrap();
        let v6: Ipv6Addr = "2001:db8:1:2::77".parse().unwrap();
        assert_eq!(a.anonymize_v4(v4), b.anonymize_v4(v4));
        assert_eq!(a.anonymize_v6(v6), b.anonymize_v6(v6));
        assert_ne!(a.anonymize_v4(v4), c.anonymize_v4(v4));
        assert_ne!(a.anonymize_v6(v6), c.anonymize_v6(v6));
    }
}
