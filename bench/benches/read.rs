//! Criterion benchmark of `sluice read` end to end (file → decode → flow table →
//! JSON): 1 M 64-byte UDP frames over 100 k concurrent flows, no features.
use std::{io::BufWriter, path::PathBuf, time::Duration};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sluice::{
    engine::offline::{run_read, ReadOptions},
    flow::FlowTableConfig,
};
use sluice_bench::{
    frame::{udp_frame, UdpTemplate},
    pcap_write::{write_header, write_record},
};

const PACKETS: u64 = 1_000_000;
const FLOWS: u64 = 100_000;

/// Writes the benchmark capture once (1 µs between frames, flows visited round-robin).
fn capture() -> PathBuf {
    let path = std::env::temp_dir().join("sluice-bench-read-1M-64B.pcap");
    if path.exists() {
        return path;
    }
    let frames: Vec<Vec<u8>> = (0..FLOWS)
        .map(|i| {
            let t = UdpTemplate {
                dst_mac: [2, 0, 0, 0, 0, 2],
                src_mac: [2, 0, 0, 0, 0, 1],
                src: std::net::Ipv4Addr::from(0x0a00_0000 | (i >> 8) as u32),
                dst: std::net::Ipv4Addr::new(10, 200, 0, 1),
                sport: 1024 + (i & 0xff) as u16,
                dport: 53,
            };
            udp_frame(&t, 60)
        })
        .collect();
    let tmp = path.with_extension("tmp");
    let mut w = BufWriter::new(std::fs::File::create(&tmp).expect("create capture"));
    write_header(&mut w, 1).expect("write");
    for n in 0..PACKETS {
        let f = &frames[(n % FLOWS) as usize];
        write_record(&mut w, 1_700_000_000_000_000_000 + n * 1_000, f).expect("write");
    }
    drop(w);
    std::fs::rename(&tmp, &path).expect("rename");
    path
}

fn bench(c: &mut Criterion) {
    let path = capture();
    let mut g = c.benchmark_group("read");
    g.throughput(Throughput::Elements(PACKETS));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("pcap_1M_64B_100k_flows", |b| {
        b.iter(|| {
            let report = run_read(ReadOptions {
                files: vec![path.clone()],
                table: FlowTableConfig {
                    max_flows: 1 << 20,
                    ..FlowTableConfig::default()
                },
                policy: Default::default(),
                features: Default::default(),
                anon: None,
                output: Some(sluice::export::output::RecordOutput::Stream(Box::new(
                    std::io::sink(),
                ))),
                ipfix: None,
                kafka: None,
                zmq: None,
                progress: false,
                filter: None,
                metrics: None,
                // Dropping would leave this benchmark process without them.
                privileges: sluice::privileges::PrivilegePlan::Keep,
                threads: 1,
            })
            .expect("read");
            assert_eq!(report.table.packets, PACKETS);
            report
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
