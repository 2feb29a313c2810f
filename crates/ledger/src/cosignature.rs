//! Witness cosignatures of checkpoints (C2SP `tlog-cosignature`, Ed25519 type).
//!
//! A witness states "as of time T, this is the largest consistent tree head I have seen for this
//! log" by adding a signature line to the checkpoint note. The signed message is
//! `cosignature/v1\ntime <T>\n` followed by the checkpoint body; the signature bytes are
//! `timestamp (u64, big-endian) || Ed25519 signature`; the key id is
//! `SHA-256(name || 0x0A || 0x04 || public key)[:4]`. Cosignature lines ride along in the note and
//! are ignored by [`crate::checkpoint::Checkpoint::open`]; [`CosignatureVerifier::verify`] checks
//! them for an auditor or a policy that requires witnesses.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand_core::CryptoRng;

use crate::note::{NamedKey, NoteError, NoteSignature, SignedNote, format_vkey, parse_vkey};

/// Signature type byte of Ed25519 cosignatures (tlog-cosignature v1).
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

fn message(timestamp_s: u64, body: &str) -> String {
    format!("cosignature/v1\ntime {timestamp_s}\n{body}")
}

/// A witness's private cosigning key.
#[derive(Clone)]
pub struct Cosigner {
    name: String,
    id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for Cosigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cosigner({}+{:08x})", self.name, self.id)
    }
}

impl From<NamedKey> for Cosigner {
    fn from(k: NamedKey) -> Self {
        Self {
            name: k.name,
            id: k.id,
            key: k.key,
        }
    }
}

impl Cosigner {
    /// A fresh cosigning key.
    pub fn generate(name: &str, rng: &mut impl CryptoRng) -> Result<Self, NoteError> {
        NamedKey::generate(name, ALG_COSIGNATURE_V1, rng).map(Self::from)
    }

    /// The cosigning key with this Ed25519 seed.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        NamedKey::from_seed(name, ALG_COSIGNATURE_V1, seed).map(Self::from)
    }

    /// The matching public key.
    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// Cosigns a checkpoint note at `timestamp_s` (POSIX seconds, at most 2^63 − 1); attach the
    /// result with [`SignedNote::add_signature`].
    pub fn cosign(&self, note: &SignedNote, timestamp_s: u64) -> NoteSignature {
        let sig = self.key.sign(message(timestamp_s, note.text()).as_bytes());
        let mut bytes = timestamp_s.to_be_bytes().to_vec();
        bytes.extend_from_slice(&sig.to_bytes());
        NoteSignature {
            name: self.name.clone(),
            id: self.id,
            sig: bytes,
        }
    }
}

/// A witness's public key: `name+hexid+base64(0x04||pubkey)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    /// Parses a vkey with signature type 0x04.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let (name, id, key) =
            parse_vkey(vkey, ALG_COSIGNATURE_V1, "not an Ed25519 cosignature key")?;
        Ok(Self { name, id, key })
    }

    /// The witness name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Finds this witness's cosignature on `note` and checks it; returns its timestamp.
    pub fn verify(&self, note: &SignedNote) -> Result<u64, NoteError> {
        let sig = note
            .signatures()
            .iter()
            .find(|s| s.name == self.name && s.id == self.id)
            .ok_or(NoteError::Unverified)?;
        let bad = || NoteError::BadSignature {
            name: self.name.clone(),
            id: self.id,
        };
        let (ts, ed) = sig.sig.split_at_checked(8).ok_or_else(bad)?;
        let ed: [u8; 64] = ed.try_into().map_err(|_| bad())?;
        let mut t = [0u8; 8];
        t.copy_from_slice(ts);
        let timestamp = u64::from_be_bytes(t);
        if timestamp > i64::MAX as u64 {
            return Err(bad());
        }
        self.key
            .verify_strict(
                message(timestamp, note.text()).as_bytes(),
                &Signature::from_bytes(&ed),
            )
            .map_err(|_| bad())?;
        Ok(timestamp)
    }
}

impl std::fmt::Display for CosignatureVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        format_vkey(f, &self.name, self.id, ALG_COSIGNATURE_V1, &self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Checkpoint;
    use crate::note::NoteSigner;

    // The example of the tlog-cosignature specification.
    const SPEC_EXAMPLE: &str = "example.com/behind-the-sofa\n20852163\n\
        CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\
        \u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
        \u{2014} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";

    #[test]
    fn the_specification_example_parses_with_its_timestamp() {
        let note = SignedNote::parse(SPEC_EXAMPLE).unwrap();
        let cosig = &note.signatures()[1];
        assert_eq!(cosig.name, "witness.example.com/w1");
        assert_eq!(cosig.sig.len(), 8 + 64);
        assert_eq!(
            u64::from_be_bytes(cosig.sig[..8].try_into().unwrap()),
            1_679_315_147
        );
        assert_eq!(
            Checkpoint::parse_body(note.text()).unwrap().size,
            20_852_163
        );
    }

    #[test]
    fn a_cosignature_verifies_and_binds_the_checkpoint_and_time() {
        let log = NoteSigner::from_seed("custos.test/ledger", &[1; 32]).unwrap();
        let witness = Cosigner::from_seed("witness.test/w1", &[2; 32]).unwrap();
        let v = CosignatureVerifier::parse(&witness.verifier().to_string()).unwrap();
        assert_eq!(v, witness.verifier());
        let mut note = Checkpoint::new("custos.test/ledger", 9, [3; 32])
            .sign(&log)
            .unwrap();
        note.add_signature(witness.cosign(&note, 1_764_201_600));
        let text = note.to_string();
        let parsed = SignedNote::parse(&text).unwrap();
        assert_eq!(v.verify(&parsed).unwrap(), 1_764_201_600);
        // The log's own check ignores the witness line.
        assert!(Checkpoint::open(&text, &[log.verifier()], None).is_ok());
        // Another body, or a changed time, fails.
        let other = Checkpoint::new("custos.test/ledger", 10, [3; 32])
            .sign(&log)
            .unwrap();
        let mut moved = other.clone();
        moved.add_signature(parsed.signatures()[1].clone());
        assert!(v.verify(&moved).is_err());
        let mut retimed = parsed.signatures()[1].clone();
        retimed.sig[7] ^= 1;
        let mut n = SignedNote::parse(&text).unwrap();
        n.add_signature(retimed);
        assert!(v.verify(&n).is_err());
        // A log key is not a cosignature key (different type byte, different id).
        assert!(CosignatureVerifier::parse(&log.verifier().to_string()).is_err());
    }
}
