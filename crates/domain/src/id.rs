//! Subject identifiers: national ID (身分證統一編號), resident UI number (統一證號) and unified
//! business number (統一編號, UBN).
//!
//! Every identifier that enters Custos is parsed here into a type that cannot be invalid; the
//! checksums follow `design/domain-facts.md` (section "Identifiers").
//!
//! # Input rules (decided here, applied everywhere)
//! - Surrounding whitespace is trimmed; whitespace *inside* the value is refused.
//! - Lower-case ASCII letters are accepted and upper-cased (clerks type `a123456789`); the stored,
//!   displayed and serialised form is always upper case. Full-width characters (Ａ１２…) are refused
//!   with the position of the offending character: Custos does not guess at them.
//! - Positions in errors are 1-based character positions of the trimmed input.
//!
//! # Formats
//! - [`NationalId`] — `[A-Z][12]\d{8}`.
//! - [`UiNumber`] — new format `[A-Z][89]\d{8}` (issued since 2021-01-02) and old format
//!   `[A-Z][A-D]\d{8}` (the second letter counts as its letter code mod 10: A→0 … D→3), accepted as
//!   new input until [`OLD_UI_FORMAT_LAST_DAY`] (2030-12-31) and always accepted for stored values.
//!   Both share the national ID checksum: letter → two digits (A10 B11 … see the table), weights
//!   `[1,9,8,7,6,5,4,3,2,1,1]` over (tens, units, d2…d10), valid when the sum mod 10 = 0.
//! - [`Ubn`] — 8 digits, weights `[1,2,1,2,1,2,4,1]`, each product replaced by the sum of its two
//!   digits, summed; valid when the sum mod 5 = 0 (the Ministry of Finance's 2023 rule — the old
//!   mod 10 rule wrongly rejects e.g. `04595252`). When the 7th digit is 7 its product 28 gives 10,
//!   which may count as 1 or 0: the number is also valid when (sum + 1) mod 5 = 0.
//!
//! # Privacy
//! `Debug` prints only the masked form ([`NationalId::masked`], `A12****789`; UBN `04****52`), so a
//! stray `{:?}` in a log line never leaks a full identifier. `Display` and [`as_str`](NationalId::as_str)
//! give the full value for the protected store, forms and the subject's own screens.
//! Serde serialises the full string; deserialising validates it with `parse`.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::Bilingual;

/// Last day on which an old-format UI number (`[A-Z][A-D]\d{8}`) is accepted as *new* input.
pub const OLD_UI_FORMAT_LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2030, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Which identifier a parse was attempting (used in error messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// 身分證統一編號.
    NationalId,
    /// 統一證號 (new or old format).
    UiNumber,
    /// 統一編號.
    Ubn,
    /// Any of the three (the format is detected from the input).
    Subject,
}

impl IdKind {
    /// Traditional Chinese name.
    pub fn zh_tw(self) -> &'static str {
        match self {
            IdKind::NationalId => "身分證統一編號",
            IdKind::UiNumber => "統一證號",
            IdKind::Ubn => "統一編號",
            IdKind::Subject => "當事人識別號碼",
        }
    }

    /// English name.
    pub fn en(self) -> &'static str {
        match self {
            IdKind::NationalId => "national ID",
            IdKind::UiNumber => "UI number",
            IdKind::Ubn => "unified business number",
            IdKind::Subject => "subject identifier",
        }
    }

    fn expected_length_zh(self) -> &'static str {
        match self {
            IdKind::NationalId | IdKind::UiNumber => "10",
            IdKind::Ubn => "8",
            IdKind::Subject => "8 或 10",
        }
    }

    fn expected_length_en(self) -> &'static str {
        match self {
            IdKind::NationalId | IdKind::UiNumber => "10",
            IdKind::Ubn => "8",
            IdKind::Subject => "8 or 10",
        }
    }
}

/// What a position of an identifier must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expected {
    /// An upper-case letter A–Z (lower case is accepted and upper-cased).
    Letter,
    /// A digit 0–9.
    Digit,
    /// National ID second character: 1 or 2.
    NationalIdSecond,
    /// UI number second character: 8 or 9 (new format) or A–D (old format).
    UiSecond,
    /// Second character of any 10-character identifier: 1, 2, 8, 9 or A–D.
    SubjectSecond,
}

impl Expected {
    fn zh_tw(self) -> &'static str {
        match self {
            Expected::Letter => "英文字母 A–Z",
            Expected::Digit => "數字 0–9",
            Expected::NationalIdSecond => "1 或 2",
            Expected::UiSecond => "8、9（新式）或 A–D（舊式）",
            Expected::SubjectSecond => "1、2、8、9 或 A–D",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Expected::Letter => "a letter A–Z",
            Expected::Digit => "a digit 0–9",
            Expected::NationalIdSecond => "1 or 2",
            Expected::UiSecond => "8, 9 (new format) or A–D (old format)",
            Expected::SubjectSecond => "1, 2, 8, 9 or A–D",
        }
    }
}

