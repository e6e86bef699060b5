//! Criterion benchmark of the JSON record writer (records/s): a flow record alone,
//! and one carrying every feature (SPLT, byte distribution, entropy, IDP, TCP
//! details), as `sluice read --features all` writes them.
use std::{hint::black_box, net::Ipv4Addr, sync::Arc, time::Duration};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sluice::{
    decode::emit,
    export::{write_flow_json, write_flow_json_with},
    features::{attach, FeatureConfig, FeatureSet, FlowFeatures, ReadyHooks},
    flow::{FlowRecord, FlowTableConfig, Timestamp},
    policy::FlowTable,
};

/// One TCP flow of `packets` data segments each way (payloads of varied bytes),
/// exported with every feature.
fn tcp_flow_with_features(packets: u32) -> (FlowRecord, FlowFeatures, FeatureConfig) {
    let cfg = FeatureConfig {
        set: FeatureSet::parse("all").expect("all"),
        ..FeatureConfig::default()
    };
    let mut table: FlowTable<FlowFeatures> = FlowTable::new(FlowTableConfig::default());
    attach(&mut table, Arc::new(cfg.clone()), ReadyHooks::default());
    let (a, b) = (
        Ipv4Addr::new(10, 0, 0, 1).octets(),
        Ipv4Addr::new(10, 0, 0, 2).octets(),
    );
    for i in 0..packets * 2 {
        let up = i % 2 == 0;
        let payload: Vec<u8> = (0..200 + i).map(|k| (k * 7 + i) as u8).collect();
        let (src, dst, sp, dp) = if up {
            (a, b, 40000, 8080)
        } else {
            (b, a, 8080, 40000)
        };
        let seg = emit::tcp(sp, dp, 0x18, &[], &payload);
        let frame = emit::eth(&[], 0x0800, &emit::ipv4(6, src, dst, &[], 0, &seg));
        let ts = Timestamp::from_secs_nanos(1_700_000_000, i * 1_000_000);
        table.process_frame(
            sluice::decode::LinkType::Ethernet,
            &frame,
            frame.len() as u32,
            ts,
        );
    }
    table.flush();
    let (rec, features) = table.drain_exported_with_user().next().expect("one flow");
    (rec, features, cfg)
}

fn bench(c: &mut Criterion) {
    let (rec, features, cfg) = tcp_flow_with_features(25);
    let mut g = c.benchmark_group("json_record");
    g.throughput(Throughput::Elements(1));
    g.measurement_time(Duration::from_secs(5));
    let mut out = Vec::with_capacity(1 << 14);
    g.bench_function("flow_record", |bch| {
        bch.iter(|| {
            out.clear();
            write_flow_json(black_box(&rec), &mut out).expect("json");
            out.len()
        })
    });
    g.bench_function("flow_record_every_feature", |bch| {
        bch.iter(|| {
            out.clear();
            write_flow_json_with(black_box(&rec), &mut out, |w| {
                features.write_json(w, &cfg, None)
            })
            .expect("json");
            out.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
