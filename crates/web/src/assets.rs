//! Static assets compiled into the binary: the stylesheet and vendored htmx. Nothing is fetched
//! from a CDN — bank intranets are air-gapped.

use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, header};

use crate::error::WebError;
use crate::state::AppState;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "custos.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../static/custos.css"),
    },
    Asset {
        name: "vendor/htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/vendor/htmx.min.js"),
    },
];

/// Routes under `/static/`.
pub fn router() -> Router<AppState> {
    Router::new().route("/static/{*name}", get(get_asset))
}

async fn get_asset(Path(name): Path<String>) -> Result<Response, WebError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name)
        .ok_or(WebError::NotFound)?;
    let mut response = asset.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(response)
}
