//! Behaviour of the exporter, checked by decoding what it wrote.

use std::net::{Ipv4Addr, UdpSocket};
use std::time::Duration;

use super::{decode_all, scratch};
use crate::decode::{parse_message, parse_stream, Set, Value};
use crate::field::{Field, PEN_REVERSE, VARLEN};
use crate::registry::ie;
use crate::{semantic, CollectorSpec, ExportError, Exporter, ExporterConfig, Template};

fn flow_template(id: u16) -> Template {
    Template::new(id)
        .field(Field::iana(ie::SOURCE_IPV4_ADDRESS, 4))
        .field(Field::iana(ie::SOURCE_TRANSPORT_PORT, 2))
        .field(Field::iana(ie::OCTET_DELTA_COUNT, 8))
        .field(Field::iana(ie::OCTET_DELTA_COUNT, 8).reverse())
        .field(Field::iana(ie::PACKET_DELTA_COUNT, 4))
}

fn put_flow(exp: &mut Exporter, id: u16, n: u64) {
    let mut set = exp.start_data_set(id).expect("template");
    set.put_ipv4(Ipv4Addr::new(10, 0, 0, n as u8)).expect("ip");
    set.put_uint(1000 + n).expect("port");
    set.put_uint(n * 100).expect("octets");
    set.put_uint(n * 7).expect("reverse octets");
    set.put_uint(n).expect("packets");
    set.end_record().expect("record");
}

fn file_exporter(name: &str, mtu: usize) -> (Exporter, std::path::PathBuf) {
    let path = scratch(name).join("out.ipfix");
    let mut exp = Exporter::with_config(ExporterConfig {
        domain: 7,
        mtu,
        ..ExporterConfig::default()
    })
    .expect("config");
    exp.add_collector(&CollectorSpec::file(&path))
        .expect("file");
    (exp, path)
}

#[test]
fn records_round_trip_with_sequence_numbers_and_domain() {
    let (mut exp, path) = file_exporter("roundtrip", 1400);
    exp.add_template(flow_template(256)).expect("template");
    for n in 1..=3 {
        put_flow(&mut exp, 256, n);
    }
    exp.send();
    for n in 4..=5 {
        put_flow(&mut exp, 256, n);
    }
    let stats = exp.close();
    assert_eq!(stats.records, 5);
    assert_eq!(stats.collectors[0].records, 5);
    let bytes = std::fs::read(&path).expect("read");
    let msgs = parse_stream(&bytes).expect("parse");
    // Template message, then two data messages: sequence 0, 0 (templates
    // carry no data), 3.
    let seqs: Vec<u32> = msgs.iter().map(|m| m.sequence).collect();
    assert_eq!(seqs, vec![0, 0, 3]);
    assert!(msgs.iter().all(|m| m.domain == 7 && m.version == 10));
    let recs = decode_all(&bytes, 1400);
    assert_eq!(recs.len(), 5);
    for (i, r) in recs.iter().enumerate() {
        let n = i as u64 + 1;
        assert_eq!(
            r.get(0, ie::SOURCE_IPV4_ADDRESS).and_then(Value::as_bytes),
            Some(&[10, 0, 0, n as u8][..])
        );
        assert_eq!(
            r.get(0, ie::OCTET_DELTA_COUNT).and_then(Value::as_u64),
            Some(n * 100)
        );
        assert_eq!(
            r.get(PEN_REVERSE, ie::OCTET_DELTA_COUNT)
                .and_then(Value::as_u64),
            Some(n * 7)
        );
        assert_eq!(
            r.get(0, ie::PACKET_DELTA_COUNT).and_then(Value::as_u64),
            Some(n)
        );
    }
}

