//! The one error type of the web layer and the one place errors are rendered.
//!
//! Handlers return [`WebError`]. Its `IntoResponse` only sets the status and attaches an
//! [`ErrorInfo`]; the [`render_errors`] middleware then renders it once — a bilingual page, an
//! htmx fragment or JSON — with the request id, in the user's language. Bare error responses from
//! lower layers (timeouts, body limits, method not allowed, panics) are rendered the same way.

use std::borrow::Cow;

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use crate::i18n::Lang;

/// A stable error of the catalogue: machine code, HTTP status and both languages' messages.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Stable snake_case code, documented for API clients.
    pub code: &'static str,
    /// HTTP status. Never a default: each variant states its own.
    pub status: StatusCode,
    /// Message in Traditional Chinese.
    pub zh_tw: Cow<'static, str>,
    /// Message in English.
    pub en: Cow<'static, str>,
}

/// Errors a handler can return.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The resource does not exist.
    #[error("not found")]
    NotFound,
    /// The request was understood but its content is invalid; messages say what to fix.
    #[error("invalid request: {code}")]
    Invalid {
        /// Stable code.
        code: &'static str,
        /// Message in Traditional Chinese.
        zh_tw: String,
        /// Message in English.
        en: String,
    },
    /// A backing service (database, registry) cannot be reached right now.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure. The detail is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl WebError {
    /// The catalogue entry of this error.
    pub fn info(&self) -> ErrorInfo {
        match self {
            WebError::NotFound => info_for_status(StatusCode::NOT_FOUND),
            WebError::Invalid { code, zh_tw, en } => ErrorInfo {
                code,
                status: StatusCode::UNPROCESSABLE_ENTITY,
                zh_tw: Cow::Owned(zh_tw.clone()),
                en: Cow::Owned(en.clone()),
            },
            WebError::Unavailable(_) => info_for_status(StatusCode::SERVICE_UNAVAILABLE),
            WebError::Internal(_) => info_for_status(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match &self {
            WebError::Internal(detail) => tracing::error!(%detail, "internal error"),
            WebError::Unavailable(detail) => tracing::warn!(%detail, "service unavailable"),
            _ => {}
        }
        let info = self.info();
        let mut response = info.status.into_response();
        response.extensions_mut().insert(info);
        response
    }
}

/// The catalogue entry for a bare status produced outside a handler.
pub fn info_for_status(status: StatusCode) -> ErrorInfo {
    let (code, zh, en): (&'static str, &'static str, &'static str) = match status {
        StatusCode::NOT_FOUND => (
            "not_found",
            "找不到您要的頁面或資源。",
            "The page or resource you asked for does not exist.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "此位址不接受這種請求方法。",
            "This address does not accept that request method.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            "送出的資料過大。",
            "The data sent is too large.",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "request_timeout",
            "處理逾時，請稍後再試。",
            "The request took too long; please try again later.",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            "service_unavailable",
            "服務暫時無法使用（資料庫或外部系統無法連線），請稍後再試。",
            "The service is temporarily unavailable (database or registry unreachable); please try again later.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "不支援的資料格式。",
            "Unsupported content type.",
        ),
        StatusCode::BAD_REQUEST => ("bad_request", "請求格式錯誤。", "The request is malformed."),
        StatusCode::UNPROCESSABLE_ENTITY => (
            "invalid_request",
            "請求內容有誤。",
            "The request content is invalid.",
        ),
        s if s.is_server_error() => (
            "internal_error",
            "系統發生內部錯誤，請稍後再試；如持續發生，請將請求編號告知系統管理者。",
            "Custos hit an internal error. Please try again later; if it persists, give the request id to your administrator.",
        ),
        _ => (
            "request_error",
            "請求無法處理。",
            "The request cannot be processed.",
        ),
    };
    ErrorInfo {
        code,
        status,
        zh_tw: Cow::Borrowed(zh),
        en: Cow::Borrowed(en),
    }
}

/// Response for a panic inside a handler: a 500 marked for [`render_errors`].
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let info = info_for_status(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = info.status.into_response();
    response.extensions_mut().insert(info);
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    lang: Lang,
    t: &'static crate::i18n::Texts,
    status: u16,
    message: &'a str,
    code: &'a str,
    request_id: &'a str,
    path: &'a str,
}

/// Middleware: renders every error response once, in the right shape and language.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let lang = Lang::of_headers(request.headers());
    let wants_json = request.uri().path().starts_with("/api/")
        || request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json") && !v.contains("text/html"));
    let is_htmx = request.headers().contains_key("hx-request");
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let path = request.uri().path().to_owned();

    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let info = match response.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        // A response that already has a body of its own (e.g. JSON from an extractor) is kept.
        None if response.headers().contains_key(header::CONTENT_TYPE) => return response,
        None => info_for_status(status),
    };
    let (parts, _) = response.into_parts();
    let mut out = if wants_json {
        let body = serde_json::json!({
            "error": {
                "code": info.code,
                "status": status.as_u16(),
                "message_zh_tw": info.zh_tw,
                "message_en": info.en,
                "request_id": request_id,
            }
        });
        (status, axum::Json(body)).into_response()
    } else {
        let message = match lang {
            Lang::ZhTw => &info.zh_tw,
            Lang::En => &info.en,
        };
        let page = ErrorPage {
            lang,
            t: lang.texts(),
            status: status.as_u16(),
            message,
            code: info.code,
            request_id: &request_id,
            path: &path,
        };
        let html = page
            .render()
            .unwrap_or_else(|_| format!("{status} — {} / {} ({request_id})", info.zh_tw, info.en));
        let mut r = Response::new(Body::from(html));
        *r.status_mut() = status;
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        if is_htmx {
            // Let htmx swap the error fragment into its target instead of ignoring it.
            r.headers_mut()
                .insert("hx-reswap", HeaderValue::from_static("innerHTML"));
        }
        r
    };
    // Keep headers set upstream (e.g. `allow` on 405), but not a stale length or type.
    for (name, value) in &parts.headers {
        if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
