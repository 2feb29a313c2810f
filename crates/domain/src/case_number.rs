//! Case numbers: every lookup belongs to a case (X1, X8), identified by a case number that is
//! never free text.
//!
//! - Land offices use receipt numbers (收件字號) such as `114年松山字第001234號`: ROC year, office
//!   word (one to ten Han characters), serial (one to ten digits, leading zeros kept). Parsing keeps
//!   the text exactly, so it round-trips byte for byte.
//! - Banks use their own loan or application numbers, validated against the institution's
//!   [`CaseNumberPattern`].
//!
//! Placeholders — blank, whitespace-only, `.`, `-`, any string of punctuation only, and the usual
//! "nothing" words (`N/A`, `NA`, `NONE`, `NIL`, `NULL`, `TBD`, `無`, `略`, `不詳`) — are always
//! refused with [`CaseNumberError::Placeholder`] or [`CaseNumberError::Empty`].
//!
//! # Pattern syntax ([`CaseNumberPattern`])
//! A pattern is a sequence of literal characters and placeholders, all of fixed width:
//!
//! | item | matches |
//! |---|---|
//! | `A`–`Z`, `0`–`9`, `-`, `_`, `/` | itself (literal) |
//! | `{YYY}` | ROC year, 3 digits, `001`–`999` |
//! | `{YYYY}` | Gregorian year, 4 digits, `1912`–`2999` |
//! | `{MM}` | month `01`–`12` |
//! | `{DD}` | day `01`–`31` |
//! | `{N}`, `{NN}`, … (1–20 `N`) | that many digits |
//! | `{A}`, `{AA}`, … (1–10 `A`) | that many upper-case letters |
//!
//! A pattern must hold at least one digit run `{N…}` (the serial) and match at most 40
//! characters. Input is trimmed and upper-cased before matching; whitespace inside is refused.
//! Example: `LN{YYY}{NNNNNN}` accepts `LN114000123`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::Bilingual;

/// Longest bank case number a pattern may describe.
pub const MAX_CASE_NUMBER_LEN: usize = 40;

/// One item of a [`CaseNumberPattern`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PatternItem {
    /// A literal character.
    Literal(char),
    /// `{YYY}`.
    RocYear,
    /// `{YYYY}`.
    Year,
    /// `{MM}`.
    Month,
    /// `{DD}`.
    Day,
    /// `{N…}`: this many digits.
    Digits(usize),
    /// `{A…}`: this many upper-case letters.
    Letters(usize),
}

impl PatternItem {
    fn width(&self) -> usize {
        match self {
            PatternItem::Literal(_) => 1,
            PatternItem::RocYear => 3,
            PatternItem::Year => 4,
            PatternItem::Month | PatternItem::Day => 2,
            PatternItem::Digits(n) | PatternItem::Letters(n) => *n,
        }
    }

    fn expected(&self) -> Expectation {
        match self {
            PatternItem::Literal(c) => Expectation::Literal(*c),
            PatternItem::RocYear => Expectation::RocYear,
            PatternItem::Year => Expectation::Year,
            PatternItem::Month => Expectation::Month,
            PatternItem::Day => Expectation::Day,
            PatternItem::Digits(_) => Expectation::Digit,
            PatternItem::Letters(_) => Expectation::Letter,
        }
    }

    fn example(&self) -> String {
        match self {
            PatternItem::Literal(c) => c.to_string(),
            PatternItem::RocYear => "114".into(),
            PatternItem::Year => "2025".into(),
            PatternItem::Month | PatternItem::Day => "01".into(),
            PatternItem::Digits(n) => format!("{:0>width$}", 1, width = *n),
            PatternItem::Letters(n) => "A".repeat(*n),
        }
    }
}

/// What a position of a bank case number must hold (for error messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expectation {
    /// This exact character.
    Literal(char),
    /// A ROC year 001–999.
    RocYear,
    /// A Gregorian year 1912–2999.
    Year,
    /// A month 01–12.
    Month,
    /// A day 01–31.
    Day,
    /// A digit.
    Digit,
    /// An upper-case letter.
    Letter,
}

