//! The XDP objects load and pass this kernel's verifier.
use aya::{programs::Xdp, Ebpf};
use sluice::bpf::objects::CAPTURE_OBJECT;
use sluice_bench::objects::GEN_OBJECT;
use sluice_common::{CAPTURE_PROG, DROP_PROG, GEN_PROG};
use sluice_tests::require_root;

fn load(object: &[u8], prog: &str) {
    let mut ebpf = Ebpf::load(object).unwrap_or_else(|e| panic!("loading object for {prog}: {e}"));
    let p: &mut Xdp = ebpf
        .program_mut(prog)
        .unwrap_or_else(|| panic!("{prog} missing from object"))
        .try_into()
        .expect("an XDP program");
    p.load()
        .unwrap_or_else(|e| panic!("verifier rejected {prog}: {e}"));
    let info = p.info().expect("program info");
    assert!(info.id() > 0);
    eprintln!(
        "{prog}: {} bytes translated, {} instructions verified",
        info.size_translated().unwrap_or(0),
        info.verified_instruction_count().unwrap_or(0)
    );
}

#[test]
fn capture_program_passes_the_verifier() {
    require_root();
    load(CAPTURE_OBJECT, CAPTURE_PROG);
}

#[test]
fn generator_and_drop_programs_pass_the_verifier() {
    require_root();
    load(GEN_OBJECT, GEN_PROG);
    load(GEN_OBJECT, DROP_PROG);
}
