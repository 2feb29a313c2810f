//! The OpenAPI document (`/api/openapi.json`) and a documentation page that needs no internet and
//! no script: it is rendered on the server from the same document.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::routing::get;
use axum::{Extension, Json, Router};
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder};

use crate::i18n::{Lang, Texts};
use crate::state::AppState;

/// The document's fixed parts; paths are added by the routers.
pub fn base_document() -> OpenApi {
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Custos API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Governed lookups of government registries, with the evidence auditors need.",
                ))
                .build(),
        )
        .build()
}

/// Routes `/api/openapi.json` and `/api/docs`.
pub fn router(document: Arc<OpenApi>) -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(get_openapi))
        .route("/api/docs", get(get_api_docs))
        .layer(Extension(document))
}

async fn get_openapi(Extension(document): Extension<Arc<OpenApi>>) -> Json<OpenApi> {
    Json((*document).clone())
}

/// One operation row of the documentation page.
#[derive(Debug)]
pub struct OperationRow {
    method: String,
    path: String,
    summary: String,
}

/// `GET /api/docs`.
#[derive(Template, WebTemplate)]
#[template(path = "api_docs.html")]
pub struct ApiDocsPage {
    lang: Lang,
    t: &'static Texts,
    path: &'static str,
    operations: Vec<OperationRow>,
}

async fn get_api_docs(lang: Lang, Extension(document): Extension<Arc<OpenApi>>) -> ApiDocsPage {
    let mut operations = Vec::new();
    for (path, item) in &document.paths.paths {
        let methods = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in methods {
            if let Some(op) = op {
                let summary = op
                    .summary
                    .clone()
                    .or_else(|| op.description.clone())
                    .unwrap_or_default();
                operations.push(OperationRow {
                    method: method.to_owned(),
                    path: path.clone(),
                    summary,
                });
            }
        }
    }
    ApiDocsPage {
        lang,
        t: lang.texts(),
        path: "/api/docs",
        operations,
    }
}