impl Expectation {
    fn zh_tw(self) -> String {
        match self {
            Expectation::Literal(c) => format!("「{c}」"),
            Expectation::RocYear => "民國年 3 碼（001–999）".into(),
            Expectation::Year => "西元年 4 碼（1912–2999）".into(),
            Expectation::Month => "月份 01–12".into(),
            Expectation::Day => "日期 01–31".into(),
            Expectation::Digit => "數字".into(),
            Expectation::Letter => "英文字母".into(),
        }
    }

    fn en(self) -> String {
        match self {
            Expectation::Literal(c) => format!("'{c}'"),
            Expectation::RocYear => "a 3-digit ROC year (001–999)".into(),
            Expectation::Year => "a 4-digit year (1912–2999)".into(),
            Expectation::Month => "a month 01–12".into(),
            Expectation::Day => "a day 01–31".into(),
            Expectation::Digit => "a digit".into(),
            Expectation::Letter => "a letter".into(),
        }
    }
}

/// A per-institution pattern for bank case numbers (see the module docs for the syntax).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseNumberPattern {
    source: String,
    items: Vec<PatternItem>,
}

/// Why a pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// Blank pattern.
    Empty,
    /// `{` without `}`.
    UnclosedBrace,
    /// A placeholder that is not `{YYY}`, `{YYYY}`, `{MM}`, `{DD}`, `{N…}` or `{A…}`.
    UnknownPlaceholder {
        /// The text between the braces.
        text: String,
    },
    /// A literal character outside `A–Z 0–9 - _ /`.
    BadLiteral {
        /// The character.
        found: char,
    },
    /// No `{N…}` digit run.
    NoSerial,
    /// Matches more than [`MAX_CASE_NUMBER_LEN`] characters.
    TooLong,
}

impl Bilingual for PatternError {
    fn code(&self) -> &'static str {
        match self {
            PatternError::Empty => "case_pattern_empty",
            PatternError::UnclosedBrace => "case_pattern_unclosed_brace",
            PatternError::UnknownPlaceholder { .. } => "case_pattern_unknown_placeholder",
            PatternError::BadLiteral { .. } => "case_pattern_bad_literal",
            PatternError::NoSerial => "case_pattern_no_serial",
            PatternError::TooLong => "case_pattern_too_long",
        }
    }

    fn zh_tw(&self) -> String {
        match self {
            PatternError::Empty => "未填寫案號格式".into(),
            PatternError::UnclosedBrace => "案號格式的「{」未以「}」結束".into(),
            PatternError::UnknownPlaceholder { text } => format!(
                "案號格式不支援 {{{text}}}，可用 {{YYY}}、{{YYYY}}、{{MM}}、{{DD}}、{{N…}}、{{A…}}"
            ),
            PatternError::BadLiteral { found } => format!(
                "案號格式含不允許的字元「{}」，固定字元限大寫英文字母、數字、- _ /",
                found.escape_default()
            ),
            PatternError::NoSerial => "案號格式須含流水號 {N…}".into(),
            PatternError::TooLong => format!("案號格式超過 {MAX_CASE_NUMBER_LEN} 個字元"),
        }
    }

    fn en(&self) -> String {
        match self {
            PatternError::Empty => "the case-number pattern is empty".into(),
            PatternError::UnclosedBrace => "a '{' in the case-number pattern is not closed".into(),
            PatternError::UnknownPlaceholder { text } => format!(
                "unknown placeholder {{{text}}}: use {{YYY}}, {{YYYY}}, {{MM}}, {{DD}}, {{N…}} or {{A…}}"
            ),
            PatternError::BadLiteral { found } => format!(
                "the pattern contains '{}': literal characters are A–Z, 0–9, '-', '_' and '/'",
                found.escape_default()
            ),
            PatternError::NoSerial => "the pattern needs a serial number run {N…}".into(),
            PatternError::TooLong => {
                format!("the pattern describes more than {MAX_CASE_NUMBER_LEN} characters")
            }
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.both())
    }
}

