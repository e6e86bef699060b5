//! Unit tests of the detectors, with payloads taken from the shared
//! corpus (`../shared/corpus`, file named at each test).

use crate::decode::IpProto;
use crate::flow::Direction;
use crate::l7::{L7Config, L7Flow, L7Packet, L7Proto};

fn hex(s: &str) -> Vec<u8> {
    let s: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    s.chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect()
}

fn udp(sport: u16, dport: u16, outbound: bool, payload: &[u8]) -> L7Packet<'_> {
    L7Packet {
        ip_proto: IpProto(17),
        sport,
        dport,
        dir: Direction::from_outbound(outbound),
        payload,
        tcp_flags: crate::decode::TcpFlags(0),
    }
}

fn tcp(sport: u16, dport: u16, outbound: bool, payload: &[u8]) -> L7Packet<'_> {
    L7Packet {
        ip_proto: IpProto(6),
        sport,
        dport,
        dir: Direction::from_outbound(outbound),
        payload,
        tcp_flags: crate::decode::TcpFlags(0x18),
    }
}

/// Runs `pkts` through a fresh flow; returns (protocol, done, guessed).
fn classify(pkts: &[L7Packet<'_>]) -> (L7Proto, bool, bool) {
    let mut f = L7Flow::default();
    let cfg = L7Config::default();
    let mut done = false;
    for p in pkts {
        done = f.inspect(p, &cfg);
        if done {
            break;
        }
    }
    (f.proto(), done, f.guessed())
}

fn one(p: L7Packet<'_>) -> L7Proto {
    let (proto, done, _) = classify(&[p]);
    assert!(done, "{proto:?} not done");
    proto
}

// fuzz-2006-06-26-2594.pcap frame 110 (a mangled but parseable query).
#[test]
fn dns_query_fuzzed() {
    let b = hex(
        "d6d601000001000076000000045f736970045f756470032573000963796265726369747902646b0000210001",
    );
    assert_eq!(one(udp(2724, 53, true, &b)), L7Proto::Dns);
}

// 443-curl.pcap: the ClientHello (first 48 bytes).
const CLIENT_HELLO: &str = "1603010200010001fc03033e3841edcc20f6d0e5f7167ab7ee91a800c8ef70c2d624c7c7943a24026d9fbc000086cc14";

#[test]
fn tls_client_hello_and_mail_ports() {
    let b = hex(CLIENT_HELLO);
    assert_eq!(one(tcp(55523, 443, true, &b)), L7Proto::Tls);
    assert_eq!(one(tcp(55523, 993, true, &b)), L7Proto::Imaps);
    assert_eq!(one(tcp(55523, 995, true, &b)), L7Proto::Pops);
    assert_eq!(one(tcp(55523, 465, true, &b)), L7Proto::Smtps);
}

// vk.pcapng: a session picked up mid-stream (one application data record).
#[test]
fn tls_mid_stream_records() {
    let b = hex("170303001f02887a076dbe3ab24df0115a7be8a63ca5327adc48538fa8cb195f41140d37");
    assert_eq!(one(tcp(33904, 443, true, &b)), L7Proto::Tls);
    // The same record cut one byte short of its header is not TLS.
    assert_eq!(
        classify(&[tcp(33904, 443, true, &b[..4])]).0,
        L7Proto::Unknown
    );
}

// 1kxun.pcap: an HTTP request (first line cut by the test).
#[test]
fn http_request_and_response() {
    assert_eq!(
        one(tcp(45380, 80, true, b"GET /detail?id=27159&sytjdt")),
        L7Proto::Http
    );
    assert_eq!(
        one(tcp(80, 45380, false, b"HTTP/1.1 200 OK\r\n")),
        L7Proto::Http
    );
    assert_eq!(
        classify(&[tcp(1, 2, true, b"GET /x FTP/1.0\r\n")]).0,
        L7Proto::Unknown
    );
}

// dns.pcap: an AAAA response; 1kxun.pcap: LLMNR and MDNS queries.
#[test]
fn dns_family_by_port() {
    let dns = hex("dca28180000100000000000003777777016c06676f6f676c6503636f6d00001c0001");
    assert_eq!(one(udp(53, 32795, false, &dns)), L7Proto::Dns);
    let llmnr = hex("e6a100000001000000000000086a61736f6e2d50430000ff0001");
    assert_eq!(one(udp(59571, 5355, true, &llmnr)), L7Proto::Llmnr);
    let mdns =
        hex("0000000000010000000000000b5f676f6f676c6563617374045f746370056c6f63616c00000c0001");
    assert_eq!(one(udp(5353, 5353, true, &mdns)), L7Proto::Mdns);
    let mut tcp_dns = vec![0, dns.len() as u8];
    tcp_dns.extend_from_slice(&dns);
    assert_eq!(one(tcp(53, 40000, false, &tcp_dns)), L7Proto::Dns);
}

// quic-24.pcap (draft 24 Initial), quic046.pcap (Google Q046).
#[test]
fn quic_initials() {
    let d24 = hex("c3ff00001812299ab249a7f58d467d685ca920894cebcf1a11f5c352569b8ef8f7d84c478f6f0afcbcd60044b7de3339");
    assert_eq!(one(udp(41436, 443, true, &d24)), L7Proto::Quic);
    let q046 =
        hex("c35130343650b4a4f9f5f42edd39000000019993d3b3cdfe6d824e9945e5a001040043484c4f1900");
    assert_eq!(one(udp(50587, 443, true, &q046)), L7Proto::Quic);
    // Unknown version.
    let mut bad = d24.clone();
    bad[1..5].copy_from_slice(&[0x12, 0x34, 0x56, 0x78]);
    assert_eq!(classify(&[udp(41436, 443, true, &bad)]).0, L7Proto::Unknown);
}

// ssh.pcap, NTPv4.pcap, bittorrent.pcap, mqtt.pcap.
#[test]
fn ssh_ntp_bittorrent_mqtt() {
    assert_eq!(
        one(tcp(
            22,
            58395,
            false,
            &hex("5353482d322e302d4f70656e5353485f352e330d0a")
        )),
        L7Proto::Ssh
    );
    let ntp = hex("230207eb00000450000003ab83bc03dfd94f51c33165b860d944575530336fd0d944575531b4e978d94f51f42d26e2f4");
    assert_eq!(one(udp(123, 123, true, &ntp)), L7Proto::Ntp);
    let bt = hex("13426974546f7272656e742070726f746f636f6c0000000000100005");
    assert_eq!(one(tcp(52888, 38305, true, &bt)), L7Proto::BitTorrent);
    let mqtt = hex("104000064d514973647003c20014001663626161626362616261636262626262616161616162000c303244353035303232334433000c303244353035303232334433");
    assert_eq!(one(tcp(41892, 1883, true, &mqtt)), L7Proto::Mqtt);
    assert_eq!(one(tcp(1883, 41892, false, &[0xd0, 0])), L7Proto::Mqtt);
}

// kerberos.pcap: an AS-REQ over TCP and an LDAP BindResponse (first 40
// bytes, on port 389).
#[test]
fn kerberos_and_ldap() {
    let krb =
        hex("000000eb6a81e83081e5a103020105a20302010aa31530133011a10402020080a20904073005a003");
    assert_eq!(one(tcp(49157, 88, true, &krb)), L7Proto::Kerberos);
    let ldap =
        hex("3084000000cc0201036184000000c30a010004000400878200b8a181b53081b2a0030a0100a10b0609");
    assert_eq!(one(tcp(389, 49161, false, &ldap)), L7Proto::Ldap);
    assert_eq!(
        classify(&[tcp(1234, 49161, false, &ldap)]).0,
        L7Proto::Unknown
    );
}

// snmp.pcap: a v1 GetNextRequest; syslog.pcap.
#[test]
fn snmp_and_syslog() {
    let snmp = hex(
        "302902010004067075626c6963a11c02044b781a6e020100020100300e300c06082b060102010105000500",
    );
    assert_eq!(one(udp(43015, 161, true, &snmp)), L7Proto::Snmp);
    assert_eq!(
        one(udp(514, 514, true, b"<26>Jan 01 00:01:47 nb6 nbd: ")),
        L7Proto::Syslog
    );
    assert_eq!(
        classify(&[udp(514, 514, true, b"<260>x")]).0,
        L7Proto::Unknown
    );
}

// 1kxun.pcap: a DHCP ACK (first 244 bytes) and a DHCPv6 INFORMATION-REQUEST.
#[test]
fn dhcp_and_dhcpv6() {
    let mut dhcp = hex("02010600c091205200008000c0a80524c0a80524c0a877010000000000265ac263550000");
    dhcp.resize(236, 0);
    dhcp.extend_from_slice(&hex("6382536335010536"));
    assert_eq!(one(udp(67, 68, true, &dhcp)), L7Proto::Dhcp);
    let v6 = hex("0b27731d0001000e000100011db8e6fb703eacf0f0070006000400170018000800020000");
    assert_eq!(one(udp(546, 547, true, &v6)), L7Proto::Dhcpv6);
}

// smtp.pcap, pop3.pcap, imap.pcap, ftp.pcap: server greetings.
#[test]
fn mail_and_ftp_greetings() {
    let smtp = b"220 pigeon.eyrie.af.mil ESMTP Sendmail 8";
    let (p, done, _) = classify(&[tcp(25, 2127, false, smtp)]);
    assert_eq!((p, done), (L7Proto::Smtp, false), "SMTP waits for STARTTLS");
    let pop = b"+OK POP server ready H migmxus";
    assert_eq!(classify(&[tcp(110, 35287, false, pop)]).0, L7Proto::Pop3);
    let imap = b"* OK IMAP4Rev1 Server Version ";
    assert_eq!(classify(&[tcp(143, 46045, false, imap)]).0, L7Proto::Imap);
    assert_eq!(
        one(tcp(21, 50694, false, b"220 (vsFTPd 3.0.3)\r\n")),
        L7Proto::FtpControl
    );
    // An anonymous 220 on an odd port: the client's first command tells.
    let anon = b"220 Welcome\r\n";
    assert_eq!(
        classify(&[
            tcp(2000, 3000, false, anon),
            tcp(3000, 2000, true, b"EHLO x\r\n")
        ])
        .0,
        L7Proto::Smtp
    );
    assert_eq!(
        one_of(&[
            tcp(2000, 3000, false, anon),
            tcp(3000, 2000, true, b"USER bob\r\n")
        ]),
        L7Proto::FtpControl
    );
}

fn one_of(pkts: &[L7Packet<'_>]) -> L7Proto {
    let (p, done, _) = classify(pkts);
    assert!(done);
    p
}

// smtp-starttls.pcap style: after STARTTLS the ClientHello makes it SMTPS.
#[test]
fn starttls_upgrades_mail() {
    let hello = hex(CLIENT_HELLO);
    let pkts = [
        tcp(25, 40000, false, b"220 mx ESMTP\r\n"),
        tcp(40000, 25, true, b"EHLO me\r\n"),
        tcp(40000, 25, true, b"STARTTLS\r\n"),
        tcp(25, 40000, false, b"220 go ahead\r\n"),
        tcp(40000, 25, true, &hello),
    ];
    assert_eq!(one_of(&pkts), L7Proto::Smtps);
    let pop = [tcp(110, 1, false, b"+OK hi\r\n"), tcp(1, 110, true, &hello)];
    assert_eq!(one_of(&pop), L7Proto::Pops);
    let imap = [
        tcp(143, 1, false, b"* OK hi\r\n"),
        tcp(1, 143, true, &hello),
    ];
    assert_eq!(one_of(&imap), L7Proto::Imaps);
}

// smbv1.pcap and smb_deletefile.pcap (port 445); netbios.pcap (name query).
#[test]
fn smb_and_netbios() {
    let v1 =
        hex("00000085ff534d4272000000001853c00000000000000000000000000000fffe0000400000620002");
    assert_eq!(one(tcp(50927, 445, true, &v1)), L7Proto::SmbV1);
    let v2 =
        hex("00000178fe534d4240000100000000000500000100000000980000009c0f000000000000fffe0000");
    assert_eq!(one(tcp(56848, 445, true, &v2)), L7Proto::SmbV23);
    let ns = hex("a7490110000100000000000020464946444645464345464542454e46504549464a4341434143414341434141410000200001");
    assert_eq!(one(udp(137, 137, true, &ns)), L7Proto::NetBios);
}

// rdp.pcap: the X.224 Connection Request; rdp2.pcap: an RDP-UDP SYN.
#[test]
fn rdp_tcp_and_udp() {
    let cr = hex("030000130ee00000000000010008000b000000");
    assert_eq!(one(tcp(52494, 3389, true, &cr)), L7Proto::Rdp);
    let mut syn = hex("ffffffff00401801bbff568704d004d0a69040c1df7948b78fa08c4d636300000000000000");
    syn.resize(1232, 0);
    assert_eq!(one(udp(54759, 3389, true, &syn)), L7Proto::Rdp);
}

// sip.pcap: a REGISTER.
#[test]
fn sip_request() {
    let reg = b"REGISTER sip:sip.cybercity.dk SIP/2.0\r\nVia: SIP/2.0/UDP 192.";
    assert_eq!(one(udp(5060, 5060, true, reg)), L7Proto::Sip);
    assert_eq!(
        one(udp(5060, 5060, false, b"SIP/2.0 200 OK\r\n")),
        L7Proto::Sip
    );
}

// false_positives.pcapng: two RTP packets of one stream (PT 8, SSRC
// 34127856); rtcp_multiple_pkts_in_the_same_datagram.pcap: an RTCP SR.
#[test]
fn rtp_needs_two_packets_and_rtcp_one() {
    let a = hex("80080f62436d6bfc34127856d5d5d555d5d5d5d5");
    let reply = hex("8008b756728ecd1e429fd3905254d1dfdac1cdc9");
    let b = hex("80080f63436d6c9c34127856d5d5d5d5d5d5d555");
    let first = classify(&[udp(52070, 21048, true, &a)]);
    assert_eq!((first.0, first.1), (L7Proto::Unknown, false));
    let pkts = [
        udp(52070, 21048, true, &a),
        udp(21048, 52070, false, &reply),
        udp(52070, 21048, true, &b),
    ];
    assert_eq!(one_of(&pkts), L7Proto::Rtp);
    let sr = hex("81c8000c5d931534dd3ac1704d614df800007d00000000c800007d00000000000000000100000000000000000000000000000000000000");
    assert_eq!(one(udp(25963, 31601, true, &sr)), L7Proto::Rtcp);
}

// stun.pcap (RFC 5389 binding request), stun_classic.pcap (RFC 3489),
// dtls_old_version.pcapng (a DTLS record after STUN makes it DTLS).
#[test]
fn stun_and_dtls() {
    let req = hex("000100002112a44253486b6846386f6477677956");
    let (p, done, _) = classify(&[udp(43016, 3478, true, &req)]);
    assert_eq!(
        (p, done),
        (L7Proto::Stun, false),
        "STUN is watched for DTLS"
    );
    let classic = hex("000100089429ef88294dd52632c72931cb8dbb4c0003000400000000");
    assert_eq!(
        classify(&[udp(55050, 13958, true, &classic)]).0,
        L7Proto::Stun
    );
    let dtls = hex("16010000000000000000000023030000170000000000000017010014942f25f0c265c288f24cd680e7072353a8d5df74");
    assert_eq!(one(udp(443, 56453, false, &dtls)), L7Proto::Dtls);
    assert_eq!(
        one_of(&[udp(43016, 3478, true, &req), udp(3478, 43016, false, &dtls)]),
        L7Proto::Dtls
    );
}

// openvpn.pcap: client hard reset, then the server's reset acknowledging it.
#[test]
fn openvpn_handshake() {
    let client = hex("38334857703d96db390000000000");
    let server = hex("40d31c3a6964602fa00100000000334857703d96db3900000000");
    let (p, done, _) = classify(&[udp(60201, 443, true, &client)]);
    assert_eq!((p, done), (L7Proto::Unknown, false));
    assert_eq!(
        one_of(&[
            udp(60201, 443, true, &client),
            udp(443, 60201, false, &server)
        ]),
        L7Proto::OpenVpn
    );
}

// wireguard.pcap: a handshake initiation.
#[test]
fn wireguard_initiation() {
    let init = hex("01000000d837d0305fcec7c8e5c8e2e3f7989eef60c228d82329d602b6b1e2bb9d068f89cf9d4d4532780f6d27264f7b98701fdc27a4ec00aeb6becdbef2332f1b4084cadb93823935c012ae255e7b25eff13940c321fa6bd66a2a87b061db1430173e937f569349de2856dc5f2616763eeeafc0533b01dd965e7ec76976e28f683d671200000000000000000000000000000000");
    assert_eq!(one(udp(43462, 51820, true, &init)), L7Proto::WireGuard);
    assert_eq!(
        classify(&[udp(43462, 51820, true, &init[..147])]).0,
        L7Proto::Unknown
    );
}

// ssdp-m-search.pcap.
#[test]
fn ssdp_search() {
    assert_eq!(
        one(udp(42253, 1900, true, b"M-SEARCH * HTTP/1.1\r\n")),
        L7Proto::Ssdp
    );
}

#[test]
fn icmp_by_ip_protocol_without_payload() {
    let mut p = udp(0, 0, true, &[]);
    p.ip_proto = IpProto(1);
    assert_eq!(one(p), L7Proto::Icmp);
    p.ip_proto = IpProto(58);
    assert_eq!(one(p), L7Proto::Icmpv6);
    p.ip_proto = IpProto(47);
    assert_eq!(one(p), L7Proto::Unknown);
}

#[test]
fn gives_up_after_the_budget_with_or_without_a_guess() {
    let cfg = L7Config {
        max_packets: 3,
        ..L7Config::default()
    };
    let junk = [0x55u8; 40];
    let mut f = L7Flow::default();
    assert!(
        !f.inspect(&tcp(40000, 443, true, &[]), &cfg),
        "no payload, no count"
    );
    assert!(!f.inspect(&tcp(40000, 443, true, &junk), &cfg));
    assert!(!f.inspect(&tcp(443, 40000, false, &junk), &cfg));
    assert!(f.inspect(&tcp(40000, 443, true, &junk), &cfg));
    assert_eq!(
        (f.proto(), f.guessed(), f.packets()),
        (L7Proto::Tls, true, 3)
    );
    let no_guess = L7Config {
        guess: false,
        ..cfg
    };
    let mut g = L7Flow::default();
    for _ in 0..3 {
        g.inspect(&tcp(40000, 443, true, &junk), &no_guess);
    }
    assert!(g.is_done());
    assert_eq!((g.proto(), g.guessed()), (L7Proto::Unknown, false));
    // Giving up early (export) guesses the same way; once done, it sticks.
    let mut h = L7Flow::default();
    h.give_up(true, IpProto(17), 5353, 53);
    assert_eq!((h.proto(), h.guessed()), (L7Proto::Dns, true));
    h.give_up(false, IpProto(6), 1, 2);
    assert_eq!(h.proto(), L7Proto::Dns);
}

#[test]
fn state_is_small() {
    assert!(std::mem::size_of::<L7Flow>() <= 12);
}

/// No detector panics on arbitrary bytes (a cheap in-tree fuzz; the
/// `l7` cargo-fuzz target goes further).
#[test]
fn arbitrary_bytes_never_panic() {
    let cfg = L7Config::default();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut buf = [0u8; 300];
    for i in 0..20_000u32 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 300) as usize;
        for (j, b) in buf[..len].iter_mut().enumerate() {
            *b = (seed >> (j % 56)) as u8 ^ j as u8;
        }
        // Seed a few well-known first bytes.
        if len > 0 {
            buf[0] = [0x16, 0x17, 0xc3, 0x80, 0x30, 0x6a, 0x00, 0x10, 0x38][i as usize % 9];
        }
        let ports = [
            53, 443, 137, 138, 139, 445, 3389, 5060, 88, 389, 161, 25, 1194,
        ];
        let port = ports[i as usize % ports.len()];
        let mut f = L7Flow::default();
        for k in 0..3 {
            let p = L7Packet {
                ip_proto: if i % 2 == 0 {
                    IpProto::TCP
                } else {
                    IpProto::UDP
                },
                sport: 40000,
                dport: port,
                dir: Direction::from_outbound(k % 2 == 0),
                payload: &buf[..len.saturating_sub(k)],
                tcp_flags: crate::decode::TcpFlags(0),
            };
            f.inspect(&p, &cfg);
        }
    }
}

// stun.pcap: Teams STUN over TCP with RFC 4571 framing (first 36 bytes of a
// 106-byte message, cut by the test: the frame length then exceeds it).
#[test]
fn stun_framed_over_tcp() {
    let mut b = hex("0068000100542112a442f3439453b698fb2950bb06ed000600092f7049303a546f45640000");
    b.resize(0x68 + 2, 0);
    // Attribute lengths no longer matter with the cookie over TCP.
    assert_eq!(one(tcp(41588, 42000, true, &b)), L7Proto::Stun);
}
