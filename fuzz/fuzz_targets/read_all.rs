//! Fuzz target: the whole `sluice read` path with everything on. The input is a capture
//! file; every packet goes through a flow table with rules, L7 detection, tunnel
//! decoding, slices and every feature (compact byte distribution included) attached,
//! housekeeping runs as `sluice read` runs it, and every exported flow is anonymized
//! (every address, some usernames) and encoded as a JSON line and as IPFIX (to a file
//! in the temporary directory, read back with the strict decoder). Nothing may panic;
//! every JSON line parses and carries its record's counts and anonymized addresses
//! (prefixes preserved); the records' packets and bytes add up to what the table
//! counted, as the IPFIX flow records' do; each ready hook runs at most once per flow.
//!
//! The input's length picks Joy's `zeros` (odd) and `retrans` (bit 1) options.
#![no_main]

use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use sluice::anon::{AnonKey, Anonymizer, SubnetSet, UsernameSet};
use sluice::capfile::CaptureFile;
use sluice::decode::LinkType;
use sluice::export::encoder::RecordEncoder;
use sluice::export::ipfix::{IpfixOptions, IpfixSink};
use sluice::features::compact_bd::CompactBdMap;
use sluice::features::{attach, Feature, FeatureConfig, FeatureSet, FlowFeatures, ReadyHooks};
use sluice::flow::{Direction, FlowRecord, FlowTableConfig, Timestamp};
use sluice::l7::L7Config;
use sluice::policy::{AppFlowState, FlowTable, PolicyConfig, Rules};
use sluice_ipfix::decode::{parse_stream, Record, Session, Value};
use sluice_ipfix::registry::ie;
use sluice_ipfix::{CollectorSpec, ExporterConfig, PEN_REVERSE};

/// Rules touching a few flows: discard, shunts by packets and bytes, slicing.
const RULES: &str = r#"
[[rule]]
port = 9
action = "discard"

[[rule]]
proto = "udp"
port = 5353
shunt = 4

[filter]
SSH = "slice"

[shunt]
QUIC = 30

[shunt_bytes]
default = 20_000
"#;

/// Listed usernames for the HTTP URI rewriter.
const USERNAMES: &[&str] = &["admin", "root", "user", "bob", "alice", "test"];

const KEY: [u8; 32] = [
    0x15, 0x22, 0x17, 0x8d, 0x33, 0xa4, 0xcf, 0x80, 0x13, 0x0a, 0x5b, 0x16, 0x49, 0x90, 0x7d, 0x10,
    0xd8, 0x98, 0x8f, 0x83, 0x79, 0x79, 0x65, 0x27, 0x62, 0x57, 0x4c, 0x2d, 0x2a, 0x84, 0x22, 0x02,
];

/// Main flow records' template ids (IPv4, IPv6, each with and without TLS).
const MAIN_TEMPLATES: std::ops::RangeInclusive<u16> = 256..=259;

