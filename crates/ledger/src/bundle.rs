//! The ledger bundle an auditor takes away, and its offline verifier.
//!
//! A bundle (`custos-ledger-bundle/1`, one JSON document) holds every leaf, the stored node
//! hashes, the record tiers still held (salt and canonical bytes, so commitments can be
//! recomputed), the tombstones of deleted tiers, every signed checkpoint and every public key the
//! log ever signed with (old keys are kept after rotation).
//!
//! [`verify`] streams the leaves once, recomputing the tree with a [`CompactRange`] (no allocation
//! per leaf), and checks: each leaf's encoding, index and timestamp order; each stored node
//! against the recomputed one; each held record against its leaf's commitment, and that every
//! committed tier is either held or tombstoned; every checkpoint's signature and root;
//! consistency proofs between consecutive checkpoints; and, given an auditor's earlier trusted
//! checkpoint, that the log still extends it (catching a truncated log re-signed with the stored
//! key). It reports every finding and the first bad index.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::checkpoint::Checkpoint;
use crate::hash::{Hash, empty_root, leaf_hash};
use crate::leaf::Leaf;
use crate::note::NoteVerifier;
use crate::proof::verify_consistency;
use crate::record::{ClockJump, Tier, Tombstone, commitment};
use crate::tree::{
    CompactRange, MemoryNodeStore, NodeId, NodeStore, TreeError, consistency_ranges, range_root,
};

/// The format tag of version 1 bundles.
pub const BUNDLE_FORMAT: &str = "custos-ledger-bundle/1";
/// Findings kept before the verifier stops collecting (it still reports tampering).
const MAX_FINDINGS: usize = 1000;

/// Bytes that serialize as a standard base64 string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&B64.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        B64.decode(s.as_bytes())
            .map(Bytes)
            .map_err(serde::de::Error::custom)
    }
}

/// A record tier still held, in the clear, so the auditor can recompute its commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleRecord {
    /// The entry's index.
    pub index: u64,
    /// Which tier.
    pub tier: Tier,
    /// The commitment salt.
    pub salt: Bytes,
    /// The canonical bytes of the tier.
    pub canonical: Bytes,
}

/// An exported ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// The log's origin (checkpoint first line, signing key name).
    pub origin: String,
    /// Every public key the log signed with, as signed-note verifier keys.
    pub public_keys: Vec<String>,
    /// The leaves, in index order.
    pub leaves: Vec<Bytes>,
    /// The stored complete-subtree hashes, one entry per level (level 0 first), each the
    /// concatenation of that level's 32-byte hashes from the left. May be empty.
    pub nodes: Vec<Bytes>,
    /// The record tiers still held.
    pub records: Vec<BundleRecord>,
    /// The tombstones of deleted tiers.
    pub tombstones: Vec<Tombstone>,
    /// Every signed checkpoint, as signed-note text.
    pub checkpoints: Vec<String>,
    /// True when the export left the records out (no key to open them): a committed tier that is
    /// neither held nor tombstoned is then not a finding.
    #[serde(default)]
    pub records_withheld: bool,
}

/// Errors that make a bundle unreadable (exit code 2), as opposed to findings (exit code 1).
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not JSON of the bundle shape.
    #[error("無法讀取匯出檔 / unreadable bundle: {0}")]
    Json(#[from] serde_json::Error),
    /// A format this verifier does not know.
    #[error("不支援的匯出格式 / unsupported bundle format {0:?}")]
    Format(String),
}

impl Bundle {
    /// Parses a bundle and checks its format tag.
    pub fn from_json(bytes: &[u8]) -> Result<Self, BundleError> {
        let b: Self = serde_json::from_slice(bytes)?;
        if b.format != BUNDLE_FORMAT {
            return Err(BundleError::Format(b.format));
        }
        Ok(b)
    }

    /// Serializes the bundle as JSON.
    pub fn to_json(&self) -> Result<Vec<u8>, BundleError> {
        Ok(serde_json::to_vec(self)?)
    }
}

