//! What runs above the flow table: L7 detection, then the policy (rules,
//! shunt budgets and the default action), as one [`AppStage`]; and
//! [`FlowTable`], the table with that stage: PF_RING FT's API.
//!
//! The table ([`crate::flow::Table`]) stores flows and expires them; for
//! each new flow, counted packet and final export it calls the stage, which
//! keeps its per-flow state ([`AppFlowState`]) in the table's entry.

pub mod rules;
mod stage;
mod table;

#[cfg(test)]
mod tests;

pub use rules::{Prefix, Rule, Rules, RulesError};
pub use stage::{AppFlowState, AppStage, L7DetectedFn};
pub use table::{FlowTable, PolicyConfig, FLOW_ENTRY_SIZE};
