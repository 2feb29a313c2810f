//! Custos storage port with SQLite and PostgreSQL implementations.
