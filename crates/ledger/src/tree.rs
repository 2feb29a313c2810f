//! The RFC 6962 Merkle tree kept as complete-subtree node hashes.
//!
//! A node is named by [`NodeId`] `(level, index)`: it is the root of the perfect subtree over leaves
//! `index·2^level .. (index+1)·2^level`. Level 0 holds the leaf hashes. Only complete subtrees are
//! ever stored, so a stored node never changes once written and the tree is append-only: appending
//! leaf `n` writes `(0, n)` and one node per trailing one-bit of `n`. The root of any size, and every
//! proof, is a fold over at most `2·log2(n)` stored nodes — no rebuild on start.
//!
//! Two ways in: [`Tree`] over a synchronous [`NodeStore`] (memory, tests, the bundle verifier), and
//! the plan functions [`inclusion_ranges`], [`consistency_ranges`] and [`perfect_subtrees`], which tell
//! an asynchronous store which nodes to fetch before folding them with [`fold_range`].
//! [`CompactRange`] is the right edge of the tree, enough to append and to compute the current root;
//! it is what the streaming verifier uses (no allocation per leaf).

use crate::hash::{Hash, empty_root, leaf_hash, node_hash};

/// Names a complete subtree: the root of leaves `index·2^level .. (index+1)·2^level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height above the leaves (0 = leaf hash).
    pub level: u8,
    /// Position among the nodes of this level, from the left.
    pub index: u64,
}

impl NodeId {
    /// The first leaf index this node covers.
    pub fn first_leaf(self) -> u64 {
        self.index << self.level
    }
}

/// Errors of tree operations.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    /// A node the computation needs is not in the store.
    #[error("節點不存在 / missing node at level {}, index {}", .0.level, .0.index)]
    MissingNode(NodeId),
    /// A proof or root was asked for a size or index the tree does not have.
    #[error("樹的大小不符 / out of range: {0}")]
    OutOfRange(String),
    /// The node store failed.
    #[error("節點儲存失敗 / node store failed: {0}")]
    Store(String),
}

/// Storage of complete-subtree hashes. Implementations: [`MemoryNodeStore`]; the database keeps
/// the same `(level, index, hash)` rows.
pub trait NodeStore {
    /// The hash of a complete subtree, if stored.
    fn node(&self, id: NodeId) -> Result<Option<Hash>, TreeError>;
    /// Stores the hash of a complete subtree (written once; never changes).
    fn put_node(&mut self, id: NodeId, hash: Hash) -> Result<(), TreeError>;
}

/// Node hashes in memory, one vector per level.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MemoryNodeStore {
    levels: Vec<Vec<Hash>>,
}

impl MemoryNodeStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store with room for the nodes of a tree of `leaves` leaves.
    pub fn with_capacity(leaves: u64) -> Self {
        let mut levels = Vec::new();
        let mut n = leaves;
        while n > 0 {
            levels.push(Vec::with_capacity(usize::try_from(n).unwrap_or(0)));
            n >>= 1;
        }
        Self { levels }
    }

    /// Stored nodes of one level, left to right.
    pub fn level(&self, level: u8) -> &[Hash] {
        self.levels
            .get(usize::from(level))
            .map_or(&[], Vec::as_slice)
    }

    /// Number of levels that hold at least one node.
    pub fn level_count(&self) -> usize {
        self.levels.iter().take_while(|l| !l.is_empty()).count()
    }
}

impl NodeStore for MemoryNodeStore {
    fn node(&self, id: NodeId) -> Result<Option<Hash>, TreeError> {
        Ok(usize::try_from(id.index)
            .ok()
            .and_then(|i| self.level(id.level).get(i).copied()))
    }

    fn put_node(&mut self, id: NodeId, hash: Hash) -> Result<(), TreeError> {
        let level = usize::from(id.level);
        while self.levels.len() <= level {
            self.levels.push(Vec::new());
        }
        let nodes = &mut self.levels[level];
        let i = usize::try_from(id.index).map_err(|e| TreeError::Store(e.to_string()))?;
        match i.cmp(&nodes.len()) {
            std::cmp::Ordering::Less => nodes[i] = hash,
            std::cmp::Ordering::Equal => nodes.push(hash),
            std::cmp::Ordering::Greater => {
                return Err(TreeError::Store(format!(
                    "gap at level {level}: index {i} after {}",
                    nodes.len()
                )));
            }
        }
        Ok(())
    }
}

/// The right edge of a tree of `size` leaves: one complete-subtree hash per one-bit of `size`,
/// largest (leftmost) first. Appending and computing the root need nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactRange {
    size: u64,
    stack: Vec<Hash>,
}

