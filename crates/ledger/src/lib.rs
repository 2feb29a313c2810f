//! Custos tamper-evident ledger: leaf encoding, RFC 6962 tree, checkpoints, proofs. Pure.
//!
//! Every lookup attempt, every read or unmasking of a stored result (J4.4) and every security event
//! becomes one ledger entry (J4.11, J1.D3). This crate holds the parts that need no IO:
//!
//! - [`leaf`]: the versioned, fixed-size canonical leaf that commits to the entry's record tiers;
//! - [`record`]: the J4.11 record, its salted commitment, per-record encryption, tombstones, the
//!   keyed blind index and the monotonic entry clock;
//! - [`tree`] and [`proof`]: the RFC 6962 Merkle tree kept as complete-subtree node hashes behind
//!   [`tree::NodeStore`], inclusion and consistency proofs and their RFC 9162 verification;
//! - [`note`] and [`checkpoint`]: C2SP signed notes with Ed25519 keys and C2SP tlog checkpoints;
//! - [`cosignature`]: witness cosignatures (C2SP tlog-cosignature, Ed25519);
//! - [`append`]: the pure core of the write path (index, timestamp, leaf and node rows);
//! - [`bundle`]: the offline export an auditor verifies with `custos ledger verify`;
//! - [`memory`]: the whole write path in memory — the reference model for the database, and the
//!   source of sample bundles and benchmarks.
//!
//! Invariants: nothing here reads the clock or the operating system's randomness; randomness is
//! passed in as a [`rand_core::CryptoRng`], time as unix milliseconds. Deleting a record tier
//! (J6.1, J1.6) destroys its salt, key and ciphertext but never touches a leaf, so the tree still
//! verifies after deletion. See `docs/ledger.md` for the byte layouts and golden vectors.
#![deny(missing_docs)]

pub mod append;
pub mod bundle;
pub mod checkpoint;
pub mod cosignature;
pub mod hash;
pub mod leaf;
pub mod memory;
pub mod note;
pub mod proof;
pub mod record;
pub mod tree;

pub use hash::Hash;
