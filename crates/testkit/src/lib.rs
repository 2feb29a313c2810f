//! Custos test harness: databases, servers, fake clock, fixtures.