/// Where a finding is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A leaf.
    Leaf(u64),
    /// A stored node hash.
    Node(NodeId),
    /// A record tier or its tombstone.
    Record {
        /// The entry's index.
        index: u64,
        /// The tier.
        tier: Tier,
    },
    /// A signed checkpoint of the bundle (position in its list).
    Checkpoint {
        /// Position in the bundle's checkpoint list.
        ordinal: usize,
    },
    /// A checkpoint whose root differs from the leaves: the bad entry is in `from..to`.
    CheckpointRoot {
        /// Position in the bundle's checkpoint list.
        ordinal: usize,
        /// The last size whose checkpoint matched.
        from: u64,
        /// The checkpoint's size.
        to: u64,
    },
    /// Two checkpoints that no consistency proof joins.
    Consistency {
        /// Smaller size.
        from: u64,
        /// Larger size.
        to: u64,
    },
    /// The log has fewer entries than a checkpoint says it had: entries were removed.
    Truncated {
        /// Entries present.
        have: u64,
        /// Entries the checkpoint covers.
        claimed: u64,
    },
    /// The auditor's trusted checkpoint.
    TrustedCheckpoint,
    /// A public key of the bundle.
    PublicKey(usize),
}

impl Location {
    /// The entry index this finding names exactly, if it names one.
    pub fn index(&self) -> Option<u64> {
        match self {
            Self::Leaf(i) | Self::Record { index: i, .. } => Some(*i),
            Self::Node(id) => Some(id.first_leaf()),
            Self::Truncated { have, .. } => Some(*have),
            _ => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Leaf(i) => write!(f, "leaf {i}"),
            Self::Node(id) => write!(
                f,
                "node level {} index {} (entries {}..{})",
                id.level,
                id.index,
                id.first_leaf(),
                (id.index + 1) << id.level
            ),
            Self::Record { index, tier } => write!(f, "record {index} ({tier:?} tier)"),
            Self::Checkpoint { ordinal } => write!(f, "checkpoint #{ordinal}"),
            Self::CheckpointRoot { ordinal, from, to } => {
                write!(f, "checkpoint #{ordinal} (bad entry among {from}..{to})")
            }
            Self::Consistency { from, to } => write!(f, "checkpoints {from} -> {to}"),
            Self::Truncated { have, claimed } => {
                write!(
                    f,
                    "log end (has {have} entries, a checkpoint says {claimed})"
                )
            }
            Self::TrustedCheckpoint => f.write_str("trusted checkpoint"),
            Self::PublicKey(i) => write!(f, "public key #{i}"),
        }
    }
}

/// One thing that is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where.
    pub location: Location,
    /// What, in English (the CLI adds the zh-TW frame).
    pub problem: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Number of leaves.
    pub size: u64,
    /// Checkpoints whose signature verified.
    pub checkpoints_verified: usize,
    /// Record tiers whose commitment was recomputed.
    pub records_checked: u64,
    /// Tombstoned tiers.
    pub tombstones: u64,
    /// Entries after the last signed checkpoint (not yet covered by a signature).
    pub unsigned_tail: u64,
    /// Forward clock jumps beyond the threshold, by entry index (informational).
    pub clock_jumps: Vec<(u64, ClockJump)>,
    /// Everything wrong; empty when the bundle is intact.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether nothing is wrong.
    pub fn intact(&self) -> bool {
        self.findings.is_empty()
    }

    /// The finding that names the smallest entry index, else the first finding.
    pub fn first_bad(&self) -> Option<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.location.index().is_some())
            .min_by_key(|f| f.location.index())
            .or_else(|| self.findings.first())
    }
}

/// Options of [`verify`].
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// A checkpoint the auditor kept from earlier (signed-note text).
    pub trusted_checkpoint: Option<String>,
    /// Public keys the auditor trusts besides the bundle's own.
    pub trusted_keys: Vec<NoteVerifier>,
    /// Forward jumps between consecutive entries beyond this are listed (0 = one day).
    pub clock_jump_threshold_ms: i64,
    /// The records were left out on purpose (exported without the key that opens them): held
    /// records are still checked, but a committed tier that is neither held nor tombstoned is not
    /// a finding.
    pub records_withheld: bool,
}

struct Findings(Vec<Finding>);

