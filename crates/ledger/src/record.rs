//! Entry records: the J4.11 fields tier and the optional result-payload tier, their salted
//! commitments, per-record encryption, tombstones, the keyed blind index and the entry clock.
//!
//! Invariants:
//! - A tier's commitment is `SHA-256(salt || tag || canonical bytes)` with a fresh random 32-byte
//!   salt per tier (tag `F` for fields, `P` for payload). Without the salt, an ID and a date cannot
//!   be brute-forced against the public leaf.
//! - Each tier is encrypted (XChaCha20-Poly1305) under its own random data key; the data key is
//!   stored wrapped under the installation's key-encryption key. Deleting a tier destroys its salt,
//!   data key and ciphertext together and leaves a [`Tombstone`]; the leaf is untouched.
//! - Subjects (national ID, UBN) are searched through [`blind_index`], never a plain column.
//! - Entry timestamps never go backwards ([`EntryClock`]); a jump is reported, not hidden.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::hash::Hash;

/// The two storage tiers of a record, kept for different periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// The J4.11 log fields; kept for the log's retention (5 years by default).
    Fields,
    /// The lookup result payload; kept only as long as its policy allows (e.g. J6.1: one month).
    Payload,
}

impl Tier {
    fn tag(self) -> u8 {
        match self {
            Tier::Fields => b'F',
            Tier::Payload => b'P',
        }
    }
}

/// A tier's random salt (32 bytes), stored with the record and destroyed with it.
pub type Salt = [u8; 32];

/// The commitment of one tier: `SHA-256(salt || tag || canonical)`.
pub fn commitment(tier: Tier, salt: &Salt, canonical: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(salt);
    h.update([tier.tag()]);
    h.update(canonical);
    h.finalize().into()
}

/// The J4.11 log fields of one entry: account, IP, date and time, operation code, query
/// conditions, case number and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The acting account's user name.
    pub account: String,
    /// The client IP address as text.
    pub ip: String,
    /// When it happened, unix milliseconds (date and time of J4.11).
    pub occurred_at_ms: i64,
    /// The operation code (e.g. the JCIC product code, or the security event name).
    pub operation_code: String,
    /// The query conditions as entered (may contain the subject's ID).
    pub conditions: String,
    /// The case number the lookup belongs to.
    pub case_number: String,
    /// The stated reason (purpose).
    pub reason: String,
}

const RECORD_VERSION: u8 = 0x01;

