//! The JCIC agency-data simulator: an HTTP/JSON service that behaves like a registry Custos does
//! not own, for tests and demos. Everything it serves is labelled simulated (header
//! `X-Simulated: true` and a `simulated` field or column).
//!
//! Behaviour (API in `docs/upstream.md`): validates subject IDs with the domain crate's parser and
//! refuses bad requests with bilingual JSON errors; serves each `Idempotency-Key` once (same key and
//! body → the stored answer, same key and another body → 422); records every lookup it served and
//! reports them as a Z52 CSV for the last 12 months (injected clock, Taipei dates). Failures are
//! injected by settings (latency, rate and mode, seeded), per request by `X-Sim-Fail`,
//! `X-Sim-Latency-Ms` and `X-Sim-Fail-After-Record`, or queued with `POST /sim/faults`.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Datelike, Months, NaiveDate};
use custos_domain::clock::Clock;
use custos_domain::time::taipei_date;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::model::{
    ConsentAck, ConsentBody, IDEMPOTENCY_KEY_HEADER, IdempotencyKey, LookupAnswer, LookupBody,
    Operation, OperationCatalogue, SIMULATED_HEADER, Z52Encoding,
};
use crate::sim::synthetic;
use crate::sim::z52::{self, LookupRecord};
use custos_domain::id::SubjectId;
use custos_domain::institution::InstitutionCode;
use custos_domain::purpose::JcicPurpose;
use custos_domain::text::Bilingual;

/// Header: inject this failure into this request (`timeout`, `5xx`, `malformed`, `slow-body`,
/// `cut-body`).
pub const FAIL_HEADER: &str = "X-Sim-Fail";
/// Header: record the lookup (and its idempotent answer), then answer 503 instead (`1`).
pub const FAIL_AFTER_RECORD_HEADER: &str = "X-Sim-Fail-After-Record";
/// Header: extra latency in milliseconds for this request.
pub const LATENCY_HEADER: &str = "X-Sim-Latency-Ms";
/// Header on a replayed idempotent answer (`true`).
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";

/// A failure the simulator can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailMode {
    /// Never answers (until the client gives up).
    Timeout,
    /// Answers 503.
    ServerError,
    /// Answers 200 with a body that is neither JSON nor valid text.
    Malformed,
    /// Sends the headers at once, then the body one byte a second.
    SlowBody,
    /// Sends the headers and part of the body, then breaks the connection.
    CutBody,
}

impl FailMode {
    /// Parses `timeout`, `5xx`, `malformed`, `slow-body`, `cut-body`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "timeout" => Some(Self::Timeout),
            "5xx" => Some(Self::ServerError),
            "malformed" => Some(Self::Malformed),
            "slow-body" => Some(Self::SlowBody),
            "cut-body" => Some(Self::CutBody),
            _ => None,
        }
    }
}

/// Settings of the simulator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JcicSimSettings {
    /// Latency added to every `/v1` request.
    pub latency: Duration,
    /// Share of `/v1` requests that fail at random (0.0–1.0).
    pub fail_rate: f64,
    /// How the random failures fail.
    pub fail_mode: FailMode,
    /// Seed of the random failures (the same seed gives the same sequence).
    pub seed: u64,
}

impl Default for JcicSimSettings {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            fail_rate: 0.0,
            fail_mode: FailMode::ServerError,
            seed: 0,
        }
    }
}

/// Why the simulator could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The address could not be bound (busy port, no permission).
    #[error("無法在 {addr} 監聽（{source}） / cannot listen on {addr} ({source})")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The TLS certificate, key or client CA could not be used.
    #[error(
        "模擬服務的 TLS 設定無法使用（{0}） / the simulator's TLS settings cannot be used ({0})"
    )]
    Tls(String),
    /// The server failed while running.
    #[error("模擬服務異常終止（{0}） / the simulator stopped unexpectedly ({0})")]
    Serve(std::io::Error),
}

struct Stored {
    digest: [u8; 32],
    status: StatusCode,
    body: Vec<u8>,
}

