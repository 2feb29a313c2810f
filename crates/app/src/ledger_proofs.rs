//! Read-only ledger queries for the JSON API and the pages: the ledger's state, its checkpoints,
//! one entry (never its decrypted record), inclusion proofs and consistency proofs (issue #3 item
//! 5, J4.11, J1.D3).
//!
//! Proofs are computed from the stored complete-subtree hashes — at most `2·log2(n)` of them per
//! proof, never a rebuild — with the plan functions of [`custos_ledger::tree`], and checked here
//! with [`custos_ledger::proof`] before they are returned: against the root of a stored checkpoint
//! (its signature checked with the key ring of `ledger_keys`) when the requested size is a
//! checkpoint size, else against the root the stored nodes give.
//!
//! Invariants: every query reads one snapshot (one read transaction); nothing here writes; an
//! entry is described by its leaf and by which of its tiers are held or tombstoned — the sealed
//! record is never opened.

use std::collections::HashMap;

use custos_ledger::Hash;
use custos_ledger::checkpoint::Checkpoint;
use custos_ledger::hash::{empty_root, leaf_hash};
use custos_ledger::leaf::{EntryKind, Leaf};
use custos_ledger::note::{NoteVerifier, SignedNote};
use custos_ledger::proof::{verify_consistency, verify_inclusion};
use custos_ledger::tree::{
    NodeId, NodeStore, TreeError, consistency_ranges, fold_range, inclusion_ranges,
    perfect_subtrees, range_root,
};
pub use custos_store::ledger::LedgerTier;
use custos_store::{Database, StoreError, Tx};

/// Why a ledger query has no answer.
#[derive(Debug, thiserror::Error)]
pub enum LedgerQueryError {
    /// The parameters cannot describe a proof (HTTP 400); messages say what to fix.
    #[error("{zh_tw} / {en}")]
    BadRequest {
        /// Stable code for API clients.
        code: &'static str,
        /// Message in Traditional Chinese.
        zh_tw: String,
        /// Message in English.
        en: String,
    },
    /// No such entry (HTTP 404).
    #[error("帳本沒有第 {0} 筆 / the ledger has no entry {0}")]
    NoEntry(u64),
    /// Storage failed, or a stored row is not what the ledger wrote.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LedgerQueryError {
    /// Whether the database could not be reached (HTTP 503 rather than 500).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Store(StoreError::Unavailable(_)))
    }
}

fn bad(code: &'static str, zh_tw: String, en: String) -> LedgerQueryError {
    LedgerQueryError::BadRequest { code, zh_tw, en }
}

fn corrupt(what: impl std::fmt::Display) -> LedgerQueryError {
    LedgerQueryError::Store(StoreError::Corrupt(what.to_string()))
}

/// A stored checkpoint as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointInfo {
    /// Entries covered.
    pub size: u64,
    /// The signed root, if the note parses.
    pub root: Option<Hash>,
    /// The signed note as stored.
    pub note: String,
    /// When it was signed, unix milliseconds.
    pub created_at_ms: i64,
    /// The signing keys named in the note, `name+hexid`.
    pub signed_by: Vec<String>,
    /// Whether a signature by a key of the ledger's key ring verifies.
    pub signature_valid: bool,
}

/// The ledger's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerOverview {
    /// Committed entries.
    pub size: u64,
    /// The newest stored checkpoint.
    pub latest: Option<CheckpointInfo>,
    /// Every public key the ledger ever signed with (`name+hexid+base64`), oldest first.
    pub public_keys: Vec<String>,
}

/// A page of checkpoints, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointPage {
    /// Stored checkpoints in all.
    pub total: u64,
    /// This page's checkpoints.
    pub items: Vec<CheckpointInfo>,
}

/// What happened to a committed record tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TierState {
    /// Still stored (sealed).
    Held,
    /// Deleted when its retention ended; the leaf and the tree are untouched.
    Tombstoned {
        /// When, unix milliseconds.
        deleted_at_ms: i64,
        /// The retention rule (e.g. `J6.1`).
        rule: String,
    },
    /// Neither held nor tombstoned: the stored ledger is damaged (`custos ledger verify` names it).
    Missing,
}

