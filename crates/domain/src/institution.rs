//! Institutions, their query methods and their organisation.
//!
//! # Institution codes ([`InstitutionCode`])
//! The code is printed in the watermark of every generated table (J1.9) and names the institution
//! in registers and working papers. Accepted shapes (surrounding whitespace trimmed, lower-case
//! letters upper-cased):
//!
//! | shape | pattern | example | meaning |
//! |---|---|---|---|
//! | [`CodeShape::BankHeadOffice`] | `\d{3}` | `004` | the 3-digit financial-institution code (總機構代號) of a bank or other JCIC member |
//! | [`CodeShape::BankBranch`] | `\d{7}` | `0040037` | 3-digit institution code + 4-digit branch code (分支機構代號); the branch part is not checksummed |
//! | [`CodeShape::GovernmentOffice`] | `[A-Z]{2}\d{2}` | `AB01` | a government office (land office, household registration office, bureau) — a **Custos convention**: the code the bureau assigns when it configures Custos, not an official registry number |
//!
//! Anything else is refused. A bank's institution must use a bank shape and a government
//! institution the government shape ([`InstitutionKind::accepts`]).
//!
//! # Query methods ([`QueryMethod`], J0.2, J2.2)
//! JCIC's four: chip card `N`, batch file (FTP) `B`, server connection (STS) `Q`, API `W`.
//!
//! # Organisation ([`OrgTree`])
//! Pure description of head office → branches → sections, validated before the store persists
//! it: unit codes unique, every parent exists and belongs to the same institution, no cycles,
//! exactly one root per institution and that root — and only it — is the head office.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::Bilingual;

/// The shape of an [`InstitutionCode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeShape {
    /// `\d{3}`: financial-institution code.
    BankHeadOffice,
    /// `\d{7}`: institution code + branch code.
    BankBranch,
    /// `[A-Z]{2}\d{2}`: government office (Custos convention).
    GovernmentOffice,
}

/// A validated institution code (see the module docs for the format).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstitutionCode(String);

/// Why an institution code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstitutionCodeError {
    /// Nothing (or only whitespace) was given.
    Empty,
    /// Not one of the accepted shapes.
    BadFormat,
}

impl Bilingual for InstitutionCodeError {
    fn code(&self) -> &'static str {
        match self {
            InstitutionCodeError::Empty => "institution_code_empty",
            InstitutionCodeError::BadFormat => "institution_code_bad_format",
        }
    }
    fn zh_tw(&self) -> String {
        match self {
            InstitutionCodeError::Empty => "未填寫機構代號".into(),
            InstitutionCodeError::BadFormat => "機構代號格式不正確：金融機構為 3 碼數字（總機構）或 7 碼數字（總機構 3 碼＋分支機構 4 碼），機關為 2 碼英文字母加 2 碼數字".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            InstitutionCodeError::Empty => "the institution code is missing".into(),
            InstitutionCodeError::BadFormat => "bad institution code: banks use 3 digits (head office) or 7 digits (3-digit institution + 4-digit branch), government offices 2 letters and 2 digits".into(),
        }
    }
}

impl fmt::Display for InstitutionCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.both())
    }
}