struct Inner {
    lookups: Vec<LookupRecord>,
    consents: Vec<ConsentBody>,
    idempotent: HashMap<(&'static str, String), Stored>,
    queued_faults: VecDeque<FailMode>,
    rng: ChaCha8Rng,
}

struct SimState {
    settings: JcicSimSettings,
    clock: Arc<dyn Clock>,
    inner: Mutex<Inner>,
}

impl SimState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The simulator (state plus routes). Cheap to clone; clones share state.
#[derive(Clone)]
pub struct JcicSimulator {
    state: Arc<SimState>,
}

impl std::fmt::Debug for JcicSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JcicSimulator")
            .field("settings", &self.state.settings)
            .finish_non_exhaustive()
    }
}

/// The operations the simulator offers.
pub fn catalogue() -> OperationCatalogue {
    let op = |code: &str, zh: &str, en: &str, kind: &str, params: &[&str]| Operation {
        code: code.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        data_kind: kind.into(),
        params: params.iter().map(|p| (*p).to_owned()).collect(),
        simulated: true,
    };
    OperationCatalogue {
        registry: "聯徵中心公務機關資料（模擬） / JCIC agency data (simulated)".into(),
        simulated: true,
        operations: vec![
            op(
                "T01",
                "綜合所得資料（依年度，模擬）",
                "Income tax data by year (simulated)",
                "tax",
                &["year"],
            ),
            op(
                "T02",
                "財產資料（模擬）",
                "Property list (simulated)",
                "tax",
                &[],
            ),
            op(
                "L01",
                "勞保投保資料及投保薪資（模擬）",
                "Labour-insurance enrolment history and insured salary (simulated)",
                "labour_insurance",
                &[],
            ),
        ],
    }
}

impl JcicSimulator {
    /// A simulator with no history, reading time from `clock`.
    pub fn new(settings: JcicSimSettings, clock: Arc<dyn Clock>) -> Self {
        Self {
            state: Arc::new(SimState {
                settings,
                clock,
                inner: Mutex::new(Inner {
                    lookups: Vec::new(),
                    consents: Vec::new(),
                    idempotent: HashMap::new(),
                    queued_faults: VecDeque::new(),
                    rng: ChaCha8Rng::seed_from_u64(settings.seed),
                }),
            }),
        }
    }

    /// The lookups served so far (the simulator's own record).
    pub fn lookups(&self) -> Vec<LookupRecord> {
        self.state.lock().lookups.clone()
    }

    /// The routes, for embedding in a test or the demo.
    pub fn router(&self) -> Router {
        let v1 = Router::new()
            .route("/v1/operations", get(get_operations))
            .route("/v1/lookups", post(post_lookup))
            .route("/v1/consents", post(post_consent))
            .route("/v1/reports/z52", get(get_z52))
            .layer(middleware::from_fn_with_state(
                self.state.clone(),
                inject_faults,
            ));
        Router::new()
            .merge(v1)
            .route("/healthz", get(healthz))
            .route("/sim/faults", post(post_faults))
            .route("/sim/stats", get(get_stats))
            .fallback(not_found)
            .layer(middleware::map_response(label_simulated))
            .with_state(self.state.clone())
    }

    /// Binds `addr` for plain HTTP (port 0 picks a free port).
    pub async fn bind(&self, addr: SocketAddr) -> Result<BoundSimulator, SimError> {
        self.bind_with(addr, None).await
    }

    /// Binds `addr`, serving HTTPS when `tls` is given (mutual TLS when it has a client CA).
    pub async fn bind_with(
        &self,
        addr: SocketAddr,
        tls: Option<&SimTls>,
    ) -> Result<BoundSimulator, SimError> {
        let acceptor = tls
            .map(|t| server_config(t).map(|c| tokio_rustls::TlsAcceptor::from(Arc::new(c))))
            .transpose()?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        Ok(BoundSimulator {
            listener,
            acceptor,
            router: self.router(),
            addr: local,
        })
    }
}

/// A simulator bound to its address, not yet serving.
pub struct BoundSimulator {
    listener: tokio::net::TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    router: Router,
    addr: SocketAddr,
}

impl std::fmt::Debug for BoundSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundSimulator")
            .field("addr", &self.addr)
            .field("tls", &self.acceptor.is_some())
            .finish_non_exhaustive()
    }
}

