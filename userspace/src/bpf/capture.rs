//! The capture XDP program: load, attach (native mode, through a bpf_link so a killed
//! process leaves nothing attached), bind AF_XDP sockets to queues, read counters.
use std::os::fd::AsRawFd;

use aya::{
    maps::{Array, IterableMap, PerCpuArray, PerCpuHashMap, XskMap},
    programs::{xdp::XdpLinkId, Xdp, XdpMode},
    Ebpf,
};
use sluice_common::{
    VerdictKey, VerdictValue, XdpCounters, CAPTURE_PROG, CONFIG_MAP, COUNTERS_MAP, MAX_QUEUES,
    VERDICTS_MAP, XSKS_MAP,
};

use crate::{
    bpf::{objects::CAPTURE_OBJECT, verdicts::VerdictMap},
    error::{chain, find_io_error, is_permission, Error},
    netdev,
};

/// Largest MTU a single-buffer native XDP program accepts on veth (3520 fails with ERANGE).
pub const VETH_MAX_XDP_MTU: u32 = 3500;

/// How the XDP program is attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachMode {
    /// In the driver (native XDP); the default and the fast path.
    Native,
    /// Generic XDP in the stack, for drivers without native support.
    Skb,
}

/// The loaded and attached capture program. Dropping it detaches the program.
pub struct CaptureProgram {
    ebpf: Ebpf,
    interface: String,
    /// The attachment, until [`CaptureProgram::detach`].
    link: Option<XdpLinkId>,
}

impl CaptureProgram {
    /// Loads the embedded capture object and attaches it to `interface`.
    pub fn attach(interface: &str, mode: AttachMode) -> Result<Self, Error> {
        let ifindex = netdev::ifindex(interface)?;
        let mut ebpf = Ebpf::load(CAPTURE_OBJECT).map_err(|e| {
            if is_permission(&e) {
                Error::PermissionDenied("loading BPF maps".into())
            } else {
                Error::Other(format!("loading the XDP object: {}", chain(&e)))
            }
        })?;
        let prog: &mut Xdp = ebpf
            .program_mut(CAPTURE_PROG)
            .ok_or_else(|| Error::Other(format!("program {CAPTURE_PROG} missing from object")))?
            .try_into()
            .map_err(|e: aya::programs::ProgramError| Error::Other(chain(&e)))?;
        prog.load().map_err(|e| {
            if is_permission(&e) {
                Error::PermissionDenied("loading the XDP program".into())
            } else {
                Error::Other(format!(
                    "the verifier rejected {CAPTURE_PROG}: {}",
                    chain(&e)
                ))
            }
        })?;
        let xdp_mode = match mode {
            AttachMode::Native => XdpMode::Driver,
            AttachMode::Skb => XdpMode::Skb,
        };
        let link = prog
            .attach_to_if_index(ifindex, xdp_mode)
            .map_err(|e| attach_error(interface, &e))?;
        Ok(CaptureProgram {
            ebpf,
            interface: interface.to_string(),
            link: Some(link),
        })
    }

    /// Detaches the program from the interface (frames then go to the stack again),
    /// keeping its maps readable: counters and verdict entries stay until drop.
    pub fn detach(&mut self) -> Result<(), Error> {
        let Some(link) = self.link.take() else {
            return Ok(());
        };
        let prog: &mut Xdp = self
            .ebpf
            .program_mut(CAPTURE_PROG)
            .ok_or_else(|| Error::Other(format!("program {CAPTURE_PROG} missing from object")))?
            .try_into()
            .map_err(|e: aya::programs::ProgramError| Error::Other(chain(&e)))?;
        prog.detach(link).map_err(|e| {
            Error::Other(format!(
                "detaching XDP from '{}': {}",
                self.interface,
                chain(&e)
            ))
        })
    }

    /// The interface the program is attached to.
    pub fn interface(&self) -> &str {
        &self.interface
    }