/// Settings that do not depend on the input, built once.
struct Setup {
    rules: Rules,
    compact_bd: Arc<CompactBdMap>,
    anon: Anonymizer,
    ipfix_path: PathBuf,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let rules = Rules::parse(RULES).expect("the fixed rules parse");
        // Byte values by class: control, digits, letters, other printable, high.
        let mut map = String::new();
        for b in 0..=255u8 {
            let bucket = match b {
                b'0'..=b'9' => 1,
                b'a'..=b'z' | b'A'..=b'Z' => 2,
                0x20..=0x7e => 3,
                0x80..=0xff => 4,
                _ => continue,
            };
            map.push_str(&format!("{b}\t{bucket}\n"));
        }
        let compact_bd = CompactBdMap::parse(&map, Path::new("fuzz/compact_bd.txt"))
            .expect("the fixed map parses");
        let key = AnonKey::from_bytes(KEY);
        let subnets = SubnetSet::parse("0.0.0.0/0\n::/0\n", Path::new("fuzz/anon.net"))
            .expect("the fixed subnets parse");
        let users = UsernameSet::from_names(USERNAMES.iter().map(|&n| n.into()).collect(), &key);
        let anon = Anonymizer::new(subnets, Some(users), &key);
        let ipfix_path =
            std::env::temp_dir().join(format!("sluice-fuzz-read_all-{}.ipfix", std::process::id()));
        Setup {
            rules,
            compact_bd: Arc::new(compact_bd),
            anon,
            ipfix_path,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    let len = data.len() as u64;
    let Ok(mut file) =
        CaptureFile::from_reader("fuzz", Box::new(Cursor::new(data.to_vec())), Some(len))
    else {
        return;
    };
    let mut set = FeatureSet::parse("all").expect("all");
    set.insert(Feature::CompactBd);
    let features = Arc::new(FeatureConfig {
        set,
        compact_bd: Some(Arc::clone(&s.compact_bd)),
        zeros: data.len() % 2 == 1,
        retrans: data.len() & 2 != 0,
        ..FeatureConfig::default()
    });
    let mut table: FlowTable<FlowFeatures> = FlowTable::with_policy(
        FlowTableConfig {
            max_flows: 32,
            max_fragments: 8,
            slice_timeout: Some(Duration::from_secs(5)),
            decode_tunnels: true,
            ..FlowTableConfig::default()
        },
        PolicyConfig {
            rules: s.rules.clone(),
            l7: L7Config::default(),
        },
    );
    let hook_runs: Arc<[AtomicU64; 4]> = Arc::new(Default::default());
    let counter = |i: usize| {
        let runs = Arc::clone(&hook_runs);
        move |_: &mut sluice::flow::Flow<'_, FlowFeatures, AppFlowState>| {
            runs[i].fetch_add(1, Ordering::Relaxed);
        }
    };
    let hooks = ReadyHooks::default()
        .on_splt(4, counter(0))
        .on_bd(64, counter(1))
        .on_idp(counter(2))
        .on_tls(counter(3));
    attach(&mut table, Arc::clone(&features), hooks);
    let mut ipfix = IpfixSink::open(
        &IpfixOptions {
            collectors: vec![CollectorSpec::File {
                path: s.ipfix_path.clone(),
                rotate_bytes: None,
                rotate_every: None,
            }],
            exporter: ExporterConfig::default(),
        },
        Arc::clone(&features),
    )
    .ok();
    let encoder = RecordEncoder::new(
        Arc::clone(&features),
        Some(s.anon.clone()),
        true,
        ipfix.as_ref().map(IpfixSink::encoder),
    );

    let mut out = Output::default();
    let mut next_housekeeping = Timestamp(0);
    let mut link_cache: Option<(u32, Option<LinkType>)> = None;
    // A file that breaks off ends the input, as in `sluice read`.
    while let Ok(Some(pkt)) = file.next_packet() {
        let link = match link_cache {
            Some((dlt, l)) if dlt == pkt.linktype => l,
            _ => {
                let l = LinkType::from_dlt(pkt.linktype);
                link_cache = Some((pkt.linktype, l));
                l
            }
        };
        if let Some(link) = link {
            table.process_frame(link, pkt.data, pkt.wire_len, pkt.ts);
        }
        if pkt.ts >= next_housekeeping {
            table.housekeeping(pkt.ts);
            next_housekeeping = pkt.ts + Duration::from_secs(1);
        }
        out.write(&mut table, &encoder, &s.anon, ipfix.as_mut());
    }
    table.flush();
    out.write(&mut table, &encoder, &s.anon, ipfix.as_mut());

    let stats = table.stats();
    assert_eq!(out.records, stats.total_exported(), "one record per export");
    assert_eq!(out.packets, stats.packets, "records' packets add up");
    assert_eq!(out.wire_bytes, stats.bytes, "records' wire bytes add up");
    for (i, runs) in hook_runs.iter().enumerate() {
        let runs = runs.load(Ordering::Relaxed);
        assert!(
            runs <= stats.created,
            "hook {i}: {runs} runs, {} flows",
            stats.created
        );
    }
    if let Some(sink) = ipfix {
        let report = sink.finish();
        assert_eq!(report.errors, 0, "every flow encodes as IPFIX");
        assert_eq!(report.flows, out.records);
        check_ipfix(&s.ipfix_path, &mut out.main);
        let _ = std::fs::remove_file(&s.ipfix_path);
    }
});

/// What the exported records added up to.
#[derive(Default)]
struct Output {
    records: u64,
    packets: u64,
    wire_bytes: u64,
    /// (flow id, packets out, packets in) of every record, for the IPFIX check.
    main: Vec<(u64, u64, u64)>,
    batch: Vec<(FlowRecord, FlowFeatures)>,
    line: Vec<u8>,
}

