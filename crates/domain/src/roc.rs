//! ROC (民國) dates: ROC year = Gregorian year − 1911 (民國 1 = 1912).
//!
//! Forms and wire formats use the 7-digit `YYYMMDD` form (`1140601` = 2025-06-01); years below 100
//! also appear as 6 digits (`991231`). Slashed input `114/06/01` (or `114/6/1`) is accepted too.
//! Display: [`RocDate::long_zh`] `民國114年6月1日`, [`RocDate::short`] `114/06/01`,
//! [`RocDate::compact`] `1140601` (always 7 digits, so `0991231`).
//!
//! Invariant: a [`RocDate`] lies between 民國 1-01-01 (1912-01-01) and 民國 999-12-31 (2910-12-31),
//! the range the 3-digit year of the wire format can express. Year 0 does not exist and is refused.
//! Surrounding whitespace is trimmed; nothing else is guessed (no two-digit years with a slash
//! ambiguity, no full-width digits).
//!
//! Serde: serialised as the 7-digit compact form; deserialising accepts every form [`RocDate::parse`]
//! accepts.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::Bilingual;

/// Offset between Gregorian and ROC years.
pub const ROC_YEAR_OFFSET: i32 = 1911;
/// Largest ROC year the 3-digit wire form can express.
pub const MAX_ROC_YEAR: u32 = 999;

/// A calendar date written in the ROC calendar. Wraps a [`NaiveDate`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RocDate(NaiveDate);

/// Why a ROC date was refused. `Display` is zh-TW then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RocDateError {
    /// Nothing (or only whitespace) was given.
    Empty,
    /// Not one of the accepted shapes (`YYYMMDD`, `YYMMDD`, `YYY/MM/DD`).
    BadFormat,
    /// ROC year 0 (or below) does not exist.
    YearZero,
    /// The year is past 民國 999 or the Gregorian date is before 1912.
    OutOfRange,
    /// The shape is right but the day does not exist (e.g. `1120229`: 2023 is not a leap year).
    NoSuchDay {
        /// ROC year as given.
        roc_year: u32,
        /// Month as given.
        month: u32,
        /// Day as given.
        day: u32,
    },
}

impl Bilingual for RocDateError {
    fn code(&self) -> &'static str {
        match self {
            RocDateError::Empty => "roc_date_empty",
            RocDateError::BadFormat => "roc_date_bad_format",
            RocDateError::YearZero => "roc_date_year_zero",
            RocDateError::OutOfRange => "roc_date_out_of_range",
            RocDateError::NoSuchDay { .. } => "roc_date_no_such_day",
        }
    }

    fn zh_tw(&self) -> String {
        match self {
            RocDateError::Empty => "未填寫日期".into(),
            RocDateError::BadFormat => {
                "日期格式不正確，應為民國年月日 7 碼（如 1140601）或 114/06/01".into()
            }
            RocDateError::YearZero => "民國年不可為 0".into(),
            RocDateError::OutOfRange => "日期超出可處理範圍（民國 1 年至 999 年）".into(),
            RocDateError::NoSuchDay {
                roc_year,
                month,
                day,
            } => format!("民國{roc_year}年{month}月{day}日不存在"),
        }
    }

    fn en(&self) -> String {
        match self {
            RocDateError::Empty => "the date is missing".into(),
            RocDateError::BadFormat => {
                "the date must be a 7-digit ROC date (e.g. 1140601) or 114/06/01".into()
            }
            RocDateError::YearZero => "ROC year 0 does not exist".into(),
            RocDateError::OutOfRange => {
                "the date is outside the supported range (ROC years 1 to 999)".into()
            }
            RocDateError::NoSuchDay {
                roc_year,
                month,
                day,
            } => format!("ROC {roc_year}-{month:02}-{day:02} is not a real day"),
        }
    }
}

impl fmt::Display for RocDateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.both())
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn num(s: &str) -> Result<u32, RocDateError> {
    s.parse().map_err(|_| RocDateError::BadFormat)
}

impl RocDate {
    /// Builds a date from ROC year, month and day.
    pub fn from_roc_ymd(roc_year: u32, month: u32, day: u32) -> Result<Self, RocDateError> {
        if roc_year == 0 {
            return Err(RocDateError::YearZero);
        }
        if roc_year > MAX_ROC_YEAR {
            return Err(RocDateError::OutOfRange);
        }
        let year = roc_year as i32 + ROC_YEAR_OFFSET;
        NaiveDate::from_ymd_opt(year, month, day)
            .map(RocDate)
            .ok_or(RocDateError::NoSuchDay {
                roc_year,
                month,
                day,
            })
    }

