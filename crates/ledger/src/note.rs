//! C2SP signed notes (`c2sp.org/signed-note`) with Ed25519 keys.
//!
//! A note is UTF-8 text ending in a newline, a blank line, then one line per signature:
//! `— <key name> <base64(key id (4 bytes, BE) || signature)>`. The key id of an Ed25519 key is the
//! first four bytes of `SHA-256(name || 0x0A || 0x01 || public key)`. Keys use the encodings of
//! Go's `sumdb/note`: verifier `name+hexid+base64(0x01||pubkey)`, signer
//! `PRIVATE+KEY+name+hexid+base64(0x01||seed)`, so other signed-note tools read them.
//!
//! Invariant: [`SignedNote::verify`] accepts a note only if at least one signature is by a known
//! key and every signature by a known key is valid; signatures by unknown keys (e.g. witnesses)
//! are carried along untouched.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};

/// Signature type byte of Ed25519 keys in signed notes.
pub const ALG_ED25519: u8 = 0x01;
const SIG_PREFIX: &str = "\u{2014} ";

/// Errors of signed notes and their keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// A key name is empty or holds a space or `+`.
    #[error("金鑰名稱不合法 / invalid key name {0:?}")]
    KeyName(String),
    /// A key string does not parse.
    #[error("金鑰格式錯誤 / malformed key: {0}")]
    Key(&'static str),
    /// The note's text or signature lines do not parse.
    #[error("簽章文件格式錯誤 / malformed signed note: {0}")]
    Format(&'static str),
    /// A signature by a known key does not verify.
    #[error("簽章無效 / invalid signature by {name}+{id:08x}")]
    BadSignature {
        /// Key name.
        name: String,
        /// Key id.
        id: u32,
    },
    /// No signature is by a known key.
    #[error("沒有可信任金鑰的簽章 / no signature by a trusted key")]
    Unverified,
}

/// Whether `name` is a valid key name: non-empty, without whitespace or `+`.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The signed-note key id: `SHA-256(name || 0x0A || alg || key)[..4]`, big-endian.
pub fn key_id(name: &str, alg_and_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([0x0A]);
    h.update(alg_and_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// The key id of an Ed25519 public key used with signature type `alg` (0x01 note signatures,
/// 0x04 witness cosignatures).
pub(crate) fn typed_key_id(name: &str, alg: u8, public: &VerifyingKey) -> u32 {
    let mut k = [0u8; 33];
    k[0] = alg;
    k[1..].copy_from_slice(public.as_bytes());
    key_id(name, &k)
}

/// An Ed25519 private key with its name and its key id for signature type `alg` — shared by
/// note signers (0x01) and witness cosigners (0x04).
#[derive(Clone)]
pub(crate) struct NamedKey {
    pub(crate) name: String,
    pub(crate) id: u32,
    pub(crate) key: SigningKey,
}

impl NamedKey {
    /// A fresh key.
    pub(crate) fn generate(
        name: &str,
        alg: u8,
        rng: &mut impl CryptoRng,
    ) -> Result<Self, NoteError> {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        Self::from_seed(name, alg, &seed)
    }

    /// The key with the given 32-byte Ed25519 seed.
    pub(crate) fn from_seed(name: &str, alg: u8, seed: &[u8; 32]) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::KeyName(name.to_owned()));
        }
        let key = SigningKey::from_bytes(seed);
        Ok(Self {
            name: name.to_owned(),
            id: typed_key_id(name, alg, &key.verifying_key()),
            key,
        })
    }
}

/// Parses a public key string `name+hexid+base64(alg||pubkey)` of signature type `alg`, checking
/// that the key id matches; `what` names the expected kind in the error.
pub(crate) fn parse_vkey(
    vkey: &str,
    alg: u8,
    what: &'static str,
) -> Result<(String, u32, VerifyingKey), NoteError> {
    let (name, id, bytes) = split_key(vkey.trim())?;
    if bytes.len() != 33 || bytes[0] != alg {
        return Err(NoteError::Key(what));
    }
    let mut pk = [0u8; 32];
    pk.copy_from_slice(&bytes[1..]);
    let key = VerifyingKey::from_bytes(&pk).map_err(|_| NoteError::Key("bad Ed25519 point"))?;
    if typed_key_id(name, alg, &key) != id {
        return Err(NoteError::Key("key id does not match the key"));
    }
    Ok((name.to_owned(), id, key))
}

/// Formats a public key string `name+hexid+base64(alg||pubkey)`.
pub(crate) fn format_vkey(
    f: &mut std::fmt::Formatter<'_>,
    name: &str,
    id: u32,
    alg: u8,
    key: &VerifyingKey,
) -> std::fmt::Result {
    let mut k = vec![alg];
    k.extend_from_slice(key.as_bytes());
    write!(f, "{name}+{id:08x}+{}", B64.encode(k))
}

