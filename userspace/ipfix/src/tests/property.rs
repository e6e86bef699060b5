//! Property test: random templates and records, written through the
//! exporter under a random MTU, decoded by the strict decoder, give back the
//! same values; no message exceeds the MTU.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{decode_all, scratch};
use crate::decode::Value;
use crate::field::{Field, VARLEN};
use crate::registry::{self, DataType};
use crate::{semantic, CollectorSpec, ExportError, Exporter, ExporterConfig, Template};

/// xorshift64*: deterministic, so a failure names its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn uint(&mut self, len: usize) -> u64 {
        let v = self.next();
        if len >= 8 {
            v
        } else {
            v & ((1u64 << (8 * len)) - 1)
        }
    }
}

/// How a field is filled.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Uint,
    Int,
    Float,
    V4,
    V6,
    Mac,
    Bytes,
    /// A basicList of unsigned items of this element.
    List(Field),
}

/// A value as written, and as the decoder must give it back.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    Bytes(Vec<u8>),
    List {
        semantic: u8,
        element: Field,
        items: Vec<Vec<u8>>,
    },
}

fn random_field(r: &mut Rng) -> (Field, Kind) {
    match r.below(6) {
        // An IANA element of a fixed-length type, maybe reduced-size.
        0 | 1 => loop {
            let ie = &registry::ELEMENTS[r.below(registry::ELEMENTS.len() as u64) as usize];
            let Some(n) = ie.data_type.natural_length() else {
                continue;
            };
            use DataType::*;
            let (len, kind) = match ie.data_type {
                Unsigned8 | Unsigned16 | Unsigned32 | Unsigned64 => {
                    (1 + r.below(u64::from(n)) as u16, Kind::Uint)
                }
                Signed8 | Signed16 | Signed32 | Signed64 => {
                    (1 + r.below(u64::from(n)) as u16, Kind::Int)
                }
                Float32 => (4, Kind::Float),
                Float64 => (if r.below(2) == 0 { 4 } else { 8 }, Kind::Float),
                Ipv4Address => (4, Kind::V4),
                Ipv6Address => (16, Kind::V6),
                MacAddress => (6, Kind::Mac),
                _ => (n, Kind::Uint),
            };
            if len > 8 && matches!(kind, Kind::Uint) {
                continue;
            }
            return (Field::iana(ie.id, len), kind);
        },
        // An IANA octetArray or string, variable length.
        2 => loop {
            let ie = &registry::ELEMENTS[r.below(registry::ELEMENTS.len() as u64) as usize];
            if matches!(ie.data_type, DataType::OctetArray | DataType::String) {
                return (Field::iana(ie.id, VARLEN), Kind::Bytes);
            }
        },
        // A basicList of enterprise or IANA integers.
        3 => {
            let element = if r.below(2) == 0 {
                Field::enterprise(
                    1 + r.below(100_000) as u32,
                    1 + r.below(0x7ffe) as u16,
                    1 + r.below(8) as u16,
                )
            } else {
                Field::iana(registry::ie::PACKET_DELTA_COUNT, 1 + r.below(8) as u16)
            };
            (
                Field::iana(registry::ie::BASIC_LIST, VARLEN),
                Kind::List(element),
            )
        }
        // Enterprise fixed and variable.
        4 => (
            Field::enterprise(
                1 + r.below(100_000) as u32,
                1 + r.below(0x7ffe) as u16,
                1 + r.below(8) as u16,
            ),
            Kind::Uint,
        ),
        _ => (
            Field::enterprise(
                1 + r.below(100_000) as u32,
                1 + r.below(0x7ffe) as u16,
                VARLEN,
            ),
            Kind::Bytes,
        ),
    }
}

