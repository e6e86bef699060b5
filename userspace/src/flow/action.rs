//! Per-packet verdicts, as PF_RING FT's `pfring_ft_action`.

use std::fmt;
use std::str::FromStr;

/// What the caller should do with a packet, returned by
/// [`crate::flow::Table::process`] for every packet of a flow.
///
/// The numeric values are PF_RING FT's (`PFRING_FT_ACTION_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum Action {
    /// No rule matched: do what the application does by default.
    #[default]
    Default = 0,
    /// Let the packet through (to the host stack or the next stage).
    Forward = 1,
    /// Drop the packet; also what a shunted flow returns once past its
    /// packet budget.
    Discard = 2,
    /// Keep only the packet's headers (header slicing, as n2disk and cento do
    /// for bulk flows): the flow is still counted, its payload is not needed.
    Slice = 5,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 4] = [
        Action::Default,
        Action::Forward,
        Action::Discard,
        Action::Slice,
    ];

    /// Lowercase name, as used in the rules file and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Action::Default => "default",
            Action::Forward => "forward",
            Action::Discard => "discard",
            Action::Slice => "slice",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Action {
    type Err = String;

    /// Parses a name from [`Action::name`] (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown action '{s}' (expected default, forward, discard or slice)")
            })
    }
}