impl InstitutionCode {
    /// Parses a code (see the module docs).
    pub fn parse(input: &str) -> Result<Self, InstitutionCodeError> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(InstitutionCodeError::Empty);
        }
        if Self::shape_of(&s).is_none() {
            return Err(InstitutionCodeError::BadFormat);
        }
        Ok(Self(s))
    }

    fn shape_of(s: &str) -> Option<CodeShape> {
        let b = s.as_bytes();
        let digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
        match b.len() {
            3 if digits(b) => Some(CodeShape::BankHeadOffice),
            7 if digits(b) => Some(CodeShape::BankBranch),
            4 if b[..2].iter().all(u8::is_ascii_uppercase) && digits(&b[2..]) => {
                Some(CodeShape::GovernmentOffice)
            }
            _ => None,
        }
    }

    /// The code's shape.
    pub fn shape(&self) -> CodeShape {
        Self::shape_of(&self.0).unwrap_or(CodeShape::GovernmentOffice)
    }

    /// For bank codes, the 3-digit financial-institution code (the head office).
    pub fn bank_code(&self) -> Option<&str> {
        match self.shape() {
            CodeShape::BankHeadOffice | CodeShape::BankBranch => Some(&self.0[..3]),
            CodeShape::GovernmentOffice => None,
        }
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstitutionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for InstitutionCode {
    type Err = InstitutionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for InstitutionCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for InstitutionCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// What kind of institution uses Custos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionKind {
    /// A bank or other JCIC member (金融機構).
    Bank,
    /// A land office (地政事務所).
    LandOffice,
    /// A household registration office (戶政事務所).
    HouseholdRegistrationOffice,
    /// A city bureau: land administration bureau (地政局) or civil affairs bureau (民政局).
    Bureau,
}

impl InstitutionKind {
    /// Every kind.
    pub const ALL: [InstitutionKind; 4] = [
        InstitutionKind::Bank,
        InstitutionKind::LandOffice,
        InstitutionKind::HouseholdRegistrationOffice,
        InstitutionKind::Bureau,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            InstitutionKind::Bank => "bank",
            InstitutionKind::LandOffice => "land_office",
            InstitutionKind::HouseholdRegistrationOffice => "household_registration_office",
            InstitutionKind::Bureau => "bureau",
        }
    }

    /// zh-TW label.
    pub fn zh_tw(self) -> &'static str {
        match self {
            InstitutionKind::Bank => "金融機構",
            InstitutionKind::LandOffice => "地政事務所",
            InstitutionKind::HouseholdRegistrationOffice => "戶政事務所",
            InstitutionKind::Bureau => "局處（地政局、民政局）",
        }
    }

    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            InstitutionKind::Bank => "bank",
            InstitutionKind::LandOffice => "land office",
            InstitutionKind::HouseholdRegistrationOffice => "household registration office",
            InstitutionKind::Bureau => "bureau",
        }
    }

    /// True when `code` has a shape this kind of institution uses.
    pub fn accepts(self, code: &InstitutionCode) -> bool {
        match self {
            InstitutionKind::Bank => code.bank_code().is_some(),
            _ => code.shape() == CodeShape::GovernmentOffice,
        }
    }
}

/// A JCIC query method (J0.2, J2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QueryMethod {
    /// `N` — chip card (晶片卡).
    ChipCard,
    /// `B` — batch file transfer (檔案傳輸 FTP).
    BatchFile,
    /// `Q` — server connection (伺服器連線 STS).
    ServerConnection,
    /// `W` — API.
    Api,
}

/// Why a query method was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.both())]
pub struct QueryMethodError {
    /// The character that was not a method letter.
    pub found: char,
}

impl Bilingual for QueryMethodError {
    fn code(&self) -> &'static str {
        "query_method_unknown"
    }
    fn zh_tw(&self) -> String {
        format!("查詢方式「{}」不正確，應為 N、B、Q 或 W", self.found)
    }
    fn en(&self) -> String {
        format!("query method '{}' is not one of N, B, Q, W", self.found)
    }
}

impl QueryMethod {
    /// Every method, in the order of the register column (N, B, Q, W).
    pub const ALL: [QueryMethod; 4] = [
        QueryMethod::ChipCard,
        QueryMethod::BatchFile,
        QueryMethod::ServerConnection,
        QueryMethod::Api,
    ];

    /// The register letter.
    pub fn letter(self) -> char {
        match self {
            QueryMethod::ChipCard => 'N',
            QueryMethod::BatchFile => 'B',
            QueryMethod::ServerConnection => 'Q',
            QueryMethod::Api => 'W',
        }
    }

