//! The canonical ledger leaf, version 1: a fixed 100-byte encoding of one entry.
//!
//! Layout (all integers big-endian):
//!
//! | offset | size | field |
//! |-------:|-----:|-------|
//! | 0  | 1  | version, `0x01` |
//! | 1  | 8  | entry index (u64), equal to the leaf's position in the tree |
//! | 9  | 8  | timestamp, unix milliseconds (i64), never below the previous entry's |
//! | 17 | 2  | [`EntryKind`] code (u16) |
//! | 19 | 16 | actor id (the acting account's UUID; all zero for the system) |
//! | 35 | 1  | flags: bit 0 = a payload tier exists; other bits zero |
//! | 36 | 32 | commitment to the J4.11 fields tier ([`crate::record::commitment`]) |
//! | 68 | 32 | commitment to the payload tier, or 32 zero bytes when bit 0 is clear |
//!
//! The leaf holds no personal data: the record is stored apart, encrypted, and only its salted
//! commitment is here, so deleting the record leaves the leaf (and the tree) intact.

use crate::hash::Hash;

/// Current leaf encoding version.
pub const LEAF_VERSION: u8 = 0x01;
/// Length in bytes of a version-1 leaf.
pub const LEAF_LEN: usize = 100;
const FLAG_PAYLOAD: u8 = 0x01;

/// What an entry records (J4.11, J4.4 and security events). Unknown codes decode unchanged so
/// an older verifier still checks a newer log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryKind(pub u16);

impl EntryKind {
    /// A lookup that was granted and sent upstream (J4.11).
    pub const LOOKUP_GRANTED: Self = Self(1);
    /// A lookup that was refused before reaching upstream (J4.11).
    pub const LOOKUP_REFUSED: Self = Self(2);
    /// A stored result was read (J4.4).
    pub const RESULT_READ: Self = Self(3);
    /// A stored result was shown unmasked (J4.4).
    pub const RESULT_UNMASKED: Self = Self(4);
    /// A sign-in succeeded.
    pub const SIGN_IN: Self = Self(16);
    /// A sign-in failed.
    pub const SIGN_IN_FAILED: Self = Self(17);
    /// An account was locked out.
    pub const LOCKOUT: Self = Self(18);
    /// A role was granted or revoked.
    pub const ROLE_CHANGE: Self = Self(19);
    /// A request was approved or rejected.
    pub const APPROVAL: Self = Self(20);
    /// A supervisor signed off.
    pub const SIGN_OFF: Self = Self(21);
    /// Data left the system (report, file, ledger export).
    pub const EXPORT: Self = Self(22);
    /// A control profile or setting changed.
    pub const PROFILE_CHANGE: Self = Self(23);
    /// A deletion run removed record tiers or stored results.
    pub const DELETION: Self = Self(24);
    /// The checkpoint signing key was rotated.
    pub const KEY_ROTATION: Self = Self(25);
    /// The clock jumped (backwards, or forwards beyond the threshold).
    pub const CLOCK_JUMP: Self = Self(26);
    /// The server's own end-to-end check of the write path (`POST /api/ledger/probe`): an entry
    /// with no personal data, appended by the monitoring probe.
    pub const WRITE_PROBE: Self = Self(32);

    /// A stable English name for the code, or `None` for codes this version does not know.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            1 => "lookup_granted",
            2 => "lookup_refused",
            3 => "result_read",
            4 => "result_unmasked",
            16 => "sign_in",
            17 => "sign_in_failed",
            18 => "lockout",
            19 => "role_change",
            20 => "approval",
            21 => "sign_off",
            22 => "export",
            23 => "profile_change",
            24 => "deletion",
            25 => "key_rotation",
            26 => "clock_jump",
            32 => "write_probe",
            _ => return None,
        })
    }
}

/// One ledger entry as committed in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leaf {
    /// Position in the tree.
    pub index: u64,
    /// Unix milliseconds; never below the previous entry's.
    pub timestamp_ms: i64,
    /// What happened.
    pub kind: EntryKind,
    /// The acting account (UUID bytes); all zero for the system.
    pub actor: [u8; 16],
    /// Commitment to the J4.11 fields tier.
    pub fields_commitment: Hash,
    /// Commitment to the payload tier, if the entry has one.
    pub payload_commitment: Option<Hash>,
}

