//! One AF_XDP socket bound to one rx queue: UMEM, fill ring refill, rx batches, stats.
//!
//! Frame ownership is explicit: a UMEM frame is either in the kernel (fill ring, or rx
//! ring after the kernel wrote it) or in `pending` (ours, waiting to go back on the fill
//! ring). xsk-rs's `FillQueue::produce` is all-or-nothing, so `refill` asks how many
//! slots are free and produces exactly that many; the rest wait, and no frame is lost.
#![allow(unsafe_code)] // the AF_XDP rings and UMEM (xsk-rs) are shared with the kernel; each block says why it is sound.
use std::{ffi::CString, io, num::NonZeroU32};

use xsk_rs::{
    config::{BindFlags, FrameSize, Interface, LibxdpFlags, QueueSize, SocketConfig, UmemConfig},
    CompQueue, FillQueue, FrameDesc, RxQueue, Socket, TxQueue, Umem,
};

use crate::error::{chain, is_permission, Error};

/// Sizes of the rings and UMEM of one socket.
#[derive(Clone, Copy, Debug)]
pub struct XskConfig {
    /// Entries of the rx ring and of the fill ring (a power of two).
    pub ring_size: u32,
    /// UMEM frames: enough to keep the fill ring full while a batch is being processed.
    pub frame_count: u32,
    /// Descriptors consumed from the rx ring per batch.
    pub batch: usize,
    /// Try zero-copy first (falls back to copy mode when the driver refuses it).
    pub try_zero_copy: bool,
    /// Try a UMEM of reserved huge pages (`MAP_HUGETLB`) first; without them
    /// (`/proc/sys/vm/nr_hugepages` is 0, or too few are free) normal pages are used.
    pub hugepages: bool,
}

impl Default for XskConfig {
    fn default() -> Self {
        XskConfig {
            ring_size: 4096,
            frame_count: 8192,
            batch: 256,
            try_zero_copy: true,
            hugepages: false,
        }
    }
}

/// Whether the socket copies frames or shares the driver's buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindMode {
    /// `XDP_COPY`: the kernel copies each frame into the UMEM (veth, generic drivers).
    Copy,
    /// `XDP_ZEROCOPY`: the NIC DMAs straight into the UMEM.
    ZeroCopy,
}

/// Socket counters from `getsockopt(XDP_STATISTICS)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XskStats {
    /// Frames dropped by the kernel for reasons other than invalid descriptors (rx ring full).
    pub rx_dropped: u64,
    /// Invalid rx descriptors.
    pub rx_invalid_descs: u64,
    /// Times the rx ring was full when the kernel had a frame for it.
    pub rx_ring_full: u64,
    /// Times the fill ring was empty when the kernel needed a buffer.
    pub rx_fill_ring_empty_descs: u64,
}

/// An AF_XDP socket on one queue with its UMEM and rings.
pub struct XskQueue {
    queue: u32,
    mode: BindMode,
    huge_umem: bool,
    umem: Umem,
    fill: FillQueue,
    _comp: CompQueue,
    rx: RxQueue,
    _tx: TxQueue,
    batch: Vec<FrameDesc>,
    pending: Vec<FrameDesc>,
}

/// A UMEM of `frames` frames: of reserved huge pages first when `huge` (falling
/// back to normal pages when the kernel has none to give); says which it got.
fn new_umem(
    cfg: UmemConfig,
    frames: NonZeroU32,
    huge: bool,
    queue: u32,
) -> Result<(Umem, Vec<FrameDesc>, bool), Error> {
    if huge {
        if let Ok((umem, descs)) = Umem::new(cfg, frames, true) {
            return Ok((umem, descs, true));
        }
    }
    let (umem, descs) = Umem::new(cfg, frames, false).map_err(|e| {
        if is_permission(&e) {
            Error::PermissionDenied("creating the AF_XDP UMEM".into())
        } else {
            Error::Other(format!("creating UMEM for queue {queue}: {}", chain(&e)))
        }
    })?;
    Ok((umem, descs, false))
}

impl XskQueue {
    /// Whether the UMEM is on reserved huge pages (`XskConfig::hugepages`).
    pub fn huge_umem(&self) -> bool {
        self.huge_umem
    }

