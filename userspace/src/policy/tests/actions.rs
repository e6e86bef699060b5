//! Actions: default action, rule actions, shunting, and actions set by callbacks.

use super::*;
use crate::decode::IpProto;
use crate::flow::Direction;

fn with_rules(list: Vec<Rule>) -> FlowTable {
    FlowTable::with_policy(
        config(16),
        PolicyConfig {
            rules: Rules {
                default_action: Action::Default,
                rules: list,
            },
            ..PolicyConfig::default()
        },
    )
}

#[test]
fn default_action_is_returned_for_flows_without_one() {
    let mut t = table(16);
    assert_eq!(feed(&mut t, &udp(1), secs(1)).0.action, Action::Default);
    t.set_default_action(Action::Forward);
    assert_eq!(feed(&mut t, &udp(1), secs(2)).0.action, Action::Forward);
}

#[test]
fn port_rule_sets_the_action_of_new_flows() {
    let mut t: FlowTable = with_rules(vec![Rule {
        port: Some(53),
        action: Action::Discard,
        ..Rule::default()
    }]);
    assert_eq!(feed(&mut t, &udp(7), secs(1)).0.action, Action::Discard);
    // The reply matches too (either endpoint's port).
    let reply = pkt(17, SERVER, 53, CLIENT, 7, TcpFlags::NONE, 10);
    assert_eq!(feed(&mut t, &reply, secs(1)).0.action, Action::Discard);
    assert_eq!(
        feed(&mut t, &tcp(true, SYN, 0), secs(1)).0.action,
        Action::Default
    );
    let recs = flush(&mut t);
    let udp_rec = recs.iter().find(|r| r.proto.0 == 17).unwrap();
    assert_eq!(udp_rec.action, Action::Discard);
    assert_eq!(
        (
            udp_rec.dirs[Direction::Out].packets,
            udp_rec.dirs[Direction::In].packets
        ),
        (1, 1)
    );
}

#[test]
fn shunt_discards_after_the_packet_budget_and_still_counts() {
    let mut t: FlowTable = with_rules(vec![Rule {
        proto: Some(IpProto::TCP),
        shunt_after: Some(3),
        action: Action::Forward,
        ..Rule::default()
    }]);
    let mut got = Vec::new();
    for i in 0..6u64 {
        got.push(feed(&mut t, &tcp(i % 2 == 0, ACK, 100), ms(i)).0.action);
    }
    use Action::*;
    assert_eq!(got, [Forward, Forward, Forward, Discard, Discard, Discard]);
    let r = &flush(&mut t)[0];
    assert_eq!(
        (
            r.dirs[Direction::Out].packets,
            r.dirs[Direction::In].packets,
            r.action
        ),
        (3, 3, Discard)
    );
    assert_eq!(
        r.dirs[Direction::Out].bytes + r.dirs[Direction::In].bytes,
        600
    );
}

#[test]
fn net_rule_matches_either_endpoint() {
    let net = Prefix::parse("10.0.0.0/8").unwrap();
    let mut t: FlowTable = with_rules(vec![Rule {
        net: Some(net),
        action: Action::Slice,
        ..Rule::default()
    }]);
    // CLIENT is 192.168.1.200, SERVER 10.0.0.1.
    assert_eq!(
        feed(&mut t, &tcp(true, SYN, 0), secs(1)).0.action,
        Action::Slice
    );
    let other = pkt(17, CLIENT, 1, [172, 16, 0, 1], 2, TcpFlags::NONE, 0);
    assert_eq!(feed(&mut t, &other, secs(1)).0.action, Action::Default);
}

#[test]
fn packet_callback_action_applies_from_that_packet_on() {
    let mut t = table(16);
    t.set_flow_packet_callback(|_, flow| {
        if flow.dir(Direction::Out).packets + flow.dir(Direction::In).packets == 2 {
            flow.set_action(Action::Slice);
        }
    });
    let got: Vec<_> = (0..4)
        .map(|i| feed(&mut t, &udp(1), ms(i)).0.action)
        .collect();
    assert_eq!(
        got,
        [Action::Default, Action::Slice, Action::Slice, Action::Slice]
    );
}

#[test]
fn new_flow_callback_action_applies_to_the_first_packet() {
    let mut t = table(16);
    t.set_new_flow_callback(|flow| {
        if flow.key().proto == IpProto::UDP {
            flow.set_action(Action::Discard);
        }
    });
    assert_eq!(feed(&mut t, &udp(1), ms(1)).0.action, Action::Discard);
    assert_eq!(
        feed(&mut t, &tcp(true, SYN, 0), ms(1)).0.action,
        Action::Default
    );
}