    /// Wraps a Gregorian date; refused before 1912-01-01 or after 2910-12-31.
    pub fn from_gregorian(date: NaiveDate) -> Result<Self, RocDateError> {
        let roc = date.year() - ROC_YEAR_OFFSET;
        if roc < 1 || roc > MAX_ROC_YEAR as i32 {
            return Err(RocDateError::OutOfRange);
        }
        Ok(RocDate(date))
    }

    /// Parses `YYYMMDD` (7 digits), `YYMMDD` (6 digits, years below 100) or `YYY/MM/DD` (1–3 digit
    /// year, 1–2 digit month and day). Surrounding whitespace is trimmed.
    pub fn parse(input: &str) -> Result<Self, RocDateError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(RocDateError::Empty);
        }
        if s.contains('/') {
            let parts: Vec<&str> = s.split('/').collect();
            let [y, m, d] = parts.as_slice() else {
                return Err(RocDateError::BadFormat);
            };
            let shapes_ok = all_digits(y)
                && y.len() <= 3
                && all_digits(m)
                && m.len() <= 2
                && all_digits(d)
                && d.len() <= 2;
            if !shapes_ok {
                return Err(RocDateError::BadFormat);
            }
            return Self::from_roc_ymd(num(y)?, num(m)?, num(d)?);
        }
        Self::parse_compact(s)
    }

    /// Parses only the digit forms: 7-digit `YYYMMDD` or 6-digit `YYMMDD`.
    pub fn parse_compact(input: &str) -> Result<Self, RocDateError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(RocDateError::Empty);
        }
        if !all_digits(s) || !(s.len() == 6 || s.len() == 7) {
            return Err(RocDateError::BadFormat);
        }
        let split = s.len() - 4;
        Self::from_roc_ymd(
            num(&s[..split])?,
            num(&s[split..split + 2])?,
            num(&s[split + 2..])?,
        )
    }

    /// The Gregorian date.
    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// ROC year (≥ 1).
    pub fn roc_year(self) -> u32 {
        (self.0.year() - ROC_YEAR_OFFSET) as u32
    }

    /// Month 1–12.
    pub fn month(self) -> u32 {
        self.0.month()
    }

    /// Day of month 1–31.
    pub fn day(self) -> u32 {
        self.0.day()
    }

    /// Long zh-TW form: `民國114年6月1日`.
    pub fn long_zh(self) -> String {
        format!(
            "民國{}年{}月{}日",
            self.roc_year(),
            self.month(),
            self.day()
        )
    }

    /// Short form: `114/06/01` (year not padded: `99/12/31`).
    pub fn short(self) -> String {
        format!("{}/{:02}/{:02}", self.roc_year(), self.month(), self.day())
    }

    /// 7-digit wire form `YYYMMDD`: `1140601`, `0991231`.
    pub fn compact(self) -> String {
        format!("{:03}{:02}{:02}", self.roc_year(), self.month(), self.day())
    }
}

impl From<RocDate> for NaiveDate {
    fn from(d: RocDate) -> Self {
        d.0
    }
}

impl TryFrom<NaiveDate> for RocDate {
    type Error = RocDateError;
    fn try_from(d: NaiveDate) -> Result<Self, RocDateError> {
        RocDate::from_gregorian(d)
    }
}

impl std::str::FromStr for RocDate {
    type Err = RocDateError;
    fn from_str(s: &str) -> Result<Self, RocDateError> {
        RocDate::parse(s)
    }
}

/// Shows the short form `114/06/01`.
impl fmt::Display for RocDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

impl fmt::Debug for RocDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RocDate({} = {})", self.compact(), self.0)
    }
}

impl Serialize for RocDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.compact())
    }
}

