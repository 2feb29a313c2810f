//! The ledger's write path in memory: append entries, sign checkpoints, rotate keys, delete
//! record tiers, export a bundle.
//!
//! This is the reference model the database-backed ledger follows row for row (leaves, nodes,
//! record tiers, tombstones, checkpoints, keys), and the source of sample bundles and benchmark
//! data. Record tiers are kept as salt + canonical bytes here; the database keeps them sealed
//! ([`crate::record::SealedTier`]).

use std::collections::BTreeMap;

use rand_core::CryptoRng;

use crate::bundle::{BUNDLE_FORMAT, Bundle, BundleRecord, Bytes};
use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::hash::Hash;
use crate::leaf::{EntryKind, Leaf};
use crate::note::{NoteError, NoteSigner, NoteVerifier};
use crate::record::{AuditRecord, ClockJump, EntryClock, Salt, Tier, Tombstone, commitment};
use crate::tree::{MemoryNodeStore, Tree, TreeError};

/// A new entry before it is appended.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// What happened.
    pub kind: EntryKind,
    /// The acting account (UUID bytes); all zero for the system.
    pub actor: [u8; 16],
    /// The J4.11 fields.
    pub record: &'a AuditRecord,
    /// The result payload, if any.
    pub payload: Option<&'a [u8]>,
}

/// Errors of the in-memory ledger.
#[derive(Debug, thiserror::Error)]
pub enum MemoryLedgerError {
    /// Tree error.
    #[error(transparent)]
    Tree(#[from] TreeError),
    /// Key error.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// Checkpoint error.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// No such entry or tier.
    #[error("找不到紀錄 / no record {index} ({tier:?} tier)")]
    NoRecord {
        /// Entry index.
        index: u64,
        /// Tier.
        tier: Tier,
    },
}

/// An append-only ledger in memory.
#[derive(Debug)]
pub struct MemoryLedger {
    origin: String,
    signer: NoteSigner,
    keys: Vec<NoteVerifier>,
    tree: Tree<MemoryNodeStore>,
    leaves: Vec<[u8; crate::leaf::LEAF_LEN]>,
    records: BTreeMap<(u64, Tier), (Salt, Vec<u8>)>,
    tombstones: Vec<Tombstone>,
    checkpoints: Vec<String>,
    clock: EntryClock,
}

impl MemoryLedger {
    /// A new, empty ledger for `origin`, with a fresh signing key.
    pub fn new(origin: &str, rng: &mut impl CryptoRng) -> Result<Self, MemoryLedgerError> {
        let signer = NoteSigner::generate(origin, rng)?;
        Ok(Self {
            origin: origin.to_owned(),
            keys: vec![signer.verifier()],
            signer,
            tree: Tree::new(MemoryNodeStore::new()),
            leaves: Vec::new(),
            records: BTreeMap::new(),
            tombstones: Vec::new(),
            checkpoints: Vec::new(),
            clock: EntryClock::new(None, 86_400_000),
        })
    }

    /// Number of entries.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// Current root.
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// The tree (for proofs).
    pub fn tree(&self) -> &Tree<MemoryNodeStore> {
        &self.tree
    }

    /// The current signing key.
    pub fn signer(&self) -> &NoteSigner {
        &self.signer
    }

    /// Appends an entry observed at `now_ms`; returns its index and any clock jump to flag.
    pub fn append(
        &mut self,
        rng: &mut impl CryptoRng,
        now_ms: i64,
        entry: &NewEntry<'_>,
    ) -> Result<(u64, Option<ClockJump>), MemoryLedgerError> {
        let index = self.tree.size();
        let (timestamp_ms, jump) = self.clock.stamp(now_ms);
        let mut seal = |tier: Tier, canonical: Vec<u8>| -> Hash {
            let mut salt = [0u8; 32];
            rng.fill_bytes(&mut salt);
            let c = commitment(tier, &salt, &canonical);
            self.records.insert((index, tier), (salt, canonical));
            c
        };
        let fields_commitment = seal(Tier::Fields, entry.record.canonical_bytes());
        let payload_commitment = entry.payload.map(|p| seal(Tier::Payload, p.to_vec()));
        let leaf = Leaf {
            index,
            timestamp_ms,
            kind: entry.kind,
            actor: entry.actor,
            fields_commitment,
            payload_commitment,
        }
        .encode();
        self.tree.append(&leaf)?;
        self.leaves.push(leaf);
        Ok((index, jump))
    }

