//! The home page and the organisation overview.

use std::future::Future;
use std::pin::Pin;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::state::AppState;

/// One institution as the pages show it.
#[derive(Debug, Clone)]
pub struct InstitutionView {
    /// Institution code.
    pub code: String,
    /// Name (zh-TW; institutions have no official English name).
    pub name: String,
    /// Kind, in zh-TW and English.
    pub kind: (String, String),
    /// Control profile name, in zh-TW and English.
    pub profile: (String, String),
    /// Declared query methods (J0.2), as letters with labels in zh-TW and English.
    pub methods: Vec<(String, String)>,
    /// Org units in tree order with their depth (0 = head office).
    pub units: Vec<(usize, String)>,
}

/// Read-only queries the home pages need, provided by the application layer.
pub trait HomeViews: Send + Sync + std::fmt::Debug {
    /// Every institution with its units.
    fn institutions(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<InstitutionView>, WebError>> + Send + '_>>;
}

/// `GET /`.
#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    lang: Lang,
    t: &'static Texts,
    path: &'static str,
    institutions: usize,
    units: usize,
}

/// `GET /organisation`.
#[derive(Template, WebTemplate)]
#[template(path = "organisation.html")]
pub struct OrganisationPage {
    lang: Lang,
    t: &'static Texts,
    path: &'static str,
    institutions: Vec<InstitutionView>,
}

/// Shows what Custos is and what to try.
pub async fn get_home(lang: Lang, State(state): State<AppState>) -> Result<HomePage, WebError> {
    let institutions = state.views.institutions().await?;
    Ok(HomePage {
        lang,
        t: lang.texts(),
        path: "/",
        units: institutions.iter().map(|i| i.units.len()).sum(),
        institutions: institutions.len(),
    })
}

/// Lists institutions with their org units.
pub async fn get_organisation(
    lang: Lang,
    State(state): State<AppState>,
) -> Result<OrganisationPage, WebError> {
    Ok(OrganisationPage {
        lang,
        t: lang.texts(),
        path: "/organisation",
        institutions: state.views.institutions().await?,
    })
}
