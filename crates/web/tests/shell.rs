//! Behaviour of the web shell over the real router (no network): pages, languages, errors,
//! security headers, health, metrics and the OpenAPI document.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use custos_web::error::WebError;
use custos_web::metrics::Metrics;
use custos_web::routes::home::{
    FullVerificationView, HomeViews, InstitutionView, JobRunView, LedgerStatusView,
};
use custos_web::state::RequestIds;
use custos_web::{AppState, ReadinessProbe};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

#[derive(Debug, Default)]
struct Probe {
    down: AtomicBool,
}

impl ReadinessProbe for Probe {
    fn check(&self) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        let down = self.down.load(Ordering::SeqCst);
        Box::pin(async move {
            if down {
                Err("database unreachable".into())
            } else {
                Ok(())
            }
        })
    }
}

#[derive(Debug)]
struct Views;

impl HomeViews for Views {
    fn ledger_status(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<LedgerStatusView, WebError>> + Send + '_>> {
        use chrono::TimeZone;
        let at = chrono::Utc.with_ymd_and_hms(2025, 6, 1, 1, 30, 0).unwrap();
        Box::pin(async move {
            Ok(LedgerStatusView {
                size: 42,
                checkpoint: Some((40, at, "custos.local/ledger+0a1b2c3d".into())),
                verification: Some((true, String::new())),
                full_verification: Some(FullVerificationView {
                    at,
                    size: 40,
                    intact: false,
                    message: "entry 17: leaf hash does not match".into(),
                    duration_ms: 12,
                }),
            })
        })
    }

    fn institutions(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<InstitutionView>, WebError>> + Send + '_>> {
        Box::pin(async {
            Ok(vec![InstitutionView {
                code: "0040000".into(),
                name: "示範商業銀行".into(),
                kind: ("銀行".into(), "Bank".into()),
                profile: ("聯徵中心".into(), "JCIC".into()),
                methods: vec![("N 晶片卡".into(), "N chip card".into())],
                units: vec![(0, "總行".into()), (1, "松山分行".into())],
            }])
        })
    }

    fn job_runs(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<JobRunView>, WebError>> + Send + '_>> {
        use chrono::TimeZone;
        let at = chrono::Utc.with_ymd_and_hms(2025, 6, 1, 1, 30, 0).unwrap();
        Box::pin(async move {
            Ok(vec![JobRunView {
                job: "profile_review_reminder".into(),
                attempt: 1,
                scheduled_for: at,
                started_at: at,
                finished_at: Some(at),
                outcome: "failed".into(),
                error: "database locked".into(),
            }])
        })
    }
}

fn app(probe: Arc<Probe>) -> axum::Router {
    custos_web::router(AppState {
        readiness: probe,
        request_ids: RequestIds::new("test"),
        metrics: Metrics::global(),
        views: Arc::new(Views),
    })
}