impl CaseNumberPattern {
    /// Parses a pattern such as `LN{YYY}{NNNNNN}`.
    pub fn parse(source: &str) -> Result<Self, PatternError> {
        let source = source.trim();
        if source.is_empty() {
            return Err(PatternError::Empty);
        }
        let mut items = Vec::new();
        let mut chars = source.chars();
        while let Some(c) = chars.next() {
            if c == '{' {
                let mut text = String::new();
                let mut closed = false;
                for d in chars.by_ref() {
                    if d == '}' {
                        closed = true;
                        break;
                    }
                    text.push(d);
                }
                if !closed {
                    return Err(PatternError::UnclosedBrace);
                }
                let item = match text.as_str() {
                    "YYY" => PatternItem::RocYear,
                    "YYYY" => PatternItem::Year,
                    "MM" => PatternItem::Month,
                    "DD" => PatternItem::Day,
                    t if (1..=20).contains(&t.len()) && t.bytes().all(|b| b == b'N') => {
                        PatternItem::Digits(t.len())
                    }
                    t if (1..=10).contains(&t.len()) && t.bytes().all(|b| b == b'A') => {
                        PatternItem::Letters(t.len())
                    }
                    _ => return Err(PatternError::UnknownPlaceholder { text }),
                };
                items.push(item);
            } else if c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '/') {
                items.push(PatternItem::Literal(c));
            } else {
                return Err(PatternError::BadLiteral { found: c });
            }
        }
        if !items.iter().any(|i| matches!(i, PatternItem::Digits(_))) {
            return Err(PatternError::NoSerial);
        }
        let width: usize = items.iter().map(PatternItem::width).sum();
        if width > MAX_CASE_NUMBER_LEN {
            return Err(PatternError::TooLong);
        }
        Ok(Self {
            source: source.to_string(),
            items,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The parsed items.
    pub fn items(&self) -> &[PatternItem] {
        &self.items
    }

    /// Number of characters a matching case number has.
    pub fn width(&self) -> usize {
        self.items.iter().map(PatternItem::width).sum()
    }

    /// An example case number (ROC year 114, year 2025, month and day 01, serial 0…01), for help
    /// text.
    pub fn example(&self) -> String {
        self.items.iter().map(PatternItem::example).collect()
    }

    /// Checks `s` (already trimmed and upper-cased) against the pattern.
    fn check(&self, s: &str) -> Result<(), CaseNumberError> {
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != self.width() {
            return Err(CaseNumberError::WrongLength {
                pattern: self.source.clone(),
                expected: self.width(),
                found: chars.len(),
            });
        }
        let mut pos = 0;
        for item in &self.items {
            let part = &chars[pos..pos + item.width()];
            let mismatch = |offset: usize| CaseNumberError::PatternMismatch {
                pattern: self.source.clone(),
                position: pos + offset + 1,
                expected: item.expected(),
            };
            let digits_at = || part.iter().position(|c| !c.is_ascii_digit());
            let value = || {
                part.iter()
                    .fold(0u32, |acc, c| acc * 10 + c.to_digit(10).unwrap_or(0))
            };
            match item {
                PatternItem::Literal(l) => {
                    if part[0] != *l {
                        return Err(mismatch(0));
                    }
                }
                PatternItem::Letters(_) => {
                    if let Some(i) = part.iter().position(|c| !c.is_ascii_uppercase()) {
                        return Err(mismatch(i));
                    }
                }
                PatternItem::Digits(_) => {
                    if let Some(i) = digits_at() {
                        return Err(mismatch(i));
                    }
                }
                PatternItem::RocYear
                | PatternItem::Year
                | PatternItem::Month
                | PatternItem::Day => {
                    if let Some(i) = digits_at() {
                        return Err(mismatch(i));
                    }
                    let ok = match item {
                        PatternItem::RocYear => (1..=999).contains(&value()),
                        PatternItem::Year => (1912..=2999).contains(&value()),
                        PatternItem::Month => (1..=12).contains(&value()),
                        _ => (1..=31).contains(&value()),
                    };
                    if !ok {
                        return Err(mismatch(0));
                    }
                }
            }
            pos += item.width();
        }
        Ok(())
    }
}

impl fmt::Display for CaseNumberPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Serialize for CaseNumberPattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for CaseNumberPattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Why a case number was refused. `Display` is zh-TW then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseNumberError {
    /// Blank or whitespace-only.
    Empty,
    /// A placeholder such as `.`, `-`, `N/A` or `無` instead of a real case number.
    Placeholder {
        /// What was given (trimmed, at most 20 characters kept).
        given: String,
    },
    /// Whitespace inside the case number.
    WhitespaceInside,
    /// Not of the shape `114年松山字第001234號`.
    ReceiptFormat,
    /// ROC year 0 in a receipt number.
    ReceiptYearZero,
    /// The office word is not 1–10 Han characters.
    ReceiptOfficeWord,
    /// The bank case number has the wrong length for its pattern.
    WrongLength {
        /// The institution's pattern.
        pattern: String,
        /// Length the pattern requires.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// A character does not fit the pattern.
    PatternMismatch {
        /// The institution's pattern.
        pattern: String,
        /// 1-based position.
        position: usize,
        /// What the position must hold.
        expected: Expectation,
    },
    /// A stored bank case number with characters a pattern can never produce.
    BadCharacters,
}

impl Bilingual for CaseNumberError {
    fn code(&self) -> &'static str {
        match self {
            CaseNumberError::Empty => "case_number_empty",
            CaseNumberError::Placeholder { .. } => "case_number_placeholder",
            CaseNumberError::WhitespaceInside => "case_number_whitespace_inside",
            CaseNumberError::ReceiptFormat => "case_number_receipt_format",
            CaseNumberError::ReceiptYearZero => "case_number_receipt_year_zero",
            CaseNumberError::ReceiptOfficeWord => "case_number_receipt_office_word",
            CaseNumberError::WrongLength { .. } => "case_number_wrong_length",
            CaseNumberError::PatternMismatch { .. } => "case_number_pattern_mismatch",
            CaseNumberError::BadCharacters => "case_number_bad_characters",
        }
    }

    fn zh_tw(&self) -> String {
        match self {
            CaseNumberError::Empty => "未填寫案號；每筆查詢都必須對應一個案件".into(),
            CaseNumberError::Placeholder { given } => {
                format!("「{given}」不是案號；請填寫實際的案號（不可以符號或「無」代替）")
            }
            CaseNumberError::WhitespaceInside => "案號中間不可有空白".into(),
            CaseNumberError::ReceiptFormat => {
                "收件字號格式應為「114年松山字第001234號」（年、字、號）".into()
            }
            CaseNumberError::ReceiptYearZero => "收件字號的民國年不可為 0".into(),
            CaseNumberError::ReceiptOfficeWord => "收件字號的「字」須為 1 至 10 個中文字".into(),
            CaseNumberError::WrongLength {
                pattern,
                expected,
                found,
            } => format!("案號應為 {expected} 碼（格式 {pattern}），輸入為 {found} 碼"),
            CaseNumberError::PatternMismatch {
                pattern,
                position,
                expected,
            } => format!(
                "案號第 {position} 碼不符格式 {pattern}，應為{}",
                expected.zh_tw()
            ),
            CaseNumberError::BadCharacters => "案號含不允許的字元".into(),
        }
    }

    fn en(&self) -> String {
        match self {
            CaseNumberError::Empty => {
                "the case number is missing: every lookup must belong to a case".into()
            }
            CaseNumberError::Placeholder { given } => format!(
                "'{given}' is not a case number: enter the real case number (no symbols or 'none')"
            ),
            CaseNumberError::WhitespaceInside => "the case number must not contain spaces".into(),
            CaseNumberError::ReceiptFormat => {
                "a receipt number looks like 114年松山字第001234號 (year, office word, serial)"
                    .into()
            }
            CaseNumberError::ReceiptYearZero => {
                "the ROC year of a receipt number cannot be 0".into()
            }
            CaseNumberError::ReceiptOfficeWord => {
                "the office word of a receipt number must be 1 to 10 Chinese characters".into()
            }
            CaseNumberError::WrongLength {
                pattern,
                expected,
                found,
            } => format!(
                "the case number must have {expected} characters (pattern {pattern}), this one has {found}"
            ),
            CaseNumberError::PatternMismatch {
                pattern,
                position,
                expected,
            } => format!(
                "character {position} of the case number does not fit pattern {pattern}: expected {}",
                expected.en()
            ),
            CaseNumberError::BadCharacters => {
                "the case number contains characters that are not allowed".into()
            }
        }
    }
}

impl fmt::Display for CaseNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.both())
    }
}