impl Default for CompactRange {
    fn default() -> Self {
        Self::new()
    }
}

impl CompactRange {
    /// The right edge of the empty tree.
    pub fn new() -> Self {
        Self {
            size: 0,
            stack: Vec::with_capacity(64),
        }
    }

    /// Rebuilds the right edge of a tree of `size` leaves from its stored nodes (as at start-up).
    pub fn load(size: u64, store: &impl NodeStore) -> Result<Self, TreeError> {
        let mut stack = Vec::with_capacity(64);
        for id in perfect_subtrees(0, size) {
            stack.push(store.node(id)?.ok_or(TreeError::MissingNode(id))?);
        }
        Ok(Self { size, stack })
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; `on_node` sees every complete subtree this append finishes, the leaf
    /// itself first (level 0), then each parent it completes, bottom-up.
    pub fn push_with(&mut self, leaf: Hash, mut on_node: impl FnMut(NodeId, &Hash)) {
        let mut hash = leaf;
        let mut id = NodeId {
            level: 0,
            index: self.size,
        };
        on_node(id, &hash);
        while id.index & 1 == 1 {
            // Invariant: one stack entry per one-bit of size, so a trailing one-bit has an entry.
            let Some(left) = self.stack.pop() else { break };
            hash = node_hash(&left, &hash);
            id = NodeId {
                level: id.level + 1,
                index: id.index >> 1,
            };
            on_node(id, &hash);
        }
        self.stack.push(hash);
        self.size += 1;
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        self.push_with(leaf, |_, _| {});
    }

    /// The RFC 6962 root of the leaves appended so far.
    pub fn root(&self) -> Hash {
        let mut it = self.stack.iter().rev();
        let Some(last) = it.next() else {
            return empty_root();
        };
        it.fold(*last, |acc, left| node_hash(left, &acc))
    }
}

/// The largest power of two strictly below `n` (`n ≥ 2`).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (n - 1).ilog2()
}

/// The complete subtrees that make up leaves `start..end`, left to right, taking at each step the
/// largest aligned subtree that fits. For the ranges RFC 6962's recursion produces (and every
/// prefix `0..n`) folding them right to left with [`fold_range`] gives `MTH(D[start:end])`.
pub fn perfect_subtrees(start: u64, end: u64) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos < end {
        let align = if pos == 0 { 63 } else { pos.trailing_zeros() };
        let fit = (end - pos).ilog2();
        let level = align.min(fit);
        out.push(NodeId {
            level: level as u8,
            index: pos >> level,
        });
        pos += 1 << level;
    }
    out
}

/// Folds the hashes of [`perfect_subtrees`] (in the same order) right to left into one root.
pub fn fold_range(hashes: &[Hash]) -> Hash {
    let mut it = hashes.iter().rev();
    let Some(last) = it.next() else {
        return empty_root();
    };
    it.fold(*last, |acc, left| node_hash(left, &acc))
}

/// The leaf ranges whose roots form the inclusion proof (audit path) of leaf `index` in a tree of
/// `size` leaves, in proof order (bottom-up), per RFC 6962 §2.1.1 `PATH(m, D[n])`.
pub fn inclusion_ranges(index: u64, size: u64) -> Result<Vec<(u64, u64)>, TreeError> {
    if index >= size {
        return Err(TreeError::OutOfRange(format!(
            "leaf {index} not in tree of size {size}"
        )));
    }
    let mut out = Vec::new();
    path(index, 0, size, &mut out);
    Ok(out)
}

fn path(m: u64, start: u64, end: u64, out: &mut Vec<(u64, u64)>) {
    let n = end - start;
    if n <= 1 {
        return;
    }
    let k = split_point(n);
    if m < k {
        path(m, start, start + k, out);
        out.push((start + k, end));
    } else {
        path(m - k, start + k, end, out);
        out.push((start, start + k));
    }
}

/// The leaf ranges whose roots form the consistency proof from size `old` to size `new`, in proof
/// order, per RFC 6962 §2.1.2 `PROOF(m, D[n])`. Empty when `old` is 0 or equals `new`.
pub fn consistency_ranges(old: u64, new: u64) -> Result<Vec<(u64, u64)>, TreeError> {
    if old > new {
        return Err(TreeError::OutOfRange(format!(
            "old size {old} exceeds new size {new}"
        )));
    }
    let mut out = Vec::new();
    if old > 0 && old < new {
        subproof(old, 0, new, true, &mut out);
    }
    Ok(out)
}

