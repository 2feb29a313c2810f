//! `custos ledger`.

use std::process::ExitCode;

/// Arguments of `custos ledger`.
#[derive(Debug, clap::Args)]
pub struct LedgerArgs {}

/// Runs `custos ledger`.
pub fn run(_args: LedgerArgs) -> ExitCode {
    eprintln!("custos ledger: not available yet");
    ExitCode::from(super::EXIT_USAGE)
}
