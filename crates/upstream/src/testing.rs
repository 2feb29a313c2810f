//! Test harness: runs a registry simulator as a separate process on a free port, over real HTTP.
//!
//! ```no_run
//! # use custos_upstream::testing::SimProcess;
//! // In an integration test of this crate the path is env!("CARGO_BIN_EXE_custos-upstream-sim").
//! let program = std::path::Path::new("target/debug/custos-upstream-sim");
//! let sim = SimProcess::start(program, &["jcic"]).unwrap();
//! let url = sim.base_url(); // http://127.0.0.1:PORT
//! ```
//! Other crates pass the path of the `custos` binary with `["upstream-sim", "jcic"]`.
//! The harness adds `--listen 127.0.0.1:0`, reads the bound address from the first stdout line
//! (see [`crate::sim::cli`]), and kills the process when dropped. Starting blocks the calling
//! thread until that line arrives (milliseconds); call it before heavy async work.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Why the simulator process could not be started.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The program could not be spawned.
    #[error("cannot start {program}: {source}")]
    Spawn {
        /// Program path.
        program: String,
        /// OS error.
        source: std::io::Error,
    },
    /// The process exited or printed something else before announcing its address.
    #[error("simulator did not announce its address (stdout: {stdout:?}, stderr: {stderr:?})")]
    NoAddress {
        /// First stdout line, if any.
        stdout: String,
        /// Its stderr.
        stderr: String,
    },
}

/// A simulator running as a child process. Killed on drop.
#[derive(Debug)]
pub struct SimProcess {
    child: Child,
    addr: SocketAddr,
    scheme: &'static str,
}

impl SimProcess {
    /// Starts `program args… --listen 127.0.0.1:0` and waits for its address.
    pub fn start(program: impl AsRef<Path>, args: &[&str]) -> Result<Self, HarnessError> {
        Self::start_with(program, args, &[])
    }

    /// Like [`Self::start`], with extra flags after `--listen` (e.g. `--latency-ms 5`).
    pub fn start_with(
        program: impl AsRef<Path>,
        args: &[&str],
        flags: &[&str],
    ) -> Result<Self, HarnessError> {
        let program = program.as_ref();
        let mut child = Command::new(program)
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| HarnessError::Spawn {
                program: program.display().to_string(),
                source,
            })?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let scheme = if line.contains("https://") {
            "https"
        } else {
            "http"
        };
        let addr = line
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|a| a.parse::<SocketAddr>().ok());
        if let Some(addr) = addr {
            Ok(Self {
                child,
                addr,
                scheme,
            })
        } else {
            let _ = child.kill();
            let _ = child.wait();
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut stderr);
            }
            Err(HarnessError::NoAddress {
                stdout: line,
                stderr,
            })
        }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, or `https://ADDR` when started with `--tls-cert`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
