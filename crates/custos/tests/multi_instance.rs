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

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use custos_testkit::db::RoleSplit;
use load::{Load, bundle_leaf_hashes, pause, read_acks, start_server};

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

#[test]
fn three_instances_on_one_postgresql_database_keep_one_consistent_ledger() {
    if std::env::var("CUSTOS_TEST_POSTGRES_URL").is_err() {
        let msg = "CUSTOS_TEST_POSTGRES_URL not set: three instances on one PostgreSQL NOT TESTED (scripts/test sets it)";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        eprintln!("\n*** {msg} ***\n");
        return;
    }
    let urls = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(RoleSplit::postgres())
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let db_env = |dir: &Path| {
        vec![
            ("CUSTOS__DATABASE__URL", urls.app_url.clone()),
            ("CUSTOS__DATABASE__OWNER_URL", urls.owner_url.clone()),
            ("CUSTOS__DATA__DIR", dir.display().to_string()),
        ]
    };

    // `custos migrate` with the role split.
    let (code, out, err) = run(&["migrate"], &db_env(work.path()));
    assert_eq!(code, Some(0), "migrate: {out}{err}");
    assert!(out.contains("custos_test_app granted"), "{out}");

    // The first instance creates the ledger keys; the others get a copy.
    let dirs: Vec<_> = (0..INSTANCES)
        .map(|i| work.path().join(format!("instance-{i}")))
        .collect();
    let mut servers = vec![start_server(
        work.path(),
        &db_env(&dirs[0]),
        &work.path().join("serve-0.log"),
    )];
    // The others start at the same moment: migrations, grants and key registration of two
    // instances race (advisory lock, head lock).
    let starting: Vec<_> = dirs
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, dir)| {
            copy_dir(&dirs[0].join("ledger"), &dir.join("ledger"));
            let env = db_env(dir);
            let cwd = work.path().to_path_buf();
            std::thread::spawn(move || {
                start_server(&cwd, &env, &cwd.join(format!("serve-{i}.log")))
            })
        })
        .collect();
    servers.extend(starting.into_iter().map(|t| t.join().unwrap()));

    // An instance with keys of its own is refused: one ledger, one set of keys.
    let stranger = work.path().join("stranger");
    let mut child = Command::new(env!("CARGO_BIN_EXE_custos"))
        .current_dir(work.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .envs(db_env(&stranger))
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

    let kek = dirs[0].join("ledger").join("kek.hex").display().to_string();
    let (code, out, err) = run(
        &[
            "ledger",
            "verify",
            "--database-url",
            &urls.app_url,
            "--kek-file",
            &kek,
        ],
        &[],
    );
    assert_eq!(code, Some(0), "verify: {out}{err}");
    let bundle = work.path().join("bundle.json");
    let (code, out, err) = run(
        &[
            "ledger",
            "export",
            "--out",
            &bundle.display().to_string(),
            "--database-url",
            &urls.app_url,
            "--kek-file",
            &kek,
        ],
        &[],
    );
    assert_eq!(code, Some(0), "export: {out}{err}");
    let hashes = bundle_leaf_hashes(&bundle);
    let acks = read_acks(&acks_dir); // panics on an index acknowledged twice
    assert_eq!(acks.len() as u64, total);
    assert_eq!(hashes.len() as u64, total, "ledger size = acknowledgements");
    let indices: Vec<u64> = acks.keys().copied().collect();
    assert_eq!(
        indices,
        (0..total).collect::<Vec<_>>(),
        "contiguous indices"
    );
    for (index, hash) in &acks {
        assert_eq!(
            &hashes[usize::try_from(*index).unwrap()],
            hash,
            "index {index}"
        );
    }
    // How finely the instances' batches interleave: changes of instance along the index order.
    let mut owner = vec![usize::MAX; hashes.len()];
    for entry in std::fs::read_dir(&acks_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let instance: usize = name[1..name.find('-').unwrap()].parse().unwrap();
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let index: usize = line.split(' ').next().unwrap().parse().unwrap();
            owner[index] = instance;
        }
    }
    let switches = owner.windows(2).filter(|w| w[0] != w[1]).count();
    println!(
        "one ledger of {total} entries from {INSTANCES} instances ({switches} changes of instance along the indices); verify exit 0"
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
