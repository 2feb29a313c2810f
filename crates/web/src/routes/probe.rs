//! `POST /api/ledger/probe`: the monitoring probe — the server's own end-to-end check of the
//! ledger's write path (ADR 0103).
//!
//! One probe appends one `write_probe` entry through the group-commit writer and answers only
//! after that entry is durable, with its index, timestamp and leaf hash; a monitor that keeps the
//! answers can later check that each one is still in the log (`custos ledger export`), which is
//! exactly what the crash test does after `kill -9`.
//!
//! Invariants:
//! - disabled (404, as if the route did not exist) unless the binary installs a [`ProbeConfig`]
//!   as a request extension, which it does only when `ledger.probe_token` is configured;
//! - every request passes the rate limit first (429), then needs `Authorization: Bearer <token>`
//!   compared in constant time (401 otherwise); only then is anything written;
//! - bearer-token calls carry no cookie, so cross-site request forgery does not apply to them.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::error::{ErrorInfo, WebError};

/// The application side of the probe: append one probe entry and return once it is durable.
pub trait WriteProbe: Send + Sync + std::fmt::Debug {
    /// Appends one `write_probe` entry through the ledger writer; resolves after its batch
    /// committed.
    fn probe(&self) -> Pin<Box<dyn Future<Output = Result<ProbeReceipt, WebError>> + Send + '_>>;
}

/// Where the probe's entry landed (the JSON answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProbeReceipt {
    /// Index of the entry in the ledger.
    pub index: u64,
    /// Its timestamp, unix milliseconds (assigned by the writer).
    pub timestamp_ms: i64,
    /// RFC 6962 leaf hash `SHA-256(0x00 || leaf)`, lower-case hex.
    pub leaf_hash: String,
}

/// The enabled probe: the application port, the bearer token and the rate limit. Installed by
/// the binary as a request extension (`Router::layer(Extension(config))`).
#[derive(Clone, Debug)]
pub struct ProbeConfig {
    probe: Arc<dyn WriteProbe>,
    token: Arc<Token>,
    limiter: Arc<RateLimiter>,
}

/// The secret token; its `Debug` never shows it.
struct Token(Vec<u8>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token([REDACTED])")
    }
}

impl ProbeConfig {
    /// A probe answering to `Authorization: Bearer <token>`, at most `per_second` requests per
    /// second on average (bursts of the same size). `None` when the token is empty: an empty
    /// token would accept any request carrying an empty bearer value.
    pub fn new(probe: Arc<dyn WriteProbe>, token: &str, per_second: u32) -> Option<Self> {
        let token = token.trim();
        if token.is_empty() {
            return None;
        }
        Some(Self {
            probe,
            token: Arc::new(Token(token.as_bytes().to_vec())),
            limiter: Arc::new(RateLimiter::new(per_second)),
        })
    }
}

/// Enables the probe on a complete router (from [`crate::router`]): installs `config` as the
/// request extension the handler looks for.
pub fn enable(router: axum::Router, config: ProbeConfig) -> axum::Router {
    router.layer(axum::Extension(config))
}

/// A token bucket: `capacity` tokens, refilled at `capacity` per second, measured with the
/// monotonic clock (never the wall clock).
#[derive(Debug)]
struct RateLimiter {
    capacity: f64,
    state: Mutex<(f64, Option<Instant>)>,
}

impl RateLimiter {
    fn new(per_second: u32) -> Self {
        let capacity = f64::from(per_second.max(1));
        Self {
            capacity,
            state: Mutex::new((capacity, None)),
        }
    }

    fn allow(&self, now: Instant) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        let (tokens, last) = &mut *state;
        if let Some(last) = *last {
            let elapsed = now.saturating_duration_since(last).as_secs_f64();
            *tokens = (*tokens + elapsed * self.capacity).min(self.capacity);
        }
        *last = Some(now);
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Name of the bearer-token security scheme in the OpenAPI document.
pub const BEARER_SCHEME: &str = "probe_bearer";

/// Adds the probe's bearer-token security scheme to the OpenAPI document.
pub fn with_bearer_scheme(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    document
        .components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    document
}

/// Compares `presented` with `expected` in time that depends only on `expected`'s length.
fn constant_time_eq(expected: &[u8], presented: &[u8]) -> bool {
    let mut diff = u8::from(expected.len() != presented.len());
    for (i, e) in expected.iter().enumerate() {
        diff |= e ^ presented.get(i).copied().unwrap_or(0);
    }
    std::hint::black_box(diff) == 0
}

fn error(
    status: StatusCode,
    code: &'static str,
    zh_tw: &'static str,
    en: &'static str,
) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(ErrorInfo {
        code,
        status,
        zh_tw: Cow::Borrowed(zh_tw),
        en: Cow::Borrowed(en),
    });
    response
}

