//! What Custos and a registry exchange: the operation catalogue, lookups, consent records (J1.3)
//! and the Z52 report (J1.R1, J5.2).
//!
//! Typed requests ([`LookupRequest`], [`ConsentRecord`]) hold parsed values that cannot be invalid
//! (a [`SubjectId`] is always valid); the `*Body` types are their JSON wire form, shared by the
//! connector and the simulator so a request Custos sends is one the simulator reads.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::UpstreamError;
use custos_domain::id::SubjectId;
use custos_domain::institution::InstitutionCode;
use custos_domain::purpose::JcicPurpose;

/// The HTTP header that carries the idempotency key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// The HTTP header a simulator sets on every answer (`true`).
pub const SIMULATED_HEADER: &str = "X-Simulated";

/// A key that makes a request safe to retry: the registry serves a key once.
///
/// Invariant: 8 to 64 characters of `A-Z a-z 0-9 - _`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Parses a key; the caller derives it from its own request id (e.g. the lookup's id in the
    /// store), never from the clock or randomness, so a retry after a crash reuses it.
    pub fn parse(s: &str) -> Result<Self, UpstreamError> {
        let ok = (8..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(UpstreamError::Config {
                detail: "idempotency key must be 8-64 characters of A-Z a-z 0-9 - _".into(),
            })
        }
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = UpstreamError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<IdempotencyKey> for String {
    fn from(k: IdempotencyKey) -> Self {
        k.0
    }
}

/// One operation a registry offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// Operation code, e.g. `T01`.
    pub code: String,
    /// Name in zh-TW.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Kind of agency data: `tax` or `labour_insurance`.
    pub data_kind: String,
    /// Names of the parameters it needs (e.g. `year`).
    pub params: Vec<String>,
    /// True when this is a simulator's made-up operation.
    pub simulated: bool,
}

/// The operations a registry offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationCatalogue {
    /// Registry name.
    pub registry: String,
    /// True when served by a simulator.
    pub simulated: bool,
    /// The operations.
    pub operations: Vec<Operation>,
}

/// Parameters of a lookup that only some operations use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupParams {
    /// Tax year (Gregorian) for tax-income operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
}

/// A lookup Custos asks a registry to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupRequest {
    /// Sent as `Idempotency-Key`; the same on every retry.
    pub idempotency_key: IdempotencyKey,
    /// Operation code from the catalogue.
    pub operation: String,
    /// The data subject.
    pub subject_id: SubjectId,
    /// Purpose (J1.2).
    pub purpose: JcicPurpose,
    /// The institution's member code at the registry (a bank institution code).
    pub member_code: InstitutionCode,
    /// The querier's user code at the registry.
    pub querier_code: String,
    /// Case number the lookup belongs to.
    pub case_number: String,
    /// Id of the consent that covers the lookup (J1.1).
    pub consent_id: String,
    /// Operation parameters.
    pub params: LookupParams,
}

/// JSON body of `POST /v1/lookups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupBody {
    /// Operation code.
    pub operation: String,
    /// Subject identifier as written.
    pub subject_id: String,
    /// Purpose code.
    pub purpose: String,
    /// Member code.
    pub member_code: String,
    /// Querier user code.
    pub querier_code: String,
    /// Case number.
    pub case_number: String,
    /// Consent id.
    pub consent_id: String,
    /// Parameters.
    #[serde(default)]
    pub params: LookupParams,
}

impl From<&LookupRequest> for LookupBody {
    fn from(r: &LookupRequest) -> Self {
        Self {
            operation: r.operation.clone(),
            subject_id: r.subject_id.as_str().to_owned(),
            purpose: r.purpose.code().to_owned(),
            member_code: r.member_code.as_str().to_owned(),
            querier_code: r.querier_code.clone(),
            case_number: r.case_number.clone(),
            consent_id: r.consent_id.clone(),
            params: r.params.clone(),
        }
    }
}

/// A registry's answer to a lookup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LookupAnswer {
    /// The registry's id of the lookup.
    pub lookup_id: String,
    /// When the registry served it.
    pub served_at: DateTime<Utc>,
    /// Operation code.
    pub operation: String,
    /// Subject identifier, masked (`A12****789`).
    pub subject_id_masked: String,
    /// True when served by a simulator.
    pub simulated: bool,
    /// The agency data; its shape depends on the operation (see `docs/upstream.md`).
    pub result: serde_json::Value,
}

