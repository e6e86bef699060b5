//! The in-kernel verdict map (inline shunting), live on a veth pair between two
//! namespaces, with no AF_XDP socket bound: frames of flows with a verdict are dropped or
//! passed by the program and counted exactly in their entry; every other frame is passed
//! to the stack as `passed_no_socket`.
//!
//! ```text
//!  netns <tag>a                                   netns <tag>b
//!   va    10.88.0.1, 10.88.0.201, fd00:88::1  <──veth──>  vb    10.88.0.2, fd00:88::2
//!   capture program on va (sees b → a)                    capture program on vb (sees a → b)
//! ```
//! XDP runs on ingress only, so each side's program (with its own map) sees one direction;
//! the same verdicts are installed in both maps. This kernel has no 802.1Q support, so
//! VLAN-tagged (and other hand-made) frames are written to `va` with an AF_PACKET socket,
//! and their keys and expected counts come from Sluice's own decoder.
use std::{
    net::{IpAddr, SocketAddr, UdpSocket},
    time::Duration,
};

use anyhow::{Context, Result};
use sluice::{
    bpf::{
        capture::{AttachMode, CaptureProgram},
        verdicts::{FromFlowKey, KernelCounts, MonoClock, Verdict, VerdictMap},
    },
    decode::{IpProto, Packet},
    flow::FlowKey,
};
use sluice_bench::netns::{in_netns, Netns};
use sluice_common::{VerdictDir, VerdictKey, XdpCounters, CONFIG_IGNORE_VLAN};
use sluice_tests::{require_root, tag};

const A4: &str = "10.88.0.1";
/// A second address of side a, above b's: its frames are sent by the higher endpoint.
const A4_HIGH: &str = "10.88.0.201";
const B4: &str = "10.88.0.2";
const A6: &str = "fd00:88::1";
const B6: &str = "fd00:88::2";

/// One side: its namespace, the program on its veth and a handle on that program's map.
struct Side {
    ns: Netns,
    prog: CaptureProgram,
    map: VerdictMap,
}

impl Side {
    fn counters(&self) -> XdpCounters {
        let mut t = XdpCounters::default();
        for c in self.prog.counters().expect("counters") {
            t.add(&c);
        }
        t
    }
}

/// The two namespaces with the veth pair, addresses, static neighbours (no ARP/ND wait before the first datagram) and a program on each veth.
/// Without `ipv6` the stacks keep IPv6 off (no IPv6 address, no ICMPv6 chatter).
fn pair(tag: &str, ipv6: bool) -> (Side, Side) {
    let a = Netns::new(&format!("{tag}a")).expect("netns a");
    let b = Netns::new(&format!("{tag}b")).expect("netns b");
    for ns in [&a, &b].into_iter().filter(|_| ipv6) {
        for (k, v) in [
            ("net.ipv6.conf.all.disable_ipv6", "0"),
            ("net.ipv6.conf.default.disable_ipv6", "0"),
            ("net.ipv6.conf.all.router_solicitations", "0"),
            ("net.ipv6.conf.default.router_solicitations", "0"),
        ] {
            ns.exec(&["sysctl", "-qw", &format!("{k}={v}")])
                .expect("sysctl");
        }
    }
    sluice_bench::netns::run(&[
        "ip",
        "link",
        "add",
        "va",
        "netns",
        a.name(),
        "type",
        "veth",
        "peer",
        "name",
        "vb",
        "netns",
        b.name(),
    ])
    .expect("veth pair");
    for (ns, dev, v4, extra4, v6) in [(&a, "va", A4, Some(A4_HIGH), A6), (&b, "vb", B4, None, B6)] {
        // The frames on the wire are the datagrams and segments sent.
        ns.exec(&[
            "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off",
        ])
        .expect("ethtool");
        ns.exec(&["ip", "addr", "add", &format!("{v4}/24"), "dev", dev])
            .expect("addr");
        if let Some(x) = extra4 {
            ns.exec(&["ip", "addr", "add", &format!("{x}/24"), "dev", dev])
                .expect("addr");
        }
        if ipv6 {
            ns.exec(&[
                "ip",
                "-6",
                "addr",
                "add",
                &format!("{v6}/64"),
                "dev",
                dev,
                "nodad",
            ])
            .expect("addr6");
        }
        ns.exec(&["ip", "link", "set", dev, "up"]).expect("up");
    }
    let mac_a = a.sys("va", "address").expect("mac");
    let mac_b = b.sys("vb", "address").expect("mac");
    for (ns, dev, ip, mac) in [
        (&a, "va", B4, &mac_b),
        (&a, "va", B6, &mac_b),
        (&b, "vb", A4, &mac_a),
        (&b, "vb", A4_HIGH, &mac_a),
        (&b, "vb", A6, &mac_a),
    ]
    .into_iter()
    .filter(|(_, _, ip, _)| ipv6 || !ip.contains(':'))
    {
        ns.exec(&[
            "ip",
            "neigh",
            "replace",
            ip,
            "lladdr",
            mac,
            "dev",
            dev,
            "nud",
            "permanent",
        ])
        .expect("neigh");
    }
    let side = |ns: Netns, dev: &str| {
        let mut prog = in_netns(ns.name(), || {
            CaptureProgram::attach(dev, AttachMode::Native).context("attach")
        })
        .expect("attach");
        let map = prog.verdicts().expect("verdict map");
        Side { ns, prog, map }
    };
    (side(a, "va"), side(b, "vb"))
}

