//! The `sluice` command.
fn main() {
    std::process::exit(sluice::cli::main());
}
