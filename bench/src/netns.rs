//! Network namespaces and commands run inside them, removed on drop (also on panic).
use std::process::{Command, Output, Stdio};

use anyhow::{bail, Context, Result};

/// Runs a command to completion; fails with its stderr when it exits non-zero.
pub fn run(cmd: &[&str]) -> Result<String> {
    let out = output(cmd)?;
    if !out.status.success() {
        bail!(
            "`{}` failed ({}): {}",
            cmd.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a command and returns its output whatever its exit status.
pub fn output(cmd: &[&str]) -> Result<Output> {
    Command::new(cmd[0])
        .args(&cmd[1..])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running `{}`", cmd.join(" ")))
}

/// A network namespace that is deleted (with every interface in it) when dropped.
pub struct Netns {
    name: String,
}

impl Netns {
    /// Creates a namespace named `name`, replacing a stale one of the same name.
    pub fn new(name: &str) -> Result<Self> {
        let _ = output(&["ip", "netns", "del", name]);
        run(&["ip", "netns", "add", name])?;
        let ns = Netns {
            name: name.to_string(),
        };
        ns.exec(&["ip", "link", "set", "lo", "up"])?;
        // No IPv6 router/neighbour chatter: captures contain only the traffic tests send.
        ns.exec(&["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"])?;
        ns.exec(&["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"])?;
        Ok(ns)
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A `Command` that runs `argv` inside the namespace.
    pub fn command(&self, argv: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name]).args(argv);
        c
    }

    /// Runs `argv` inside the namespace to completion.
    pub fn exec(&self, argv: &[&str]) -> Result<String> {
        let mut cmd: Vec<&str> = vec!["ip", "netns", "exec", &self.name];
        cmd.extend_from_slice(argv);
        run(&cmd)
    }

    /// Reads `/sys/class/net/IF/...` for an interface inside the namespace.
    pub fn sys(&self, interface: &str, file: &str) -> Result<String> {
        let path = format!("/sys/class/net/{interface}/{file}");
        Ok(self.exec(&["cat", &path])?.trim().to_string())
    }

    /// Interface index of `interface` inside the namespace.
    pub fn ifindex(&self, interface: &str) -> Result<u32> {
        Ok(self.sys(interface, "ifindex")?.parse()?)
    }

    /// Whether an XDP program is attached to `interface`.
    pub fn has_xdp(&self, interface: &str) -> Result<bool> {
        Ok(self
            .exec(&["ip", "-d", "link", "show", "dev", interface])?
            .contains("prog/xdp"))
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = output(&["ip", "netns", "del", &self.name]);
    }
}

/// Runs `f` with the calling thread inside namespace `name` (via `setns`), then returns.
pub fn in_netns<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    use std::os::fd::AsRawFd;
    let own = std::fs::File::open("/proc/thread-self/ns/net").context("opening own netns")?;
    let target = std::fs::File::open(format!("/run/netns/{name}"))
        .with_context(|| format!("opening netns {name}"))?;
    // SAFETY: valid namespace fds; CLONE_NEWNET switches only this thread's namespace.
    if unsafe { libc::setns(target.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        bail!("setns({name}): {}", std::io::Error::last_os_error());
    }
    let r = f();
    // SAFETY: as above, back to the thread's original namespace.
    if unsafe { libc::setns(own.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        bail!("setns back: {}", std::io::Error::last_os_error());
    }
    r
}
