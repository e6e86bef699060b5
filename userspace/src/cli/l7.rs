//! L7 detection options shared by `sluice capture` and `sluice read`.

use clap::Args;

use crate::l7::L7Config;

/// Whether and how to detect application protocols.
#[derive(Args, Debug, Clone, Copy)]
pub struct L7Args {
    /// Do not detect application protocols (every flow's `l7` is `Unknown`).
    #[arg(long)]
    pub no_l7: bool,
    /// Do not guess a protocol from the ports when payload detection gives
    /// up (such flows stay `Unknown`).
    #[arg(long)]
    pub no_l7_guess: bool,
}

impl L7Args {
    /// The flow table's L7 settings these options describe.
    pub fn config(&self) -> L7Config {
        L7Config {
            enabled: !self.no_l7,
            guess: !self.no_l7_guess,
            ..L7Config::default()
        }
    }
}