/// A UDP socket bound to `addr` inside `ns`.
fn socket(ns: &Netns, addr: SocketAddr) -> UdpSocket {
    let s = in_netns(ns.name(), || UdpSocket::bind(addr).context("bind")).expect("bind");
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    s
}

fn sa(ip: &str, port: u16) -> SocketAddr {
    SocketAddr::new(ip.parse().expect("ip"), port)
}

/// Sends one datagram per payload size.
fn send(from: &UdpSocket, to: SocketAddr, sizes: &[usize]) {
    for &n in sizes {
        let sent = from.send_to(&vec![0x5a; n], to).expect("send");
        assert_eq!(sent, n);
    }
}

/// The sizes of the datagrams waiting on `s`.
fn drain(s: &UdpSocket) -> Vec<usize> {
    let mut buf = [0u8; 2048];
    let mut got = Vec::new();
    while let Ok(n) = s.recv(&mut buf) {
        got.push(n);
    }
    got
}

/// The verdict key userspace derives for a flow, through `FlowKey` as a worker would.
fn key(proto: IpProto, vlan: u16, src: SocketAddr, dst: SocketAddr) -> (VerdictKey, bool) {
    let bytes = |ip: IpAddr| match ip {
        IpAddr::V4(v) => {
            let mut o = [0u8; 16];
            o[..4].copy_from_slice(&v.octets());
            o
        }
        IpAddr::V6(v) => v.octets(),
    };
    let pkt = Packet {
        vlan,
        ip_version: if src.is_ipv4() { 4 } else { 6 },
        src: bytes(src.ip()),
        dst: bytes(dst.ip()),
        proto,
        sport: src.port(),
        dport: dst.port(),
        ..Packet::default()
    };
    let (fk, src_is_lower) = FlowKey::from_packet(&pkt);
    (
        VerdictKey::from_flow_key(&fk).expect("TCP/UDP"),
        src_is_lower,
    )
}

/// What one direction of UDP datagrams of these payload sizes counts.
fn udp_dir(v6: bool, vlan: bool, sizes: &[usize]) -> VerdictDir {
    let ip_hdr = if v6 { 40 } else { 20 };
    let eth = if vlan { 18 } else { 14 };
    let ip: Vec<u64> = sizes.iter().map(|&n| (ip_hdr + 8 + n) as u64).collect();
    VerdictDir {
        packets: sizes.len() as u64,
        payload_bytes: sizes.iter().map(|&n| n as u64).sum(),
        wire_bytes: ip.iter().map(|l| l + eth).sum(),
        ip_bytes: ip.iter().sum(),
        last_ns: 0,
        min_ip_len: ip.iter().copied().min().unwrap_or(0) as u16,
        max_ip_len: ip.iter().copied().max().unwrap_or(0) as u16,
        tcp_flags: 0,
        pad: [0; 3],
    }
}