impl Findings {
    fn add(&mut self, location: Location, problem: impl Into<String>) {
        if self.0.len() < MAX_FINDINGS {
            self.0.push(Finding {
                location,
                problem: problem.into(),
            });
        }
    }
}

/// Verifies a bundle offline. `Err` only when the bundle cannot be read at all.
pub fn verify(bundle: &Bundle, opts: &VerifyOptions) -> Result<Report, BundleError> {
    if bundle.format != BUNDLE_FORMAT {
        return Err(BundleError::Format(bundle.format.clone()));
    }
    let mut findings = Findings(Vec::new());
    let mut report = Report {
        size: bundle.leaves.len() as u64,
        ..Report::default()
    };
    let threshold = if opts.clock_jump_threshold_ms > 0 {
        opts.clock_jump_threshold_ms
    } else {
        86_400_000
    };

    // Keys: the bundle's own and the auditor's.
    let mut keys = opts.trusted_keys.clone();
    for (i, k) in bundle.public_keys.iter().enumerate() {
        match NoteVerifier::parse(k) {
            Ok(v) => keys.push(v),
            Err(e) => findings.add(Location::PublicKey(i), e.to_string()),
        }
    }

    // Checkpoints: signature first, then sorted by size for the streaming root checks.
    let mut cps: Vec<(usize, Checkpoint)> = Vec::new();
    for (ordinal, text) in bundle.checkpoints.iter().enumerate() {
        match Checkpoint::open(text, &keys, Some(&bundle.origin)) {
            Ok((cp, _)) => cps.push((ordinal, cp)),
            Err(e) => findings.add(Location::Checkpoint { ordinal }, e.to_string()),
        }
    }
    report.checkpoints_verified = cps.len();
    cps.sort_by_key(|(o, c)| (c.size, *o));
    for (ordinal, cp) in &cps {
        if cp.size > report.size {
            findings.add(
                Location::Truncated {
                    have: report.size,
                    claimed: cp.size,
                },
                format!("checkpoint #{ordinal} covers {} entries", cp.size),
            );
        }
    }

    // Record tiers are checked on a second thread while this one recomputes the tree.
    let ((store, mut node_findings), (record_findings, records_checked)) =
        std::thread::scope(|scope| {
            let withheld = opts.records_withheld || bundle.records_withheld;
            let records = scope.spawn(move || check_records(bundle, withheld));
            let tree = check_tree(bundle, &cps, threshold, &mut report, &mut findings);
            let recs = records.join().unwrap_or_else(|_| {
                let mut f = Findings(Vec::new());
                f.add(Location::Leaf(0), "record check failed unexpectedly");
                (f, 0)
            });
            (tree, recs)
        });
    report.records_checked = records_checked;
    report.tombstones = bundle.tombstones.len() as u64;
    for f in record_findings.0 {
        findings.add(f.location, f.problem);
    }
    // A bad node makes every ancestor recomputed from it differ too: report only the lowest.
    node_findings.sort_by_key(|id| (id.level, id.index));
    let mut kept: Vec<NodeId> = Vec::new();
    for id in node_findings {
        let covered =
            |k: &NodeId| k.level < id.level && (k.index >> (id.level - k.level)) == id.index;
        if !kept.iter().any(covered) {
            kept.push(id);
        }
    }
    for id in kept {
        findings.add(
            Location::Node(id),
            "stored node hash differs from the recomputed one",
        );
    }

    // Consistency between consecutive checkpoints, with proofs built from the recomputed tree.
    for pair in cps.windows(2) {
        let ((_, a), (_, b)) = (&pair[0], &pair[1]);
        if b.size > report.size || a.size == b.size && a.root == b.root {
            continue;
        }
        let ok = consistency_proof(&store, a.size, b.size)
            .is_some_and(|p| verify_consistency(a.size, b.size, &a.root, &b.root, &p).is_ok());
        if !ok {
            findings.add(
                Location::Consistency {
                    from: a.size,
                    to: b.size,
                },
                "no consistency proof joins these checkpoints",
            );
        }
    }
    report.unsigned_tail = report.size - cps.last().map_or(0, |(_, c)| c.size.min(report.size));

    if let Some(text) = &opts.trusted_checkpoint {
        check_trusted(
            text,
            &keys,
            bundle,
            &store,
            &cps,
            report.size,
            &mut findings,
        );
    }
    // Findings that name an entry first, in index order; the rest in the order found.
    let mut all = findings.0;
    all.sort_by_key(|f| (f.location.index().is_none(), f.location.index()));
    report.findings = all;
    Ok(report)
}

