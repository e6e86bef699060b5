//! The flow table's [`Offload`] for live capture: final verdicts go into the XDP
//! program's verdict map, and the map's per-direction counters come back as the table's
//! [`KernelCounts`].
use sluice_common::{VerdictDir, VerdictKey};

use crate::{
    bpf::verdicts::{FromFlowKey, MonoClock, ShowKey, Verdict, VerdictMap},
    decode::TcpFlags,
    flow::{Action, DirCounters, FlowKey, KernelCounts, Offload},
};

/// One worker's handle on the verdict map, as a flow-table offload.
pub struct KernelOffload {
    map: VerdictMap,
    /// Errors already reported (each kind once, not once per flow).
    warned: bool,
}

impl KernelOffload {
    /// Wraps a worker's own handle on the map.
    pub fn new(map: VerdictMap) -> Self {
        KernelOffload { map, warned: false }
    }

    fn warn(&mut self, what: &str, e: &crate::error::Error) {
        if !self.warned {
            eprintln!("sluice: {what}: {e} (further errors not shown; see offload counters)");
            self.warned = true;
        }
    }

    fn counts(&mut self, key: &FlowKey, remove: bool) -> Option<KernelCounts> {
        let k = VerdictKey::from_flow_key(key)?;
        let got = if remove {
            self.map.remove(&k)
        } else {
            self.map.read(&k)
        };
        match got {
            Ok(c) => c.map(|c| {
                let clock = MonoClock::now();
                [dir(&c.dirs[0], &clock), dir(&c.dirs[1], &clock)]
            }),
            Err(e) => {
                self.warn(&format!("reading the verdict of {}", ShowKey(&k)), &e);
                None
            }
        }
    }
}

/// A kernel direction as table counters.
fn dir(d: &VerdictDir, clock: &MonoClock) -> DirCounters {
    DirCounters {
        last: if d.packets == 0 {
            Default::default()
        } else {
            clock.to_realtime(d.last_ns)
        },
        packets: d.packets,
        bytes: d.payload_bytes,
        wire_bytes: d.wire_bytes,
        ip_bytes: d.ip_bytes,
        min_ip_len: d.min_ip_len,
        max_ip_len: d.max_ip_len,
        tcp_flags: TcpFlags(d.tcp_flags),
    }
}

impl Offload for KernelOffload {
    fn install(&mut self, key: &FlowKey, action: Action) -> bool {
        let verdict = match action {
            Action::Discard => Verdict::Drop,
            Action::Forward => Verdict::Pass,
            Action::Default | Action::Slice => return false,
        };
        let Some(k) = VerdictKey::from_flow_key(key) else {
            return false;
        };
        match self.map.install(&k, verdict) {
            Ok(()) => true,
            Err(e) => {
                self.warn("installing a verdict", &e);
                false
            }
        }
    }

    fn read(&mut self, key: &FlowKey) -> Option<KernelCounts> {
        self.counts(key, false)
    }

    fn remove(&mut self, key: &FlowKey) -> Option<KernelCounts> {
        self.counts(key, true)
    }
}
