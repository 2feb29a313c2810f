//! Temporary stand-ins for `custos_domain::id` and `custos_domain::text` until the domain branch
//! lands. Only the shape is checked here (letter + 9 characters); the checksum is the domain
//! crate's job. Replaced by re-exports as soon as `custos_domain::id` exists.

use std::fmt;

/// A message available in Traditional Chinese (zh-TW) and English, with a stable code.
pub trait Bilingual {
    /// Stable snake_case code.
    fn code(&self) -> &'static str;
    /// The message in Traditional Chinese (Taiwan).
    fn zh_tw(&self) -> String;
    /// The message in English.
    fn en(&self) -> String;
    /// Both languages, zh-TW first.
    fn both(&self) -> String {
        format!("{} / {}", self.zh_tw(), self.en())
    }
}

/// A subject identifier (shape only, see module doc).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct SubjectId(String);

/// Why a subject identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.both())]
pub struct IdError;

impl Bilingual for IdError {
    fn code(&self) -> &'static str {
        "id_bad_format"
    }
    fn zh_tw(&self) -> String {
        "身分證統一編號格式錯誤".into()
    }
    fn en(&self) -> String {
        "malformed subject identifier".into()
    }
}

impl SubjectId {
    /// Parses an identifier.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let b = s.as_bytes();
        if b.len() == 10
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_alphanumeric()
            && b[2..].iter().all(u8::is_ascii_digit)
        {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdError)
        }
    }
    /// The identifier as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Masked for display: `A12****789`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}