fn mono_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid timespec; CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Checks `got` equals `want` except `last_ns`, which must lie in `[t0, t1]` (0 when no
/// frame was counted).
fn check_dir(what: &str, got: &VerdictDir, want: &VerdictDir, t0: u64, t1: u64) {
    let mut g = *got;
    g.last_ns = 0;
    assert_eq!(&g, want, "{what}");
    if want.packets == 0 {
        assert_eq!(got.last_ns, 0, "{what}: no frame, no time");
    } else {
        assert!(
            (t0..=t1).contains(&got.last_ns),
            "{what}: last_ns {} outside the sending window {t0}..{t1}",
            got.last_ns
        );
    }
}

fn read(side: &Side, k: &VerdictKey) -> KernelCounts {
    side.map.read(k).expect("read").expect("an entry")
}

/// The partition of every frame the program saw.
fn check_partition(c: &XdpCounters) {
    assert_eq!(
        c.frames,
        c.redirected
            + c.passed_non_ip
            + c.passed_no_socket
            + c.redirect_failed
            + c.verdict_dropped
            + c.verdict_passed,
        "{c:?}"
    );
}

#[test]
fn udp_verdicts_drop_and_pass_with_exact_counts_per_direction() {
    require_root();
    let (a, b) = pair(&tag("vu"), true);

    // DROP: a (lower) 10.88.0.1:5001 <-> b 10.88.0.2:6001.
    let (drop_a, drop_b) = (sa(A4, 5001), sa(B4, 6001));
    let (drop_key, a_is_lower) = key(IpProto::UDP, 0, drop_a, drop_b);
    assert!(a_is_lower);
    // PASS: a's high address 10.88.0.201:5002 (the higher endpoint) <-> b 10.88.0.2:6002.
    let (pass_a, pass_b) = (sa(A4_HIGH, 5002), sa(B4, 6002));
    let (pass_key, a_high_is_lower) = key(IpProto::UDP, 0, pass_a, pass_b);
    assert!(!a_high_is_lower);
    // No entry: 10.88.0.1:5003 <-> 10.88.0.2:6003.
    let (free_a, free_b) = (sa(A4, 5003), sa(B4, 6003));
    let (free_key, _) = key(IpProto::UDP, 0, free_a, free_b);

    // Each side's own handle installs (a clone: its own fd on the same map).
    for side in [&a, &b] {
        let m = side.map.try_clone().expect("clone");
        m.install(&drop_key, Verdict::Drop).expect("install drop");
        m.install(&pass_key, Verdict::Pass).expect("install pass");
        let again = m
            .install(&drop_key, Verdict::Pass)
            .expect_err("already installed");
        let msg = again.to_string();
        assert!(
            msg.contains("SLUICE_VERDICTS")
                && msg.contains("udp 10.88.0.1:5001 <-> 10.88.0.2:6001")
                && msg.contains("already has a verdict"),
            "{msg}"
        );
        assert_eq!(side.map.len().expect("len"), 2);
        let fresh = read(side, &drop_key);
        assert_eq!(fresh.verdict, Some(Verdict::Drop));
        assert_eq!(fresh.packets(), 0, "installed with zeroed counts");
    }

    let sock = |side: &Side, addr| socket(&side.ns, addr);
    let (s_drop_a, s_drop_b) = (sock(&a, drop_a), sock(&b, drop_b));
    let (s_pass_a, s_pass_b) = (sock(&a, pass_a), sock(&b, pass_b));
    let (s_free_a, s_free_b) = (sock(&a, free_a), sock(&b, free_b));

    let ca0 = a.counters();
    let cb0 = b.counters();
    let drop_ab = [18, 100, 700, 1400, 33];
    let drop_ba = [60, 1200, 5];
    let pass_ab = [1, 2, 3, 500, 1000, 1472];
    let pass_ba = [250, 26];
    let free_ab = [10, 20, 30, 40];
    let t0 = mono_ns();
    send(&s_drop_a, drop_b, &drop_ab);
    send(&s_drop_b, drop_a, &drop_ba);
    send(&s_pass_a, pass_b, &pass_ab);
    send(&s_pass_b, pass_a, &pass_ba);
    send(&s_free_a, free_b, &free_ab);
    let t1 = mono_ns();

    // What reached the sockets: nothing of the dropped flow, all of the others.
    assert_eq!(drain(&s_drop_b), Vec::<usize>::new(), "DROP flow a -> b");
    assert_eq!(drain(&s_drop_a), Vec::<usize>::new(), "DROP flow b -> a");
    assert_eq!(drain(&s_pass_b), pass_ab.to_vec(), "PASS flow a -> b");
    assert_eq!(drain(&s_pass_a), pass_ba.to_vec(), "PASS flow b -> a");
    assert_eq!(drain(&s_free_b), free_ab.to_vec(), "flow without an entry");

    // b's program sees a -> b: the DROP flow from its lower endpoint (dirs[0]), the
    // PASS flow from its higher one (dirs[1]). a's program sees b -> a.
    let none = udp_dir(false, false, &[]);
    let d = read(&b, &drop_key);
    assert_eq!(d.verdict, Some(Verdict::Drop));
    check_dir(
        "b: drop lo->hi",
        &d.dirs[0],
        &udp_dir(false, false, &drop_ab),
        t0,
        t1,
    );
    check_dir("b: drop hi->lo", &d.dirs[1], &none, t0, t1);
    let d = read(&a, &drop_key);
    check_dir("a: drop lo->hi", &d.dirs[0], &none, t0, t1);
    check_dir(
        "a: drop hi->lo",
        &d.dirs[1],
        &udp_dir(false, false, &drop_ba),
        t0,
        t1,
    );
    let p = read(&b, &pass_key);
    assert_eq!(p.verdict, Some(Verdict::Pass));
    check_dir("b: pass lo->hi", &p.dirs[0], &none, t0, t1);
    check_dir(
        "b: pass hi->lo",
        &p.dirs[1],
        &udp_dir(false, false, &pass_ab),
        t0,
        t1,
    );
    let p = read(&a, &pass_key);
    check_dir(
        "a: pass lo->hi",
        &p.dirs[0],
        &udp_dir(false, false, &pass_ba),
        t0,
        t1,
    );
    check_dir("a: pass hi->lo", &p.dirs[1], &none, t0, t1);
    assert!(
        b.map.read(&free_key).expect("read").is_none(),
        "never inserted by the program"
    );
    assert_eq!(b.map.len().expect("len"), 2);

    // The program's counters: exactly those frames dropped and passed by verdict; the
    // flow without an entry went to the stack as usual (no socket is bound).
    let (ca, cb) = (a.counters(), b.counters());
    assert_eq!(
        cb.verdict_dropped - cb0.verdict_dropped,
        drop_ab.len() as u64
    );
    assert_eq!(cb.verdict_passed - cb0.verdict_passed, pass_ab.len() as u64);
    assert_eq!(
        ca.verdict_dropped - ca0.verdict_dropped,
        drop_ba.len() as u64
    );
    assert_eq!(ca.verdict_passed - ca0.verdict_passed, pass_ba.len() as u64);
    assert!(cb.passed_no_socket - cb0.passed_no_socket >= free_ab.len() as u64);
    assert_eq!(cb.redirected, 0);
    check_partition(&ca);
    check_partition(&cb);

    // The realtime clock of the last frame is within the sending window.
    let clock = MonoClock::now();
    let last = clock.to_realtime(read(&b, &drop_key).last_ns()).0;
    let (r0, r1) = (clock.to_realtime(t0).0, clock.to_realtime(t1).0);
    assert!((r0..=r1).contains(&last), "{r0} <= {last} <= {r1}");

    // Remove returns the counts and deletes the entry: the flow's frames are the
    // stack's again.
    let before = read(&b, &drop_key);
    let removed = b.map.remove(&drop_key).expect("remove").expect("an entry");
    assert_eq!(removed, before);
    assert!(b.map.read(&drop_key).expect("read").is_none());
    assert!(b.map.remove(&drop_key).expect("remove").is_none());
    assert_eq!(b.map.keys().expect("keys"), vec![pass_key]);
    let cb1 = b.counters();
    send(&s_drop_a, drop_b, &[77, 88]);
    assert_eq!(drain(&s_drop_b), vec![77, 88], "no verdict any more");
    let cb2 = b.counters();
    assert_eq!(cb2.verdict_dropped, cb1.verdict_dropped);
    assert!(cb2.passed_no_socket - cb1.passed_no_socket >= 2);

    // The map outlives the program: after detaching, the last counts are still there.
    let Side { prog, map, ns: _ns } = b;
    drop(prog);
    let p = map.remove(&pass_key).expect("remove").expect("an entry");
    assert_eq!(p.dirs[1].packets, pass_ab.len() as u64);
    assert!(map.is_empty().expect("empty"));
}

#[test]
fn ipv6_udp_and_tcp_verdicts() {
    require_root();
    let (a, b) = pair(&tag("v6"), true);

    // IPv6 UDP, DROP: fd00:88::1:5004 (lower) <-> fd00:88::2:6004.
    let (v6_a, v6_b) = (sa(A6, 5004), sa(B6, 6004));
    let (v6_key, lower) = key(IpProto::UDP, 0, v6_a, v6_b);
    assert!(lower);
    // IPv6 UDP, PASS: fd00:88::1:5007 <-> fd00:88::2:6007.
    let (p6_a, p6_b) = (sa(A6, 5007), sa(B6, 6007));
    let (p6_key, _) = key(IpProto::UDP, 0, p6_a, p6_b);
    // TCP, PASS: 10.88.0.1:5006 (lower) -> 10.88.0.2:6006.
    let (tcp_a, tcp_b) = (sa(A4, 5006), sa(B4, 6006));
    let (tcp_key, lower) = key(IpProto::TCP, 0, tcp_a, tcp_b);
    assert!(lower);
    for side in [&a, &b] {
        side.map.install(&v6_key, Verdict::Drop).expect("install");
        side.map.install(&p6_key, Verdict::Pass).expect("install");
        side.map.install(&tcp_key, Verdict::Pass).expect("install");
    }

    let (s6a, s6b) = (socket(&a.ns, v6_a), socket(&b.ns, v6_b));
    let (p6a, p6b) = (socket(&a.ns, p6_a), socket(&b.ns, p6_b));
    let cb0 = b.counters();
    let v6_ab = [8, 900, 1400];
    let v6_ba = [99];
    let p6_ab = [1000, 1, 1452];
    let t0 = mono_ns();
    send(&s6a, v6_b, &v6_ab);
    send(&s6b, v6_a, &v6_ba);
    send(&p6a, p6_b, &p6_ab);
    let t1 = mono_ns();
    assert_eq!(drain(&s6b), Vec::<usize>::new(), "IPv6 DROP flow a -> b");
    assert_eq!(drain(&s6a), Vec::<usize>::new(), "IPv6 DROP flow b -> a");
    assert_eq!(drain(&p6b), p6_ab.to_vec(), "IPv6 PASS flow");
    let none = udp_dir(true, false, &[]);
    let d = read(&b, &v6_key);
    check_dir(
        "v6 drop lo->hi",
        &d.dirs[0],
        &udp_dir(true, false, &v6_ab),
        t0,
        t1,
    );
    check_dir("v6 drop hi->lo", &d.dirs[1], &none, t0, t1);
    let d = read(&a, &v6_key);
    check_dir(
        "v6 drop hi->lo at a",
        &d.dirs[1],
        &udp_dir(true, false, &v6_ba),
        t0,
        t1,
    );
    let p = read(&b, &p6_key);
    check_dir(
        "v6 pass lo->hi",
        &p.dirs[0],
        &udp_dir(true, false, &p6_ab),
        t0,
        t1,
    );
    let cb1 = b.counters();
    assert_eq!(
        cb1.verdict_dropped - cb0.verdict_dropped,
        v6_ab.len() as u64
    );
    assert_eq!(cb1.verdict_passed - cb0.verdict_passed, p6_ab.len() as u64);

    // TCP through a PASS verdict: the connection works, and each direction's payload
    // bytes are exactly what was written; SYN, ACK and FIN are seen both ways.
    let (up, down) = (3000usize, 1000usize);
    let listener = in_netns(b.ns.name(), || {
        std::net::TcpListener::bind(tcp_b).context("listen")
    })
    .expect("listen");
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut c, _) = listener.accept().expect("accept");
        let mut got = vec![0u8; up];
        c.read_exact(&mut got).expect("read");
        c.write_all(&vec![1u8; down]).expect("write");
        c.shutdown(std::net::Shutdown::Write).expect("shutdown");
        let mut rest = Vec::new();
        c.read_to_end(&mut rest).expect("eof");
    });
    {
        use std::io::{Read, Write};
        let mut c = in_netns(a.ns.name(), || tcp_connect(tcp_a, tcp_b)).expect("connect");
        c.write_all(&vec![2u8; up]).expect("write");
        let mut back = vec![0u8; down];
        c.read_exact(&mut back).expect("read back");
        c.shutdown(std::net::Shutdown::Write).expect("shutdown");
        let mut rest = Vec::new();
        c.read_to_end(&mut rest).expect("eof");
    }
    server.join().expect("server");
    std::thread::sleep(Duration::from_millis(200));
    let up_c = read(&b, &tcp_key).dirs[0];
    let down_c = read(&a, &tcp_key).dirs[1];
    for (what, d, bytes) in [
        ("client -> server", up_c, up),
        ("server -> client", down_c, down),
    ] {
        assert_eq!(d.payload_bytes, bytes as u64, "{what}: {d:?}");
        assert_eq!(d.tcp_flags & 0x13, 0x13, "{what}: SYN, ACK and FIN: {d:?}");
        assert_eq!(d.wire_bytes, d.ip_bytes + 14 * d.packets, "{what}: {d:?}");
        // Every segment carries at least the 20+20 header bytes.
        assert!(
            d.ip_bytes >= d.payload_bytes + 40 * d.packets,
            "{what}: {d:?}"
        );
        assert!(
            d.min_ip_len >= 40 && d.max_ip_len >= d.min_ip_len,
            "{what}: {d:?}"
        );
    }
    assert_eq!(read(&b, &tcp_key).dirs[1].packets, 0);
    assert_eq!(read(&a, &tcp_key).dirs[0].packets, 0);
    let cb2 = b.counters();
    assert_eq!(
        cb2.verdict_passed - cb1.verdict_passed,
        up_c.packets,
        "every client segment passed by its verdict"
    );
    check_partition(&cb2);
}