/// Recomputes the tree from the leaves: leaf encoding, index and time order, stored nodes and
/// checkpoint roots. Returns where proofs can read nodes and the nodes that differ.
fn check_tree<'a>(
    bundle: &'a Bundle,
    cps: &[(usize, Checkpoint)],
    threshold: i64,
    report: &mut Report,
    findings: &mut Findings,
) -> (ProofStore<'a>, Vec<NodeId>) {
    let mut edge = CompactRange::new();
    // Proofs are read from the bundle's stored nodes once they are checked against the leaves;
    // only a bundle without nodes needs the recomputed tree kept in memory.
    let has_nodes = !bundle.nodes.is_empty();
    let mut store = if has_nodes {
        ProofStore::Bundle(bundle)
    } else {
        ProofStore::Own(MemoryNodeStore::with_capacity(report.size))
    };
    let mut node_findings: Vec<NodeId> = Vec::new();
    let mut next_cp = 0usize;
    let mut last_good_size = 0u64;
    let mut prev_ts: Option<i64> = None;

    // Checkpoints of the empty tree.
    check_roots(
        cps,
        &mut next_cp,
        0,
        &empty_root(),
        &mut last_good_size,
        findings,
    );

    for (i, leaf_bytes) in bundle.leaves.iter().enumerate() {
        let i = i as u64;
        let lh = leaf_hash(&leaf_bytes.0);
        let mut store_err = None;
        edge.push_with(lh, |id, h| {
            if let ProofStore::Own(own) = &mut store
                && let Err(e) = own.put_node(id, *h)
            {
                store_err = Some(e);
            }
            if has_nodes && node_findings.len() < MAX_FINDINGS && stored_node(bundle, id) != Some(h)
            {
                node_findings.push(id);
            }
        });
        if let Some(e) = store_err {
            findings.add(Location::Leaf(i), e.to_string());
        }
        check_leaf(i, &leaf_bytes.0, &mut prev_ts, threshold, report, findings);
        // The root costs a fold over the right edge: compute it only where a checkpoint is.
        if cps.get(next_cp).is_some_and(|(_, c)| c.size <= i + 1) {
            check_roots(
                cps,
                &mut next_cp,
                i + 1,
                &edge.root(),
                &mut last_good_size,
                findings,
            );
        }
    }
    if has_nodes {
        check_node_counts(bundle, report.size, &mut node_findings, findings);
    }
    (store, node_findings)
}

