//! Liveness, readiness and metrics for operators and orchestrators.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use crate::error::WebError;
use crate::state::AppState;

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is alive", body = String, content_type = "text/plain")))]
pub async fn get_healthz() -> &'static str {
    "ok"
}

/// Readiness: the database (and other required services) can be reached.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = String, content_type = "text/plain"),
        (status = 503, description = "A required service is unreachable")))]
pub async fn get_readyz(State(state): State<AppState>) -> Result<Response, WebError> {
    state
        .readiness
        .check()
        .await
        .map_err(WebError::Unavailable)?;
    Ok((StatusCode::OK, "ready").into_response())
}

/// Metrics in the Prometheus text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4")))]
pub async fn get_metrics(State(state): State<AppState>) -> Response {
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
