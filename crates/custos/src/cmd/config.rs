//! `custos config`: configuration helpers.

use std::process::ExitCode;

/// Arguments of `custos config`.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ConfigCommand {
    /// Print the commented reference configuration file (custos.toml).
    Example,
}

/// Runs `custos config`.
pub fn run(args: ConfigArgs) -> ExitCode {
    match args.command {
        ConfigCommand::Example => {
            print!("{}", crate::settings::EXAMPLE);
            ExitCode::SUCCESS
        }
    }
}
