#![allow(dead_code, reason = "each test binary uses a different subset")]

//! Driving `custos serve` under probe load (`POST /api/ledger/probe`) for the crash and
//! multi-instance tests: starting a server, client threads that record every acknowledgement
//! durably, and reading the ledger back.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::common::Killed;

/// The bearer token the tests configure.
pub const TOKEN: &str = "crash-test-probe-token";

/// A running `custos serve`.
pub struct Server {
    /// The process (killed on drop).
    pub child: Killed,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

/// Starts `custos serve --listen 127.0.0.1:0` with the probe enabled and `env` added, in `cwd`,
/// and waits for it to say where it listens. Panics with its stderr when it exits instead.
pub fn start_server(cwd: &Path, env: &[(&str, String)], stderr_file: &Path) -> Server {
    let stderr = File::create(stderr_file).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_custos"));
    cmd.current_dir(cwd)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("CUSTOS__DATABASE__URL")
        .env_remove("CUSTOS__DATABASE__OWNER_URL")
        .env("CUSTOS__LEDGER__PROBE_TOKEN", TOKEN)
        .env("CUSTOS__LEDGER__PROBE_RATE_PER_SECOND", "1000000")
        .env("CUSTOS__LOG__FILTER", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = Killed(cmd.spawn().unwrap());
    let stdout = child.0.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout);
    let mut line = String::new();
    loop {
        line.clear();
        let n = lines.read_line(&mut line).unwrap_or(0);
        if n == 0 {
            let status = child.0.wait().unwrap();
            let log = std::fs::read_to_string(stderr_file).unwrap_or_default();
            panic!("custos serve exited ({status}) before listening:\n{log}");
        }
        if let Some(at) = line.find("http://") {
            let addr = line[at + 7..].trim().trim_end_matches('/').to_owned();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || {
                let mut sink = Vec::new();
                let _ = lines.read_to_end(&mut sink);
            });
            return Server { child, addr };
        }
    }
}

/// One acknowledged probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// Entry index.
    pub index: u64,
    /// Leaf hash, lower-case hex.
    pub leaf_hash: String,
}

/// `POST /api/ledger/probe` over HTTP/1.0 (one connection per request). `Some(ack)` only for a
/// complete 200 answer.
pub fn probe(addr: &str) -> Option<Ack> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "POST /api/ledger/probe HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status: u16 = response.split(' ').nth(1)?.parse().ok()?;
    if status != 200 {
        return None;
    }
    let body = response.split_once("\r\n\r\n")?.1;
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    Some(Ack {
        index: json["index"].as_u64()?,
        leaf_hash: json["leaf_hash"].as_str()?.to_owned(),
    })
}

/// Client threads posting probes until stopped; each writes every acknowledgement to its own
/// file and fsyncs the file and its directory before counting it.
pub struct Load {
    stop: Arc<AtomicBool>,
    acked: Arc<AtomicU64>,
    threads: Vec<JoinHandle<()>>,
}

fn fsync_dir(dir: &Path) {
    File::open(dir).unwrap().sync_all().unwrap();
}

impl Load {
    /// Starts `clients` threads against `addr`, writing `<dir>/<prefix>-<n>.acks`.
    pub fn start(addr: &str, clients: usize, dir: &Path, prefix: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(AtomicU64::new(0));
        let threads = (0..clients)
            .map(|n| {
                let (stop, acked) = (stop.clone(), acked.clone());
                let addr = addr.to_owned();
                let dir = dir.to_path_buf();
                let path = dir.join(format!("{prefix}-{n}.acks"));
                std::thread::spawn(move || {
                    let mut file = File::create(&path).unwrap();
                    fsync_dir(&dir);
                    while !stop.load(Ordering::SeqCst) {
                        if let Some(ack) = probe(&addr) {
                            writeln!(file, "{} {}", ack.index, ack.leaf_hash).unwrap();
                            file.sync_all().unwrap();
                            fsync_dir(&dir);
                            acked.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        Self {
            stop,
            acked,
            threads,
        }
    }

    /// Acknowledgements counted so far.
    pub fn acked(&self) -> u64 {
        self.acked.load(Ordering::SeqCst)
    }

    /// Stops the clients and waits for them; returns the acknowledgements counted.
    pub fn stop(self) -> u64 {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads {
            t.join().unwrap();
        }
        self.acked.load(Ordering::SeqCst)
    }
}

/// Every acknowledgement recorded in the `*.acks` files of `dir`, by index. Panics if one index
/// was acknowledged twice with different hashes, or twice at all (two appends, one index).
pub fn read_acks(dir: &Path) -> BTreeMap<u64, String> {
    let mut acks = BTreeMap::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "acks"))
        .collect();
    files.sort();
    for path in files {
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let (index, hash) = line.split_once(' ').unwrap();
            let index: u64 = index.parse().unwrap();
            let previous = acks.insert(index, hash.to_owned());
            assert!(
                previous.is_none(),
                "index {index} acknowledged twice ({})",
                path.display()
            );
        }
    }
    acks
}

/// The leaf hashes of an exported bundle (`custos ledger export`), in index order.
pub fn bundle_leaf_hashes(bundle: &Path) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(bundle).unwrap()).unwrap();
    json["leaves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|leaf| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(leaf.as_str().unwrap())
                .unwrap();
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(&bytes);
            hex::encode(h.finalize())
        })
        .collect()
}

/// Runs `custos` with `args`; returns (exit code, stdout, stderr).
pub fn custos(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_custos"))
        .args(args)
        .env_remove("CUSTOS__DATABASE__URL")
        .env_remove("CUSTOS__DATABASE__OWNER_URL")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Pauses the calling test thread.
#[allow(
    clippy::disallowed_methods,
    reason = "pacing a load against child processes from a synchronous test"
)]
pub fn pause(d: Duration) {
    std::thread::sleep(d);
}

/// splitmix64: a seeded, reproducible generator for the test's random choices.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}
