//! One record writer for both the template and the records
//! ([`RecordFields`]): the template it describes is the one it fills, its
//! records are the bytes the plain `DataSet` calls make, and a writer that
//! names another field than the template's is refused.

use std::net::Ipv4Addr;

use super::{messages_without_time, scratch};
use crate::field::{Field, VARLEN};
use crate::registry::ie;
use crate::{
    semantic, CollectorSpec, DataSet, ExportError, Exporter, ExporterConfig, RecordFields,
    Template, TemplateFields, BASIC_LIST,
};

const FLOW_ID: Field = Field::iana(ie::FLOW_ID, 8);
const SRC: Field = Field::iana(ie::SOURCE_IPV4_ADDRESS, 4);
const NAME: Field = Field::iana(ie::APPLICATION_NAME, VARLEN);
const LEN: Field = Field::iana(ie::IP_TOTAL_LENGTH, 2);

/// Flow `n`'s record, every field named with its value.
fn put(out: &mut dyn RecordFields, n: u64) -> Result<(), ExportError> {
    out.uint(FLOW_ID, n)?;
    out.ipv4(SRC, Ipv4Addr::new(10, 0, 0, n as u8))?;
    out.str(NAME, &"x".repeat(n as usize % 5))?;
    let lens: Vec<u64> = (0..n % 4).map(|i| 40 + i).collect();
    out.uint_list(semantic::ORDERED, LEN, &mut lens.iter().copied())
}

/// The same record through the plain `DataSet` calls.
fn put_plain(set: &mut DataSet<'_>, n: u64) -> Result<(), ExportError> {
    set.put_uint(n)?;
    set.put_ipv4(Ipv4Addr::new(10, 0, 0, n as u8))?;
    set.put_str(&"x".repeat(n as usize % 5))?;
    let lens: Vec<u64> = (0..n % 4).map(|i| 40 + i).collect();
    set.put_uint_list(semantic::ORDERED, LEN, lens)
}

fn described() -> Template {
    let mut t = TemplateFields::new(300);
    put(&mut t, 0).expect("describing takes every field");
    t.into_template()
}

fn exporter(name: &str) -> (Exporter, std::path::PathBuf) {
    let path = scratch(name).join("out.ipfix");
    let mut exp = Exporter::with_config(ExporterConfig {
        domain: 5,
        ..ExporterConfig::default()
    })
    .expect("config");
    exp.add_collector(&CollectorSpec::file(&path))
        .expect("file");
    exp.add_template(described()).expect("template");
    (exp, path)
}

#[test]
fn the_writer_describes_its_template() {
    let t = described();
    assert_eq!(t.id(), 300);
    assert_eq!(t.fields(), &[FLOW_ID, SRC, NAME, BASIC_LIST]);
}

#[test]
fn records_through_the_writer_equal_plain_writes() {
    let (mut named, named_path) = exporter("fields-named");
    let (mut plain, plain_path) = exporter("fields-plain");
    for n in 0..50 {
        let mut set = named.start_data_set(300).expect("set");
        put(&mut set, n).expect("record");
        set.end_record().expect("end");
        drop(set);
        let mut set = plain.start_data_set(300).expect("set");
        put_plain(&mut set, n).expect("record");
        set.end_record().expect("end");
    }
    named.close();
    plain.close();
    let (a, b) = (
        messages_without_time(&named_path),
        messages_without_time(&plain_path),
    );
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

#[test]
fn a_field_other_than_the_templates_is_refused() {
    let (mut exp, _) = exporter("fields-mismatch");
    let mut set = exp.start_data_set(300).expect("set");
    set.uint(FLOW_ID, 1).expect("the first field matches");
    let err = set.ipv4(
        Field::iana(ie::DESTINATION_IPV4_ADDRESS, 4),
        Ipv4Addr::LOCALHOST,
    );
    assert!(
        matches!(
            err,
            Err(ExportError::BadValue {
                template: 300,
                field: 1,
                ..
            })
        ),
        "{err:?}"
    );
    // The record was abandoned: the next one starts from the first field.
    put(&mut set, 2).expect("a whole record after the refused one");
    set.end_record().expect("end");
    assert_eq!(set.records(), 1);
}
