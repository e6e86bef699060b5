//! `cargo xtask bench live`: one run, one generator, five receivers on the same veth:
//! the XDP_DROP ceiling, the bare AF_XDP loop (`sluice capture --bench-bare-loop`: the
//! same program, sockets and rings, receiving and refilling only: the copy-mode
//! ceiling), `sluice capture` (AF_XDP + flow tracking), `sluice capture` with every
//! flow shunted after N packets (verdicts in the XDP program), and AF_PACKET
//! (`tcpdump -w /dev/null`). Then, on payload-carrying frames (`--features-size`),
//! the bare loop again and `sluice capture --features all`. Prints rates and ratios;
//! the machine is shared and noisy, so only ratios measured side by side mean
//! anything.
use std::{path::PathBuf, process::Stdio, thread, time::Duration};

use anyhow::{anyhow, bail, Context, Result};
use aya::{
    maps::PerCpuArray,
    programs::{Xdp, XdpMode},
    Ebpf,
};
use serde_json::json;
use sluice_common::{DROP_COUNTER_MAP, DROP_PROG};

use crate::{
    frame::UdpTemplate,
    gen::{send_in_netns, GenResult, UdpLoad},
    lab::{Lab, MON_IF, TAP_IF},
    netns::in_netns,
    objects::GEN_OBJECT,
    scenario::start_sluice,
};

/// Options of the live benchmark.
#[derive(clap::Args, Debug)]
pub struct LiveArgs {
    /// The `sluice` binary.
    #[arg(long)]
    pub sluice: PathBuf,
    /// Frames per measurement.
    #[arg(long, default_value_t = 5_000_000)]
    pub frames: u64,
    /// Concurrent flows the generator cycles through.
    #[arg(long, default_value_t = 1024)]
    pub flows: u32,
    /// Frame size without FCS (60 = 64 B on the wire).
    #[arg(long, default_value_t = 60)]
    pub size: usize,
    /// Where to write the results as JSON.
    #[arg(long, default_value = "target/bench-live.json")]
    pub json: PathBuf,
    /// Working directory.
    #[arg(long, default_value = "target/bench-live")]
    pub dir: PathBuf,
    /// Packets each flow may have before it is shunted, in the shunted run.
    #[arg(long, default_value_t = 20)]
    pub shunt: u64,
    /// Frame size of the runs with every feature on (payload for the features).
    #[arg(long, default_value_t = 300)]
    pub features_size: usize,
    /// Concurrent flows of the runs with every feature on.
    #[arg(long, default_value_t = 60_000)]
    pub features_flows: u32,
    /// An extra argument for every `sluice capture` run (repeatable), e.g.
    /// `--sluice-arg=--queues --sluice-arg=1`.
    #[arg(long, allow_hyphen_values = true)]
    pub sluice_arg: Vec<String>,
    /// Run the monitor veth's NAPI in a kernel thread (`/sys/class/net/DEV/threaded`)
    /// instead of in the softirq of the CPU that sent the frame.
    #[arg(long)]
    pub threaded_napi: bool,
    /// With `--threaded-napi`: pin the NAPI threads to this CPU (and give Sluice's
    /// threads the other CPUs with `--sluice-arg=--cpus --sluice-arg=LIST`).
    #[arg(long, requires = "threaded_napi")]
    pub napi_cpu: Option<usize>,
}

/// What the generator sends: frames of `size` bytes over `flows` flows.
#[derive(Clone, Copy, Debug)]
struct Load {
    size: usize,
    flows: u32,
}

fn generate(ns: &str, a: &LiveArgs, load: Load) -> Result<GenResult> {
    let template = UdpTemplate {
        dst_mac: [0x02, 0, 0, 0, 0, 0x02],
        src_mac: [0x02, 0, 0, 0, 0, 0x01],
        src: "10.98.0.1".parse()?,
        dst: "10.98.0.2".parse()?,
        sport: 30000,
        dport: 9,
    };
    send_in_netns(
        ns,
        TAP_IF,
        0,
        UdpLoad {
            template,
            size: load.size,
            flows: load.flows,
            frames: a.frames,
            exact: false,
        },
    )
}