impl BoundSimulator {
    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` or `https://ADDR`.
    pub fn base_url(&self) -> String {
        let scheme = if self.acceptor.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), SimError> {
        match self.acceptor {
            None => axum::serve(self.listener, self.router)
                .with_graceful_shutdown(shutdown)
                .await
                .map_err(SimError::Serve),
            Some(acceptor) => axum::serve(
                TlsListener {
                    tcp: self.listener,
                    acceptor,
                },
                self.router,
            )
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(SimError::Serve),
        }
    }

    /// Serves on a tokio task (for `custos demo` and in-process tests).
    pub fn spawn(self) -> RunningSimulator {
        let addr = self.addr;
        let base_url = self.base_url();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(self.serve(async move {
            let _ = rx.await;
        }));
        RunningSimulator {
            addr,
            base_url,
            shutdown: Some(tx),
            task,
        }
    }
}

/// A simulator serving on a tokio task. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningSimulator {
    addr: SocketAddr,
    base_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), SimError>>,
}

impl RunningSimulator {
    /// The address it serves on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` or `https://ADDR`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Stops the server and waits for it (open connections are closed gracefully).
    pub async fn stop(mut self) -> Result<(), SimError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(SimError::Serve(std::io::Error::other(e.to_string()))),
        }
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

// ---------------------------------------------------------------- TLS

/// TLS material of the simulator (PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimTls {
    /// Server certificate chain.
    pub cert_chain_pem: Vec<u8>,
    /// Server private key.
    pub key_pem: Vec<u8>,
    /// When set, clients must present a certificate issued by one of these CAs (mutual TLS).
    pub client_ca_pem: Option<Vec<u8>>,
}