/// Checks every committed tier against the records held and the tombstones: a held record must
/// match the leaf's commitment; a committed tier must be held or tombstoned, never both.
fn check_records(bundle: &Bundle, withheld: bool) -> (Findings, u64) {
    let mut findings = Findings(Vec::new());
    let mut report = Report::default();
    let mut records: Vec<&BundleRecord> = bundle.records.iter().collect();
    // Exports are already in order; sorting is for hand-made bundles.
    if !records.is_sorted_by_key(|r| (r.index, r.tier)) {
        records.sort_by_key(|r| (r.index, r.tier));
    }
    let mut tombs: Vec<&Tombstone> = bundle.tombstones.iter().collect();
    if !tombs.is_sorted_by_key(|t| (t.index, t.tier)) {
        tombs.sort_by_key(|t| (t.index, t.tier));
    }
    let (mut ri, mut ti) = (0usize, 0usize);
    for (i, leaf_bytes) in bundle.leaves.iter().enumerate() {
        let i = i as u64;
        // An undecodable leaf is reported by the tree pass; its tiers cannot be checked.
        let leaf = Leaf::decode(&leaf_bytes.0).ok();
        for tier in [Tier::Fields, Tier::Payload] {
            let committed = match tier {
                Tier::Fields => leaf.map(|l| l.fields_commitment),
                Tier::Payload => leaf.and_then(|l| l.payload_commitment),
            };
            let mut held = None;
            while ri < records.len() && (records[ri].index, records[ri].tier) <= (i, tier) {
                let r = records[ri];
                let loc = Location::Record {
                    index: r.index,
                    tier: r.tier,
                };
                if (r.index, r.tier) != (i, tier) {
                    findings.add(loc, "record without a leaf");
                } else if held.replace(r).is_some() {
                    findings.add(loc, "record held twice");
                }
                ri += 1;
            }
            let mut tomb = false;
            while ti < tombs.len() && (tombs[ti].index, tombs[ti].tier) <= (i, tier) {
                tomb |= (tombs[ti].index, tombs[ti].tier) == (i, tier);
                ti += 1;
            }
            if leaf.is_some() {
                if withheld && committed.is_some() && held.is_none() && !tomb {
                    continue;
                }
                check_tier(i, tier, committed, held, tomb, &mut report, &mut findings);
            }
        }
    }
    // Records past the last leaf: the log was cut short. One finding says how many.
    if let Some(r) = records.get(ri) {
        findings.add(
            Location::Record {
                index: r.index,
                tier: r.tier,
            },
            format!("{} records beyond the end of the log", records.len() - ri),
        );
    }
    if let Some(t) = tombs.get(ti) {
        findings.add(
            Location::Record {
                index: t.index,
                tier: t.tier,
            },
            format!("{} tombstones beyond the end of the log", tombs.len() - ti),
        );
    }
    (findings, report.records_checked)
}

/// Where proofs read node hashes: the bundle's (checked) stored nodes, or the recomputed tree.
enum ProofStore<'a> {
    Bundle(&'a Bundle),
    Own(MemoryNodeStore),
}

impl NodeStore for ProofStore<'_> {
    fn node(&self, id: NodeId) -> Result<Option<Hash>, TreeError> {
        match self {
            Self::Bundle(b) => Ok(stored_node(b, id).copied()),
            Self::Own(s) => s.node(id),
        }
    }

    fn put_node(&mut self, id: NodeId, hash: Hash) -> Result<(), TreeError> {
        match self {
            Self::Bundle(_) => Err(TreeError::Store("bundle nodes are read-only".into())),
            Self::Own(s) => s.put_node(id, hash),
        }
    }
}

fn stored_node(bundle: &Bundle, id: NodeId) -> Option<&Hash> {
    let level = bundle.nodes.get(usize::from(id.level))?;
    let start = usize::try_from(id.index).ok()?.checked_mul(32)?;
    level.0.get(start..start.checked_add(32)?)?.try_into().ok()
}

fn check_node_counts(
    bundle: &Bundle,
    size: u64,
    node_findings: &mut Vec<NodeId>,
    findings: &mut Findings,
) {
    for (level, bytes) in bundle.nodes.iter().enumerate() {
        let expected = if level < 64 { size >> level } else { 0 };
        let have = bytes.0.len() as u64;
        if !have.is_multiple_of(32) || have / 32 > expected {
            findings.add(
                Location::Truncated {
                    have: size,
                    claimed: size.max(have / 32),
                },
                format!(
                    "level {level} holds {have} bytes of node hashes, expected {}",
                    expected.saturating_mul(32)
                ),
            );
        } else if have / 32 < expected {
            // Missing stored nodes were reported by the streaming pass; keep the first per level.
            node_findings.retain(|id| usize::from(id.level) != level || id.index < have / 32 + 1);
        }
    }
}

fn check_leaf(
    i: u64,
    bytes: &[u8],
    prev_ts: &mut Option<i64>,
    threshold: i64,
    report: &mut Report,
    findings: &mut Findings,
) -> Option<Leaf> {
    let leaf = match Leaf::decode(bytes) {
        Ok(l) => l,
        Err(e) => {
            findings.add(Location::Leaf(i), e.to_string());
            return None;
        }
    };
    if leaf.index != i {
        findings.add(
            Location::Leaf(i),
            format!("leaf says index {} at position {i}", leaf.index),
        );
    }
    // A changed leaf may carry any 64-bit timestamp: the differences saturate, never overflow.
    if let Some(prev) = *prev_ts {
        if leaf.timestamp_ms < prev {
            findings.add(
                Location::Leaf(i),
                format!(
                    "timestamp goes back {} ms",
                    prev.saturating_sub(leaf.timestamp_ms)
                ),
            );
        } else {
            let by_ms = leaf.timestamp_ms.saturating_sub(prev);
            if by_ms > threshold {
                report.clock_jumps.push((i, ClockJump::Forwards { by_ms }));
            }
        }
    }
    *prev_ts = Some(leaf.timestamp_ms);
    Some(leaf)
}

