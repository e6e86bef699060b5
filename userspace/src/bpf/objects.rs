//! The XDP object built from `ebpf/xdp` by `build.rs`, embedded in the binary. (The lab's
//! generator and XDP_DROP programs live in `ebpf/bench`, embedded by `sluice-bench`.)

/// The capture program (`sluice_xdp`) with its counters and XskMap.
pub static CAPTURE_OBJECT: &[u8] =
    aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/sluice-xdp"));
