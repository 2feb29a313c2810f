//! Purposes of a lookup: closed code lists, never free text (X1).
//!
//! - [`JcicPurpose`]: JCIC agency data may be looked up **only** for credit granting (授信), a
//!   credit-card application (信用卡申請) or a credit-card limit adjustment (信用卡額度調整) — J1.2.
//!   JCIC's general credit-report query reasons do not apply and are deliberately absent.
//! - [`TaipeiBusinessType`]: the four business types of the Taipei digital seal comparison system
//!   (T3).
//! - [`Purpose`]: either of the two.
//!
//! Codes are stable snake_case strings (stored, logged, used in URLs and the ledger); they never
//! change once released. Serde uses the code.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::Bilingual;

/// The purpose of a JCIC agency-data lookup (J1.2, X1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JcicPurpose {
    /// 授信.
    CreditGranting,
    /// 信用卡申請.
    CardApplication,
    /// 信用卡額度調整.
    CardLimitAdjustment,
}

/// A business type of the Taipei digital seal comparison system (T3, X1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaipeiBusinessType {
    /// 土地登記案件.
    LandRegistration,
    /// 申領徵收補償費案件.
    ExpropriationCompensation,
    /// 申領地籍清理代為標售土地價金案件.
    CadastralCleanupSaleProceeds,
    /// 區段徵收及市地重劃業務案件.
    ZoneExpropriationAndLandReadjustment,
}

/// Why a purpose code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.both())]
pub struct PurposeError {
    /// The code that was given (trimmed, at most 40 characters kept).
    pub given: String,
}

impl Bilingual for PurposeError {
    fn code(&self) -> &'static str {
        "purpose_unknown"
    }
    fn zh_tw(&self) -> String {
        format!("查詢目的代碼「{}」不在規定的清單內", self.given)
    }
    fn en(&self) -> String {
        format!("purpose code '{}' is not in the closed list", self.given)
    }
}

fn unknown(given: &str) -> PurposeError {
    PurposeError {
        given: given.trim().chars().take(40).collect(),
    }
}

impl JcicPurpose {
    /// Every JCIC purpose, in form order.
    pub const ALL: [JcicPurpose; 3] = [
        JcicPurpose::CreditGranting,
        JcicPurpose::CardApplication,
        JcicPurpose::CardLimitAdjustment,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            JcicPurpose::CreditGranting => "credit_granting",
            JcicPurpose::CardApplication => "card_application",
            JcicPurpose::CardLimitAdjustment => "card_limit_adjustment",
        }
    }

    /// zh-TW label, exactly as in the seed.
    pub fn zh_tw(self) -> &'static str {
        match self {
            JcicPurpose::CreditGranting => "授信",
            JcicPurpose::CardApplication => "信用卡申請",
            JcicPurpose::CardLimitAdjustment => "信用卡額度調整",
        }
    }

    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            JcicPurpose::CreditGranting => "credit granting",
            JcicPurpose::CardApplication => "credit-card application",
            JcicPurpose::CardLimitAdjustment => "credit-card limit adjustment",
        }
    }

    /// Parses a stable code (surrounding whitespace trimmed).
    pub fn parse(code: &str) -> Result<Self, PurposeError> {
        let c = code.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.code() == c)
            .ok_or_else(|| unknown(code))
    }
}

impl TaipeiBusinessType {
    /// Every Taipei business type, in the order of T3.
    pub const ALL: [TaipeiBusinessType; 4] = [
        TaipeiBusinessType::LandRegistration,
        TaipeiBusinessType::ExpropriationCompensation,
        TaipeiBusinessType::CadastralCleanupSaleProceeds,
        TaipeiBusinessType::ZoneExpropriationAndLandReadjustment,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            TaipeiBusinessType::LandRegistration => "land_registration",
            TaipeiBusinessType::ExpropriationCompensation => "expropriation_compensation",
            TaipeiBusinessType::CadastralCleanupSaleProceeds => "cadastral_cleanup_sale_proceeds",
            TaipeiBusinessType::ZoneExpropriationAndLandReadjustment => {
                "zone_expropriation_and_land_readjustment"
            }
        }
    }

    /// zh-TW label, exactly as in the seed.
    pub fn zh_tw(self) -> &'static str {
        match self {
            TaipeiBusinessType::LandRegistration => "土地登記案件",
            TaipeiBusinessType::ExpropriationCompensation => "申領徵收補償費案件",
            TaipeiBusinessType::CadastralCleanupSaleProceeds => "申領地籍清理代為標售土地價金案件",
            TaipeiBusinessType::ZoneExpropriationAndLandReadjustment => {
                "區段徵收及市地重劃業務案件"
            }
        }
    }

    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            TaipeiBusinessType::LandRegistration => "land registration",
            TaipeiBusinessType::ExpropriationCompensation => "expropriation compensation claim",
            TaipeiBusinessType::CadastralCleanupSaleProceeds => {
                "cadastral clean-up sale proceeds claim"
            }
            TaipeiBusinessType::ZoneExpropriationAndLandReadjustment => {
                "zone expropriation and urban land readjustment"
            }
        }
    }

    /// Parses a stable code (surrounding whitespace trimmed).
    pub fn parse(code: &str) -> Result<Self, PurposeError> {
        let c = code.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.code() == c)
            .ok_or_else(|| unknown(code))
    }
}

