//! tansu, the Kafka-protocol broker the Kafka tests and `bench outputs`
//! start (built with SQLite storage by `cargo xtask setup`): one broker on
//! 127.0.0.1, optionally inside a network namespace, killed on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::netns::Netns;

/// The tansu binary `cargo xtask setup` installs (`$CARGO_HOME/bin/tansu`).
pub fn tansu() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
        });
    home.join("bin/tansu")
}

/// `argv` as a command, inside `ns` when given.
fn command(ns: Option<&Netns>, argv: &[&str]) -> Command {
    match ns {
        Some(ns) => ns.command(argv),
        None => {
            let mut c = Command::new(argv[0]);
            c.args(&argv[1..]);
            c
        }
    }
}

/// A running broker.
pub struct Broker {
    child: Child,
}

impl Broker {
    /// Starts a broker on 127.0.0.1:`port` (in `ns` if given) storing in
    /// `dir/tansu.db`, and waits until it listens.
    pub fn start(ns: Option<&Netns>, port: u16, dir: &Path) -> Result<Broker> {
        let bin = tansu();
        if !bin.exists() {
            bail!("{} missing: run `cargo xtask setup`", bin.display());
        }
        let url = format!("tcp://127.0.0.1:{port}");
        let argv = [
            bin.to_str().context("tansu path")?,
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            // tansu opens an sqlite:// path relative to its working directory.
            "--storage-engine",
            "sqlite://tansu.db",
        ];
        let child = command(ns, &argv)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting tansu")?;
        let broker = Broker { child };
        let t = Instant::now();
        while !broker.listens(ns, port) {
            if t.elapsed() > Duration::from_secs(20) {
                bail!("tansu did not listen on {port}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(broker)
    }

    /// Whether something accepts connections on the port (checked from
    /// inside `ns`, where the broker's loopback is).
    fn listens(&self, ns: Option<&Netns>, port: u16) -> bool {
        match ns {
            None => std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
            Some(ns) => crate::netns::in_netns(ns.name(), || {
                Ok(std::net::TcpStream::connect(("127.0.0.1", port))?)
            })
            .is_ok(),
        }
    }

    /// Creates `topic` with `partitions` partitions.
    pub fn create_topic(ns: Option<&Netns>, port: u16, topic: &str, partitions: u32) -> Result<()> {
        let bin = tansu();
        let url = format!("tcp://127.0.0.1:{port}");
        let n = partitions.to_string();
        let argv = [
            bin.to_str().context("tansu path")?,
            "topic",
            "create",
            "--broker",
            &url,
            "--partitions",
            &n,
            topic,
        ];
        let out = command(ns, &argv).output().context("tansu topic create")?;
        if !out.status.success() {
            bail!(
                "tansu topic create: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    /// Kills the broker at once (SIGKILL).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
