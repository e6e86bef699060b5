//! Criterion benchmarks of the flow table alone (packets already decoded): lookup of
//! existing flows, and steady-state insert + expire, at 1 k, 100 k and 1 M concurrent
//! flows.
use std::{hint::black_box, time::Duration};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sluice::{
    decode::Packet,
    flow::{FlowTableConfig, Timestamp},
    policy::FlowTable,
};

/// UDP packet of flow `i` (distinct source address and port per flow).
fn packet(i: u64) -> Packet {
    let mut src = [0u8; 16];
    src[..4].copy_from_slice(&(0x0a00_0000u32 | (i >> 8) as u32).to_be_bytes());
    let mut dst = [0u8; 16];
    dst[..4].copy_from_slice(&[10, 200, 0, 1]);
    Packet {
        ip_version: 4,
        src,
        dst,
        proto: sluice::decode::IpProto(17),
        sport: 1024 + (i & 0xff) as u16,
        dport: 53,
        ip_len: 46,
        payload_offset: 42,
        payload_len: 18,
        ..Packet::default()
    }
}

/// A fixed pseudo-random visiting order of `n` flows.
fn order(n: u64) -> Vec<u64> {
    let mut v: Vec<u64> = (0..n).collect();
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for i in (1..v.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
    v
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("flow_table");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(3));
    for n in [1_000u64, 100_000, 1_000_000] {
        let pkts: Vec<Packet> = order(n).into_iter().map(packet).collect();
        let mut table: FlowTable = FlowTable::new(FlowTableConfig {
            max_flows: n as usize,
            idle_timeout: Duration::from_secs(1 << 30),
            active_timeout: Duration::from_secs(1 << 30),
            ..FlowTableConfig::default()
        });
        let mut t = 1u64 << 50;
        for p in &pkts {
            table.process(p, &[], 60, Timestamp(t));
        }
        let mut i = 0usize;
        g.bench_function(format!("lookup_{n}_flows"), |b| {
            b.iter(|| {
                let p = &pkts[i % pkts.len()];
                i += 1;
                t += 10;
                black_box(table.process(p, &[], 60, Timestamp(t)))
            })
        });

        // Steady state: every packet starts a new flow and one flow expires per packet
        // (idle timeout = n packets of 10 ns), housekeeping every 1024 packets.
        let mut table: FlowTable = FlowTable::new(FlowTableConfig {
            max_flows: n as usize + 2048,
            idle_timeout: Duration::from_nanos(n * 10),
            active_timeout: Duration::from_secs(1 << 30),
            ..FlowTableConfig::default()
        });
        let mut k = 0u64;
        let mut t = 1u64 << 50;
        g.bench_function(format!("insert_expire_{n}_flows"), |b| {
            b.iter(|| {
                k += 1;
                t += 10;
                let h = table.process(&packet(k << 8 | (k & 0xff)), &[], 60, Timestamp(t));
                if k.is_multiple_of(1024) {
                    table.housekeeping(Timestamp(t));
                    table.drain_exported().for_each(|r| {
                        black_box(r);
                    });
                }
                black_box(h)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
