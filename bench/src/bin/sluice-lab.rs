//! `sluice-lab`: the generator, the demo and the live benchmark (driven by `cargo xtask`).
use std::net::Ipv4Addr;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use sluice_bench::{
    frame::{udp_frame, UdpTemplate},
    gen::{flow_chunks, pin_to_cpu, GenRun, Generator},
};

#[derive(Parser)]
#[command(
    name = "sluice-lab",
    about = "Sluice's traffic generator, demo and live benchmark"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Inject UDP frames out of a veth (its peer receives them) with BPF_PROG_TEST_RUN.
    Gen(GenArgs),
    /// Run the demo: namespaces, generator flows and a real TCP exchange, captured by Sluice.
    Demo(sluice_bench::demo::DemoArgs),
    /// Live benchmark: XDP_DROP ceiling vs sluice capture vs AF_PACKET on one generator.
    Live(sluice_bench::live::LiveArgs),
    /// Soak: a long capture of a churning flow mix; RSS, fds, records and drops a minute.
    Soak(sluice_bench::soak::SoakArgs),
    /// Peak RSS and throughput of `sluice read` on a flood of one-packet flows.
    Memory(sluice_bench::memory::MemoryArgs),
    /// `sluice read` side by side with softflowd, argus and nfstream on three captures.
    Offline(sluice_bench::offline::OfflineArgs),
    /// `sluice read --features all` to /dev/null, to Kafka (tansu) and over ZMQ, side by side.
    Outputs(sluice_bench::outputs::OutputsArgs),
    /// Write the large mixed capture (the corpus replayed with shifted addresses).
    Mixed(MixedArgs),
}

#[derive(clap::Args)]
struct MixedArgs {
    /// The shared corpus directory.
    #[arg(long)]
    corpus: std::path::PathBuf,
    /// How many times to replay it.
    #[arg(long, default_value_t = 20)]
    rounds: u8,
    /// Output pcap.
    out: std::path::PathBuf,
}

#[derive(clap::Args)]
struct GenArgs {
    /// veth to transmit from (in the current network namespace).
    #[arg(short, long)]
    interface: String,
    /// Distinct flows (UDP source ports base..base+flows; past 50,000 flows the next
    /// 50,000 go to the next destination port, and so on).
    #[arg(long, default_value_t = 1)]
    flows: u32,
    /// Frames to send in total (spread evenly over the flows).
    #[arg(long, default_value_t = 1000)]
    frames: u64,
    /// Frames per second in exact mode (default: bursts of 64 every 500 µs).
    #[arg(long)]
    rate: Option<u64>,
    /// Frame size in bytes without FCS (60 = 64 on the wire).
    #[arg(long, default_value_t = 60)]
    size: usize,
    /// CPU to send from (selects the receiving veth queue).
    #[arg(long)]
    cpu: Option<usize>,
    /// Exact mode: small paced bursts, no receiver overflow.
    #[arg(long)]
    exact: bool,
    #[arg(long, default_value = "10.99.0.1")]
    src: Ipv4Addr,
    #[arg(long, default_value = "10.99.0.2")]
    dst: Ipv4Addr,
    #[arg(long, default_value_t = 10000)]
    sport: u16,
    #[arg(long, default_value_t = 9)]
    dport: u16,
}

fn gen(a: GenArgs) -> Result<()> {
    if let Some(cpu) = a.cpu {
        pin_to_cpu(cpu)?;
    }
    let ifindex = sluice::netdev::ifindex(&a.interface)?;
    let src_mac = sluice::netdev::mac(&a.interface)
        .with_context(|| format!("reading the MAC address of {}", a.interface))?;
    let t = UdpTemplate {
        dst_mac: [0x02, 0, 0, 0, 0, 0x02],
        src_mac,
        src: a.src,
        dst: a.dst,
        sport: a.sport,
        dport: a.dport,
    };
    let mut g = Generator::load()?;
    let chunks = flow_chunks(a.flows.max(1), a.dport);
    let (mut sent, mut seconds) = (0u64, 0f64);
    for (i, &(dport, flows)) in chunks.iter().enumerate() {
        // Frames spread over the chunks by their share of the flows.
        let frames = if i + 1 == chunks.len() {
            a.frames - sent
        } else {
            a.frames * u64::from(flows) / u64::from(a.flows.max(1))
        };
        let r = g.run(&GenRun {
            ifindex,
            frame: udp_frame(&UdpTemplate { dport, ..t }, a.size),
            udp_offset: 34,
            flows,
            base_sport: a.sport,
            frames,
            exact: a.exact,
            rate: a.rate,
        })?;
        sent += r.sent;
        seconds += r.seconds;
    }
    println!(
        "{{\"sent\":{},\"seconds\":{:.6},\"mpps\":{:.3}}}",
        sent,
        seconds,
        sent as f64 / seconds.max(1e-9) / 1e6
    );
    Ok(())
}

fn main() {
    let res = match Cli::parse().cmd {
        Cmd::Gen(a) => gen(a),
        Cmd::Demo(a) => sluice_bench::demo::run(a),
        Cmd::Live(a) => sluice_bench::live::run(a),
        Cmd::Soak(a) => sluice_bench::soak::run(a),
        Cmd::Memory(a) => sluice_bench::memory::run(a),
        Cmd::Offline(a) => sluice_bench::offline::run(a),
        Cmd::Outputs(a) => sluice_bench::outputs::run(a),
        Cmd::Mixed(a) => sluice_bench::mixed::build(&a.corpus, a.rounds, &a.out).map(|m| {
            println!(
                "{}: {} packets, {} bytes",
                a.out.display(),
                m.packets,
                m.bytes
            );
        }),
    };
    if let Err(e) = res {
        eprintln!("sluice-lab: error: {e:#}");
        std::process::exit(1);
    }
}
