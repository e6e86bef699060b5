//! RFC 9001 appendix A (QUIC v1) and RFC 9369 appendix A (QUIC v2) sample
//! packets, plus packets built here with the same keys: ClientHellos split
//! over packets and datagrams, coalesced packets, damaged input.

use super::super::frames::{frames, Frame};
use super::super::header::{packets, parse};
use super::super::keys::{InitialKeys, Secrets, Side};
use super::super::protect::{open, seal};
use super::super::version::{params, PacketType, VersionParams, DRAFT_29, V1, V2};
use super::super::*;

/// Bytes from hex digits; whitespace is skipped.
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace())
        .filter_map(|c| char::from(c).to_digit(16).map(|d| d as u8))
        .collect();
    digits
        .chunks(2)
        .map(|p| (p[0] << 4) | p.get(1).copied().unwrap_or(0))
        .collect()
}

fn p(v: u32) -> VersionParams {
    params(v).unwrap_or(VersionParams {
        version: 0,
        salt: &[0; 20],
        labels: super::super::version::Labels {
            key: b"",
            iv: b"",
            hp: b"",
        },
        types: [PacketType::Retry; 4],
        frames: super::super::version::FrameDialect::Ietf,
    })
}

const DCID: &str = "8394c8f03e515708";

/// RFC 9001 A.2: the CRYPTO frame with the ClientHello (SNI example.com,
/// ALPN "alpn"); RFC 9369 A.2 reuses it. The payload is padded to 1162 bytes.
const CLIENT_CRYPTO_FRAME: &str = "
060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868
04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578
616d706c652e636f6dff01000100000a00080006001d00170018001000070005
04616c706e000500050100000000003300260024001d00209370b2c9caa47fba
baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400
0d0010000e0403050306030203080408050806002d00020101001c0002400100
3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000
75300901100f088394c8f03e51570806048000ffff";

/// RFC 9001 A.2: the protected client Initial (1200 bytes).
const V1_CLIENT_INITIAL: &str = "
c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11
d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399
1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c
8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212
30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5
457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208
4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec
4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3
485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db
059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c
7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8
9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556
be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74
68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a
c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00
f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632
291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964
25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd
14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff
ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198
e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd
c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73
203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f
cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e
fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade
a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047
90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2
162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4
40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0
6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e
8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0
be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400
54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab
760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9
f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4
056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064
7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241
e221af44860018ab0856972e194cd934";

/// RFC 9001 A.3: the server Initial (ACK + ServerHello), server keys.
const V1_SERVER_INITIAL: &str = "
cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a
5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3
dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84
022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4
2158407dd074ee";

fn example_hello(version: u32) -> QuicHello {
    QuicHello {
        version,
        sni: Some("example.com".into()),
        alpn: vec!["alpn".into()],
    }
}

/// The secret, key, IV and header-protection key derived for `side` equal the RFC's.
fn check_secrets(version: u32, side: Side, want: [&str; 4]) {
    let x = Secrets::derive(&p(version), &hex(DCID), side);
    let got = [
        x.secret.to_vec(),
        x.key.to_vec(),
        x.iv.to_vec(),
        x.hp.to_vec(),
    ];
    assert_eq!(got, want.map(hex), "{version:#x} {side:?}");
}

#[test]
fn v1_secrets() {
    // RFC 9001 A.1.
    check_secrets(
        V1,
        Side::Client,
        [
            "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
            "1f369613dd76d5467730efcbe3b1a22d",
            "fa044b2f42a3fd3b46fb255c",
            "9f50449e04a0e810283a1e9933adedd2",
        ],
    );
    check_secrets(
        V1,
        Side::Server,
        [
            "3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b",
            "cf3a5331653c364c88f0f379b6067e37",
            "0ac1493ca1905853b0bba03e",
            "c206b8d9b9f0f37644430b490eeaa314",
        ],
    );
}

