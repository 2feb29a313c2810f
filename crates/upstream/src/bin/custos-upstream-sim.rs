//! `custos-upstream-sim jcic --listen ADDR [flags]`: the registry simulators as a small binary of
//! their own, so integration tests start them as a separate process (`custos upstream-sim` runs
//! the same code).

use std::process::ExitCode;

fn main() -> ExitCode {
    custos_upstream::sim::cli::run_from_args("custos-upstream-sim", std::env::args_os().skip(1))
}