/// A private signing key with its name (the log's origin, or a witness name).
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NoteSigner({}+{:08x})", self.name, self.id)
    }
}

impl From<NamedKey> for NoteSigner {
    fn from(k: NamedKey) -> Self {
        Self {
            name: k.name,
            id: k.id,
            key: k.key,
        }
    }
}

impl NoteSigner {
    /// A fresh key (created at first start, or at rotation).
    pub fn generate(name: &str, rng: &mut impl CryptoRng) -> Result<Self, NoteError> {
        NamedKey::generate(name, ALG_ED25519, rng).map(Self::from)
    }

    /// The key with the given 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        NamedKey::from_seed(name, ALG_ED25519, seed).map(Self::from)
    }

    /// Parses `PRIVATE+KEY+name+hexid+base64(0x01||seed)`.
    pub fn from_skey(skey: &str) -> Result<Self, NoteError> {
        let rest = skey
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(NoteError::Key("missing PRIVATE+KEY+ prefix"))?;
        let (name, id, bytes) = split_key(rest)?;
        if bytes.len() != 33 || bytes[0] != ALG_ED25519 {
            return Err(NoteError::Key("not an Ed25519 private key"));
        }
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&bytes[1..]);
        let s = Self::from_seed(name, &seed)?;
        if s.id != id {
            return Err(NoteError::Key("key id does not match the key"));
        }
        Ok(s)
    }

    /// The private key string `PRIVATE+KEY+name+hexid+base64(0x01||seed)`. Secret.
    pub fn to_skey(&self) -> String {
        let mut k = vec![ALG_ED25519];
        k.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.id,
            B64.encode(k)
        )
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The matching public key.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// Signs a note text.
    pub fn sign(&self, text: &str) -> NoteSignature {
        NoteSignature {
            name: self.name.clone(),
            id: self.id,
            sig: self.key.sign(text.as_bytes()).to_bytes().to_vec(),
        }
    }
}

fn split_key(s: &str) -> Result<(&str, u32, Vec<u8>), NoteError> {
    let mut parts = s.splitn(3, '+');
    let (Some(name), Some(hex_id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NoteError::Key("expected name+id+key"));
    };
    if !is_valid_key_name(name) {
        return Err(NoteError::KeyName(name.to_owned()));
    }
    if hex_id.len() != 8 {
        return Err(NoteError::Key("key id must be 8 hex digits"));
    }
    let id = u32::from_str_radix(hex_id, 16).map_err(|_| NoteError::Key("key id not hex"))?;
    let bytes = B64
        .decode(b64)
        .map_err(|_| NoteError::Key("key not base64"))?;
    Ok((name, id, bytes))
}

