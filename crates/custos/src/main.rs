//! The `custos` binary: parses the command line and hands each subcommand to its module in `cmd`.
//!
//! This is the only place that picks a storage backend and wires the crates together. Each
//! subcommand module owns its arguments and returns a process exit code: 0 success, 1 a check
//! failed (e.g. `ledger verify` found tampering), 2 usage or environment error.

// The binary talks to its user on stdout/stderr by design.
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![allow(
    clippy::needless_pass_by_value,
    reason = "every subcommand's `run` takes its arguments by value, uniformly"
)]

mod cmd;
mod demo_world;
#[cfg(test)]
mod ledger_api_tests;
mod probe;
mod runtime;
mod settings;
mod wiring;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Custos — governed lookups of government registries, with the evidence auditors need.
#[derive(Debug, Parser)]
#[command(name = "custos", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run Custos with demo data on the embedded database (SQLite).
    Demo(cmd::demo::DemoArgs),
    /// Run the Custos server.
    Serve(cmd::serve::ServeArgs),
    /// Apply database migrations and exit.
    Migrate(cmd::migrate::MigrateArgs),
    /// Configuration helpers.
    Config(cmd::config::ConfigArgs),
    /// Tamper-evident ledger: verify, export, proofs.
    Ledger(cmd::ledger::LedgerArgs),
    /// Seal-imprint comparison: compare, generate a dataset, evaluate.
    Seal(cmd::seal::SealArgs),
    /// Official forms: render previews.
    Forms(cmd::forms::FormsArgs),
    /// Run a simulator of an upstream registry as its own process.
    UpstreamSim(cmd::upstream_sim::UpstreamSimArgs),
    /// Benchmarks that print their figures.
    Bench(cmd::bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo(args) => cmd::demo::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Migrate(args) => cmd::migrate::run(args),
        Command::Config(args) => cmd::config::run(args),
        Command::Ledger(args) => cmd::ledger::run(args),
        Command::Seal(args) => cmd::seal::run(args),
        Command::Forms(args) => cmd::forms::run(args),
        Command::UpstreamSim(args) => cmd::upstream_sim::run(args),
        Command::Bench(args) => cmd::bench::run(args),
    }
}
