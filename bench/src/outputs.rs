//! `cargo xtask bench outputs`: what the pipeline outputs cost. `sluice read
//! --features all` on the big capture (built by `bench offline`, cached),
//! three ways in one run: JSON lines to /dev/null; every record produced to a
//! local Kafka-protocol broker (tansu with SQLite storage, as the tests run
//! it); every flow exported over ZMQ (nDPI TLV, compressed) to a pyzmq
//! subscriber that receives every message. Records/s of wall time and the
//! CPU seconds of Sluice's process (the broker's and subscriber's are their
//! own), medians of `--runs`, and each output's ratio to /dev/null. The Kafka
//! run's producer queue holds every record and the run waits until the
//! broker has them all, so its wall time is the broker's pace when that is
//! slower than Sluice (tansu on SQLite is): its CPU time is Sluice's cost.
//! With `acks=all` (idempotent) librdkafka sends one produce request at a
//! time and its broker thread spins while a slow broker acknowledges
//! (confluentinc/librdkafka#4989), so `acks=1` is measured too.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::kafka_broker::Broker;
use crate::offline::{self, measure, median, workspace, InputKind, Measure, OfflineArgs, Outputs};

/// Options of `sluice-lab outputs`.
#[derive(clap::Args, Debug)]
pub struct OutputsArgs {
    /// The `sluice` binary measured.
    #[arg(long)]
    pub sluice: PathBuf,
    /// Runs of each output (the table shows medians).
    #[arg(long, default_value_t = 3)]
    pub runs: u32,
    /// The results as JSON (default: `target/bench-outputs.json`).
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// An output measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    DevNull,
    Kafka,
    KafkaAcks1,
    KafkaLz4,
    Zmq,
}

impl Output {
    const ALL: [Output; 5] = [
        Output::DevNull,
        Output::Kafka,
        Output::KafkaAcks1,
        Output::KafkaLz4,
        Output::Zmq,
    ];