    /// Signs a checkpoint over all entries, stores it and returns its text.
    pub fn checkpoint(&mut self) -> Result<String, MemoryLedgerError> {
        let text = Checkpoint::new(&self.origin, self.tree.size(), self.tree.root())
            .sign(&self.signer)?
            .to_string();
        self.checkpoints.push(text.clone());
        Ok(text)
    }

    /// Replaces the signing key; the old public key stays in the key ring.
    pub fn rotate_key(&mut self, rng: &mut impl CryptoRng) -> Result<(), MemoryLedgerError> {
        self.signer = NoteSigner::generate(&self.origin, rng)?;
        self.keys.push(self.signer.verifier());
        Ok(())
    }

    /// Deletes a tier when its retention ends: salt and bytes go, a tombstone stays.
    pub fn delete(
        &mut self,
        index: u64,
        tier: Tier,
        now_ms: i64,
        rule: &str,
    ) -> Result<(), MemoryLedgerError> {
        self.records
            .remove(&(index, tier))
            .ok_or(MemoryLedgerError::NoRecord { index, tier })?;
        self.tombstones.push(Tombstone {
            index,
            tier,
            deleted_at_ms: now_ms,
            rule: rule.to_owned(),
        });
        Ok(())
    }

    /// The bundle an auditor verifies.
    pub fn export(&self) -> Bundle {
        let store = self.tree.store();
        Bundle {
            format: BUNDLE_FORMAT.to_owned(),
            origin: self.origin.clone(),
            public_keys: self.keys.iter().map(ToString::to_string).collect(),
            leaves: self.leaves.iter().map(|l| Bytes(l.to_vec())).collect(),
            nodes: (0..store.level_count())
                .map(|l| Bytes(store.level(l as u8).concat()))
                .collect(),
            records: self
                .records
                .iter()
                .map(|(&(index, tier), (salt, canonical))| BundleRecord {
                    index,
                    tier,
                    salt: Bytes(salt.to_vec()),
                    canonical: Bytes(canonical.clone()),
                })
                .collect(),
            tombstones: self.tombstones.clone(),
            checkpoints: self.checkpoints.clone(),
            records_withheld: false,
        }
    }
}

/// Builds a sample ledger of `entries` lookups (every third with a payload, every fifth payload
/// deleted, a checkpoint every `checkpoint_every` entries and at the end, one key rotation halfway).
pub fn sample_ledger(
    origin: &str,
    entries: u64,
    checkpoint_every: u64,
    rng: &mut impl CryptoRng,
) -> Result<MemoryLedger, MemoryLedgerError> {
    let mut ledger = MemoryLedger::new(origin, rng)?;
    let start_ms = 1_764_201_600_000_i64; // 2025-11-27 00:00 UTC
    for i in 0..entries {
        let now = start_ms + (i as i64) * 1_000;
        let record = AuditRecord {
            account: format!("teller{:02}", i % 17),
            ip: format!("10.0.{}.{}", i % 7, i % 250),
            occurred_at_ms: now,
            operation_code: "Z21".into(),
            conditions: format!("A1{:08}", i % 100_000_000),
            case_number: format!("2026-{i:06}"),
            reason: "授信審核".into(),
        };
        let payload = format!("result of lookup {i}");
        let entry = NewEntry {
            kind: if i % 11 == 0 {
                EntryKind::LOOKUP_REFUSED
            } else {
                EntryKind::LOOKUP_GRANTED
            },
            actor: [(i % 17) as u8; 16],
            record: &record,
            payload: (i % 3 == 0).then_some(payload.as_bytes()),
        };
        ledger.append(rng, now, &entry)?;
        if checkpoint_every > 0 && (i + 1) % checkpoint_every == 0 {
            ledger.checkpoint()?;
        }
        if i == entries / 2 {
            ledger.rotate_key(rng)?;
        }
    }
    for i in (0..entries).filter(|i| i % 15 == 0) {
        ledger.delete(
            i,
            Tier::Payload,
            start_ms + (entries as i64) * 1_000,
            "J6.1",
        )?;
    }
    if !entries.is_multiple_of(checkpoint_every.max(1)) || entries == 0 {
        ledger.checkpoint()?;
    }
    Ok(ledger)
}