/// XDP_DROP on the monitor interface: frames the kernel path can take per second.
fn xdp_drop(lab: &Lab, a: &LiveArgs, load: Load) -> Result<(GenResult, u64)> {
    let ns = lab.client.name().to_string();
    let mut ebpf = in_netns(&ns, || {
        let mut ebpf = Ebpf::load(GEN_OBJECT)?;
        let prog: &mut Xdp = ebpf
            .program_mut(DROP_PROG)
            .ok_or_else(|| anyhow!("no drop prog"))?
            .try_into()?;
        prog.load()?;
        prog.attach(MON_IF, XdpMode::Driver)
            .context("attaching XDP_DROP")?;
        Ok(ebpf)
    })?;
    let r = generate(&ns, a, load)?;
    let counter: PerCpuArray<_, u64> = PerCpuArray::try_from(
        ebpf.map_mut(DROP_COUNTER_MAP)
            .ok_or_else(|| anyhow!("no map"))?,
    )?;
    let dropped: u64 = counter.get(&0, 0)?.iter().sum();
    drop(ebpf);
    Ok((r, dropped))
}

/// `sluice capture` on the monitor interface, with `extra` arguments.
fn sluice_capture(
    lab: &Lab,
    a: &LiveArgs,
    load: Load,
    extra: &[&str],
) -> Result<(GenResult, serde_json::Value)> {
    std::fs::create_dir_all(&a.dir)?;
    let mut args: Vec<&str> = a.sluice_arg.iter().map(String::as_str).collect();
    args.extend_from_slice(extra);
    let (s, err) = start_sluice(&lab.client, &a.sluice, &a.dir, &args)?;
    let r = generate(lab.client.name(), a, load)?;
    thread::sleep(Duration::from_millis(500));
    let status = s.stop()?;
    let stderr = err.join().unwrap_or_default();
    // Exit status 3: the run went to its end but lost data inside Sluice (the reason
    // is its last line): a result to report, not a failure of the benchmark.
    if !status.success() && status.code() != Some(3) {
        bail!("sluice failed: {stderr}");
    }
    eprint!("{stderr}");
    let stats = serde_json::from_str(&std::fs::read_to_string(a.dir.join("stats.json"))?)?;
    Ok((r, stats))
}

/// Frames the capture's workers took from their rings.
fn queue_frames(stats: &serde_json::Value) -> u64 {
    stats["queues"]
        .as_array()
        .map(|q| q.iter().filter_map(|x| x["frames"].as_u64()).sum())
        .unwrap_or(0)
}

/// User + system CPU time of the capture process.
fn cpu_seconds(stats: &serde_json::Value) -> f64 {
    stats["cpu"]["user_s"].as_f64().unwrap_or(0.0)
        + stats["cpu"]["system_s"].as_f64().unwrap_or(0.0)
}