fn check_tier(
    i: u64,
    tier: Tier,
    committed: Option<Hash>,
    held: Option<&BundleRecord>,
    tomb: bool,
    report: &mut Report,
    findings: &mut Findings,
) {
    let loc = Location::Record { index: i, tier };
    match (committed, held, tomb) {
        // No such tier, or a tier deleted by its retention rule.
        (None, None, false) | (Some(_), None, true) => {}
        (None, _, _) => findings.add(loc, "record or tombstone for a tier the leaf lacks"),
        (Some(_), Some(_), true) => findings.add(loc, "tier both held and tombstoned"),
        (Some(_), None, false) => {
            findings.add(loc, "record missing without a tombstone");
        }
        (Some(c), Some(r), false) => {
            report.records_checked += 1;
            let salt: Option<[u8; 32]> = r.salt.0.as_slice().try_into().ok();
            if salt.is_none_or(|s| commitment(tier, &s, &r.canonical.0) != c) {
                findings.add(loc, "record does not match the leaf's commitment");
            }
        }
    }
}

fn check_roots(
    cps: &[(usize, Checkpoint)],
    next: &mut usize,
    size: u64,
    root: &Hash,
    last_good: &mut u64,
    findings: &mut Findings,
) {
    while *next < cps.len() && cps[*next].1.size <= size {
        let (ordinal, cp) = &cps[*next];
        if cp.size == size {
            if &cp.root == root {
                *last_good = size;
            } else {
                findings.add(
                    Location::CheckpointRoot {
                        ordinal: *ordinal,
                        from: *last_good,
                        to: size,
                    },
                    "signed root differs from the root of the leaves",
                );
            }
        }
        *next += 1;
    }
}

fn consistency_proof(store: &ProofStore<'_>, old: u64, new: u64) -> Option<Vec<Hash>> {
    consistency_ranges(old, new)
        .ok()?
        .into_iter()
        .map(|(a, b)| range_root(store, a, b).ok())
        .collect()
}

fn check_trusted(
    text: &str,
    keys: &[NoteVerifier],
    bundle: &Bundle,
    store: &ProofStore<'_>,
    cps: &[(usize, Checkpoint)],
    size: u64,
    findings: &mut Findings,
) {
    let trusted = match Checkpoint::open(text, keys, Some(&bundle.origin)) {
        Ok((cp, _)) => cp,
        Err(e) => {
            findings.add(Location::TrustedCheckpoint, e.to_string());
            return;
        }
    };
    if trusted.size > size {
        findings.add(
            Location::Truncated {
                have: size,
                claimed: trusted.size,
            },
            format!(
                "the trusted checkpoint covers {} entries; the log has only {size}: entries were removed",
                trusted.size
            ),
        );
        return;
    }
    match range_root(store, 0, trusted.size) {
        Ok(root) if root == trusted.root => {}
        _ => {
            findings.add(
                Location::TrustedCheckpoint,
                "the log's first entries no longer hash to the trusted root: history was rewritten",
            );
            return;
        }
    }
    // The newest signed checkpoint must extend the trusted one.
    if let Some((_, newest)) = cps.iter().rev().find(|(_, c)| c.size <= size)
        && newest.size >= trusted.size
    {
        let ok = consistency_proof(store, trusted.size, newest.size).is_some_and(|p| {
            verify_consistency(trusted.size, newest.size, &trusted.root, &newest.root, &p).is_ok()
        });
        if !ok {
            findings.add(
                Location::Consistency {
                    from: trusted.size,
                    to: newest.size,
                },
                "the newest checkpoint does not extend the trusted checkpoint",
            );
        }
    }
}