#[test]
fn v2_secrets() {
    // RFC 9369 A.1.
    check_secrets(
        V2,
        Side::Client,
        [
            "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b",
            "8b1a0bc121284290a29e0971b5cd045d",
            "91f73e2351d8fa91660e909f",
            "45b95e15235d6f45a6b19cbcb0294ba9",
        ],
    );
    check_secrets(
        V2,
        Side::Server,
        [
            "0263db1782731bf4588e7e4d93b7463907cb8cd8200b5da55a8bd488eafc37c1",
            "82db637861d55e1d011f19ea71d5d2a7",
            "dd13c276499c0249d3310652",
            "edf6d05c83121201b436e16877593c3a",
        ],
    );
}

/// The RFC 9001 A.2 plaintext: the CRYPTO frame padded to 1162 bytes.
fn client_payload() -> Vec<u8> {
    let mut v = hex(CLIENT_CRYPTO_FRAME);
    v.resize(1162, 0);
    v
}

#[test]
fn v1_client_initial_opens() {
    let pkt = hex(V1_CLIENT_INITIAL);
    assert_eq!(pkt.len(), 1200);
    assert_eq!(looks_like_initial(&pkt), Some(V1));
    let h = parse(&pkt);
    assert!(h.is_ok());
    let Ok(h) = h else { return };
    assert_eq!(
        (h.dcid, h.scid, h.token),
        (&hex(DCID)[..], &[][..], &[][..])
    );
    assert_eq!(h.pn_offset, 18);
    assert_eq!(h.packet.len(), 1200);
    let mut buf = pkt.clone();
    let o = open(&InitialKeys::client(&h.params, h.dcid), &mut buf, 18, None);
    assert_eq!(o.as_ref().map(|o| o.pn), Ok(2));
    let Ok(o) = o else { return };
    assert_eq!(
        buf[..o.payload.start],
        hex("c300000001088394c8f03e5157080000449e00000002")[..]
    );
    assert_eq!(buf[o.payload], client_payload()[..]);

    let mut s = QuicInitialState::new();
    assert_eq!(s.push(&pkt), QuicProgress::Done(example_hello(V1)));
    // Final: the same answer again, whatever comes.
    assert_eq!(s.push(b"junk"), QuicProgress::Done(example_hello(V1)));
}

#[test]
fn v1_server_initial_opens_with_server_keys_only() {
    let pkt = hex(V1_SERVER_INITIAL);
    let h = parse(&pkt);
    assert!(h.is_ok());
    let Ok(h) = h else { return };
    assert_eq!(h.packet_type, PacketType::Initial);
    assert_eq!(h.scid, &hex("f067a5502a4262b5")[..]);
    let keys = InitialKeys::new(&Secrets::derive(&h.params, &hex(DCID), Side::Server));
    let mut buf = pkt.clone();
    let o = open(&keys, &mut buf, h.pn_offset, None);
    assert_eq!(o.as_ref().map(|o| o.pn), Ok(1));
    let Ok(o) = o else { return };
    let f: Vec<_> = frames(&buf[o.payload], h.params.frames).collect();
    assert_eq!(f.len(), 2);
    assert_eq!(f[0], Ok(Frame::Ack { largest: 0 }));
    assert!(
        matches!(f[1], Ok(Frame::Crypto { offset: 0, data }) if data.len() == 90 && data[0] == 2)
    );
    // A client state never opens it.
    assert_eq!(QuicInitialState::new().push(&pkt), QuicProgress::NotQuic);
}

/// The header fields of a packet to build.
struct Hdr<'a> {
    /// First byte without the packet number length bits.
    first: u8,
    dcid: &'a [u8],
    token: &'a [u8],
    pn: u64,
    pn_len: usize,
}