/// AF_PACKET baseline: `tcpdump -w /dev/null -s 96`, counting what it captured.
fn af_packet(lab: &Lab, a: &LiveArgs, load: Load) -> Result<(GenResult, u64, u64)> {
    // Frames from ndo_xdp_xmit reach a veth without an XDP program only with GRO on.
    lab.client.exec(&["ethtool", "-K", MON_IF, "gro", "on"])?;
    let mut cmd = lab
        .client
        .command(&["tcpdump", "-i", MON_IF, "-s", "96", "-w", "/dev/null"]);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let child = cmd.spawn().context("starting tcpdump")?;
    thread::sleep(Duration::from_millis(1500));
    let r = generate(lab.client.name(), a, load);
    thread::sleep(Duration::from_millis(500));
    // SAFETY: kill(2) on our child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output()?;
    let r = r?;
    let text = String::from_utf8_lossy(&out.stderr);
    let num = |what: &str| -> u64 {
        text.lines()
            .find(|l| l.contains(what))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    Ok((r, num("packets captured"), num("packets dropped by kernel")))
}

/// One capture run's result: frames received by the workers per second.
struct Received {
    gen: GenResult,
    stats: serde_json::Value,
    frames: u64,
    /// Frames per second.
    pps: f64,
}

impl Received {
    fn json(&self) -> serde_json::Value {
        json!({
            "mpps": self.pps / 1e6,
            "received": self.frames,
            "sent": self.gen.sent,
            "seconds": self.gen.seconds,
            "cpu_seconds": cpu_seconds(&self.stats),
            "drops": self.stats["drops"],
        })
    }

    fn print(&self, name: &str) {
        println!(
            "  {name:<17}: {:>8.3} Mpps ({} of {} frames in {:.2} s), cpu {:.2} s, drops {}",
            self.pps / 1e6,
            self.frames,
            self.gen.sent,
            self.gen.seconds,
            cpu_seconds(&self.stats),
            self.stats["drops"]
        );
    }
}

/// `sluice capture` with `extra` arguments on `load`, rated by what its workers took.
fn received(lab: &Lab, a: &LiveArgs, load: Load, extra: &[&str]) -> Result<Received> {
    let (gen, stats) = sluice_capture(lab, a, load, extra)?;
    let frames = queue_frames(&stats);
    Ok(Received {
        pps: frames as f64 / gen.seconds,
        gen,
        stats,
        frames,
    })
}

/// Turns on threaded NAPI for the monitor veth and, when asked, pins its NAPI
/// threads (`napi/mon0-N`, one per rx queue) to one CPU. Returns their pids.
/// A veth has NAPI instances only while GRO or an XDP program is on; GRO stays on
/// for the whole run, so that the threads (and their pinning) outlive each
/// receiver's attach and detach. XDP runs before GRO, so the XDP receivers see
/// the same frames.
fn threaded_napi(lab: &Lab, cpu: Option<usize>) -> Result<Vec<u32>> {
    lab.client.exec(&["ethtool", "-K", MON_IF, "gro", "on"])?;
    let path = format!("/sys/class/net/{MON_IF}/threaded");
    lab.client
        .exec(&["sh", "-c", &format!("echo 1 > {path}")])
        .context("turning on threaded NAPI")?;
    let pids = napi_threads()?;
    if pids.is_empty() {
        bail!("threaded NAPI is on but no napi/{MON_IF}-* thread was found");
    }
    if let Some(cpu) = cpu {
        for pid in &pids {
            crate::netns::run(&["taskset", "-pc", &cpu.to_string(), &pid.to_string()])
                .with_context(|| format!("pinning NAPI thread {pid} to CPU{cpu}"))?;
        }
    }
    Ok(pids)
}

/// Pids of the kernel threads running the monitor veth's NAPI.
fn napi_threads() -> Result<Vec<u32>> {
    let prefix = format!("napi/{MON_IF}-");
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        let entry = entry?;
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if comm.trim_end().starts_with(&prefix) {
            pids.push(pid);
        }
    }
    Ok(pids)
}