    /// zh-TW label.
    pub fn zh_tw(self) -> &'static str {
        match self {
            QueryMethod::ChipCard => "晶片卡",
            QueryMethod::BatchFile => "檔案傳輸（FTP）",
            QueryMethod::ServerConnection => "伺服器連線（STS）",
            QueryMethod::Api => "API",
        }
    }

    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            QueryMethod::ChipCard => "chip card",
            QueryMethod::BatchFile => "batch file",
            QueryMethod::ServerConnection => "server connection",
            QueryMethod::Api => "API",
        }
    }

    /// The method for a letter (lower case accepted).
    pub fn from_letter(c: char) -> Result<Self, QueryMethodError> {
        Self::ALL
            .into_iter()
            .find(|m| m.letter() == c.to_ascii_uppercase())
            .ok_or(QueryMethodError { found: c })
    }

    /// Parses a declared set such as `N/B/Q`, `NQ` or `N, W` (separators `/`, `,`, `、` and
    /// whitespace; duplicates collapse). An empty declaration gives an empty set.
    pub fn parse_set(input: &str) -> Result<BTreeSet<QueryMethod>, QueryMethodError> {
        input
            .chars()
            .filter(|c| !matches!(c, '/' | ',' | '、') && !c.is_whitespace())
            .map(Self::from_letter)
            .collect()
    }

    /// True for the B/Q/W methods, whose institution-run authorisation items apply (J0.2, J2.1).
    pub fn is_system_connection(self) -> bool {
        self != QueryMethod::ChipCard
    }
}

impl fmt::Display for QueryMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

impl Serialize for QueryMethod {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.letter().to_string())
    }
}

impl<'de> Deserialize<'de> for QueryMethod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Self::from_letter(c).map_err(serde::de::Error::custom),
            _ => Err(serde::de::Error::custom(format!(
                "query method must be one letter, got '{s}'"
            ))),
        }
    }
}

/// Code of an organisational unit: 1–32 ASCII letters, digits, `-` or `_` (case kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct OrgUnitCode(String);

impl OrgUnitCode {
    /// Parses a unit code (surrounding whitespace trimmed).
    pub fn parse(input: &str) -> Result<Self, OrgError> {
        let s = input.trim();
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(OrgError::BadUnitCode {
                given: s.chars().take(40).collect(),
            })
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgUnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OrgUnitCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The role of a unit in its institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgUnitKind {
    /// Head office (總機構 / 總行); the root of the institution.
    HeadOffice,
    /// Branch (分支機構 / 分行 / 所).
    Branch,
    /// Section or department (單位 / 課室).
    Section,
}

impl OrgUnitKind {
    /// zh-TW label.
    pub fn zh_tw(self) -> &'static str {
        match self {
            OrgUnitKind::HeadOffice => "總機構",
            OrgUnitKind::Branch => "分支機構",
            OrgUnitKind::Section => "單位",
        }
    }

    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            OrgUnitKind::HeadOffice => "head office",
            OrgUnitKind::Branch => "branch",
            OrgUnitKind::Section => "section",
        }
    }
}

/// One organisational unit, as the store persists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUnit {
    /// Unique code of the unit.
    pub code: OrgUnitCode,
    /// The institution the unit belongs to.
    pub institution: InstitutionCode,
    /// The parent unit; `None` only for the head office.
    pub parent: Option<OrgUnitCode>,
    /// Head office, branch or section.
    pub kind: OrgUnitKind,
    /// Display name (zh-TW), non-blank.
    pub name: String,
}

/// Why an organisation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    /// A unit code with characters other than letters, digits, `-`, `_`, or blank, or too long.
    BadUnitCode {
        /// The code given (at most 40 characters kept).
        given: String,
    },
    /// A unit without a name.
    BlankName {
        /// The unit.
        unit: OrgUnitCode,
    },
    /// Two units share a code.
    DuplicateCode {
        /// The code.
        unit: OrgUnitCode,
    },
    /// A parent that is not in the organisation.
    UnknownParent {
        /// The unit.
        unit: OrgUnitCode,
        /// Its missing parent.
        parent: OrgUnitCode,
    },
    /// A parent in another institution.
    CrossInstitution {
        /// The unit.
        unit: OrgUnitCode,
        /// Its parent.
        parent: OrgUnitCode,
    },
    /// A unit is its own ancestor.
    Cycle {
        /// A unit on the cycle.
        unit: OrgUnitCode,
    },
    /// An institution without a root unit.
    NoRoot {
        /// The institution.
        institution: InstitutionCode,
    },
    /// An institution with more than one root unit.
    MultipleRoots {
        /// The institution.
        institution: InstitutionCode,
        /// Its roots.
        roots: Vec<OrgUnitCode>,
    },
    /// A root that is not a head office, or a head office that is not the root.
    HeadOfficeMismatch {
        /// The unit.
        unit: OrgUnitCode,
    },
}