    /// Opens a socket on `interface` queue `queue`. The XDP program that redirects to it
    /// must be attached separately (libxdp's own program load is inhibited).
    pub fn open(interface: &str, queue: u32, cfg: XskConfig) -> Result<Self, Error> {
        let ring = QueueSize::new(cfg.ring_size)
            .map_err(|e| Error::Other(format!("ring size {}: {e}", cfg.ring_size)))?;
        let frames = NonZeroU32::new(cfg.frame_count.max(cfg.ring_size))
            .ok_or_else(|| Error::Other("zero UMEM frames".into()))?;
        let umem_cfg = UmemConfig::builder()
            .frame_size(FrameSize::new(4096).map_err(|e| Error::Other(e.to_string()))?)
            .fill_queue_size(ring)
            .comp_queue_size(ring)
            .build()
            .map_err(|e| Error::Other(format!("UMEM config: {e}")))?;
        let name =
            CString::new(interface).map_err(|_| Error::UnknownInterface(interface.into()))?;
        let ifname = Interface::new(name);

        let modes: &[BindMode] = if cfg.try_zero_copy {
            &[BindMode::ZeroCopy, BindMode::Copy]
        } else {
            &[BindMode::Copy]
        };
        let mut last_err = None;
        for &mode in modes {
            let (umem, descs, huge) = new_umem(umem_cfg, frames, cfg.hugepages, queue)?;
            let bind = match mode {
                BindMode::ZeroCopy => BindFlags::XDP_ZEROCOPY,
                BindMode::Copy => BindFlags::XDP_COPY,
            };
            let sock_cfg = SocketConfig::builder()
                .rx_queue_size(ring)
                .tx_queue_size(ring)
                .libxdp_flags(LibxdpFlags::XSK_LIBXDP_FLAGS_INHIBIT_PROG_LOAD)
                .bind_flags(bind)
                .build();
            // SAFETY: the UMEM is not shared with another socket.
            match unsafe { Socket::new(sock_cfg, &umem, &ifname, queue) } {
                Ok((tx, rx, Some((fill, comp)))) => {
                    let mut q = XskQueue {
                        queue,
                        mode,
                        huge_umem: huge,
                        umem,
                        fill,
                        _comp: comp,
                        rx,
                        _tx: tx,
                        batch: vec![descs[0]; cfg.batch.max(1)],
                        pending: Vec::with_capacity(descs.len()),
                    };
                    q.pending.extend_from_slice(&descs);
                    q.refill();
                    return Ok(q);
                }
                Ok((_, _, None)) => {
                    return Err(Error::Other(format!(
                        "queue {queue}: socket created without its own fill/completion rings"
                    )))
                }
                Err(e) => last_err = Some(e),
            }
        }
        let Some(e) = last_err else {
            return Err(Error::Other(format!(
                "no AF_XDP bind mode tried on queue {queue}"
            )));
        };
        if is_permission(&e) {
            Err(Error::PermissionDenied(format!(
                "opening an AF_XDP socket on {interface} queue {queue}"
            )))
        } else {
            Err(Error::Other(format!(
                "opening an AF_XDP socket on {interface} queue {queue}: {}",
                chain(&e)
            )))
        }
    }

    /// The rx queue this socket is bound to.
    pub fn queue(&self) -> u32 {
        self.queue
    }

    /// Copy or zero-copy, as the driver accepted.
    pub fn mode(&self) -> BindMode {
        self.mode
    }

    /// The socket's file descriptor, for the XskMap.
    pub fn fd(&self) -> &xsk_rs::socket::Fd {
        self.rx.fd()
    }

    /// Frames currently held by userspace, waiting for room on the fill ring.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Receives up to one batch and hands each frame to `f`. When the rx ring is empty it
    /// waits in `poll` for at most `timeout_ms`. Returns the number of frames handled.
    pub fn recv_batch(&mut self, timeout_ms: i32, mut f: impl FnMut(&[u8])) -> io::Result<usize> {
        // SAFETY: the descriptors belong to this socket's UMEM.
        let n = unsafe { self.rx.consume(&mut self.batch) };
        if n == 0 {
            self.refill();
            if timeout_ms > 0 {
                self.rx.poll(timeout_ms)?;
            }
            return Ok(0);
        }
        for d in &self.batch[..n] {
            // SAFETY: `d` came from this socket's rx ring, so it is a frame of this UMEM
            // that the kernel has finished writing.
            let data = unsafe { self.umem.data(d) };
            f(data.contents());
        }
        self.pending.extend_from_slice(&self.batch[..n]);
        self.refill();
        Ok(n)
    }

    /// Puts as many pending frames on the fill ring as it has room for.
    pub fn refill(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let want = self.pending.len() as u32;
        let free = self.fill.nb_free(want).min(want) as usize;
        if free == 0 {
            return;
        }
        let start = self.pending.len() - free;
        // SAFETY: the frames are ours (not in any ring) and belong to this UMEM.
        let produced = unsafe { self.fill.produce(&self.pending[start..]) };
        if produced == free {
            self.pending.truncate(start);
        }
    }

    /// The socket's kernel counters.
    pub fn stats(&self) -> io::Result<XskStats> {
        let s = self.rx.fd().xdp_statistics()?;
        Ok(XskStats {
            rx_dropped: s.rx_dropped(),
            rx_invalid_descs: s.rx_invalid_descs(),
            rx_ring_full: s.rx_ring_full(),
            rx_fill_ring_empty_descs: s.rx_fill_ring_empty_descs(),
        })
    }
}
