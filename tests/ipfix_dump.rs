//! IPFIX output against JSON output, decoded by an independent collector.
//!
//! For a few corpus captures, `sluice read --features all` writes the same
//! flows as JSON lines and as an IPFIX file (RFC 5655), in the same order.
//! libfixbuf's `ipfixDump --rfc5610 --hexdump` decodes the file; the test
//! checks that it decodes cleanly (empty stderr, every record Sluice
//! counted) and that every flow's IPFIX records carry the values of its
//! JSON line: the main record (template 256..259: addresses, ports,
//! counters of both directions, times, end reason, Community ID, SPL/SPT lists and TLS
//! fields), the byte distribution record (260) and the initial data packet
//! records (261, 262), joined by flowId.
//!
//! The element type records (RFC 5610) must precede the templates: libfixbuf
//! types a template's enterprise fields when the template arrives, and an
//! element it does not know then stays an octetArray (strings print as
//! bytes, integers in host byte order), which the comparisons below catch.
use std::{
    collections::{BTreeMap, HashMap},
    net::IpAddr,
    path::Path,
    process::Command,
    time::Instant,
};

use serde_json::Value;
use sluice_tests::ipfix_dump::{parse_dump, parse_string, run_ipfix_dump, DumpRecord};
use sluice_tests::{corpus, scratch, sluice_bin};

/// Captures: IPv4 TLS with SNI (TLS 1.2 and 1.3), IPv6 TLS, UDP DNS,
/// VLAN-tagged DNS, IPv6 + VLAN + STARTTLS, a mixed capture (TLS, DNS,
/// HTTP, pcapng), a mixed capture of 1300 flows (mostly UDP, some IPv6)
/// and a SYN scan of 2000 flows.
const CAPTURES: &[&str] = &[
    "ipfixprobe/tls.pcap",
    "ndpi/reddit.pcap",
    "ipfixprobe/dns.pcap",
    "ipfixprobe/vlan.pcap",
    "ndpi/smtp-starttls.pcap",
    "ndpi/alexa-app.pcapng",
    "ndpi/gnutella.pcap",
    "ndpi/synscan.pcap",
];

// Information elements (PEN, id).
const FLOW_ID: (u32, u16) = (0, 148);
const SRC_V4: (u32, u16) = (0, 8);
const DST_V4: (u32, u16) = (0, 12);
const SRC_V6: (u32, u16) = (0, 27);
const DST_V6: (u32, u16) = (0, 28);
const SRC_PORT: (u32, u16) = (0, 7);
const DST_PORT: (u32, u16) = (0, 11);
const PROTO: (u32, u16) = (0, 4);
const VLAN: (u32, u16) = (0, 58);
const START_MS: (u32, u16) = (0, 152);
const END_MS: (u32, u16) = (0, 153);
const END_REASON: (u32, u16) = (0, 136);
const APP_ID: (u32, u16) = (0, 95);
const APP_NAME: (u32, u16) = (0, 96);
const OCTETS: (u32, u16) = (0, 1);
const PACKETS: (u32, u16) = (0, 2);
const TCP_FLAGS: (u32, u16) = (0, 6);
const REV_OCTETS: (u32, u16) = (29305, 1);
const REV_PACKETS: (u32, u16) = (29305, 2);
const REV_TCP_FLAGS: (u32, u16) = (29305, 6);
const SPL: (u32, u16) = (9, 12184);
const SPT: (u32, u16) = (9, 12185);
const REV_SPL: (u32, u16) = (9, 28568);
const REV_SPT: (u32, u16) = (9, 28569);
const BYTE_DIST: (u32, u16) = (9, 12176);
const IDP: (u32, u16) = (9, 12172);
const REV_IDP: (u32, u16) = (9, 28556);
const TLS_VERSION: (u32, u16) = (9, 12180);
const REV_TLS_VERSION: (u32, u16) = (9, 28564);
const TLS_KEY_LEN: (u32, u16) = (9, 12181);
const TLS_SESSION_ID: (u32, u16) = (9, 12182);
const REV_TLS_SESSION_ID: (u32, u16) = (9, 28566);
const TLS_RANDOM: (u32, u16) = (9, 12183);
const REV_TLS_RANDOM: (u32, u16) = (9, 28567);
const TLS_CIPHERS: (u32, u16) = (9, 12178);
const REV_TLS_CIPHERS: (u32, u16) = (9, 28562);
const TLS_EXT_TYPES: (u32, u16) = (9, 12193);
const REV_TLS_EXT_TYPES: (u32, u16) = (9, 28577);
const TLS_EXT_LENGTHS: (u32, u16) = (9, 12192);
const REV_TLS_EXT_LENGTHS: (u32, u16) = (9, 28576);
const TLS_SNI: (u32, u16) = (8057, 808);
/// The Community ID: RFC 5612's example enterprise (no registered element).
const COMMUNITY_ID: (u32, u16) = (32473, 1);
const TLS_JA4: (u32, u16) = (8057, 809);
const TLS_JA3: (u32, u16) = (39499, 357);