const PLACEHOLDER_WORDS: [&str; 9] = [
    "N/A", "NA", "NONE", "NIL", "NULL", "TBD", "無", "略", "不詳",
];

/// Trims and refuses blanks, placeholders and inner whitespace.
fn precheck(input: &str) -> Result<&str, CaseNumberError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(CaseNumberError::Empty);
    }
    let upper = s.to_uppercase();
    let punctuation_only = s
        .chars()
        .all(|c| !c.is_alphanumeric() && !c.is_whitespace());
    if punctuation_only || PLACEHOLDER_WORDS.contains(&upper.as_str()) {
        return Err(CaseNumberError::Placeholder {
            given: s.chars().take(20).collect(),
        });
    }
    if s.chars().any(char::is_whitespace) {
        return Err(CaseNumberError::WhitespaceInside);
    }
    Ok(s)
}

fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// A land-office receipt number (收件字號), e.g. `114年松山字第001234號`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceiptNumber {
    text: String,
    roc_year: u32,
    office_word: String,
    serial: String,
}

impl ReceiptNumber {
    /// Parses a receipt number; the text is kept exactly (after trimming).
    pub fn parse(input: &str) -> Result<Self, CaseNumberError> {
        let s = precheck(input)?;
        let body = s.strip_suffix('號').ok_or(CaseNumberError::ReceiptFormat)?;
        let (year, rest) = body
            .split_once('年')
            .ok_or(CaseNumberError::ReceiptFormat)?;
        let (word, serial) = rest
            .rsplit_once("字第")
            .ok_or(CaseNumberError::ReceiptFormat)?;
        let digits = |t: &str, max: usize| {
            !t.is_empty() && t.len() <= max && t.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(year, 3) || !digits(serial, 10) {
            return Err(CaseNumberError::ReceiptFormat);
        }
        let roc_year: u32 = year.parse().map_err(|_| CaseNumberError::ReceiptFormat)?;
        if roc_year == 0 {
            return Err(CaseNumberError::ReceiptYearZero);
        }
        let word_len = word.chars().count();
        if !(1..=10).contains(&word_len) || !word.chars().all(is_han) {
            return Err(CaseNumberError::ReceiptOfficeWord);
        }
        Ok(Self {
            text: s.to_string(),
            roc_year,
            office_word: word.to_string(),
            serial: serial.to_string(),
        })
    }

    /// ROC year.
    pub fn roc_year(&self) -> u32 {
        self.roc_year
    }

    /// The office word (字), e.g. `松山`.
    pub fn office_word(&self) -> &str {
        &self.office_word
    }

    /// The serial as written, leading zeros kept, e.g. `001234`.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The receipt number exactly as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// A bank case number that matched its institution's pattern when it was entered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BankCaseNumber(String);

impl BankCaseNumber {
    /// Validates `input` (trimmed, upper-cased) against `pattern`.
    pub fn parse(input: &str, pattern: &CaseNumberPattern) -> Result<Self, CaseNumberError> {
        let s = precheck(input)?.to_ascii_uppercase();
        pattern.check(&s)?;
        Ok(Self(s))
    }

    /// Re-reads a stored value: only the character set and length are checked (the pattern may
    /// have changed since the number was entered).
    pub fn from_stored(input: &str) -> Result<Self, CaseNumberError> {
        let s = precheck(input)?;
        let ok = s.len() <= MAX_CASE_NUMBER_LEN
            && s.bytes().all(|b| {
                b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'/')
            });
        if !ok {
            return Err(CaseNumberError::BadCharacters);
        }
        Ok(Self(s.to_string()))
    }

    /// The case number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The case number a lookup belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseNumber {
    /// A land-office receipt number.
    LandOffice(ReceiptNumber),
    /// A bank case number.
    Bank(BankCaseNumber),
}

impl CaseNumber {
    /// Parses a land-office receipt number.
    pub fn parse_land_office(input: &str) -> Result<Self, CaseNumberError> {
        ReceiptNumber::parse(input).map(CaseNumber::LandOffice)
    }