/// A hand-made frame for [`raw_frames_are_keyed_and_counted_like_userspace`].
#[derive(Clone, Copy)]
struct Raw {
    /// VLAN tags, outermost first: (TPID, VLAN id).
    tags: &'static [(u16, u16)],
    v6: bool,
    /// Last address byte of source and destination (10.88.0.x / fd00:88::x).
    src: u8,
    dst: u8,
    tcp: bool,
    sport: u16,
    dport: u16,
    /// IPv4 option bytes (a multiple of 4).
    ip_opts: usize,
    /// IPv4 flags + fragment offset field.
    frag: u16,
    /// IPv4 total length written as 0 (TSO).
    total_zero: bool,
    /// An IPv6 hop-by-hop header before the transport header.
    hbh: bool,
    /// TCP option bytes (a multiple of 4) and flags.
    tcp_opts: usize,
    flags: u8,
    payload: usize,
    /// Zero bytes after the IP packet (Ethernet padding).
    pad: usize,
    /// Whether the program keys the frame (else it goes to AF_XDP: userspace handles it).
    kernel: bool,
}

const R: Raw = Raw {
    tags: &[],
    v6: false,
    src: 1,
    dst: 2,
    tcp: false,
    sport: 7000,
    dport: 8000,
    ip_opts: 0,
    frag: 0,
    total_zero: false,
    hbh: false,
    tcp_opts: 0,
    flags: 0,
    payload: 100,
    pad: 0,
    kernel: true,
};

