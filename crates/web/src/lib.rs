//! Custos web shell: the axum router, page templates, static assets and the HTTP edge policy.
//!
//! Responsibilities: parse requests into domain types, call the application layer, render a page,
//! an htmx partial or JSON. No SQL and no business rules live here (see `ARCHITECTURE.md`).
//!
//! Every response carries a request id (`x-request-id`) and the security headers of
//! [`security`]; every error is rendered once, by [`error::render_errors`], in the user's language
//! with that request id.

pub mod assets;
pub mod error;
pub mod i18n;
pub mod metrics;
pub mod routes;
pub mod security;
pub mod state;

use std::time::Duration;

use axum::Router;
use axum::middleware;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::{AppState, ReadinessProbe};

/// Largest request body Custos accepts anywhere (uploads will set their own, larger limits).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// How long a request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds the complete router with all middleware.
pub fn router(state: AppState) -> Router {
    let request_ids = state.request_ids.clone();
    let (api, openapi) = routes::api_router().split_for_parts();
    let openapi = std::sync::Arc::new(openapi);
    Router::new()
        .merge(routes::page_router())
        .merge(api)
        .merge(routes::api_docs::router(openapi))
        .merge(assets::router())
        .route_layer(middleware::from_fn(metrics::track_requests))
        .fallback(routes::not_found)
        .layer(
            // Outermost first. Errors are rendered inside the request-id layers (so the page can
            // show the id) and outside the panic, timeout and body-limit layers (so their bare
            // responses are rendered too).
            ServiceBuilder::new()
                .layer(middleware::from_fn(security::headers))
                .layer(SetRequestIdLayer::x_request_id(request_ids))
                .layer(TraceLayer::new_for_http())
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(middleware::from_fn(error::render_errors))
                .layer(CatchPanicLayer::custom(error::panic_response))
                .layer(TimeoutLayer::with_status_code(
                    http::StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                ))
                .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES)),
        )
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