/// The purpose of a lookup: a JCIC purpose or a Taipei business type. Codes of the two lists are
/// disjoint, so [`Purpose::parse`] needs no prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Purpose {
    /// A JCIC agency-data purpose.
    Jcic(JcicPurpose),
    /// A Taipei seal-system business type.
    Taipei(TaipeiBusinessType),
}

impl Purpose {
    /// Every purpose of both lists.
    pub fn all() -> impl Iterator<Item = Purpose> {
        JcicPurpose::ALL
            .into_iter()
            .map(Purpose::Jcic)
            .chain(TaipeiBusinessType::ALL.into_iter().map(Purpose::Taipei))
    }

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Jcic(p) => p.code(),
            Purpose::Taipei(p) => p.code(),
        }
    }

    /// zh-TW label.
    pub fn zh_tw(self) -> &'static str {
        match self {
            Purpose::Jcic(p) => p.zh_tw(),
            Purpose::Taipei(p) => p.zh_tw(),
        }
    }

    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            Purpose::Jcic(p) => p.en(),
            Purpose::Taipei(p) => p.en(),
        }
    }

    /// Parses a code of either list.
    pub fn parse(code: &str) -> Result<Self, PurposeError> {
        JcicPurpose::parse(code)
            .map(Purpose::Jcic)
            .or_else(|_| TaipeiBusinessType::parse(code).map(Purpose::Taipei))
    }
}

macro_rules! code_impls {
    ($ty:ident) => {
        /// Shows the zh-TW label.
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.zh_tw())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = PurposeError;
            fn from_str(s: &str) -> Result<Self, PurposeError> {
                Self::parse(s)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
code_impls!(JcicPurpose);
code_impls!(TaipeiBusinessType);
code_impls!(Purpose);

impl From<JcicPurpose> for Purpose {
    fn from(p: JcicPurpose) -> Self {
        Purpose::Jcic(p)
    }
}

impl From<TaipeiBusinessType> for Purpose {
    fn from(p: TaipeiBusinessType) -> Self {
        Purpose::Taipei(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn jcic_purposes_are_exactly_the_three_of_j1_2() {
        let labels: Vec<_> = JcicPurpose::ALL.iter().map(|p| p.zh_tw()).collect();
        assert_eq!(labels, ["授信", "信用卡申請", "信用卡額度調整"]);
    }

    #[test]
    fn taipei_business_types_are_exactly_the_four_of_t3() {
        let labels: Vec<_> = TaipeiBusinessType::ALL.iter().map(|p| p.zh_tw()).collect();
        assert_eq!(
            labels,
            [
                "土地登記案件",
                "申領徵收補償費案件",
                "申領地籍清理代為標售土地價金案件",
                "區段徵收及市地重劃業務案件"
            ]
        );
    }

    #[test]
    fn every_code_parses_back_to_its_purpose_and_codes_are_unique() {
        let all: Vec<Purpose> = Purpose::all().collect();
        assert_eq!(all.len(), 7);
        let codes: BTreeSet<_> = all.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), 7);
        for p in all {
            assert_eq!(Purpose::parse(p.code()).unwrap(), p);
            assert!(
                p.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
            assert!(!p.en().is_empty());
        }
    }

    #[test]
    fn general_credit_report_reasons_and_free_text_are_refused() {
        for s in ["新業務申請", "原業務往來", "other", "", "Credit_Granting"] {
            let e = Purpose::parse(s).unwrap_err();
            assert_eq!(e.code(), "purpose_unknown");
        }
        assert!(JcicPurpose::parse("land_registration").is_err());
        assert!(TaipeiBusinessType::parse("credit_granting").is_err());
    }

    #[test]
    fn serde_uses_the_stable_code() {
        let p = Purpose::Taipei(TaipeiBusinessType::LandRegistration);
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"land_registration\"");
        assert_eq!(
            serde_json::from_str::<JcicPurpose>("\"card_application\"").unwrap(),
            JcicPurpose::CardApplication
        );
        assert!(serde_json::from_str::<JcicPurpose>("\"land_registration\"").is_err());
    }
}
