//! Crash safety of the write path (issue #3, ADR 0103): `custos serve` is killed with SIGKILL
//! while client threads append through the monitoring probe, again and again on one SQLite data
//! directory. Every acknowledged append must survive: after each kill the ledger verifies, every
//! acknowledged index holds the acknowledged leaf hash, and the next start passes the start-up
//! check (it is the next trial's server).
//!
//! Each client writes every acknowledgement to its own file and fsyncs the file and its directory
//! before counting it, so the acknowledgements are themselves durable evidence. The kill comes
//! after a random 100–400 ms of load (seeded: `CUSTOS_CRASH_SEED`, default fixed), counted from
//! the first acknowledgement of the trial.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a failing test should fail loudly and show its figures"
)]

mod common;
mod load;

use std::time::{Duration, Instant};

use load::{Load, SplitMix, bundle_leaf_hashes, custos, pause, read_acks, start_server};

/// Kill trials.
const TRIALS: u64 = 20;
/// Concurrent probe clients per trial.
const CLIENTS: usize = 4;

#[test]
fn acknowledged_appends_survive_kill_9_of_the_server() {
    let seed = std::env::var("CUSTOS_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x00c0_ffee_u64);
    let mut rng = SplitMix(seed);
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let acks_dir = work.path().join("acks");
    std::fs::create_dir_all(&acks_dir).unwrap();
    let data_env = data.display().to_string();
    let kek = data.join("ledger").join("kek.hex").display().to_string();
    let bundle = work.path().join("bundle.json");
    let bundle_arg = bundle.display().to_string();
    let env = [("CUSTOS__DATA__DIR", data_env.clone())];
    println!("crash test: seed {seed:#x}, {TRIALS} trials, {CLIENTS} clients");

    let mut total_acks = 0;
    for trial in 0..TRIALS {
        // Trial 0 starts on an empty directory; every later start is the restart after a kill
        // and must pass the start-up check.
        let stderr = work.path().join(format!("serve-{trial}.log"));
        let mut server = start_server(work.path(), &env, &stderr);
        let load = Load::start(&server.addr, CLIENTS, &acks_dir, &format!("t{trial:02}"));
        let deadline = Instant::now() + Duration::from_mins(1);
        while load.acked() == 0 {
            assert!(
                Instant::now() < deadline,
                "trial {trial}: no probe was acknowledged:\n{}",
                std::fs::read_to_string(&stderr).unwrap_or_default()
            );
            pause(Duration::from_millis(5));
        }
        let delay = rng.between(100, 400);
        pause(Duration::from_millis(delay));
        server.child.0.kill().unwrap(); // SIGKILL
        server.child.0.wait().unwrap();
        let acked = load.stop();
        total_acks += acked;

        let (code, out, err) = custos(&[
            "ledger",
            "verify",
            "--data-dir",
            &data_env,
            "--kek-file",
            &kek,
        ]);
        assert_eq!(code, Some(0), "trial {trial}: verify\n{out}\n{err}");
        let (code, out, err) = custos(&[
            "ledger",
            "export",
            "--out",
            &bundle_arg,
            "--data-dir",
            &data_env,
            "--kek-file",
            &kek,
        ]);
        assert_eq!(code, Some(0), "trial {trial}: export\n{out}\n{err}");
        let hashes = bundle_leaf_hashes(&bundle);
        let acks = read_acks(&acks_dir);
        for (index, hash) in &acks {
            let stored = usize::try_from(*index)
                .ok()
                .and_then(|i| hashes.get(i))
                .unwrap_or_else(|| {
                    panic!(
                        "trial {trial}: acknowledged index {index} is missing (ledger size {})",
                        hashes.len()
                    )
                });
            assert_eq!(stored, hash, "trial {trial}: index {index}");
        }
        println!(
            "trial {trial:2}: load {delay:3} ms after the first ack, {acked:4} acks, ledger size {:5}, acks so far {:5} (committed but unacknowledged so far: {})",
            hashes.len(),
            acks.len(),
            hashes.len() - acks.len()
        );
        assert_eq!(acks.len() as u64, total_acks);
    }
    // The last kill, too, leaves a ledger that starts.
    let stderr = work.path().join("serve-final.log");
    let server = start_server(work.path(), &env, &stderr);
    drop(server);
    println!("crash test: {total_acks} acknowledged appends over {TRIALS} kills, all present");
}
