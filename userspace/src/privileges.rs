//! Dropping privileges once setup is done, so that the parsers (TLS, X.509,
//! QUIC, DNS, HTTP...) never run with root's capabilities on hostile input.
//!
//! After the XDP program is attached, the sockets are open and every output
//! file is open, [`drop_privileges`] makes the process unable to regain
//! anything (`PR_SET_NO_NEW_PRIVS`), empties the capability bounding and
//! ambient sets, optionally switches to another user and group, and clears
//! the calling thread's effective, permitted and inheritable sets.
//!
//! Capability sets belong to each thread, so this must run before the
//! process starts any other thread: threads started afterwards inherit the
//! empty sets. [`privileged_threads`] reads every thread's `CapEff` back from
//! `/proc` to check that it held.
//!
//! What still works without capabilities (Linux 6.5 and later moved the
//! unprivileged-BPF checks into map and program creation): reading and
//! updating BPF maps through fds opened before, AF_XDP rings and
//! `XDP_STATISTICS`, closing the XDP link, reading interface counters, and
//! creating files in directories the user may write to (root without
//! `CAP_DAC_OVERRIDE` is still the owner of root's directories).
#![allow(unsafe_code)] // prctl, capset and setres[ug]id are libc calls; each block says why it is sound.

use std::fs;
use std::path::PathBuf;

use caps::CapSet;
use nix::unistd::{Gid, Uid, User};

use crate::error::Error;

/// The user to become after setup (`--user`).
#[derive(Clone, Debug)]
pub struct RunAs {
    /// The name given.
    pub name: String,
    /// Its user id.
    pub uid: u32,
    /// Its primary group id.
    pub gid: u32,
}

impl RunAs {
    /// Looks `name` up in the user database.
    pub fn lookup(name: &str) -> Result<RunAs, Error> {
        let bad = |why: String| Error::BadOption {
            option: "--user",
            value: name.to_string(),
            why,
        };
        match User::from_name(name) {
            Ok(Some(u)) => Ok(RunAs {
                name: name.to_string(),
                uid: u.uid.as_raw(),
                gid: u.gid.as_raw(),
            }),
            Ok(None) => Err(bad("no such user".into())),
            Err(e) => Err(bad(format!("looking the user up: {e}"))),
        }
    }
}

/// A directory the run may still create files in after dropping privileges.
#[derive(Clone, Debug)]
pub struct LaterDir {
    /// The option whose output writes there.
    pub option: &'static str,
    /// The directory.
    pub dir: PathBuf,
    /// True if the output will need new files there (rotation): a directory
    /// the user cannot write to is then an error, else only a warning (a
    /// SIGHUP reopen after a rename would fail).
    pub required: bool,
}

/// What to do with privileges once setup is done.
#[derive(Clone, Debug)]
pub enum PrivilegePlan {
    /// Keep them (`--keep-privileges`, for debugging).
    Keep,
    /// Drop them all, becoming `user` if given.
    Drop {
        /// The user to become (`--user`).
        user: Option<RunAs>,
        /// Output files created during setup, handed over to `user` so that
        /// it can reopen them.
        outputs: Vec<PathBuf>,
        /// Directories outputs may create files in later.
        dirs: Vec<LaterDir>,
    },
}

impl PrivilegePlan {
    /// What a thread started before the drop must run first (IPFIX TCP
    /// senders start when the outputs open): None when privileges are kept.
    pub fn thread_start_hook(&self) -> Option<fn()> {
        match self {
            PrivilegePlan::Keep => None,
            PrivilegePlan::Drop { .. } => Some(drop_thread_privileges),
        }
    }

    /// Carries the plan out (call it before starting any thread); returns
    /// true if privileges were dropped.
    pub fn apply(&self) -> Result<bool, Error> {
        let PrivilegePlan::Drop {
            user,
            outputs,
            dirs,
        } = self
        else {
            return Ok(false);
        };
        if let Some(u) = user {
            for path in outputs.iter().filter(|p| p.exists()) {
                std::os::unix::fs::chown(path, Some(u.uid), Some(u.gid)).map_err(|e| {
                    Error::Other(format!(
                        "handing {} over to --user {}: {e}",
                        path.display(),
                        u.name
                    ))
                })?;
            }
        }
        drop_privileges(user.as_ref())?;
        if let Some(u) = user {
            for d in dirs {
                check_writable(u, d)?;
            }
        }
        Ok(true)
    }
}