impl Bilingual for OrgError {
    fn code(&self) -> &'static str {
        match self {
            OrgError::BadUnitCode { .. } => "org_bad_unit_code",
            OrgError::BlankName { .. } => "org_blank_name",
            OrgError::DuplicateCode { .. } => "org_duplicate_code",
            OrgError::UnknownParent { .. } => "org_unknown_parent",
            OrgError::CrossInstitution { .. } => "org_cross_institution",
            OrgError::Cycle { .. } => "org_cycle",
            OrgError::NoRoot { .. } => "org_no_root",
            OrgError::MultipleRoots { .. } => "org_multiple_roots",
            OrgError::HeadOfficeMismatch { .. } => "org_head_office_mismatch",
        }
    }

    fn zh_tw(&self) -> String {
        match self {
            OrgError::BadUnitCode { given } => {
                format!("單位代碼「{given}」不正確，限 1 至 32 個英數字、- 或 _")
            }
            OrgError::BlankName { unit } => format!("單位 {unit} 未填名稱"),
            OrgError::DuplicateCode { unit } => format!("單位代碼 {unit} 重複"),
            OrgError::UnknownParent { unit, parent } => {
                format!("單位 {unit} 的上級單位 {parent} 不存在")
            }
            OrgError::CrossInstitution { unit, parent } => {
                format!("單位 {unit} 與上級單位 {parent} 不屬同一機構")
            }
            OrgError::Cycle { unit } => format!("單位 {unit} 的隸屬關係形成循環"),
            OrgError::NoRoot { institution } => format!("機構 {institution} 沒有總機構"),
            OrgError::MultipleRoots { institution, roots } => {
                format!("機構 {institution} 有多個最上層單位：{}", join(roots))
            }
            OrgError::HeadOfficeMismatch { unit } => {
                format!("單位 {unit}：總機構必須是且只能是機構的最上層單位")
            }
        }
    }

    fn en(&self) -> String {
        match self {
            OrgError::BadUnitCode { given } => {
                format!("unit code '{given}' is invalid: 1 to 32 letters, digits, '-' or '_'")
            }
            OrgError::BlankName { unit } => format!("unit {unit} has no name"),
            OrgError::DuplicateCode { unit } => format!("unit code {unit} is used twice"),
            OrgError::UnknownParent { unit, parent } => {
                format!("the parent {parent} of unit {unit} does not exist")
            }
            OrgError::CrossInstitution { unit, parent } => {
                format!("unit {unit} and its parent {parent} belong to different institutions")
            }
            OrgError::Cycle { unit } => format!("unit {unit} is its own ancestor"),
            OrgError::NoRoot { institution } => {
                format!("institution {institution} has no head office")
            }
            OrgError::MultipleRoots { institution, roots } => format!(
                "institution {institution} has more than one top unit: {}",
                join(roots)
            ),
            OrgError::HeadOfficeMismatch { unit } => format!(
                "unit {unit}: the head office must be the institution's top unit, and only it"
            ),
        }
    }
}

fn join(codes: &[OrgUnitCode]) -> String {
    codes
        .iter()
        .map(OrgUnitCode::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for OrgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.both())
    }
}

/// A validated organisation: a forest with exactly one head office per institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgTree {
    units: BTreeMap<OrgUnitCode, OrgUnit>,
}

