//! The connector trait: what Custos can ask of a registry, whatever the transport.
//!
//! Implementations: [`crate::http::HttpConnector`] (HTTP/JSON over TLS, for real networks and the
//! simulators). The trait is object-safe (`Arc<dyn RegistryConnector>`), so the app can hold one
//! per registry and tests can substitute a fake.

use crate::error::UpstreamError;
use crate::model::{
    ConsentAck, ConsentRecord, LookupAnswer, LookupRequest, OperationCatalogue, Z52Query, Z52Report,
};
use crate::retry::BoxFuture;

/// A government registry Custos talks to (JCIC agency data; later the seal registry).
///
/// Every method may retry internally; retries of lookups and consent forwards carry the same
/// idempotency key, so the registry serves each at most once.
pub trait RegistryConnector: Send + Sync + std::fmt::Debug {
    /// Short label of the registry used in messages, e.g. `JCIC`.
    fn registry(&self) -> &str;

    /// The operations the registry offers.
    fn operations(&self) -> BoxFuture<'_, Result<OperationCatalogue, UpstreamError>>;

    /// Performs one lookup (served at most once per idempotency key).
    fn lookup<'a>(
        &'a self,
        request: &'a LookupRequest,
    ) -> BoxFuture<'a, Result<LookupAnswer, UpstreamError>>;

    /// Forwards a consent record for the registry's records (J1.3).
    fn forward_consent<'a>(
        &'a self,
        consent: &'a ConsentRecord,
    ) -> BoxFuture<'a, Result<ConsentAck, UpstreamError>>;

    /// Fetches the Z52 report of the member's lookups (J1.R1, J5.2).
    fn fetch_z52<'a>(
        &'a self,
        query: &'a Z52Query,
    ) -> BoxFuture<'a, Result<Z52Report, UpstreamError>>;
}
