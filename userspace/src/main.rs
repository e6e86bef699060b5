//! The `sluice` command.

/// The system allocator, advising huge pages for the big tables under `--hugepages`.
#[global_allocator]
static ALLOCATOR: sluice::hugepages::HugeAlloc = sluice::hugepages::HugeAlloc;

fn main() {
    std::process::exit(sluice::cli::main());
}