/// Template ids.
const FLOW4: u16 = 256;
const FLOW6: u16 = 257;
const TLS4: u16 = 258;
const TLS6: u16 = 259;
const BD: u16 = 260;
const IDP_OUT: u16 = 261;
const IDP_IN: u16 = 262;
const ELEMENT_TYPES: u16 = 511;

/// What `sluice read` reported about its IPFIX output.
#[derive(Debug, Default)]
struct SluiceReport {
    flows: u64,
    records: u64,
    tls_omitted: u64,
    messages: u64,
    file_records: u64,
}

/// Parses `  ipfix: N flows as M records[, K without TLS fields ...]` and
/// the file collector's `    NAME: X messages, Y records, ...` line.
fn sluice_report(stderr: &str) -> SluiceReport {
    let mut r = SluiceReport::default();
    let mut lines = stderr.lines();
    let l = lines
        .find(|l| l.trim_start().starts_with("ipfix: "))
        .unwrap_or_else(|| panic!("no `ipfix:` line in sluice's stderr:\n{stderr}"));
    assert!(
        !l.contains("not encoded"),
        "sluice could not encode flows: {l}"
    );
    let w: Vec<&str> = l.split_whitespace().collect();
    r.flows = w[1].parse().expect("flows");
    assert_eq!(w[3], "as");
    r.records = w[4].trim_end_matches(',').parse().expect("records");
    if let Some(i) = w.iter().position(|x| *x == "without") {
        r.tls_omitted = w[i - 1].parse().expect("tls omitted");
    }
    let c = lines
        .next()
        .unwrap_or_else(|| panic!("no collector line in sluice's stderr:\n{stderr}"));
    let (_, counts) = c.split_once(": ").expect("collector line");
    let w: Vec<&str> = counts.split_whitespace().collect();
    assert_eq!(
        (w[1], w[3]),
        ("messages,", "records,"),
        "collector line {c:?}"
    );
    r.messages = w[0].parse().expect("messages");
    r.file_records = w[2].parse().expect("records");
    assert!(
        c.contains(" 0 dropped messages (0 records)"),
        "the file collector dropped records: {c}"
    );
    r
}

/// Milliseconds of a JSON time written as `SECS.UUUUUU`, from its text
/// (an f64 would round): floor(t * 1000).
fn json_time_ms(line: &str, key: &str) -> u64 {
    let pat = format!("\"{key}\":");
    let at = line
        .find(&pat)
        .unwrap_or_else(|| panic!("no {key} in {line}"))
        + pat.len();
    let num: &str = line[at..].split([',', '}']).next().expect("time value");
    let (secs, frac) = num.split_once('.').unwrap_or((num, ""));
    let ms3: String = frac.chars().chain("000".chars()).take(3).collect();
    secs.parse::<u64>().expect("seconds") * 1000 + ms3.parse::<u64>().expect("milliseconds")
}

/// flowEndReason for Joy's expire_type (RFC 7011 registry: 1 idle, 2
/// active, 3 end detected, 4 forced end, 5 lack of resources).
fn end_reason(expire_type: &str) -> u64 {
    match expire_type {
        "i" => 1,
        "a" | "s" | "-" => 2,
        "e" => 3,
        "f" => 4,
        "o" => 5,
        other => panic!("unknown expire_type {other:?}"),
    }
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s:?}");
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_u64().expect("integer")).collect())
        .unwrap_or_default()
}

