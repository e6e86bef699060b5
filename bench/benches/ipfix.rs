//! Criterion benchmark of IPFIX encoding: flow records through the exporter
//! (typed values, message assembly at 1400 bytes, headers) into a file on
//! /dev/null, without and with Joy's feature lists.
//!
//! - `plain`: the biflow record of a flow (IPv4, 16 fields).
//! - `splt`: the same with the four SPL/SPT basicLists (10 packets each way).
//! - `splt_bd`: plus the byte distribution record (256 counts).
use std::hint::black_box;
use std::net::Ipv4Addr;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sluice_ipfix::registry::ie;
use sluice_ipfix::{semantic, CollectorSpec, Exporter, Field, Template, PEN_REVERSE, VARLEN};

const RECORDS: u64 = 10_000;

fn flow_template(id: u16, lists: bool) -> Template {
    let mut t = Template::new(id)
        .field(Field::iana(ie::FLOW_ID, 8))
        .field(Field::iana(ie::SOURCE_IPV4_ADDRESS, 4))
        .field(Field::iana(ie::DESTINATION_IPV4_ADDRESS, 4))
        .field(Field::iana(ie::SOURCE_TRANSPORT_PORT, 2))
        .field(Field::iana(ie::DESTINATION_TRANSPORT_PORT, 2))
        .field(Field::iana(ie::PROTOCOL_IDENTIFIER, 1))
        .field(Field::iana(ie::VLAN_ID, 2))
        .field(Field::iana(ie::FLOW_START_MILLISECONDS, 8))
        .field(Field::iana(ie::FLOW_END_MILLISECONDS, 8))
        .field(Field::iana(ie::FLOW_END_REASON, 1))
        .field(Field::iana(ie::OCTET_DELTA_COUNT, 8))
        .field(Field::iana(ie::PACKET_DELTA_COUNT, 8))
        .field(Field::iana(ie::TCP_CONTROL_BITS, 1))
        .field(Field::enterprise(PEN_REVERSE, ie::OCTET_DELTA_COUNT, 8))
        .field(Field::enterprise(PEN_REVERSE, ie::PACKET_DELTA_COUNT, 8))
        .field(Field::enterprise(PEN_REVERSE, ie::TCP_CONTROL_BITS, 1));
    if lists {
        for _ in 0..4 {
            t = t.field(Field::iana(ie::BASIC_LIST, VARLEN));
        }
    }
    t
}

fn exporter() -> Exporter {
    let mut exp = Exporter::new(1);
    exp.add_collector(&CollectorSpec::file("/dev/null"))
        .expect("/dev/null");
    exp.add_template(flow_template(256, false)).expect("plain");
    exp.add_template(flow_template(257, true)).expect("splt");
    exp.add_template(
        Template::new(258)
            .field(Field::iana(ie::FLOW_ID, 8))
            .field(Field::iana(ie::BASIC_LIST, VARLEN)),
    )
    .expect("bd");
    exp
}

fn write(exp: &mut Exporter, n: u64, lists: bool, bd: bool) {
    let spl = Field::enterprise(9, 44952, 2);
    let spt = Field::enterprise(9, 44953, 4);
    let lens = [517u64, 1460, 1460, 93, 40, 1460, 1460, 1460, 220, 31];
    let ipts = [0u64, 12, 0, 1, 30, 0, 0, 1, 4, 250];
    let mut set = exp
        .start_data_set(if lists { 257 } else { 256 })
        .expect("set");
    set.put_uint(n).expect("id");
    set.put_ipv4(Ipv4Addr::new(10, 0, (n >> 8) as u8, n as u8))
        .expect("sa");
    set.put_ipv4(Ipv4Addr::new(10, 1, 0, 1)).expect("da");
    set.put_uint(40_000 + (n & 0xfff)).expect("sp");
    set.put_uint(443).expect("dp");
    set.put_uint(6).expect("pr");
    set.put_uint(0).expect("vlan");
    set.put_uint(1_700_000_000_000 + n).expect("start");
    set.put_uint(1_700_000_000_500 + n).expect("end");
    set.put_uint(3).expect("reason");
    set.put_uint(12_345).expect("octets");
    set.put_uint(17).expect("packets");
    set.put_uint(0x1b).expect("flags");
    set.put_uint(234_567).expect("rev octets");
    set.put_uint(160).expect("rev packets");
    set.put_uint(0x1b).expect("rev flags");
    if lists {
        set.put_uint_list(semantic::ORDERED, spl, lens)
            .expect("spl");
        set.put_uint_list(semantic::ORDERED, spt, ipts)
            .expect("spt");
        set.put_uint_list(semantic::ORDERED, spl.reverse(), lens)
            .expect("rspl");
        set.put_uint_list(semantic::ORDERED, spt.reverse(), ipts)
            .expect("rspt");
    }
    set.end_record().expect("record");
    drop(set);
    if bd {
        let counts: Vec<u64> = (0..256u64).map(|b| (b * 37 + n) % 1000).collect();
        let mut set = exp.start_data_set(258).expect("bd set");
        set.put_uint(n).expect("id");
        set.put_uint_list(semantic::ORDERED, Field::enterprise(9, 44944, 4), counts)
            .expect("bd");
        set.end_record().expect("bd record");
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("ipfix_encode");
    g.throughput(Throughput::Elements(RECORDS));
    for (name, lists, bd) in [
        ("plain", false, false),
        ("splt", true, false),
        ("splt_bd", true, true),
    ] {
        g.bench_function(name, |b| {
            let mut exp = exporter();
            b.iter(|| {
                for n in 0..RECORDS {
                    write(&mut exp, black_box(n), lists, bd);
                }
                exp.send();
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