/// Builds the frame (checksums left 0: the frames are dropped by verdict or discarded
/// by the stack).
fn build(r: &Raw, dst_mac: [u8; 6], src_mac: [u8; 6]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&dst_mac);
    f.extend_from_slice(&src_mac);
    for &(tpid, vid) in r.tags {
        f.extend_from_slice(&tpid.to_be_bytes());
        f.extend_from_slice(&vid.to_be_bytes());
    }
    let mut l4 = Vec::new();
    if r.tcp {
        l4.extend_from_slice(&r.sport.to_be_bytes());
        l4.extend_from_slice(&r.dport.to_be_bytes());
        l4.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0]);
        l4.push((((20 + r.tcp_opts) / 4) as u8) << 4);
        l4.push(r.flags);
        l4.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0]);
        l4.extend(std::iter::repeat_n(1u8, r.tcp_opts));
    } else {
        l4.extend_from_slice(&r.sport.to_be_bytes());
        l4.extend_from_slice(&r.dport.to_be_bytes());
        l4.extend_from_slice(&((8 + r.payload) as u16).to_be_bytes());
        l4.extend_from_slice(&[0, 0]);
    }
    l4.extend(std::iter::repeat_n(0xabu8, r.payload));
    let proto = if r.tcp { IpProto::TCP } else { IpProto::UDP }.number();
    if r.v6 {
        f.extend_from_slice(&0x86ddu16.to_be_bytes());
        let ext = if r.hbh { 8 } else { 0 };
        f.extend_from_slice(&[0x60, 0, 0, 0]);
        f.extend_from_slice(&((ext + l4.len()) as u16).to_be_bytes());
        f.push(if r.hbh { 0 } else { proto });
        f.push(64);
        for x in [r.src, r.dst] {
            let mut a: [u8; 16] = B6.parse::<std::net::Ipv6Addr>().expect("v6").octets();
            a[15] = x;
            f.extend_from_slice(&a);
        }
        if r.hbh {
            // Next header, length 0 (8 bytes), PadN option of 4 bytes.
            f.extend_from_slice(&[proto, 0, 1, 4, 0, 0, 0, 0]);
        }
    } else {
        f.extend_from_slice(&0x0800u16.to_be_bytes());
        let ihl = 20 + r.ip_opts;
        let total = if r.total_zero { 0 } else { ihl + l4.len() };
        f.push(0x40 | (ihl / 4) as u8);
        f.push(0);
        f.extend_from_slice(&(total as u16).to_be_bytes());
        f.extend_from_slice(&[0, 1]);
        f.extend_from_slice(&r.frag.to_be_bytes());
        f.extend_from_slice(&[64, proto, 0, 0]);
        f.extend_from_slice(&[10, 88, 0, r.src]);
        f.extend_from_slice(&[10, 88, 0, r.dst]);
        f.extend(std::iter::repeat_n(1u8, r.ip_opts)); // NOP options
    }
    f.extend_from_slice(&l4);
    f.extend(std::iter::repeat_n(0u8, r.pad));
    f
}

