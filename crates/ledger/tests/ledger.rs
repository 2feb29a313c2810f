//! Integration tests of the ledger crate: RFC 6962 reference vectors and an independent Merkle
//! implementation (ct-merkle) as oracle, an independent C2SP signed-note implementation
//! (signed_note) as oracle, golden vectors, and the tamper-detection property (J4.11, J1.D3).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::many_single_char_names
)]

use custos_ledger::bundle::{Bundle, Location, VerifyOptions, verify};
use custos_ledger::checkpoint::Checkpoint;
use custos_ledger::hash::leaf_hash;
use custos_ledger::leaf::{EntryKind, Leaf};
use custos_ledger::memory::{MemoryLedger, NewEntry, sample_ledger};
use custos_ledger::note::{NoteSigner, SignedNote};
use custos_ledger::proof::{verify_consistency, verify_inclusion};
use custos_ledger::record::{AuditRecord, Tier, commitment};
use custos_ledger::tree::{MemoryNodeStore, Tree};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const RFC_LEAVES: &[&str] = &[
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

// Roots of the first 1..=8 leaves above: the RFC 6962 reference vectors used by Certificate
// Transparency implementations (transparency-dev/merkle testonly).
const RFC_ROOTS: &[&str] = &[
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn rfc_tree() -> Tree<MemoryNodeStore> {
    let mut t = Tree::new(MemoryNodeStore::new());
    for l in RFC_LEAVES {
        t.append(&hex::decode(l).unwrap()).unwrap();
    }
    t
}

fn hexes(hs: &[[u8; 32]]) -> String {
    hs.iter().map(hex::encode).collect()
}

#[test]
fn tree_roots_match_the_rfc6962_reference_vectors() {
    let t = rfc_tree();
    for (n, want) in RFC_ROOTS.iter().enumerate() {
        assert_eq!(
            hex::encode(t.root_at(n as u64 + 1).unwrap()),
            *want,
            "size {}",
            n + 1
        );
    }
    assert_eq!(hex::encode(t.root()), RFC_ROOTS[7]);
}

#[test]
fn proofs_match_the_reference_vectors_and_verify() {
    let t = rfc_tree();
    let inclusion = [
        (
            2u64,
            0u64,
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        ),
        (
            5,
            1,
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d\
             5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e\
             bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
        (
            8,
            5,
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b\
             ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0\
             d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ];
    for (size, idx, want) in inclusion {
        let p = t.inclusion_proof(idx, size).unwrap();
        assert_eq!(hexes(&p), want);
        let lh = leaf_hash(&hex::decode(RFC_LEAVES[idx as usize]).unwrap());
        verify_inclusion(idx, size, &lh, &p, &t.root_at(size).unwrap()).unwrap();
    }
    let consistency = [
        (
            1u64,
            8u64,
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7\
             5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e\
             6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
        (
            2,
            5,
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e\
             bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
        (
            6,
            8,
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a\
             ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0\
             d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ];
    for (m, n, want) in consistency {
        let p = t.consistency_proof(m, n).unwrap();
        assert_eq!(hexes(&p), want);
        let (a, b) = (t.root_at(m).unwrap(), t.root_at(n).unwrap());
        verify_consistency(m, n, &a, &b, &p).unwrap();
        assert!(verify_consistency(m, n, &b, &a, &p).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Roots and proofs agree with ct-merkle, an independent RFC 6962 implementation.
    #[test]
    fn roots_and_proofs_agree_with_an_independent_implementation(
        n in 1usize..130, a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()
    ) {
        let mut ours = Tree::new(MemoryNodeStore::new());
        let mut oracle = ct_merkle::mem_backed_tree::MemoryBackedTree::<sha2::Sha256, Vec<u8>>::new();
        for i in 0..n {
            let leaf = format!("entry {i}").into_bytes();
            ours.append(&leaf).unwrap();
            oracle.push(leaf);
        }
        let root = oracle.root();
        prop_assert_eq!(&ours.root()[..], &root.as_bytes()[..]);

        let idx = a.index(n) as u64;
        let p = ours.inclusion_proof(idx, n as u64).unwrap();
        let op = oracle.prove_inclusion(idx as usize);
        prop_assert_eq!(hexes(&p), hex::encode(op.as_bytes()));
        let leaf = format!("entry {idx}").into_bytes();
        verify_inclusion(idx, n as u64, &leaf_hash(&leaf), &p, &ours.root()).unwrap();
        let mut bad = p.clone();
        if let Some(first) = bad.first_mut() {
            first[0] ^= 1;
            prop_assert!(verify_inclusion(idx, n as u64, &leaf_hash(&leaf), &bad, &ours.root()).is_err());
        }

        let m = b.index(n) as u64 + 1;
        if m < n as u64 {
            let p = ours.consistency_proof(m, n as u64).unwrap();
            let op = oracle.prove_consistency(n - m as usize);
            prop_assert_eq!(hexes(&p), hex::encode(op.as_bytes()));
            verify_consistency(m, n as u64, &ours.root_at(m).unwrap(), &ours.root(), &p).unwrap();
        }
    }
}

#[test]
fn checkpoints_verify_with_an_independent_signed_note_implementation() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let signer = NoteSigner::generate("custos.test/ledger", &mut rng).unwrap();
    let cp = Checkpoint::new("custos.test/ledger", 8, rfc_tree().root());
    let text = cp.sign(&signer).unwrap().to_string();

    let v = signed_note::StandardVerifier::new(&signer.verifier().to_string()).unwrap();
    let note = signed_note::Note::from_bytes(text.as_bytes()).unwrap();
    let list = signed_note::VerifierList::new(vec![Box::new(v)]);
    let (verified, _) = note.verify(&list).unwrap();
    assert_eq!(verified.len(), 1);
    assert_eq!(note.text(), cp.body().as_bytes());

    // And the other way: a note signed by the oracle with our private key string verifies here.
    let s = signed_note::StandardSigner::new(&signer.to_skey()).unwrap();
    let mut n = signed_note::Note::new(cp.body().as_bytes(), &[]).unwrap();
    n.add_sigs(&[&s]).unwrap();
    let theirs = String::from_utf8(n.to_bytes()).unwrap();
    assert_eq!(theirs, text);
    let (opened, _) = Checkpoint::open(&theirs, &[signer.verifier()], None).unwrap();
    assert_eq!(opened, cp);
}

#[test]
fn a_witness_cosignature_can_be_attached_and_is_kept() {
    let log = NoteSigner::from_seed("custos.test/ledger", &[1; 32]).unwrap();
    let witness = NoteSigner::from_seed("witness.test", &[2; 32]).unwrap();
    let cp = Checkpoint::new("custos.test/ledger", 3, [5; 32]);
    let mut note = cp.sign(&log).unwrap();
    note.add_signature(witness.sign(note.text()));
    let text = note.to_string();
    let parsed = SignedNote::parse(&text).unwrap();
    assert_eq!(parsed.signatures().len(), 2);
    assert_eq!(
        parsed
            .verify(&[log.verifier(), witness.verifier()])
            .unwrap()
            .len(),
        2
    );
    assert!(Checkpoint::open(&text, &[log.verifier()], None).is_ok());
}

#[test]
fn golden_leaf_vector() {
    let record = AuditRecord {
        account: "teller01".into(),
        ip: "10.1.2.3".into(),
        occurred_at_ms: 1_764_201_600_000,
        operation_code: "Z21".into(),
        conditions: "A123456789".into(),
        case_number: "2026-0001".into(),
        reason: "credit review".into(),
    };
    let salt = [0x5a; 32];
    let c = commitment(Tier::Fields, &salt, &record.canonical_bytes());
    let leaf = Leaf {
        index: 1,
        timestamp_ms: 1_764_201_600_000,
        kind: EntryKind::LOOKUP_GRANTED,
        actor: [0x11; 16],
        fields_commitment: c,
        payload_commitment: None,
    };
    let bytes = leaf.encode();
    assert_eq!(hex::encode(record.canonical_bytes()), GOLDEN_RECORD);
    assert_eq!(hex::encode(c), GOLDEN_COMMITMENT);
    assert_eq!(hex::encode(bytes), GOLDEN_LEAF);
    assert_eq!(hex::encode(leaf_hash(&bytes)), GOLDEN_LEAF_HASH);
}

const GOLDEN_RECORD: &str = "010000019ac29c14000000000874656c6c657230310000000831302e312e322e33000000035a32310000000a4131323334353637383900000009323032362d303030310000000d63726564697420726576696577";
const GOLDEN_COMMITMENT: &str = "08fecce3c2d7c413aafef0e4f2a19a77282102957ea1fe9549c312898a3d6df6";
const GOLDEN_LEAF: &str = "0100000000000000010000019ac29c14000001111111111111111111111111111111110008fecce3c2d7c413aafef0e4f2a19a77282102957ea1fe9549c312898a3d6df60000000000000000000000000000000000000000000000000000000000000000";
const GOLDEN_LEAF_HASH: &str = "fca02ef676c4a7c9fc020c9e7805ee44f89be5391da9aa19ed5a0a6780cb2ccf";

fn sample(entries: u64, every: u64, seed: u64) -> (MemoryLedger, Bundle) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let l = sample_ledger("custos.test/ledger", entries, every, &mut rng).unwrap();
    let b = l.export();
    (l, b)
}

#[test]
fn an_intact_bundle_verifies_after_deletions_and_a_key_rotation() {
    let (_, b) = sample(100, 16, 1);
    assert!(!b.tombstones.is_empty());
    assert!(b.public_keys.len() == 2);
    let json = b.to_json().unwrap();
    let b2 = Bundle::from_json(&json).unwrap();
    assert_eq!(b, b2);
    let r = verify(&b2, &VerifyOptions::default()).unwrap();
    assert!(r.intact(), "{:?}", r.findings);
    assert_eq!(r.size, 100);
    assert_eq!(r.checkpoints_verified, 7);
    assert_eq!(r.tombstones, b.tombstones.len() as u64);
    assert_eq!(r.records_checked, b.records.len() as u64);
    assert_eq!(r.unsigned_tail, 0);
}

#[test]
fn an_empty_ledger_verifies() {
    let (_, b) = sample(0, 10, 2);
    let r = verify(&b, &VerifyOptions::default()).unwrap();
    assert!(r.intact(), "{:?}", r.findings);
}

#[test]
fn a_truncated_log_resigned_with_the_stored_key_is_caught_given_an_earlier_checkpoint() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let full = sample_ledger("custos.test/ledger", 40, 10, &mut rng).unwrap();
    let trusted = full.export().checkpoints.last().unwrap().clone();

    // The attacker keeps the first 25 entries and signs a fresh checkpoint with the stored key.
    let mut b = full.export();
    b.leaves.truncate(25);
    b.records.retain(|r| r.index < 25);
    b.tombstones.retain(|t| t.index < 25);
    let store = {
        let mut t = Tree::new(MemoryNodeStore::new());
        for l in &b.leaves {
            t.append(&l.0).unwrap();
        }
        t
    };
    b.nodes = (0..store.store().level_count())
        .map(|l| custos_ledger::bundle::Bytes(store.store().level(l as u8).concat()))
        .collect();
    b.checkpoints = vec![
        Checkpoint::new("custos.test/ledger", 25, store.root())
            .sign(full.signer())
            .unwrap()
            .to_string(),
    ];
    // Without the auditor's checkpoint the forgery looks intact…
    assert!(verify(&b, &VerifyOptions::default()).unwrap().intact());
    // …with it, it is caught and the first missing index is named.
    let r = verify(
        &b,
        &VerifyOptions {
            trusted_checkpoint: Some(trusted),
            ..VerifyOptions::default()
        },
    )
    .unwrap();
    assert!(!r.intact());
    assert_eq!(r.first_bad().unwrap().location.index(), Some(25));
}

#[test]
fn a_removed_record_without_a_tombstone_is_reported() {
    let (_, mut b) = sample(20, 5, 4);
    let gone = b.records.remove(7);
    let r = verify(&b, &VerifyOptions::default()).unwrap();
    assert_eq!(
        r.first_bad().unwrap().location,
        Location::Record {
            index: gone.index,
            tier: gone.tier
        }
    );
}

#[test]
fn a_backdated_entry_is_reported_even_if_the_tree_is_rebuilt_and_resigned() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let mut l = MemoryLedger::new("custos.test/ledger", &mut rng).unwrap();
    let rec = AuditRecord {
        account: "a".into(),
        ip: "1".into(),
        occurred_at_ms: 0,
        operation_code: "x".into(),
        conditions: String::new(),
        case_number: String::new(),
        reason: String::new(),
    };
    let e = NewEntry {
        kind: EntryKind::SIGN_IN,
        actor: [0; 16],
        record: &rec,
        payload: None,
    };
    l.append(&mut rng, 10_000, &e).unwrap();
    l.append(&mut rng, 20_000, &e).unwrap();
    l.append(&mut rng, 30_000, &e).unwrap();
    let mut b = l.export();
    let mut leaf = Leaf::decode(&b.leaves[2].0).unwrap();
    leaf.timestamp_ms = 15_000;
    b.leaves[2].0 = leaf.encode().to_vec();
    b.nodes.clear();
    let mut t = Tree::new(MemoryNodeStore::new());
    for x in &b.leaves {
        t.append(&x.0).unwrap();
    }
    b.checkpoints = vec![
        Checkpoint::new("custos.test/ledger", 3, t.root())
            .sign(l.signer())
            .unwrap()
            .to_string(),
    ];
    let r = verify(&b, &VerifyOptions::default()).unwrap();
    assert_eq!(r.first_bad().unwrap().location, Location::Leaf(2));
}

/// A changed sign bit in a leaf's timestamp makes it about 292 million years early or late; the
/// verifier names the leaf instead of overflowing on the difference (found by the property
/// below on a CI run: `leaf.timestamp_ms - prev` panicked in a debug build).
#[test]
fn a_timestamp_with_its_sign_bit_changed_is_named_not_a_panic() {
    for leaf in [0usize, 5, 149] {
        let mut b = BASE.clone();
        b.leaves[leaf].0[9] ^= 0x80;
        let r = verify(&b, &VerifyOptions::default()).unwrap();
        assert!(!r.intact());
        assert_eq!(
            r.first_bad().unwrap().location.index(),
            Some(leaf as u64),
            "{:?}",
            r.findings
        );
    }
}

/// Which part of the bundle a tamper case changes.
#[derive(Debug, Clone, Copy)]
enum Target {
    Leaf,
    Node,
    Record,
    Checkpoint,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any single changed byte in a leaf, a stored node, a held record (its salt or bytes, from
    /// which the commitment is recomputed) or a checkpoint is detected, and the finding names the
    /// changed item.
    #[test]
    fn any_changed_byte_is_detected_and_named(
        target in prop_oneof![Just(Target::Leaf), Just(Target::Node), Just(Target::Record), Just(Target::Checkpoint)],
        row in any::<prop::sample::Index>(),
        byte in any::<prop::sample::Index>(),
        mask in 1u8..=255,
    ) {
        let mut b = BASE.clone();
        let expected: Location = match target {
            Target::Leaf => {
                let i = row.index(b.leaves.len());
                let pos = byte.index(b.leaves[i].0.len());
                b.leaves[i].0[pos] ^= mask;
                Location::Leaf(i as u64)
            }
            Target::Node => {
                // Pick a stored node uniformly among all levels.
                let total: usize = b.nodes.iter().map(|l| l.0.len() / 32).sum();
                let mut k = row.index(total);
                let mut level = 0;
                while k >= b.nodes[level].0.len() / 32 {
                    k -= b.nodes[level].0.len() / 32;
                    level += 1;
                }
                b.nodes[level].0[k * 32 + byte.index(32)] ^= mask;
                Location::Node(custos_ledger::tree::NodeId { level: level as u8, index: k as u64 })
            }
            Target::Record => {
                let r = &mut b.records[row.index(BASE.records.len())];
                let field = if byte.index(2) == 0 { &mut r.salt.0 } else { &mut r.canonical.0 };
                let pos = byte.index(field.len());
                field[pos] ^= mask;
                Location::Record { index: r.index, tier: r.tier }
            }
            Target::Checkpoint => {
                let ordinal = row.index(b.checkpoints.len());
                let mut bytes = b.checkpoints[ordinal].clone().into_bytes();
                // Change an ASCII byte to another ASCII byte so the note stays UTF-8 text.
                let ascii: Vec<usize> = (0..bytes.len()).filter(|&p| bytes[p].is_ascii()).collect();
                let pos = ascii[byte.index(ascii.len())];
                let m = (mask & 0x7f).max(1);
                bytes[pos] ^= m;
                b.checkpoints[ordinal] = String::from_utf8(bytes).unwrap();
                Location::Checkpoint { ordinal }
            }
        };
        let r = verify(&b, &VerifyOptions::default()).unwrap();
        prop_assert!(!r.intact());
        let first = r.first_bad().unwrap();
        match (&expected, &first.location) {
            // A changed checkpoint may fail its signature or (if it still parses) its root.
            (Location::Checkpoint { ordinal }, found) => prop_assert!(
                r.findings.iter().any(|f| f.location == Location::Checkpoint { ordinal: *ordinal }),
                "expected checkpoint #{ordinal}, first finding {found}: {:?}", r.findings
            ),
            // A changed leaf is named by its index, whichever check (encoding, node, commitment) saw it.
            (Location::Leaf(i), found) => prop_assert_eq!(found.index(), Some(*i), "{:?}", r.findings),
            (e, found) => prop_assert_eq!(found, e, "{:?}", r.findings),
        }
    }
}

static BASE: std::sync::LazyLock<Bundle> = std::sync::LazyLock::new(|| sample(150, 20, 11).1);

/// One way of damaging a bundle, for the robustness property below.
#[derive(Debug, Clone)]
enum Damage {
    /// XOR a byte of a leaf.
    LeafByte {
        leaf: prop::sample::Index,
        at: prop::sample::Index,
        mask: u8,
    },
    /// XOR a leaf's timestamp with a 64-bit mask: any, one bit, or the sign bit (which moves it
    /// by about 292 million years).
    Timestamp { leaf: prop::sample::Index, xor: u64 },
    /// Overwrite a leaf's index with any 64-bit value.
    LeafIndex {
        leaf: prop::sample::Index,
        value: u64,
    },
    /// Keep only the first leaves.
    Truncate { keep: prop::sample::Index },
    /// Copy a leaf to another position.
    DuplicateLeaf {
        leaf: prop::sample::Index,
        to: prop::sample::Index,
    },
    /// Resize a level of stored nodes (cut short, or padded with one byte value).
    ResizeLevel {
        level: prop::sample::Index,
        len: usize,
        fill: u8,
    },
    /// Add a level of stored nodes.
    ExtraLevel { len: usize, fill: u8 },
    /// Point a held record at any entry index.
    RecordIndex {
        record: prop::sample::Index,
        value: u64,
    },
    /// Hold a record twice.
    DuplicateRecord { record: prop::sample::Index },
    /// Cut a record's salt short.
    ShortSalt {
        record: prop::sample::Index,
        len: usize,
    },
    /// Point a tombstone at any entry and time.
    Tombstone {
        stone: prop::sample::Index,
        index: u64,
        at: i64,
    },
    /// Claim any tree size in a checkpoint.
    CheckpointSize {
        checkpoint: prop::sample::Index,
        size: u64,
    },
    /// Replace some characters of a checkpoint (`key: false`) or of a public key (`key: true`)
    /// with text made of the notes' own characters.
    Text {
        key: bool,
        which: prop::sample::Index,
        at: prop::sample::Index,
        len: usize,
        with: String,
    },
}

/// Text made of the characters signed notes and keys are written in.
const NOTE_TEXT: &str = "[\n\u{2014} +/=.0-9A-Za-z]{0,24}";

fn damage() -> impl Strategy<Value = Damage> {
    use prop::sample::Index;
    prop_oneof![
        (any::<Index>(), any::<Index>(), 1u8..).prop_map(|(leaf, at, mask)| Damage::LeafByte {
            leaf,
            at,
            mask
        }),
        (
            any::<Index>(),
            prop_oneof![
                any::<u64>(),
                (0u32..64).prop_map(|k| 1u64 << k),
                Just(1u64 << 63)
            ]
        )
            .prop_map(|(leaf, xor)| Damage::Timestamp { leaf, xor }),
        (any::<Index>(), any::<u64>()).prop_map(|(leaf, value)| Damage::LeafIndex { leaf, value }),
        any::<Index>().prop_map(|keep| Damage::Truncate { keep }),
        (any::<Index>(), any::<Index>()).prop_map(|(leaf, to)| Damage::DuplicateLeaf { leaf, to }),
        (any::<Index>(), 0usize..2_000, any::<u8>())
            .prop_map(|(level, len, fill)| Damage::ResizeLevel { level, len, fill }),
        (0usize..200, any::<u8>()).prop_map(|(len, fill)| Damage::ExtraLevel { len, fill }),
        (any::<Index>(), any::<u64>())
            .prop_map(|(record, value)| Damage::RecordIndex { record, value }),
        any::<Index>().prop_map(|record| Damage::DuplicateRecord { record }),
        (any::<Index>(), 0usize..40).prop_map(|(record, len)| Damage::ShortSalt { record, len }),
        (any::<Index>(), any::<u64>(), any::<i64>())
            .prop_map(|(stone, index, at)| Damage::Tombstone { stone, index, at }),
        (any::<Index>(), any::<u64>())
            .prop_map(|(checkpoint, size)| Damage::CheckpointSize { checkpoint, size }),
        (
            any::<bool>(),
            any::<Index>(),
            any::<Index>(),
            0usize..30,
            NOTE_TEXT
        )
            .prop_map(|(key, which, at, len, with)| Damage::Text {
                key,
                which,
                at,
                len,
                with
            }),
    ]
}

/// The bytes of the leaf `leaf` picks (the bundle has leaves).
fn leaf_bytes(b: &mut Bundle, leaf: prop::sample::Index) -> &mut Vec<u8> {
    let i = leaf.index(b.leaves.len());
    &mut b.leaves[i].0
}

fn apply(b: &mut Bundle, d: &Damage) {
    match d {
        Damage::LeafByte { leaf, at, mask } if !b.leaves.is_empty() => {
            let l = leaf_bytes(b, *leaf);
            let p = at.index(l.len());
            l[p] ^= mask;
        }
        Damage::Timestamp { leaf, xor } if !b.leaves.is_empty() => {
            let l = leaf_bytes(b, *leaf);
            let mut ts = [0u8; 8];
            ts.copy_from_slice(&l[9..17]);
            l[9..17].copy_from_slice(&(u64::from_be_bytes(ts) ^ xor).to_be_bytes());
        }
        Damage::LeafIndex { leaf, value } if !b.leaves.is_empty() => {
            leaf_bytes(b, *leaf)[1..9].copy_from_slice(&value.to_be_bytes());
        }
        Damage::Truncate { keep } => {
            let k = keep.index(b.leaves.len() + 1);
            b.leaves.truncate(k);
        }
        Damage::DuplicateLeaf { leaf, to } if !b.leaves.is_empty() => {
            let l = b.leaves[leaf.index(b.leaves.len())].clone();
            let at = to.index(b.leaves.len());
            b.leaves.insert(at, l);
        }
        Damage::ResizeLevel { level, len, fill } if !b.nodes.is_empty() => {
            let i = level.index(b.nodes.len());
            b.nodes[i].0.resize(*len, *fill);
        }
        Damage::ExtraLevel { len, fill } => {
            b.nodes
                .push(custos_ledger::bundle::Bytes(vec![*fill; *len]));
        }
        Damage::RecordIndex { record, value } if !b.records.is_empty() => {
            let i = record.index(b.records.len());
            b.records[i].index = *value;
        }
        Damage::DuplicateRecord { record } if !b.records.is_empty() => {
            let r = b.records[record.index(b.records.len())].clone();
            b.records.push(r);
        }
        Damage::ShortSalt { record, len } if !b.records.is_empty() => {
            let i = record.index(b.records.len());
            b.records[i].salt.0.truncate(*len);
        }
        Damage::Tombstone { stone, index, at } if !b.tombstones.is_empty() => {
            let i = stone.index(b.tombstones.len());
            b.tombstones[i].index = *index;
            b.tombstones[i].deleted_at_ms = *at;
        }
        Damage::CheckpointSize { checkpoint, size } if !b.checkpoints.is_empty() => {
            let i = checkpoint.index(b.checkpoints.len());
            let mut lines: Vec<String> = b.checkpoints[i].lines().map(String::from).collect();
            if lines.len() > 1 {
                lines[1] = size.to_string();
            }
            b.checkpoints[i] = lines.join("\n") + "\n";
        }
        Damage::Text {
            key,
            which,
            at,
            len,
            with,
        } => {
            let texts = if *key {
                &mut b.public_keys
            } else {
                &mut b.checkpoints
            };
            if !texts.is_empty() {
                let i = which.index(texts.len());
                let chars: Vec<char> = texts[i].chars().collect();
                let from = at.index(chars.len() + 1);
                let to = (from + len).min(chars.len());
                texts[i] = chars[..from]
                    .iter()
                    .copied()
                    .chain(with.chars())
                    .chain(chars[to..].iter().copied())
                    .collect();
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// An auditor's bundle may be damaged in any way: several changes at once — any timestamp,
    /// index or tree size, leaves cut or repeated, node levels resized, records and tombstones
    /// pointed anywhere, checkpoints and keys rewritten — give a report or an error, never a
    /// panic (the property above changes
    /// one byte; the sign-bit case it found is pinned in its own test).
    #[test]
    fn no_damage_to_a_bundle_panics_the_verifier(damages in prop::collection::vec(damage(), 1..6)) {
        let mut b = BASE.clone();
        for d in &damages {
            apply(&mut b, d);
        }
        // Unreadable (an error) or read with findings: both are answers; a panic fails.
        let _ = verify(&b, &VerifyOptions::default());
    }

    /// The text parsers behind the bundle and the auditor's trusted checkpoint and keys take any
    /// text, and the record decoder any bytes, without a panic.
    #[test]
    fn the_parsers_take_any_text(
        text in prop_oneof![NOTE_TEXT, "\\PC{0,120}"],
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let note = format!("{}\n\n{text}", BASE.checkpoints[0].split("\n\n").next().unwrap_or(""));
        for t in [text.as_str(), note.as_str()] {
            let _ = SignedNote::parse(t);
            let _ = Checkpoint::parse_body(t);
            let _ = custos_ledger::note::NoteVerifier::parse(t);
            let _ = custos_ledger::cosignature::CosignatureVerifier::parse(t);
            let options = VerifyOptions { trusted_checkpoint: Some(t.to_owned()), ..VerifyOptions::default() };
            let _ = verify(&BASE, &options);
        }
        let _ = AuditRecord::from_canonical_bytes(&bytes);
    }
}