/// Whether the (new) user can create files in `d.dir`: an error when the
/// output needs it, else a warning.
fn check_writable(user: &RunAs, d: &LaterDir) -> Result<(), Error> {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(d.dir.as_os_str().as_bytes()) else {
        return Ok(());
    };
    // SAFETY: a valid C string; faccessat only reads it.
    let ok = unsafe {
        libc::faccessat(
            libc::AT_FDCWD,
            c.as_ptr(),
            libc::W_OK | libc::X_OK,
            libc::AT_EACCESS,
        )
    } == 0;
    if ok {
        return Ok(());
    }
    let why = format!(
        "user {} cannot create files in {} ({})",
        user.name,
        d.dir.display(),
        d.option
    );
    if d.required {
        return Err(Error::BadOption {
            option: "--user",
            value: user.name.clone(),
            why: format!("{why}, which its rotation needs"),
        });
    }
    eprintln!("sluice: warning: {why}: a SIGHUP after the file is renamed cannot reopen it");
    Ok(())
}

/// Drops every privilege of the process (see the module documentation),
/// becoming `user` if given. Call it before starting any thread.
pub fn drop_privileges(user: Option<&RunAs>) -> Result<(), Error> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Error::Other(format!("dropping privileges: {what}: {e}"))
    };
    // SAFETY: prctl with PR_SET_NO_NEW_PRIVS takes plain integers.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(fail(
            "PR_SET_NO_NEW_PRIVS",
            &std::io::Error::last_os_error(),
        ));
    }
    // The bounding set can only be emptied with CAP_SETPCAP; a process that
    // never had it has nothing to give up there that it could use.
    if caps::has_cap(None, CapSet::Effective, caps::Capability::CAP_SETPCAP).unwrap_or(false) {
        caps::clear(None, CapSet::Bounding).map_err(|e| fail("bounding set", &e))?;
    }
    caps::clear(None, CapSet::Ambient).map_err(|e| fail("ambient set", &e))?;
    if let Some(u) = user {
        let (uid, gid) = (Uid::from_raw(u.uid), Gid::from_raw(u.gid));
        nix::unistd::setgroups(&[gid]).map_err(|e| fail("setgroups", &e))?;
        nix::unistd::setresgid(gid, gid, gid).map_err(|e| fail("setresgid", &e))?;
        nix::unistd::setresuid(uid, uid, uid).map_err(|e| fail("setresuid", &e))?;
    }
    for set in [CapSet::Effective, CapSet::Inheritable, CapSet::Permitted] {
        caps::clear(None, set).map_err(|e| fail("capability sets", &e))?;
    }
    Ok(())
}

/// Clears the calling thread's capability sets and sets its
/// `PR_SET_NO_NEW_PRIVS` (both are per thread): for threads started before
/// [`drop_privileges`] ran in the main thread. Errors are ignored: a thread
/// that cannot clear them is reported by [`privileged_threads`].
pub fn drop_thread_privileges() {
    // SAFETY: prctl with PR_SET_NO_NEW_PRIVS takes plain integers.
    unsafe {
        libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    }
    for set in [CapSet::Effective, CapSet::Inheritable, CapSet::Permitted] {
        let _ = caps::clear(None, set);
    }
}

/// Threads of this process whose effective capability set is not empty,
/// as (thread id, `CapEff` in hex), read from `/proc/self/task/*/status`.
pub fn privileged_threads() -> std::io::Result<Vec<(u32, String)>> {
    let mut held = Vec::new();
    for task in fs::read_dir("/proc/self/task")? {
        let task = task?;
        let Ok(status) = fs::read_to_string(task.path().join("status")) else {
            continue; // the thread ended meanwhile
        };
        let eff = status
            .lines()
            .find_map(|l| l.strip_prefix("CapEff:"))
            .map(str::trim)
            .unwrap_or_default();
        if eff.trim_start_matches('0').is_empty() {
            continue;
        }
        let tid = task.file_name().to_string_lossy().parse().unwrap_or(0);
        held.push((tid, eff.to_string()));
    }
    Ok(held)
}
