//! Flow keys: ICMP messages, IP fragments, VLANs.

use super::*;
use crate::decode::{Fragment, IcmpInfo};
use crate::flow::Direction;

fn icmp(src: [u8; 4], dst: [u8; 4], kind: u8, code: u8, id: u16) -> Packet {
    Packet {
        icmp: IcmpInfo { kind, code, id },
        ..pkt(1, src, 0, dst, 0, TcpFlags::NONE, 56)
    }
}

#[test]
fn echo_request_and_reply_are_one_flow_per_identifier() {
    let mut t = table(16);
    feed(&mut t, &icmp(CLIENT, SERVER, 8, 0, 77), secs(1));
    feed(&mut t, &icmp(SERVER, CLIENT, 0, 0, 77), secs(1));
    feed(&mut t, &icmp(CLIENT, SERVER, 8, 0, 78), secs(2));
    // A router's error about the flow is a flow of its own.
    feed(&mut t, &icmp([10, 9, 9, 9], CLIENT, 11, 0, 0), secs(3));
    let recs = flush(&mut t);
    assert_eq!(recs.len(), 3);
    let r = &recs[0];
    assert_eq!((r.sa, r.da, r.sp, r.dp), (addr(CLIENT), addr(SERVER), 0, 0));
    assert_eq!(
        r.icmp,
        IcmpInfo {
            kind: 8,
            code: 0,
            id: 77
        }
    );
    assert_eq!(
        (
            r.dirs[Direction::Out].packets,
            r.dirs[Direction::In].packets
        ),
        (1, 1)
    );
    assert_eq!(recs[1].icmp.id, 78);
    assert_eq!(
        (recs[2].icmp.kind, recs[2].dirs[Direction::Out].packets),
        (11, 1)
    );
}

#[test]
fn a_flow_begun_by_a_reply_says_so_and_keeps_its_community_id() {
    use crate::flow::CommunityId;
    let mut t = table(16);
    // The request was before the capture started: the reply comes first.
    feed(&mut t, &icmp(SERVER, CLIENT, 0, 0, 5), secs(1));
    feed(&mut t, &icmp(CLIENT, SERVER, 8, 0, 5), secs(2));
    feed(&mut t, &icmp(CLIENT, SERVER, 8, 0, 6), secs(3));
    let recs = flush(&mut t);
    assert_eq!(recs.len(), 2);
    let (by_reply, by_request) = (&recs[0], &recs[1]);
    assert_eq!((by_reply.sa, by_reply.icmp.kind), (addr(SERVER), 0));
    assert_eq!(by_reply.dirs[Direction::Out].packets, 1);
    assert_eq!((by_request.sa, by_request.icmp.kind), (addr(CLIENT), 8));
    // Both are echo exchanges between the same hosts: one identifier (the
    // ICMP id is not part of it).
    assert_eq!(CommunityId::of(by_reply, 0), CommunityId::of(by_request, 0));
}

fn frag(offset: u16, more: bool, id: u32, sport: u16) -> Packet {
    let mut p = pkt(
        17,
        CLIENT,
        sport,
        SERVER,
        if sport == 0 { 0 } else { 53 },
        TcpFlags::NONE,
        1000,
    );
    p.frag = Some(Fragment { id, offset, more });
    p
}

#[test]
fn later_fragments_join_the_first_fragment_s_flow() {
    let mut t = table(16);
    feed(&mut t, &frag(0, true, 7, 4000), ms(1));
    feed(&mut t, &frag(185, true, 7, 0), ms(2));
    feed(&mut t, &frag(370, false, 7, 0), ms(3));
    // A train whose first fragment was never seen keys a ports-0 flow.
    feed(&mut t, &frag(185, false, 8, 0), ms(4));
    let recs = flush(&mut t);
    assert_eq!(recs.len(), 2);
    assert_eq!(
        (recs[0].sp, recs[0].dp, recs[0].dirs[Direction::Out].packets),
        (4000, 53, 3)
    );
    assert_eq!(
        (recs[1].sp, recs[1].dp, recs[1].dirs[Direction::Out].packets),
        (0, 0, 1)
    );
    let s = t.stats();
    assert_eq!((s.fragments_joined, s.fragment_orphans), (2, 1));
}

#[test]
fn fragment_trains_expire() {
    let mut t = table(16);
    feed(&mut t, &frag(0, true, 7, 4000), secs(1));
    feed(&mut t, &frag(185, false, 7, 0), secs(40));
    assert_eq!(t.len(), 2, "too late to join: a ports-0 flow");
}

#[test]
fn ignore_vlan_merges_vlans() {
    let mut t: FlowTable = FlowTable::new(FlowTableConfig {
        ignore_vlan: true,
        ..config(16)
    });
    let mut a = udp(1);
    a.vlan = 10;
    let mut b = udp(1);
    b.vlan = 20;
    feed(&mut t, &a, secs(1));
    feed(&mut t, &b, secs(1));
    let recs = flush(&mut t);
    assert_eq!(
        (
            recs.len(),
            recs[0].vlan,
            recs[0].dirs[Direction::Out].packets
        ),
        (1, 0, 2)
    );
}