/// Builds a protected long header packet with client keys from `keys_dcid`.
fn build(params: &VersionParams, keys_dcid: &[u8], hdr: &Hdr<'_>, payload: &[u8]) -> Vec<u8> {
    let Hdr {
        first,
        dcid,
        token,
        pn,
        pn_len,
    } = *hdr;
    let mut h = vec![first | (pn_len as u8 - 1)];
    h.extend(params.version.to_be_bytes());
    h.push(dcid.len() as u8);
    h.extend(dcid);
    h.push(0); // SCID
    if params.packet_type(first) == PacketType::Initial {
        h.push(token.len() as u8); // short tokens only
        h.extend(token);
    }
    let len = pn_len + payload.len() + 16;
    h.extend((0x4000 | len as u16).to_be_bytes());
    let pn_offset = h.len();
    h.extend(&pn.to_be_bytes()[8 - pn_len..]);
    h.extend(payload);
    let keys = InitialKeys::client(params, keys_dcid);
    assert_eq!(seal(&keys, &mut h, pn_offset, pn), Ok(()));
    h
}

#[test]
fn v2_client_initial_matches_rfc9369() {
    let v2 = p(V2);
    let dcid = hex(DCID);
    let pkt = build(
        &v2,
        &dcid,
        &Hdr {
            first: 0xd0,
            dcid: &dcid,
            token: &[],
            pn: 2,
            pn_len: 4,
        },
        &client_payload(),
    );
    // RFC 9369 A.2: protected header, first bytes and the last 80 bytes.
    assert_eq!(pkt.len(), 1200);
    assert_eq!(
        pkt[..22],
        hex("d76b3343cf088394c8f03e5157080000449ea0c95e82")[..]
    );
    assert_eq!(pkt[22..38], hex("ffe67b6abcdb4298b485dd04de806071")[..]);
    assert_eq!(
        pkt[1200 - 80..],
        hex(
            "6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19
             9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b
             a18b2faa745b6fe189cf772a9f84cbfc"
        )[..]
    );
    assert_eq!(looks_like_initial(&pkt), Some(V2));
    // With v1 type bits (0b00 is Retry in v2) it is not an Initial.
    let mut retry = pkt.clone();
    retry[0] &= 0xcf;
    assert_eq!(looks_like_initial(&retry), None);
    assert_eq!(
        QuicInitialState::new().push(&pkt),
        QuicProgress::Done(example_hello(V2))
    );
}

#[test]
fn v1_seal_matches_rfc9001() {
    let v1 = p(V1);
    let dcid = hex(DCID);
    let pkt = build(
        &v1,
        &dcid,
        &Hdr {
            first: 0xc0,
            dcid: &dcid,
            token: &[],
            pn: 2,
            pn_len: 4,
        },
        &client_payload(),
    );
    assert_eq!(pkt, hex(V1_CLIENT_INITIAL));
}