/// Writes one random value of `kind` into field `f`; returns what the
/// decoder must read.
fn put_random(set: &mut crate::DataSet<'_>, r: &mut Rng, f: Field, kind: Kind) -> Expect {
    let len = usize::from(f.len);
    match kind {
        Kind::Uint => {
            let v = r.uint(len);
            set.put_uint(v).expect("uint");
            Expect::Bytes(v.to_be_bytes()[8 - len..].to_vec())
        }
        Kind::Int => {
            let bits = 8 * len as u32;
            let v = (r.next() as i64) >> (64 - bits);
            set.put_int(v).expect("int");
            Expect::Bytes(v.to_be_bytes()[8 - len..].to_vec())
        }
        Kind::Float => {
            let v = f64::from_bits(r.next() & 0x3fff_ffff_ffff_ffff);
            set.put_f64(v).expect("float");
            Expect::Bytes(if len == 4 {
                (v as f32).to_be_bytes().to_vec()
            } else {
                v.to_be_bytes().to_vec()
            })
        }
        Kind::V4 => {
            let b = r.bytes(4);
            set.put_ipv4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
                .expect("v4");
            Expect::Bytes(b)
        }
        Kind::V6 => {
            let b = r.bytes(16);
            let a: [u8; 16] = b.clone().try_into().expect("16");
            set.put_ipv6(Ipv6Addr::from(a)).expect("v6");
            Expect::Bytes(b)
        }
        Kind::Mac => {
            let b = r.bytes(6);
            set.put_mac(b.clone().try_into().expect("6")).expect("mac");
            Expect::Bytes(b)
        }
        Kind::Bytes => {
            let n = match r.below(4) {
                0 => 0,
                1 => 250 + r.below(20) as usize,
                _ => r.below(60) as usize,
            };
            let b = r.bytes(n);
            set.put_bytes(&b).expect("bytes");
            Expect::Bytes(b)
        }
        Kind::List(element) => {
            let elen = usize::from(element.len);
            let vals: Vec<u64> = (0..r.below(20)).map(|_| r.uint(elen)).collect();
            let sem =
                [semantic::ORDERED, semantic::ALL_OF, semantic::UNDEFINED][r.below(3) as usize];
            set.put_uint_list(sem, element, vals.iter().copied())
                .expect("list");
            Expect::List {
                semantic: sem,
                element,
                items: vals
                    .iter()
                    .map(|v| v.to_be_bytes()[8 - elen..].to_vec())
                    .collect(),
            }
        }
    }
}

fn check_case(seed: u64) {
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mtu = 200 + r.below(1400) as usize;
    let path = scratch(&format!("prop{seed}")).join("p.ipfix");
    let mut exp = Exporter::with_config(ExporterConfig {
        domain: r.below(1000) as u32,
        mtu,
        ..ExporterConfig::default()
    })
    .expect("cfg");
    exp.add_collector(&CollectorSpec::file(&path))
        .expect("file");
    let mut templates: Vec<(u16, Vec<(Field, Kind)>)> = Vec::new();
    for i in 0..1 + r.below(4) {
        let fields: Vec<(Field, Kind)> =
            (0..1 + r.below(10)).map(|_| random_field(&mut r)).collect();
        let id = 256 + i as u16;
        let mut t = Template::new(id);
        for (f, _) in &fields {
            t.push(*f);
        }
        exp.add_template(t).expect("valid template");
        templates.push((id, fields));
    }
    let mut expected: Vec<(u16, Vec<Expect>)> = Vec::new();
    for _ in 0..r.below(150) {
        let (id, fields) = &templates[r.below(templates.len() as u64) as usize];
        let undo = r.below(10) == 0;
        let mut set = exp.start_data_set(*id).expect("set");
        if undo {
            set.set_marker();
        }
        let values: Vec<Expect> = fields
            .iter()
            .map(|(f, k)| put_random(&mut set, &mut r, *f, *k))
            .collect();
        match set.end_record() {
            Ok(()) => {
                let undone = undo && set.delete_to_marker().is_ok();
                if !undone {
                    expected.push((*id, values));
                }
            }
            Err(ExportError::RecordTooLarge { .. }) => {}
            Err(e) => panic!("seed {seed}: {e}"),
        }
        drop(set);
        if r.below(8) == 0 {
            exp.send();
        }
    }
    let stats = exp.close();
    assert_eq!(stats.records, expected.len() as u64, "seed {seed}");
    let recs = decode_all(&std::fs::read(&path).expect("read"), mtu);
    assert_eq!(recs.len(), expected.len(), "seed {seed}");
    for (i, (rec, (id, values))) in recs.iter().zip(&expected).enumerate() {
        assert_eq!(rec.template_id, *id, "seed {seed} record {i}");
        assert_eq!(rec.values.len(), values.len(), "seed {seed} record {i}");
        for (j, ((_, got), want)) in rec.values.iter().zip(values).enumerate() {
            match (got, want) {
                (
                    Value::List(l),
                    Expect::List {
                        semantic,
                        element,
                        items,
                    },
                ) => {
                    assert_eq!(l.semantic, *semantic, "seed {seed} record {i} field {j}");
                    assert_eq!(
                        (l.field.id, l.field.pen, l.field.len),
                        (element.id, element.pen, element.len)
                    );
                    assert_eq!(&l.items, items, "seed {seed} record {i} field {j}");
                }
                (g, Expect::Bytes(b)) => {
                    assert_eq!(
                        g.as_bytes(),
                        Some(b.as_slice()),
                        "seed {seed} record {i} field {j}"
                    )
                }
                (g, w) => panic!("seed {seed} record {i} field {j}: got {g:?}, want {w:?}"),
            }
        }
    }
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
}

#[test]
fn random_templates_and_records_round_trip_within_the_mtu() {
    for seed in 0..300 {
        check_case(seed);
    }
}