fn server_config(tls: &SimTls) -> Result<rustls::ServerConfig, SimError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let err = |what: &str, e: &dyn std::fmt::Display| SimError::Tls(format!("{what}: {e}"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = CertificateDer::pem_slice_iter(&tls.cert_chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err("certificate", &e))?;
    if certs.is_empty() {
        return Err(SimError::Tls("certificate: none found".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(&tls.key_pem).map_err(|e| err("private key", &e))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| err("protocol versions", &e))?;
    let builder = match &tls.client_ca_pem {
        None => builder.with_no_client_auth(),
        Some(pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| err("client CA", &e))?;
                roots.add(cert).map_err(|e| err("client CA", &e))?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(|e| err("client CA", &e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(certs, key)
        .map_err(|e| err("certificate and key", &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Accepts TCP connections and completes the TLS handshake before handing them to axum.
/// Handshakes run one at a time (bounded by 5 s each): enough for a simulator.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (tcp, addr) = match self.tcp.accept().await {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            match tokio::time::timeout(Duration::from_secs(5), self.acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => return (stream, addr),
                // The client sees the alert (e.g. no or untrusted client certificate).
                Ok(Err(e)) => tracing::info!(error = %e, "TLS handshake refused"),
                Err(_) => tracing::info!("TLS handshake timed out"),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

// ---------------------------------------------------------------- responses

/// A bilingual refusal, rendered as the JSON error body.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    zh: String,
    en: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, zh: &str, en: &str) -> Self {
        Self {
            status,
            code,
            zh: zh.to_owned(),
            en: en.to_owned(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        refuse(self.status, self.code, &self.zh, &self.en)
    }
}

fn refuse(status: StatusCode, code: &str, zh: &str, en: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "simulated": true,
            "code": code,
            "message_zh": zh,
            "message_en": en,
        })),
    )
        .into_response()
}

fn stored_response(status: StatusCode, body: Vec<u8>, replayed: bool) -> Response {
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response();
    if replayed {
        r.headers_mut()
            .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    r
}

async fn label_simulated(mut r: Response) -> Response {
    r.headers_mut()
        .insert(SIMULATED_HEADER, HeaderValue::from_static("true"));
    r
}

async fn not_found() -> Response {
    refuse(
        StatusCode::NOT_FOUND,
        "not_found",
        "查無此服務路徑",
        "no such endpoint",
    )
}

async fn healthz() -> Response {
    axum::Json(json!({"status": "ok", "simulated": true})).into_response()
}

// ---------------------------------------------------------------- failure injection

async fn inject_faults(State(state): State<Arc<SimState>>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let mut latency = state.settings.latency;
    if let Some(v) = headers.get(LATENCY_HEADER) {
        match v.to_str().ok().and_then(|s| s.parse::<u64>().ok()) {
            Some(ms) => latency += Duration::from_millis(ms),
            None => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "bad_sim_header",
                    "X-Sim-Latency-Ms 須為毫秒數",
                    "X-Sim-Latency-Ms must be a number of milliseconds",
                );
            }
        }
    }
    let asked = match headers.get(FAIL_HEADER) {
        None => None,
        Some(v) => match v.to_str().ok().and_then(FailMode::parse) {
            Some(m) => Some(m),
            None => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "bad_sim_header",
                    "X-Sim-Fail 須為 timeout、5xx、malformed、slow-body 或 cut-body",
                    "X-Sim-Fail must be timeout, 5xx, malformed, slow-body or cut-body",
                );
            }
        },
    };
    let fault = asked.or_else(|| {
        let mut inner = state.lock();
        inner.queued_faults.pop_front().or_else(|| {
            let rate = state.settings.fail_rate;
            if rate <= 0.0 {
                return None;
            }
            let draw = (inner.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            (draw < rate).then_some(state.settings.fail_mode)
        })
    });
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        None => next.run(req).await,
        Some(mode) => fault_response(mode).await,
    }
}

async fn fault_response(mode: FailMode) -> Response {
    match mode {
        FailMode::Timeout => {
            // Held until the client gives up and closes the connection (which drops this future).
            tokio::time::sleep(Duration::from_hours(1)).await;
            refuse(
                StatusCode::GATEWAY_TIMEOUT,
                "sim_timeout",
                "模擬逾時",
                "simulated timeout",
            )
        }
        FailMode::ServerError => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "sim_unavailable",
            "模擬服務暫時無法使用",
            "simulated service unavailable",
        ),
        FailMode::Malformed => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            Bytes::from_static(b"\xff\xfe{\"simulated\": tru"),
        )
            .into_response(),
        FailMode::CutBody => {
            // The first chunk goes out with the headers; the break follows a moment later.
            let stream = futures_util::stream::unfold(0u8, |i| async move {
                match i {
                    0 => Some((
                        Ok(Bytes::from_static(b"{\"simulated\":true,\"lookup_id\":")),
                        1,
                    )),
                    1 => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Some((Err(std::io::Error::other("simulated broken connection")), 2))
                    }
                    _ => None,
                }
            });
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
        FailMode::SlowBody => {
            let stream = futures_util::stream::unfold(0u32, |i| async move {
                if i > 0 {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                if i >= 3600 {
                    return None;
                }
                let chunk = if i == 0 {
                    Bytes::from_static(b"{\"simulated\":true,")
                } else {
                    Bytes::from_static(b" ")
                };
                Some((Ok::<_, std::io::Error>(chunk), i + 1))
            });
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
    }
}

#[derive(Deserialize)]
struct FaultsBody {
    mode: String,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

async fn post_faults(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    let parsed: Option<(FailMode, u32)> = serde_json::from_slice::<FaultsBody>(&body)
        .ok()
        .and_then(|b| FailMode::parse(&b.mode).map(|m| (m, b.count.min(10_000))));
    let Some((mode, count)) = parsed else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "須為 {\"mode\": \"5xx\", \"count\": 3} 之格式",
            "expected {\"mode\": \"5xx\", \"count\": 3}",
        );
    };
    let mut inner = state.lock();
    inner
        .queued_faults
        .extend(std::iter::repeat_n(mode, count as usize));
    StatusCode::NO_CONTENT.into_response()
}

async fn get_stats(State(state): State<Arc<SimState>>) -> Response {
    let inner = state.lock();
    axum::Json(json!({
        "simulated": true,
        "lookups_served": inner.lookups.len(),
        "consents_received": inner.consents.len(),
        "queued_faults": inner.queued_faults.len(),
    }))
    .into_response()
}

// ---------------------------------------------------------------- validation

fn idempotency_key(headers: &HeaderMap) -> Result<String, Refusal> {
    let Some(v) = headers.get(IDEMPOTENCY_KEY_HEADER) else {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "missing_idempotency_key",
            "缺少 Idempotency-Key 標頭",
            "the Idempotency-Key header is missing",
        ));
    };
    v.to_str()
        .ok()
        .and_then(|s| IdempotencyKey::parse(s).ok())
        .map(|k| k.as_str().to_owned())
        .ok_or_else(|| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "invalid_idempotency_key",
                "Idempotency-Key 須為 8 至 64 個英數字、- 或 _",
                "Idempotency-Key must be 8-64 characters of A-Z a-z 0-9 - _",
            )
        })
}