/// Writes `frames` to `dev` in `ns` with an AF_PACKET socket.
fn inject(ns: &Netns, dev: &str, frames: &[Vec<u8>]) {
    let ifindex = ns.ifindex(dev).expect("ifindex");
    let fd = in_netns(ns.name(), || {
        // SAFETY: plain socket(2); closed below.
        let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
        anyhow::ensure!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        Ok(fd)
    })
    .expect("packet socket");
    // SAFETY: zeroed sockaddr_ll is valid; the fields that matter are set.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_ifindex = ifindex as i32;
    sll.sll_halen = 6;
    for f in frames {
        // SAFETY: `f` and `sll` are valid for the lengths given.
        let n = unsafe {
            libc::sendto(
                fd,
                f.as_ptr().cast(),
                f.len(),
                0,
                &sll as *const libc::sockaddr_ll as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            )
        };
        assert_eq!(n, f.len() as isize, "{}", std::io::Error::last_os_error());
    }
    // SAFETY: our fd.
    unsafe { libc::close(fd) };
}

#[test]
fn raw_frames_are_keyed_and_counted_like_userspace() {
    use sluice::decode::{decode, DecodeOptions, LinkType};
    require_root();
    let (a, mut b) = pair(&tag("vr"), false);
    let mac = |ns: &Netns, dev| -> [u8; 6] {
        let s = ns.sys(dev, "address").expect("mac");
        let v: Vec<u8> = s
            .split(':')
            .map(|x| u8::from_str_radix(x, 16).expect("hex"))
            .collect();
        v.try_into().expect("6 bytes")
    };
    let (mac_a, mac_b) = (mac(&a.ns, "va"), mac(&b.ns, "vb"));
    const Q: u16 = 0x8100;
    const AD: u16 = 0x88a8;
    let raws = [
        // Untagged UDP, both directions of one flow, and Ethernet padding.
        R,
        Raw {
            src: 2,
            dst: 1,
            sport: 8000,
            dport: 7000,
            payload: 3,
            pad: 17,
            ..R
        },
        // One 802.1Q tag: VLAN 100 is in the key.
        Raw {
            tags: &[(Q, 100)],
            payload: 40,
            ..R
        },
        Raw {
            tags: &[(Q, 0x2000 | 100)],
            payload: 41,
            ..R
        }, // PCP bits are not the id
        // QinQ: the outer id; a priority-tagged outer (id 0) gives the inner id.
        Raw {
            tags: &[(AD, 200), (Q, 300)],
            sport: 7001,
            ..R
        },
        Raw {
            tags: &[(AD, 0), (Q, 300)],
            sport: 7002,
            ..R
        },
        // IPv4 options; a TSO-style total length of 0.
        Raw {
            ip_opts: 8,
            sport: 7003,
            payload: 333,
            ..R
        },
        Raw {
            total_zero: true,
            sport: 7004,
            payload: 222,
            ..R
        },
        // TCP with options, flags ORed; the sender is the higher endpoint.
        Raw {
            tcp: true,
            tcp_opts: 12,
            flags: 0x12,
            src: 9,
            sport: 443,
            dport: 50000,
            payload: 0,
            ..R
        },
        Raw {
            tcp: true,
            tcp_opts: 0,
            flags: 0x18,
            src: 9,
            sport: 443,
            dport: 50000,
            payload: 1200,
            ..R
        },
        // Equal addresses: the ports decide.
        Raw {
            tcp: true,
            src: 5,
            dst: 5,
            sport: 9000,
            dport: 80,
            flags: 0x10,
            ..R
        },
        // IPv6 UDP and TCP.
        Raw {
            v6: true,
            payload: 500,
            sport: 7005,
            ..R
        },
        Raw {
            v6: true,
            tcp: true,
            flags: 0x01,
            src: 3,
            dst: 2,
            sport: 7006,
            ..R
        },
        Raw {
            v6: true,
            tags: &[(Q, 7)],
            sport: 7007,
            ..R
        },
        // Userspace's business (the program never keys them): a first fragment (MF), a
        // DF datagram is not one, an IPv6 extension header.
        Raw {
            frag: 0x2000,
            sport: 7008,
            kernel: false,
            ..R
        },
        Raw {
            frag: 0x4000,
            sport: 7009,
            ..R
        },
        Raw {
            v6: true,
            hbh: true,
            sport: 7010,
            kernel: false,
            ..R
        },
    ];
    let frames: Vec<Vec<u8>> = raws.iter().map(|r| build(r, mac_b, mac_a)).collect();

    // Keys and expected counts from Sluice's decoder, as a worker would count the frames.
    let mut expect: Vec<(VerdictKey, [VerdictDir; 2])> = Vec::new();
    let mut kernel_frames = 0;
    let mut decoded = Vec::new();
    for (r, f) in raws.iter().zip(&frames) {
        let p = decode(LinkType::Ethernet, f, DecodeOptions::default()).expect("decodes");
        let (fk, lower) = FlowKey::from_packet(&p);
        let k = VerdictKey::from_flow_key(&fk).expect("TCP/UDP");
        decoded.push((p, k, lower));
        let i = match expect.iter().position(|(x, _)| *x == k) {
            Some(i) => i,
            None => {
                expect.push((k, [VerdictDir::default(); 2]));
                expect.len() - 1
            }
        };
        if !r.kernel {
            continue;
        }
        kernel_frames += 1;
        let d = &mut expect[i].1[usize::from(!lower)];
        d.packets += 1;
        d.payload_bytes += u64::from(p.payload_len);
        d.wire_bytes += f.len() as u64;
        d.ip_bytes += u64::from(p.ip_len);
        let len = p.ip_len as u16;
        if d.min_ip_len == 0 || len < d.min_ip_len {
            d.min_ip_len = len;
        }
        d.max_ip_len = d.max_ip_len.max(len);
        d.tcp_flags |= p.tcp_flags.bits();
    }
    for (k, _) in &expect {
        b.map.install(k, Verdict::Drop).expect("install");
    }
    let c0 = b.counters();
    let t0 = mono_ns();
    inject(&a.ns, "va", &frames);
    let t1 = mono_ns();
    std::thread::sleep(Duration::from_millis(100));
    for (k, want) in &expect {
        let got = b.map.read(k).expect("read").expect("entry");
        for (dir, (g, w)) in got.dirs.iter().zip(want).enumerate() {
            check_dir(
                &format!("{} dir {dir}", sluice::bpf::verdicts::ShowKey(k)),
                g,
                w,
                t0,
                t1,
            );
        }
    }
    let c1 = b.counters();
    assert_eq!(c1.verdict_dropped - c0.verdict_dropped, kernel_frames);
    assert_eq!(
        c1.passed_no_socket - c0.passed_no_socket,
        (raws.len() as u64) - kernel_frames,
        "the frames the program leaves to userspace"
    );
    check_partition(&c1);

    // With the ignore-VLAN flag the program keys tagged frames with VLAN 0, as userspace
    // does with --ignore-vlan.
    b.prog.set_config(CONFIG_IGNORE_VLAN).expect("config");
    let tagged: Vec<usize> = (0..raws.len())
        .filter(|&i| !raws[i].tags.is_empty())
        .collect();
    let mut zero_keys = Vec::new();
    for &i in &tagged {
        let mut k = decoded[i].1;
        k.vlan = 0;
        if !zero_keys.contains(&k) && b.map.read(&k).expect("read").is_none() {
            b.map.install(&k, Verdict::Pass).expect("install");
            zero_keys.push(k);
        }
    }
    let before: Vec<_> = expect
        .iter()
        .map(|(k, _)| b.map.read(k).expect("read"))
        .collect();
    let c2 = b.counters();
    let again: Vec<Vec<u8>> = tagged.iter().map(|&i| frames[i].clone()).collect();
    inject(&a.ns, "va", &again);
    std::thread::sleep(Duration::from_millis(100));
    let c3 = b.counters();
    // Tagged frames whose VLAN-less key is an untagged flow's take its DROP verdict.
    assert_eq!(
        (c3.verdict_passed - c2.verdict_passed) + (c3.verdict_dropped - c2.verdict_dropped),
        tagged.len() as u64
    );
    assert!(c3.verdict_dropped > c2.verdict_dropped);
    let counted: u64 = zero_keys
        .iter()
        .map(|k| b.map.read(k).expect("read").expect("entry").packets())
        .sum();
    // The untagged UDP flow 7000 <-> 8000 already had a VLAN-0 key: tagged frames of the
    // same ports land there.
    let to_old: u64 = expect
        .iter()
        .zip(&before)
        .map(|((k, _), b0)| {
            let now = b.map.read(k).expect("read").expect("entry").packets();
            now - b0.map_or(0, |c| c.packets())
        })
        .sum();
    assert_eq!(counted + to_old, tagged.len() as u64);
    for (k, _) in &expect {
        if k.vlan != 0 {
            let now = b.map.read(k).expect("read");
            let was = before[expect.iter().position(|(x, _)| x == k).expect("key")];
            assert_eq!(now, was, "VLAN keys no longer match");
        }
    }
}

