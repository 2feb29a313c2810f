//! Custos tamper-evident ledger: leaf encoding, RFC 6962 tree, checkpoints, proofs. Pure.