fn subject(s: &str, today: NaiveDate) -> Result<SubjectId, Refusal> {
    // Never echo the ID back: it is personal data. New requests follow the rules for new input
    // (old-format UI numbers retire after 2030), as a live registry would.
    SubjectId::parse_new_input(s, today).map_err(|e| {
        Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_subject_id",
            &format!("當事人身分證統一編號不正確：{}", e.zh_tw()),
            &format!("the subject ID is not valid: {}", e.en()),
        )
    })
}

fn purpose(s: &str) -> Result<JcicPurpose, Refusal> {
    JcicPurpose::parse(s).map_err(|_| {
        Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "purpose_not_allowed",
            "查詢理由限授信、信用卡申請或信用卡額度調整",
            "the purpose must be credit_granting, card_application or card_limit_adjustment",
        )
    })
}

fn member_code(s: &str) -> Result<InstitutionCode, Refusal> {
    match InstitutionCode::parse(s) {
        Ok(code) if code.bank_code().is_some() && code.as_str() == s => Ok(code),
        _ => Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_member_code",
            "會員代號須為金融機構代號（3 碼或 7 碼數字）",
            "the member code must be a bank institution code (3 or 7 digits)",
        )),
    }
}

fn text_field(
    value: &str,
    max: usize,
    code: &'static str,
    zh: &str,
    en: &str,
) -> Result<(), Refusal> {
    let n = value.chars().count();
    if n == 0 || n > max || value.chars().any(char::is_control) {
        Err(Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en))
    } else {
        Ok(())
    }
}

fn digest<T: serde::Serialize>(value: &T) -> [u8; 32] {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    Sha256::digest(&bytes).into()
}

// ---------------------------------------------------------------- handlers

async fn get_operations() -> Response {
    axum::Json(catalogue()).into_response()
}

async fn post_lookup(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match idempotency_key(&headers) {
        Ok(k) => k,
        Err(r) => return r.into_response(),
    };
    let Ok(req) = serde_json::from_slice::<LookupBody>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "請求內容不是約定的 JSON 格式",
            "the request body is not the agreed JSON",
        );
    };
    let fail_after_record = headers
        .get(FAIL_AFTER_RECORD_HEADER)
        .is_some_and(|v| v.as_bytes() == b"1");
    let d = digest(&req);
    let slot = ("lookups", key);
    if let Some(stored) = state.lock().idempotent.get(&slot) {
        return replay(stored, d);
    }
    match serve_lookup(&state, &req) {
        Err(r) => r.into_response(),
        Ok((mut record, mut answer)) => {
            let mut inner = state.lock();
            // Checked again under the lock: a concurrent duplicate must not be served twice.
            if let Some(stored) = inner.idempotent.get(&slot) {
                return replay(stored, d);
            }
            // Numbered under the lock so concurrent lookups get distinct ids.
            let lookup_id = format!("SIM-L-{:06}", inner.lookups.len() + 1);
            record.lookup_id.clone_from(&lookup_id);
            answer.lookup_id = lookup_id;
            let body = serde_json::to_vec(&answer).unwrap_or_default();
            inner.lookups.push(record);
            inner.idempotent.insert(
                slot,
                Stored {
                    digest: d,
                    status: StatusCode::OK,
                    body: body.clone(),
                },
            );
            drop(inner);
            if fail_after_record {
                refuse(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "sim_failed_after_record",
                    "模擬：查詢已記錄，但回覆失敗",
                    "simulated: the lookup was recorded but the answer failed",
                )
            } else {
                stored_response(StatusCode::OK, body, false)
            }
        }
    }
}

