//! One module per subcommand. Each exposes `…Args` (clap) and `run(args) -> ExitCode`.

pub mod bench;
pub mod config;
pub mod demo;
pub mod forms;
pub mod ledger;
pub mod migrate;
pub mod seal;
pub mod serve;
pub mod upstream_sim;

/// Exit code for a usage or environment error (bad argument, busy port, unreadable file).
pub const EXIT_USAGE: u8 = 2;
