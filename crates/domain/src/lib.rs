//! Custos domain core: identifiers, ROC dates, purposes, control profiles.
//!
//! Pure: no IO, no async, no database or web types. Everything that crosses an edge of Custos is
//! parsed here into a type that cannot be invalid. Time is never read directly: callers pass a
//! [`clock::Clock`].

pub mod case_number;
pub mod clock;
pub mod id;
pub mod institution;
pub mod profile;
pub mod purpose;
pub mod roc;
pub mod text;
pub mod time;
