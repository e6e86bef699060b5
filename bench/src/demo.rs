//! `cargo xtask demo`: the main job on a bundled default. Builds the lab, sends a known
//! mix (UDP flows from the generator on every CPU, plus curl fetching a file from a
//! python http.server), captures it with `sluice capture` through XDP/AF_XDP on the
//! monitor port, prints the flows and checks every count against what was sent.
use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::scenario::{self, Spec};

/// Options of the demo.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// The `sluice` binary to run.
    #[arg(long)]
    pub sluice: PathBuf,
    /// Directory for the outputs (flows.json, stats.json, client.pcap).
    #[arg(long, default_value = "target/demo")]
    pub dir: PathBuf,
    /// UDP flows per CPU.
    #[arg(long, default_value_t = 4)]
    pub flows: u32,
    /// Frames per UDP flow.
    #[arg(long, default_value_t = 250)]
    pub frames: u64,
}

/// Runs the demo.
pub fn run(a: DemoArgs) -> Result<()> {
    let ncpu = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let spec = Spec {
        sluice: a.sluice,
        dir: a.dir.clone(),
        tag: format!("sldemo{}", std::process::id() % 10000),
        cpus: (0..ncpu.min(4)).collect(),
        flows_per_cpu: a.flows,
        frames_per_flow: a.frames,
        frame_size: 128,
        http_bytes: 1_000_000,
    };
    println!(
        "demo: lab namespaces {0}c/{0}s; sending {1} UDP flows x {2} frames from CPUs {3:?} and an HTTP download of {4} bytes; sluice captures on the monitor port mon0",
        spec.tag, spec.flows_per_cpu, spec.frames_per_flow, spec.cpus, spec.http_bytes
    );
    let out = scenario::run(&spec)?;
    eprint!("{}", out.sluice_stderr);
    println!(
        "\nflows captured by sluice ({}):",
        a.dir.join("flows.json").display()
    );
    for f in &out.flows {
        println!("{f}");
    }
    println!("\ncheck against what was sent (tcpdump on the client side for TCP):");
    let mut bad = 0;
    for e in &out.expected {
        let line = format!(
            "{}:{} -> {}:{} proto {}: sent out {}/{} B in {}/{} B",
            e.sa,
            e.sp,
            e.da,
            e.dp,
            e.pr,
            e.out.packets,
            e.out.wire_bytes,
            e.inb.packets,
            e.inb.wire_bytes
        );
        match scenario::find(&out.flows, e) {
            None => {
                bad += 1;
                println!("  MISSING  {line}");
            }
            Some(f) => {
                let m = scenario::mismatches(f, e);
                if m.is_empty() {
                    println!("  OK       {line}");
                } else {
                    bad += 1;
                    println!("  MISMATCH {line}: {}", m.join(", "));
                }
            }
        }
    }
    println!("drops per stage: {}", out.stats["drops"]);
    if out.tap_tx_dropped > 0 {
        println!(
            "note: the monitor pair dropped {} frames before XDP (machine overloaded)",
            out.tap_tx_dropped
        );
    }
    if bad > 0 {
        bail!("{bad} flow(s) did not match what was sent");
    }
    println!("demo: all {} flows match what was sent", out.expected.len());
    Ok(())
}
