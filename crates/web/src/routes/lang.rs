//! The language switch: sets the language cookie and returns to the page the user was on.

use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderValue, header};
use serde::Deserialize;

use crate::i18n::{LANG_COOKIE, Lang};

/// Query of `/lang`.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    /// The language tag to switch to.
    set: String,
    /// Where to go back to; only a local path is accepted.
    next: Option<String>,
}

/// `GET /lang?set=en&next=/organisation`.
pub async fn get_lang(Query(query): Query<LangQuery>) -> Response {
    let lang = Lang::from_tag(&query.set).unwrap_or_default();
    let next = query
        .next
        .as_deref()
        .filter(|n| is_local_path(n))
        .unwrap_or("/");
    let mut response = Redirect::to(next).into_response();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        lang.tag()
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Accepts `/x/y?z` but not `//host`, `/\host`, schemes or anything outside this site.
fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\')
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_accepted_as_return_targets() {
        assert!(is_local_path("/"));
        assert!(is_local_path("/organisation?x=1"));
        assert!(!is_local_path("//evil.example"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("https://evil.example"));
        assert!(!is_local_path("/a\nb"));
    }
}