#[test]
fn messages_split_at_the_mtu_and_sets_reopen() {
    let (mut exp, path) = file_exporter("split", 128);
    exp.add_template(flow_template(256)).expect("template");
    exp.add_template(Template::new(300).field(Field::iana(ie::FLOW_ID, 8)))
        .expect("template");
    for n in 0..50 {
        put_flow(&mut exp, 256, n);
        let mut set = exp.start_data_set(300).expect("t300");
        set.put_uint(n).expect("id");
        set.end_record().expect("rec");
    }
    exp.close();
    let bytes = std::fs::read(&path).expect("read");
    let msgs = parse_stream(&bytes).expect("parse");
    assert!(msgs.len() > 20, "{} messages", msgs.len());
    assert!(msgs.iter().all(|m| m.length <= 128));
    let recs = decode_all(&bytes, 128);
    assert_eq!(recs.len(), 100);
    let ids: Vec<u64> = recs
        .iter()
        .filter(|r| r.template_id == 300)
        .filter_map(|r| r.get(0, ie::FLOW_ID).and_then(Value::as_u64))
        .collect();
    assert_eq!(ids, (0..50).collect::<Vec<_>>());
}

#[test]
fn variable_length_values_use_the_255_escape() {
    let (mut exp, path) = file_exporter("varlen", 1400);
    let f = Field::enterprise(9, 44940, VARLEN);
    exp.add_template(Template::new(256).field(f))
        .expect("template");
    for len in [0usize, 1, 254, 255, 300, 1300] {
        let v: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let mut set = exp.start_data_set(256).expect("set");
        set.put_bytes(&v).expect("bytes");
        set.end_record().expect("rec");
    }
    exp.close();
    let bytes = std::fs::read(&path).expect("read");
    let recs = decode_all(&bytes, 1400);
    let lens: Vec<usize> = recs
        .iter()
        .map(|r| {
            r.get(9, 44940 - 32768)
                .and_then(Value::as_bytes)
                .map_or(99999, <[u8]>::len)
        })
        .collect();
    assert_eq!(lens, vec![0, 1, 254, 255, 300, 1300]);
    // 254 bytes take a one-byte prefix, 255 the three-byte form.
    let data = parse_stream(&bytes).expect("parse");
    let raw: Vec<&[u8]> = data
        .iter()
        .flat_map(|m| &m.sets)
        .filter_map(|s| match s {
            Set::Data { raw, .. } => Some(raw.as_slice()),
            _ => None,
        })
        .collect();
    let all: Vec<u8> = raw.concat();
    assert_eq!(&all[..2], &[0, 1]); // "" then [1, 0]
    assert_eq!(all[2], 0);
    assert_eq!(all[3], 254);
    assert_eq!(&all[4 + 254..4 + 254 + 3], &[255, 0, 255]);
}

#[test]
fn basic_lists_carry_enterprise_elements() {
    let (mut exp, path) = file_exporter("lists", 1400);
    let spl = Field::enterprise(9, 44952, 2);
    exp.add_template(
        Template::new(256)
            .field(Field::iana(ie::BASIC_LIST, VARLEN))
            .field(Field::iana(ie::BASIC_LIST, VARLEN)),
    )
    .expect("template");
    let mut set = exp.start_data_set(256).expect("set");
    set.put_uint_list(semantic::ORDERED, spl, [1u64, 1400, 65535])
        .expect("list");
    set.put_uint_list(semantic::ORDERED, spl.reverse(), Vec::<u64>::new())
        .expect("empty");
    set.end_record().expect("rec");
    // An item too large for its 2-byte element abandons the record.
    let err = set.put_uint_list(semantic::ORDERED, spl, [70_000u64]);
    assert!(matches!(err, Err(ExportError::BadValue { .. })), "{err:?}");
    drop(set);
    exp.close();
    let recs = decode_all(&std::fs::read(&path).expect("read"), 1400);
    assert_eq!(recs.len(), 1);
    let lists: Vec<_> = recs[0]
        .values
        .iter()
        .filter_map(|(_, v)| v.as_list())
        .collect();
    assert_eq!(lists.len(), 2);
    assert_eq!(lists[0].semantic, semantic::ORDERED);
    assert_eq!(
        (lists[0].field.pen, lists[0].field.id, lists[0].field.len),
        (9, 44952 - 32768, 2)
    );
    let items: Vec<&[u8]> = lists[0].items.iter().map(Vec::as_slice).collect();
    assert_eq!(items, vec![&[0, 1][..], &[5, 120][..], &[255, 255][..]]);
    assert_eq!(lists[1].field.id, (44952 - 32768) | 0x4000);
    assert!(lists[1].items.is_empty());
}