/// One entry, without its record's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInfo {
    /// Index in the ledger.
    pub index: u64,
    /// Timestamp, unix milliseconds.
    pub timestamp_ms: i64,
    /// Kind code.
    pub kind: u16,
    /// Stable English kind name (`profile_change`, …), if this version knows the code.
    pub kind_name: Option<&'static str>,
    /// The 100-byte leaf.
    pub leaf: Vec<u8>,
    /// `SHA-256(0x00 || leaf)`.
    pub leaf_hash: Hash,
    /// Per committed tier (`fields` always, `payload` when the leaf commits to one).
    pub tiers: Vec<(LedgerTier, TierState)>,
}

/// A line of the entry list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySummary {
    /// Index.
    pub index: u64,
    /// Timestamp, unix milliseconds.
    pub timestamp_ms: i64,
    /// Kind code.
    pub kind: u16,
    /// Stable English kind name, if known.
    pub kind_name: Option<&'static str>,
}

/// Where the root a proof was checked against comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootSource {
    /// A stored checkpoint whose signature verified.
    Checkpoint,
    /// The stored node hashes (no signed checkpoint of that size).
    StoredNodes,
}

impl RootSource {
    /// Stable name for the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Checkpoint => "checkpoint",
            Self::StoredNodes => "stored_nodes",
        }
    }
}

/// An inclusion proof, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    /// The entry.
    pub index: u64,
    /// The tree size the proof is for.
    pub size: u64,
    /// The entry's leaf hash (recomputed from the stored leaf).
    pub leaf_hash: Hash,
    /// The audit path, bottom-up (RFC 6962 `PATH`).
    pub path: Vec<Hash>,
    /// The root the proof leads to.
    pub root: Hash,
    /// Where `root` comes from.
    pub root_source: RootSource,
    /// The signed checkpoint of this size, when there is one.
    pub checkpoint: Option<CheckpointInfo>,
    /// Whether the proof verifies against `root` (RFC 9162 §2.1.3.2) — and, for a checkpoint,
    /// whether the stored nodes give the same root.
    pub verified: bool,
}

/// A consistency proof between two tree sizes, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    /// The older size.
    pub from: u64,
    /// The newer size.
    pub to: u64,
    /// The older root and where it comes from.
    pub from_root: (Hash, RootSource),
    /// The newer root and where it comes from.
    pub to_root: (Hash, RootSource),
    /// The proof, RFC 6962 `PROOF` order.
    pub path: Vec<Hash>,
    /// The checkpoints of the two sizes, when stored.
    pub checkpoints: (Option<CheckpointInfo>, Option<CheckpointInfo>),
    /// Whether the proof verifies (RFC 9162 §2.1.4.2).
    pub verified: bool,
}

/// Node hashes fetched for one computation.
struct FetchedNodes(HashMap<NodeId, Hash>);

impl NodeStore for FetchedNodes {
    fn node(&self, id: NodeId) -> Result<Option<Hash>, TreeError> {
        Ok(self.0.get(&id).copied())
    }

    fn put_node(&mut self, id: NodeId, hash: Hash) -> Result<(), TreeError> {
        self.0.insert(id, hash);
        Ok(())
    }
}

/// Reads the stored nodes that make up the given leaf ranges.
async fn fetch(tx: &mut Tx, ranges: &[(u64, u64)]) -> Result<FetchedNodes, LedgerQueryError> {
    let mut ids: Vec<NodeId> = ranges
        .iter()
        .flat_map(|(a, b)| perfect_subtrees(*a, *b))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let keys: Vec<(u8, u64)> = ids.iter().map(|n| (n.level, n.index)).collect();
    let hashes = tx.ledger_nodes(&keys).await?;
    let mut out = HashMap::with_capacity(ids.len());
    for (id, h) in ids.into_iter().zip(hashes) {
        let h = h.ok_or_else(|| {
            corrupt(format!(
                "節點遺失 / missing ledger node ({}, {})",
                id.level, id.index
            ))
        })?;
        out.insert(id, h);
    }
    Ok(FetchedNodes(out))
}

fn roots(nodes: &FetchedNodes, ranges: &[(u64, u64)]) -> Result<Vec<Hash>, LedgerQueryError> {
    ranges
        .iter()
        .map(|(a, b)| range_root(nodes, *a, *b).map_err(corrupt))
        .collect()
}

/// The root of the first `size` entries, from the stored nodes.
async fn root_at(tx: &mut Tx, size: u64) -> Result<Hash, LedgerQueryError> {
    if size == 0 {
        return Ok(empty_root());
    }
    let nodes = fetch(tx, &[(0, size)]).await?;
    let hashes: Vec<Hash> = perfect_subtrees(0, size)
        .into_iter()
        .filter_map(|id| nodes.0.get(&id).copied())
        .collect();
    Ok(fold_range(&hashes))
}

