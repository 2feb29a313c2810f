//! The pure core of the write path: turning prepared entries into the rows a batch inserts.
//!
//! The database-backed writer (ADR 0103) keeps one [`AppendState`] — the tree's right edge, the
//! entry clock and the size — and, for each use case of a batch, inside that use case's savepoint,
//! calls [`AppendState::append`] and inserts the returned leaf and node rows. If the savepoint
//! rolls back, the writer restores the state it cloned before the call; if the batch commit fails,
//! it reopens the state from the database with [`AppendState::open`]. Record tiers are sealed by the
//! calling task beforehand ([`crate::record::SealedTier::seal`]): only their commitments come here.

use crate::hash::{Hash, leaf_hash};
use crate::leaf::{EntryKind, Leaf};
use crate::record::{ClockJump, EntryClock};
use crate::tree::{CompactRange, NodeId, NodeStore, TreeError};

/// An entry ready to append: everything but its index and timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreparedEntry {
    /// What happened.
    pub kind: EntryKind,
    /// The acting account (UUID bytes); zero for the system.
    pub actor: [u8; 16],
    /// Commitment to the sealed fields tier.
    pub fields_commitment: Hash,
    /// Commitment to the sealed payload tier, if any.
    pub payload_commitment: Option<Hash>,
}

/// The rows one appended entry adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendedEntry {
    /// Its index.
    pub index: u64,
    /// Its timestamp (never below the previous one).
    pub timestamp_ms: i64,
    /// The encoded leaf.
    pub leaf: [u8; crate::leaf::LEAF_LEN],
    /// The complete subtrees this append finished, the leaf hash first.
    pub nodes: Vec<(NodeId, Hash)>,
    /// A clock jump to record (as a `clock_jump` entry), if the clock misbehaved.
    pub jump: Option<ClockJump>,
}

/// The writer's view of the tree between batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendState {
    edge: CompactRange,
    clock: EntryClock,
}

impl AppendState {
    /// The state of an empty ledger.
    pub fn new(jump_threshold_ms: i64) -> Self {
        Self {
            edge: CompactRange::new(),
            clock: EntryClock::new(None, jump_threshold_ms),
        }
    }

    /// The state of a ledger of `size` entries whose newest timestamp is `last_ms`, reading the
    /// ≤ 64 nodes of its right edge from `store`.
    pub fn open(
        size: u64,
        last_ms: Option<i64>,
        jump_threshold_ms: i64,
        store: &impl NodeStore,
    ) -> Result<Self, TreeError> {
        Ok(Self {
            edge: CompactRange::load(size, store)?,
            clock: EntryClock::new(last_ms, jump_threshold_ms),
        })
    }

    /// Number of entries.
    pub fn size(&self) -> u64 {
        self.edge.size()
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        self.edge.root()
    }

    /// Appends one entry observed at `now_ms`.
    pub fn append(&mut self, now_ms: i64, entry: &PreparedEntry) -> AppendedEntry {
        let index = self.edge.size();
        let (timestamp_ms, jump) = self.clock.stamp(now_ms);
        let leaf = Leaf {
            index,
            timestamp_ms,
            kind: entry.kind,
            actor: entry.actor,
            fields_commitment: entry.fields_commitment,
            payload_commitment: entry.payload_commitment,
        }
        .encode();
        let mut nodes = Vec::with_capacity(2);
        self.edge
            .push_with(leaf_hash(&leaf), |id, h| nodes.push((id, *h)));
        AppendedEntry {
            index,
            timestamp_ms,
            leaf,
            nodes,
            jump,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{MemoryNodeStore, Tree};

    fn entry(i: u8) -> PreparedEntry {
        PreparedEntry {
            kind: EntryKind::RESULT_READ,
            actor: [i; 16],
            fields_commitment: [i; 32],
            payload_commitment: None,
        }
    }

    #[test]
    fn appended_rows_rebuild_the_same_tree_and_state_reopens_from_them() {
        let mut state = AppendState::new(60_000);
        let mut store = MemoryNodeStore::new();
        let mut reference = Tree::new(MemoryNodeStore::new());
        for i in 0..37u8 {
            let a = state.append(1_000 + i64::from(i), &entry(i));
            assert_eq!(a.index, u64::from(i));
            for (id, h) in &a.nodes {
                store.put_node(*id, *h).unwrap();
            }
            reference.append(&a.leaf).unwrap();
        }
        assert_eq!(state.root(), reference.root());
        let reopened = AppendState::open(37, Some(1_036), 60_000, &store).unwrap();
        assert_eq!(reopened, state);
    }

    #[test]
    fn a_rolled_back_append_is_undone_by_restoring_the_clone() {
        let mut state = AppendState::new(60_000);
        state.append(1, &entry(1));
        let before = state.clone();
        state.append(2, &entry(2));
        state = before.clone();
        assert_eq!(state.size(), 1);
        assert_eq!(state.append(3, &entry(3)).index, 1);
    }
}