/// A hello version as the JSON numbers it (Joy's numbering).
fn joy_version(v: u64) -> Option<u64> {
    let v = u16::try_from(v).ok()?;
    sluice::proto::tls::json::joy_version(v).map(u64::from)
}

/// A GREASE value (JA3 leaves them out).
fn is_grease(v: u64) -> bool {
    u16::try_from(v).is_ok_and(sluice::proto::tls::grease::is_grease)
}

#[derive(Debug, Default)]
struct Coverage {
    flows: u64,
    v6: u64,
    vlan: u64,
    tcp: u64,
    udp: u64,
    tls: u64,
    tls_omitted: u64,
    sni: u64,
    lists: u64,
    list_items: u64,
    byte_dist: u64,
    idp: u64,
    type_records: u64,
    records: u64,
}

impl Coverage {
    fn add(&mut self, o: &Coverage) {
        self.flows += o.flows;
        self.v6 += o.v6;
        self.vlan += o.vlan;
        self.tcp += o.tcp;
        self.udp += o.udp;
        self.tls += o.tls;
        self.tls_omitted += o.tls_omitted;
        self.sni += o.sni;
        self.lists += o.lists;
        self.list_items += o.list_items;
        self.byte_dist += o.byte_dist;
        self.idp += o.idp;
        self.type_records += o.type_records;
        self.records += o.records;
    }
}

/// Compares one flow's records with its JSON line; appends differences.
struct Checker<'a> {
    cov: &'a mut Coverage,
    errs: Vec<String>,
    /// Current flow, for messages.
    at: String,
}

