//! Prometheus metrics: a request counter and latency histogram per route, rendered at `/metrics`.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Renders the process's metrics in the Prometheus text format.
#[derive(Clone)]
pub struct Metrics {
    handle: Arc<PrometheusHandle>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

static HANDLE: OnceLock<Arc<PrometheusHandle>> = OnceLock::new();

impl Metrics {
    /// The process-wide recorder (installed on first use; later calls share it).
    pub fn global() -> Metrics {
        let handle = HANDLE.get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder was installed first; then ours just stays empty.
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed");
            }
            metrics::describe_counter!(
                "custos_http_requests_total",
                "HTTP requests answered, by route and status"
            );
            metrics::describe_histogram!(
                "custos_http_request_duration_seconds",
                "Time to answer an HTTP request, by route"
            );
            Arc::new(handle)
        });
        Metrics {
            handle: handle.clone(),
        }
    }

    /// The current metrics as Prometheus text.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

/// Middleware: counts and times each request by its route pattern (never the raw path, which
/// could carry identifiers).
pub async fn track_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("custos_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("custos_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