    /// Parses a bank case number against the institution's pattern.
    pub fn parse_bank(input: &str, pattern: &CaseNumberPattern) -> Result<Self, CaseNumberError> {
        BankCaseNumber::parse(input, pattern).map(CaseNumber::Bank)
    }

    /// Re-reads a stored value: a receipt number when it has that shape, otherwise a bank case
    /// number (character set checked, see [`BankCaseNumber::from_stored`]).
    pub fn from_stored(input: &str) -> Result<Self, CaseNumberError> {
        if input.trim().ends_with('號') {
            return Self::parse_land_office(input);
        }
        BankCaseNumber::from_stored(input).map(CaseNumber::Bank)
    }

    /// The case number as text.
    pub fn as_str(&self) -> &str {
        match self {
            CaseNumber::LandOffice(r) => r.as_str(),
            CaseNumber::Bank(b) => b.as_str(),
        }
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ReceiptNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Display for BankCaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CaseNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CaseNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::from_stored(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pattern(s: &str) -> CaseNumberPattern {
        CaseNumberPattern::parse(s).unwrap()
    }

    #[test]
    fn land_office_receipt_number_parses_into_year_office_word_and_serial() {
        let r = ReceiptNumber::parse("114年松山字第001234號").unwrap();
        assert_eq!(r.roc_year(), 114);
        assert_eq!(r.office_word(), "松山");
        assert_eq!(r.serial(), "001234");
    }

    #[test]
    fn land_office_receipt_number_round_trips_exactly() {
        for s in [
            "114年松山字第001234號",
            "99年中山登字第1號",
            "1年古亭字第0000000001號",
        ] {
            let c = CaseNumber::parse_land_office(s).unwrap();
            assert_eq!(c.to_string(), s);
            assert_eq!(CaseNumber::from_stored(s).unwrap(), c);
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<CaseNumber>(&json).unwrap(), c);
        }
    }

    #[test]
    fn malformed_receipt_numbers_are_refused() {
        for s in [
            "114松山字第001234號",
            "114年松山第001234號",
            "114年松山字第001234",
            "114年松山字第號",
            "1140年松山字第1號",
            "114年松山字第12a4號",
            "１１４年松山字第001234號",
        ] {
            assert_eq!(
                ReceiptNumber::parse(s),
                Err(CaseNumberError::ReceiptFormat),
                "{s}"
            );
        }
        assert_eq!(
            ReceiptNumber::parse("0年松山字第1號"),
            Err(CaseNumberError::ReceiptYearZero)
        );
        assert_eq!(
            ReceiptNumber::parse("114年AB字第1號"),
            Err(CaseNumberError::ReceiptOfficeWord)
        );
        assert_eq!(
            ReceiptNumber::parse("114年字第1號"),
            Err(CaseNumberError::ReceiptOfficeWord)
        );
        assert_eq!(
            ReceiptNumber::parse("114年松 山字第1號"),
            Err(CaseNumberError::WhitespaceInside)
        );
    }

    #[test]
    fn dots_dashes_blanks_and_nothing_words_are_refused_as_placeholders() {
        let p = pattern("LN{YYY}{NNNNNN}");
        for s in [".", "-", "--", "/", "…", "*", "n/a", "無", "NONE"] {
            let e = CaseNumber::parse_bank(s, &p).unwrap_err();
            assert!(matches!(e, CaseNumberError::Placeholder { .. }), "{s}");
            assert_eq!(e.code(), "case_number_placeholder");
            assert!(CaseNumber::parse_land_office(s).is_err());
            assert!(CaseNumber::from_stored(s).is_err());
        }
        for s in ["", " ", "\t\n　"] {
            assert_eq!(CaseNumber::parse_bank(s, &p), Err(CaseNumberError::Empty));
            assert_eq!(CaseNumber::from_stored(s), Err(CaseNumberError::Empty));
        }
        let e = CaseNumber::parse_bank(".", &p).unwrap_err();
        assert!(e.to_string().contains("不是案號"));
        assert!(e.to_string().contains("not a case number"));
    }

    #[test]
    fn bank_case_number_matching_its_pattern_is_accepted_and_upper_cased() {
        let p = pattern("LN{YYY}{NNNNNN}");
        assert_eq!(p.width(), 11);
        assert_eq!(p.example(), "LN114000001");
        let c = CaseNumber::parse_bank(" ln114000123 ", &p).unwrap();
        assert_eq!(c.as_str(), "LN114000123");
        assert_eq!(CaseNumber::from_stored("LN114000123").unwrap(), c);
        let card = pattern("CC-{YYYY}{MM}{DD}-{AA}{NNNN}");
        assert!(CaseNumber::parse_bank("CC-20250601-TP0042", &card).is_ok());
    }

    #[test]
    fn bank_case_number_not_matching_names_the_position_and_expectation() {
        let p = pattern("LN{YYY}{NNNNNN}");
        assert_eq!(
            CaseNumber::parse_bank("LX114000123", &p),
            Err(CaseNumberError::PatternMismatch {
                pattern: "LN{YYY}{NNNNNN}".into(),
                position: 2,
                expected: Expectation::Literal('N')
            })
        );
        assert_eq!(
            CaseNumber::parse_bank("LN000000123", &p),
            Err(CaseNumberError::PatternMismatch {
                pattern: "LN{YYY}{NNNNNN}".into(),
                position: 3,
                expected: Expectation::RocYear
            })
        );
        assert_eq!(
            CaseNumber::parse_bank("LN1140001A3", &p),
            Err(CaseNumberError::PatternMismatch {
                pattern: "LN{YYY}{NNNNNN}".into(),
                position: 10,
                expected: Expectation::Digit
            })
        );
        assert!(matches!(
            CaseNumber::parse_bank("LN11400012", &p),
            Err(CaseNumberError::WrongLength {
                expected: 11,
                found: 10,
                ..
            })
        ));
        let dated = pattern("{YYYY}{MM}{NNN}");
        assert!(CaseNumber::parse_bank("202513001", &dated).is_err());
        assert!(CaseNumber::parse_bank("202512001", &dated).is_ok());
        let e = CaseNumber::parse_bank("LN1140001A3", &p).unwrap_err();
        assert!(e.zh_tw().contains("第 10 碼"));
    }

    #[test]
    fn patterns_without_serial_or_with_free_text_are_refused() {
        assert_eq!(CaseNumberPattern::parse(" "), Err(PatternError::Empty));
        assert_eq!(
            CaseNumberPattern::parse("LN{YYY}"),
            Err(PatternError::NoSerial)
        );
        assert_eq!(
            CaseNumberPattern::parse("LN{NNN"),
            Err(PatternError::UnclosedBrace)
        );
        assert_eq!(
            CaseNumberPattern::parse("LN{X}{NN}"),
            Err(PatternError::UnknownPlaceholder { text: "X".into() })
        );
        assert_eq!(
            CaseNumberPattern::parse("ln{NN}"),
            Err(PatternError::BadLiteral { found: 'l' })
        );
        assert_eq!(
            CaseNumberPattern::parse("L N{NN}"),
            Err(PatternError::BadLiteral { found: ' ' })
        );
        assert_eq!(
            CaseNumberPattern::parse("{NNNNNNNNNNNNNNNNNNNN}{NNNNNNNNNNNNNNNNNNNN}X"),
            Err(PatternError::TooLong)
        );
        let p = pattern("LN{YYY}{NNNNNN}");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"LN{YYY}{NNNNNN}\"");
    }