fn replay(stored: &Stored, digest: [u8; 32]) -> Response {
    if stored.digest == digest {
        stored_response(stored.status, stored.body.clone(), true)
    } else {
        refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "此 Idempotency-Key 已用於內容不同的請求",
            "this Idempotency-Key was already used for a different request",
        )
    }
}

fn serve_lookup(
    state: &SimState,
    req: &LookupBody,
) -> Result<(LookupRecord, LookupAnswer), Refusal> {
    let now = state.clock.now();
    let id = subject(&req.subject_id, taipei_date(now))?;
    let purpose = purpose(&req.purpose)?;
    member_code(&req.member_code)?;
    text_field(
        &req.querier_code,
        16,
        "invalid_querier_code",
        "查詢人員代號須為 1 至 16 個字元",
        "the querier code must be 1 to 16 characters",
    )?;
    text_field(
        &req.case_number,
        64,
        "invalid_case_number",
        "案號須為 1 至 64 個字元",
        "the case number must be 1 to 64 characters",
    )?;
    text_field(
        &req.consent_id,
        64,
        "invalid_consent_id",
        "授權書編號須為 1 至 64 個字元",
        "the consent id must be 1 to 64 characters",
    )?;
    let catalogue = catalogue();
    let Some(op) = catalogue
        .operations
        .iter()
        .find(|o| o.code == req.operation)
    else {
        return Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_operation",
            "查無此查詢項目",
            "no such operation",
        ));
    };
    if op.code != "T02" && matches!(id, SubjectId::Business(_)) {
        return Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "operation_not_for_business",
            "此查詢項目僅適用於個人（身分證統一編號或統一證號）",
            "this operation is for persons only (national ID or UI number)",
        ));
    }
    let result = match op.code.as_str() {
        "T01" => {
            let this_year = now.with_timezone(&chrono_tz::Asia::Taipei).year();
            match req.params.year {
                Some(y) if (1990..this_year).contains(&y) => synthetic::tax_income(&id, y),
                _ => {
                    return Err(Refusal::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_year",
                        "須指定 1990 年至去年之間的年度",
                        "a year from 1990 to last year is required",
                    ));
                }
            }
        }
        "T02" => synthetic::property_list(&id),
        _ => synthetic::labour_insurance(&id),
    };
    // The lookup id is assigned by the caller, under the lock.
    let record = LookupRecord {
        lookup_id: String::new(),
        served_at: now,
        member_code: req.member_code.clone(),
        querier_code: req.querier_code.clone(),
        subject_id: id.as_str().to_owned(),
        subject_name: synthetic::person_name(&id),
        operation: op.code.clone(),
        operation_name: op.name_zh.clone(),
        purpose: purpose.zh_tw().to_owned(),
        case_number: req.case_number.clone(),
    };
    let answer = LookupAnswer {
        lookup_id: String::new(),
        served_at: now,
        operation: op.code.clone(),
        subject_id_masked: id.masked(),
        simulated: true,
        result,
    };
    Ok((record, answer))
}

async fn post_consent(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match idempotency_key(&headers) {
        Ok(k) => k,
        Err(r) => return r.into_response(),
    };
    let Ok(req) = serde_json::from_slice::<ConsentBody>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "請求內容不是約定的 JSON 格式",
            "the request body is not the agreed JSON",
        );
    };
    let d = digest(&req);
    let slot = ("consents", key);
    if let Some(stored) = state.lock().idempotent.get(&slot) {
        return replay(stored, d);
    }
    if let Err(r) = validate_consent(&state, &req) {
        return r.into_response();
    }
    let mut inner = state.lock();
    if let Some(stored) = inner.idempotent.get(&slot) {
        return replay(stored, d);
    }
    let ack = ConsentAck {
        ack_id: format!("SIM-C-{:06}", inner.consents.len() + 1),
        consent_id: req.consent_id.clone(),
        received_at: state.clock.now(),
        simulated: true,
    };
    let body = serde_json::to_vec(&ack).unwrap_or_default();
    inner.consents.push(req);
    inner.idempotent.insert(
        slot,
        Stored {
            digest: d,
            status: StatusCode::CREATED,
            body: body.clone(),
        },
    );
    stored_response(StatusCode::CREATED, body, false)
}