/// Why an identifier was refused. Bilingual via [`Bilingual`]; `Display` is zh-TW then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Nothing (or only whitespace) was given.
    Empty {
        /// The identifier being parsed.
        kind: IdKind,
    },
    /// The trimmed input has the wrong number of characters.
    WrongLength {
        /// The identifier being parsed.
        kind: IdKind,
        /// Number of characters found.
        found: usize,
    },
    /// A character is not allowed at its position.
    BadCharacter {
        /// The identifier being parsed.
        kind: IdKind,
        /// 1-based character position.
        position: usize,
        /// The character found there.
        found: char,
        /// What the position must hold.
        expected: Expected,
    },
    /// The format is right but the check digit does not match.
    BadChecksum {
        /// The identifier being parsed.
        kind: IdKind,
    },
    /// An old-format UI number entered as new input after [`OLD_UI_FORMAT_LAST_DAY`].
    OldUiFormatRetired {
        /// The last day the old format was accepted.
        last_day: NaiveDate,
    },
}

impl Bilingual for IdError {
    fn code(&self) -> &'static str {
        match self {
            IdError::Empty { .. } => "id_empty",
            IdError::WrongLength { .. } => "id_wrong_length",
            IdError::BadCharacter { .. } => "id_bad_character",
            IdError::BadChecksum { .. } => "id_bad_checksum",
            IdError::OldUiFormatRetired { .. } => "id_old_ui_format_retired",
        }
    }

    fn zh_tw(&self) -> String {
        match self {
            IdError::Empty { kind } => format!("未填寫{}", kind.zh_tw()),
            IdError::WrongLength { kind, found } => format!(
                "{}長度應為 {} 碼，輸入為 {} 碼",
                kind.zh_tw(),
                kind.expected_length_zh(),
                found
            ),
            IdError::BadCharacter {
                kind,
                position,
                found,
                expected,
            } => format!(
                "{}第 {} 碼「{}」不正確，應為{}",
                kind.zh_tw(),
                position,
                found.escape_default(),
                expected.zh_tw()
            ),
            IdError::BadChecksum { kind } => {
                format!("{}檢查碼不符，請確認是否輸入錯誤", kind.zh_tw())
            }
            IdError::OldUiFormatRetired { last_day } => format!(
                "舊式統一證號（第二碼為英文字母）僅受理至 {}，請改用新式統一證號",
                last_day.format("%Y-%m-%d")
            ),
        }
    }

    fn en(&self) -> String {
        match self {
            IdError::Empty { kind } => format!("the {} is missing", kind.en()),
            IdError::WrongLength { kind, found } => format!(
                "a {} has {} characters, this one has {}",
                kind.en(),
                kind.expected_length_en(),
                found
            ),
            IdError::BadCharacter {
                kind,
                position,
                found,
                expected,
            } => format!(
                "character {} of the {} ('{}') is not allowed: expected {}",
                position,
                kind.en(),
                found.escape_default(),
                expected.en()
            ),
            IdError::BadChecksum { kind } => {
                format!(
                    "the check digit of the {} does not match: please re-check the number",
                    kind.en()
                )
            }
            IdError::OldUiFormatRetired { last_day } => format!(
                "old-format UI numbers (letter in second place) were accepted until {}: use the new-format UI number",
                last_day.format("%Y-%m-%d")
            ),
        }
    }
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.both())
    }
}

/// Letter code of the first character (A10 B11 C12 D13 E14 F15 G16 H17 I34 J18 K19 L20 M21 N22 O35
/// P23 Q24 R25 S26 T27 U28 V29 W32 X30 Y31 Z33). `c` must be an upper-case ASCII letter.
fn letter_code(c: u8) -> u32 {
    match c {
        b'A' => 10,
        b'B' => 11,
        b'C' => 12,
        b'D' => 13,
        b'E' => 14,
        b'F' => 15,
        b'G' => 16,
        b'H' => 17,
        b'I' => 34,
        b'J' => 18,
        b'K' => 19,
        b'L' => 20,
        b'M' => 21,
        b'N' => 22,
        b'O' => 35,
        b'P' => 23,
        b'Q' => 24,
        b'R' => 25,
        b'S' => 26,
        b'T' => 27,
        b'U' => 28,
        b'V' => 29,
        b'W' => 32,
        b'X' => 30,
        b'Y' => 31,
        _ => 33, // Z; callers only pass A–Z
    }
}