/// Runs the measurements and prints the ratios.
pub fn run(a: LiveArgs) -> Result<()> {
    let lab = Lab::new(&format!("slbench{}", std::process::id() % 10000))?;
    if a.threaded_napi {
        let pids = threaded_napi(&lab, a.napi_cpu)?;
        println!(
            "threaded NAPI on {MON_IF}: threads {pids:?}{}",
            a.napi_cpu
                .map(|c| format!(", pinned to CPU{c}"))
                .unwrap_or_default()
        );
    }
    let load = Load {
        size: a.size,
        flows: a.flows,
    };
    let payload = Load {
        size: a.features_size,
        flows: a.features_flows,
    };
    println!("live benchmark: {} frames of {} B over {} flows, generator on CPU0 (BPF_PROG_TEST_RUN live frames)", a.frames, a.size, a.flows);

    let (g_drop, dropped) = xdp_drop(&lab, &a, load)?;
    let drop_rate = dropped as f64 / g_drop.seconds;
    println!(
        "  XDP_DROP ceiling : {:>8.3} Mpps ({} of {} frames in {:.2} s)",
        drop_rate / 1e6,
        dropped,
        g_drop.sent,
        g_drop.seconds
    );

    let bare = received(&lab, &a, load, &["--bench-bare-loop"])?;
    bare.print("AF_XDP bare loop");
    let sl = received(&lab, &a, load, &[])?;
    sl.print("sluice capture");

    // Every flow shunted after `shunt` packets: the verdicts move into the XDP program,
    // which then drops and counts the rest. What the kernel handles is the rate.
    let rules = a.dir.join("shunt.toml");
    std::fs::create_dir_all(&a.dir)?;
    std::fs::write(&rules, format!("[shunt]\nudp = {}\n", a.shunt))?;
    let rules = rules.to_str().unwrap_or_default().to_string();
    let (g_sh, sh_stats) = sluice_capture(&lab, &a, load, &["-c", &rules])?;
    let sh_kernel = sh_stats["xdp"]["total"]["frames"].as_u64().unwrap_or(0);
    let sh_user = queue_frames(&sh_stats);
    let sh_rate = sh_kernel as f64 / g_sh.seconds;
    println!(
        "  sluice shunted   : {:>8.3} Mpps ({} of {} frames in {:.2} s; {} reached userspace, \
         {} dropped by verdict), cpu {:.2} s",
        sh_rate / 1e6,
        sh_kernel,
        g_sh.sent,
        g_sh.seconds,
        sh_user,
        sh_stats["xdp"]["total"]["verdict_dropped"],
        cpu_seconds(&sh_stats),
    );

    let (g_pk, captured, kdrop) = af_packet(&lab, &a, load)?;
    let pk_rate = captured as f64 / g_pk.seconds;
    println!(
        "  AF_PACKET tcpdump: {:>8.3} Mpps ({} of {} frames in {:.2} s, {} dropped by kernel)",
        pk_rate / 1e6,
        captured,
        g_pk.sent,
        g_pk.seconds,
        kdrop
    );
    // tcpdump turned GRO on; the XDP receivers want it as the lab set it (threaded
    // NAPI keeps it on).
    if !a.threaded_napi {
        lab.client.exec(&["ethtool", "-K", MON_IF, "gro", "off"])?;
    }

    println!(
        "  with every feature, {} B frames over {} flows:",
        payload.size, payload.flows
    );
    let bare_payload = received(&lab, &a, payload, &["--bench-bare-loop"])?;
    bare_payload.print("AF_XDP bare loop");
    let feat = received(&lab, &a, payload, &["--features", "all"])?;
    feat.print("sluice --features");

    let r_pk = sl.pps / pk_rate.max(1.0);
    let r_drop = sl.pps / drop_rate.max(1.0);
    let r_shunt = sh_rate / drop_rate.max(1.0);
    let r_loop = sl.pps / bare.pps.max(1.0);
    let r_feat = feat.pps / bare_payload.pps.max(1.0);
    println!(
        "  ratios: sluice/bare loop = {:.0}%, features/bare loop = {:.0}%, sluice/XDP_DROP = {:.0}%, \
         shunted/XDP_DROP = {:.0}%, sluice/AF_PACKET = {r_pk:.2}x",
        r_loop * 100.0,
        r_feat * 100.0,
        r_drop * 100.0,
        r_shunt * 100.0
    );
    let result = json!({
        "frames": a.frames, "frame_size": a.size, "flows": a.flows,
        "threaded_napi": a.threaded_napi, "napi_cpu": a.napi_cpu, "sluice_args": a.sluice_arg,
        "features_frame_size": payload.size, "features_flows": payload.flows,
        "xdp_drop": { "mpps": drop_rate / 1e6, "received": dropped, "sent": g_drop.sent, "seconds": g_drop.seconds },
        "afxdp_loop": bare.json(),
        "sluice": sl.json(),
        "afxdp_loop_features_size": bare_payload.json(),
        "sluice_features": feat.json(),
        "af_packet": { "mpps": pk_rate / 1e6, "captured": captured, "kernel_dropped": kdrop, "sent": g_pk.sent, "seconds": g_pk.seconds },
        "sluice_shunted": { "shunt_after": a.shunt, "mpps": sh_rate / 1e6, "kernel_frames": sh_kernel, "userspace_frames": sh_user, "sent": g_sh.sent, "seconds": g_sh.seconds, "cpu_seconds": cpu_seconds(&sh_stats), "drops": sh_stats["drops"] },
        "ratio_sluice_afxdp_loop": r_loop,
        "ratio_features_afxdp_loop": r_feat,
        "ratio_sluice_af_packet": r_pk,
        "ratio_sluice_xdp_drop": r_drop,
        "ratio_shunted_xdp_drop": r_shunt,
    });
    if let Some(p) = a.json.parent() {
        std::fs::create_dir_all(p)?;
    }
    std::fs::write(&a.json, serde_json::to_string_pretty(&result)? + "\n")?;
    println!("  results: {}", a.json.display());
    Ok(())
}
