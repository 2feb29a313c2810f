//! C2SP tlog checkpoints (`c2sp.org/tlog-checkpoint`): the signed statement "the log called
//! `origin` had `size` entries with root `root`".
//!
//! Body: the origin line, the decimal tree size, the base64 root hash, then optional extension
//! lines, each ending in a newline. The log signs it as a signed note whose key name is the origin.
//! Old public keys stay in the key ring after a rotation so earlier checkpoints still verify.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::hash::Hash;
use crate::note::{NoteError, NoteSigner, NoteVerifier, SignedNote};

/// A checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin (e.g. `custos.example-bank.tw/ledger`); also the signing key's name.
    pub origin: String,
    /// Number of entries.
    pub size: u64,
    /// RFC 6962 root of the first `size` entries.
    pub root: Hash,
    /// Extension lines (without newlines); Custos writes none and keeps those it reads.
    pub extensions: Vec<String>,
}

/// Errors of checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The body does not parse.
    #[error("檢查點格式錯誤 / malformed checkpoint: {0}")]
    Format(&'static str),
    /// The origin differs from the expected one.
    #[error("檢查點來源不符 / checkpoint origin {found:?}, expected {expected:?}")]
    Origin {
        /// Origin in the checkpoint.
        found: String,
        /// Origin expected.
        expected: String,
    },
    /// The signature does not verify, or no trusted key signed.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// No verified signature is by a key named like the origin.
    #[error("檢查點未由日誌金鑰簽署 / checkpoint not signed by the log's key")]
    NotSignedByLog,
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: &str, size: u64, root: Hash) -> Self {
        Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The note text.
    pub fn body(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Parses a note text into a checkpoint.
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::Format("body must end with a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(CheckpointError::Format("missing origin"))?;
        let size_line = lines
            .next()
            .ok_or(CheckpointError::Format("missing size"))?;
        // Decimal without sign or leading zeros, so one size has exactly one encoding.
        if size_line.is_empty()
            || !size_line.bytes().all(|b| b.is_ascii_digit())
            || (size_line.len() > 1 && size_line.starts_with('0'))
        {
            return Err(CheckpointError::Format("size is not a canonical decimal"));
        }
        let size = size_line
            .parse()
            .map_err(|_| CheckpointError::Format("size out of range"))?;
        let root_b64 = lines
            .next()
            .ok_or(CheckpointError::Format("missing root"))?;
        let root: Hash = B64
            .decode(root_b64)
            .ok()
            .and_then(|r| r.try_into().ok())
            .ok_or(CheckpointError::Format("root is not a base64 SHA-256 hash"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(CheckpointError::Format("empty extension line"));
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// Signs the checkpoint with the log's key.
    pub fn sign(&self, signer: &NoteSigner) -> Result<SignedNote, CheckpointError> {
        let mut note = SignedNote::new(&self.body())?;
        note.sign(signer);
        Ok(note)
    }

    /// Parses and verifies a signed checkpoint: at least one valid signature by a key named like
    /// the origin among `keys`, and the origin equal to `expected_origin` when given.
    pub fn open(
        note_text: &str,
        keys: &[NoteVerifier],
        expected_origin: Option<&str>,
    ) -> Result<(Self, SignedNote), CheckpointError> {
        let note = SignedNote::parse(note_text)?;
        let cp = Self::parse_body(note.text())?;
        if let Some(expected) = expected_origin
            && expected != cp.origin
        {
            return Err(CheckpointError::Origin {
                found: cp.origin,
                expected: expected.to_owned(),
            });
        }
        let verified = note.verify(keys)?;
        if !verified.iter().any(|s| s.name == cp.origin) {
            return Err(CheckpointError::NotSignedByLog);
        }
        Ok((cp, note))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_body_round_trips_and_verifies_after_rotation() {
        let old = NoteSigner::from_seed("custos.test/ledger", &[1; 32]).unwrap();
        let new = NoteSigner::from_seed("custos.test/ledger", &[2; 32]).unwrap();
        let cp = Checkpoint::new("custos.test/ledger", 5, [9; 32]);
        let n1 = cp.sign(&old).unwrap().to_string();
        let n2 = cp.sign(&new).unwrap().to_string();
        let ring = [old.verifier(), new.verifier()];
        assert_eq!(
            Checkpoint::open(&n1, &ring, Some("custos.test/ledger"))
                .unwrap()
                .0,
            cp
        );
        assert_eq!(Checkpoint::open(&n2, &ring, None).unwrap().0, cp);
        assert!(Checkpoint::open(&n1, &ring[1..], None).is_err());
        assert!(matches!(
            Checkpoint::open(&n1, &ring, Some("other")),
            Err(CheckpointError::Origin { .. })
        ));
    }

    #[test]
    fn non_canonical_sizes_and_roots_are_rejected() {
        assert!(Checkpoint::parse_body("o\n05\nAAAA\n").is_err());
        assert!(Checkpoint::parse_body("o\n+5\nAAAA\n").is_err());
        assert!(Checkpoint::parse_body("o\n5\nAAAA\n").is_err());
        let ok = Checkpoint::new("o", 0, [0; 32]).body();
        assert_eq!(Checkpoint::parse_body(&ok).unwrap().size, 0);
    }

    #[test]
    fn a_key_named_differently_from_the_origin_does_not_make_a_checkpoint() {
        let witness = NoteSigner::from_seed("witness.test", &[3; 32]).unwrap();
        let cp = Checkpoint::new("custos.test/ledger", 1, [0; 32]);
        let n = cp.sign(&witness).unwrap().to_string();
        assert_eq!(
            Checkpoint::open(&n, &[witness.verifier()], None),
            Err(CheckpointError::NotSignedByLog)
        );
    }
}
