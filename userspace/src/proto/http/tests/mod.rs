//! HTTP tests: streams of ndpi/1kxun.pcap reassembled by tshark (see
//! fixtures/README.md), with the values tshark reports for those frames.

use super::*;
use crate::flow::Direction;
use crate::time::Timestamp;

mod corpus_sweep;

pub(super) fn hex(s: &str) -> Vec<u8> {
    crate::proto::dns::tests_hex(s)
}

const S12_CLIENT: &str = include_str!("fixtures/1kxun_s12_client.hex");
const S12_SERVER: &str = include_str!("fixtures/1kxun_s12_server.hex");
const S20_CLIENT: &str = include_str!("fixtures/1kxun_s20_client.hex");
const S20_SERVER: &str = include_str!("fixtures/1kxun_s20_server.hex");
const SSDP: &str = include_str!("fixtures/1kxun_f3_ssdp.hex");
const T0: Timestamp = Timestamp(7);

fn feed_whole(client: &[u8], server: &[u8], cfg: &HttpConfig) -> HttpState {
    let mut s = HttpState::default();
    s.on_data(Direction::Out, client, T0, cfg);
    s.on_data(Direction::In, server, T0, cfg);
    s
}

fn json(s: &HttpState, rewrite: Rewrite<'_>) -> String {
    let mut out = Vec::new();
    assert!(s.write_json(&mut out, rewrite).is_ok());
    String::from_utf8_lossy(&out).into_owned()
}

const MAGICAN_UA: &str = "Magican (unknown version) CFNetwork/720.5.7 Darwin/14.5.0 (x86_64)";

/// Stream 20: tshark shows GET api.magicansoft.com
/// /comMagicanApi/composite/app.php/Global/Index/ip (frame 631), 502 (634),
/// GET /comMagicanApi/index.php/ToolBox/version (710), 502 (724); both
/// responses carry a 166-byte body starting "<html>\r\n".
fn check_stream20(s: &HttpState) {
    let m = s.messages();
    assert_eq!(m.len(), 4);
    let reqs: Vec<_> = m.iter().filter(|m| m.dir == Direction::Out).collect();
    let resps: Vec<_> = m.iter().filter(|m| m.dir == Direction::In).collect();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs.iter().map(|r| r.uri()).collect::<Vec<_>>(),
        [
            Some("/comMagicanApi/composite/app.php/Global/Index/ip"),
            Some("/comMagicanApi/index.php/ToolBox/version")
        ]
    );
    for r in &reqs {
        assert_eq!(r.method(), Some("GET"));
        assert_eq!(r.host(), Some("api.magicansoft.com"));
        assert_eq!(r.user_agent(), Some(MAGICAN_UA));
        assert!(r.body.is_empty());
        assert_eq!(r.headers.len(), 6);
    }
    for r in &resps {
        assert_eq!(r.status(), Some(502));
        assert_eq!(
            r.start,
            StartLine::Response {
                version: "HTTP/1.1".into(),
                code: 502,
                reason: "Bad Gateway".into()
            }
        );
        assert_eq!(r.header("content-length"), Some("166"));
        assert_eq!(r.body, b"<html>\r\n");
    }
}

#[test]
fn keep_alive_requests_and_responses() {
    let s = feed_whole(&hex(S20_CLIENT), &hex(S20_SERVER), &HttpConfig::default());
    check_stream20(&s);
}

/// Stream 12: GET ... (frame 463), 200 with a chunked body (frame 471) whose
/// first chunk (0xff bytes) starts "3.2.19.3".
#[test]
fn chunked_response() {
    let s = feed_whole(&hex(S12_CLIENT), &hex(S12_SERVER), &HttpConfig::default());
    let m = s.messages();
    assert_eq!(m.len(), 2);
    assert_eq!(
        m[0].uri(),
        Some("/api/qqlive_ckey/get?vid=y0013xaeeyo&platform=10902")
    );
    assert_eq!(m[0].host(), Some("218.244.135.170:9099"));
    assert_eq!(m[0].user_agent(), Some("Mozilla/5.0"));
    assert_eq!(m[1].status(), Some(200));
    assert_eq!(m[1].header("Transfer-Encoding"), Some("chunked"));
    assert_eq!(m[1].body, b"3.2.19.3");
    assert!(s.wants_data());
}

/// Messages of each direction (their interleaving follows the feeding order).
fn by_dir(s: &HttpState) -> [Vec<&HttpMessage>; 2] {
    let m = s.messages();
    [
        m.iter().filter(|m| m.dir == Direction::Out).collect(),
        m.iter().filter(|m| m.dir == Direction::In).collect(),
    ]
}

#[test]
fn split_at_every_byte_boundary() {
    let cfg = HttpConfig::default();
    for (c, sv) in [(S12_CLIENT, S12_SERVER), (S20_CLIENT, S20_SERVER)] {
        let (client, server) = (hex(c), hex(sv));
        let whole = feed_whole(&client, &server, &cfg);
        for cut in 0..=client.len().max(server.len()) {
            let mut s = HttpState::default();
            let (c1, c2) = client.split_at(cut.min(client.len()));
            let (s1, s2) = server.split_at(cut.min(server.len()));
            s.on_data(Direction::Out, c1, T0, &cfg);
            s.on_data(Direction::In, s1, T0, &cfg);
            s.on_data(Direction::Out, c2, T0, &cfg);
            s.on_data(Direction::In, s2, T0, &cfg);
            assert_eq!(by_dir(&s), by_dir(&whole), "cut at {cut}");
        }
        let mut bytewise = HttpState::default();
        for b in &client {
            bytewise.on_data(Direction::Out, std::slice::from_ref(b), T0, &cfg);
        }
        for b in &server {
            bytewise.on_data(Direction::In, std::slice::from_ref(b), T0, &cfg);
        }
        assert_eq!(by_dir(&bytewise), by_dir(&whole));
    }
}

