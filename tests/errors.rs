//! Bad input: each error is one line naming the cause and the fix, the exit status is
//! non-zero, and nothing is left attached.
use std::process::{Command, Output};

use sluice_bench::{
    lab::{Lab, MON_IF, TAP_IF},
    scenario,
};
use sluice_tests::{require_root, scratch, sluice_bin, tag};

fn capture_in(ns: &str, args: &[&str]) -> Output {
    Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(sluice_bin())
        .arg("capture")
        .args(args)
        .args(["--duration", "1", "--output", "/dev/null"])
        .output()
        .expect("running sluice")
}

fn error_line(o: &Output) -> String {
    assert!(!o.status.success(), "must fail: {o:?}");
    let e = String::from_utf8_lossy(&o.stderr).into_owned();
    let line = e
        .lines()
        .find(|l| l.starts_with("sluice: error:"))
        .unwrap_or_else(|| panic!("no error line in {e}"));
    line.to_string()
}

#[test]
fn unknown_interface() {
    require_root();
    let lab = Lab::new(&tag("unk")).expect("lab");
    let l = error_line(&capture_in(lab.client.name(), &["-i", "nosuch0"]));
    assert!(l.contains("unknown interface 'nosuch0'"), "{l}");
    assert!(l.contains("ip link"), "names the fix: {l}");
}

#[test]
fn mtu_too_large_for_native_xdp() {
    require_root();
    let lab = Lab::new(&tag("mtu")).expect("lab");
    // veth checks the MTU of the peer that sends into the XDP program, so raise both.
    for dev in [MON_IF, TAP_IF] {
        lab.client
            .exec(&["ip", "link", "set", "dev", dev, "mtu", "9000"])
            .unwrap();
    }
    let l = error_line(&capture_in(lab.client.name(), &["-i", MON_IF]));
    assert!(
        l.contains("MTU 9000") && l.contains("too large for native XDP"),
        "{l}"
    );
    assert!(l.contains("mtu 3500"), "names the fix: {l}");
    assert!(
        !lab.client.has_xdp(MON_IF).unwrap(),
        "nothing left attached"
    );
}

#[test]
fn already_attached_program() {
    require_root();
    let lab = Lab::new(&tag("busy")).expect("lab");
    let dir = scratch("busy");
    let (first, err) =
        scenario::start_sluice(&lab.client, &sluice_bin(), &dir, &[]).expect("first");
    let l = error_line(&capture_in(lab.client.name(), &["-i", MON_IF]));
    assert!(l.contains("already has an XDP program attached"), "{l}");
    assert!(
        lab.client.has_xdp(MON_IF).unwrap(),
        "the first capture keeps its program"
    );
    assert!(first.stop().expect("exit").success());
    let _ = err.join();
    assert!(!lab.client.has_xdp(MON_IF).unwrap());
}

#[test]
fn no_permission() {
    require_root();
    let lab = Lab::new(&tag("perm")).expect("lab");
    let o = Command::new("ip")
        .args(["netns", "exec", lab.client.name()])
        .args([
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(sluice_bin())
        .args([
            "capture",
            "-i",
            MON_IF,
            "--duration",
            "1",
            "--output",
            "/dev/null",
        ])
        .output()
        .expect("running sluice unprivileged");
    let l = error_line(&o);
    assert!(
        l.contains("permission denied") && l.contains("run as root"),
        "{l}"
    );
    assert!(!lab.client.has_xdp(MON_IF).unwrap());
}

#[test]
fn bad_queue_count() {
    require_root();
    let lab = Lab::new(&tag("q")).expect("lab");
    let l = error_line(&capture_in(
        lab.client.name(),
        &["-i", MON_IF, "--queues", "7"],
    ));
    assert!(l.contains("--queues") && l.contains("rx queue"), "{l}");
    assert!(!lab.client.has_xdp(MON_IF).unwrap());
}
