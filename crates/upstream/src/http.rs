//! The HTTP/JSON connector: TLS (rustls with the ring provider; no OpenSSL), optional client
//! certificate, timeouts, retries with an idempotency key, and a circuit breaker.
//!
//! Invariants: every attempt of one call carries the same `Idempotency-Key`; the breaker is asked
//! before every attempt, so an open breaker sends nothing; only failures that say the registry is
//! unhealthy (unreachable, timeout, 5xx, malformed, TLS) count towards opening it; only
//! unreachable, timeout and 5xx are retried.

use std::sync::Arc;
use std::time::Duration;

use custos_domain::clock::Clock;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use crate::breaker::{BreakerSettings, BreakerState, CircuitBreaker};
use crate::connector::RegistryConnector;
use crate::error::{TimeoutPhase, UpstreamError};
use crate::model::{
    ConsentAck, ConsentBody, ConsentRecord, IDEMPOTENCY_KEY_HEADER, LookupAnswer, LookupBody,
    LookupRequest, OperationCatalogue, SIMULATED_HEADER, Z52Query, Z52Report,
};
use crate::retry::{BoxFuture, RetrySettings, Sleeper};

/// TLS options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// PEM bundle of CA certificates to trust. When set, ONLY these are trusted (a registry's
    /// private CA); when unset, the platform's trust store is used.
    pub ca_pem: Option<Vec<u8>>,
    /// PEM with the client certificate chain and its private key (PKCS#8, RSA or SEC1), for
    /// registries that require mutual TLS.
    pub client_identity_pem: Option<Vec<u8>>,
}

/// Settings of an [`HttpConnector`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConnectorSettings {
    /// Label used in messages, e.g. `JCIC`.
    pub registry: String,
    /// Base URL, e.g. `https://jcic.example/` or `http://127.0.0.1:8091`.
    pub base_url: String,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for a whole attempt, body included.
    pub request_timeout: Duration,
    /// Retries.
    pub retry: RetrySettings,
    /// Circuit breaker.
    pub breaker: BreakerSettings,
    /// TLS.
    pub tls: TlsSettings,
    /// Headers added to every request (gateway tokens; the simulator's test headers).
    pub extra_headers: Vec<(String, String)>,
}

