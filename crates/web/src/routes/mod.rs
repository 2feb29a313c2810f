//! Routers, one module per feature, grouped by security policy: public pages and health
//! endpoints now; signed-in pages and the lookup API as their issues land.

pub mod api_docs;
pub mod api_ledger;
pub mod health;
pub mod home;
pub mod lang;
pub mod ledger;
pub mod probe;

use axum::Router;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::WebError;
use crate::state::AppState;

/// Server-rendered pages.
pub fn page_router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::get_home))
        .route("/organisation", get(home::get_organisation))
        .route(
            "/organisation/institutions/{code}",
            get(ledger::get_institution),
        )
        .route("/jobs", get(home::get_jobs))
        .route("/ledger", get(home::get_ledger))
        .route("/ledger/entries/{index}", get(ledger::get_entry))
        .route("/lang", get(lang::get_lang))
}

/// Machine endpoints documented in the OpenAPI document.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(probe::with_bearer_scheme(api_docs::base_document()))
        .routes(routes!(health::get_healthz))
        .routes(routes!(health::get_readyz))
        .routes(routes!(health::get_metrics))
        .routes(routes!(probe::post_ledger_probe))
        .routes(routes!(api_ledger::get_ledger))
        .routes(routes!(api_ledger::get_checkpoints))
        .routes(routes!(api_ledger::get_entry))
        .routes(routes!(api_ledger::get_inclusion))
        .routes(routes!(api_ledger::get_consistency))
}

/// Fallback for every unknown path.
pub async fn not_found() -> WebError {
    WebError::NotFound
}
