//! Helpers shared by the binary's integration tests.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::net::TcpListener;
use std::process::Child;

/// A child process that is killed when the test ends, pass or fail.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_or_else(|e| panic!("no free port: {e}"), |a| a.port())
}
