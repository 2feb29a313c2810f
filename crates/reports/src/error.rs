//! Errors of the reports crate, as data. Every message is bilingual: zh-TW first, English second.

use std::path::PathBuf;

/// Everything that can go wrong while loading fonts or rendering a form.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A character of the input that none of the shipped fonts covers.
    #[error(
        "字元「{ch}」({code_point}) 無可用字型 / no shipped font covers the character {ch:?} ({code_point})"
    )]
    MissingGlyph {
        /// The character.
        ch: char,
        /// Its code point, formatted `U+XXXX`.
        code_point: String,
    },
    /// The font directory is missing or unreadable.
    #[error("字型目錄無法讀取：{path} / cannot read the font directory {path}: {source}")]
    FontDirectory {
        /// The directory that was tried.
        path: PathBuf,
        /// The underlying IO error.
        source: std::io::Error,
    },
    /// The font directory holds none of the faces Custos needs.
    #[error(
        "字型目錄缺少必要字型 {missing}：{path} / the font directory {path} lacks the face {missing}"
    )]
    FontMissing {
        /// The directory that was searched.
        path: PathBuf,
        /// The family name that was not found.
        missing: String,
    },
    /// typst failed to lay out the generated document (a bug in a layout, never user data).
    #[error("PDF 排版失敗：{0} / PDF layout failed: {0}")]
    Typst(String),
    /// rust_xlsxwriter failed.
    #[error("試算表產生失敗：{0} / spreadsheet generation failed: {0}")]
    Xlsx(String),
    /// The docx package could not be written.
    #[error("Word 文件產生失敗：{0} / Word document generation failed: {0}")]
    Docx(String),
    /// Invalid form data (e.g. a date typst cannot represent).
    #[error("表單資料無效：{0} / invalid form data: {0}")]
    InvalidData(String),
    /// Writing an output file failed.
    #[error("無法寫入 {path} / cannot write {path}: {source}")]
    Write {
        /// The file that was written.
        path: PathBuf,
        /// The underlying IO error.
        source: std::io::Error,
    },
}

impl ReportError {
    /// The missing-glyph error for `ch`.
    pub fn missing_glyph(ch: char) -> Self {
        Self::MissingGlyph {
            ch,
            code_point: format!("U+{:04X}", u32::from(ch)),
        }
    }
}