/// How a consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// 書面授權
    Written,
    /// 電子授權
    Electronic,
}

/// A consent record forwarded to the registry for record (J1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// Custos' id of the consent; also the idempotency key of the forward.
    pub consent_id: IdempotencyKey,
    /// The data subject.
    pub subject_id: SubjectId,
    /// Member code (a bank institution code).
    pub member_code: InstitutionCode,
    /// Purpose covered.
    pub purpose: JcicPurpose,
    /// Written or electronic.
    pub method: ConsentMethod,
    /// When the subject gave it.
    pub granted_at: DateTime<Utc>,
    /// Case number.
    pub case_number: String,
    /// SHA-256 (hex) of the consent document or electronic record.
    pub evidence_sha256: String,
}

/// JSON body of `POST /v1/consents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentBody {
    /// Consent id.
    pub consent_id: String,
    /// Subject identifier as written.
    pub subject_id: String,
    /// Member code.
    pub member_code: String,
    /// Purpose code.
    pub purpose: String,
    /// `written` or `electronic`.
    pub method: ConsentMethod,
    /// When given.
    pub granted_at: DateTime<Utc>,
    /// Case number.
    pub case_number: String,
    /// SHA-256 hex of the evidence.
    pub evidence_sha256: String,
}

impl From<&ConsentRecord> for ConsentBody {
    fn from(c: &ConsentRecord) -> Self {
        Self {
            consent_id: c.consent_id.as_str().to_owned(),
            subject_id: c.subject_id.as_str().to_owned(),
            member_code: c.member_code.as_str().to_owned(),
            purpose: c.purpose.code().to_owned(),
            method: c.method,
            granted_at: c.granted_at,
            case_number: c.case_number.clone(),
            evidence_sha256: c.evidence_sha256.clone(),
        }
    }
}

/// The registry's acknowledgement of a consent record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentAck {
    /// The registry's receipt number.
    pub ack_id: String,
    /// The consent acknowledged.
    pub consent_id: String,
    /// When the registry received it.
    pub received_at: DateTime<Utc>,
    /// True when served by a simulator.
    pub simulated: bool,
}

/// Character encoding of a Z52 CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Z52Encoding {
    /// UTF-8.
    #[serde(rename = "utf-8")]
    Utf8,
    /// Big5 (characters Big5 lacks become numeric character references `&#NNNNN;`).
    #[serde(rename = "big5")]
    Big5,
}

impl Z52Encoding {
    /// The query-string value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Big5 => "big5",
        }
    }

    /// Parses a query-string value (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Self::Utf8),
            "big5" => Some(Self::Big5),
            _ => None,
        }
    }
}

/// Which part of the Z52 report to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Z52Query {
    /// Member code whose lookups are reported.
    pub member_code: InstitutionCode,
    /// First day (Taipei date); default: 12 months before today.
    pub from: Option<NaiveDate>,
    /// Last day (Taipei date); default: today.
    pub to: Option<NaiveDate>,
    /// Encoding of the CSV.
    pub encoding: Z52Encoding,
}

/// A downloaded Z52 report, as the registry sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Z52Report {
    /// Encoding of `bytes`.
    pub encoding: Z52Encoding,
    /// The CSV file as received.
    pub bytes: Vec<u8>,
    /// True when served by a simulator.
    pub simulated: bool,
}

impl Z52Report {
    /// Decodes the CSV with `encoding_rs`. Numeric character references that a Big5 file uses for
    /// characters Big5 lacks are left as written (see `docs/upstream.md`).
    pub fn text(&self) -> Result<String, UpstreamError> {
        let encoding = match self.encoding {
            Z52Encoding::Utf8 => encoding_rs::UTF_8,
            Z52Encoding::Big5 => encoding_rs::BIG5,
        };
        let (text, had_errors) = encoding.decode_without_bom_handling(&self.bytes);
        if had_errors {
            return Err(UpstreamError::Malformed {
                registry: "JCIC".into(),
                detail: format!("Z52 report is not valid {}", self.encoding.as_str()),
            });
        }
        Ok(text.into_owned())
    }
}
