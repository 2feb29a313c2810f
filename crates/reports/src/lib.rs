//! Custos official forms rendered as PDF, xlsx and docx.
//!
//! Every working paper an auditor signs, files and hands to an examiner — 聯徵1–4, the Taipei audit
//! record form (附件二), the vendor audit form (附件三), the account change application (附件五), the
//! contact form (附件一) and printouts of agency data — is a typed data structure in [`forms`]. Each
//! form turns itself into a format-neutral [`model::Document`], and the renderers turn that document
//! into bytes:
//!
//! - [`pdf`]: typst as a library, fonts from a [`fonts::FontSet`] (no downloads, fixed dates);
//! - [`xlsx`]: rust_xlsxwriter (聯徵2, 聯徵3, 聯徵4);
//! - [`docx`]: a minimal WordprocessingML package (聯徵1, which institutions edit in Word).
//!
//! Invariants: the same input gives identical bytes (document dates and ids come from the data,
//! never from the clock); every character is checked against the shipped fonts before rendering, and a
//! character no font covers is [`ReportError::MissingGlyph`] — never a blank box.

pub mod docx;
pub mod error;
pub mod fonts;
pub mod forms;
pub mod model;
pub mod pdf;
pub mod qr;
pub mod roc;
pub mod sample;
pub mod xlsx;

pub use error::ReportError;
pub use fonts::FontSet;
pub use forms::{FormKind, RenderedFile};
