//! The fonts Custos ships (`assets/fonts/`), loaded at run time, and the glyph-coverage check.
//!
//! A [`FontSet`] holds the Traditional Chinese faces the forms use — Noto Sans CJK TC, Noto Serif
//! CJK TC and Hanazono Mincho B for CJK Extension B — read from a directory (by default the
//! repository's `assets/fonts`, overridable by the caller). Nothing is downloaded and no system font
//! is consulted, so a fresh machine renders the same bytes as any other.
//!
//! Invariant: before any renderer runs, [`FontSet::check_text`] proves that every character of the
//! input has a glyph in at least one loaded face; otherwise it returns
//! [`ReportError::MissingGlyph`] naming the character and its code point.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::error::ReportError;

/// Family name of the sans face.
pub const SANS: &str = "Noto Sans CJK TC";
/// Family name of the Ming (serif) face used on official forms.
pub const SERIF: &str = "Noto Serif CJK TC";
/// Family name of the CJK Extension B face.
pub const EXT_B: &str = "HanaMinB";

const REQUIRED: [&str; 3] = [SANS, SERIF, EXT_B];

/// The font directory compiled into the binary: the repository's `assets/fonts`.
pub const DEFAULT_FONT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts");

/// The faces the forms are set in. Cheap to clone (shared).
#[derive(Clone)]
pub struct FontSet {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    fonts: Vec<Font>,
    book: LazyHash<FontBook>,
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field("dir", &self.inner.dir)
            .field("faces", &self.inner.fonts.len())
            .finish()
    }
}

static DEFAULT_SET: LazyLock<Result<FontSet, String>> =
    LazyLock::new(|| FontSet::load(Path::new(DEFAULT_FONT_DIR)).map_err(|e| e.to_string()));

impl FontSet {
    /// Loads the shipped faces from `dir`. Files that are not fonts are ignored; faces of other
    /// families (e.g. the kai face for the seal generator, or the Japanese and Korean faces of the
    /// Noto collections) are left out.
    pub fn load(dir: &Path) -> Result<Self, ReportError> {
        let read_err = |source| ReportError::FontDirectory {
            path: dir.to_path_buf(),
            source,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read_err)?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(
                        e.to_ascii_lowercase().as_str(),
                        "ttf" | "ttc" | "otf" | "otc"
                    )
                })
            })
            .collect();
        // Directory order is not stable across file systems; font order decides fallback.
        paths.sort();
        let mut fonts = Vec::new();
        for path in paths {
            let data = std::fs::read(&path).map_err(|source| ReportError::FontDirectory {
                path: path.clone(),
                source,
            })?;
            fonts.extend(
                Font::iter(Bytes::new(data))
                    .filter(|font| REQUIRED.contains(&font.info().family.as_str())),
            );
        }
        for family in REQUIRED {
            if !fonts.iter().any(|f| f.info().family == family) {
                return Err(ReportError::FontMissing {
                    path: dir.to_path_buf(),
                    missing: family.to_string(),
                });
            }
        }
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        Ok(Self {
            inner: Arc::new(Inner {
                dir: dir.to_path_buf(),
                fonts,
                book,
            }),
        })
    }

    /// The faces from [`DEFAULT_FONT_DIR`], loaded once per process.
    pub fn shipped() -> Result<Self, ReportError> {
        DEFAULT_SET
            .clone()
            .map_err(|message| ReportError::FontDirectory {
                path: PathBuf::from(DEFAULT_FONT_DIR),
                source: std::io::Error::other(message),
            })
    }

    /// The directory the faces were read from.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The loaded faces, in fallback order.
    pub fn fonts(&self) -> &[Font] {
        &self.inner.fonts
    }

    pub(crate) fn book(&self) -> &LazyHash<FontBook> {
        &self.inner.book
    }

    /// Whether some loaded face has a glyph for `ch`. Control characters (line breaks, tabs) need
    /// none.
    pub fn covers(&self, ch: char) -> bool {
        ch.is_control()
            || self
                .inner
                .fonts
                .iter()
                .any(|font| font.info().coverage.contains(u32::from(ch)))
    }

    /// Checks every character of `texts`; the first one no face covers is an error.
    pub fn check_text<'a>(
        &self,
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), ReportError> {
        let mut seen = HashSet::new();
        for text in texts {
            for ch in text.chars() {
                if seen.insert(ch) && !self.covers(ch) {
                    return Err(ReportError::missing_glyph(ch));
                }
            }
        }
        Ok(())
    }
}