impl Checker<'_> {
    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, ipfix: T, json: T) {
        if ipfix != json {
            self.errs.push(format!(
                "{}: {what}: IPFIX {ipfix:?} != JSON {json:?}",
                self.at
            ));
        }
    }

    fn list(&mut self, what: &str, r: &DumpRecord, ie: (u32, u16), json: Vec<u64>) {
        let l = r.list(ie.0, ie.1);
        let ipfix = l.uints();
        self.cov.lists += 1;
        self.cov.list_items += ipfix.len() as u64;
        self.eq(&format!("{what} list semantic"), l.semantic, 4);
        self.eq(what, ipfix, json);
    }

    /// A string field; an error if ipfixDump did not decode it as one
    /// (it prints an element it did not know when the template came as
    /// `(len: N) 0xHEX`).
    fn string(&mut self, what: &str, r: &DumpRecord, ie: (u32, u16)) -> String {
        let text = r.text(ie.0, ie.1);
        parse_string(text).unwrap_or_else(|| {
            self.errs.push(format!(
                "{}: {what} is not decoded as a string: {text:?}",
                self.at
            ));
            String::new()
        })
    }

    fn main_record(&mut self, r: &DumpRecord, line: &str, j: &Value) {
        let v6 = matches!(r.tid, FLOW6 | TLS6);
        let (sa, da) = if v6 {
            (r.ip(SRC_V6.0, SRC_V6.1), r.ip(DST_V6.0, DST_V6.1))
        } else {
            (r.ip(SRC_V4.0, SRC_V4.1), r.ip(DST_V4.0, DST_V4.1))
        };
        let jsa: IpAddr = j["sa"].as_str().expect("sa").parse().expect("sa address");
        let jda: IpAddr = j["da"].as_str().expect("da").parse().expect("da address");
        self.eq("sa", sa, jsa);
        self.eq("da", da, jda);
        self.eq("IPv6 template", v6, jsa.is_ipv6());
        self.eq(
            "sp",
            r.uint(SRC_PORT.0, SRC_PORT.1),
            j["sp"].as_u64().unwrap(),
        );
        self.eq(
            "dp",
            r.uint(DST_PORT.0, DST_PORT.1),
            j["dp"].as_u64().unwrap(),
        );
        let pr = j["pr"].as_u64().unwrap();
        self.eq("pr", r.uint(PROTO.0, PROTO.1), pr);
        let vlan = j["vlan"].as_u64().unwrap_or(0);
        self.eq("vlan", r.uint(VLAN.0, VLAN.1), vlan);
        self.eq(
            "flowStartMilliseconds",
            r.time_ms(START_MS.0, START_MS.1),
            json_time_ms(line, "time_start"),
        );
        self.eq(
            "flowEndMilliseconds",
            r.time_ms(END_MS.0, END_MS.1),
            json_time_ms(line, "time_end"),
        );
        self.eq(
            "flowEndReason",
            r.uint(END_REASON.0, END_REASON.1),
            end_reason(j["expire_type"].as_str().expect("expire_type")),
        );
        let cid = self.string("communityId", r, COMMUNITY_ID);
        let jcid = j["community_id"]
            .as_str()
            .expect("community_id")
            .to_string();
        self.eq("communityId", cid, jcid);
        let l7 = j["l7"].as_str().expect("l7").to_string();
        let name = self.string("applicationName", r, APP_NAME);
        self.eq("applicationName", name, l7.clone());
        // RFC 6759: engine 20 (PANA-L7-PEN), ntop's PEN 35632, then nDPI's number.
        let id = sluice::l7::L7Proto::from_name(&l7)
            .expect("an nDPI name")
            .id();
        let mut want = vec![20, 0, 0, 0x8b, 0x30];
        want.extend_from_slice(&id.to_be_bytes());
        // ipfixDump prints an octetArray of up to 8 bytes as one integer read
        // little-endian (as it does unknown enterprise integers).
        let shown: u64 = r.text(APP_ID.0, APP_ID.1).parse().unwrap_or(u64::MAX);
        self.eq("applicationId", shown.to_le_bytes()[..7].to_vec(), want);
        let n = |k: &str| j[k].as_u64().unwrap_or_else(|| panic!("no {k}"));
        self.eq("octets out", r.uint(OCTETS.0, OCTETS.1), n("ip_bytes_out"));
        self.eq(
            "packets out",
            r.uint(PACKETS.0, PACKETS.1),
            n("num_pkts_out"),
        );
        self.eq(
            "octets in",
            r.uint(REV_OCTETS.0, REV_OCTETS.1),
            n("ip_bytes_in"),
        );
        self.eq(
            "packets in",
            r.uint(REV_PACKETS.0, REV_PACKETS.1),
            n("num_pkts_in"),
        );
        // tcp_flags_* only for TCP; other protocols export 0.
        let flags = |k: &str| j[k].as_u64().unwrap_or(0);
        self.eq(
            "tcp_flags out",
            r.uint(TCP_FLAGS.0, TCP_FLAGS.1),
            flags("tcp_flags_out"),
        );
        self.eq(
            "tcp_flags in",
            r.uint(REV_TCP_FLAGS.0, REV_TCP_FLAGS.1),
            flags("tcp_flags_in"),
        );

        // SPL/SPT per direction, from the JSON packets split by dir.
        let mut lens: [Vec<u64>; 2] = Default::default();
        let mut ipts: [Vec<u64>; 2] = Default::default();
        for p in j["packets"].as_array().expect("packets (SPLT on)") {
            let d = match p["dir"].as_str() {
                Some(">") => 0,
                Some("<") => 1,
                other => panic!("packet dir {other:?}"),
            };
            lens[d].push(p["b"].as_u64().expect("b"));
            ipts[d].push(p["ipt"].as_u64().expect("ipt"));
        }
        let [lo, li] = lens;
        let [to, ti] = ipts;
        self.list("SPL out", r, SPL, lo);
        self.list("SPT out", r, SPT, to);
        self.list("SPL in", r, REV_SPL, li);
        self.list("SPT in", r, REV_SPT, ti);

        self.cov.flows += 1;
        self.cov.v6 += u64::from(v6);
        self.cov.vlan += u64::from(vlan != 0);
        self.cov.tcp += u64::from(pr == 6);
        self.cov.udp += u64::from(pr == 17);
    }

    /// The TLS fields of a 258/259 record against the JSON `tls` object.
    fn tls(&mut self, r: &DumpRecord, t: &Value) {
        self.cov.tls += 1;
        let jhex = |k: &str| t[k].as_str().map(hex).unwrap_or_default();
        let pad32 = |mut b: Vec<u8>| {
            b.resize(32, 0);
            b
        };
        let cv = r.uint(TLS_VERSION.0, TLS_VERSION.1);
        self.eq("tls c_version", joy_version(cv), t["c_version"].as_u64());
        let sv = r.uint(REV_TLS_VERSION.0, REV_TLS_VERSION.1);
        self.eq("tls s_version", joy_version(sv), t["s_version"].as_u64());
        self.eq(
            "tls c_random",
            r.bytes(TLS_RANDOM.0, TLS_RANDOM.1),
            pad32(jhex("c_random")),
        );
        self.eq(
            "tls s_random",
            r.bytes(REV_TLS_RANDOM.0, REV_TLS_RANDOM.1),
            pad32(jhex("s_random")),
        );
        self.eq(
            "tls c_sid",
            r.bytes(TLS_SESSION_ID.0, TLS_SESSION_ID.1),
            jhex("c_sid"),
        );
        self.eq(
            "tls s_sid",
            r.bytes(REV_TLS_SESSION_ID.0, REV_TLS_SESSION_ID.1),
            jhex("s_sid"),
        );
        let kl = r.uint(TLS_KEY_LEN.0, TLS_KEY_LEN.1);
        self.eq(
            "tls c_key_length",
            kl,
            t["c_key_length"].as_u64().unwrap_or(0),
        );
        let cs: Vec<u64> = t["cs"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| u64::from_str_radix(c.as_str().unwrap(), 16).unwrap())
                    .collect()
            })
            .unwrap_or_default();
        self.list("tls cs", r, TLS_CIPHERS, cs);
        let scs: Vec<u64> = t["scs"]
            .as_str()
            .map(|s| u64::from_str_radix(s, 16).unwrap())
            .into_iter()
            .collect();
        self.list("tls scs", r, REV_TLS_CIPHERS, scs);
        self.extensions(
            "c",
            r,
            (TLS_EXT_TYPES, TLS_EXT_LENGTHS),
            &t["c_extensions"],
            t["ja3_string"].as_str(),
        );
        self.extensions(
            "s",
            r,
            (REV_TLS_EXT_TYPES, REV_TLS_EXT_LENGTHS),
            &t["s_extensions"],
            t["ja3s_string"].as_str(),
        );
        let sni = self.string("tlsSni", r, TLS_SNI);
        let jsni = t["sni"][0].as_str().unwrap_or("").to_string();
        self.cov.sni += u64::from(!jsni.is_empty());
        self.eq("tls sni", sni, jsni);
        let ja3 = self.string("tlsJa3", r, TLS_JA3);
        self.eq("tls ja3", ja3, t["ja3"].as_str().unwrap_or("").to_string());
        let ja4 = self.string("tlsJa4", r, TLS_JA4);
        self.eq("tls ja4", ja4, t["ja4"].as_str().unwrap_or("").to_string());
    }

    /// Extension types and lengths of one hello: as many as the JSON lists;
    /// lengths from the JSON hex (Joy prints data over 1024 bytes as "");
    /// types from `{"kind":T}` entries and, GREASE left out, from the JA3
    /// (JA3S) string's extension field.
    fn extensions(
        &mut self,
        who: &str,
        r: &DumpRecord,
        (types_ie, lens_ie): ((u32, u16), (u32, u16)),
        json: &Value,
        ja3_string: Option<&str>,
    ) {
        let types = r.list(types_ie.0, types_ie.1).uints();
        let lens = r.list(lens_ie.0, lens_ie.1).uints();
        self.cov.lists += 2;
        self.cov.list_items += (types.len() + lens.len()) as u64;
        let exts = json.as_array().cloned().unwrap_or_default();
        self.eq(
            &format!("tls {who}_extensions count"),
            types.len(),
            exts.len(),
        );
        self.eq(
            &format!("tls {who}_extensions lengths count"),
            lens.len(),
            exts.len(),
        );
        for (i, e) in exts.iter().enumerate().take(types.len().min(lens.len())) {
            let (kind, data) = match e.get("kind") {
                Some(k) => (k.as_u64(), e["data"].as_str().unwrap()),
                None => (
                    None,
                    e.as_object()
                        .unwrap()
                        .values()
                        .next()
                        .unwrap()
                        .as_str()
                        .unwrap(),
                ),
            };
            if let Some(k) = kind {
                self.eq(&format!("tls {who}_extensions[{i}] type"), types[i], k);
            }
            if !data.is_empty() || lens[i] <= 1024 {
                self.eq(
                    &format!("tls {who}_extensions[{i}] length"),
                    lens[i],
                    (data.len() / 2) as u64,
                );
            }
        }
        if let Some(ja3) = ja3_string {
            let field = ja3.split(',').nth(2).unwrap_or("");
            let from_ja3: Vec<u64> = field
                .split('-')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            let ours: Vec<u64> = types.iter().copied().filter(|&t| !is_grease(t)).collect();
            self.eq(
                &format!("tls {who} extension types (JA3 string)"),
                ours,
                from_ja3,
            );
        }
    }
}