/// Trims, refuses empty input, upper-cases ASCII letters and checks the character count.
fn normalise(input: &str, kind: IdKind, lengths: &[usize]) -> Result<String, IdError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(IdError::Empty { kind });
    }
    let upper = trimmed.to_ascii_uppercase();
    let count = upper.chars().count();
    if !lengths.contains(&count) {
        return Err(IdError::WrongLength { kind, found: count });
    }
    Ok(upper)
}

/// Checks that every character at and after `from` (0-based) is an ASCII digit.
fn require_digits(s: &str, from: usize, kind: IdKind) -> Result<(), IdError> {
    for (i, c) in s.chars().enumerate().skip(from) {
        if !c.is_ascii_digit() {
            return Err(IdError::BadCharacter {
                kind,
                position: i + 1,
                found: c,
                expected: Expected::Digit,
            });
        }
    }
    Ok(())
}

fn require_letter_first(s: &str, kind: IdKind) -> Result<(), IdError> {
    match s.chars().next() {
        Some(c) if c.is_ascii_uppercase() => Ok(()),
        Some(c) => Err(IdError::BadCharacter {
            kind,
            position: 1,
            found: c,
            expected: Expected::Letter,
        }),
        None => Err(IdError::Empty { kind }),
    }
}

fn second_char(s: &str) -> char {
    s.chars().nth(1).unwrap_or('\0')
}

/// Checksum shared by national IDs and UI numbers. `s` is 10 ASCII characters: letter, second
/// character (digit or A–D), eight digits.
fn ten_char_checksum_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let code = letter_code(b[0]);
    let second = if b[1].is_ascii_digit() {
        u32::from(b[1] - b'0')
    } else {
        letter_code(b[1]) % 10
    };
    let mut sum = code / 10 + (code % 10) * 9 + second * 8;
    // d3..d9 carry weights 7..1, d10 (the check digit) weight 1.
    for (i, &d) in b[2..9].iter().enumerate() {
        sum += u32::from(d - b'0') * (7 - i as u32);
    }
    sum += u32::from(b[9] - b'0');
    sum.is_multiple_of(10)
}

/// UBN checksum under the 2023 divisor-5 rule, including the 7th-digit-is-7 case. `s` is 8 ASCII
/// digits.
fn ubn_checksum_ok(s: &str) -> bool {
    const WEIGHTS: [u32; 8] = [1, 2, 1, 2, 1, 2, 4, 1];
    let b = s.as_bytes();
    let sum: u32 = b
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| {
            let p = u32::from(d - b'0') * w;
            p / 10 + p % 10
        })
        .sum();
    sum.is_multiple_of(5) || (b[6] == b'7' && (sum + 1).is_multiple_of(5))
}

