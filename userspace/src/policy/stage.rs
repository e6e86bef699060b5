//! The stage above the flow table: L7 detection (`crate::l7`), then the
//! policy, which gives each flow its rule's action and budget at creation,
//! the first rule for its application once detection finishes, and
//! [`Action::Discard`] once it is past its budget.

use crate::decode::IpProto;
use crate::flow::{Action, AppVerdict, Flow, Stage, StagePacket, StageState};
use crate::l7::{L7Config, L7Flow, L7Packet, L7Proto};
use crate::policy::rules::Rules;
use crate::proto::quic::QuicSni;

/// Called once per flow when its L7 detection finishes
/// (`pfring_ft_set_l7_detected_callback`).
pub type L7DetectedFn<U> = Box<dyn FnMut(&mut Flow<'_, U, AppFlowState>) + Send>;

/// What the stage keeps per flow in the table's entry: 24 bytes (the fields
/// side by side, so the rule number fits in what would be padding).
#[derive(Debug, Default)]
pub struct AppFlowState {
    /// L7 detection.
    pub l7: L7Flow,
    /// For QUIC, the server name read from the client's Initial packets (a
    /// ClientHello can span several Initials, past detection). Boxed:
    /// allocated only for flows detected as QUIC.
    quic: Option<Box<QuicSni>>,
    /// Index + 1 of the rule that matched the flow, 0 if none.
    pub rule: u8,
}

impl AppFlowState {
    /// Inspects one packet: detection while it is not done, then the QUIC
    /// client's Initials. `whole` says the payload is the whole datagram
    /// (only a whole one can be decrypted; a handed-over head may be cut).
    /// Returns true when detection has just finished.
    #[inline]
    fn inspect(&mut self, pkt: &L7Packet<'_>, whole: bool, cfg: &L7Config) -> bool {
        let finished = !self.l7.is_done() && self.l7.inspect(pkt, cfg);
        let quic =
            self.l7.proto() == L7Proto::Quic && self.quic.as_ref().is_none_or(|q| q.wants_more());
        if pkt.dir.is_out() && quic && whole && !pkt.payload.is_empty() {
            self.quic.get_or_insert_default().push(pkt.payload);
        }
        finished
    }

    /// The server name a QUIC client sent, once read.
    pub fn server_name(&self) -> Option<&str> {
        self.quic.as_ref().and_then(|q| q.sni())
    }
}

impl StageState for AppFlowState {
    fn verdict(&self, guess: bool, ip_proto: IpProto, (sp, dp): (u16, u16)) -> AppVerdict {
        let (proto, guessed) = self.l7.verdict(guess, ip_proto, sp, dp);
        AppVerdict {
            label: proto.into(),
            guessed,
            server_name: self.server_name().map(Box::from),
        }
    }
}

/// L7 detection and the policy, run by the table for every flow.
pub struct AppStage<U> {
    /// How detection runs (on, with port guesses, by default).
    pub l7: L7Config,
    /// The rules applied to flows created from now on, and the default action.
    pub rules: Rules,
    /// The L7-detected callback, if set.
    pub l7_detected: Option<L7DetectedFn<U>>,
}

impl<U> AppStage<U> {
    /// A stage with these settings and no callback.
    pub fn new(l7: L7Config, rules: Rules) -> Self {
        AppStage {
            l7,
            rules,
            l7_detected: None,
        }
    }

    /// Runs L7 detection on `packet` (while the flow's detection is not
    /// finished) and [`AppStage::on_l7_detected`] when it finishes.
    #[inline]
    fn inspect_l7(&mut self, flow: &mut Flow<'_, U, AppFlowState>, packet: &StagePacket<'_>) {
        if !self.l7.enabled {
            return;
        }
        let p = packet.packet;
        let pkt = L7Packet {
            ip_proto: p.proto,
            sport: p.sport,
            dport: p.dport,
            dir: packet.dir,
            payload: packet.payload,
            tcp_flags: p.tcp_flags,
        };
        if flow.stage_mut().inspect(&pkt, packet.whole, &self.l7) {
            self.on_l7_detected(flow);
        }
    }

    /// Called once when the flow's L7 detection finishes (detected,
    /// guessed, or gave up): applies the first rule for the flow's
    /// application protocol, which replaces the rule the flow got at
    /// creation (its budget, and its action unless the rule has none or the
    /// flow's verdict is already in the kernel), then runs the L7-detected
    /// callback.
    fn on_l7_detected(&mut self, flow: &mut Flow<'_, U, AppFlowState>) {
        let l7 = flow.stage().l7.proto();
        if l7 != L7Proto::Unknown && self.rules.has_l7_rules() {
            let id = self.rules.lookup_l7(flow.key(), l7);
            if let Some(r) = self.rules.get(id) {
                flow.stage_mut().rule = id;
                if r.action != Action::Default && !flow.in_kernel() {
                    flow.set_action(r.action);
                }
            }
        }
        if let Some(cb) = self.l7_detected.as_mut() {
            cb(flow);
        }
    }

    /// Switches the flow to [`Action::Discard`] for good once it is past its
    /// rule's shunt budget (packets or frame bytes), before the packet
    /// callback runs, so that callback already sees it.
    #[inline]
    fn apply_budget(&self, flow: &mut Flow<'_, U, AppFlowState>) {
        if let Some(r) = self.rules.get(flow.stage().rule) {
            let past_packets = r.shunt_after.is_some_and(|n| flow.total_packets() > n);
            let past_bytes = r.shunt_bytes.is_some_and(|n| flow.total_wire_bytes() > n);
            if past_packets || past_bytes {
                flow.set_action(Action::Discard);
            }
        }
    }
}

impl<U> Stage<U> for AppStage<U> {
    type State = AppFlowState;

    /// Gives the new flow the first matching rule without an application
    /// protocol, and that rule's action.
    fn on_new_flow(&mut self, flow: &mut Flow<'_, U, AppFlowState>) {
        let rule = self.rules.lookup(flow.key());
        flow.stage_mut().rule = rule;
        if let Some(r) = self.rules.get(rule) {
            flow.set_action(r.action);
        }
    }

    #[inline]
    fn on_packet(&mut self, flow: &mut Flow<'_, U, AppFlowState>, packet: &StagePacket<'_>) {
        self.inspect_l7(flow, packet);
        self.apply_budget(flow);
    }

    /// Ends detection of a flow still undecided (with a port guess if
    /// allowed), running `AppStage::on_l7_detected`.
    fn on_final_export(&mut self, flow: &mut Flow<'_, U, AppFlowState>) {
        if self.l7.enabled && !flow.stage().l7.is_done() {
            let proto = flow.key().proto;
            let (sp, dp) = flow.ports();
            flow.stage_mut().l7.give_up(self.l7.guess, proto, sp, dp);
            self.on_l7_detected(flow);
        }
    }

    fn guesses(&self) -> bool {
        self.l7.enabled && self.l7.guess
    }

    fn default_action(&self) -> Action {
        self.rules.default_action
    }
}