fn validate_consent(state: &SimState, req: &ConsentBody) -> Result<(), Refusal> {
    subject(&req.subject_id, taipei_date(state.clock.now()))?;
    purpose(&req.purpose)?;
    member_code(&req.member_code)?;
    text_field(
        &req.consent_id,
        64,
        "invalid_consent_id",
        "授權書編號須為 1 至 64 個字元",
        "the consent id must be 1 to 64 characters",
    )?;
    text_field(
        &req.case_number,
        64,
        "invalid_case_number",
        "案號須為 1 至 64 個字元",
        "the case number must be 1 to 64 characters",
    )?;
    let hex_ok = req.evidence_sha256.len() == 64
        && req
            .evidence_sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex_ok {
        return Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_evidence_digest",
            "授權證據摘要須為 64 位小寫十六進位 SHA-256",
            "the evidence digest must be a SHA-256 in 64 lowercase hex digits",
        ));
    }
    if req.granted_at > state.clock.now() + chrono::Duration::minutes(5) {
        return Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "consent_in_future",
            "授權時間晚於現在",
            "the consent is dated in the future",
        ));
    }
    Ok(())
}

async fn get_z52(
    State(state): State<Arc<SimState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let bad = |code: &'static str, zh: &str, en: &str| {
        Refusal::new(StatusCode::BAD_REQUEST, code, zh, en)
    };
    let Some(member) = q.get("member_code") else {
        return bad(
            "missing_member_code",
            "缺少會員代號 member_code",
            "member_code is required",
        )
        .into_response();
    };
    if let Err(r) = member_code(member) {
        return r.into_response();
    }
    let encoding = match q.get("encoding").map(String::as_str) {
        None => Z52Encoding::Utf8,
        Some(s) => match Z52Encoding::parse(s) {
            Some(e) => e,
            None => {
                return bad(
                    "unsupported_encoding",
                    "編碼須為 utf-8 或 big5",
                    "encoding must be utf-8 or big5",
                )
                .into_response();
            }
        },
    };
    let date = |name: &str| -> Result<Option<NaiveDate>, Refusal> {
        q.get(name)
            .map(|s| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                    bad(
                        "invalid_date",
                        &format!("{name} 須為 YYYY-MM-DD"),
                        &format!("{name} must be YYYY-MM-DD"),
                    )
                })
            })
            .transpose()
    };
    let (from, to) = match (date("from"), date("to")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(r), _) | (_, Err(r)) => return r.into_response(),
    };
    let today = taipei_date(state.clock.now());
    // J1.R1: the last 12 months counted from the query date.
    let earliest = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let from = from.unwrap_or(earliest);
    let to = to.unwrap_or(today);
    if from > to || from < earliest || to > today {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "range_outside_report",
            &format!("查詢期間須在 {earliest} 至 {today} 之間，且起日不晚於迄日"),
            &format!("the period must lie within {earliest} to {today}, start before end"),
        );
    }
    let inner = state.lock();
    let rows: Vec<&LookupRecord> = inner
        .lookups
        .iter()
        .filter(|r| {
            let d = taipei_date(r.served_at);
            r.member_code == *member && d >= from && d <= to
        })
        .collect();
    let text = z52::render(&rows);
    drop(inner);
    let (bytes, replaced) = z52::encode(&text, encoding);
    let content_type = match encoding {
        Z52Encoding::Utf8 => "text/csv; charset=utf-8",
        Z52Encoding::Big5 => "text/csv; charset=big5",
    };
    let mut r = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"Z52-simulated.csv\"",
            ),
        ],
        bytes,
    )
        .into_response();
    if replaced {
        r.headers_mut().insert(
            "X-Encoding-Replacements",
            HeaderValue::from_static("numeric-character-reference"),
        );
    }
    r
}
