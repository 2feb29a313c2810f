//! Integration tests: the HTTP connector against the JCIC simulator running as a separate
//! process over real HTTP (started by `custos_upstream::testing::SimProcess`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use custos_domain::clock::{Clock, FakeClock};
use custos_upstream::breaker::{BreakerSettings, BreakerState};
use custos_upstream::connector::RegistryConnector;
use custos_upstream::error::{TimeoutPhase, UpstreamError};
use custos_upstream::http::{HttpConnector, HttpConnectorSettings, TlsSettings};
use custos_upstream::model::{
    ConsentMethod, ConsentRecord, IdempotencyKey, LookupParams, LookupRequest, Z52Encoding,
    Z52Query,
};
use custos_upstream::retry::{RecordingSleeper, RetrySettings};
use custos_upstream::testing::SimProcess;
use custos_upstream::{Bilingual, InstitutionCode, JcicPurpose, SubjectId};

const BIN: &str = env!("CARGO_BIN_EXE_custos-upstream-sim");

fn start_sim() -> SimProcess {
    SimProcess::start(BIN, &["jcic"]).expect("simulator starts")
}

struct Client {
    connector: HttpConnector,
    clock: Arc<FakeClock>,
    sleeper: Arc<RecordingSleeper>,
}

fn client(sim: &SimProcess, tweak: impl FnOnce(&mut HttpConnectorSettings)) -> Client {
    let clock = Arc::new(FakeClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap(),
    ));
    let sleeper = Arc::new(RecordingSleeper::default());
    let mut settings = HttpConnectorSettings::new("JCIC", &sim.base_url());
    // Generous: a loaded CI machine must not turn a normal answer into a timeout. Tests that
    // expect a timeout shorten it.
    settings.request_timeout = Duration::from_secs(10);
    settings.retry = RetrySettings {
        max_attempts: 1,
        initial_backoff: Duration::from_millis(200),
        max_backoff: Duration::from_secs(2),
    };
    tweak(&mut settings);
    let connector = HttpConnector::new(settings, clock.clone(), sleeper.clone()).unwrap();
    Client {
        connector,
        clock,
        sleeper,
    }
}

fn member() -> InstitutionCode {
    InstitutionCode::parse("0040037").unwrap()
}

fn lookup(key: &str, subject: &str, case: &str) -> LookupRequest {
    LookupRequest {
        idempotency_key: IdempotencyKey::parse(key).unwrap(),
        operation: "T01".into(),
        subject_id: SubjectId::parse(subject).unwrap(),
        purpose: JcicPurpose::CreditGranting,
        member_code: member(),
        querier_code: "Q0001".into(),
        case_number: case.into(),
        consent_id: "CONSENT-0001".into(),
        params: LookupParams { year: Some(2024) },
    }
}

fn z52(encoding: Z52Encoding) -> Z52Query {
    Z52Query {
        member_code: member(),
        from: None,
        to: None,
        encoding,
    }
}