/// A ClientHello split into CRYPTO frames out of order, over two datagrams
/// of draft-29 packets, the second coalesced with a Handshake packet and
/// zero padding; the second Initial carries the server's chosen DCID but is
/// protected with the keys of the first (RFC 9001 5.2).
#[test]
fn split_hello_over_datagrams() {
    let d29 = p(DRAFT_29);
    let dcid = hex("0011223344556677");
    let frame = hex(CLIENT_CRYPTO_FRAME);
    let hello = &frame[4..]; // after type, offset 0 and 2-byte length
    let crypto = |off: usize, d: &[u8]| {
        let mut f = vec![0x06, 0x40 | (off >> 8) as u8, off as u8];
        f.extend([0x40 | (d.len() >> 8) as u8, d.len() as u8]);
        f.extend(d);
        f
    };
    let mut a = crypto(100, &hello[100..200]);
    a.extend(crypto(0, &hello[..50]));
    a.extend([1, 0, 0, 0]); // PING, PADDING
    let first = build(
        &d29,
        &dcid,
        &Hdr {
            first: 0xc0,
            dcid: &dcid,
            token: &[],
            pn: 0,
            pn_len: 1,
        },
        &a,
    );
    let mut b = [2, 0, 0, 0, 0].to_vec(); // ACK 0
    b.extend(crypto(200, &hello[200..]));
    b.extend(crypto(40, &hello[40..120]));
    let server_cid = hex("aabbccdd");
    let second = build(
        &d29,
        &dcid,
        &Hdr {
            first: 0xc0,
            dcid: &server_cid,
            token: b"tok",
            pn: 1,
            pn_len: 2,
        },
        &b,
    );
    let hs = build(
        &d29,
        &dcid,
        &Hdr {
            first: 0xe0,
            dcid: &server_cid,
            token: &[],
            pn: 0,
            pn_len: 1,
        },
        &[1; 30],
    );
    let mut dgram2 = second.clone();
    dgram2.extend(&hs);
    dgram2.extend([0; 40]);
    let kinds: Vec<_> = packets(&dgram2).map(|h| h.map(|h| h.packet_type)).collect();
    assert_eq!(
        kinds,
        vec![Ok(PacketType::Initial), Ok(PacketType::Handshake)]
    );

    let mut s = QuicInitialState::new();
    assert_eq!(s.push(&first), QuicProgress::NeedMore);
    assert_eq!(s.push(&hs), QuicProgress::NeedMore);
    assert_eq!(s.push(&dgram2), QuicProgress::Done(example_hello(DRAFT_29)));
    assert_eq!(s.initials_opened(), 2);

    // The other order, and a Retry-like change of keys: the second datagram
    // protected with keys of its own DCID.
    let second_own = build(
        &d29,
        &server_cid,
        &Hdr {
            first: 0xc0,
            dcid: &server_cid,
            token: &[],
            pn: 1,
            pn_len: 2,
        },
        &b,
    );
    let mut s = QuicInitialState::new();
    assert_eq!(s.push(&second_own), QuicProgress::NeedMore);
    assert_eq!(s.push(&first), QuicProgress::Done(example_hello(DRAFT_29)));
}

#[test]
fn not_a_client_hello() {
    let v1 = p(V1);
    let dcid = hex(DCID);
    let mut payload = vec![0x06, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00];
    payload.resize(40, 0);
    let pkt = build(
        &v1,
        &dcid,
        &Hdr {
            first: 0xc0,
            dcid: &dcid,
            token: &[],
            pn: 0,
            pn_len: 1,
        },
        &payload,
    );
    let mut s = QuicInitialState::new();
    assert_eq!(
        s.push(&pkt),
        QuicProgress::Failed(QuicError::NotClientHello(2))
    );
    // CRYPTO beyond the bound.
    let mut payload = vec![0x06, 0x80, 0x00, 0x40, 0x00, 0x01, b'x'];
    payload.resize(40, 0);
    let pkt = build(
        &v1,
        &dcid,
        &Hdr {
            first: 0xc0,
            dcid: &dcid,
            token: &[],
            pn: 0,
            pn_len: 1,
        },
        &payload,
    );
    assert_eq!(
        QuicInitialState::new().push(&pkt),
        QuicProgress::Failed(QuicError::CryptoOverflow)
    );
}

#[test]
fn damaged_packets_never_panic_nor_open() {
    let pkt = hex(V1_CLIENT_INITIAL);
    for n in 0..pkt.len() {
        let mut s = QuicInitialState::new();
        assert_eq!(s.push(&pkt[..n]), QuicProgress::NotQuic, "cut at {n}");
    }
    for bit in (0..pkt.len() * 8).step_by(7) {
        let mut bad = pkt.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let got = QuicInitialState::new().push(&bad);
        // Flipping a bit of the DCID or version makes other keys, the rest a bad tag;
        // the reserved/pn-length bits of the first byte are protected too.
        assert_eq!(got, QuicProgress::NotQuic, "bit {bit}");
    }
    assert_eq!(looks_like_initial(&[]), None);
    assert_eq!(looks_like_initial(&[0x40; 1200]), None);
    // Version Negotiation.
    assert_eq!(
        looks_like_initial(&hex("c0000000000800112233445566770000000001")),
        None
    );
}

#[test]
fn state_is_small() {
    // What a flow carries inline once boxed; keys and buffers are on the
    // heap only while the handshake is in flight.
    let n = std::mem::size_of::<QuicInitialState>();
    assert!(n <= 256, "{n} bytes");
}
