//! Criterion benchmarks of the per-packet hot path: decode, and decode + flow table
//! update over 1 k and 100 k concurrent flows with 64-byte frames.
use std::{hint::black_box, net::Ipv4Addr, time::Duration};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sluice::{
    decode::decode_ethernet,
    flow::{FlowTableConfig, Timestamp},
    policy::FlowTable,
};
use sluice_bench::frame::{udp_frame, UdpTemplate};

fn frames(n: u32) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let t = UdpTemplate {
                dst_mac: [2, 0, 0, 0, 0, 2],
                src_mac: [2, 0, 0, 0, 0, 1],
                src: Ipv4Addr::from(0x0a00_0000 | (i >> 8)),
                dst: Ipv4Addr::new(10, 200, 0, 1),
                sport: 1024 + (i & 0xff) as u16,
                dport: 53,
            };
            udp_frame(&t, 60)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let one = frames(1);
    let mut g = c.benchmark_group("hot_path");
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode_64B_udp", |b| {
        b.iter(|| decode_ethernet(black_box(&one[0])))
    });
    for flows in [1_000u32, 100_000] {
        let fs = frames(flows);
        let mut table: FlowTable = FlowTable::new(FlowTableConfig {
            max_flows: flows as usize * 2,
            idle_timeout: Duration::from_secs(3600),
            ..FlowTableConfig::default()
        });
        let mut i = 0usize;
        let mut t = 1_000_000_000u64;
        g.bench_function(format!("decode_and_track_{flows}_flows"), |b| {
            b.iter(|| {
                let f = &fs[i % fs.len()];
                i += 1;
                t += 100;
                if let Ok(p) = decode_ethernet(f) {
                    black_box(table.process(&p, f, f.len() as u32, Timestamp(t)));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