/// A TCP connection from `from` to `to` (the client's port fixed, so the flow key is
/// known before it connects).
fn tcp_connect(from: SocketAddr, to: SocketAddr) -> Result<std::net::TcpStream> {
    use std::os::fd::FromRawFd;
    // SAFETY: plain socket(2); the fd is owned by the TcpStream below.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    anyhow::ensure!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
    // SAFETY: `fd` is a fresh socket we own.
    let stream = unsafe { std::net::TcpStream::from_raw_fd(fd) };
    let sin = |a: SocketAddr| -> libc::sockaddr_in {
        let SocketAddr::V4(v) = a else {
            panic!("IPv4 only")
        };
        libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: v.port().to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from_ne_bytes(v.ip().octets()),
            },
            sin_zero: [0; 8],
        }
    };
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    let (f, t) = (sin(from), sin(to));
    // SAFETY: valid sockaddr_in values of the given length.
    unsafe {
        anyhow::ensure!(
            libc::bind(fd, &f as *const _ as *const libc::sockaddr, len) == 0,
            "bind: {}",
            std::io::Error::last_os_error()
        );
        anyhow::ensure!(
            libc::connect(fd, &t as *const _ as *const libc::sockaddr, len) == 0,
            "connect: {}",
            std::io::Error::last_os_error()
        );
    }
    Ok(stream)
}