async fn stats(sim: &SimProcess) -> serde_json::Value {
    custos_upstream::http::install_crypto_provider();
    reqwest::get(format!("{}/sim/stats", sim.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_lookup_returns_simulated_agency_data_for_the_subject() {
    let sim = start_sim();
    let c = client(&sim, |_| {});
    let answer = c
        .connector
        .lookup(&lookup("lookup-0001", "A123456789", "L-2026-0001"))
        .await
        .unwrap();
    assert!(answer.simulated);
    assert_eq!(answer.operation, "T01");
    assert_eq!(answer.subject_id_masked, "A12****789");
    assert_eq!(answer.result["year"], 2024);
    assert_eq!(answer.result["roc_year"], 113);
    assert!(answer.result["name"].as_str().unwrap().chars().count() >= 2);
    assert!(answer.result["total_ntd"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn the_same_subject_gets_the_same_synthetic_data_on_every_lookup() {
    let sim = start_sim();
    let c = client(&sim, |_| {});
    let mut labour = lookup("lookup-0001", "N262705297", "L-1");
    labour.operation = "L01".into();
    labour.params = LookupParams::default();
    let a = c.connector.lookup(&labour).await.unwrap();
    labour.idempotency_key = IdempotencyKey::parse("lookup-0002").unwrap();
    let b = c.connector.lookup(&labour).await.unwrap();
    assert_ne!(a.lookup_id, b.lookup_id, "two lookups, two records");
    assert_eq!(a.result, b.result);
    assert!(!a.result["enrolments"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_catalogue_lists_the_simulated_operations() {
    let sim = start_sim();
    let c = client(&sim, |_| {});
    let catalogue = c.connector.operations().await.unwrap();
    assert!(catalogue.simulated);
    let codes: Vec<_> = catalogue
        .operations
        .iter()
        .map(|o| o.code.as_str())
        .collect();
    assert_eq!(codes, ["T01", "T02", "L01"]);
    assert!(catalogue.operations.iter().all(|o| o.simulated));
    assert!(catalogue.operations[0].name_en.contains("simulated"));
}

#[tokio::test]
async fn a_consent_record_is_forwarded_and_acknowledged_once() {
    let sim = start_sim();
    let c = client(&sim, |_| {});
    let consent = ConsentRecord {
        consent_id: IdempotencyKey::parse("consent-2026-0001").unwrap(),
        subject_id: SubjectId::parse("A123456789").unwrap(),
        member_code: member(),
        purpose: JcicPurpose::CardApplication,
        method: ConsentMethod::Electronic,
        granted_at: Utc.with_ymd_and_hms(2026, 1, 5, 3, 0, 0).unwrap(),
        case_number: "CARD-2026-0001".into(),
        evidence_sha256: "ab".repeat(32),
    };
    let ack = c.connector.forward_consent(&consent).await.unwrap();
    assert!(ack.simulated);
    assert_eq!(ack.consent_id, "consent-2026-0001");
    assert!(ack.ack_id.starts_with("SIM-C-"));
    let again = c.connector.forward_consent(&consent).await.unwrap();
    assert_eq!(
        again, ack,
        "a repeated forward is acknowledged with the same receipt"
    );
    assert_eq!(stats(&sim).await["consents_received"], 1);
}

#[tokio::test]
async fn the_z52_report_in_utf8_lists_every_lookup_served() {
    let sim = start_sim();
    let c = client(&sim, |_| {});
    c.connector
        .lookup(&lookup("lookup-0001", "A123456789", "L-2026-0001"))
        .await
        .unwrap();
    c.connector
        .lookup(&lookup("lookup-0002", "N262705297", "L-2026-0002"))
        .await
        .unwrap();
    let report = c
        .connector
        .fetch_z52(&z52(Z52Encoding::Utf8))
        .await
        .unwrap();
    assert!(report.simulated);
    let text = report.text().unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("查詢日期,查詢時間,會員代號,查詢人員代號,當事人身分證統一編號"));
    assert!(lines[1].contains(",0040037,Q0001,A123456789,"));
    assert!(lines[2].contains(",N262705297,"));
    assert!(lines[2].contains(",T01,綜合所得資料（依年度，模擬）,授信,L-2026-0002,"));
    assert!(lines.iter().skip(1).all(|l| l.ends_with(",Y")));

    let rows = report.rows().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].case_number, "L-2026-0002");
    assert_eq!(rows[1].purpose, "授信");
    assert!(
        rows.iter()
            .all(|r| r.simulated && r.member_code == "0040037")
    );
}

#[tokio::test]
async fn the_z52_report_in_big5_decodes_with_encoding_rs_and_keeps_rare_characters_as_references() {
    let sim = start_sim();
    let c = client(&sim, |_| {});
    // A800000014's synthetic name has U+21A0F (CJK Ext-B), which Big5 cannot encode.
    let answer = c
        .connector
        .lookup(&lookup("lookup-0001", "A800000014", "L-2026-0001"))
        .await
        .unwrap();
    let name = answer.result["name"].as_str().unwrap().to_owned();
    assert!(name.contains('\u{21A0F}'), "{name}");

    let report = c
        .connector
        .fetch_z52(&z52(Z52Encoding::Big5))
        .await
        .unwrap();
    assert_eq!(report.encoding, Z52Encoding::Big5);
    assert!(
        std::str::from_utf8(&report.bytes).is_err(),
        "Big5 bytes are not UTF-8"
    );
    let (decoded, _, had_errors) = encoding_rs::BIG5.decode(&report.bytes);
    assert!(!had_errors);
    assert!(decoded.starts_with("查詢日期,查詢時間,會員代號"));
    let expected = name.replace('\u{21A0F}', "&#137743;");
    assert!(
        decoded.contains(&format!(",A800000014,{expected},")),
        "{decoded}"
    );
    assert_eq!(report.text().unwrap(), decoded);

    // Reading the rows turns the reference back into the character.
    let rows = report.rows().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].subject_name, name);
    assert_eq!(rows[0].subject_id.as_str(), "A800000014");
    assert_eq!(rows[0].lookup_id, answer.lookup_id);
}

#[tokio::test]
async fn a_retried_lookup_is_served_once_by_the_registry() {
    let sim = start_sim();
    let c = client(&sim, |s| {
        s.retry.max_attempts = 3;
        // The simulator records the lookup, then fails the answer: the connector retries with the
        // same idempotency key and gets the stored answer.
        s.extra_headers = vec![("X-Sim-Fail-After-Record".into(), "1".into())];
    });
    let answer = c
        .connector
        .lookup(&lookup("lookup-retry-1", "A123456789", "L-2026-0009"))
        .await
        .unwrap();
    assert_eq!(answer.lookup_id, "SIM-L-000001");
    assert_eq!(c.sleeper.waits(), [Duration::from_millis(200)], "one retry");
    assert_eq!(stats(&sim).await["lookups_served"], 1);
    let report = c
        .connector
        .fetch_z52(&z52(Z52Encoding::Utf8))
        .await
        .unwrap();
    let text = report.text().unwrap();
    assert_eq!(
        text.lines().filter(|l| l.contains("L-2026-0009")).count(),
        1,
        "the simulator's own record shows one lookup:\n{text}"
    );
}

#[tokio::test]
async fn reusing_an_idempotency_key_for_another_request_is_refused() {
    let sim = start_sim();
    let c = client(&sim, |_| {});
    c.connector
        .lookup(&lookup("lookup-0001", "A123456789", "L-1"))
        .await
        .unwrap();
    let err = c
        .connector
        .lookup(&lookup("lookup-0001", "N262705297", "L-1"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, UpstreamError::Refused { status: 422, code, .. } if code == "idempotency_key_reused"),
        "{err}"
    );
}

#[tokio::test]
async fn a_bad_request_is_refused_with_the_registrys_bilingual_reason() {
    let sim = start_sim();
    let c = client(&sim, |_| {});
    let mut req = lookup("lookup-0001", "A123456789", "L-1");
    req.operation = "X99".into();
    let err = c.connector.lookup(&req).await.unwrap_err();
    assert!(
        matches!(&err, UpstreamError::Refused { status: 422, code, .. } if code == "unknown_operation")
    );
    assert_eq!(err.code(), "upstream_refused");
    assert!(err.to_string().contains("查無此查詢項目"));
    assert!(err.to_string().contains("no such operation"));

    req.operation = "L01".into();
    req.subject_id = SubjectId::parse("04595252").unwrap();
    let err = c.connector.lookup(&req).await.unwrap_err();
    assert!(
        matches!(&err, UpstreamError::Refused { code, .. } if code == "operation_not_for_business")
    );

    req.subject_id = SubjectId::parse("A123456789").unwrap();
    req.operation = "T01".into();
    req.params.year = Some(1980);
    let err = c.connector.lookup(&req).await.unwrap_err();
    assert!(matches!(&err, UpstreamError::Refused { code, .. } if code == "invalid_year"));
    assert_eq!(stats(&sim).await["lookups_served"], 0);
}

#[tokio::test]
async fn the_simulator_validates_subject_ids_with_the_domain_checksum() {
    let sim = start_sim();
    custos_upstream::http::install_crypto_provider();
    let http = reqwest::Client::new();
    let body = serde_json::json!({
        "operation": "T02", "subject_id": "A123456788", "purpose": "credit_granting",
        "member_code": "0040037", "querier_code": "Q1", "case_number": "L-1",
        "consent_id": "C-1",
    });
    let r = http
        .post(format!("{}/v1/lookups", sim.base_url()))
        .header("Idempotency-Key", "raw-key-0001")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["x-simulated"], "true");
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["code"], "invalid_subject_id");
    assert!(
        !v.to_string().contains("A123456788"),
        "the ID is not echoed back"
    );

    let r = http
        .post(format!("{}/v1/lookups", sim.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "no idempotency key");
}

async fn failure_of(mode: &str) -> UpstreamError {
    let sim = start_sim();
    let c = client(&sim, |s| {
        s.extra_headers = vec![("X-Sim-Fail".into(), mode.into())];
        // The simulator never finishes these answers; the headers of a slow body arrive at once,
        // so 2 s leaves no doubt about which phase timed out.
        match mode {
            "timeout" => s.request_timeout = Duration::from_millis(500),
            "slow-body" => s.request_timeout = Duration::from_secs(2),
            _ => {}
        }
    });
    let err = c
        .connector
        .lookup(&lookup("lookup-0001", "A123456789", "L-1"))
        .await
        .unwrap_err();
    println!("{mode}: {err}");
    err
}

#[tokio::test]
async fn a_5xx_surfaces_as_a_server_error() {
    let err = failure_of("5xx").await;
    assert_eq!(
        err,
        UpstreamError::ServerError {
            registry: "JCIC".into(),
            status: 503
        }
    );
    assert!(
        err.to_string()
            .starts_with("JCIC處理請求時發生錯誤（HTTP 503）")
    );
}

#[tokio::test]
async fn no_answer_surfaces_as_a_timeout_waiting_for_the_answer() {
    let err = failure_of("timeout").await;
    assert_eq!(
        err,
        UpstreamError::Timeout {
            registry: "JCIC".into(),
            phase: TimeoutPhase::WaitingForAnswer
        }
    );
}

#[tokio::test]
async fn a_slow_body_surfaces_as_a_timeout_while_reading_the_answer() {
    let err = failure_of("slow-body").await;
    assert_eq!(
        err,
        UpstreamError::Timeout {
            registry: "JCIC".into(),
            phase: TimeoutPhase::ReadingAnswer
        }
    );
}

#[tokio::test]
async fn a_malformed_body_surfaces_as_a_malformed_answer() {
    let err = failure_of("malformed").await;
    assert!(matches!(err, UpstreamError::Malformed { .. }), "{err}");
    assert_eq!(err.code(), "upstream_malformed_answer");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_connection_broken_mid_answer_surfaces_as_unreachable_and_is_retried() {
    let sim = start_sim();
    let c = client(&sim, |s| {
        s.retry.max_attempts = 2;
        s.extra_headers = vec![("X-Sim-Fail".into(), "cut-body".into())];
    });
    let err = c.connector.operations().await.unwrap_err();
    println!("cut-body: {err}");
    assert!(matches!(err, UpstreamError::Unreachable { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("connection lost while reading the answer")
    );
    assert_eq!(c.sleeper.waits().len(), 1);
}

#[tokio::test]
async fn a_malformed_z52_file_is_refused_rather_than_reconciled() {
    let sim = start_sim();
    let c = client(&sim, |s| {
        s.extra_headers = vec![("X-Sim-Fail".into(), "malformed".into())];
    });
    let err = c
        .connector
        .fetch_z52(&z52(Z52Encoding::Utf8))
        .await
        .unwrap_err();
    assert!(matches!(err, UpstreamError::Malformed { .. }), "{err}");
}

#[tokio::test]
async fn a_closed_port_surfaces_as_unreachable() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let clock = Arc::new(FakeClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap(),
    ));
    let mut settings = HttpConnectorSettings::new("JCIC", &format!("http://127.0.0.1:{port}"));
    settings.retry.max_attempts = 2;
    let sleeper = Arc::new(RecordingSleeper::default());
    let connector = HttpConnector::new(settings, clock, sleeper.clone()).unwrap();
    let err = connector.operations().await.unwrap_err();
    assert!(matches!(err, UpstreamError::Unreachable { .. }), "{err}");
    assert!(err.to_string().starts_with("無法連線至JCIC"));
    assert_eq!(sleeper.waits().len(), 1, "unreachable is retried");
}

#[tokio::test]
async fn server_errors_are_retried_with_growing_waits_then_reported() {
    let sim = start_sim();
    let c = client(&sim, |s| {
        s.retry.max_attempts = 3;
        s.extra_headers = vec![("X-Sim-Fail".into(), "5xx".into())];
    });
    let err = c.connector.operations().await.unwrap_err();
    assert!(matches!(
        err,
        UpstreamError::ServerError { status: 503, .. }
    ));
    assert_eq!(
        c.sleeper.waits(),
        [Duration::from_millis(200), Duration::from_millis(400)]
    );
}

#[tokio::test]
async fn the_circuit_breaker_opens_after_repeated_failures_and_closes_after_the_cooldown() {
    let sim = start_sim();
    let c = client(&sim, |s| {
        s.breaker = BreakerSettings {
            failure_threshold: 3,
            cooldown: chrono::Duration::seconds(30),
        };
    });
    custos_upstream::http::install_crypto_provider();
    let queued = reqwest::Client::new()
        .post(format!("{}/sim/faults", sim.base_url()))
        .body(r#"{"mode": "5xx", "count": 3}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 204);
    for _ in 0..3 {
        let err = c.connector.operations().await.unwrap_err();
        assert!(matches!(err, UpstreamError::ServerError { .. }));
    }
    let open_until = c.clock.now() + chrono::Duration::seconds(30);
    assert_eq!(
        c.connector.breaker_state(),
        BreakerState::Open { until: open_until }
    );
    // The simulator would now answer, but the open breaker sends nothing.
    let err = c.connector.operations().await.unwrap_err();
    assert_eq!(
        err,
        UpstreamError::CircuitOpen {
            registry: "JCIC".into(),
            retry_at: open_until
        }
    );
    assert_eq!(err.code(), "upstream_circuit_open");

    c.clock.advance(chrono::Duration::seconds(30));
    c.connector.operations().await.unwrap();
    assert_eq!(
        c.connector.breaker_state(),
        BreakerState::Closed {
            consecutive_failures: 0
        }
    );
}

#[tokio::test]
async fn bad_tls_material_is_a_configuration_error() {
    let clock = Arc::new(FakeClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap(),
    ));
    let mut settings = HttpConnectorSettings::new("JCIC", "https://jcic.invalid/");
    settings.tls = TlsSettings {
        ca_pem: Some(b"not a certificate".to_vec()),
        client_identity_pem: None,
    };
    let err = HttpConnector::new(
        settings.clone(),
        clock.clone(),
        Arc::new(RecordingSleeper::default()),
    )
    .unwrap_err();
    assert!(matches!(err, UpstreamError::Config { .. }), "{err}");
    settings.tls = TlsSettings {
        ca_pem: None,
        client_identity_pem: Some(b"-----BEGIN PRIVATE KEY-----\nbroken\n".to_vec()),
    };
    let err =
        HttpConnector::new(settings, clock, Arc::new(RecordingSleeper::default())).unwrap_err();
    assert!(err.to_string().contains("client certificate"), "{err}");
}

#[test]
fn the_simulator_binary_refuses_bad_arguments_with_one_line_and_exit_code_2() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_addr = busy.local_addr().unwrap().to_string();
    let cases: [&[&str]; 5] = [
        &["jcic", "--listen", "not-an-address"],
        &["jcic"],
        &["jcic", "--listen", "127.0.0.1:0", "--fail-mode", "explode"],
        &["seal-registry", "--listen", "127.0.0.1:0"],
        &["jcic", "--listen", &busy_addr],
    ];
    for args in cases {
        let out = Command::new(BIN).args(args).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(" / "), "bilingual: {stderr}");
    }
}

#[tokio::test]
async fn command_line_failure_injection_fails_registry_calls_but_not_the_health_check() {
    let sim = SimProcess::start_with(
        BIN,
        &["jcic"],
        &[
            "--fail-rate",
            "1",
            "--fail-mode",
            "malformed",
            "--seed",
            "7",
        ],
    )
    .unwrap();
    let c = client(&sim, |_| {});
    let err = c.connector.operations().await.unwrap_err();
    assert!(matches!(err, UpstreamError::Malformed { .. }), "{err}");
    custos_upstream::http::install_crypto_provider();
    let health = reqwest::get(format!("{}/healthz", sim.base_url()))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn every_answer_is_labelled_simulated() {
    let sim = start_sim();
    custos_upstream::http::install_crypto_provider();
    let r = reqwest::get(format!("{}/healthz", sim.base_url()))
        .await
        .unwrap();
    assert_eq!(r.headers()["x-simulated"], "true");
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["simulated"], true);
}

// ---------------------------------------------------------------- TLS

struct Pki {
    _dir: tempfile::TempDir,
    ca_pem: String,
    flags: Vec<String>,
    client_identity_pem: String,
}

fn test_ca(name: &str) -> rcgen::CertifiedIssuer<'static, rcgen::KeyPair> {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap()).unwrap()
}

/// A test CA, a server certificate for 127.0.0.1 and a client certificate, written where the
/// simulator process can read them.
fn pki(mutual: bool) -> Pki {
    let ca = test_ca("Custos test CA (simulated JCIC)");
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let client_key = rcgen::KeyPair::generate().unwrap();
    let mut client_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    client_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "custos-test-member-0040037");
    client_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let client = client_params.signed_by(&client_key, &ca).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let mut flags = vec![
        "--tls-cert".to_owned(),
        write("server.pem", &server.pem()),
        "--tls-key".to_owned(),
        write("server-key.pem", &server_key.serialize_pem()),
    ];
    if mutual {
        flags.push("--tls-client-ca".to_owned());
        flags.push(write("ca.pem", &ca.pem()));
    }
    Pki {
        _dir: dir,
        ca_pem: ca.pem(),
        flags,
        client_identity_pem: format!("{}{}", client.pem(), client_key.serialize_pem()),
    }
}

