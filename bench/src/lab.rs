//! The lab topology used by the demo, the live tests and the live benchmark.
//!
//! ```text
//!  netns <tag>c (client + probe)                          netns <tag>s (server)
//!   a0 10.77.0.1/24  <──────── veth ────────>  b0 10.77.0.2/24
//!    │ tc mirred (ingress + egress)
//!    ▼
//!   tap0  ──── veth ────>  mon0  ← sluice capture (XDP + AF_XDP)
//!    ▲
//!    └─ generator: BPF_PROG_TEST_RUN live frames, XDP_TX out of tap0
//! ```
//! Offloads are off on a0/b0 so the frames on the wire are the frames mirrored and
//! counted; b0 is paced (tbf; this kernel has no fq) so a bulk transfer never overflows the monitor pair.
use anyhow::Result;

use crate::netns::Netns;

/// Client-side conversation interface.
pub const CLIENT_IF: &str = "a0";
/// Server-side conversation interface.
pub const SERVER_IF: &str = "b0";
/// Mirror port: where copies and generated frames are transmitted.
pub const TAP_IF: &str = "tap0";
/// Monitor interface Sluice attaches to.
pub const MON_IF: &str = "mon0";
/// Client address.
pub const CLIENT_IP: &str = "10.77.0.1";
/// Server address.
pub const SERVER_IP: &str = "10.77.0.2";

/// The two namespaces and their interfaces; all removed on drop.
pub struct Lab {
    /// Client and probe namespace (a0, tap0, mon0).
    pub client: Netns,
    /// Server namespace (b0).
    pub server: Netns,
}

impl Lab {
    /// Builds the topology. `tag` keeps concurrent labs apart (namespace name prefix).
    pub fn new(tag: &str) -> Result<Lab> {
        let client = Netns::new(&format!("{tag}c"))?;
        let server = Netns::new(&format!("{tag}s"))?;
        let (c, s) = (client.name().to_string(), server.name().to_string());
        crate::netns::run(&[
            "ip", "link", "add", CLIENT_IF, "netns", &c, "type", "veth", "peer", "name", SERVER_IF,
            "netns", &s,
        ])?;
        client.exec(&[
            "ip", "link", "add", TAP_IF, "type", "veth", "peer", "name", MON_IF,
        ])?;
        // veth starts with one active rx queue; use one per CPU (up to the veth's maximum)
        // so frames sent from CPU n land on queue n, as on a multi-queue NIC.
        let queues = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .to_string();
        for dev in [TAP_IF, MON_IF] {
            client.exec(&["ethtool", "-L", dev, "rx", &queues, "tx", &queues])?;
        }
        client.exec(&[
            "ip",
            "addr",
            "add",
            &format!("{CLIENT_IP}/24"),
            "dev",
            CLIENT_IF,
        ])?;
        server.exec(&[
            "ip",
            "addr",
            "add",
            &format!("{SERVER_IP}/24"),
            "dev",
            SERVER_IF,
        ])?;
        for (ns, dev) in [(&client, CLIENT_IF), (&server, SERVER_IF)] {
            ns.exec(&[
                "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off",
            ])?;
        }
        for dev in [CLIENT_IF, TAP_IF, MON_IF] {
            client.exec(&["ip", "link", "set", dev, "up"])?;
        }
        server.exec(&["ip", "link", "set", SERVER_IF, "up"])?;
        client.exec(&["tc", "qdisc", "add", "dev", CLIENT_IF, "clsact"])?;
        for dir in ["ingress", "egress"] {
            client.exec(&[
                "tc", "filter", "add", "dev", CLIENT_IF, dir, "u32", "match", "u32", "0", "0",
                "action", "mirred", "egress", "mirror", "dev", TAP_IF,
            ])?;
        }
        server.exec(&[
            "tc", "qdisc", "add", "dev", SERVER_IF, "root", "tbf", "rate", "200mbit", "burst",
            "64kb", "latency", "100ms",
        ])?;
        Ok(Lab { client, server })
    }

    /// The monitor pair's transmit drops (a rise means frames were lost before XDP).
    pub fn tap_tx_dropped(&self) -> Result<u64> {
        Ok(self.client.sys(TAP_IF, "statistics/tx_dropped")?.parse()?)
    }
}
