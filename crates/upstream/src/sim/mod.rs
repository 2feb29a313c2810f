//! Simulators of registries Custos does not own, run as their own process (`custos upstream-sim`)
//! or in-process (`custos demo`). Everything they serve is labelled simulated.

pub mod cli;
pub mod jcic;
pub mod synthetic;
pub mod z52;