#[test]
fn resyncs_on_the_next_request_line() {
    let mut stream =
        b"\x16\x03\x01 garbage that is not http\r\nstill garbage GET / HTTP/1.1\r\n".to_vec();
    stream.extend_from_slice(&hex(S12_CLIENT));
    let mut s = HttpState::default();
    s.on_data(Direction::Out, &stream, T0, &HttpConfig::default());
    assert_eq!(s.messages().len(), 1);
    assert_eq!(s.messages()[0].host(), Some("218.244.135.170:9099"));
}

#[test]
fn bad_head_is_skipped_and_next_message_read() {
    // A request line with an unknown version, then the real request.
    let mut stream = b"GET /x HTTP/9.9\r\nHost: x\r\n\r\n".to_vec();
    stream.extend_from_slice(&hex(S12_CLIENT));
    let mut s = HttpState::default();
    s.on_data(Direction::Out, &stream, T0, &HttpConfig::default());
    let uris: Vec<_> = s.messages().iter().filter_map(|m| m.uri()).collect();
    assert_eq!(
        uris,
        ["/api/qqlive_ckey/get?vid=y0013xaeeyo&platform=10902"]
    );
}

#[test]
fn head_over_bound_is_truncated_to_whole_lines() {
    let cfg = HttpConfig {
        max_header_bytes: 40,
        ..HttpConfig::default()
    };
    let mut s = HttpState::default();
    s.on_data(Direction::Out, &hex(S20_CLIENT), T0, &cfg);
    let m = s.messages();
    // "GET /comMagicanApi/composite/app.php/Global/Index/ip HTTP/1.1\r\n" is
    // 63 bytes: no whole line fits in 40, so nothing is recorded for the
    // first request; the second (after resync) is cut the same way.
    assert!(m.is_empty());
    let cfg = HttpConfig {
        max_header_bytes: 100,
        ..HttpConfig::default()
    };
    let mut s = HttpState::default();
    s.on_data(Direction::Out, &hex(S20_CLIENT), T0, &cfg);
    let m = s.messages();
    assert_eq!(m.len(), 2);
    assert!(m.iter().all(|m| m.truncated));
    // 63 + "Host: api.magicansoft.com\r\n" (27) = 90 <= 100 < 90 + 13.
    assert_eq!(
        m[0].headers,
        [("Host".to_string(), "api.magicansoft.com".to_string())]
    );
}

#[test]
fn head_request_response_has_no_body() {
    let mut s = HttpState::default();
    let cfg = HttpConfig::default();
    s.on_data(
        Direction::Out,
        b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
        T0,
        &cfg,
    );
    s.on_data(
        Direction::In,
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
        T0,
        &cfg,
    );
    let codes: Vec<_> = s.messages().iter().filter_map(|m| m.status()).collect();
    assert_eq!(codes, [200, 200]);
    assert_eq!(s.messages()[3].body, b"abc");
}

#[test]
fn message_bound_per_direction() {
    let cfg = HttpConfig {
        max_messages: 1,
        ..HttpConfig::default()
    };
    let s = feed_whole(&hex(S20_CLIENT), &hex(S20_SERVER), &cfg);
    assert_eq!(s.messages().len(), 2);
    assert!(!s.wants_data());
}

/// ndpi/1kxun.pcap frame 3: tshark shows M-SEARCH, URI "*", host 239.255.255.250:1900.
#[test]
fn ssdp_datagram() {
    let mut s = HttpState::default();
    s.on_datagram(Direction::Out, &hex(SSDP), T0, &HttpConfig::default());
    let m = s.messages();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].method(), m[0].uri(), m[0].host()),
        (Some("M-SEARCH"), Some("*"), Some("239.255.255.250:1900"))
    );
    assert_eq!(m[0].header("man"), Some("\"ssdp:discover\""));
    assert!(looks_like_http(&hex(SSDP)));
    assert!(!looks_like_http(b"\x16\x03\x01\x02\x00"));
}

#[test]
fn json_in_joy_shape_with_rewrite() {
    let s = feed_whole(&hex(S12_CLIENT), &hex(S12_SERVER), &HttpConfig::default());
    let rw = |v: &str| {
        v.contains("y0013xaeeyo")
            .then(|| v.replace("y0013xaeeyo", "ANON"))
    };
    assert_eq!(
        json(&s, Some(&rw)),
        ",\"http\":[{\"out\":[{\"method\":\"GET\"},{\"uri\":\"/api/qqlive_ckey/get?vid=ANON&platform=10902\"},\
         {\"version\":\"HTTP/1.1\"},{\"Accept\":\"*/*\"},{\"User-Agent\":\"Mozilla/5.0\"},\
         {\"Host\":\"218.244.135.170:9099\"},{\"Connection\":\"Keep-Alive\"}],\
         \"in\":[{\"version\":\"HTTP/1.1\"},{\"code\":\"200\"},{\"reason\":\"OK\"},{\"X-Powered-By\":\"Express\"},\
         {\"Date\":\"Tue, 02 Aug 2016 02:19:41 GMT\"},{\"Connection\":\"keep-alive\"},\
         {\"Transfer-Encoding\":\"chunked\"},{\"body\":\"332e322e31392e33\"}]}]"
    );
    assert_eq!(json(&HttpState::default(), None), "");
}
