//! Three `custos serve` processes on one PostgreSQL database append concurrently and produce one
//! consistent ledger (issue #3, ADR 0103): each batch locks the head row, so indices are
//! contiguous, none is used twice, every acknowledged entry is present with its leaf hash, the
//! size equals the number of acknowledgements and `custos ledger verify --database-url` passes.
//!
//! The database is set up with the role split (docs/adr/0104): `custos migrate` and every server
//! migrate as the schema owner (`database.owner_url`) and run as an application role without
//! `UPDATE`/`DELETE`/`TRUNCATE` on the ledger. The instances share the ledger keys (the first
//! one's `ledger/` directory is copied); an instance with keys of its own is refused.
//!
//! Needs `CUSTOS_TEST_POSTGRES_URL` (set by `scripts/test`); skipped with a notice otherwise.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a failing test should fail loudly and show its figures"
)]

mod common;
mod load;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use custos_testkit::db::RoleSplit;
use load::{Load, Server, bundle_leaf_hashes, pause, read_acks, start_server};

const INSTANCES: usize = 3;
const CLIENTS_PER_INSTANCE: usize = 3;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn run(args: &[&str], env: &[(&str, String)]) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_custos"));
    cmd.args(args)
        .env_remove("CUSTOS__DATABASE__URL")
        .env_remove("CUSTOS__DATABASE__OWNER_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fresh role-split schema, or `None` (with a notice) without `CUSTOS_TEST_POSTGRES_URL`.
fn role_split(what: &str) -> Option<RoleSplit> {
    if std::env::var("CUSTOS_TEST_POSTGRES_URL").is_err() {
        let msg =
            format!("CUSTOS_TEST_POSTGRES_URL not set: {what} NOT TESTED (scripts/test sets it)");
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        // Past the test harness's output capture, so the skip is seen.
        let _ = writeln!(std::io::stderr(), "\n*** {msg} ***\n");
        return None;
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(RoleSplit::postgres())
}

/// The environment of an instance: role split on, its own data directory.
fn db_env(urls: &RoleSplit, dir: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("CUSTOS__DATABASE__URL", urls.app_url.clone()),
        ("CUSTOS__DATABASE__OWNER_URL", urls.owner_url.clone()),
        ("CUSTOS__DATA__DIR", dir.display().to_string()),
    ]
}

/// Starts the first instance (it creates the ledger keys), copies its key directory to the
/// others' data directories and starts those at the same moment, so their migrations, grants
/// and key registrations race (advisory lock, head lock). Returns the servers and the path of
/// the shared `kek.hex`.
fn start_instances(urls: &RoleSplit, work: &Path) -> (Vec<Server>, String) {
    let dirs: Vec<PathBuf> = (0..INSTANCES)
        .map(|i| work.join(format!("instance-{i}")))
        .collect();
    let mut servers = vec![start_server(
        work,
        &db_env(urls, &dirs[0]),
        &work.join("serve-0.log"),
    )];
    let starting: Vec<_> = dirs
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, dir)| {
            copy_dir(&dirs[0].join("ledger"), &dir.join("ledger"));
            let env = db_env(urls, dir);
            let cwd = work.to_path_buf();
            std::thread::spawn(move || {
                start_server(&cwd, &env, &cwd.join(format!("serve-{i}.log")))
            })
        })
        .collect();
    servers.extend(starting.into_iter().map(|t| t.join().unwrap()));
    let kek = dirs[0].join("ledger").join("kek.hex").display().to_string();
    (servers, kek)
}

/// `custos ledger verify --database-url` must exit 0; returns the exported leaf hashes after
/// checking that every acknowledgement in `acks_dir` is there with its hash.
fn verify_and_check_acks(urls: &RoleSplit, kek: &str, work: &Path, acks_dir: &Path) -> Vec<String> {
    let (code, out, err) = run(
        &[
            "ledger",
            "verify",
            "--database-url",
            &urls.app_url,
            "--kek-file",
            kek,
        ],
        &[],
    );
    assert_eq!(code, Some(0), "verify: {out}{err}");
    let bundle = work.join("bundle.json");
    let (code, out, err) = run(
        &[
            "ledger",
            "export",
            "--out",
            &bundle.display().to_string(),
            "--database-url",
            &urls.app_url,
            "--kek-file",
            kek,
        ],
        &[],
    );
    assert_eq!(code, Some(0), "export: {out}{err}");
    let hashes = bundle_leaf_hashes(&bundle);
    let acks = read_acks(acks_dir); // panics on an index acknowledged twice
    for (index, hash) in &acks {
        let stored = usize::try_from(*index).ok().and_then(|i| hashes.get(i));
        assert_eq!(stored, Some(hash), "acknowledged index {index}");
    }
    hashes
}

/// Which instance acknowledged each index (from the `i<N>-*.acks` file names).
fn owners(acks_dir: &Path, size: usize) -> Vec<usize> {
    let mut owner = vec![usize::MAX; size];
    for entry in std::fs::read_dir(acks_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let instance: usize = name[1..name.find('-').unwrap()].parse().unwrap();
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let index: usize = line.split(' ').next().unwrap().parse().unwrap();
            owner[index] = instance;
        }
    }
    owner
}

