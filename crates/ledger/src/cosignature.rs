//! Witness cosignatures of checkpoints (C2SP `tlog-cosignature`, Ed25519 type).
//!
//! A witness states "as of time T, this is the largest consistent tree head I have seen for this
//! log" by adding a signature line to the checkpoint note. The signed message is
//! `cosignature/v1\ntime <T>\n` followed by the checkpoint body; the signature bytes are
//! `timestamp (u64, big-endian) || Ed25519 signature`; the key id is
//! `SHA-256(name || 0x0A || 0x04 || public key)[:4]`. Cosignature lines ride along in the note and
//! are ignored by [`crate::checkpoint::Checkpoint::open`]; [`CosignatureVerifier::verify`] checks
//! them for an auditor or a policy that requires witnesses.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand_core::CryptoRng;

use crate::note::{NoteError, NoteSignature, SignedNote, is_valid_key_name, typed_key_id};

/// Signature type byte of Ed25519 cosignatures (tlog-cosignature v1).
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

fn message(timestamp_s: u64, body: &str) -> String {
    format!("cosignature/v1\ntime {timestamp_s}\n{body}")
}

fn cosigner_key_id(name: &str, public: &VerifyingKey) -> u32 {
    typed_key_id(name, ALG_COSIGNATURE_V1, public)
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

impl Cosigner {
    /// A fresh cosigning key.
    pub fn generate(name: &str, rng: &mut impl CryptoRng) -> Result<Self, NoteError> {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        Self::from_seed(name, &seed)
    }

    /// The cosigning key with this Ed25519 seed.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::KeyName(name.to_owned()));
        }
        let key = SigningKey::from_bytes(seed);
        Ok(Self {
            name: name.to_owned(),
            id: cosigner_key_id(name, &key.verifying_key()),
            key,
        })
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
        let mut parts = vkey.trim().splitn(3, '+');
        let (Some(name), Some(hex_id), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(NoteError::Key("expected name+id+key"));
        };
        if !is_valid_key_name(name) {
            return Err(NoteError::KeyName(name.to_owned()));
        }
        let id = u32::from_str_radix(hex_id, 16).map_err(|_| NoteError::Key("key id not hex"))?;
        let bytes = B64
            .decode(b64)
            .map_err(|_| NoteError::Key("key not base64"))?;
        if hex_id.len() != 8 || bytes.len() != 33 || bytes[0] != ALG_COSIGNATURE_V1 {
            return Err(NoteError::Key("not an Ed25519 cosignature key"));
        }
        let mut pk = [0u8; 32];
        pk.copy_from_slice(&bytes[1..]);
        let key = VerifyingKey::from_bytes(&pk).map_err(|_| NoteError::Key("bad Ed25519 point"))?;
        if cosigner_key_id(name, &key) != id {
            return Err(NoteError::Key("key id does not match the key"));
        }
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
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
        let mut k = vec![ALG_COSIGNATURE_V1];
        k.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{:08x}+{}", self.name, self.id, B64.encode(k))
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