fn run_sluice(pcap: &Path, ipfix: &Path, json: &Path) -> String {
    let out = Command::new(sluice_bin())
        .args(["read", "--no-progress", "--features", "all", "--ipfix-file"])
        .arg(ipfix)
        .arg("-o")
        .arg(json)
        .arg(pcap)
        .output()
        .expect("running sluice read");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "sluice read {} failed:\n{stderr}",
        pcap.display()
    );
    stderr
}

/// Checks one capture; returns its coverage.
fn check_capture(name: &str, dir: &Path) -> Coverage {
    let pcap = corpus().join(name);
    let stem = name.replace('/', "_");
    let ipfix = dir.join(format!("{stem}.ipfix"));
    let json = dir.join(format!("{stem}.json"));
    let report = sluice_report(&run_sluice(&pcap, &ipfix, &json));

    let dump = run_ipfix_dump(&ipfix, &["--rfc5610", "--hexdump"]);
    assert!(
        dump.stderr.is_empty(),
        "{name}: ipfixDump warned:\n{}",
        dump.stderr
    );
    let d = parse_dump(&dump.stdout);
    let stats = d
        .stats
        .unwrap_or_else(|| panic!("{name}: ipfixDump printed no File Stats"));

    // Nothing skipped: the dump holds every record Sluice wrote.
    let types = d.records.iter().filter(|r| r.tid == ELEMENT_TYPES).count() as u64;
    assert!(types > 0, "{name}: no RFC 5610 element type records");
    assert!(
        d.records
            .iter()
            .take(types as usize)
            .all(|r| r.tid == ELEMENT_TYPES),
        "{name}: element type records are not first"
    );
    assert_eq!(
        stats.data_records,
        d.records.len() as u64,
        "{name}: parsed records != ipfixDump's count"
    );
    for (i, r) in d.records.iter().enumerate() {
        assert_eq!(r.number, i as u64 + 1, "{name}: record numbering");
    }
    assert_eq!(
        stats.data_records,
        report.records + types,
        "{name}: ipfixDump decoded {} data records; sluice reported {} flow records + {types} element type records",
        stats.data_records,
        report.records
    );
    assert_eq!(
        (stats.messages, stats.data_records),
        (report.messages, report.file_records),
        "{name}: ipfixDump's messages/records != the file collector's"
    );

    let lines: Vec<String> = std::fs::read_to_string(&json)
        .expect("reading JSON output")
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        lines.len() as u64,
        report.flows,
        "{name}: JSON lines != flows"
    );

    // Split the records by shape; join the side records by flowId.
    let mut main = Vec::new();
    let mut bd: HashMap<u64, &DumpRecord> = HashMap::new();
    let mut idp: BTreeMap<(u16, u64), &DumpRecord> = BTreeMap::new();
    for r in &d.records {
        match r.tid {
            FLOW4 | FLOW6 | TLS4 | TLS6 => main.push(r),
            BD => {
                let id = r.uint(FLOW_ID.0, FLOW_ID.1);
                assert!(
                    bd.insert(id, r).is_none(),
                    "{name}: two BD records for flow {id}"
                );
            }
            IDP_OUT | IDP_IN => {
                let id = r.uint(FLOW_ID.0, FLOW_ID.1);
                assert!(
                    idp.insert((r.tid, id), r).is_none(),
                    "{name}: two {} records for flow {id}",
                    r.tid
                );
            }
            ELEMENT_TYPES => {}
            t => panic!("{name}: record {} of unexpected template {t}", r.number),
        }
    }
    assert_eq!(
        main.len(),
        lines.len(),
        "{name}: {} main records for {} JSON flows",
        main.len(),
        lines.len()
    );

    let mut cov = Coverage {
        type_records: types,
        records: stats.data_records,
        ..Coverage::default()
    };
    let mut c = Checker {
        cov: &mut cov,
        errs: Vec::new(),
        at: String::new(),
    };
    let mut ids = HashMap::new();
    let (mut json_bd, mut json_idp) = (0, 0);
    for (i, (r, line)) in main.iter().zip(&lines).enumerate() {
        let j: Value = serde_json::from_str(line).expect("JSON line");
        let id = r.uint(FLOW_ID.0, FLOW_ID.1);
        c.at = format!("{name} flow {} (JSON line {}, flowId {id})", i + 1, i + 1);
        assert!(ids.insert(id, i).is_none(), "{}: duplicate flowId", c.at);
        c.main_record(r, line, &j);

        // TLS fields when the flow has a ClientHello (or sluice said the
        // record would not fit with them).
        let hello = j["tls"].get("c_random").is_some();
        let tls_shape = matches!(r.tid, TLS4 | TLS6);
        if hello && !tls_shape {
            c.cov.tls_omitted += 1;
        } else {
            c.eq("TLS template", tls_shape, hello);
        }
        if tls_shape && hello {
            c.tls(r, &j["tls"]);
        }

        // Byte distribution: a record when any byte was counted.
        let dist = u64s(&j["byte_dist"]);
        let counted = dist.iter().any(|&x| x > 0);
        json_bd += u64::from(counted);
        match bd.get(&id) {
            Some(b) => {
                c.cov.byte_dist += 1;
                c.list("byte_dist", b, BYTE_DIST, dist);
            }
            None => c.eq("byte distribution record present", false, counted),
        }

        // Initial data packets.
        for (tid, ie, key) in [(IDP_OUT, IDP, "idp_out"), (IDP_IN, REV_IDP, "idp_in")] {
            // As hex: readable in a failure message.
            let want = j[key].as_str().map(str::to_ascii_lowercase);
            json_idp += u64::from(want.is_some());
            let got = idp.get(&(tid, id)).map(|r| to_hex(&r.bytes(ie.0, ie.1)));
            c.cov.idp += u64::from(got.is_some());
            if let (Some(h), Some(n)) = (&want, j[&format!("idp_len_{}", &key[4..])].as_u64()) {
                c.eq(&format!("{key} length"), h.len() as u64 / 2, n);
            }
            c.eq(key, got, want);
        }
    }
    let errs = std::mem::take(&mut c.errs);
    assert!(
        errs.is_empty(),
        "{name}: {} IPFIX values differ from the JSON:\n{}",
        errs.len(),
        errs.iter().take(30).cloned().collect::<Vec<_>>().join("\n")
    );
    assert_eq!(
        cov.tls_omitted, report.tls_omitted,
        "{name}: flows without TLS fields"
    );
    // Every side record belongs to a flow (and was compared above).
    assert_eq!(
        bd.len() as u64,
        json_bd,
        "{name}: BD records != JSON flows with bytes"
    );
    assert_eq!(
        idp.len() as u64,
        json_idp,
        "{name}: IDP records != JSON idp fields"
    );
    for (tid, id) in idp.keys().copied().chain(bd.keys().map(|&id| (BD, id))) {
        assert!(
            ids.contains_key(&id),
            "{name}: {tid} record of unknown flowId {id}"
        );
    }
    cov
}

#[test]
fn ipfix_dump_decodes_what_json_says() {
    let t0 = Instant::now();
    let dir = scratch("ipfix_dump");
    let mut total = Coverage::default();
    for name in CAPTURES {
        let cov = check_capture(name, &dir);
        eprintln!("{name}: {cov:?}");
        total.add(&cov);
    }
    eprintln!(
        "total ({} captures, {:.1} s): {total:?}",
        CAPTURES.len(),
        t0.elapsed().as_secs_f64()
    );
    // The captures cover what they are chosen for.
    assert!(total.flows > 3000, "flows: {total:?}");
    assert!(total.v6 > 0 && total.vlan > 0 && total.udp > 0, "{total:?}");
    assert!(total.tls > 100 && total.sni > 100, "TLS: {total:?}");
    assert!(total.byte_dist > 0 && total.idp > 0, "{total:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