#[test]
fn marker_deletes_fields_and_records_after_it() {
    let (mut exp, path) = file_exporter("marker", 1400);
    exp.add_template(flow_template(256)).expect("template");
    let mut set = exp.start_data_set(256).expect("set");
    set.put_ipv4(Ipv4Addr::new(10, 0, 0, 1)).expect("ip");
    set.put_uint(1).expect("port");
    set.set_marker();
    set.put_uint(999).expect("octets");
    set.delete_to_marker().expect("delete");
    set.put_uint(100).expect("octets");
    set.put_uint(7).expect("rev");
    set.put_uint(1).expect("pkts");
    set.end_record().expect("record 1");
    set.set_marker();
    for _ in 0..3 {
        set.put_ipv4(Ipv4Addr::new(10, 0, 0, 9)).expect("ip");
        set.put_uint(9).expect("port");
        set.put_uint(9).expect("o");
        set.put_uint(9).expect("r");
        set.put_uint(9).expect("p");
        set.end_record().expect("record");
    }
    set.delete_to_marker().expect("delete records");
    assert_eq!(set.records(), 1);
    assert_eq!(set.end(), 1);
    let stats = exp.close();
    assert_eq!(stats.records, 1);
    let recs = decode_all(&std::fs::read(&path).expect("read"), 1400);
    assert_eq!(recs.len(), 1);
    assert_eq!(
        recs[0]
            .get(0, ie::OCTET_DELTA_COUNT)
            .and_then(Value::as_u64),
        Some(100)
    );
    // No marker: an error.
    let (mut exp, _) = file_exporter("marker2", 1400);
    exp.add_template(flow_template(256)).expect("template");
    let mut set = exp.start_data_set(256).expect("set");
    assert!(matches!(set.delete_to_marker(), Err(ExportError::NoMarker)));
}

#[test]
fn cancel_drops_the_set_and_other_sets_stay() {
    let (mut exp, path) = file_exporter("cancel", 1400);
    exp.add_template(flow_template(256)).expect("template");
    exp.add_template(Template::new(300).field(Field::iana(ie::FLOW_ID, 8)))
        .expect("t");
    put_flow(&mut exp, 256, 1);
    let mut set = exp.start_data_set(300).expect("set");
    set.put_uint(5).expect("id");
    set.end_record().expect("rec");
    set.cancel();
    put_flow(&mut exp, 256, 2);
    let stats = exp.close();
    assert_eq!(stats.records, 2);
    let recs = decode_all(&std::fs::read(&path).expect("read"), 1400);
    assert_eq!(
        recs.iter().map(|r| r.template_id).collect::<Vec<_>>(),
        vec![256, 256]
    );
}