    fn label(self) -> &'static str {
        match self {
            Output::DevNull => "JSON to /dev/null",
            Output::Kafka => "Kafka (tansu, acks=all)",
            Output::KafkaAcks1 => "Kafka (tansu, acks=1)",
            Output::KafkaLz4 => "Kafka (tansu, acks=1, lz4)",
            Output::Zmq => "ZMQ (TLV, zlib) to a subscriber",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Output::DevNull => "devnull",
            Output::Kafka => "kafka",
            Output::KafkaAcks1 => "kafka_acks1",
            Output::KafkaLz4 => "kafka_acks1_lz4",
            Output::Zmq => "zmq",
        }
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A pyzmq subscriber connected to `argv[1]`: it receives every message until
/// the stats message Sluice sends at the end (the run sets a stats interval
/// longer than itself), and prints how many.
const SUBSCRIBER: &str = "\
import sys, zmq
s = zmq.Context().socket(zmq.SUB)
s.setsockopt(zmq.RCVBUF, 8388608)
s.setsockopt(zmq.SUBSCRIBE, b'')
s.connect(sys.argv[1])
print('ready', flush=True)
n = 0
while True:
    f = s.recv_multipart()
    n += 1
    if f[0].startswith(b'event'):
        break
print(n)
";

/// Runs the benchmark and prints the table.
pub fn run(a: OutputsArgs) -> Result<()> {
    let dir = workspace().join("target/bench-offline");
    std::fs::create_dir_all(&dir)?;
    let offline_args = OfflineArgs {
        sluice: a.sluice.clone(),
        runs: 1,
        inputs: vec![InputKind::Big],
        skip_nfstream: true,
        corpus: None,
        big_packets: 3_000_000,
        dir: Some(dir.clone()),
        json: None,
        python: None,
    };
    let input = offline::ensure_input(InputKind::Big, &dir, &offline_args)?;
    let broker_dir = dir.join("tansu");
    let _ = std::fs::remove_dir_all(&broker_dir);
    std::fs::create_dir_all(&broker_dir)?;
    let kafka_port = free_port()?;
    let _broker = Broker::start(None, kafka_port, &broker_dir)?;
    Broker::create_topic(None, kafka_port, "flows", 3)?;
    let python = workspace().join("target/venv-tests/bin/python");
    let out = Outputs {
        stdout: dir.join("outputs.stdout"),
        stderr: dir.join("outputs.stderr"),
    };
    let mut runs: Vec<(Output, Vec<Measure>, u64)> =
        Output::ALL.iter().map(|&o| (o, Vec::new(), 0)).collect();
    for _ in 0..a.runs.max(1) {
        // Interleaved, so a slower minute of this shared machine hits every output.
        for (o, measures, records) in &mut runs {
            let mut cmd = Command::new(&a.sluice);
            cmd.args(["read", "--no-progress", "--features", "all"]);
            let mut subscriber = None;
            match o {
                Output::DevNull => {
                    cmd.args(["-o", "/dev/null"]);
                }
                Output::Kafka | Output::KafkaAcks1 | Output::KafkaLz4 => {
                    if *o != Output::Kafka {
                        cmd.args(["--kafka-acks", "1"]);
                    }
                    if *o == Output::KafkaLz4 {
                        cmd.args(["--kafka-compression", "lz4"]);
                    }
                    // Room for every record, and time to deliver them: the
                    // run ends when the broker has them all.
                    cmd.args(["--kafka", &format!("127.0.0.1:{kafka_port}/flows")]);
                    cmd.args(["--kafka-queue", "4000000", "--kafka-flush-timeout", "900"]);
                }
                Output::Zmq => {
                    let port = free_port()?;
                    let endpoint = format!("tcp://127.0.0.1:{port}");
                    let mut sub = Command::new(&python)
                        .args(["-c", SUBSCRIBER, &endpoint])
                        .stdout(Stdio::piped())
                        .spawn()
                        .context("starting the ZMQ subscriber (target/venv-tests, from `cargo xtask setup`)")?;
                    let mut line = String::new();
                    let stdout = sub.stdout.as_mut().context("subscriber stdout")?;
                    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
                    cmd.args([
                        "--zmq",
                        &endpoint,
                        "--zmq-wait",
                        "20",
                        "--zmq-stats-interval",
                        "3600",
                    ]);
                    subscriber = Some(sub);
                }
            }
            cmd.arg(&input.path);
            let (m, status) = measure(&mut cmd, &out)?;
            let stderr = std::fs::read_to_string(&out.stderr).unwrap_or_default();
            if status != 0 {
                bail!("{}: sluice exited with {status}: {stderr}", o.label());
            }
            if let Some(sub) = subscriber {
                let got = sub.wait_with_output()?;
                if !got.status.success() {
                    bail!("the ZMQ subscriber failed");
                }
            }
            *records = offline::number_after(&stderr, " created, ").unwrap_or(0);
            let lost = stderr.contains("data was lost");
            if lost {
                bail!("{}: records were lost: {stderr}", o.label());
            }
            measures.push(m);
        }
    }
    println!(
        "\nsluice read --features all on big ({} packets), median of {} runs",
        input.packets,
        a.runs.max(1)
    );
    println!(
        "{:<34} {:>12} {:>10} {:>10} {:>14}",
        "output", "records/s", "wall s", "CPU s", "vs /dev/null"
    );
    let base = median(&runs[0].1);
    let mut results = serde_json::Map::new();
    for (o, measures, records) in &runs {
        let m = median(measures);
        let rate = *records as f64 / m.wall.as_secs_f64().max(1e-9);
        let ratio = m.wall.as_secs_f64() / base.wall.as_secs_f64().max(1e-9);
        println!(
            "{:<34} {:>12.0} {:>10.2} {:>10.2} {:>13.2}x",
            o.label(),
            rate,
            m.wall.as_secs_f64(),
            m.cpu.as_secs_f64(),
            ratio
        );
        results.insert(
            o.key().into(),
            json!({
                "records": records,
                "records_per_s": rate,
                "wall_s": m.wall.as_secs_f64(),
                "cpu_s": m.cpu.as_secs_f64(),
                "wall_vs_devnull": ratio,
                "cpu_vs_devnull": m.cpu.as_secs_f64() / base.cpu.as_secs_f64().max(1e-9),
            }),
        );
    }
    let path = a
        .json
        .unwrap_or_else(|| workspace().join("target/bench-outputs.json"));
    let doc = json!({ "input": input.path.display().to_string(), "packets": input.packets, "runs": a.runs, "outputs": results });
    std::fs::write(&path, serde_json::to_string_pretty(&doc)? + "\n")?;
    println!("\nresults: {}", path.display());
    Ok(())
}