impl HttpConnectorSettings {
    /// Defaults for `base_url`: 5 s to connect, 30 s per attempt, 3 attempts, breaker 5 / 30 s.
    pub fn new(registry: &str, base_url: &str) -> Self {
        Self {
            registry: registry.to_owned(),
            base_url: base_url.to_owned(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            retry: RetrySettings::default(),
            breaker: BreakerSettings::default(),
            tls: TlsSettings::default(),
            extra_headers: Vec::new(),
        }
    }
}

/// A registry reached over HTTP/JSON.
#[derive(Debug)]
pub struct HttpConnector {
    registry: String,
    base: reqwest::Url,
    client: reqwest::Client,
    retry: RetrySettings,
    breaker: CircuitBreaker,
    sleeper: Arc<dyn Sleeper>,
}

/// One request, rebuilt for every attempt.
struct Call<'a> {
    method: reqwest::Method,
    path: &'a str,
    query: Vec<(&'a str, String)>,
    idempotency_key: Option<&'a str>,
    body: Option<Vec<u8>>,
}

/// What came back from one successful attempt.
struct Answer {
    bytes: Vec<u8>,
    simulated: bool,
}

impl HttpConnector {
    /// Builds the connector. The clock drives the breaker; the sleeper waits between attempts.
    pub fn new(
        settings: HttpConnectorSettings,
        clock: Arc<dyn Clock>,
        sleeper: Arc<dyn Sleeper>,
    ) -> Result<Self, UpstreamError> {
        let config = |detail: String| UpstreamError::Config { detail };
        let mut base = reqwest::Url::parse(&settings.base_url)
            .map_err(|e| config(format!("base URL {:?}: {e}", settings.base_url)))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(config(format!(
                "base URL {:?} must be http or https",
                settings.base_url
            )));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        install_crypto_provider();

        let mut headers = HeaderMap::new();
        for (name, value) in &settings.extra_headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| config(format!("header name {name:?}: {e}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| config(format!("header value for {name}: {e}")))?;
            headers.append(name, value);
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("custos/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &settings.tls.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| config(format!("CA certificates (PEM): {e}")))?;
            if certs.is_empty() {
                return Err(config("CA certificates (PEM): none found".into()));
            }
            builder = builder.tls_certs_only(certs);
        }
        if let Some(pem) = &settings.tls.client_identity_pem {
            let identity = reqwest::Identity::from_pem(pem)
                .map_err(|e| config(format!("client certificate (PEM): {e}")))?;
            builder = builder.identity(identity);
        }
        let client = builder
            .build()
            .map_err(|e| config(format!("HTTP client: {}", chain(&e))))?;
        Ok(Self {
            registry: settings.registry,
            base,
            client,
            retry: RetrySettings {
                max_attempts: settings.retry.max_attempts.max(1),
                ..settings.retry
            },
            breaker: CircuitBreaker::new(settings.breaker, clock),
            sleeper,
        })
    }

    /// The breaker's state (for health pages and tests).
    pub fn breaker_state(&self) -> BreakerState {
        self.breaker.state()
    }

    /// Runs a call with retries and the breaker.
    async fn call(&self, call: &Call<'_>, accept: &str) -> Result<Answer, UpstreamError> {
        let mut attempt = 1;
        loop {
            if let Err(retry_at) = self.breaker.acquire() {
                return Err(UpstreamError::CircuitOpen {
                    registry: self.registry.clone(),
                    retry_at,
                });
            }
            let outcome = self.attempt(call, accept).await;
            match &outcome {
                Err(e) if e.counts_against_registry() => self.breaker.record_failure(),
                // An answer, even a refusal, shows the registry is up.
                _ => self.breaker.record_success(),
            }
            match outcome {
                Err(e) if e.is_retryable() && attempt < self.retry.max_attempts => {
                    tracing::warn!(registry = %self.registry, attempt, code = e.code_str(), "retrying");
                    self.sleeper.sleep(self.retry.backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn attempt(&self, call: &Call<'_>, accept: &str) -> Result<Answer, UpstreamError> {
        let mut url = self
            .base
            .join(call.path)
            .map_err(|e| UpstreamError::Config {
                detail: format!("path {}: {e}", call.path),
            })?;
        if !call.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(call.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut req = self
            .client
            .request(call.method.clone(), url)
            .header(reqwest::header::ACCEPT, accept);
        if let Some(key) = call.idempotency_key {
            req = req.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        if let Some(body) = &call.body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = req
            .send()
            .await
            .map_err(|e| self.transport_error(&e, false))?;
        let status = response.status();
        let simulated = response
            .headers()
            .get(SIMULATED_HEADER)
            .is_some_and(|v| v.as_bytes() == b"true");
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e, true))?;
        if status.is_success() {
            Ok(Answer {
                bytes: bytes.to_vec(),
                simulated,
            })
        } else if status.is_client_error() {
            Err(self.refusal(status.as_u16(), &bytes))
        } else if status.is_server_error() {
            Err(UpstreamError::ServerError {
                registry: self.registry.clone(),
                status: status.as_u16(),
            })
        } else {
            Err(self.malformed(format!("unexpected HTTP status {status}")))
        }
    }

    fn malformed(&self, detail: String) -> UpstreamError {
        UpstreamError::Malformed {
            registry: self.registry.clone(),
            detail,
        }
    }

    fn refusal(&self, status: u16, body: &[u8]) -> UpstreamError {
        #[derive(serde::Deserialize)]
        struct Refusal {
            code: String,
            message_zh: String,
            message_en: String,
        }
        match serde_json::from_slice::<Refusal>(body) {
            Ok(r) => UpstreamError::Refused {
                registry: self.registry.clone(),
                status,
                code: r.code,
                message_zh: r.message_zh,
                message_en: r.message_en,
            },
            Err(_) => UpstreamError::Refused {
                registry: self.registry.clone(),
                status,
                code: "unspecified".into(),
                message_zh: "未附說明".into(),
                message_en: "no explanation given".into(),
            },
        }
    }

    fn transport_error(&self, e: &reqwest::Error, reading_body: bool) -> UpstreamError {
        let registry = self.registry.clone();
        if let Some(detail) = tls_cause(e) {
            return UpstreamError::Tls { registry, detail };
        }
        if e.is_timeout() {
            let phase = if reading_body {
                TimeoutPhase::ReadingAnswer
            } else if e.is_connect() {
                TimeoutPhase::Connecting
            } else {
                TimeoutPhase::WaitingForAnswer
            };
            return UpstreamError::Timeout { registry, phase };
        }
        // reqwest labels any failure of `bytes()` a decode error; we parse the bytes ourselves,
        // so a failure here is the connection breaking mid-answer.
        if reading_body || e.is_body() || e.is_decode() {
            // The connection broke mid-answer: a network failure, safe to retry (same key).
            return UpstreamError::Unreachable {
                registry,
                detail: format!("connection lost while reading the answer: {}", chain(e)),
            };
        }
        if e.is_connect() {
            return UpstreamError::Unreachable {
                registry,
                detail: chain(e),
            };
        }
        // The connection broke after the request went out (reset, closed early).
        UpstreamError::Unreachable {
            registry,
            detail: format!("connection lost: {}", chain(e)),
        }
    }

    fn parse_json<T: DeserializeOwned>(&self, answer: &Answer) -> Result<T, UpstreamError> {
        serde_json::from_slice(&answer.bytes)
            .map_err(|e| self.malformed(format!("not the expected JSON: {e}")))
    }
}

/// Installs rustls' ring crypto provider as the process default, once. reqwest is built without
/// a bundled provider (its default, aws-lc, needs cmake), so any code that builds a
/// `reqwest::Client` in the process must call this first; [`HttpConnector::new`] does.
pub fn install_crypto_provider() {
    // Err means a provider is installed already, which is all we need.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The innermost causes of an error, joined, without URLs.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.dedup();
    parts.join(": ")
}

/// A rustls error somewhere in the chain, if any.
///
/// `io::Error::source` skips the error it wraps (it returns the wrapped error's source), and TLS
/// failures arrive as io errors wrapped in io errors, so io errors are unwrapped with `get_ref`.
fn tls_cause(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t.to_string());
        }
        cur = match err.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => None,
            },
            None => err.source(),
        };
    }
    None
}

impl UpstreamError {
    fn code_str(&self) -> &'static str {
        custos_domain::text::Bilingual::code(self)
    }
}

impl RegistryConnector for HttpConnector {
    fn registry(&self) -> &str {
        &self.registry
    }