    /// Makes frames of rx `queue` go to the AF_XDP socket `fd`.
    pub fn bind_socket(&mut self, queue: u32, fd: &impl AsRawFd) -> Result<(), Error> {
        if queue >= MAX_QUEUES {
            return Err(Error::Other(format!(
                "queue {queue} is beyond the {MAX_QUEUES} queues the XDP program supports"
            )));
        }
        let map = self
            .ebpf
            .map_mut(XSKS_MAP)
            .ok_or_else(|| Error::Other(format!("map {XSKS_MAP} missing")))?;
        let mut xsks = XskMap::try_from(map).map_err(|e| Error::Other(chain(&e)))?;
        xsks.set(queue, fd.as_raw_fd(), 0)
            .map_err(|e| Error::Other(format!("binding queue {queue}: {}", chain(&e))))
    }

    /// Sets the program's configuration flags (`sluice_common::CONFIG_*`, e.g.
    /// `CONFIG_IGNORE_VLAN` when userspace keys flows without VLAN ids). Set them at
    /// attach, before any verdict is installed: verdict keys depend on them.
    pub fn set_config(&mut self, flags: u32) -> Result<(), Error> {
        let map = self
            .ebpf
            .map_mut(CONFIG_MAP)
            .ok_or_else(|| Error::Other(format!("map {CONFIG_MAP} missing")))?;
        let mut config: Array<_, u32> = Array::try_from(map)
            .map_err(|e| Error::Other(format!("map {CONFIG_MAP}: {}", chain(&e))))?;
        config
            .set(0, flags, 0)
            .map_err(|e| Error::Other(format!("setting map {CONFIG_MAP}: {}", chain(&e))))
    }

    /// A handle on the program's verdict map (inline shunting), with its own descriptor:
    /// it stays usable after the program is dropped and detached, to read the counts of
    /// the last verdicts. Clone it per worker with [`VerdictMap::try_clone`].
    pub fn verdicts(&mut self) -> Result<VerdictMap, Error> {
        let map = self
            .ebpf
            .map(VERDICTS_MAP)
            .ok_or_else(|| Error::Other(format!("map {VERDICTS_MAP} missing")))?;
        // Checks the map's type and its key and value sizes against ours.
        let hash: PerCpuHashMap<_, VerdictKey, VerdictValue> = PerCpuHashMap::try_from(map)
            .map_err(|e| Error::Other(format!("map {VERDICTS_MAP}: {}", chain(&e))))?;
        VerdictMap::from_fd(hash.map().fd())
    }

    /// The program's counters, one entry per possible CPU.
    pub fn counters(&self) -> Result<Vec<XdpCounters>, Error> {
        let map = self
            .ebpf
            .map(COUNTERS_MAP)
            .ok_or_else(|| Error::Other(format!("map {COUNTERS_MAP} missing")))?;
        let arr: PerCpuArray<_, XdpCounters> =
            PerCpuArray::try_from(map).map_err(|e| Error::Other(chain(&e)))?;
        let values = arr
            .get(&0, 0)
            .map_err(|e| Error::Other(format!("reading counters: {}", chain(&e))))?;
        Ok(values.iter().copied().collect())
    }
}

/// Turns an attach failure into the error a user can act on.
fn attach_error(interface: &str, e: &aya::programs::ProgramError) -> Error {
    if let aya::programs::ProgramError::UnknownInterface { name } = e {
        return Error::UnknownInterface(name.clone());
    }
    match find_io_error(e).and_then(std::io::Error::raw_os_error) {
        Some(libc::ERANGE) => Error::MtuTooLarge {
            interface: interface.to_string(),
            mtu: netdev::mtu(interface).unwrap_or(0),
        },
        Some(libc::EBUSY) | Some(libc::EEXIST) => Error::AlreadyAttached(interface.to_string()),
        Some(libc::EOPNOTSUPP) => Error::NoNativeXdp(interface.to_string()),
        Some(libc::EPERM) | Some(libc::EACCES) => {
            Error::PermissionDenied(format!("attaching XDP to '{interface}'"))
        }
        _ => Error::Other(format!("attaching XDP to '{interface}': {}", chain(e))),
    }
}
