//! Custos seal-imprint comparison engine. Pure.
