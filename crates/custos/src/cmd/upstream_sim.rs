//! `custos upstream-sim`.

use std::process::ExitCode;

/// Arguments of `custos upstream-sim`.
#[derive(Debug, clap::Args)]
pub struct UpstreamSimArgs {}

/// Runs `custos upstream-sim`.
pub fn run(_args: UpstreamSimArgs) -> ExitCode {
    eprintln!("custos upstream-sim: not available yet");
    ExitCode::from(super::EXIT_USAGE)
}
