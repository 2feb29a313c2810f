//! Custos seal-imprint comparison engine (自動驗印, requirement T4). Pure: no IO, no clock.
//!
//! The engine compares the imprint stamped on an application (印紋, *candidate*) with the seal
//! imprint registered at the household registration office (印模, *reference*) and reports
//! match, no match or ambiguous, with the score, the thresholds, the algorithm version and a
//! per-block dissimilarity map. It helps the clerk: it never decides alone, and it says when it
//! cannot judge (an unclear imprint is *ambiguous*, which is the cue for a contact form asking
//! for an imprint rebuild, T4).
//!
//! Pipeline: [`intake`] (decode under limits) → [`extract`] (red ink, occlusion) →
//! [`align`] (rotation, scale, translation) → [`score`] (tolerant stroke overlap, block map;
//! [`figures`] for a character rescaled in its cell)
//! → [`quality`] → [`verify`] (outcome) and [`overlay`] (image for a person).
//! [`dataset`] generates synthetic development data and [`eval`] computes error rates.

// Image-processing code names coordinates and channels x, y, w, h, r, g, b on purpose.
#![allow(clippy::many_single_char_names)]

pub mod align;
pub mod dataset;
pub mod double;
pub mod error;
pub mod eval;
pub mod extract;
pub mod figures;
pub mod intake;
pub mod outline;
pub mod overlay;
pub mod quality;
pub mod raster;
pub mod score;
pub mod verify;

pub use error::SealError;
pub use verify::{Comparison, Outcome, Thresholds, compare, compare_bytes};
