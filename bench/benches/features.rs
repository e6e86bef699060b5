//! Criterion benchmark of each feature's cost per packet: the frames of the
//! shared corpus's Joy and ipfixprobe captures (TLS, DNS, HTTP, SSH, QUIC and
//! more, about 5 k packets) counted through the flow table with one feature set
//! on, then every flow flushed and its record encoded as JSON, as `sluice read
//! --features SET` does. A feature's cost is its set's time per packet minus
//! the time of `none` (docs/benchmarks.md has the table).
use std::{hint::black_box, path::PathBuf, sync::Arc, time::Duration};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sluice::{
    capfile::CaptureFile,
    decode::LinkType,
    export::encoder::RecordEncoder,
    features::{attach, FeatureConfig, FeatureSet, FlowFeatures, ReadyHooks},
    flow::{FlowTableConfig, Timestamp},
    policy::FlowTable,
};

/// The feature sets measured, each on its own.
const SETS: [&str; 11] = [
    "none", "splt", "bd", "entropy", "idp", "tcp", "tls", "salt", "dns", "http", "all",
];

/// One frame of the input, in memory.
struct Frame {
    link: LinkType,
    data: Vec<u8>,
    wire_len: u32,
    ts: Timestamp,
}

/// The shared corpus (`$SLUICE_CORPUS`, else `../shared/corpus` beside the repository).
fn corpus() -> PathBuf {
    std::env::var_os("SLUICE_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
        PathBuf::from,
    )
}

/// Every frame of the Joy and ipfixprobe captures, file after file.
fn frames() -> Vec<Frame> {
    let mut out = Vec::new();
    let files = sluice_bench::mixed::corpus_files(&corpus()).expect("the shared corpus");
    for path in files
        .iter()
        .filter(|p| !p.to_string_lossy().contains("/ndpi/"))
    {
        let Ok(mut f) = CaptureFile::open(path) else {
            continue;
        };
        while let Ok(Some(p)) = f.next_packet() {
            if let Some(link) = LinkType::from_dlt(p.linktype) {
                out.push(Frame {
                    link,
                    data: p.data.to_vec(),
                    wire_len: p.wire_len,
                    ts: p.ts,
                });
            }
        }
    }
    assert!(out.len() > 4000, "{} frames", out.len());
    out
}

/// Counts every frame with `set` on, flushes, and encodes every record; returns
/// the JSON bytes written.
fn run(frames: &[Frame], cfg: &Arc<FeatureConfig>, line: &mut Vec<u8>) -> usize {
    let mut table: FlowTable<FlowFeatures> = FlowTable::new(FlowTableConfig::default());
    attach(&mut table, Arc::clone(cfg), ReadyHooks::default());
    let encoder = RecordEncoder::new(Arc::clone(cfg), None, true, None);
    let mut bytes = 0;
    let mut write = |table: &mut FlowTable<FlowFeatures>, bytes: &mut usize| {
        for (r, f) in table.drain_exported_with_user() {
            line.clear();
            encoder.encode_into(r, f, line);
            *bytes += line.len();
        }
    };
    for fr in frames {
        table.process_frame(fr.link, &fr.data, fr.wire_len, fr.ts);
        write(&mut table, &mut bytes);
    }
    table.flush();
    write(&mut table, &mut bytes);
    bytes
}

fn bench(c: &mut Criterion) {
    let frames = frames();
    let mut g = c.benchmark_group("features_per_packet");
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(4));
    let mut line = Vec::with_capacity(1 << 16);
    for set in SETS {
        let cfg = Arc::new(FeatureConfig {
            set: if set == "none" {
                FeatureSet::default()
            } else {
                FeatureSet::parse(set).expect("feature set")
            },
            ..FeatureConfig::default()
        });
        g.bench_function(set, |b| b.iter(|| black_box(run(&frames, &cfg, &mut line))));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
