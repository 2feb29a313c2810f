//! Bilingual user-facing text.
//!
//! Every error or message that can reach a user implements [`Bilingual`]: a stable snake_case
//! `code` (for logs, the error catalogue and tests — never changes once released), the
//! Traditional Chinese text (shown first) and the English text (shown second).
//!
//! Convention for `Display` of bilingual errors in Custos: `"{zh_tw} / {en}"` — produced by
//! [`Bilingual::both`].

/// A message available in Traditional Chinese (zh-TW) and English, with a stable code.
pub trait Bilingual {
    /// Stable snake_case code, e.g. `id_bad_checksum`. Never changes once released.
    fn code(&self) -> &'static str;
    /// The message in Traditional Chinese (Taiwan).
    fn zh_tw(&self) -> String;
    /// The message in English.
    fn en(&self) -> String;
    /// Both languages, zh-TW first: `"{zh_tw} / {en}"`. This is what `Display` shows.
    fn both(&self) -> String {
        format!("{} / {}", self.zh_tw(), self.en())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Hello;
    impl Bilingual for Hello {
        fn code(&self) -> &'static str {
            "hello"
        }
        fn zh_tw(&self) -> String {
            "你好".into()
        }
        fn en(&self) -> String {
            "hello".into()
        }
    }

    #[test]
    fn both_languages_show_chinese_first_then_english() {
        assert_eq!(Hello.both(), "你好 / hello");
        assert_eq!(Hello.code(), "hello");
    }
}
