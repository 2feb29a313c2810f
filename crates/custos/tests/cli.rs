//! The `custos` binary as a user runs it: exit codes, one-line errors, and `serve` against a real
//! PostgreSQL server.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should fail loudly"
)]

mod common;

use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Killed, free_port};

fn custos(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_custos"))
        .args(args)
        .env_remove("CUSTOS__DATABASE__URL")
        .output()
        .unwrap()
}

fn get(url: &str) -> Option<(u16, String)> {
    // A tiny HTTP/1.0 GET so this test needs no HTTP client.
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

fn wait_for(url: &str) -> (u16, String) {
    let deadline = Instant::now() + Duration::from_mins(1);
    loop {
        if let Some(answer) = get(url) {
            return answer;
        }
        assert!(Instant::now() < deadline, "{url} never answered");
        pause();
    }
}

#[allow(
    clippy::disallowed_methods,
    reason = "polling a child process from a synchronous test"
)]
fn pause() {
    std::thread::sleep(Duration::from_millis(100));
}

fn one_line_error(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "exit code; stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn version_and_example_configuration_are_printed() {
    let out = custos(&["--version"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("custos "));
    let out = custos(&["config", "example"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("[server]"));
}

#[test]
fn an_unwritable_data_directory_is_a_one_line_error() {
    let out = custos(&["demo", "--data-dir", "/proc/custos-cannot-write-here"]);
    let err = one_line_error(&out);
    assert!(err.contains("data directory"), "{err}");
}

#[test]
fn a_bad_database_url_is_a_one_line_error_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_custos"))
        .current_dir(dir.path())
        .args([
            "migrate",
            "--database-url",
            "mysql://root:hunter2@localhost/x",
        ])
        .output()
        .unwrap();
    let err = one_line_error(&out);
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn a_busy_port_is_a_one_line_error() {
    let blocker = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = blocker.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = custos(&[
        "demo",
        "--port",
        &port,
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    let err = one_line_error(&out);
    assert!(err.contains("already in use"), "{err}");
}

#[test]
fn the_upstream_simulator_refuses_bad_arguments_with_exit_code_2() {
    let out = custos(&["upstream-sim", "jcic", "--listen", "not-an-address"]);
    one_line_error(&out);
}

#[test]
fn a_second_demo_run_reuses_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for _run in 0..2 {
        let port = free_port();
        let child = Killed(
            Command::new(env!("CARGO_BIN_EXE_custos"))
                .args(["demo", "--port", &port.to_string(), "--data-dir"])
                .arg(&data)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let (status, _) = wait_for(&format!("http://127.0.0.1:{port}/healthz"));
        assert_eq!(status, 200);
        let (_, body) = wait_for(&format!("http://127.0.0.1:{port}/organisation"));
        assert_eq!(
            body.matches("示範商業銀行").count(),
            1,
            "seeded exactly once"
        );
        drop(child);
    }
}

#[test]
fn serve_runs_against_a_real_postgresql_server() {
    if std::env::var("CUSTOS_TEST_POSTGRES_URL").is_err() {
        let msg = "CUSTOS_TEST_POSTGRES_URL not set: `custos serve` on PostgreSQL NOT TESTED (scripts/test sets it)";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        eprintln!("\n*** {msg} ***\n");
        return;
    }
    // A fresh schema per run: a server's ledger keys live in its (temporary) data directory, and
    // a database whose ledger has other keys refuses to start (docs/adr/0104).
    let url = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(custos_testkit::db::RoleSplit::postgres())
        .unwrap()
        .owner_url;
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let _server = Killed(
        Command::new(env!("CARGO_BIN_EXE_custos"))
            .current_dir(dir.path())
            .args([
                "serve",
                "--database-url",
                &url,
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (status, body) = wait_for(&format!("http://127.0.0.1:{port}/readyz"));
    assert_eq!(status, 200, "{body}");
    let (status, body) = wait_for(&format!("http://127.0.0.1:{port}/"));
    assert_eq!(status, 200);
    assert!(body.contains(r#"lang="zh-TW""#));
    let out = custos(&["migrate", "--database-url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("postgres"));
}

#[test]
fn forms_render_writes_every_sample_form_and_refuses_unknown_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = custos(&[
        "forms",
        "render",
        "--form",
        "all",
        "--sample",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut kinds: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| {
            e.unwrap()
                .path()
                .extension()
                .map(|x| x.to_string_lossy().into_owned())
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, ["docx", "pdf", "xlsx"], "every format is produced");
    let out = custos(&[
        "forms", "render", "--form", "jcic9", "--sample", "--out", "x",
    ]);
    one_line_error(&out);
}