impl<'de> Deserialize<'de> for RocDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        RocDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn seven_digit_date_1140601_is_2025_june_first() {
        let d = RocDate::parse("1140601").unwrap();
        assert_eq!(d.date(), ymd(2025, 6, 1));
        assert_eq!(d.roc_year(), 114);
    }

    #[test]
    fn leap_day_exists_in_roc_113_but_not_in_roc_112() {
        assert_eq!(RocDate::parse("1130229").unwrap().date(), ymd(2024, 2, 29));
        assert_eq!(
            RocDate::parse("1120229"),
            Err(RocDateError::NoSuchDay {
                roc_year: 112,
                month: 2,
                day: 29
            })
        );
    }

    #[test]
    fn six_and_seven_digit_forms_of_a_year_below_100_are_the_same_date() {
        let a = RocDate::parse("0991231").unwrap();
        let b = RocDate::parse("991231").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.date(), ymd(2010, 12, 31));
    }

    #[test]
    fn roc_year_1_starts_in_1912_and_year_0_is_refused() {
        assert_eq!(RocDate::parse("0010101").unwrap().date(), ymd(1912, 1, 1));
        assert_eq!(RocDate::parse("0000101"), Err(RocDateError::YearZero));
        assert_eq!(RocDate::parse("000101"), Err(RocDateError::YearZero));
        assert_eq!(RocDate::parse("0/01/01"), Err(RocDateError::YearZero));
    }

    #[test]
    fn slashed_form_is_accepted_with_or_without_padding() {
        let d = RocDate::parse("114/06/01").unwrap();
        assert_eq!(d.date(), ymd(2025, 6, 1));
        assert_eq!(RocDate::parse(" 114/6/1 ").unwrap(), d);
        assert_eq!(
            RocDate::parse("99/12/31").unwrap().date(),
            ymd(2010, 12, 31)
        );
    }

    #[test]
    fn malformed_dates_are_refused_with_a_bilingual_error() {
        for s in [
            "11406011",
            "114-06-01",
            "114/06",
            "114/06/01/1",
            "1140a01",
            "1140/6/1",
            "114/006/1",
            "２０２５",
        ] {
            let e = RocDate::parse(s).unwrap_err();
            assert_eq!(e, RocDateError::BadFormat, "{s}");
            assert_eq!(e.code(), "roc_date_bad_format");
            assert!(e.to_string().starts_with("日期格式不正確"));
        }
        assert_eq!(RocDate::parse("  "), Err(RocDateError::Empty));
        // Six digits always read as YYMMDD: 114061 is ROC 11, month 40 — no such day.
        assert!(matches!(
            RocDate::parse("114061"),
            Err(RocDateError::NoSuchDay { roc_year: 11, .. })
        ));
        assert!(matches!(
            RocDate::parse("1141301"),
            Err(RocDateError::NoSuchDay { month: 13, .. })
        ));
    }

    #[test]
    fn display_forms_are_long_chinese_short_and_compact() {
        let d = RocDate::parse("1140601").unwrap();
        assert_eq!(d.long_zh(), "民國114年6月1日");
        assert_eq!(d.short(), "114/06/01");
        assert_eq!(d.compact(), "1140601");
        assert_eq!(d.to_string(), "114/06/01");
        let old = RocDate::parse("991231").unwrap();
        assert_eq!(old.compact(), "0991231");
        assert_eq!(old.short(), "99/12/31");
        assert_eq!(old.long_zh(), "民國99年12月31日");
    }

    #[test]
    fn gregorian_conversion_works_both_ways_within_range() {
        let d = RocDate::from_gregorian(ymd(2025, 6, 1)).unwrap();
        assert_eq!(d.compact(), "1140601");
        assert_eq!(NaiveDate::from(d), ymd(2025, 6, 1));
        assert_eq!(
            RocDate::from_gregorian(ymd(1911, 12, 31)),
            Err(RocDateError::OutOfRange)
        );
        assert_eq!(
            RocDate::try_from(ymd(2911, 1, 1)),
            Err(RocDateError::OutOfRange)
        );
        assert_eq!(RocDate::from_roc_ymd(114, 6, 1).unwrap(), d);
        assert_eq!(
            RocDate::from_roc_ymd(1000, 1, 1),
            Err(RocDateError::OutOfRange)
        );
    }

    #[test]
    fn serde_uses_the_compact_form_and_validates() {
        let d = RocDate::parse("114/06/01").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"1140601\"");
        assert_eq!(serde_json::from_str::<RocDate>("\"1140601\"").unwrap(), d);
        assert!(serde_json::from_str::<RocDate>("\"1120229\"").is_err());
    }

    proptest! {
        #[test]
        fn every_date_in_range_round_trips_through_all_three_forms(days in 0i64..365_000) {
            let date = ymd(1912, 1, 1) + chrono::Duration::days(days);
            prop_assume!(date <= ymd(2910, 12, 31));
            let d = RocDate::from_gregorian(date).unwrap();
            prop_assert_eq!(RocDate::parse(&d.compact()).unwrap(), d);
            prop_assert_eq!(RocDate::parse(&d.short()).unwrap(), d);
            prop_assert_eq!(d.roc_year() as i32 + 1911, chrono::Datelike::year(&date));
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in any::<String>()) {
            let _ = RocDate::parse(&s);
        }
    }
}
