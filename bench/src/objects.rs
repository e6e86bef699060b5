//! The lab's XDP object, built from `ebpf/bench` by `build.rs` and embedded here: never
//! part of the `sluice` binary.

/// The traffic generator program (`sluice_gen`, run with `BPF_PROG_TEST_RUN`) and, in the
/// same object, the live benchmark's XDP_DROP ceiling (`sluice_drop`).
pub static GEN_OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/sluice-gen"));
