//! The TOML rules file.

use super::*;
use crate::decode::IpProto;

#[test]
fn parses_every_section() {
    let r = Rules::parse(
        r#"
default_action = "forward"
[filter]
udp = "discard"
[shunt]
tcp = 20
[[rule]]
proto = "tcp"
port = 443
net = "10.1.0.0/16"
action = "slice"
[[rule]]
proto = 50
shunt = 5
"#,
    )
    .unwrap();
    assert_eq!(r.default_action, Action::Forward);
    let want = vec![
        Rule {
            proto: Some(IpProto(6)),
            port: Some(443),
            net: Some(Prefix::parse("10.1.0.0/16").unwrap()),
            action: Action::Slice,
            ..Rule::default()
        },
        Rule {
            proto: Some(IpProto(50)),
            shunt_after: Some(5),
            ..Rule::default()
        },
        Rule {
            proto: Some(IpProto(17)),
            action: Action::Discard,
            ..Rule::default()
        },
        Rule {
            proto: Some(IpProto(6)),
            shunt_after: Some(20),
            ..Rule::default()
        },
    ];
    assert_eq!(r.rules, want);
}

#[test]
fn errors_say_what_is_wrong() {
    let e = Rules::parse("[filter]\nTSL = \"discard\"\n").unwrap_err();
    assert!(
        e.contains("[filter]") && e.contains("unknown protocol 'TSL'") && e.contains("nDPI"),
        "{e}"
    );
    let e = Rules::parse("[[rule]]\nport = 80\n").unwrap_err();
    assert!(
        e.contains("rule #1") && e.contains("needs an action"),
        "{e}"
    );
    let e = Rules::parse("[shunt_bytes]\nhttp = \"lots\"\n").unwrap_err();
    assert!(e.contains("line 2"), "{e}");
    let e = Rules::parse("[[rule]]\nnet = \"10.0.0.0/33\"\naction = \"discard\"\n").unwrap_err();
    assert!(e.contains("rule #1") && e.contains("0..=32"), "{e}");
    let e = Rules::parse("default_action = \"drop\"\n").unwrap_err();
    assert!(e.contains("unknown action 'drop'"), "{e}");
    let e = Rules::parse("[shunt]\ntcp = -1\n").unwrap_err();
    assert!(e.contains("line 2") && e.contains("-1"), "{e}");
    let e = Rules::parse("bogus = 1\n").unwrap_err();
    assert!(e.contains("bogus"), "{e}");
}

#[test]
fn load_names_the_file() {
    let path = std::env::temp_dir().join(format!("sluice-rules-{}.toml", std::process::id()));
    std::fs::write(&path, "[filter]\nudp = \"nope\"\n").unwrap();
    let e = Rules::load(&path).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    let msg = e.to_string();
    assert!(msg.starts_with(&path.display().to_string()), "{msg}");
    assert!(msg.contains("unknown action 'nope'"), "{msg}");
}

#[test]
fn prefixes_match_by_bits() {
    let p = Prefix::parse("192.168.1.128/25").unwrap();
    assert!(p.contains(4, &addr([192, 168, 1, 200])));
    assert!(!p.contains(4, &addr([192, 168, 1, 100])));
    assert!(!p.contains(6, &addr([192, 168, 1, 200])));
    let any = Prefix::parse("0.0.0.0/0").unwrap();
    assert!(any.contains(4, &addr([1, 2, 3, 4])));
    let v6 = Prefix::parse("2001:db8::/32").unwrap();
    let mut a = [0u8; 16];
    a[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    assert!(v6.contains(6, &a));
    a[3] = 0xb9;
    assert!(!v6.contains(6, &a));
    assert_eq!(Prefix::parse("10.0.0.1").unwrap().len, 32);
}

#[test]
fn application_protocols_volumes_and_default() {
    let r = Rules::parse(
        r#"
[filter]
TLS = "forward"
dns = "discard"
[shunt]
HTTP = 40
tcp = 30
default = 100
[shunt_bytes]
default = 10_000_000
[[rule]]
proto = "QUIC"
port = 443
shunt_bytes = 1000
"#,
    )
    .unwrap();
    use crate::l7::L7Proto;
    let l7 = |p, action, shunt_after, shunt_bytes| Rule {
        l7: Some(p),
        action,
        shunt_after,
        shunt_bytes,
        ..Rule::default()
    };
    let want = vec![
        Rule {
            port: Some(443),
            ..l7(L7Proto::Quic, Action::Default, None, Some(1000))
        },
        l7(L7Proto::Tls, Action::Forward, None, None),
        l7(L7Proto::Dns, Action::Discard, None, None),
        l7(L7Proto::Http, Action::Default, Some(40), None),
        Rule {
            proto: Some(IpProto(6)),
            shunt_after: Some(30),
            ..Rule::default()
        },
        Rule {
            shunt_after: Some(100),
            ..Rule::default()
        },
        Rule {
            shunt_bytes: Some(10_000_000),
            ..Rule::default()
        },
    ];
    assert_eq!(r.rules, want);
    assert!(r.has_l7_rules());
    // New flows see only rules without an application protocol; `tcp`
    // comes before `default` whatever the section's order.
    let (key, _) = FlowKey::from_packet(&tcp(true, SYN, 0));
    assert_eq!(r.get(r.lookup(&key)).unwrap().shunt_after, Some(30));
    assert_eq!(
        r.get(r.lookup_l7(&key, L7Proto::Http)).unwrap().shunt_after,
        Some(40)
    );
    assert_eq!(r.lookup_l7(&key, L7Proto::Quic), 0, "port 443 not matched");
    assert_eq!(r.lookup_l7(&key, L7Proto::Ssh), 0);
}