impl OrgTree {
    /// Validates `units` (see the module docs) into a tree.
    pub fn new(units: Vec<OrgUnit>) -> Result<Self, OrgError> {
        let mut map = BTreeMap::new();
        for unit in units {
            if unit.name.trim().is_empty() {
                return Err(OrgError::BlankName { unit: unit.code });
            }
            if map.contains_key(&unit.code) {
                return Err(OrgError::DuplicateCode { unit: unit.code });
            }
            map.insert(unit.code.clone(), unit);
        }
        let mut roots: BTreeMap<&InstitutionCode, Vec<OrgUnitCode>> = BTreeMap::new();
        for unit in map.values() {
            roots.entry(&unit.institution).or_default();
            match &unit.parent {
                None => {
                    roots
                        .entry(&unit.institution)
                        .or_default()
                        .push(unit.code.clone());
                }
                Some(parent) => {
                    let Some(p) = map.get(parent) else {
                        return Err(OrgError::UnknownParent {
                            unit: unit.code.clone(),
                            parent: parent.clone(),
                        });
                    };
                    if p.institution != unit.institution {
                        return Err(OrgError::CrossInstitution {
                            unit: unit.code.clone(),
                            parent: parent.clone(),
                        });
                    }
                }
            }
            if (unit.parent.is_none()) != (unit.kind == OrgUnitKind::HeadOffice) {
                return Err(OrgError::HeadOfficeMismatch {
                    unit: unit.code.clone(),
                });
            }
        }
        // Cycles: walking up from any unit must reach a root within |units| steps.
        for unit in map.values() {
            let mut current = unit;
            let mut steps = 0usize;
            while let Some(parent) = &current.parent {
                steps += 1;
                if steps > map.len() || parent == &unit.code {
                    return Err(OrgError::Cycle {
                        unit: unit.code.clone(),
                    });
                }
                match map.get(parent) {
                    Some(p) => current = p,
                    None => break,
                }
            }
        }
        for (institution, list) in roots {
            match list.len() {
                0 => {
                    return Err(OrgError::NoRoot {
                        institution: institution.clone(),
                    });
                }
                1 => {}
                _ => {
                    return Err(OrgError::MultipleRoots {
                        institution: institution.clone(),
                        roots: list,
                    });
                }
            }
        }
        Ok(OrgTree { units: map })
    }

    /// All units, by code.
    pub fn units(&self) -> impl Iterator<Item = &OrgUnit> {
        self.units.values()
    }

    /// One unit.
    pub fn get(&self, code: &OrgUnitCode) -> Option<&OrgUnit> {
        self.units.get(code)
    }

    /// The head offices (one per institution).
    pub fn head_offices(&self) -> impl Iterator<Item = &OrgUnit> {
        self.units.values().filter(|u| u.parent.is_none())
    }

    /// Direct children of a unit.
    pub fn children(&self, code: &OrgUnitCode) -> Vec<&OrgUnit> {
        self.units
            .values()
            .filter(|u| u.parent.as_ref() == Some(code))
            .collect()
    }

    /// Ancestors of a unit, nearest first, ending with the head office.
    pub fn ancestors(&self, code: &OrgUnitCode) -> Vec<&OrgUnit> {
        let mut out = Vec::new();
        let mut current = self.units.get(code);
        while let Some(parent) = current.and_then(|u| u.parent.as_ref()) {
            let Some(p) = self.units.get(parent) else {
                break;
            };
            out.push(p);
            current = Some(p);
        }
        out
    }

    /// All units below a unit (not including it), in breadth-first order: the head office's
    /// roll-up scope (X7).
    pub fn descendants(&self, code: &OrgUnitCode) -> Vec<&OrgUnit> {
        let mut out = Vec::new();
        let mut queue = std::collections::VecDeque::from([code.clone()]);
        while let Some(c) = queue.pop_front() {
            for child in self.children(&c) {
                queue.push_back(child.code.clone());
                out.push(child);
            }
        }
        out
    }