macro_rules! string_id_impls {
    ($ty:ident, $mask_head:expr, $mask_tail:expr) => {
        impl $ty {
            /// The full, normalised value (upper case, no whitespace).
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The masked form for display and logs: first and last characters kept, four `*`
            /// in between (`A12****789`, UBN `04****52`).
            pub fn masked(&self) -> String {
                let s = self.0.as_str();
                format!("{}****{}", &s[..$mask_head], &s[s.len() - $mask_tail..])
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($ty), self.masked())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
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

/// A valid national ID (身分證統一編號), `[A-Z][12]\d{8}` with a correct check digit.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NationalId(String);

impl NationalId {
    /// Parses a national ID (trimmed, lower case upper-cased; see the module docs).
    pub fn parse(input: &str) -> Result<Self, IdError> {
        const KIND: IdKind = IdKind::NationalId;
        let s = normalise(input, KIND, &[10])?;
        require_letter_first(&s, KIND)?;
        let second = second_char(&s);
        if second != '1' && second != '2' {
            return Err(IdError::BadCharacter {
                kind: KIND,
                position: 2,
                found: second,
                expected: Expected::NationalIdSecond,
            });
        }
        require_digits(&s, 2, KIND)?;
        if !ten_char_checksum_ok(&s) {
            return Err(IdError::BadChecksum { kind: KIND });
        }
        Ok(Self(s))
    }
}
string_id_impls!(NationalId, 3, 3);

/// A valid resident UI number (統一證號): new format `[A-Z][89]\d{8}` or old format
/// `[A-Z][A-D]\d{8}`, with a correct check digit.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UiNumber(String);

impl UiNumber {
    /// Parses a UI number of either format. Use [`SubjectId::parse_new_input`] for new input,
    /// which refuses the old format after [`OLD_UI_FORMAT_LAST_DAY`].
    pub fn parse(input: &str) -> Result<Self, IdError> {
        const KIND: IdKind = IdKind::UiNumber;
        let s = normalise(input, KIND, &[10])?;
        require_letter_first(&s, KIND)?;
        let second = second_char(&s);
        if !matches!(second, '8' | '9' | 'A'..='D') {
            return Err(IdError::BadCharacter {
                kind: KIND,
                position: 2,
                found: second,
                expected: Expected::UiSecond,
            });
        }
        require_digits(&s, 2, KIND)?;
        if !ten_char_checksum_ok(&s) {
            return Err(IdError::BadChecksum { kind: KIND });
        }
        Ok(Self(s))
    }

    /// Parses a UI number entered as new input on `today`: the old format is refused after
    /// [`OLD_UI_FORMAT_LAST_DAY`].
    pub fn parse_new_input(input: &str, today: NaiveDate) -> Result<Self, IdError> {
        let ui = Self::parse(input)?;
        if ui.is_old_format() && today > OLD_UI_FORMAT_LAST_DAY {
            return Err(IdError::OldUiFormatRetired {
                last_day: OLD_UI_FORMAT_LAST_DAY,
            });
        }
        Ok(ui)
    }

    /// True for the old format (second character a letter A–D).
    pub fn is_old_format(&self) -> bool {
        self.0.as_bytes()[1].is_ascii_uppercase()
    }
}
string_id_impls!(UiNumber, 3, 3);

/// A valid unified business number (統一編號): 8 digits, 2023 divisor-5 checksum.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ubn(String);

impl Ubn {
    /// Parses a UBN (trimmed; see the module docs).
    pub fn parse(input: &str) -> Result<Self, IdError> {
        const KIND: IdKind = IdKind::Ubn;
        let s = normalise(input, KIND, &[8])?;
        require_digits(&s, 0, KIND)?;
        if !ubn_checksum_ok(&s) {
            return Err(IdError::BadChecksum { kind: KIND });
        }
        Ok(Self(s))
    }
}
string_id_impls!(Ubn, 2, 2);

/// The identifier of a data subject (當事人): a person by national ID or UI number, or a business
/// by UBN.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectId {
    /// A person with a national ID.
    National(NationalId),
    /// A resident with a UI number.
    Ui(UiNumber),
    /// A business with a UBN.
    Business(Ubn),
}

impl SubjectId {
    /// Parses any identifier format, including old-format UI numbers (use this for stored
    /// values). The format is detected: 8 characters → UBN (a leading letter is reported as a
    /// national ID of the wrong length); 10 characters → national ID when the
    /// second character is 1 or 2, UI number when it is 8, 9 or A–D.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        const KIND: IdKind = IdKind::Subject;
        let s = normalise(input, KIND, &[8, 10])?;
        if s.chars().count() == 8 {
            // A leading letter means a person's identifier with characters missing, not a UBN.
            if s.starts_with(|c: char| c.is_ascii_uppercase()) {
                return Err(IdError::WrongLength {
                    kind: IdKind::NationalId,
                    found: 8,
                });
            }
            return Ubn::parse(&s).map(SubjectId::Business);
        }
        require_letter_first(&s, KIND)?;
        match second_char(&s) {
            '1' | '2' => NationalId::parse(&s).map(SubjectId::National),
            '8' | '9' | 'A'..='D' => UiNumber::parse(&s).map(SubjectId::Ui),
            other => Err(IdError::BadCharacter {
                kind: KIND,
                position: 2,
                found: other,
                expected: Expected::SubjectSecond,
            }),
        }
    }

    /// Parses an identifier entered as new input on `today`: like [`SubjectId::parse`], but an
    /// old-format UI number is refused after [`OLD_UI_FORMAT_LAST_DAY`].
    pub fn parse_new_input(input: &str, today: NaiveDate) -> Result<Self, IdError> {
        let id = Self::parse(input)?;
        if let SubjectId::Ui(ui) = &id
            && ui.is_old_format()
            && today > OLD_UI_FORMAT_LAST_DAY
        {
            return Err(IdError::OldUiFormatRetired {
                last_day: OLD_UI_FORMAT_LAST_DAY,
            });
        }
        Ok(id)
    }

    /// The full, normalised value.
    pub fn as_str(&self) -> &str {
        match self {
            SubjectId::National(id) => id.as_str(),
            SubjectId::Ui(id) => id.as_str(),
            SubjectId::Business(id) => id.as_str(),
        }
    }

    /// The masked form (`A12****789`, UBN `04****52`).
    pub fn masked(&self) -> String {
        match self {
            SubjectId::National(id) => id.masked(),
            SubjectId::Ui(id) => id.masked(),
            SubjectId::Business(id) => id.masked(),
        }
    }

    /// Which kind of identifier this is.
    pub fn kind(&self) -> IdKind {
        match self {
            SubjectId::National(_) => IdKind::NationalId,
            SubjectId::Ui(_) => IdKind::UiNumber,
            SubjectId::Business(_) => IdKind::Ubn,
        }
    }
}

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubjectId::National(id) => write!(f, "National({id:?})"),
            SubjectId::Ui(id) => write!(f, "Ui({id:?})"),
            SubjectId::Business(id) => write!(f, "Business({id:?})"),
        }
    }
}

