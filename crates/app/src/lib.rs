//! Custos use cases: each one atomic unit of work with its ledger entry.