fn subproof(m: u64, start: u64, end: u64, whole: bool, out: &mut Vec<(u64, u64)>) {
    let n = end - start;
    if m == n {
        if !whole {
            out.push((start, end));
        }
        return;
    }
    let k = split_point(n);
    if m <= k {
        subproof(m, start, start + k, whole, out);
        out.push((start + k, end));
    } else {
        subproof(m - k, start + k, end, false, out);
        out.push((start, start + k));
    }
}

/// `MTH(D[start:end])` for a range from the RFC 6962 recursion, read from the store.
pub fn range_root(store: &impl NodeStore, start: u64, end: u64) -> Result<Hash, TreeError> {
    let mut hashes = Vec::with_capacity(64);
    for id in perfect_subtrees(start, end) {
        hashes.push(store.node(id)?.ok_or(TreeError::MissingNode(id))?);
    }
    Ok(fold_range(&hashes))
}

/// An append-only RFC 6962 tree over a [`NodeStore`].
#[derive(Debug, Clone)]
pub struct Tree<S> {
    store: S,
    edge: CompactRange,
}

impl<S: NodeStore> Tree<S> {
    /// A tree over an empty store.
    pub fn new(store: S) -> Self {
        Self {
            store,
            edge: CompactRange::new(),
        }
    }

    /// Opens a tree of `size` leaves whose nodes are already in `store`.
    pub fn open(store: S, size: u64) -> Result<Self, TreeError> {
        let edge = CompactRange::load(size, &store)?;
        Ok(Self { store, edge })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.edge.size()
    }

    /// The node store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Appends a leaf (its bytes, not its hash) and returns its index.
    pub fn append(&mut self, leaf: &[u8]) -> Result<u64, TreeError> {
        self.append_hash(leaf_hash(leaf))
    }

    /// Appends a leaf by its leaf hash and returns its index.
    pub fn append_hash(&mut self, leaf: Hash) -> Result<u64, TreeError> {
        let index = self.edge.size();
        let mut result = Ok(());
        let store = &mut self.store;
        self.edge.push_with(leaf, |id, h| {
            if result.is_ok() {
                result = store.put_node(id, *h);
            }
        });
        result.map(|()| index)
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        self.edge.root()
    }

    /// The root the tree had at `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, TreeError> {
        if size > self.size() {
            return Err(TreeError::OutOfRange(format!(
                "size {size} beyond tree of size {}",
                self.size()
            )));
        }
        range_root(&self.store, 0, size)
    }

    /// Inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, TreeError> {
        if size > self.size() {
            return Err(TreeError::OutOfRange(format!(
                "size {size} beyond tree of size {}",
                self.size()
            )));
        }
        inclusion_ranges(index, size)?
            .into_iter()
            .map(|(a, b)| range_root(&self.store, a, b))
            .collect()
    }

    /// Consistency proof from the tree of `old` leaves to the tree of `new` leaves.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, TreeError> {
        if new > self.size() {
            return Err(TreeError::OutOfRange(format!(
                "size {new} beyond tree of size {}",
                self.size()
            )));
        }
        consistency_ranges(old, new)?
            .into_iter()
            .map(|(a, b)| range_root(&self.store, a, b))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_subtrees_of_a_prefix_follow_the_bits_of_its_size() {
        let ids = perfect_subtrees(0, 13);
        let levels: Vec<u8> = ids.iter().map(|i| i.level).collect();
        assert_eq!(levels, vec![3, 2, 0]);
        assert_eq!(ids[1].first_leaf(), 8);
        assert_eq!(ids[2].first_leaf(), 12);
    }

    #[test]
    fn reopened_tree_has_the_same_root_and_keeps_appending() {
        let mut t = Tree::new(MemoryNodeStore::new());
        for i in 0u32..21 {
            t.append(&i.to_be_bytes()).unwrap();
        }
        let store = t.store().clone();
        let mut reopened = Tree::open(store, 21).unwrap();
        assert_eq!(reopened.root(), t.root());
        t.append(b"x").unwrap();
        reopened.append(b"x").unwrap();
        assert_eq!(reopened.root(), t.root());
        assert_eq!(t.root_at(22).unwrap(), t.root());
    }

    #[test]
    fn opening_a_tree_without_its_nodes_names_the_missing_node() {
        let err = Tree::open(MemoryNodeStore::new(), 3).unwrap_err();
        assert!(matches!(
            err,
            TreeError::MissingNode(NodeId { level: 1, index: 0 })
        ));
    }
}