#[test]
fn three_instances_on_one_postgresql_database_keep_one_consistent_ledger() {
    let Some(urls) = role_split("three instances on one PostgreSQL") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();

    // `custos migrate` with the role split.
    let (code, out, err) = run(&["migrate"], &db_env(&urls, work.path()));
    assert_eq!(code, Some(0), "migrate: {out}{err}");
    assert!(out.contains("custos_test_app granted"), "{out}");

    let (servers, kek) = start_instances(&urls, work.path());

    // An instance with keys of its own is refused: one ledger, one set of keys.
    let stranger = work.path().join("stranger");
    let mut child = Command::new(env!("CARGO_BIN_EXE_custos"))
        .current_dir(work.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .envs(db_env(&urls, &stranger))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_mins(1);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("an instance with its own ledger keys was not refused");
        }
        pause(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("share the ledger keys"), "{stderr}");
    assert!(
        !stranger.join("ledger").exists(),
        "keys were created anyway"
    );

    // Probe load on all three at once.
    let acks_dir = work.path().join("acks");
    std::fs::create_dir_all(&acks_dir).unwrap();
    let loads: Vec<Load> = servers
        .iter()
        .enumerate()
        .map(|(i, s)| Load::start(&s.addr, CLIENTS_PER_INSTANCE, &acks_dir, &format!("i{i}")))
        .collect();
    pause(Duration::from_millis(1500));
    let per_instance: Vec<u64> = loads.into_iter().map(Load::stop).collect();
    drop(servers);
    let total: u64 = per_instance.iter().sum();
    println!("acknowledged per instance: {per_instance:?}, total {total}");
    assert!(per_instance.iter().all(|&n| n > 0), "{per_instance:?}");

    let hashes = verify_and_check_acks(&urls, &kek, work.path(), &acks_dir);
    let acks = read_acks(&acks_dir);
    assert_eq!(acks.len() as u64, total);
    assert_eq!(hashes.len() as u64, total, "ledger size = acknowledgements");
    let indices: Vec<u64> = acks.keys().copied().collect();
    assert_eq!(
        indices,
        (0..total).collect::<Vec<_>>(),
        "contiguous indices"
    );
    // How finely the instances' batches interleave: changes of instance along the index order.
    let owner = owners(&acks_dir, hashes.len());
    let switches = owner.windows(2).filter(|w| w[0] != w[1]).count();
    println!(
        "one ledger of {total} entries from {INSTANCES} instances ({switches} changes of instance along the indices); verify exit 0"
    );
}

#[test]
fn an_instance_killed_under_load_does_not_stop_the_others_or_lose_an_acknowledged_entry() {
    let Some(urls) = role_split("kill -9 of one of three PostgreSQL instances") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let (mut servers, kek) = start_instances(&urls, work.path());
    let acks_dir = work.path().join("acks");
    std::fs::create_dir_all(&acks_dir).unwrap();
    let mut loads: Vec<Load> = servers
        .iter()
        .enumerate()
        .map(|(i, s)| Load::start(&s.addr, CLIENTS_PER_INSTANCE, &acks_dir, &format!("i{i}")))
        .collect();
    let deadline = Instant::now() + Duration::from_mins(1);
    while loads.iter().any(|l| l.acked() < 20) {
        assert!(
            Instant::now() < deadline,
            "the instances never got under load"
        );
        pause(Duration::from_millis(10));
    }
    // SIGKILL instance 0, possibly holding the head lock in the middle of a batch.
    servers[0].child.0.kill().unwrap();
    servers[0].child.0.wait().unwrap();
    let killed_load = loads.remove(0);
    let killed_acks = killed_load.stop();
    // The survivors keep appending (PostgreSQL ends the dead session and frees its lock).
    let before: Vec<u64> = loads.iter().map(Load::acked).collect();
    let deadline = Instant::now() + Duration::from_mins(1);
    while loads.iter().zip(&before).any(|(l, b)| l.acked() < b + 50) {
        assert!(
            Instant::now() < deadline,
            "the surviving instances stopped appending after the kill"
        );
        pause(Duration::from_millis(10));
    }
    let survivors: Vec<u64> = loads.into_iter().map(Load::stop).collect();
    drop(servers);
    let hashes = verify_and_check_acks(&urls, &kek, work.path(), &acks_dir);
    let acks = read_acks(&acks_dir);
    let total = killed_acks + survivors.iter().sum::<u64>();
    assert_eq!(acks.len() as u64, total);
    assert!(hashes.len() as u64 >= total);
    println!(
        "killed instance: {killed_acks} acks; survivors: {survivors:?}; ledger size {} ({} committed but unacknowledged); verify exit 0",
        hashes.len(),
        hashes.len() as u64 - total
    );
}

#[test]
fn an_owner_url_with_sqlite_is_refused_with_a_clear_message() {
    let work = tempfile::tempdir().unwrap();
    for command in ["migrate", "serve"] {
        let (code, out, err) = run(
            &[command],
            &[
                ("CUSTOS__DATA__DIR", work.path().display().to_string()),
                (
                    "CUSTOS__DATABASE__OWNER_URL",
                    "postgres://owner:secretpw@127.0.0.1:1/x".to_owned(),
                ),
            ],
        );
        assert_eq!(code, Some(2), "{command}: {out}{err}");
        assert!(err.contains("applies to PostgreSQL only"), "{err}");
        assert!(!err.contains("secretpw"), "{err}");
    }
}