async fn key_ring(tx: &mut Tx) -> Result<(Vec<String>, Vec<NoteVerifier>), LedgerQueryError> {
    let keys = tx.ledger_keys().await?;
    let ring = keys
        .iter()
        .filter_map(|k| NoteVerifier::parse(k).ok())
        .collect();
    Ok((keys, ring))
}

fn checkpoint_info(
    size: u64,
    note: String,
    created_at_ms: i64,
    ring: &[NoteVerifier],
) -> CheckpointInfo {
    let signed_by = SignedNote::parse(&note)
        .map(|n| {
            n.signatures()
                .iter()
                .map(|s| format!("{}+{:08x}", s.name, s.id))
                .collect()
        })
        .unwrap_or_default();
    let (root, signature_valid) = match Checkpoint::open(&note, ring, None) {
        Ok((cp, _)) => (Some(cp.root), cp.size == size),
        Err(_) => (
            SignedNote::parse(&note)
                .ok()
                .and_then(|n| Checkpoint::parse_body(n.text()).ok())
                .map(|c| c.root),
            false,
        ),
    };
    CheckpointInfo {
        size,
        root,
        note,
        created_at_ms,
        signed_by,
        signature_valid,
    }
}

async fn checkpoint_of_size(
    tx: &mut Tx,
    size: u64,
    ring: &[NoteVerifier],
) -> Result<Option<CheckpointInfo>, LedgerQueryError> {
    Ok(tx
        .ledger_checkpoint_of_size(size)
        .await?
        .map(|(note, at)| checkpoint_info(size, note, at, ring)))
}

/// The ledger's size, its newest checkpoint and its public keys.
pub async fn overview(db: &Database) -> Result<LedgerOverview, LedgerQueryError> {
    let mut tx = db.begin_read().await?;
    let head = tx.ledger_head().await?;
    let (public_keys, ring) = key_ring(&mut tx).await?;
    let latest = tx
        .ledger_latest_checkpoint_at()
        .await?
        .map(|(size, note, at)| checkpoint_info(size, note, at, &ring));
    let _ = tx.rollback().await;
    Ok(LedgerOverview {
        size: head.size,
        latest,
        public_keys,
    })
}

/// Stored checkpoints, newest first: page `page` (from 1) of `per_page` (1 to 100).
pub async fn checkpoints(
    db: &Database,
    page: u64,
    per_page: u32,
) -> Result<CheckpointPage, LedgerQueryError> {
    if page == 0 || !(1..=100).contains(&per_page) {
        return Err(bad(
            "bad_page",
            "頁碼須從 1 起算，每頁 1 至 100 筆".into(),
            "page starts at 1 and per_page is 1 to 100".into(),
        ));
    }
    let mut tx = db.begin_read().await?;
    let (_, ring) = key_ring(&mut tx).await?;
    let total = tx.ledger_checkpoint_count().await?;
    let offset = (page - 1).saturating_mul(u64::from(per_page));
    let items = tx
        .ledger_checkpoints_page(offset, per_page)
        .await?
        .into_iter()
        .map(|(size, note, at)| checkpoint_info(size, note, at, &ring))
        .collect();
    let _ = tx.rollback().await;
    Ok(CheckpointPage { total, items })
}

/// The kind code of a stored leaf, read from its bytes even when the leaf does not decode (a
/// damaged ledger must still be browsable; `custos ledger verify` names the damage).
fn raw_kind(bytes: &[u8]) -> u16 {
    match bytes.get(17..19) {
        Some(&[a, b]) => u16::from_be_bytes([a, b]),
        _ => 0,
    }
}

fn kind_of(bytes: &[u8]) -> (u16, Option<&'static str>) {
    let code = raw_kind(bytes);
    (code, EntryKind(code).name())
}

