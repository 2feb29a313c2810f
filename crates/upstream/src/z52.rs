//! Reading a Z52 report (JCIC's record of a member's agency-data lookups, J1.R1) into rows that
//! reconciliation (J5.2) can match against Custos' own lookups.
//!
//! The column layout is the simulator's (`docs/upstream.md`), the only Z52 layout Custos has seen;
//! when the real layout is known, this module is where it changes. Invariants: the header row must
//! match [`HEADER`] exactly; every row's subject ID passes the domain parser; numeric character
//! references (`&#137743;`, written by a Big5 file for characters Big5 lacks) are turned back into
//! characters, so a name round-trips through Big5. Errors never quote a subject ID.

use chrono::{NaiveDate, NaiveTime};
use custos_domain::id::SubjectId;
use custos_domain::roc::RocDate;

use crate::error::UpstreamError;
use crate::model::Z52Report;

/// Header row of the Z52 CSV.
pub const HEADER: [&str; 12] = [
    "查詢日期",
    "查詢時間",
    "會員代號",
    "查詢人員代號",
    "當事人身分證統一編號",
    "當事人姓名",
    "查詢項目代號",
    "查詢項目名稱",
    "查詢理由",
    "案號",
    "查詢序號",
    "模擬資料",
];

/// One lookup as the registry reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Z52Row {
    /// Query date (Taipei), from the ROC `YYYMMDD` column.
    pub query_date: NaiveDate,
    /// Query time (Taipei), from `HHMMSS`.
    pub query_time: NaiveTime,
    /// Member code.
    pub member_code: String,
    /// Querier user code at the registry.
    pub querier_code: String,
    /// Subject.
    pub subject_id: SubjectId,
    /// Subject's name as the registry has it.
    pub subject_name: String,
    /// Operation code.
    pub operation_code: String,
    /// Operation name.
    pub operation_name: String,
    /// Purpose as printed (授信 …).
    pub purpose: String,
    /// Case number.
    pub case_number: String,
    /// The registry's lookup id.
    pub lookup_id: String,
    /// True when the row comes from a simulator.
    pub simulated: bool,
}

fn malformed(detail: String) -> UpstreamError {
    UpstreamError::Malformed {
        registry: "JCIC".into(),
        detail,
    }
}

