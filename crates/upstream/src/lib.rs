//! Custos connectors to government registries and their simulators.