    fn operations(&self) -> BoxFuture<'_, Result<OperationCatalogue, UpstreamError>> {
        Box::pin(async move {
            let call = Call {
                method: reqwest::Method::GET,
                path: "v1/operations",
                query: Vec::new(),
                idempotency_key: None,
                body: None,
            };
            let answer = self.call(&call, "application/json").await?;
            self.parse_json(&answer)
        })
    }

    fn lookup<'a>(
        &'a self,
        request: &'a LookupRequest,
    ) -> BoxFuture<'a, Result<LookupAnswer, UpstreamError>> {
        Box::pin(async move {
            let body = serde_json::to_vec(&LookupBody::from(request)).map_err(|e| {
                UpstreamError::Config {
                    detail: format!("lookup body: {e}"),
                }
            })?;
            let call = Call {
                method: reqwest::Method::POST,
                path: "v1/lookups",
                query: Vec::new(),
                idempotency_key: Some(request.idempotency_key.as_str()),
                body: Some(body),
            };
            let answer = self.call(&call, "application/json").await?;
            self.parse_json(&answer)
        })
    }

    fn forward_consent<'a>(
        &'a self,
        consent: &'a ConsentRecord,
    ) -> BoxFuture<'a, Result<ConsentAck, UpstreamError>> {
        Box::pin(async move {
            let body = serde_json::to_vec(&ConsentBody::from(consent)).map_err(|e| {
                UpstreamError::Config {
                    detail: format!("consent body: {e}"),
                }
            })?;
            let call = Call {
                method: reqwest::Method::POST,
                path: "v1/consents",
                query: Vec::new(),
                idempotency_key: Some(consent.consent_id.as_str()),
                body: Some(body),
            };
            let answer = self.call(&call, "application/json").await?;
            self.parse_json(&answer)
        })
    }

    fn fetch_z52<'a>(
        &'a self,
        query: &'a Z52Query,
    ) -> BoxFuture<'a, Result<Z52Report, UpstreamError>> {
        Box::pin(async move {
            let mut pairs = vec![
                ("member_code", query.member_code.as_str().to_owned()),
                ("encoding", query.encoding.as_str().to_owned()),
            ];
            if let Some(from) = query.from {
                pairs.push(("from", from.format("%Y-%m-%d").to_string()));
            }
            if let Some(to) = query.to {
                pairs.push(("to", to.format("%Y-%m-%d").to_string()));
            }
            let call = Call {
                method: reqwest::Method::GET,
                path: "v1/reports/z52",
                query: pairs,
                idempotency_key: None,
                body: None,
            };
            let answer = self.call(&call, "text/csv").await?;
            let report = Z52Report {
                encoding: query.encoding,
                bytes: answer.bytes,
                simulated: answer.simulated,
            };
            // Refuse a file that does not decode: reconciliation must not run on a garbled report.
            report.text().map_err(|_| {
                self.malformed(format!(
                    "Z52 report is not valid {}",
                    query.encoding.as_str()
                ))
            })?;
            Ok(report)
        })
    }
}
