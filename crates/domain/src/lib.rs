//! Custos domain core: identifiers, ROC dates, purposes, case numbers, institutions, control
//! profiles.
//!
//! Pure: no IO, no async, no database or web types. Everything that crosses an edge of Custos is
//! parsed here into a type that cannot be invalid. Time is never read directly: callers pass a
//! [`clock::Clock`] (or a date derived from it). User-facing errors implement
//! [`text::Bilingual`] (stable code, zh-TW, English) and display zh-TW first.
//!
//! | module | responsibility |
//! |---|---|
//! | [`clock`] | the injected clock |
//! | [`text`] | the [`text::Bilingual`] trait for user-facing messages |
//! | [`id`] | national ID, UI number, UBN, [`id::SubjectId`]; masking |
//! | [`roc`] | ROC (民國) dates |
//! | [`time`] | Asia/Taipei days, weeks, months as UTC ranges; office hours; working days |
//! | [`case_number`] | land-office receipt numbers and pattern-checked bank case numbers |
//! | [`institution`] | institution codes and kinds, JCIC query methods, organisation trees |
//! | [`purpose`] | the closed purpose lists (J1.2, T3) |
//! | [`profile`] | control profiles (JCIC, Taipei), tighten-only changes (J0.4), sample sizes |

pub mod case_number;
pub mod clock;
pub mod id;
pub mod institution;
pub mod profile;
pub mod purpose;
pub mod roc;
pub mod text;
pub mod time;
