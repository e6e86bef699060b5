//! The library API for external processing (Joy's `joy_*_external_processing`):
//! callbacks run once per flow when its SPLT, byte distribution, initial
//! data packet or TLS handshake is ready, with Joy's `min_pkts` and
//! `min_octets` thresholds.

use std::sync::Arc;

use crate::features::config::FeatureConfig;
use crate::features::state::FlowFeatures;
use crate::flow::{Flow, FlowTable};

/// A ready callback: the flow (key, counters, action) and its features. It
/// may set the flow's action (e.g. shunt once the handshake is seen).
pub type ReadyFn = Box<dyn FnMut(&mut Flow<'_, FlowFeatures>) + Send>;

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
        f: impl FnMut(&mut Flow<'_, FlowFeatures>) + Send + 'static,
    ) -> Self {
        self.splt = Some((min_pkts.max(1), Box::new(f)));
        self
    }

    /// Runs `f` once the byte distribution counts `min_octets` bytes.
    pub fn on_bd(
        mut self,
        min_octets: u64,
        f: impl FnMut(&mut Flow<'_, FlowFeatures>) + Send + 'static,
    ) -> Self {
        self.bd = Some((min_octets.max(1), Box::new(f)));
        self
    }

    /// Runs `f` once the initiator's initial data packet is kept.
    pub fn on_idp(mut self, f: impl FnMut(&mut Flow<'_, FlowFeatures>) + Send + 'static) -> Self {
        self.idp = Some(Box::new(f));
        self
    }

    /// Runs `f` once the TLS handshake has told all it will (both hellos
    /// and, before TLS 1.3, the server's certificate).
    pub fn on_tls(mut self, f: impl FnMut(&mut Flow<'_, FlowFeatures>) + Send + 'static) -> Self {
        self.tls = Some(Box::new(f));
        self
    }

    fn is_empty(&self) -> bool {
        self.splt.is_none() && self.bd.is_none() && self.idp.is_none() && self.tls.is_none()
    }

    /// Runs the hooks whose condition the flow now meets.
    fn run(&mut self, flow: &mut Flow<'_, FlowFeatures>) {
        let Some(st) = flow.user().state() else {
            return;
        };
        let fired = st.fired;
        let mut now = 0u8;
        if fired & SPLT == 0 {
            if let Some((min, _)) = &self.splt {
                if st.splt.entries().len() >= *min {
                    now |= SPLT;
                }
            }
        }
        if fired & BD == 0 {
            if let (Some((min, _)), Some(bd)) = (&self.bd, &st.bd) {
                if bd.total() >= *min {
                    now |= BD;
                }
            }
        }
        if fired & IDP == 0 && self.idp.is_some() && st.idp.has(true) {
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
        flow.user_mut().update(p, &cfg);
        if with_hooks {
            hooks.run(flow);
        }
    });
}
