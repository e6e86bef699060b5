//! The XDP objects built from `ebpf/xdp` by `build.rs`, embedded in the binary.

/// The capture program (`sluice_xdp`) with its counters and XskMap.
pub static CAPTURE_OBJECT: &[u8] =
    aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/sluice-xdp"));

/// The traffic generator program (`sluice_gen`) used with `BPF_PROG_TEST_RUN`.
pub static GEN_OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/sluice-gen"));