    /// True when `unit` is `ancestor` or lies below it.
    pub fn is_within(&self, unit: &OrgUnitCode, ancestor: &OrgUnitCode) -> bool {
        unit == ancestor || self.ancestors(unit).iter().any(|a| &a.code == ancestor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> InstitutionCode {
        InstitutionCode::parse(s).unwrap()
    }

    fn unit(c: &str, inst: &str, parent: Option<&str>, kind: OrgUnitKind) -> OrgUnit {
        OrgUnit {
            code: OrgUnitCode::parse(c).unwrap(),
            institution: code(inst),
            parent: parent.map(|p| OrgUnitCode::parse(p).unwrap()),
            kind,
            name: format!("單位{c}"),
        }
    }

    fn bank() -> Vec<OrgUnit> {
        vec![
            unit("HQ", "004", None, OrgUnitKind::HeadOffice),
            unit("B001", "004", Some("HQ"), OrgUnitKind::Branch),
            unit("B002", "004", Some("HQ"), OrgUnitKind::Branch),
            unit("B001-LOAN", "004", Some("B001"), OrgUnitKind::Section),
        ]
    }

    #[test]
    fn institution_codes_of_the_three_documented_shapes_are_accepted() {
        assert_eq!(code("004").shape(), CodeShape::BankHeadOffice);
        assert_eq!(code("0040037").shape(), CodeShape::BankBranch);
        assert_eq!(code("0040037").bank_code(), Some("004"));
        assert_eq!(code(" ab01 ").as_str(), "AB01");
        assert_eq!(code("AB01").shape(), CodeShape::GovernmentOffice);
        assert_eq!(code("AB01").bank_code(), None);
    }

    #[test]
    fn institution_codes_of_other_shapes_are_refused() {
        for s in [
            "04", "0041", "004003", "00400371", "A001", "ABC1", "AB1", "ＡＢ01", "00 4",
        ] {
            assert_eq!(
                InstitutionCode::parse(s),
                Err(InstitutionCodeError::BadFormat),
                "{s}"
            );
        }
        let e = InstitutionCode::parse(" ").unwrap_err();
        assert_eq!(e.code(), "institution_code_empty");
    }

    #[test]
    fn banks_use_bank_codes_and_government_offices_use_office_codes() {
        assert!(InstitutionKind::Bank.accepts(&code("004")));
        assert!(InstitutionKind::Bank.accepts(&code("0040037")));
        assert!(!InstitutionKind::Bank.accepts(&code("AB01")));
        assert!(InstitutionKind::LandOffice.accepts(&code("AB01")));
        assert!(!InstitutionKind::HouseholdRegistrationOffice.accepts(&code("004")));
        assert_eq!(InstitutionKind::LandOffice.zh_tw(), "地政事務所");
        assert_eq!(
            InstitutionKind::HouseholdRegistrationOffice.zh_tw(),
            "戶政事務所"
        );
    }

    #[test]
    fn query_methods_have_their_register_letters_and_labels() {
        let letters: String = QueryMethod::ALL.iter().map(|m| m.letter()).collect();
        assert_eq!(letters, "NBQW");
        assert_eq!(QueryMethod::ChipCard.zh_tw(), "晶片卡");
        assert_eq!(
            QueryMethod::from_letter('q').unwrap(),
            QueryMethod::ServerConnection
        );
        assert!(QueryMethod::from_letter('X').is_err());
        assert!(!QueryMethod::ChipCard.is_system_connection());
        assert!(QueryMethod::Api.is_system_connection());
    }

    #[test]
    fn a_declared_set_of_query_methods_parses_with_any_separator() {
        let set = QueryMethod::parse_set("N/B/Q").unwrap();
        assert_eq!(set.len(), 3);
        assert_eq!(QueryMethod::parse_set("N、W, n").unwrap().len(), 2);
        assert!(QueryMethod::parse_set("").unwrap().is_empty());
        assert_eq!(
            QueryMethod::parse_set("N/Z").unwrap_err(),
            QueryMethodError { found: 'Z' }
        );
        assert_eq!(
            serde_json::to_string(&QueryMethod::BatchFile).unwrap(),
            "\"B\""
        );
        assert_eq!(
            serde_json::from_str::<QueryMethod>("\"W\"").unwrap(),
            QueryMethod::Api
        );
        assert!(serde_json::from_str::<QueryMethod>("\"NB\"").is_err());
    }

    #[test]
    fn a_head_office_with_branches_and_sections_is_a_valid_tree() {
        let tree = OrgTree::new(bank()).unwrap();
        let hq = OrgUnitCode::parse("HQ").unwrap();
        let sec = OrgUnitCode::parse("B001-LOAN").unwrap();
        assert_eq!(tree.head_offices().count(), 1);
        assert_eq!(tree.descendants(&hq).len(), 3);
        let up: Vec<_> = tree
            .ancestors(&sec)
            .iter()
            .map(|u| u.code.as_str())
            .collect();
        assert_eq!(up, ["B001", "HQ"]);
        assert!(tree.is_within(&sec, &hq));
        assert!(!tree.is_within(&hq, &sec));
        assert_eq!(tree.children(&hq).len(), 2);
    }

    #[test]
    fn two_institutions_each_with_one_head_office_are_valid() {
        let mut units = bank();
        units.push(unit("TPE", "AB01", None, OrgUnitKind::HeadOffice));
        units.push(unit("TPE-REG", "AB01", Some("TPE"), OrgUnitKind::Section));
        assert_eq!(OrgTree::new(units).unwrap().head_offices().count(), 2);
    }

    #[test]
    fn a_cycle_between_units_is_refused() {
        let mut units = bank();
        units.push(unit("X1", "004", Some("X2"), OrgUnitKind::Section));
        units.push(unit("X2", "004", Some("X1"), OrgUnitKind::Section));
        assert!(matches!(OrgTree::new(units), Err(OrgError::Cycle { .. })));
        let mut units = bank();
        units.push(unit("SELF", "004", Some("SELF"), OrgUnitKind::Section));
        assert!(matches!(OrgTree::new(units), Err(OrgError::Cycle { .. })));
    }

    #[test]
    fn an_institution_needs_exactly_one_head_office_at_its_top() {
        let mut units = bank();
        units.push(unit("HQ2", "004", None, OrgUnitKind::HeadOffice));
        let e = OrgTree::new(units).unwrap_err();
        assert_eq!(e.code(), "org_multiple_roots");
        assert!(e.zh_tw().contains("HQ2"));

        let mut units = bank();
        units.push(unit("LOOSE", "004", None, OrgUnitKind::Branch));
        assert!(matches!(
            OrgTree::new(units),
            Err(OrgError::HeadOfficeMismatch { .. })
        ));

        let mut units = bank();
        units[1].kind = OrgUnitKind::HeadOffice;
        assert!(matches!(
            OrgTree::new(units),
            Err(OrgError::HeadOfficeMismatch { .. })
        ));

        // Units of an institution whose only units form a cycle: no root.
        let units = vec![
            unit("C1", "AB01", Some("C2"), OrgUnitKind::Section),
            unit("C2", "AB01", Some("C1"), OrgUnitKind::Section),
        ];
        assert!(matches!(
            OrgTree::new(units),
            Err(OrgError::Cycle { .. } | OrgError::NoRoot { .. })
        ));
    }

    #[test]
    fn unknown_parents_cross_institution_parents_duplicates_and_blank_names_are_refused() {
        let mut units = bank();
        units.push(unit("B9", "004", Some("NOPE"), OrgUnitKind::Branch));
        assert!(matches!(
            OrgTree::new(units),
            Err(OrgError::UnknownParent { .. })
        ));

        let mut units = bank();
        units.push(unit("TPE", "AB01", None, OrgUnitKind::HeadOffice));
        units.push(unit("B9", "AB01", Some("HQ"), OrgUnitKind::Branch));
        assert!(matches!(
            OrgTree::new(units),
            Err(OrgError::CrossInstitution { .. })
        ));

        let mut units = bank();
        units.push(unit("B001", "004", Some("HQ"), OrgUnitKind::Branch));
        assert!(matches!(
            OrgTree::new(units),
            Err(OrgError::DuplicateCode { .. })
        ));

        let mut units = bank();
        units[2].name = "  ".into();
        assert!(matches!(
            OrgTree::new(units),
            Err(OrgError::BlankName { .. })
        ));

        assert!(OrgUnitCode::parse("a b").is_err());
        assert!(OrgUnitCode::parse("").is_err());
        assert!(OrgUnitCode::parse(&"x".repeat(33)).is_err());
    }
}