impl Output {
    /// Encodes what the table exported since the last call, sorted by end time as
    /// `sluice read` writes it, and checks each JSON line.
    fn write(
        &mut self,
        table: &mut FlowTable<FlowFeatures>,
        encoder: &RecordEncoder,
        anon: &Anonymizer,
        mut ipfix: Option<&mut IpfixSink>,
    ) {
        self.batch.extend(table.drain_exported_with_user());
        self.batch.sort_by_key(|(r, _)| r.time_end);
        for (r, f) in self.batch.drain(..) {
            self.records += 1;
            self.packets += r.dirs[Direction::Out].packets + r.dirs[Direction::In].packets;
            self.wire_bytes += r.dirs[Direction::Out].wire_bytes + r.dirs[Direction::In].wire_bytes;
            self.main.push((
                r.id,
                r.dirs[Direction::Out].packets,
                r.dirs[Direction::In].packets,
            ));
            let original = r.clone();
            self.line.clear();
            let for_ipfix = encoder.encode_into(r, f, &mut self.line);
            check_json(&self.line, &original, anon);
            if let (Some(sink), Some(records)) = (ipfix.as_deref_mut(), for_ipfix.ipfix) {
                sink.put(&records);
            }
        }
    }
}

fn addr(version: u8, a: &[u8; 16]) -> IpAddr {
    if version == 4 {
        IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3]))
    } else {
        IpAddr::V6(Ipv6Addr::from(*a))
    }
}

/// Leading bits two addresses of one family share.
fn common_prefix(a: IpAddr, b: IpAddr) -> u32 {
    match (a, b) {
        (IpAddr::V4(x), IpAddr::V4(y)) => (u32::from(x) ^ u32::from(y)).leading_zeros(),
        (IpAddr::V6(x), IpAddr::V6(y)) => (u128::from(x) ^ u128::from(y)).leading_zeros(),
        _ => panic!("{a} and {b} are of different families"),
    }
}

/// One JSON line: a single object ending in a newline, with the record's 5-tuple and
/// counts, and its addresses as the anonymizer maps them.
fn check_json(line: &[u8], rec: &FlowRecord, anon: &Anonymizer) {
    assert_eq!(line.last(), Some(&b'\n'));
    assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1, "one line");
    let v: serde_json::Value = serde_json::from_slice(line).unwrap_or_else(|e| {
        panic!(
            "JSON line does not parse: {e}: {}",
            String::from_utf8_lossy(line)
        )
    });
    let o = v.as_object().expect("a JSON object");
    let u = |k: &str| o.get(k).and_then(serde_json::Value::as_u64);
    assert_eq!(
        u("num_pkts_out"),
        Some(rec.dirs[Direction::Out].packets),
        "{v}"
    );
    assert_eq!(
        u("num_pkts_in"),
        Some(rec.dirs[Direction::In].packets),
        "{v}"
    );
    assert_eq!(
        u("wire_bytes_out"),
        Some(rec.dirs[Direction::Out].wire_bytes),
        "{v}"
    );
    assert_eq!(
        u("wire_bytes_in"),
        Some(rec.dirs[Direction::In].wire_bytes),
        "{v}"
    );
    assert_eq!(u("pr"), Some(u64::from(rec.proto.0)), "{v}");
    assert_eq!(u("sp"), Some(u64::from(rec.sp)), "{v}");
    assert_eq!(u("dp"), Some(u64::from(rec.dp)), "{v}");
    let ip = |k: &str| -> IpAddr {
        o.get(k)
            .and_then(serde_json::Value::as_str)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{k} is not an address: {v}"))
    };
    let (sa, da) = (addr(rec.ip_version, &rec.sa), addr(rec.ip_version, &rec.da));
    let (json_sa, json_da) = (ip("sa"), ip("da"));
    assert_eq!(json_sa, anon.address(sa), "{v}");
    assert_eq!(json_da, anon.address(da), "{v}");
    assert_eq!(
        common_prefix(json_sa, json_da),
        common_prefix(sa, da),
        "anonymization preserves prefixes: {v}"
    );
}

/// The IPFIX file decodes strictly, and its main flow records are the exported flows
/// with their packet counts.
fn check_ipfix(path: &Path, want: &mut Vec<(u64, u64, u64)>) {
    let bytes = std::fs::read(path).expect("the IPFIX file");
    let messages = parse_stream(&bytes).expect("the IPFIX file parses");
    let mut session = Session::new();
    let u = |r: &Record, pen, id| r.get(pen, id).and_then(Value::as_u64);
    let mut got = Vec::new();
    for m in &messages {
        let recs = session.feed(m).expect("a valid IPFIX session");
        for r in recs
            .iter()
            .filter(|r| MAIN_TEMPLATES.contains(&r.template_id))
        {
            let (Some(id), Some(out), Some(inbound)) = (
                u(r, 0, ie::FLOW_ID),
                u(r, 0, ie::PACKET_DELTA_COUNT),
                u(r, PEN_REVERSE, ie::PACKET_DELTA_COUNT),
            ) else {
                panic!("a flow record without flowId or packet counts: {r:?}");
            };
            got.push((id, out, inbound));
        }
    }
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(&got, want, "IPFIX flow records are the exported flows");
}
