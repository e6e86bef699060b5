//! Records encoded apart in a [`RecordBatch`] and put whole give the same
//! export as records written straight into the exporter: the same records,
//! sets, message splits and sequence numbers.

use std::net::Ipv4Addr;

use super::{decode_all, messages_without_time, scratch};
use crate::field::{Field, VARLEN};
use crate::registry::ie;
use crate::{
    semantic, CollectorSpec, DataSet, ExportError, Exporter, ExporterConfig, RecordBatch, Template,
};

fn flow() -> Template {
    Template::new(256)
        .field(Field::iana(ie::FLOW_ID, 8))
        .field(Field::iana(ie::SOURCE_IPV4_ADDRESS, 4))
        .field(Field::iana(ie::APPLICATION_NAME, VARLEN))
}

fn lists() -> Template {
    Template::new(257)
        .field(Field::iana(ie::FLOW_ID, 8))
        .field(Field::iana(ie::BASIC_LIST, VARLEN))
}

/// Flow `n`'s main record.
fn fill_flow(set: &mut DataSet<'_>, n: u64) -> Result<(), ExportError> {
    set.put_uint(n)?;
    set.put_ipv4(Ipv4Addr::new(10, 0, (n >> 8) as u8, n as u8))?;
    set.put_str(&"x".repeat((n % 40) as usize))?;
    set.end_record()
}

/// Flow `n`'s list record: `n % 60` packet lengths.
fn fill_lists(set: &mut DataSet<'_>, n: u64) -> Result<(), ExportError> {
    set.put_uint(n)?;
    let element = Field::iana(ie::IP_TOTAL_LENGTH, 2);
    let lens: Vec<u64> = (0..n % 60).map(|i| 40 + i).collect();
    set.put_uint_list(semantic::ORDERED, element, lens)?;
    set.end_record()
}

fn exporter(name: &str, mtu: usize) -> (Exporter, std::path::PathBuf) {
    let path = scratch(name).join("out.ipfix");
    let mut exp = Exporter::with_config(ExporterConfig {
        domain: 3,
        mtu,
        ..ExporterConfig::default()
    })
    .expect("config");
    exp.add_collector(&CollectorSpec::file(&path))
        .expect("file");
    exp.add_template(flow()).expect("template");
    exp.add_template(lists()).expect("template");
    (exp, path)
}

#[test]
fn a_batch_put_whole_exports_what_direct_writes_export() {
    const FLOWS: u64 = 500;
    let (mut direct, direct_path) = exporter("batch-direct", 512);
    for n in 0..FLOWS {
        fill_flow(&mut direct.start_data_set(256).unwrap(), n).unwrap();
        fill_lists(&mut direct.start_data_set(257).unwrap(), n).unwrap();
    }
    direct.close();

    let (mut exp, batch_path) = exporter("batch-put", 512);
    let templates = exp.templates();
    let mut batch = RecordBatch::new(templates, 512);
    for n in 0..FLOWS {
        // One batch a flow, as a worker makes them.
        batch.clear();
        fill_flow(&mut batch.start_data_set(256).unwrap(), n).unwrap();
        fill_lists(&mut batch.start_data_set(257).unwrap(), n).unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(exp.put_batch(&batch).unwrap(), 2);
    }
    exp.close();

    let (a, b) = (
        messages_without_time(&direct_path),
        messages_without_time(&batch_path),
    );
    assert!(a.len() > 10, "the records span many messages: {}", a.len());
    assert_eq!(a, b, "byte for byte, but for the export time");
    assert_eq!(
        decode_all(&std::fs::read(&batch_path).unwrap(), 512).len(),
        1000
    );
}

#[test]
fn a_batch_refuses_what_the_exporter_refuses_and_cancels_a_set() {
    let (mut exp, _) = exporter("batch-refuse", 128);
    let mut batch = RecordBatch::new(exp.templates(), 128);
    // 60 list items of 2 bytes cannot fit a 128-byte message: refused, as the
    // exporter refuses it, and nothing is left of it.
    let e = fill_lists(&mut batch.start_data_set(257).unwrap(), 59).unwrap_err();
    assert!(
        matches!(e, ExportError::RecordTooLarge { template: 257, .. }),
        "{e:?}"
    );
    let e = fill_lists(&mut exp.start_data_set(257).unwrap(), 59).unwrap_err();
    assert!(
        matches!(e, ExportError::RecordTooLarge { template: 257, .. }),
        "{e:?}"
    );
    assert!(batch.is_empty());

    fill_flow(&mut batch.start_data_set(256).unwrap(), 1).unwrap();
    let mut set = batch.start_data_set(256).unwrap();
    fill_flow(&mut set, 2).unwrap();
    set.set_marker();
    assert!(matches!(set.delete_to_marker(), Err(ExportError::NoMarker)));
    set.cancel();
    assert_eq!(
        batch.len(),
        1,
        "the cancelled set's record is gone, the first stays"
    );

    assert!(matches!(
        batch.start_data_set(999),
        Err(ExportError::UnknownTemplate(999))
    ));
    // A batch of another definition of template 256 is refused.
    let other = Template::new(256).field(Field::iana(ie::FLOW_ID, 8));
    let mut theirs = RecordBatch::new(
        std::sync::Arc::new([(256, std::sync::Arc::new(other))].into()),
        128,
    );
    let mut set = theirs.start_data_set(256).unwrap();
    set.put_uint(7).unwrap();
    set.end_record().unwrap();
    drop(set);
    assert!(matches!(
        exp.put_batch(&theirs),
        Err(ExportError::BadTemplate { template: 256, .. })
    ));
}