async fn get(
    router: &axum::Router,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, http::HeaderMap, String) {
    let mut req = Request::get(path);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let response = router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn the_home_page_is_in_traditional_chinese_by_default() {
    let router = app(Arc::default());
    let (status, headers, body) = get(&router, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"<html lang="zh-TW">"#), "{body}");
    assert!(body.contains("查詢治理系統"));
    assert!(headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn the_language_cookie_switches_pages_to_english() {
    let router = app(Arc::default());
    let (status, headers, _) = get(&router, "/lang?set=en&next=/organisation", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/organisation");
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("custos_lang=en;"), "{cookie}");
    let (_, _, body) = get(&router, "/organisation", Some("custos_lang=en")).await;
    assert!(body.contains(r#"<html lang="en">"#));
    assert!(body.contains("Institutions and units"));
    assert!(body.contains("示範商業銀行"));
}

#[tokio::test]
async fn the_language_switch_refuses_to_redirect_off_site() {
    let router = app(Arc::default());
    let (_, headers, _) = get(&router, "/lang?set=en&next=//evil.example", None).await;
    assert_eq!(headers["location"], "/");
}

#[tokio::test]
async fn an_unknown_page_is_a_bilingual_404_with_the_request_id() {
    let router = app(Arc::default());
    let (status, headers, body) = get(&router, "/no-such-page", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let id = headers["x-request-id"].to_str().unwrap();
    assert!(body.contains(id), "request id {id} missing from {body}");
    assert!(body.contains("找不到"));
    let (_, _, body_en) = get(&router, "/no-such-page", Some("custos_lang=en")).await;
    assert!(body_en.contains("does not exist"));
}

#[tokio::test]
async fn api_errors_are_json_with_both_languages() {
    let router = app(Arc::default());
    let (status, headers, body) = get(&router, "/api/nothing", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    assert!(
        v["error"]["message_zh_tw"]
            .as_str()
            .unwrap()
            .contains("找不到")
    );
    assert_eq!(
        v["error"]["request_id"],
        headers["x-request-id"].to_str().unwrap()
    );
}

#[tokio::test]
async fn every_response_carries_a_strict_content_security_policy() {
    let router = app(Arc::default());
    for path in ["/", "/no-such-page", "/healthz", "/static/custos.css"] {
        let (_, headers, _) = get(&router, path, None).await;
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
    }
}

#[tokio::test]
async fn pages_contain_no_inline_script_or_style() {
    let router = app(Arc::default());
    for path in ["/", "/organisation", "/api/docs", "/missing"] {
        let (_, _, body) = get(&router, path, None).await;
        assert!(!body.contains("<script>"), "{path} has an inline script");
        assert!(!body.contains("style="), "{path} has an inline style");
        assert!(!body.contains("<style"), "{path} has a style element");
    }
}

#[tokio::test]
async fn readiness_follows_the_probe() {
    let probe = Arc::new(Probe::default());
    let router = app(probe.clone());
    assert_eq!(get(&router, "/healthz", None).await.0, StatusCode::OK);
    assert_eq!(get(&router, "/readyz", None).await.0, StatusCode::OK);
    probe.down.store(true, Ordering::SeqCst);
    let (status, _, body) = get(&router, "/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        !body.contains("database unreachable"),
        "internal detail leaked"
    );
    assert_eq!(get(&router, "/healthz", None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn metrics_are_prometheus_text_and_count_requests() {
    let router = app(Arc::default());
    let _ = get(&router, "/healthz", None).await;
    let (status, headers, body) = get(&router, "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(body.contains("custos_http_requests_total"), "{body}");
    assert!(body.contains(r#"route="/healthz""#), "{body}");
}

#[tokio::test]
async fn the_openapi_document_lists_the_operations() {
    let router = app(Arc::default());
    let (status, _, body) = get(&router, "/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert!(v["paths"][path]["get"].is_object(), "{path} missing");
    }
    let (_, _, docs) = get(&router, "/api/docs", None).await;
    assert!(docs.contains("/readyz"));
}

#[tokio::test]
async fn static_assets_are_served_from_the_binary() {
    let router = app(Arc::default());
    let (status, headers, body) = get(&router, "/static/vendor/htmx.min.js", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert!(body.len() > 10_000);
    assert_eq!(
        get(&router, "/static/../Cargo.toml", None).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_wrong_method_is_rendered_as_a_405_page() {
    let router = app(Arc::default());
    let response = router
        .clone()
        .oneshot(Request::post("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("request-id"));
}

#[tokio::test]
async fn the_jobs_page_shows_run_history_in_taipei_time_with_roc_dates() {
    let router = app(Arc::default());
    let (status, _, body) = get(&router, "/jobs", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("profile_review_reminder"));
    assert!(body.contains("114/06/01 09:30:00"), "{body}");
    assert!(body.contains("失敗"));
    let (_, _, body_en) = get(&router, "/jobs", Some("custos_lang=en")).await;
    assert!(body_en.contains("2025-06-01 09:30:00"));
    assert!(body_en.contains("failed"));
}

#[tokio::test]
async fn the_ledger_page_shows_size_checkpoint_in_taipei_time_and_verification() {
    let router = app(Arc::default());
    let (status, _, body) = get(&router, "/ledger", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("防竄改帳本"), "{body}");
    assert!(body.contains("<dd>42</dd>"), "{body}");
    assert!(body.contains("<dd>40</dd>"), "{body}");
    assert!(body.contains("114/06/01 09:30:00"), "{body}");
    assert!(body.contains("custos.local/ledger+0a1b2c3d"), "{body}");
    assert!(body.contains("完整"), "{body}");
    // The last full verification, with its finding.
    assert!(body.contains("最近一次完整驗證"), "{body}");
    assert!(body.contains("發現竄改或不一致"), "{body}");
    assert!(
        body.contains("entry 17: leaf hash does not match (12 ms)"),
        "{body}"
    );
    assert!(
        body.contains(r#"href="/ledger" aria-current="page""#),
        "{body}"
    );
    let (_, _, body_en) = get(&router, "/ledger", Some("custos_lang=en")).await;
    assert!(body_en.contains("Tamper-evident ledger"));
    assert!(body_en.contains("2025-06-01 09:30:00"));
    assert!(body_en.contains("Intact"));
}