/// Why bytes are not a valid leaf.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeafError {
    /// Wrong length for the version.
    #[error("葉節點長度錯誤 / leaf has {0} bytes, expected 100")]
    Length(usize),
    /// Unknown version byte.
    #[error("不支援的葉節點版本 / unsupported leaf version {0:#04x}")]
    Version(u8),
    /// Reserved flag bits set, or a payload commitment without its flag.
    #[error("葉節點旗標錯誤 / invalid leaf flags {0:#04x}")]
    Flags(u8),
}

impl Leaf {
    /// The canonical version-1 encoding.
    pub fn encode(&self) -> [u8; LEAF_LEN] {
        let mut out = [0u8; LEAF_LEN];
        out[0] = LEAF_VERSION;
        out[1..9].copy_from_slice(&self.index.to_be_bytes());
        out[9..17].copy_from_slice(&self.timestamp_ms.to_be_bytes());
        out[17..19].copy_from_slice(&self.kind.0.to_be_bytes());
        out[19..35].copy_from_slice(&self.actor);
        out[36..68].copy_from_slice(&self.fields_commitment);
        if let Some(p) = &self.payload_commitment {
            out[35] = FLAG_PAYLOAD;
            out[68..100].copy_from_slice(p);
        }
        out
    }

    /// Decodes a leaf; only canonical encodings are accepted, so `decode(b).encode() == b`.
    pub fn decode(bytes: &[u8]) -> Result<Self, LeafError> {
        let b: &[u8; LEAF_LEN] = bytes
            .try_into()
            .map_err(|_| LeafError::Length(bytes.len()))?;
        if b[0] != LEAF_VERSION {
            return Err(LeafError::Version(b[0]));
        }
        let flags = b[35];
        let payload: [u8; 32] = array(&b[68..100]);
        let payload_commitment = match flags {
            0 if payload == [0u8; 32] => None,
            FLAG_PAYLOAD => Some(payload),
            other => return Err(LeafError::Flags(other)),
        };
        Ok(Self {
            index: u64::from_be_bytes(array(&b[1..9])),
            timestamp_ms: i64::from_be_bytes(array(&b[9..17])),
            kind: EntryKind(u16::from_be_bytes(array(&b[17..19]))),
            actor: array(&b[19..35]),
            fields_commitment: array(&b[36..68]),
            payload_commitment,
        })
    }
}

/// Copies a slice of known length into an array (lengths are fixed by the layout above).
fn array<const N: usize>(s: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(s);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Leaf {
        Leaf {
            index: 7,
            timestamp_ms: 1_764_201_600_000,
            kind: EntryKind::LOOKUP_GRANTED,
            actor: [0x11; 16],
            fields_commitment: [0xAA; 32],
            payload_commitment: Some([0xBB; 32]),
        }
    }

    #[test]
    fn a_leaf_round_trips_through_its_canonical_encoding() {
        let l = sample();
        assert_eq!(Leaf::decode(&l.encode()).unwrap(), l);
        let mut no_payload = l;
        no_payload.payload_commitment = None;
        assert_eq!(Leaf::decode(&no_payload.encode()).unwrap(), no_payload);
    }

    #[test]
    fn a_payload_commitment_without_its_flag_is_rejected() {
        let mut l = sample();
        l.payload_commitment = None;
        let mut b = l.encode();
        b[99] = 1;
        assert_eq!(Leaf::decode(&b), Err(LeafError::Flags(0)));
        b[35] = 0x80;
        assert_eq!(Leaf::decode(&b), Err(LeafError::Flags(0x80)));
    }

    #[test]
    fn wrong_length_and_version_are_rejected() {
        assert_eq!(Leaf::decode(&[1u8; 99]), Err(LeafError::Length(99)));
        let mut b = sample().encode();
        b[0] = 2;
        assert_eq!(Leaf::decode(&b), Err(LeafError::Version(2)));
    }
}
