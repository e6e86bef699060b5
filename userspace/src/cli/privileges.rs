//! Privilege options shared by `sluice capture` and `sluice read`.
use clap::Args;

use crate::cli::files::RunFiles;
use crate::error::Error;
use crate::privileges::{PrivilegePlan, RunAs};

/// What to do with root's privileges once setup is done.
#[derive(Args, Debug, Clone)]
pub struct PrivilegeArgs {
    /// Keep every privilege for the whole run (for debugging): by default all
    /// capabilities are dropped once the inputs, outputs, XDP program and
    /// sockets are open, before any packet is parsed.
    #[arg(long)]
    pub keep_privileges: bool,
    /// Also become this user (and its group) after setup. Output files made
    /// during setup are handed over to it; directories where outputs open new
    /// files later (rotation, SIGHUP) must be writable by it.
    #[arg(long, value_name = "NAME", conflicts_with = "keep_privileges")]
    pub user: Option<String>,
}

impl PrivilegeArgs {
    /// The plan for a run writing `files`.
    pub fn plan(&self, files: &RunFiles) -> Result<PrivilegePlan, Error> {
        if self.keep_privileges {
            return Ok(PrivilegePlan::Keep);
        }
        let user = self.user.as_deref().map(RunAs::lookup).transpose()?;
        Ok(PrivilegePlan::Drop {
            user,
            outputs: files.first_output_files(),
            dirs: files.output_dirs(),
        })
    }
}