    #[test]
    fn stored_bank_case_numbers_are_checked_for_their_character_set() {
        assert_eq!(
            CaseNumber::from_stored("LN 1"),
            Err(CaseNumberError::WhitespaceInside)
        );
        assert_eq!(
            CaseNumber::from_stored("貸款一"),
            Err(CaseNumberError::BadCharacters)
        );
        assert!(serde_json::from_str::<CaseNumber>("\"-\"").is_err());
    }

    proptest! {
        #[test]
        fn a_pattern_accepts_its_own_example_and_case_numbers_never_panic(
            lit in "[A-Z]{0,3}", n in 1usize..10, s in any::<String>()
        ) {
            let p = CaseNumberPattern::parse(&format!("{lit}{{YYY}}{{{}}}", "N".repeat(n))).unwrap();
            prop_assert!(CaseNumber::parse_bank(&p.example(), &p).is_ok());
            let _ = CaseNumber::parse_bank(&s, &p);
            let _ = CaseNumber::parse_land_office(&s);
            let _ = CaseNumber::from_stored(&s);
            let _ = CaseNumberPattern::parse(&s);
        }

        #[test]
        fn every_well_formed_receipt_number_round_trips(
            year in 1u32..1000, word in "[松山中古亭大安士林建成]{1,4}", serial in "[0-9]{1,10}"
        ) {
            let s = format!("{year}年{word}字第{serial}號");
            let r = ReceiptNumber::parse(&s).unwrap();
            prop_assert_eq!(r.as_str(), s.as_str());
            prop_assert_eq!(r.roc_year(), year);
            prop_assert_eq!(r.serial(), serial.as_str());
        }
    }
}