fn start_tls_sim(pki: &Pki) -> SimProcess {
    let flags: Vec<&str> = pki.flags.iter().map(String::as_str).collect();
    let sim = SimProcess::start_with(BIN, &["jcic"], &flags).expect("TLS simulator starts");
    assert!(sim.base_url().starts_with("https://127.0.0.1:"));
    sim
}

#[tokio::test]
async fn a_lookup_over_mutual_tls_uses_the_configured_client_certificate() {
    let pki = pki(true);
    let sim = start_tls_sim(&pki);
    let c = client(&sim, |s| {
        s.tls = TlsSettings {
            ca_pem: Some(pki.ca_pem.clone().into_bytes()),
            client_identity_pem: Some(pki.client_identity_pem.clone().into_bytes()),
        };
    });
    let answer = c
        .connector
        .lookup(&lookup("lookup-tls-1", "A123456789", "L-TLS-1"))
        .await
        .unwrap();
    assert!(answer.simulated);
}

#[tokio::test]
async fn a_registry_that_requires_a_client_certificate_refuses_a_client_without_one() {
    let pki = pki(true);
    let sim = start_tls_sim(&pki);
    let c = client(&sim, |s| {
        s.tls = TlsSettings {
            ca_pem: Some(pki.ca_pem.clone().into_bytes()),
            client_identity_pem: None,
        };
    });
    let err = c.connector.operations().await.unwrap_err();
    println!("no client certificate: {err}");
    assert!(matches!(err, UpstreamError::Tls { .. }), "{err}");
    assert_eq!(err.code(), "upstream_tls");
}

