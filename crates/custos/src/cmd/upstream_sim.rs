//! `custos upstream-sim jcic --listen ADDR [flags]`: runs a registry simulator as its own
//! process (simulated data only). The simulator lives in `custos_upstream::sim`; this module
//! only hands it the arguments, so `custos upstream-sim` and the test binary
//! `custos-upstream-sim` behave the same: bad arguments or a busy port give one line on stderr
//! (zh-TW / English) and exit code 2; on start the first stdout line names `http://ADDR`.

use std::ffi::OsString;
use std::process::ExitCode;

/// Arguments of `custos upstream-sim`: passed through to the simulator's own parser, so that
/// its errors are reported on one line (see `custos_upstream::sim::cli`).
#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub struct UpstreamSimArgs {
    /// `jcic --listen ADDR [--latency-ms MS] [--fail-rate RATE] [--fail-mode MODE] [--seed N]`
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        num_args = 0..,
        value_name = "REGISTRY AND FLAGS"
    )]
    pub args: Vec<OsString>,
}

/// Runs `custos upstream-sim`.
pub fn run(args: UpstreamSimArgs) -> ExitCode {
    custos_upstream::sim::cli::run_from_args("custos upstream-sim", args.args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_arguments_exit_with_code_2() {
        for args in [vec!["jcic", "--listen", "nope"], vec![], vec!["jcic"]] {
            let code = run(UpstreamSimArgs {
                args: args.into_iter().map(OsString::from).collect(),
            });
            assert_eq!(code, ExitCode::from(super::super::EXIT_USAGE));
        }
    }
}