/// Splits CSV text into records of fields (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
pub fn split_csv(text: &str) -> Result<Vec<Vec<String>>, UpstreamError> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                in_quotes = true;
                at_field_start = false;
            }
            '"' => {
                return Err(malformed(format!(
                    "stray quote in record {}",
                    records.len() + 1
                )));
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if in_quotes {
        return Err(malformed("unterminated quoted field".into()));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

/// Turns `&#NNNN;` (decimal) and `&#xHHHH;` references back into characters; anything that is
/// not a valid reference is left as written.
pub fn restore_references(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("&#") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let decoded = after.find(';').and_then(|end| {
            let body = &after[..end];
            let value = match body.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) => {
                    body.parse().ok()
                }
                None => None,
            };
            value.and_then(char::from_u32).map(|c| (c, end))
        });
        if let Some((c, end)) = decoded {
            out.push(c);
            rest = &after[end + 1..];
        } else {
            out.push_str("&#");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Parses the decoded text of a Z52 report.
pub fn parse_rows(text: &str) -> Result<Vec<Z52Row>, UpstreamError> {
    let records = split_csv(text)?;
    let Some((header, rows)) = records.split_first() else {
        return Err(malformed("Z52 report is empty (no header row)".into()));
    };
    if header.iter().map(String::as_str).ne(HEADER) {
        return Err(malformed("Z52 header row is not the agreed layout".into()));
    }
    rows.iter()
        .enumerate()
        .map(|(i, r)| parse_row(i + 1, r))
        .collect()
}

fn parse_row(n: usize, r: &[String]) -> Result<Z52Row, UpstreamError> {
    if r.len() != HEADER.len() {
        return Err(malformed(format!(
            "Z52 row {n} has {} fields, expected {}",
            r.len(),
            HEADER.len()
        )));
    }
    let query_date = RocDate::parse_compact(&r[0])
        .map_err(|_| malformed(format!("Z52 row {n}: bad query date")))?
        .date();
    let query_time = NaiveTime::parse_from_str(&r[1], "%H%M%S")
        .map_err(|_| malformed(format!("Z52 row {n}: bad query time")))?;
    let subject_id = SubjectId::parse(&r[4])
        .map_err(|_| malformed(format!("Z52 row {n}: invalid subject ID")))?;
    let simulated = match r[11].as_str() {
        "Y" => true,
        "N" | "" => false,
        _ => return Err(malformed(format!("Z52 row {n}: bad simulated flag"))),
    };
    Ok(Z52Row {
        query_date,
        query_time,
        member_code: r[2].clone(),
        querier_code: r[3].clone(),
        subject_id,
        subject_name: restore_references(&r[5]),
        operation_code: r[6].clone(),
        operation_name: restore_references(&r[7]),
        purpose: restore_references(&r[8]),
        case_number: restore_references(&r[9]),
        lookup_id: r[10].clone(),
        simulated,
    })
}

impl Z52Report {
    /// Decodes and parses the report into rows.
    pub fn rows(&self) -> Result<Vec<Z52Row>, UpstreamError> {
        parse_rows(&self.text()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A Z52 file is the upstream's text: any rows of any fields (quotes, commas, line
        /// breaks, numeric references, CJK) give rows or a clear error, never a panic.
        #[test]
        fn any_report_text_parses_or_is_refused_without_a_panic(
            rows in prop::collection::vec(
                prop::collection::vec("[0-9A-Za-z,\"\r\n&#;x王堃]{0,12}", 0..14),
                0..6,
            ),
            raw in "\\PC{0,200}",
            field in 0usize..12,
            value in "[0-9A-Za-z,\"\r\n&#;x王堃]{0,12}",
        ) {
            let mut text = HEADER.join(",");
            for r in &rows {
                text.push_str("\r\n");
                text.push_str(&r.join(","));
            }
            let _ = parse_rows(&text);
            // One field of a well-formed row replaced.
            let mut row: Vec<String> =
                "1150302,100000,0040037,Q1,A123456789,王,T01,x,授信,L-1,SIM-L-000001,Y"
                    .split(',')
                    .map(String::from)
                    .collect();
            let well_formed = format!("{}\r\n{}\r\n", HEADER.join(","), row.join(","));
            prop_assert!(parse_rows(&well_formed).is_ok());
            row[field] = value;
            let _ = parse_rows(&format!("{}\r\n{}\r\n", HEADER.join(","), row.join(",")));
            let _ = parse_rows(&raw);
            let _ = restore_references(&raw);
        }

        /// Text without a reference comes back unchanged.
        #[test]
        fn text_without_a_reference_is_kept(s in "[^&]{0,80}") {
            prop_assert_eq!(restore_references(&s), s);
        }
    }

    #[test]
    fn quoted_fields_with_commas_quotes_and_line_breaks_are_split_correctly() {
        let text = "a,\"b,\"\"c\"\"\",d\r\n\"x\ny\",,z\r\n";
        let records = split_csv(text).unwrap();
        assert_eq!(
            records,
            vec![
                vec!["a".to_owned(), "b,\"c\"".into(), "d".into()],
                vec!["x\ny".to_owned(), String::new(), "z".into()],
            ]
        );
    }

    #[test]
    fn numeric_references_become_characters_again() {
        assert_eq!(restore_references("賴怡&#137743;"), "賴怡\u{21A0F}");
        assert_eq!(restore_references("&#x5803;"), "堃");
        assert_eq!(restore_references("A&#;B&#12a;&#"), "A&#;B&#12a;&#");
    }

    #[test]
    fn a_row_with_an_invalid_subject_id_is_malformed_and_the_id_is_not_quoted() {
        let text = format!(
            "{}\r\n1150302,100000,0040037,Q1,A123456788,王,T01,x,授信,L-1,SIM-L-000001,Y\r\n",
            HEADER.join(",")
        );
        let err = parse_rows(&text).unwrap_err();
        assert!(matches!(err, UpstreamError::Malformed { .. }));
        assert!(!err.to_string().contains("A123456788"));
    }

    #[test]
    fn a_foreign_header_is_refused() {
        assert!(parse_rows("date,time\r\n").is_err());
        assert!(parse_rows("").is_err());
    }
}
