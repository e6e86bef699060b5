//! The rules file option shared by `sluice read` and `sluice capture`.
use std::path::PathBuf;

use clap::Args;

use crate::{cli::files::RunFiles, error::Error, policy::Rules};

/// Flow rules (PF_RING FT's configuration file).
#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Rules file (TOML): default action, [filter], [shunt] and [shunt_bytes]
    /// by transport or application (nDPI) protocol, and [[rule]] entries by
    /// address, port and volume (docs/flow-table.md).
    #[arg(short, long)]
    pub config: Option<PathBuf>,
}

impl RulesArgs {
    /// Notes the rules file as an input.
    pub fn note_files(&self, files: &mut RunFiles) {
        if let Some(p) = &self.config {
            files.input("--config", p);
        }
    }

    /// The rules, or an error naming the file and what is wrong in it.
    pub fn load(&self) -> Result<Rules, Error> {
        match &self.config {
            Some(path) => Rules::load(path).map_err(|e| Error::BadOption {
                option: "--config",
                value: path.display().to_string(),
                why: e.reason,
            }),
            None => Ok(Rules::default()),
        }
    }
}
