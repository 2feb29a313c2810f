//! The simulator's Z52 report: its own record of lookups served, as CSV in UTF-8 or Big5.
//!
//! Decisions (see `docs/upstream.md`): the subject ID is shown in full, as the real report is for
//! reconciling each lookup with its consent (J1.R1) and goes only to the member; dates are ROC
//! `YYYMMDD` and times `HHMMSS`, Taipei time. Big5 cannot encode every character (CJK Ext-B names,
//! some BMP characters): such a character becomes an HTML numeric character reference
//! (`&#134071;`), so nothing is lost and a reader can restore it, instead of a `?` that would
//! silently change a name. Fields are quoted when they contain a comma, quote or line break.

use chrono::{DateTime, Timelike, Utc};
use custos_domain::roc::RocDate;
use custos_domain::time::taipei_datetime;

use crate::model::Z52Encoding;

/// One lookup as the simulator recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupRecord {
    /// The simulator's id (`SIM-L-000001`).
    pub lookup_id: String,
    /// When it was served.
    pub served_at: DateTime<Utc>,
    /// Member code.
    pub member_code: String,
    /// Querier user code.
    pub querier_code: String,
    /// Subject ID as written.
    pub subject_id: String,
    /// Subject's (synthetic) name.
    pub subject_name: String,
    /// Operation code.
    pub operation: String,
    /// Operation name (zh-TW).
    pub operation_name: String,
    /// Purpose (zh-TW).
    pub purpose: String,
    /// Case number.
    pub case_number: String,
}

pub use crate::z52::HEADER;

fn field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn row(out: &mut String, values: &[&str]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, v);
    }
    out.push_str("\r\n");
}

/// The report as text (CRLF line ends, header row first).
pub fn render(records: &[&LookupRecord]) -> String {
    let mut out = String::new();
    row(&mut out, &HEADER);
    for r in records {
        let t = taipei_datetime(r.served_at);
        let date = RocDate::from_gregorian(t.date())
            .map(RocDate::compact)
            .unwrap_or_default();
        let time = format!("{:02}{:02}{:02}", t.hour(), t.minute(), t.second());
        row(
            &mut out,
            &[
                &date,
                &time,
                &r.member_code,
                &r.querier_code,
                &r.subject_id,
                &r.subject_name,
                &r.operation,
                &r.operation_name,
                &r.purpose,
                &r.case_number,
                &r.lookup_id,
                "Y",
            ],
        );
    }
    out
}

/// Encodes the report. Returns the bytes and whether any character had to become a numeric
/// character reference (Big5 only).
pub fn encode(text: &str, encoding: Z52Encoding) -> (Vec<u8>, bool) {
    match encoding {
        Z52Encoding::Utf8 => (text.as_bytes().to_vec(), false),
        Z52Encoding::Big5 => {
            // encoding_rs's `encode` writes unmappable characters as `&#NNNN;` (WHATWG).
            let (bytes, _, replaced) = encoding_rs::BIG5.encode(text);
            (bytes.into_owned(), replaced)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn record(name: &str, case: &str) -> LookupRecord {
        LookupRecord {
            lookup_id: "SIM-L-000001".into(),
            served_at: Utc.with_ymd_and_hms(2025, 6, 1, 1, 2, 3).unwrap(),
            member_code: "0040000".into(),
            querier_code: "U001".into(),
            subject_id: "A123456789".into(),
            subject_name: name.into(),
            operation: "T01".into(),
            operation_name: "綜合所得資料（模擬）".into(),
            purpose: "授信".into(),
            case_number: case.into(),
        }
    }

    #[test]
    fn dates_are_roc_in_taipei_time_and_fields_are_quoted_when_needed() {
        let r = record("王小明", "L,\"1\"");
        let text = render(&[&r]);
        let line = text.lines().nth(1).unwrap();
        assert!(line.starts_with("1140601,090203,0040000,U001,A123456789,王小明,T01,"));
        assert!(line.contains(",\"L,\"\"1\"\"\","));
    }

    #[test]
    fn big5_writes_a_character_it_lacks_as_a_numeric_reference() {
        let text = "陳志\u{20BB7}";
        let (bytes, replaced) = encode(text, Z52Encoding::Big5);
        assert!(replaced);
        let (decoded, _, errors) = encoding_rs::BIG5.decode(&bytes);
        assert!(!errors);
        assert_eq!(decoded, "陳志&#134071;");
    }

    #[test]
    fn big5_round_trips_common_characters() {
        let (bytes, replaced) = encode("查詢日期,王小明", Z52Encoding::Big5);
        assert!(!replaced);
        assert_eq!(encoding_rs::BIG5.decode(&bytes).0, "查詢日期,王小明");
    }
}