/// One entry: leaf, leaf hash and which committed tiers are held or tombstoned.
pub async fn entry(db: &Database, index: u64) -> Result<EntryInfo, LedgerQueryError> {
    let mut tx = db.begin_read().await?;
    let (timestamp_ms, bytes) = tx
        .ledger_leaf(index)
        .await?
        .ok_or(LedgerQueryError::NoEntry(index))?;
    let held = tx.ledger_tiers_held(index).await?;
    let tombs = tx.ledger_tombstones_at(index).await?;
    let _ = tx.rollback().await;
    let mut tiers = vec![LedgerTier::Fields];
    // A leaf that does not decode still shows the tiers that are stored.
    let payload = Leaf::decode(&bytes).map_or_else(
        |_| {
            held.contains(&LedgerTier::Payload)
                || tombs.iter().any(|t| t.tier == LedgerTier::Payload)
        },
        |l| l.payload_commitment.is_some(),
    );
    if payload {
        tiers.push(LedgerTier::Payload);
    }
    let (kind, kind_name) = kind_of(&bytes);
    let tiers = tiers
        .into_iter()
        .map(|tier| {
            let state = if held.contains(&tier) {
                TierState::Held
            } else if let Some(t) = tombs.iter().find(|t| t.tier == tier) {
                TierState::Tombstoned {
                    deleted_at_ms: t.deleted_at_ms,
                    rule: t.rule.clone(),
                }
            } else {
                TierState::Missing
            };
            (tier, state)
        })
        .collect();
    Ok(EntryInfo {
        index,
        timestamp_ms,
        kind,
        kind_name,
        leaf_hash: leaf_hash(&bytes),
        leaf: bytes,
        tiers,
    })
}

/// Entries below `before` (default: all), newest first, at most `limit`.
pub async fn recent_entries(
    db: &Database,
    before: Option<u64>,
    limit: u32,
) -> Result<Vec<EntrySummary>, LedgerQueryError> {
    let mut tx = db.begin_read().await?;
    let rows = tx
        .ledger_leaves_before(before.unwrap_or(u64::MAX >> 1), limit)
        .await?;
    let _ = tx.rollback().await;
    Ok(rows
        .into_iter()
        .map(|(index, timestamp_ms, bytes)| {
            let (kind, kind_name) = kind_of(&bytes);
            EntrySummary {
                index,
                timestamp_ms,
                kind,
                kind_name,
            }
        })
        .collect())
}

/// Inclusion proof of entry `index` in the tree of `size` entries (default: the newest
/// checkpoint's size, or the whole ledger when no checkpoint exists yet), checked before it is
/// returned.
pub async fn inclusion(
    db: &Database,
    index: u64,
    size: Option<u64>,
) -> Result<InclusionProof, LedgerQueryError> {
    let mut tx = db.begin_read().await?;
    let head = tx.ledger_head().await?;
    if index >= head.size {
        return Err(LedgerQueryError::NoEntry(index));
    }
    let size = match size {
        Some(s) => s,
        None => tx
            .ledger_latest_checkpoint()
            .await?
            .map_or(head.size, |(s, _)| s),
    };
    if size > head.size {
        return Err(bad(
            "size_beyond_ledger",
            format!("樹的大小 {size} 超過帳本目前的 {} 筆", head.size),
            format!("size {size} is beyond the ledger's {} entries", head.size),
        ));
    }
    if index >= size {
        return Err(bad(
            "index_not_below_size",
            format!("第 {index} 筆不在大小為 {size} 的樹中（索引須小於大小）"),
            format!("entry {index} is not in the tree of size {size} (index must be below size)"),
        ));
    }
    let (_, bytes) = tx
        .ledger_leaf(index)
        .await?
        .ok_or(LedgerQueryError::NoEntry(index))?;
    let lh = leaf_hash(&bytes);
    let ranges = inclusion_ranges(index, size).map_err(corrupt)?;
    let mut all = ranges.clone();
    all.push((0, size));
    let nodes = fetch(&mut tx, &all).await?;
    let path = roots(&nodes, &ranges)?;
    let node_root = range_root(&nodes, 0, size).map_err(corrupt)?;
    let (_, ring) = key_ring(&mut tx).await?;
    let checkpoint = checkpoint_of_size(&mut tx, size, &ring).await?;
    let _ = tx.rollback().await;
    let (root, root_source) = match &checkpoint {
        Some(CheckpointInfo {
            root: Some(r),
            signature_valid: true,
            ..
        }) => (*r, RootSource::Checkpoint),
        _ => (node_root, RootSource::StoredNodes),
    };
    let verified = root == node_root && verify_inclusion(index, size, &lh, &path, &root).is_ok();
    Ok(InclusionProof {
        index,
        size,
        leaf_hash: lh,
        path,
        root,
        root_source,
        checkpoint,
        verified,
    })
}