#[test]
fn withdrawal_and_redefinition_on_a_file() {
    let (mut exp, path) = file_exporter("withdraw", 1400);
    exp.add_template(flow_template(256)).expect("template");
    put_flow(&mut exp, 256, 1);
    exp.remove_template(256).expect("remove");
    assert!(matches!(
        exp.start_data_set(256),
        Err(ExportError::UnknownTemplate(256))
    ));
    assert!(matches!(
        exp.remove_template(256),
        Err(ExportError::UnknownTemplate(256))
    ));
    // Same id, new definition.
    exp.add_template(Template::new(256).field(Field::iana(ie::FLOW_ID, 8)))
        .expect("again");
    let mut set = exp.start_data_set(256).expect("set");
    set.put_uint(42).expect("id");
    set.end_record().expect("rec");
    drop(set);
    // Redefinition while in use: the old one is withdrawn before the new.
    exp.add_template(Template::new(256).field(Field::iana(ie::FLOW_ID, 4)))
        .expect("redefine");
    let mut set = exp.start_data_set(256).expect("set");
    set.put_uint(43).expect("id");
    set.end_record().expect("rec");
    drop(set);
    exp.close();
    let bytes = std::fs::read(&path).expect("read");
    let withdrawals: Vec<u16> = parse_stream(&bytes)
        .expect("parse")
        .iter()
        .flat_map(|m| m.sets.clone())
        .filter_map(|s| match s {
            Set::Withdrawals(ids) => Some(ids),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(withdrawals, vec![256, 256]);
    let recs = decode_all(&bytes, 1400);
    let ids: Vec<u64> = recs
        .iter()
        .filter_map(|r| r.get(0, ie::FLOW_ID).and_then(Value::as_u64))
        .collect();
    assert_eq!(ids, vec![42, 43]);
}

#[test]
fn options_templates_have_a_scope() {
    let (mut exp, path) = file_exporter("options", 1400);
    let t = Template::options(400, 1)
        .field(Field::iana(ie::EXPORTING_PROCESS_ID, 4))
        .field(Field::iana(ie::NOT_SENT_FLOW_TOTAL_COUNT, 8));
    exp.add_template(t).expect("options template");
    let mut set = exp.start_data_set(400).expect("set");
    set.put_uint(1).expect("scope");
    set.put_uint(12).expect("count");
    set.end_record().expect("rec");
    drop(set);
    exp.close();
    let bytes = std::fs::read(&path).expect("read");
    let msgs = parse_stream(&bytes).expect("parse");
    let opts: Vec<_> = msgs
        .iter()
        .flat_map(|m| m.sets.clone())
        .filter_map(|s| match s {
            Set::OptionsTemplates(t) => Some(t),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(opts.len(), 1);
    assert_eq!(
        (opts[0].id, opts[0].scope_count, opts[0].fields.len()),
        (400, 1, 2)
    );
    let recs = decode_all(&bytes, 1400);
    assert_eq!(
        recs[0]
            .get(0, ie::NOT_SENT_FLOW_TOTAL_COUNT)
            .and_then(Value::as_u64),
        Some(12)
    );
}

#[test]
fn bad_templates_and_values_are_refused() {
    let mut exp = Exporter::new(1);
    let e = exp.add_template(Template::new(255).field(Field::iana(ie::FLOW_ID, 8)));
    assert!(matches!(e, Err(ExportError::ReservedTemplateId(255))));
    let e = exp.add_template(Template::new(256));
    assert!(matches!(e, Err(ExportError::BadTemplate { .. })), "{e:?}");
    let e = exp.add_template(Template::new(256).field(Field::iana(ie::SOURCE_IPV4_ADDRESS, 3)));
    assert!(matches!(e, Err(ExportError::BadField { .. })), "{e:?}");
    let e = exp.add_template(Template::new(256).field(Field::iana(0, 4)));
    assert!(matches!(e, Err(ExportError::BadField { .. })), "{e:?}");
    let e = exp.add_template(Template::options(256, 2).field(Field::iana(ie::FLOW_ID, 8)));
    assert!(matches!(e, Err(ExportError::BadTemplate { .. })), "{e:?}");
    // An unassigned IANA id.
    let unassigned = (1..0x7fff)
        .find(|&id| crate::registry::by_id(id).is_none())
        .expect("a gap");
    let e = exp.add_template(Template::new(256).field(Field::iana(unassigned, 4)));
    assert!(matches!(e, Err(ExportError::BadField { .. })), "{e:?}");
    // Reduced-size encoding: an 8-byte counter in 2 bytes is fine, a value
    // that does not fit is refused and the record abandoned.
    exp.add_template(
        Template::new(256)
            .field(Field::iana(ie::OCTET_DELTA_COUNT, 2))
            .field(Field::iana(ie::FLOW_ID, 8)),
    )
    .expect("reduced");
    let mut set = exp.start_data_set(256).expect("set");
    assert!(set.put_uint(65_536).is_err());
    assert!(set.put_uint(65_535).is_ok());
    assert!(set.end_record().is_err(), "one of two values");
    set.put_uint(1).expect("v");
    set.put_uint(2).expect("v");
    assert!(set.put_uint(3).is_err(), "a third value for two fields");
    assert_eq!(set.records(), 0);
}

#[test]
fn a_record_larger_than_a_message_is_refused_and_counted() {
    let (mut exp, path) = file_exporter("toolarge", 200);
    exp.add_template(Template::new(256).field(Field::enterprise(9, 44940, VARLEN)))
        .expect("t");
    let mut set = exp.start_data_set(256).expect("set");
    set.put_bytes(&[1; 100]).expect("v");
    set.end_record().expect("fits");
    set.put_bytes(&[2; 300]).expect("v");
    let e = set.end_record();
    assert!(
        matches!(e, Err(ExportError::RecordTooLarge { mtu: 200, .. })),
        "{e:?}"
    );
    set.put_bytes(&[3; 10]).expect("v");
    set.end_record().expect("fits");
    drop(set);
    let stats = exp.close();
    assert_eq!((stats.records, stats.too_large), (2, 1));
    let recs = decode_all(&std::fs::read(&path).expect("read"), 200);
    assert_eq!(recs.len(), 2);
}

#[test]
fn files_rotate_by_size_and_each_stands_alone() {
    let dir = scratch("rotate");
    let base = dir.join("x.ipfix");
    let mut exp = Exporter::new(3);
    exp.add_collector(&CollectorSpec::File {
        path: base.clone(),
        rotate_bytes: Some(500),
        rotate_every: None,
    })
    .expect("file");
    exp.add_template(flow_template(256)).expect("t");
    for n in 0..40 {
        put_flow(&mut exp, 256, n);
        exp.send();
    }
    let stats = exp.close();
    let mut total = 0;
    let mut files = 0;
    for i in 1.. {
        let p = dir.join(format!("x.ipfix-{i:02}"));
        if !p.exists() {
            break;
        }
        let bytes = std::fs::read(&p).expect("read");
        assert!(
            bytes.len() <= 500,
            "{} is {} bytes",
            p.display(),
            bytes.len()
        );
        total += decode_all(&bytes, 1400).len();
        files += 1;
    }
    assert!(files > 3, "{files} files");
    assert_eq!(stats.collectors[0].sessions, files);
    assert_eq!(total, 40);
    assert!(!base.exists());
}

#[test]
fn udp_sends_templates_first_refreshes_them_and_never_withdraws() {
    let rx = UdpSocket::bind("127.0.0.1:0").expect("bind");
    rx.set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let mut exp = Exporter::with_config(ExporterConfig {
        domain: 5,
        template_refresh: Duration::ZERO,
        ..ExporterConfig::default()
    })
    .expect("cfg");
    exp.add_collector(&CollectorSpec::Udp(rx.local_addr().expect("addr")))
        .expect("udp");
    exp.add_template(flow_template(256)).expect("t");
    put_flow(&mut exp, 256, 1);
    exp.send();
    put_flow(&mut exp, 256, 2);
    exp.send();
    exp.remove_template(256).expect("remove");
    let stats = exp.close();
    let mut buf = [0u8; 2000];
    let mut kinds = Vec::new();
    let mut seqs = Vec::new();
    for _ in 0..4 {
        let n = rx.recv(&mut buf).expect("datagram");
        let (m, used) = parse_message(&buf[..n]).expect("message");
        assert_eq!(used, n);
        seqs.push(m.sequence);
        for s in &m.sets {
            kinds.push(match s {
                Set::Templates(_) => "t",
                Set::Data { .. } => "d",
                Set::Withdrawals(_) | Set::OptionsWithdrawals(_) => "w",
                Set::OptionsTemplates(_) => "o",
            });
        }
    }
    // Refresh interval 0: the templates go again before each data message.
    assert_eq!(kinds, vec!["t", "d", "t", "d"]);
    assert_eq!(seqs, vec![0, 0, 1, 1]);
    rx.set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    assert!(rx.recv(&mut buf).is_err(), "no withdrawal over UDP");
    assert_eq!(stats.collectors[0].records, 2);
    assert_eq!(stats.collectors[0].templates, 2);
}

#[test]
fn element_type_records_open_every_file() {
    use crate::element_types::{semantics, units};
    use crate::registry::DataType;
    let dir = scratch("types");
    let mut exp = Exporter::new(1);
    exp.add_collector(&CollectorSpec::File {
        path: dir.join("t.ipfix"),
        rotate_bytes: Some(400),
        rotate_every: None,
    })
    .expect("file");
    let spl = crate::ElementInfo {
        pen: 9,
        id: 44952 - 32768,
        data_type: DataType::Unsigned16,
        semantics: semantics::QUANTITY,
        units: units::OCTETS,
        name: "sequenceOfPacketLengths".into(),
        description: "payload lengths".into(),
    };
    let rev = crate::ElementInfo {
        id: spl.id | 0x4000,
        name: "reverseSequenceOfPacketLengths".into(),
        ..spl.clone()
    };
    exp.describe_elements(1000, &[spl, rev]).expect("describe");
    assert!(exp
        .add_template(Template::new(1000).field(Field::iana(ie::FLOW_ID, 8)))
        .is_err());
    exp.add_template(Template::new(256).field(Field::iana(ie::FLOW_ID, 8)))
        .expect("t");
    for n in 0..30 {
        let mut set = exp.start_data_set(256).expect("set");
        set.put_uint(n).expect("id");
        set.end_record().expect("rec");
        drop(set);
        exp.send();
    }
    exp.close();
    let mut flows = 0;
    for i in 1..=99 {
        let p = dir.join(format!("t.ipfix-{i:02}"));
        if !p.exists() {
            assert!(i > 2, "rotated");
            break;
        }
        let recs = decode_all(&std::fs::read(&p).expect("read"), 1400);
        let types: Vec<_> = recs.iter().filter(|r| r.template_id == 1000).collect();
        assert_eq!(types.len(), 2, "{}", p.display());
        assert_eq!(
            types[0]
                .get(0, ie::INFORMATION_ELEMENT_ID)
                .and_then(Value::as_u64),
            Some(44952 - 32768)
        );
        assert_eq!(
            types[0]
                .get(0, ie::INFORMATION_ELEMENT_DATA_TYPE)
                .and_then(Value::as_u64),
            Some(2)
        );
        assert_eq!(
            types[1]
                .get(0, ie::INFORMATION_ELEMENT_NAME)
                .and_then(Value::as_str),
            Some("reverseSequenceOfPacketLengths")
        );
        // The type records come before any flow.
        assert_eq!(recs[0].template_id, 1000);
        flows += recs.iter().filter(|r| r.template_id == 256).count();
    }
    assert_eq!(flows, 30);
}

#[test]
fn a_file_that_cannot_be_written_counts_every_record_as_dropped() {
    let mut exp = Exporter::new(1);
    exp.add_collector(&CollectorSpec::file("/dev/full"))
        .expect("opens");
    exp.add_template(flow_template(256)).expect("t");
    for n in 0..20 {
        put_flow(&mut exp, 256, n);
        exp.send();
    }
    let stats = exp.close();
    let c = &stats.collectors[0];
    assert_eq!((c.records, c.dropped_records), (0, 20));
    assert!(
        c.last_error
            .as_deref()
            .is_some_and(|e| e.contains("/dev/full")),
        "{c:?}"
    );
}

#[test]
fn collectors_come_and_go_at_run_time() {
    let dir = scratch("comego");
    let (a, b) = (dir.join("a.ipfix"), dir.join("b.ipfix"));
    let mut exp = Exporter::new(1);
    let ia = exp.add_collector(&CollectorSpec::file(&a)).expect("a");
    exp.add_template(flow_template(256)).expect("t");
    put_flow(&mut exp, 256, 1);
    put_flow(&mut exp, 256, 2);
    // B joins: it gets the template before its first data, and its own
    // sequence numbers from 0.
    exp.add_collector(&CollectorSpec::file(&b)).expect("b");
    exp.send();
    put_flow(&mut exp, 256, 3);
    let sa = exp.remove_collector(ia).expect("remove a");
    assert!(matches!(
        exp.remove_collector(ia),
        Err(ExportError::UnknownCollector(_))
    ));
    put_flow(&mut exp, 256, 4);
    let stats = exp.close();
    assert_eq!(sa.records, 3);
    assert_eq!(stats.collectors.len(), 2);
    let n = |p: &std::path::Path| -> Vec<u64> {
        decode_all(&std::fs::read(p).expect("read"), 1400)
            .iter()
            .filter_map(|r| r.get(0, ie::PACKET_DELTA_COUNT).and_then(Value::as_u64))
            .collect()
    };
    assert_eq!(n(&a), vec![1, 2, 3]);
    assert_eq!(n(&b), vec![1, 2, 3, 4]);
}

#[test]
fn element_type_records_precede_the_templates_that_use_them() {
    use crate::element_types::{semantics, units};
    use crate::registry::DataType;
    let sni = crate::ElementInfo {
        pen: 8057,
        id: 808,
        data_type: DataType::String,
        semantics: semantics::DEFAULT,
        units: units::NONE,
        name: "tlsSni".into(),
        description: "server name".into(),
    };
    for udp in [false, true] {
        let rx = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let path = scratch("types-first").join("t.ipfix");
        let mut exp = Exporter::with_config(ExporterConfig {
            template_refresh: Duration::ZERO,
            ..ExporterConfig::default()
        })
        .expect("config");
        let spec = if udp {
            CollectorSpec::Udp(rx.local_addr().expect("addr"))
        } else {
            CollectorSpec::file(&path)
        };
        exp.add_collector(&spec).expect("collector");
        exp.describe_elements(511, std::slice::from_ref(&sni))
            .expect("describe");
        exp.add_template(
            Template::new(256)
                .field(Field::iana(ie::FLOW_ID, 8))
                .field(Field::enterprise(8057, 808, VARLEN)),
        )
        .expect("template");
        for id in 1..=2 {
            let mut set = exp.start_data_set(256).expect("set");
            set.put_uint(id).expect("id");
            set.put_str("example.com").expect("sni");
            set.end_record().expect("record");
            drop(set);
            exp.send();
        }
        exp.close();
        let msgs = if udp {
            let mut buf = [0u8; 65536];
            rx.set_read_timeout(Some(Duration::from_millis(500)))
                .expect("timeout");
            let mut msgs = Vec::new();
            while let Ok(n) = rx.recv(&mut buf) {
                msgs.push(parse_message(&buf[..n]).expect("message").0);
            }
            msgs
        } else {
            parse_stream(&std::fs::read(&path).expect("read")).expect("stream")
        };
        let order: Vec<String> = msgs
            .iter()
            .flat_map(|m| &m.sets)
            .map(|s| match s {
                Set::OptionsTemplates(t) => format!("o{}", t[0].id),
                Set::Templates(t) => format!("t{}", t[0].id),
                Set::Data { set_id, .. } => format!("d{set_id}"),
                Set::Withdrawals(_) | Set::OptionsWithdrawals(_) => "w".into(),
            })
            .collect();
        // Options template, type records, then the template using 8057/808;
        // over UDP (refresh interval 0) all again before the second record.
        let mut want = vec!["o511", "d511", "t256", "d256"];
        if udp {
            want.extend(["o511", "d511", "t256", "d256"]);
        } else {
            want.push("d256");
        }
        assert_eq!(order, want, "udp: {udp}");
    }
}
