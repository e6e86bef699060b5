//! The library API for external processing (Joy's `joy_*_external_processing`):
//! callbacks run once per flow when its SPLT, byte distribution, initial
//! data packet or TLS handshake is ready, with Joy's `min_pkts` and
//! `min_octets` thresholds.

use std::sync::Arc;

use crate::features::config::FeatureConfig;
use crate::features::feature::FlowFeature;
use crate::features::state::FlowFeatures;
use crate::flow::{Action, Flow};
use crate::policy::{AppFlowState, FlowTable};

/// A ready callback: the flow (key, counters, action) and its features. It
/// may set the flow's action (e.g. shunt once the handshake is seen).
pub type ReadyFn = Box<dyn FnMut(&mut Flow<'_, FlowFeatures, AppFlowState>) + Send>;

const SPLT: u8 = 1;
const BD: u8 = 2;
const IDP: u8 = 4;
const TLS: u8 = 8;

/// Callbacks run when a flow's features are ready; each runs at most once
/// per flow.
#[derive(Default)]
pub struct ReadyHooks {
    splt: Option<(usize, ReadyFn)>,
    bd: Option<(u64, ReadyFn)>,
    idp: Option<ReadyFn>,
    tls: Option<ReadyFn>,
}

impl ReadyHooks {
    /// Runs `f` once the flow's SPLT list holds `min_pkts` packets (both
    /// directions together).
    pub fn on_splt(
        mut self,
        min_pkts: usize,
        f: impl FnMut(&mut Flow<'_, FlowFeatures, AppFlowState>) + Send + 'static,
    ) -> Self {
        self.splt = Some((min_pkts.max(1), Box::new(f)));
        self
    }

    /// Runs `f` once the byte distribution counts `min_octets` bytes.
    pub fn on_bd(
        mut self,
        min_octets: u64,
        f: impl FnMut(&mut Flow<'_, FlowFeatures, AppFlowState>) + Send + 'static,
    ) -> Self {
        self.bd = Some((min_octets.max(1), Box::new(f)));
        self
    }

    /// Runs `f` once the initiator's initial data packet is kept.
    pub fn on_idp(
        mut self,
        f: impl FnMut(&mut Flow<'_, FlowFeatures, AppFlowState>) + Send + 'static,
    ) -> Self {
        self.idp = Some(Box::new(f));
        self
    }

    /// Runs `f` once the TLS handshake has told all it will (both hellos
    /// and, before TLS 1.3, the server's certificate).
    pub fn on_tls(
        mut self,
        f: impl FnMut(&mut Flow<'_, FlowFeatures, AppFlowState>) + Send + 'static,
    ) -> Self {
        self.tls = Some(Box::new(f));
        self
    }

    fn is_empty(&self) -> bool {
        self.splt.is_none() && self.bd.is_none() && self.idp.is_none() && self.tls.is_none()
    }

    /// Runs the hooks whose condition the flow now meets.
    fn run(&mut self, flow: &mut Flow<'_, FlowFeatures, AppFlowState>) {
        let Some(st) = flow.user().state() else {
            return;
        };
        let fired = st.fired;
        let mut now = 0u8;
        if fired & SPLT == 0 {
            if let (Some((min, _)), Some(splt)) = (&self.splt, st.splt()) {
                if splt.ready(*min as u64) {
                    now |= SPLT;
                }
            }
        }
        if fired & BD == 0 {
            if let (Some((min, _)), Some(bd)) = (&self.bd, st.bd()) {
                if bd.ready(*min) {
                    now |= BD;
                }
            }
        }
        if fired & IDP == 0 && self.idp.is_some() && st.idp().is_some_and(|i| i.ready(0)) {
            now |= IDP;
        }
        if fired & TLS == 0 && self.tls.is_some() && st.tls_ready() {
            now |= TLS;
        }
        if now == 0 {
            return;
        }
        flow.user_mut().mark_fired(now);
        if now & SPLT != 0 {
            if let Some((_, f)) = self.splt.as_mut() {
                f(flow);
            }
        }
        if now & BD != 0 {
            if let Some((_, f)) = self.bd.as_mut() {
                f(flow);
            }
        }
        if now & IDP != 0 {
            if let Some(f) = self.idp.as_mut() {
                f(flow);
            }
        }
        if now & TLS != 0 {
            if let Some(f) = self.tls.as_mut() {
                f(flow);
            }
        }
    }
}

/// Makes `table` compute the features of `cfg` for every flow, and run
/// `hooks` when they are ready. With no feature and no hook it installs
/// nothing, so the table runs exactly as without features.
///
/// Exported flows carry their features: take them with
/// [`FlowTable::drain_exported_with_user`] or an export callback.
pub fn attach(table: &mut FlowTable<FlowFeatures>, cfg: Arc<FeatureConfig>, mut hooks: ReadyHooks) {
    if cfg.set.is_empty() && hooks.is_empty() {
        return;
    }
    let with_hooks = !hooks.is_empty();
    table.set_flow_packet_callback(move |p, flow| {
        // A flow whose verdict is final (discarded, shunted past its budget,
        // forwarded) needs no more analysis: live, its packets stop reaching
        // userspace at all once the kernel has the verdict.
        if matches!(flow.action(), Action::Discard | Action::Forward) {
            return;
        }
        flow.user_mut().update(p, &cfg);
        if with_hooks {
            hooks.run(flow);
        }
    });
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::decode::emit::{eth, ipv4, udp};
    use crate::decode::LinkType;
    use crate::features::{Feature, FeatureSet};
    use crate::flow::Direction;
    use crate::flow::{FlowTableConfig, Timestamp};

    /// An Ethernet/IPv4/UDP frame from 10.0.0.1:1000 to 10.0.0.2:2000 (or back).
    fn frame(up: bool, payload: &[u8]) -> Vec<u8> {
        let (a, b) = ([10, 0, 0, 1], [10, 0, 0, 2]);
        let (src, dst, sp, dp) = if up {
            (a, b, 1000, 2000)
        } else {
            (b, a, 2000, 1000)
        };
        eth(
            &[],
            0x0800,
            &ipv4(17, src, dst, &[], 0, &udp(sp, dp, payload)),
        )
    }

    #[test]
    fn hooks_run_once_when_their_threshold_is_met() {
        let mut set = FeatureSet::NONE;
        for f in [Feature::Splt, Feature::Bd, Feature::Idp] {
            set.insert(f);
        }
        let cfg = Arc::new(FeatureConfig {
            set,
            ..FeatureConfig::default()
        });
        let splt_at = Arc::new(AtomicUsize::new(0));
        let bd_at = Arc::new(AtomicUsize::new(0));
        let idp_runs = Arc::new(AtomicUsize::new(0));
        let (s, b, i) = (
            Arc::clone(&splt_at),
            Arc::clone(&bd_at),
            Arc::clone(&idp_runs),
        );
        let hooks = ReadyHooks::default()
            .on_splt(3, move |flow| {
                let n = flow
                    .user()
                    .state()
                    .and_then(|st| st.splt())
                    .map_or(0, |s| s.entries().len());
                s.store(n, Ordering::Relaxed);
            })
            .on_bd(250, move |flow| {
                let n = flow
                    .user()
                    .state()
                    .and_then(|st| st.bd())
                    .map_or(0, |bd| bd.total());
                b.store(n as usize, Ordering::Relaxed);
            })
            .on_idp(move |_| {
                i.fetch_add(1, Ordering::Relaxed);
            });
        let mut table: FlowTable<FlowFeatures> = FlowTable::new(FlowTableConfig::default());
        attach(&mut table, cfg, hooks);
        for n in 0..5u64 {
            let f = frame(n % 2 == 0, &[0xab; 100]);
            table.process_frame(
                LinkType::Ethernet,
                &f,
                f.len() as u32,
                Timestamp(1_000_000_000 + n),
            );
        }
        assert_eq!(
            splt_at.load(Ordering::Relaxed),
            3,
            "SPLT hook at its 3rd packet"
        );
        assert_eq!(
            bd_at.load(Ordering::Relaxed),
            300,
            "BD hook once 250 bytes were counted"
        );
        assert_eq!(idp_runs.load(Ordering::Relaxed), 1, "IDP hook once");
        table.flush();
        let out: Vec<_> = table.drain_exported_with_user().collect();
        assert_eq!(out.len(), 1);
        let st = out[0].1.state().expect("features travel with the record");
        assert_eq!(st.splt().map(|s| s.entries().len()), Some(5));
        assert_eq!(st.bd().map(|b| b.counts()[0xab]), Some(500));
    }

    #[test]
    fn features_stop_once_a_flow_is_shunted() {
        let mut set = FeatureSet::NONE;
        set.insert(Feature::Splt);
        let cfg = Arc::new(FeatureConfig {
            set,
            ..FeatureConfig::default()
        });
        let mut table: FlowTable<FlowFeatures> = FlowTable::new(FlowTableConfig::default());
        table.set_rules(crate::policy::Rules::parse("[shunt]\nudp = 3\n").expect("rules"));
        attach(&mut table, cfg, ReadyHooks::default());
        for n in 0..6u64 {
            let f = frame(n % 2 == 0, &[0xab; 100]);
            table.process_frame(LinkType::Ethernet, &f, f.len() as u32, Timestamp(n));
        }
        table.flush();
        let out: Vec<_> = table.drain_exported_with_user().collect();
        assert_eq!(
            out[0].0.dirs[Direction::Out].packets + out[0].0.dirs[Direction::In].packets,
            6
        );
        let st = out[0].1.state().expect("features");
        assert_eq!(
            st.splt().map(|s| s.entries().len()),
            Some(3),
            "only the budget's packets are analysed"
        );
    }
}
