//! Custos connectors to government registries it does not own (JCIC agency data; later the
//! city's seal registry), and simulators of those registries.
//!
//! - [`connector::RegistryConnector`]: what Custos can ask of a registry (operation catalogue,
//!   lookup, consent forwarding (J1.3), Z52 report (J1.R1, J5.2)).
//! - [`http::HttpConnector`]: HTTP/JSON over rustls, timeouts, retries that reuse one
//!   idempotency key, a circuit breaker on the injected clock, bilingual errors
//!   ([`error::UpstreamError`]).
//! - [`sim::jcic`]: a JCIC agency-data simulator (`custos upstream-sim jcic`), and
//!   [`testing`]: a harness that runs it as a separate process.
//! - [`z52`]: reads a downloaded Z52 report into rows for reconciliation (J5.2).
//!
//! Invariants: no call reads the system time (breaker and Z52 window use
//! `custos_domain::clock::Clock`); a retried lookup is served at most once by the registry;
//! subject IDs are parsed with the domain crate's validator on both sides of the wire.

pub mod breaker;
pub mod connector;
pub mod error;
pub mod http;
pub mod model;
pub mod retry;
pub mod sim;
pub mod testing;
pub mod z52;

pub use custos_domain::id::{IdError, SubjectId};
pub use custos_domain::institution::InstitutionCode;
pub use custos_domain::purpose::JcicPurpose;
pub use custos_domain::text::Bilingual;