/// Appends one probe entry to the ledger and answers once it is durable.
#[utoipa::path(post, path = "/api/ledger/probe", tag = "operations",
    summary = "Monitoring probe: append one write_probe ledger entry and return once it is durable",
    description = "The server's own end-to-end check of the ledger write path. Disabled (404) \
        unless `ledger.probe_token` is configured. Needs `Authorization: Bearer <token>`; \
        rate-limited (`ledger.probe_rate_per_second`). Bearer-token calls carry no cookie, so \
        CSRF does not apply.",
    security(("probe_bearer" = [])),
    responses(
        (status = 200, description = "The entry is durable", body = ProbeReceipt),
        (status = 401, description = "Missing or wrong bearer token"),
        (status = 404, description = "The probe is not enabled"),
        (status = 429, description = "Too many probes; retry after a second"),
        (status = 503, description = "The ledger could not be written")))]
pub async fn post_ledger_probe(extensions: Extensions, headers: HeaderMap) -> Response {
    let Some(config) = extensions.get::<ProbeConfig>() else {
        return WebError::NotFound.into_response();
    };
    if !config.limiter.allow(Instant::now()) {
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "探測請求過於頻繁，請稍後再試。",
            "Too many probe requests; please retry later.",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let authorised = presented.is_some_and(|p| constant_time_eq(&config.token.0, p.as_bytes()));
    if !authorised {
        let mut response = error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "缺少或錯誤的存取權杖（Authorization: Bearer）。",
            "Missing or wrong access token (Authorization: Bearer).",
        );
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    match config.probe.probe().await {
        Ok(receipt) => Json(receipt).into_response(),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::routing::post;
    use http::Request;
    use tower::ServiceExt as _;

    use super::*;

    #[derive(Debug)]
    struct FakeProbe;

    impl WriteProbe for FakeProbe {
        fn probe(
            &self,
        ) -> Pin<Box<dyn Future<Output = Result<ProbeReceipt, WebError>> + Send + '_>> {
            Box::pin(async {
                Ok(ProbeReceipt {
                    index: 7,
                    timestamp_ms: 1_764_201_600_000,
                    leaf_hash: "ab".repeat(32),
                })
            })
        }
    }

    fn app(config: Option<ProbeConfig>) -> Router {
        let router = Router::new()
            .route("/api/ledger/probe", post(post_ledger_probe))
            .layer(axum::middleware::from_fn(crate::error::render_errors));
        match config {
            Some(c) => router.layer(axum::Extension(c)),
            None => router,
        }
    }

    async fn call(app: &Router, auth: Option<&str>) -> (StatusCode, serde_json::Value) {
        let mut request = Request::post("/api/ledger/probe");
        if let Some(auth) = auth {
            request = request.header(header::AUTHORIZATION, auth);
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    fn config(per_second: u32) -> ProbeConfig {
        ProbeConfig::new(Arc::new(FakeProbe), "s3cret-token", per_second).unwrap()
    }

    #[tokio::test]
    async fn without_a_token_configured_the_probe_does_not_exist() {
        assert!(ProbeConfig::new(Arc::new(FakeProbe), "  ", 10).is_none());
        let (status, body) = call(&app(None), Some("Bearer s3cret-token")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], "not_found");
    }

    #[tokio::test]
    async fn a_missing_or_wrong_token_is_refused_in_both_languages() {
        let app = app(Some(config(100)));
        for auth in [
            None,
            Some("Bearer wrong"),
            Some("Bearer s3cret-toke"),
            Some("Bearer s3cret-token-and-more"),
            Some("Basic s3cret-token"),
        ] {
            let (status, body) = call(&app, auth).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
            assert_eq!(body["error"]["code"], "unauthorized");
            assert!(
                body["error"]["message_zh_tw"]
                    .as_str()
                    .unwrap()
                    .contains("權杖")
            );
            assert!(
                body["error"]["message_en"]
                    .as_str()
                    .unwrap()
                    .contains("token")
            );
        }
    }

    #[tokio::test]
    async fn the_right_token_appends_and_returns_the_receipt() {
        let (status, body) = call(&app(Some(config(100))), Some("Bearer s3cret-token")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["index"], 7);
        assert_eq!(body["timestamp_ms"], 1_764_201_600_000_i64);
        assert_eq!(body["leaf_hash"].as_str().unwrap().len(), 64);
    }

    #[tokio::test]
    async fn requests_beyond_the_rate_are_answered_429() {
        let app = app(Some(config(3)));
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(call(&app, Some("Bearer s3cret-token")).await.0);
        }
        assert_eq!(&statuses[..3], &[StatusCode::OK; 3]);
        assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS);
    }

    #[test]
    fn the_bucket_refills_with_time() {
        let limiter = RateLimiter::new(2);
        let t0 = Instant::now();
        assert!(limiter.allow(t0));
        assert!(limiter.allow(t0));
        assert!(!limiter.allow(t0));
        assert!(limiter.allow(t0 + Duration::from_millis(600)));
    }

    #[test]
    fn token_comparison_needs_every_byte_and_the_length() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"abc", b""));
    }
}
