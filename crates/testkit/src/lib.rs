//! Custos test harness: databases, servers, fake clock, fixtures.
//!
//! [`db::TestDb`] gives each test a fresh, migrated database on either backend.
#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a test harness fails the test by panicking, with a message saying what went wrong"
)]

pub mod db;
