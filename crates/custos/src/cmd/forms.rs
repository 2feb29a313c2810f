//! `custos forms`.

use std::process::ExitCode;

/// Arguments of `custos forms`.
#[derive(Debug, clap::Args)]
pub struct FormsArgs {}

/// Runs `custos forms`.
pub fn run(_args: FormsArgs) -> ExitCode {
    eprintln!("custos forms: not available yet");
    ExitCode::from(super::EXIT_USAGE)
}