/// A public key that verifies signatures: `name+hexid+base64(0x01||pubkey)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Parses a verifier key string.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let (name, id, key) = parse_vkey(vkey, ALG_ED25519, "not an Ed25519 public key")?;
        Ok(Self { name, id, key })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Whether `sig` is this key's valid signature over `text`.
    pub fn verify(&self, text: &str, sig: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(sig) else {
            return false;
        };
        self.key
            .verify_strict(text.as_bytes(), &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

impl std::fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        format_vkey(f, &self.name, self.id, ALG_ED25519, &self.key)
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// Key name.
    pub name: String,
    /// Key id.
    pub id: u32,
    /// Signature bytes (after the key id).
    pub sig: Vec<u8>,
}

impl NoteSignature {
    /// The signature line without its newline.
    pub fn line(&self) -> String {
        let mut b = self.id.to_be_bytes().to_vec();
        b.extend_from_slice(&self.sig);
        format!("{SIG_PREFIX}{} {}", self.name, B64.encode(b))
    }

    fn parse_line(line: &str) -> Result<Self, NoteError> {
        let rest = line.strip_prefix(SIG_PREFIX).ok_or(NoteError::Format(
            "signature line must start with an em dash",
        ))?;
        let (name, b64) = rest.split_once(' ').ok_or(NoteError::Format(
            "signature line needs a name and a signature",
        ))?;
        if !is_valid_key_name(name) {
            return Err(NoteError::KeyName(name.to_owned()));
        }
        let b = B64
            .decode(b64)
            .map_err(|_| NoteError::Format("signature not base64"))?;
        if b.len() < 5 {
            return Err(NoteError::Format("signature too short"));
        }
        Ok(Self {
            name: name.to_owned(),
            id: u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            sig: b[4..].to_vec(),
        })
    }
}

/// A text with its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl SignedNote {
    /// An unsigned note; the text must be non-empty, end in a newline and hold no blank line.
    pub fn new(text: &str) -> Result<Self, NoteError> {
        if text.is_empty() || !text.ends_with('\n') {
            return Err(NoteError::Format("text must end with a newline"));
        }
        if text.contains("\n\n") || text.starts_with('\n') {
            return Err(NoteError::Format("text must not contain a blank line"));
        }
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(NoteError::Format(
                "text must not contain control characters",
            ));
        }
        Ok(Self {
            text: text.to_owned(),
            signatures: Vec::new(),
        })
    }

    /// Parses a signed note.
    pub fn parse(msg: &str) -> Result<Self, NoteError> {
        let split = msg
            .rfind("\n\n")
            .ok_or(NoteError::Format("no blank line before the signatures"))?;
        let mut note = Self::new(&msg[..=split])?;
        let sigs = &msg[split + 2..];
        if sigs.is_empty() || !sigs.ends_with('\n') {
            return Err(NoteError::Format("signatures must end with a newline"));
        }
        for line in sigs[..sigs.len() - 1].split('\n') {
            note.signatures.push(NoteSignature::parse_line(line)?);
        }
        if note.signatures.len() > 100 {
            return Err(NoteError::Format("too many signatures"));
        }
        Ok(note)
    }

    /// The signed text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signatures, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds a signature by `signer`, replacing an earlier one by the same key.
    pub fn sign(&mut self, signer: &NoteSigner) {
        let sig = signer.sign(&self.text);
        self.add_signature(sig);
    }

    /// Attaches a signature made elsewhere (e.g. a witness cosignature), replacing an earlier one
    /// by the same key.
    pub fn add_signature(&mut self, sig: NoteSignature) {
        self.signatures
            .retain(|s| !(s.name == sig.name && s.id == sig.id));
        self.signatures.push(sig);
    }

    /// Checks the signatures against `known` keys; returns the verified signatures.
    pub fn verify(&self, known: &[NoteVerifier]) -> Result<Vec<&NoteSignature>, NoteError> {
        let mut ok = Vec::new();
        for s in &self.signatures {
            if let Some(v) = known.iter().find(|v| v.name == s.name && v.id == s.id) {
                if !v.verify(&self.text, &s.sig) {
                    return Err(NoteError::BadSignature {
                        name: s.name.clone(),
                        id: s.id,
                    });
                }
                ok.push(s);
            }
        }
        if ok.is_empty() {
            Err(NoteError::Unverified)
        } else {
            Ok(ok)
        }
    }
}

impl std::fmt::Display for SignedNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for s in &self.signatures {
            writeln!(f, "{}", s.line())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the C2SP signed-note specification and Go's sumdb/note documentation.
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
        then you don't know what your problem is.\n\
        \n\
        \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    #[test]
    fn the_published_example_key_and_note_are_reproduced_exactly() {
        let signer = NoteSigner::from_skey(PETER_SKEY).unwrap();
        assert_eq!(signer.id(), 0xc74f_20a3);
        assert_eq!(signer.verifier().to_string(), PETER_VKEY);
        assert_eq!(signer.to_skey(), PETER_SKEY);
        let mut n = SignedNote::new(
            "If you think cryptography is the answer to your problem,\n\
             then you don't know what your problem is.\n",
        )
        .unwrap();
        n.sign(&signer);
        assert_eq!(n.to_string(), PETER_NOTE);
        let v = NoteVerifier::parse(PETER_VKEY).unwrap();
        let parsed = SignedNote::parse(PETER_NOTE).unwrap();
        assert_eq!(parsed.verify(&[v]).unwrap().len(), 1);
    }

    #[test]
    fn an_altered_note_or_unknown_key_is_rejected() {
        let v = NoteVerifier::parse(PETER_VKEY).unwrap();
        let altered = PETER_NOTE.replacen("answer", "Answer", 1);
        assert!(matches!(
            SignedNote::parse(&altered)
                .unwrap()
                .verify(std::slice::from_ref(&v)),
            Err(NoteError::BadSignature { .. })
        ));
        let other = NoteSigner::from_seed("Other", &[7; 32]).unwrap().verifier();
        assert_eq!(
            SignedNote::parse(PETER_NOTE).unwrap().verify(&[other]),
            Err(NoteError::Unverified)
        );
    }

    #[test]
    fn malformed_notes_and_keys_are_rejected() {
        assert!(SignedNote::parse("text\n").is_err());
        assert!(SignedNote::parse("text\n\n- x AAAA\n").is_err());
        assert!(
            NoteVerifier::parse(
                "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            )
            .is_err()
        );
        assert!(NoteSigner::from_seed("bad name", &[0; 32]).is_err());
        assert!(SignedNote::new("a\n\nb\n").is_err());
    }
}
