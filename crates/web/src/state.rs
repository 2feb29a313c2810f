//! Shared state handed to every handler.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderValue;
use tower_http::request_id::{MakeRequestId, RequestId};

/// Answers `/readyz`: can Custos serve requests right now (database reachable)?
pub trait ReadinessProbe: Send + Sync + std::fmt::Debug {
    /// `Ok(())` when ready, otherwise a short reason without secrets.
    fn check(&self) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>>;
}

/// Everything the handlers share.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Readiness of the backing services.
    pub readiness: Arc<dyn ReadinessProbe>,
    /// Source of request ids.
    pub request_ids: RequestIds,
    /// Prometheus text renderer.
    pub metrics: crate::metrics::Metrics,
    /// Read-only views the pages show.
    pub views: Arc<dyn crate::routes::home::HomeViews>,
}

/// Makes request ids `<boot nonce>-<counter>`: unique per process start, cheap, and free of any
/// clock or random source read inside the request path (the nonce is injected at start-up).
#[derive(Clone, Debug)]
pub struct RequestIds {
    nonce: Arc<str>,
    next: Arc<AtomicU64>,
}

impl RequestIds {
    /// A generator whose ids start with `nonce`.
    pub fn new(nonce: &str) -> Self {
        Self {
            nonce: Arc::from(nonce),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n:08x}", self.nonce))
            .ok()
            .map(RequestId::new)
    }
}