/// Consistency proof from the tree of `from` entries to the tree of `to` entries (default: the
/// newest checkpoint's size), checked before it is returned.
pub async fn consistency(
    db: &Database,
    from: u64,
    to: Option<u64>,
) -> Result<ConsistencyProof, LedgerQueryError> {
    let mut tx = db.begin_read().await?;
    let head = tx.ledger_head().await?;
    let to = match to {
        Some(t) => t,
        None => tx
            .ledger_latest_checkpoint()
            .await?
            .map_or(head.size, |(s, _)| s),
    };
    if to > head.size {
        return Err(bad(
            "size_beyond_ledger",
            format!("樹的大小 {to} 超過帳本目前的 {} 筆", head.size),
            format!("size {to} is beyond the ledger's {} entries", head.size),
        ));
    }
    if from > to {
        return Err(bad(
            "from_after_to",
            format!("起始大小 {from} 大於結束大小 {to}"),
            format!("from ({from}) is larger than to ({to})"),
        ));
    }
    let ranges = consistency_ranges(from, to).map_err(corrupt)?;
    let mut all = ranges.clone();
    all.push((0, to));
    if from > 0 {
        all.push((0, from));
    }
    let nodes = fetch(&mut tx, &all).await?;
    let path = roots(&nodes, &ranges)?;
    let node_root = |size: u64| {
        if size == 0 {
            Ok(empty_root())
        } else {
            range_root(&nodes, 0, size).map_err(corrupt)
        }
    };
    let (from_nodes, to_nodes) = (node_root(from)?, node_root(to)?);
    let (_, ring) = key_ring(&mut tx).await?;
    let cp_from = checkpoint_of_size(&mut tx, from, &ring).await?;
    let cp_to = checkpoint_of_size(&mut tx, to, &ring).await?;
    let _ = tx.rollback().await;
    let pick = |cp: &Option<CheckpointInfo>, nodes: Hash| match cp {
        Some(CheckpointInfo {
            root: Some(r),
            signature_valid: true,
            ..
        }) => (*r, RootSource::Checkpoint),
        _ => (nodes, RootSource::StoredNodes),
    };
    let from_root = pick(&cp_from, from_nodes);
    let to_root = pick(&cp_to, to_nodes);
    let verified = from_root.0 == from_nodes
        && to_root.0 == to_nodes
        && verify_consistency(from, to, &from_root.0, &to_root.0, &path).is_ok();
    Ok(ConsistencyProof {
        from,
        to,
        from_root,
        to_root,
        path,
        checkpoints: (cp_from, cp_to),
        verified,
    })
}

/// The root the stored nodes give for `size` entries (for callers that show it).
pub async fn stored_root(db: &Database, size: u64) -> Result<Hash, LedgerQueryError> {
    let mut tx = db.begin_read().await?;
    let head = tx.ledger_head().await?;
    if size > head.size {
        return Err(bad(
            "size_beyond_ledger",
            format!("樹的大小 {size} 超過帳本目前的 {} 筆", head.size),
            format!("size {size} is beyond the ledger's {} entries", head.size),
        ));
    }
    let root = root_at(&mut tx, size).await?;
    let _ = tx.rollback().await;
    Ok(root)
}

/// A ledger entry that recorded a domain row, with its proof status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedBy {
    /// The entry.
    pub index: u64,
    /// Whether its inclusion proof against the newest checkpoint verifies; `None` while no
    /// checkpoint covers it.
    pub verified: Option<bool>,
}

/// The entries that recorded `subject` (see `custos_store::ledger_refs`), each with its inclusion
/// proof against the newest checkpoint checked.
pub async fn recorded_by(
    db: &Database,
    subject: custos_store::ledger_refs::LedgerSubject,
    subject_id: &str,
) -> Result<Vec<RecordedBy>, LedgerQueryError> {
    let indices = db.ledger_refs_of(subject, subject_id).await?;
    if indices.is_empty() {
        return Ok(Vec::new());
    }
    let latest = db.ledger_latest_checkpoint().await?.map(|(s, _)| s);
    let mut out = Vec::with_capacity(indices.len());
    for index in indices {
        let verified = match latest {
            Some(size) if size > index => {
                let p = inclusion(db, index, Some(size)).await?;
                Some(p.verified && p.root_source == RootSource::Checkpoint)
            }
            _ => None,
        };
        out.push(RecordedBy { index, verified });
    }
    Ok(out)
}