impl AuditRecord {
    /// The canonical bytes: version `0x01`, `occurred_at_ms` (i64 BE), then account, ip,
    /// operation code, conditions, case number, reason, each as u32 BE length + UTF-8.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let strings = [
            &self.account,
            &self.ip,
            &self.operation_code,
            &self.conditions,
            &self.case_number,
            &self.reason,
        ];
        let mut out = Vec::with_capacity(9 + strings.iter().map(|s| 4 + s.len()).sum::<usize>());
        out.push(RECORD_VERSION);
        out.extend_from_slice(&self.occurred_at_ms.to_be_bytes());
        for s in strings {
            out.extend_from_slice(&(s.len() as u32).to_be_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        out
    }

    /// Parses canonical bytes back into a record.
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Self, RecordError> {
        let mut r = Reader(bytes);
        if r.take(1)? != [RECORD_VERSION] {
            return Err(RecordError::Malformed("unknown record version"));
        }
        let mut ts = [0u8; 8];
        ts.copy_from_slice(r.take(8)?);
        let mut next = || -> Result<String, RecordError> {
            let mut len = [0u8; 4];
            len.copy_from_slice(r.take(4)?);
            let s = r.take(u32::from_be_bytes(len) as usize)?;
            String::from_utf8(s.to_vec()).map_err(|_| RecordError::Malformed("field not UTF-8"))
        };
        let rec = Self {
            occurred_at_ms: i64::from_be_bytes(ts),
            account: next()?,
            ip: next()?,
            operation_code: next()?,
            conditions: next()?,
            case_number: next()?,
            reason: next()?,
        };
        if r.0.is_empty() {
            Ok(rec)
        } else {
            Err(RecordError::Malformed("trailing bytes"))
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], RecordError> {
        if self.0.len() < n {
            return Err(RecordError::Malformed("truncated record"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
}

/// Errors of record handling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The canonical bytes do not parse.
    #[error("紀錄格式錯誤 / malformed record: {0}")]
    Malformed(&'static str),
    /// Decryption failed: wrong key, or the ciphertext was altered.
    #[error("紀錄解密失敗 / record decryption failed (wrong key or altered ciphertext)")]
    Decrypt,
    /// Encryption failed.
    #[error("紀錄加密失敗 / record encryption failed")]
    Encrypt,
    /// The decrypted record does not match the leaf's commitment.
    #[error("紀錄與承諾值不符 / record does not match its commitment")]
    Commitment,
}

/// A 32-byte symmetric key (a record's data key, or the key-encryption key that wraps data keys).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(pub [u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// A fresh random key.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut k = [0u8; 32];
        rng.fill_bytes(&mut k);
        Self(k)
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        // Best effort: the key does not outlive its holder in this process's memory.
        self.0 = [0u8; 32];
    }
}

/// Authenticated encryption of `plaintext` under `key` with a fresh 24-byte nonce; the output is
/// `nonce || ciphertext+tag`. `aad` binds the ciphertext to its context.
pub fn encrypt(
    rng: &mut impl CryptoRng,
    key: &SecretKey,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, RecordError> {
    let cipher = XChaCha20Poly1305::new((&key.0).into());
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| RecordError::Encrypt)?;
    let mut out = Vec::with_capacity(24 + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Reverses [`encrypt`].
pub fn decrypt(key: &SecretKey, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, RecordError> {
    if sealed.len() < 24 {
        return Err(RecordError::Decrypt);
    }
    let (nonce, ct) = sealed.split_at(24);
    let mut n = [0u8; 24];
    n.copy_from_slice(nonce);
    XChaCha20Poly1305::new((&key.0).into())
        .decrypt(&XNonce::from(n), Payload { msg: ct, aad })
        .map_err(|_| RecordError::Decrypt)
}

/// One tier of a record as stored apart from the tree: salt, wrapped data key and ciphertext.
/// Deleting the tier deletes this whole value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedTier {
    /// Which tier.
    pub tier: Tier,
    /// The random salt of the commitment.
    pub salt: Salt,
    /// The data key, encrypted under the key-encryption key (`nonce || ciphertext`).
    pub wrapped_key: Vec<u8>,
    /// The canonical bytes, encrypted under the data key (`nonce || ciphertext`).
    pub ciphertext: Vec<u8>,
}

impl SealedTier {
    /// Seals canonical bytes: draws a salt and a data key, encrypts, wraps the data key under
    /// `kek`, and returns the sealed tier with its commitment (which goes into the leaf).
    pub fn seal(
        rng: &mut impl CryptoRng,
        kek: &SecretKey,
        tier: Tier,
        canonical: &[u8],
    ) -> Result<(Self, Hash), RecordError> {
        let mut salt = [0u8; 32];
        rng.fill_bytes(&mut salt);
        let data_key = SecretKey::generate(rng);
        let aad = Self::aad(tier, &salt);
        let ciphertext = encrypt(rng, &data_key, &aad, canonical)?;
        let wrapped_key = encrypt(rng, kek, &aad, &data_key.0)?;
        let c = commitment(tier, &salt, canonical);
        Ok((
            Self {
                tier,
                salt,
                wrapped_key,
                ciphertext,
            },
            c,
        ))
    }

    /// Decrypts the canonical bytes and checks them against the leaf's commitment.
    pub fn open(&self, kek: &SecretKey, expected: &Hash) -> Result<Vec<u8>, RecordError> {
        let plain = self.decrypt(kek)?;
        if &commitment(self.tier, &self.salt, &plain) == expected {
            Ok(plain)
        } else {
            Err(RecordError::Commitment)
        }
    }

    /// Decrypts the canonical bytes without checking the commitment (the bundle verifier checks
    /// it against the leaf).
    pub fn decrypt(&self, kek: &SecretKey) -> Result<Vec<u8>, RecordError> {
        let aad = Self::aad(self.tier, &self.salt);
        let key_bytes = decrypt(kek, &aad, &self.wrapped_key)?;
        let mut k = [0u8; 32];
        if key_bytes.len() != 32 {
            return Err(RecordError::Decrypt);
        }
        k.copy_from_slice(&key_bytes);
        let data_key = SecretKey(k);
        decrypt(&data_key, &aad, &self.ciphertext)
    }

    fn aad(tier: Tier, salt: &Salt) -> Vec<u8> {
        let mut aad = b"custos-ledger/record/v1".to_vec();
        aad.push(tier.tag());
        aad.extend_from_slice(salt);
        aad
    }
}

/// What is left of a deleted tier: which entry and tier, when, and under which rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    /// The entry's index.
    pub index: u64,
    /// The deleted tier.
    pub tier: Tier,
    /// When the deletion ran, unix milliseconds.
    pub deleted_at_ms: i64,
    /// The retention rule that made the deletion due (e.g. `J6.1`, `J1.6`).
    pub rule: String,
}

/// The keyed blind index of a subject identifier: `HMAC-SHA256(key, "custos-subject/v1" || 0x00 ||
/// id)`, with `id` already normalised by the caller (upper-case, no spaces). Searching compares
/// these values; the identifier itself is never stored in a column.
pub fn blind_index(key: &SecretKey, normalised_subject_id: &str) -> Hash {
    // HMAC pads a key shorter than the block (64 bytes) with zeros, so this equals HMAC under the
    // 32-byte key, without a fallible variable-length constructor.
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(&key.0);
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
    mac.update(b"custos-subject/v1\0");
    mac.update(normalised_subject_id.as_bytes());
    mac.finalize().into_bytes().into()
}

/// A clock observation the ledger flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockJump {
    /// The clock read earlier than the previous entry; the entry keeps the previous timestamp.
    Backwards {
        /// How far back, in milliseconds.
        by_ms: i64,
    },
    /// The clock moved forward by more than the threshold since the previous entry.
    Forwards {
        /// How far forward, in milliseconds.
        by_ms: i64,
    },
}

/// Assigns entry timestamps that never go backwards and flags clock jumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryClock {
    last_ms: Option<i64>,
    jump_threshold_ms: i64,
}

impl EntryClock {
    /// A clock that starts after `last_ms` (the newest stored entry's timestamp, if any) and flags
    /// forward jumps larger than `jump_threshold_ms`.
    pub fn new(last_ms: Option<i64>, jump_threshold_ms: i64) -> Self {
        Self {
            last_ms,
            jump_threshold_ms,
        }
    }

    /// The timestamp for an entry observed at `now_ms`, and the jump to flag, if any.
    pub fn stamp(&mut self, now_ms: i64) -> (i64, Option<ClockJump>) {
        let (ts, jump) = match self.last_ms {
            Some(last) if now_ms < last => (
                last,
                Some(ClockJump::Backwards {
                    by_ms: last.saturating_sub(now_ms),
                }),
            ),
            Some(last) if now_ms.saturating_sub(last) > self.jump_threshold_ms => (
                now_ms,
                Some(ClockJump::Forwards {
                    by_ms: now_ms.saturating_sub(last),
                }),
            ),
            _ => (now_ms, None),
        };
        self.last_ms = Some(ts);
        (ts, jump)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn record() -> AuditRecord {
        AuditRecord {
            account: "teller01".into(),
            ip: "10.1.2.3".into(),
            occurred_at_ms: 1_764_201_600_000,
            operation_code: "Z21".into(),
            conditions: "A123456789".into(),
            case_number: "2026-北-0001".into(),
            reason: "授信審核".into(),
        }
    }

    #[test]
    fn an_audit_record_round_trips_through_canonical_bytes() {
        let r = record();
        assert_eq!(
            AuditRecord::from_canonical_bytes(&r.canonical_bytes()).unwrap(),
            r
        );
        let mut b = r.canonical_bytes();
        b.push(0);
        assert!(AuditRecord::from_canonical_bytes(&b).is_err());
        assert!(AuditRecord::from_canonical_bytes(&b[..10]).is_err());
    }

    #[test]
    fn a_sealed_tier_opens_only_with_its_key_and_unaltered_ciphertext() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let kek = SecretKey::generate(&mut rng);
        let bytes = record().canonical_bytes();
        let (sealed, c) = SealedTier::seal(&mut rng, &kek, Tier::Fields, &bytes).unwrap();
        assert_eq!(sealed.open(&kek, &c).unwrap(), bytes);
        assert!(!sealed.ciphertext.windows(10).any(|w| w == b"A123456789"));
        let other = SecretKey::generate(&mut rng);
        assert_eq!(sealed.open(&other, &c), Err(RecordError::Decrypt));
        let mut altered = sealed.clone();
        altered.ciphertext[30] ^= 1;
        assert_eq!(altered.open(&kek, &c), Err(RecordError::Decrypt));
        assert_eq!(sealed.open(&kek, &[0u8; 32]), Err(RecordError::Commitment));
    }

    #[test]
    fn the_same_record_gets_a_different_commitment_each_time() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let kek = SecretKey::generate(&mut rng);
        let b = record().canonical_bytes();
        let (_, c1) = SealedTier::seal(&mut rng, &kek, Tier::Fields, &b).unwrap();
        let (_, c2) = SealedTier::seal(&mut rng, &kek, Tier::Fields, &b).unwrap();
        assert_ne!(c1, c2);
    }

    #[test]
    fn blind_index_depends_on_key_and_identifier() {
        let k1 = SecretKey([1; 32]);
        let k2 = SecretKey([2; 32]);
        assert_eq!(
            blind_index(&k1, "A123456789"),
            blind_index(&k1, "A123456789")
        );
        assert_ne!(
            blind_index(&k1, "A123456789"),
            blind_index(&k2, "A123456789")
        );
        assert_ne!(
            blind_index(&k1, "A123456789"),
            blind_index(&k1, "A123456780")
        );
    }

    #[test]
    fn entry_clock_never_goes_backwards_and_flags_jumps() {
        let mut c = EntryClock::new(Some(1_000), 60_000);
        assert_eq!(c.stamp(2_000), (2_000, None));
        assert_eq!(
            c.stamp(1_500),
            (2_000, Some(ClockJump::Backwards { by_ms: 500 }))
        );
        assert_eq!(c.stamp(2_000), (2_000, None));
        assert_eq!(
            c.stamp(100_000),
            (100_000, Some(ClockJump::Forwards { by_ms: 98_000 }))
        );
    }
}
