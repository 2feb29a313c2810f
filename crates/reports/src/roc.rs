//! ROC (民國) dates as the forms print them: year = Gregorian − 1911.
//!
//! Three shapes: long (`114年6月30日`), compact `YYYMMDD` (聯徵4 footnotes 7 and 8: `1140630`) and a
//! sign-off time (`114年6月30日 14:05`). Dates before 民國元年 print as `民前N年…`.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

fn roc_year(year: i32) -> String {
    if year > 1911 {
        format!("{}", year - 1911)
    } else {
        format!("民前{}", 1912 - year)
    }
}

/// `114年6月30日`.
pub fn long(date: NaiveDate) -> String {
    format!(
        "{}年{}月{}日",
        roc_year(date.year()),
        date.month(),
        date.day()
    )
}

/// `1140630` (三位數民國年 + 月 + 日). Years past 999 keep all digits.
pub fn compact(date: NaiveDate) -> String {
    let year = date.year() - 1911;
    format!("{year:03}{:02}{:02}", date.month(), date.day())
}

/// `114年6月30日 14:05`.
pub fn date_time(at: NaiveDateTime) -> String {
    format!("{} {:02}:{:02}", long(at.date()), at.hour(), at.minute())
}

/// `114年6月` — a month of sampling.
pub fn month(date: NaiveDate) -> String {
    format!("{}年{}月", roc_year(date.year()), date.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn roc_dates_subtract_1911_years() {
        assert_eq!(long(d(2025, 6, 30)), "114年6月30日");
        assert_eq!(compact(d(2025, 6, 3)), "1140603");
        assert_eq!(compact(d(1921, 1, 1)), "0100101");
        assert_eq!(long(d(1911, 1, 1)), "民前1年1月1日");
        assert_eq!(month(d(2025, 7, 1)), "114年7月");
        let at = d(2025, 7, 1).and_hms_opt(9, 5, 0).unwrap();
        assert_eq!(date_time(at), "114年7月1日 09:05");
    }
}
