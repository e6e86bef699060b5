//! L7 classifier: arbitrary bytes cut into packets of one flow. The first
//! byte picks the transport protocol and the server port; each chunk's
//! header byte picks the direction and length.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice::decode::{IpProto, TcpFlags};
use sluice::flow::Direction;
use sluice::l7::{L7Config, L7Flow, L7Packet};

/// Ports whose detectors are port-bound.
const PORTS: [u16; 16] = [
    53, 443, 137, 138, 139, 445, 3389, 5060, 88, 389, 161, 25, 1194, 5353, 5355, 67,
];

fuzz_target!(|data: &[u8]| {
    let Some((&head, mut rest)) = data.split_first() else {
        return;
    };
    let cfg = L7Config {
        max_packets: 8,
        guess: head & 0x40 != 0,
        ..L7Config::default()
    };
    let ip_proto = match head & 0x30 {
        0x00 => 6,
        0x10 => 17,
        0x20 => 1,
        _ => 58,
    };
    let port = PORTS[usize::from(head & 0x0f)];
    let mut flow = L7Flow::default();
    while let Some((&ctl, tail)) = rest.split_first() {
        let n = usize::from(ctl & 0x7f) * 4;
        let (chunk, tail) = tail.split_at(n.min(tail.len()));
        let outbound = ctl & 0x80 == 0;
        let (sport, dport) = if outbound {
            (40000, port)
        } else {
            (port, 40000)
        };
        let pkt = L7Packet {
            ip_proto: IpProto(ip_proto),
            sport,
            dport,
            dir: Direction::from_outbound(outbound),
            payload: chunk,
            tcp_flags: TcpFlags::PSH | TcpFlags::ACK,
        };
        if flow.inspect(&pkt, &cfg) {
            break;
        }
        rest = tail;
    }
    flow.give_up(cfg.guess, IpProto(ip_proto), 40000, port);
    let _ = (flow.proto(), flow.guessed(), flow.is_done());
});