#[tokio::test]
async fn a_server_certificate_from_an_untrusted_ca_is_a_tls_error() {
    let pki = pki(false);
    let sim = start_tls_sim(&pki);
    let other = test_ca("Some other CA");
    let c = client(&sim, |s| {
        s.tls = TlsSettings {
            ca_pem: Some(other.pem().into_bytes()),
            client_identity_pem: None,
        };
    });
    let err = c.connector.operations().await.unwrap_err();
    println!("untrusted server: {err}");
    assert!(matches!(err, UpstreamError::Tls { .. }), "{err}");
    assert!(
        !err.is_retryable(),
        "a certificate problem is not fixed by retrying"
    );
}

// ---------------------------------------------------------------- in-process (as `custos demo` runs it)

#[tokio::test]
async fn the_z52_report_covers_the_last_12_months_on_the_simulators_clock() {
    use custos_upstream::sim::jcic::{JcicSimSettings, JcicSimulator};
    let clock = Arc::new(FakeClock::new(
        Utc.with_ymd_and_hms(2025, 3, 1, 2, 0, 0).unwrap(),
    ));
    let sim = JcicSimulator::new(JcicSimSettings::default(), clock.clone());
    let running = sim
        .bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
        .spawn();
    let connector = HttpConnector::new(
        HttpConnectorSettings::new("JCIC", &running.base_url()),
        clock.clone(),
        Arc::new(RecordingSleeper::default()),
    )
    .unwrap();
    connector
        .lookup(&lookup("lookup-old-1", "A123456789", "L-2025-OLD"))
        .await
        .unwrap();
    clock.advance(chrono::Duration::days(200));
    connector
        .lookup(&lookup("lookup-new-1", "A123456789", "L-2025-NEW"))
        .await
        .unwrap();
    assert_eq!(sim.lookups().len(), 2, "the simulator's own record");

    let cases = |report: &custos_upstream::model::Z52Report| -> Vec<String> {
        report
            .rows()
            .unwrap()
            .into_iter()
            .map(|r| r.case_number)
            .collect()
    };
    let report = connector.fetch_z52(&z52(Z52Encoding::Utf8)).await.unwrap();
    assert_eq!(cases(&report), ["L-2025-OLD", "L-2025-NEW"]);

    // 13 months after the first lookup it has left the report.
    clock.set(Utc.with_ymd_and_hms(2026, 4, 1, 2, 0, 0).unwrap());
    let report = connector.fetch_z52(&z52(Z52Encoding::Utf8)).await.unwrap();
    assert_eq!(cases(&report), ["L-2025-NEW"]);

    // Asking for a period older than 12 months is refused, as the real report would.
    let mut old = z52(Z52Encoding::Utf8);
    old.from = Some(chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
    let err = connector.fetch_z52(&old).await.unwrap_err();
    assert!(
        matches!(&err, UpstreamError::Refused { status: 422, code, .. } if code == "range_outside_report"),
        "{err}"
    );
    running.stop().await.unwrap();
}

/// Figures, not a check: `cargo test -p custos-upstream --test jcic_sim -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "prints measurements; run by hand"]
async fn measure_start_up_and_lookup_rate() {
    let started = std::time::Instant::now();
    let sim = start_sim();
    let start_up = started.elapsed();
    let c = client(&sim, |_| {});
    let n = 300u32;
    let t = std::time::Instant::now();
    for i in 0..n {
        c.connector
            .lookup(&lookup(&format!("measure-{i:05}"), "A123456789", "L-M"))
            .await
            .unwrap();
    }
    let per = t.elapsed() / n;
    let t = std::time::Instant::now();
    let report = c
        .connector
        .fetch_z52(&z52(Z52Encoding::Big5))
        .await
        .unwrap();
    let z52_time = t.elapsed();
    println!(
        "simulator process start-up to ready line: {start_up:?}; {n} sequential lookups: {per:?} each; Z52 Big5 of {n} rows ({} bytes): {z52_time:?}",
        report.bytes.len()
    );
}