impl std::str::FromStr for SubjectId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}

impl From<NationalId> for SubjectId {
    fn from(id: NationalId) -> Self {
        SubjectId::National(id)
    }
}

impl From<UiNumber> for SubjectId {
    fn from(id: UiNumber) -> Self {
        SubjectId::Ui(id)
    }
}

impl From<Ubn> for SubjectId {
    fn from(id: Ubn) -> Self {
        SubjectId::Business(id)
    }
}

impl Serialize for SubjectId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SubjectId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(
    clippy::manual_is_multiple_of,
    reason = "the reference implementation spells the spec's `sum % n == 0` literally"
)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    // ---- vectors from design/domain-facts.md -------------------------------------------------

    #[test]
    fn valid_national_ids_from_domain_facts_are_accepted() {
        for s in ["A123456789", "N262705297", "A128456789"] {
            let id = NationalId::parse(s).unwrap();
            assert_eq!(id.as_str(), s);
            assert_eq!(SubjectId::parse(s).unwrap(), SubjectId::National(id));
        }
    }

    #[test]
    fn invalid_national_id_from_domain_facts_is_refused_for_its_checksum() {
        assert_eq!(
            NationalId::parse("A123456788"),
            Err(IdError::BadChecksum {
                kind: IdKind::NationalId
            })
        );
        assert!(SubjectId::parse("A123456788").is_err());
    }

    #[test]
    fn new_format_ui_numbers_from_domain_facts_are_accepted() {
        for s in ["A800000014", "G903711325"] {
            let ui = UiNumber::parse(s).unwrap();
            assert!(!ui.is_old_format());
            assert_eq!(SubjectId::parse(s).unwrap(), SubjectId::Ui(ui));
        }
    }

    #[test]
    fn new_format_ui_number_with_wrong_check_digit_is_refused() {
        assert_eq!(
            UiNumber::parse("A800000015"),
            Err(IdError::BadChecksum {
                kind: IdKind::UiNumber
            })
        );
        assert!(SubjectId::parse("A800000015").is_err());
    }

    #[test]
    fn old_format_ui_numbers_from_domain_facts_are_accepted_for_stored_values() {
        for s in ["AC01234567", "AA00000009", "ZD78970006"] {
            let ui = UiNumber::parse(s).unwrap();
            assert!(ui.is_old_format());
            assert_eq!(SubjectId::parse(s).unwrap(), SubjectId::Ui(ui));
        }
    }

    #[test]
    fn old_format_ui_number_is_accepted_as_new_input_until_the_end_of_2030() {
        let last = day(2030, 12, 31);
        assert!(SubjectId::parse_new_input("AC01234567", last).is_ok());
        assert!(UiNumber::parse_new_input("AC01234567", last).is_ok());
        let after = day(2031, 1, 1);
        let expected = Err(IdError::OldUiFormatRetired { last_day: last });
        assert_eq!(SubjectId::parse_new_input("AC01234567", after), expected);
        assert_eq!(
            UiNumber::parse_new_input("AC01234567", after).unwrap_err(),
            IdError::OldUiFormatRetired { last_day: last }
        );
        // Stored values still read.
        assert!(SubjectId::parse("AC01234567").is_ok());
    }

    #[test]
    fn new_input_after_2030_still_accepts_new_format_ui_numbers_national_ids_and_ubns() {
        let after = day(2031, 6, 1);
        for s in ["A800000014", "A123456789", "04595252"] {
            assert!(SubjectId::parse_new_input(s, after).is_ok(), "{s}");
        }
    }

    #[test]
    fn ubn_valid_only_under_the_2023_divisor_5_rule_is_accepted() {
        // 04595252 sums to 35: valid under /5, invalid under the old /10 rule.
        let ubn = Ubn::parse("04595252").unwrap();
        assert_eq!(ubn.as_str(), "04595252");
        assert_eq!(
            SubjectId::parse("04595252").unwrap(),
            SubjectId::Business(ubn)
        );
    }

    #[test]
    fn valid_ubns_from_domain_facts_are_accepted() {
        for s in ["10458575", "88117125", "53212539", "12345675", "04595257"] {
            assert!(Ubn::parse(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn ubn_with_seventh_digit_7_is_accepted_when_sum_plus_one_divides_by_5() {
        // 10458575: d7 = 7; products 1,0,4,1,8,1,10,5 = 30 → valid directly.
        assert!(Ubn::parse("10458575").is_ok());
        // 10458574: sum 29 → (29 + 1) % 5 == 0, valid only through the 7-rule.
        assert!(Ubn::parse("10458574").is_ok());
        // A sum ≡ 4 (mod 5) without a 7 in 7th place is refused: 10458563 → 1,0,4,1,8,1,6,3 = 24.
        assert!(Ubn::parse("10458563").is_err());
        // With a 7 in 7th place, a sum ≡ 2 or 3 (mod 5) is still refused.
        assert!(Ubn::parse("10458572").is_err());
        assert!(Ubn::parse("10458573").is_err());
    }

    #[test]
    fn invalid_ubn_from_domain_facts_is_refused_for_its_checksum() {
        assert_eq!(
            Ubn::parse("88117126"),
            Err(IdError::BadChecksum { kind: IdKind::Ubn })
        );
    }

    #[test]
    fn twelve_digit_residence_certificate_number_is_not_a_ui_number() {
        assert_eq!(
            SubjectId::parse("123456789012"),
            Err(IdError::WrongLength {
                kind: IdKind::Subject,
                found: 12
            })
        );
        assert!(UiNumber::parse("123456789012").is_err());
    }

    // ---- input rules ----------------------------------------------------------------------

    #[test]
    fn surrounding_whitespace_is_trimmed_and_lower_case_is_upper_cased() {
        let id = NationalId::parse("  a123456789\t").unwrap();
        assert_eq!(id.as_str(), "A123456789");
        let ui = UiNumber::parse(" ac01234567 ").unwrap();
        assert_eq!(ui.as_str(), "AC01234567");
        assert_eq!(
            SubjectId::parse("\n04595252 ").unwrap().as_str(),
            "04595252"
        );
    }

    #[test]
    fn empty_and_whitespace_only_input_is_refused_as_empty() {
        for s in ["", "   ", "\t\n"] {
            assert_eq!(
                SubjectId::parse(s),
                Err(IdError::Empty {
                    kind: IdKind::Subject
                })
            );
            assert_eq!(
                NationalId::parse(s),
                Err(IdError::Empty {
                    kind: IdKind::NationalId
                })
            );
        }
    }

    #[test]
    fn eight_characters_starting_with_a_letter_read_as_a_short_personal_id() {
        assert_eq!(
            SubjectId::parse("A1234567"),
            Err(IdError::WrongLength {
                kind: IdKind::NationalId,
                found: 8
            })
        );
    }

    #[test]
    fn whitespace_inside_the_value_is_refused() {
        assert!(NationalId::parse("A123 456789").is_err());
        assert!(SubjectId::parse("0459 5252").is_err());
    }

    #[test]
    fn wrong_length_names_the_count_found() {
        assert_eq!(
            NationalId::parse("A12345678"),
            Err(IdError::WrongLength {
                kind: IdKind::NationalId,
                found: 9
            })
        );
        assert_eq!(
            Ubn::parse("045952520"),
            Err(IdError::WrongLength {
                kind: IdKind::Ubn,
                found: 9
            })
        );
    }

    #[test]
    fn bad_character_names_its_position_and_what_was_expected() {
        assert_eq!(
            NationalId::parse("1123456789"),
            Err(IdError::BadCharacter {
                kind: IdKind::NationalId,
                position: 1,
                found: '1',
                expected: Expected::Letter
            })
        );
        assert_eq!(
            NationalId::parse("A823456789"),
            Err(IdError::BadCharacter {
                kind: IdKind::NationalId,
                position: 2,
                found: '8',
                expected: Expected::NationalIdSecond
            })
        );
        assert_eq!(
            UiNumber::parse("A123456789"),
            Err(IdError::BadCharacter {
                kind: IdKind::UiNumber,
                position: 2,
                found: '1',
                expected: Expected::UiSecond
            })
        );
        assert_eq!(
            SubjectId::parse("A323456789"),
            Err(IdError::BadCharacter {
                kind: IdKind::Subject,
                position: 2,
                found: '3',
                expected: Expected::SubjectSecond
            })
        );
        assert_eq!(
            Ubn::parse("0459525X"),
            Err(IdError::BadCharacter {
                kind: IdKind::Ubn,
                position: 8,
                found: 'X',
                expected: Expected::Digit
            })
        );
    }

    #[test]
    fn full_width_characters_are_refused_with_their_position() {
        assert_eq!(
            NationalId::parse("Ａ123456789"),
            Err(IdError::BadCharacter {
                kind: IdKind::NationalId,
                position: 1,
                found: 'Ａ',
                expected: Expected::Letter
            })
        );
    }

    // ---- display, masking, serde ------------------------------------------------------------

    #[test]
    fn display_shows_the_full_value_and_masked_hides_the_middle() {
        let id = NationalId::parse("A123456789").unwrap();
        assert_eq!(id.to_string(), "A123456789");
        assert_eq!(id.masked(), "A12****789");
        assert_eq!(Ubn::parse("04595252").unwrap().masked(), "04****52");
        assert_eq!(
            SubjectId::parse("AC01234567").unwrap().masked(),
            "AC0****567"
        );
    }

    #[test]
    fn debug_never_prints_the_full_value() {
        let id = SubjectId::parse("A123456789").unwrap();
        let dbg = format!("{id:?}");
        assert!(!dbg.contains("A123456789"), "{dbg}");
        assert_eq!(dbg, "National(NationalId(A12****789))");
        let ubn = format!("{:?}", Ubn::parse("04595252").unwrap());
        assert_eq!(ubn, "Ubn(04****52)");
    }

    #[test]
    fn serde_round_trips_as_the_plain_string_and_deserialising_validates() {
        let id = SubjectId::parse("04595252").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"04595252\"");
        assert_eq!(serde_json::from_str::<SubjectId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<SubjectId>("\"88117126\"").is_err());
        assert!(serde_json::from_str::<NationalId>("\"A123456788\"").is_err());
        let n: NationalId = serde_json::from_str("\"A123456789\"").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"A123456789\"");
    }

    #[test]
    fn errors_are_bilingual_with_stable_codes_and_chinese_first() {
        let e = NationalId::parse("A123456788").unwrap_err();
        assert_eq!(e.code(), "id_bad_checksum");
        assert!(e.zh_tw().contains("檢查碼"));
        assert!(e.en().contains("check digit"));
        assert_eq!(e.to_string(), format!("{} / {}", e.zh_tw(), e.en()));
        let codes = [
            SubjectId::parse("").unwrap_err().code(),
            SubjectId::parse("123").unwrap_err().code(),
            SubjectId::parse("A323456789").unwrap_err().code(),
            SubjectId::parse_new_input("AC01234567", day(2031, 1, 1))
                .unwrap_err()
                .code(),
        ];
        assert_eq!(
            codes,
            [
                "id_empty",
                "id_wrong_length",
                "id_bad_character",
                "id_old_ui_format_retired"
            ]
        );
    }

    // ---- reference implementation and properties ---------------------------------------------

    /// Straightforward reference, written independently from the spec text in domain-facts.md.
    fn reference_letter(c: char) -> u32 {
        let table = "A10 B11 C12 D13 E14 F15 G16 H17 I34 J18 K19 L20 M21 N22 O35 P23 Q24 R25 S26 \
                     T27 U28 V29 W32 X30 Y31 Z33";
        table
            .split_whitespace()
            .find(|e| e.starts_with(c))
            .map(|e| e[1..].parse().unwrap())
            .unwrap()
    }

    /// Returns Some(normalised) when `s` is a valid 10-character ID whose second character is in
    /// `seconds`.
    fn reference_ten(s: &str, seconds: &str) -> Option<String> {
        let t = s.trim().to_ascii_uppercase();
        let chars: Vec<char> = t.chars().collect();
        if chars.len() != 10
            || !chars[0].is_ascii_uppercase()
            || !seconds.contains(chars[1])
            || !chars[2..].iter().all(char::is_ascii_digit)
        {
            return None;
        }
        let code = reference_letter(chars[0]);
        let second = if chars[1].is_ascii_digit() {
            chars[1].to_digit(10).unwrap()
        } else {
            reference_letter(chars[1]) % 10
        };
        let mut digits = vec![code / 10, code % 10, second];
        digits.extend(chars[2..].iter().map(|c| c.to_digit(10).unwrap()));
        let weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1];
        let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
        (sum % 10 == 0).then_some(t)
    }

    fn reference_ubn(s: &str) -> Option<String> {
        let t = s.trim().to_string();
        let chars: Vec<char> = t.chars().collect();
        if chars.len() != 8 || !chars.iter().all(char::is_ascii_digit) {
            return None;
        }
        let weights = [1, 2, 1, 2, 1, 2, 4, 1];
        let sum: u32 = chars
            .iter()
            .zip(weights)
            .map(|(c, w)| {
                let p = c.to_digit(10).unwrap() * w;
                p.to_string()
                    .chars()
                    .map(|c| c.to_digit(10).unwrap())
                    .sum::<u32>()
            })
            .sum();
        let ok = sum % 5 == 0 || (chars[6] == '7' && (sum + 1) % 5 == 0);
        ok.then_some(t)
    }

    /// Mostly-plausible identifier strings: letters, digits, a few odd characters and spaces.
    fn near_valid() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z][0-9A-Da-d][0-9]{8}",
            "[A-Z][12][0-9]{8}",
            "[A-Z][89][0-9]{8}",
            "[A-Z][A-D][0-9]{8}",
            "[0-9]{8}",
            "[0-9]{7}7",
            "[0-9]{6}7[0-9]",
            " ?[A-Z0-9a-z]{7,11} ?",
            "[A-Z0-9 Ａ１\\-]{0,12}",
        ]
    }

    /// Exactly one check digit makes `body` valid, and `body` followed by any other digit `new`
    /// is rejected.
    fn only_one_check_digit(
        body: &str,
        new: u32,
        valid: impl Fn(&str) -> bool,
    ) -> Result<(), TestCaseError> {
        let digits: Vec<u32> = (0..10).filter(|d| valid(&format!("{body}{d}"))).collect();
        prop_assert_eq!(digits.len(), 1);
        if new != digits[0] {
            let changed = format!("{body}{new}");
            prop_assert!(!valid(&changed));
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn national_id_parser_agrees_with_the_reference(s in prop_oneof![near_valid(), any::<String>()]) {
            let ours = NationalId::parse(&s).ok().map(|i| i.as_str().to_string());
            prop_assert_eq!(ours, reference_ten(&s, "12"));
        }

        #[test]
        fn ui_number_parser_agrees_with_the_reference(s in prop_oneof![near_valid(), any::<String>()]) {
            let ours = UiNumber::parse(&s).ok().map(|i| i.as_str().to_string());
            prop_assert_eq!(ours, reference_ten(&s, "89ABCD"));
        }

        #[test]
        fn ubn_parser_agrees_with_the_reference(s in prop_oneof![near_valid(), any::<String>()]) {
            let ours = Ubn::parse(&s).ok().map(|i| i.as_str().to_string());
            prop_assert_eq!(ours, reference_ubn(&s));
        }

        #[test]
        fn subject_parser_accepts_exactly_what_one_of_the_three_accepts(s in prop_oneof![near_valid(), any::<String>()]) {
            let ours = SubjectId::parse(&s).ok().map(|i| i.as_str().to_string());
            let reference = reference_ten(&s, "12")
                .or_else(|| reference_ten(&s, "89ABCD"))
                .or_else(|| reference_ubn(&s));
            prop_assert_eq!(ours, reference);
        }

        #[test]
        fn changing_only_the_check_digit_of_a_valid_national_id_is_always_rejected(
            body in "[A-Z][12][0-9]{7}", new in 0u32..10
        ) {
            only_one_check_digit(&body, new, |s| NationalId::parse(s).is_ok())?;
        }

        #[test]
        fn changing_only_the_check_digit_of_a_valid_ui_number_is_always_rejected(
            body in "[A-Z][89A-D][0-9]{7}", new in 0u32..10
        ) {
            only_one_check_digit(&body, new, |s| UiNumber::parse(s).is_ok())?;
        }

        /// Under the divisor-5 rule the last digit (weight 1) only matters mod 5, so each UBN
        /// body has exactly two valid last digits (d and d ± 5); when the 7th digit is 7 the sum
        /// may also be ≡ 4 (mod 5), giving exactly four. Any other last digit is rejected.
        #[test]
        fn changing_the_last_digit_of_a_valid_ubn_is_rejected_unless_it_keeps_the_sum_class(
            body in "[0-9]{7}", new in 0u32..10
        ) {
            let seven = body.ends_with('7');
            let valid: Vec<u32> = (0..10)
                .filter(|d| Ubn::parse(&format!("{body}{d}")).is_ok())
                .collect();
            prop_assert_eq!(valid.len(), if seven { 4 } else { 2 });
            let old = valid[0];
            let changed = format!("{body}{new}");
            let accepted = Ubn::parse(&changed).is_ok();
            if seven {
                // Valid last digits form two neighbouring classes mod 5 (sum ≡ 0 or ≡ 4).
                let classes: std::collections::BTreeSet<u32> = valid.iter().map(|d| d % 5).collect();
                prop_assert_eq!(classes.len(), 2);
                prop_assert_eq!(accepted, reference_ubn(&changed).is_some());
            } else {
                prop_assert_eq!(accepted, (new + 10 - old) % 5 == 0);
            }
        }
    }
}
