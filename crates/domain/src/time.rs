//! Taipei local time: the calendar that every period in Custos is counted in.
//!
//! Custos stores instants in UTC; days, ISO weeks (the weekly query-record sheet, J4.12) and months
//! (monthly sampling, J5.2 / T7.2) are Asia/Taipei calendar periods. This module turns them into
//! half-open UTC ranges `[start, end)` so that storage queries never deal with time zones.
//!
//! Taiwan has not observed daylight saving time since 1979, but the conversions still go through
//! the tz database (`chrono-tz`), so historic dates are right too; where a local midnight does not
//! exist (a historic DST gap) the first instant after the gap is used.
//!
//! [`OfficeHours`] flags lookups outside office hours (X4, asked about by T7.4); its parameters live
//! in the control profile. [`is_working_day`] and [`add_working_days`] count working days (e.g. the
//! contact-form answer within one working day, T4).

use std::collections::BTreeSet;

use chrono::{
    DateTime, Datelike, Days, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The one local time zone of Custos.
pub const TAIPEI: Tz = chrono_tz::Asia::Taipei;

/// A half-open range of instants `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UtcRange {
    /// First instant inside the range.
    pub start: DateTime<Utc>,
    /// First instant after the range.
    pub end: DateTime<Utc>,
}

impl UtcRange {
    /// True when `instant` lies in `[start, end)`.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }
}

/// The Taipei calendar date of an instant.
pub fn taipei_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&TAIPEI).date_naive()
}

/// The Taipei wall-clock date and time of an instant.
pub fn taipei_datetime(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&TAIPEI).naive_local()
}

/// The UTC instant of a Taipei wall-clock time (first instant after a historic DST gap).
pub fn taipei_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    if let Some(t) = TAIPEI.from_local_datetime(&local).earliest() {
        return t.with_timezone(&Utc);
    }
    // A gap: step forward minute by minute (gaps are at most an hour).
    let mut probe = local;
    for _ in 0..180 {
        probe += Duration::minutes(1);
        if let Some(t) = TAIPEI.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    // Unreachable for the Taipei tz data; fall back to the standard offset UTC+8.
    Utc.from_utc_datetime(&(local - Duration::hours(8)))
}

/// Start of a Taipei calendar day as a UTC instant.
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    taipei_to_utc(date.and_time(NaiveTime::MIN))
}

/// The Taipei calendar day `date` as UTC instants.
pub fn day_range(date: NaiveDate) -> UtcRange {
    UtcRange {
        start: start_of_day(date),
        end: start_of_day(date + Days::new(1)),
    }
}

/// Monday of the ISO week containing `date`.
pub fn iso_week_monday(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// The ISO week (Monday 00:00 to next Monday 00:00, Taipei) containing `date`.
pub fn iso_week_range(date: NaiveDate) -> UtcRange {
    let monday = iso_week_monday(date);
    UtcRange {
        start: start_of_day(monday),
        end: start_of_day(monday + Days::new(7)),
    }
}

/// First day of the month containing `date`.
pub fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The Taipei calendar month containing `date`.
pub fn month_range(date: NaiveDate) -> UtcRange {
    let first = first_of_month(date);
    let next = first
        .checked_add_months(Months::new(1))
        .unwrap_or(NaiveDate::MAX);
    UtcRange {
        start: start_of_day(first),
        end: start_of_day(next),
    }
}

/// Monday to Friday as a set.
pub fn monday_to_friday() -> BTreeSet<OrdWeekday> {
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ]
    .into_iter()
    .map(OrdWeekday)
    .collect()
}

/// A [`Weekday`] ordered Monday first, so weekdays can live in a `BTreeSet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrdWeekday(pub Weekday);

impl PartialOrd for OrdWeekday {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrdWeekday {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0
            .num_days_from_monday()
            .cmp(&other.0.num_days_from_monday())
    }
}

/// Office hours in Taipei local time (X4). Default 08:30–17:30, Monday to Friday.
///
/// Invariant (checked by [`OfficeHours::new`]): `start < end`, at least one working weekday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OfficeHoursData")]
pub struct OfficeHours {
    start: NaiveTime,
    end: NaiveTime,
    weekdays: BTreeSet<OrdWeekday>,
}

/// Why office hours were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OfficeHoursError {
    /// The start is not before the end.
    #[error("上班起始時間須早於結束時間 / office hours must start before they end")]
    StartNotBeforeEnd,
    /// No working weekday.
    #[error("至少須有一個上班日 / at least one working weekday is needed")]
    NoWeekday,
}

impl crate::text::Bilingual for OfficeHoursError {
    fn code(&self) -> &'static str {
        match self {
            OfficeHoursError::StartNotBeforeEnd => "office_hours_start_not_before_end",
            OfficeHoursError::NoWeekday => "office_hours_no_weekday",
        }
    }
    fn zh_tw(&self) -> String {
        match self {
            OfficeHoursError::StartNotBeforeEnd => "上班起始時間須早於結束時間".into(),
            OfficeHoursError::NoWeekday => "至少須有一個上班日".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            OfficeHoursError::StartNotBeforeEnd => "office hours must start before they end".into(),
            OfficeHoursError::NoWeekday => "at least one working weekday is needed".into(),
        }
    }
}

/// Unvalidated serde form of [`OfficeHours`].
#[derive(Deserialize)]
struct OfficeHoursData {
    start: NaiveTime,
    end: NaiveTime,
    weekdays: BTreeSet<OrdWeekday>,
}

impl TryFrom<OfficeHoursData> for OfficeHours {
    type Error = OfficeHoursError;
    fn try_from(d: OfficeHoursData) -> Result<Self, OfficeHoursError> {
        OfficeHours::new(d.start, d.end, d.weekdays.into_iter().map(|w| w.0))
    }
}

impl Default for OfficeHours {
    fn default() -> Self {
        Self {
            start: NaiveTime::from_hms_opt(8, 30, 0).unwrap_or(NaiveTime::MIN),
            end: NaiveTime::from_hms_opt(17, 30, 0).unwrap_or(NaiveTime::MIN),
            weekdays: monday_to_friday(),
        }
    }
}

impl OfficeHours {
    /// Office hours from `start` (inclusive) to `end` (exclusive) on `weekdays`.
    pub fn new(
        start: NaiveTime,
        end: NaiveTime,
        weekdays: impl IntoIterator<Item = Weekday>,
    ) -> Result<Self, OfficeHoursError> {
        if start >= end {
            return Err(OfficeHoursError::StartNotBeforeEnd);
        }
        let weekdays: BTreeSet<OrdWeekday> = weekdays.into_iter().map(OrdWeekday).collect();
        if weekdays.is_empty() {
            return Err(OfficeHoursError::NoWeekday);
        }
        Ok(Self {
            start,
            end,
            weekdays,
        })
    }

    /// Office hours from minutes after midnight (as stored in the control profile) and a weekday
    /// bit mask (bit 0 = Monday … bit 6 = Sunday).
    pub fn from_minutes(
        start_minute: u32,
        end_minute: u32,
        weekday_mask: u32,
    ) -> Result<Self, OfficeHoursError> {
        let time = |m: u32| {
            NaiveTime::from_num_seconds_from_midnight_opt(m.min(24 * 60 - 1) * 60, 0)
                .unwrap_or(NaiveTime::MIN)
        };
        let weekdays = (0..7u8)
            .filter(|i| weekday_mask & (1 << i) != 0)
            .filter_map(|i| Weekday::try_from(i).ok());
        Self::new(time(start_minute), time(end_minute), weekdays)
    }

    /// Start of office hours (inclusive).
    pub fn start(&self) -> NaiveTime {
        self.start
    }

    /// End of office hours (exclusive).
    pub fn end(&self) -> NaiveTime {
        self.end
    }

    /// The working weekdays.
    pub fn weekdays(&self) -> impl Iterator<Item = Weekday> + '_ {
        self.weekdays.iter().map(|w| w.0)
    }

    /// True when `instant` falls inside office hours on a working weekday (Taipei time), ignoring
    /// holidays.
    pub fn is_within(&self, instant: DateTime<Utc>) -> bool {
        self.is_within_excluding(instant, &BTreeSet::new())
    }

    /// Like [`OfficeHours::is_within`], but `holidays` (Taipei dates) are never office time.
    pub fn is_within_excluding(
        &self,
        instant: DateTime<Utc>,
        holidays: &BTreeSet<NaiveDate>,
    ) -> bool {
        let local = taipei_datetime(instant);
        let time = local.time();
        let date = local.date();
        self.weekdays.contains(&OrdWeekday(date.weekday()))
            && !holidays.contains(&date)
            && time >= self.start
            && time < self.end
    }

    /// True for a working weekday that is not a holiday.
    pub fn is_working_day(&self, date: NaiveDate, holidays: &BTreeSet<NaiveDate>) -> bool {
        is_working_day(date, &self.weekdays, holidays)
    }

    /// Minutes after midnight of the start, as stored in the profile.
    pub fn start_minute(&self) -> u32 {
        self.start.num_seconds_from_midnight() / 60
    }
}

/// True when `date` is one of `weekdays` and not in `holidays`.
pub fn is_working_day(
    date: NaiveDate,
    weekdays: &BTreeSet<OrdWeekday>,
    holidays: &BTreeSet<NaiveDate>,
) -> bool {
    weekdays.contains(&OrdWeekday(date.weekday())) && !holidays.contains(&date)
}

/// The date `n` working days after `from` (not counting `from` itself). With `n = 0`, `from`
/// itself. Returns `None` when no working day exists (empty `weekdays`).
pub fn add_working_days(
    from: NaiveDate,
    n: u32,
    weekdays: &BTreeSet<OrdWeekday>,
    holidays: &BTreeSet<NaiveDate>,
) -> Option<NaiveDate> {
    if weekdays.is_empty() {
        return None;
    }
    let mut date = from;
    let mut left = n;
    while left > 0 {
        date = date.succ_opt()?;
        if is_working_day(date, weekdays, holidays) {
            left -= 1;
        }
    }
    Some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn taipei_date_is_eight_hours_ahead_of_utc() {
        assert_eq!(taipei_date(utc(2025, 5, 31, 15, 59)), ymd(2025, 5, 31));
        assert_eq!(taipei_date(utc(2025, 5, 31, 16, 0)), ymd(2025, 6, 1));
    }

    #[test]
    fn a_taipei_day_starts_at_16_00_utc_the_day_before() {
        let r = day_range(ymd(2025, 6, 1));
        assert_eq!(r.start, utc(2025, 5, 31, 16, 0));
        assert_eq!(r.end, utc(2025, 6, 1, 16, 0));
        assert!(r.contains(utc(2025, 5, 31, 16, 0)));
        assert!(!r.contains(utc(2025, 6, 1, 16, 0)));
    }

    #[test]
    fn iso_week_runs_monday_to_monday_in_taipei() {
        // 2025-06-01 is a Sunday: its ISO week starts Monday 2025-05-26.
        let r = iso_week_range(ymd(2025, 6, 1));
        assert_eq!(r.start, utc(2025, 5, 25, 16, 0));
        assert_eq!(r.end, utc(2025, 6, 1, 16, 0));
        assert_eq!(iso_week_monday(ymd(2025, 5, 26)), ymd(2025, 5, 26));
    }

    #[test]
    fn month_range_covers_the_whole_taipei_month_including_december() {
        let r = month_range(ymd(2024, 2, 15));
        assert_eq!(r.start, utc(2024, 1, 31, 16, 0));
        assert_eq!(r.end, utc(2024, 2, 29, 16, 0));
        let dec = month_range(ymd(2025, 12, 31));
        assert_eq!(dec.end, utc(2025, 12, 31, 16, 0));
    }

    #[test]
    fn historic_taipei_daylight_saving_is_respected() {
        // Taiwan observed DST in 1979 (UTC+9 from 1979-07-01).
        let r = day_range(ymd(1979, 7, 15));
        assert_eq!(r.start, utc(1979, 7, 14, 15, 0));
        // Whatever the tz data says about the switch night, a day range is never empty and
        // consecutive days tile without gaps.
        for d in 0..5 {
            let day = ymd(1979, 6, 29) + Days::new(d);
            assert!(day_range(day).start < day_range(day).end);
            assert_eq!(day_range(day).end, day_range(day + Days::new(1)).start);
        }
    }

    #[test]
    fn office_hours_default_to_0830_1730_monday_to_friday() {
        let oh = OfficeHours::default();
        // Monday 2025-06-02 08:30 Taipei = 00:30 UTC.
        assert!(oh.is_within(utc(2025, 6, 2, 0, 30)));
        assert!(!oh.is_within(utc(2025, 6, 2, 0, 29)));
        // 17:30 Taipei is already outside.
        assert!(!oh.is_within(utc(2025, 6, 2, 9, 30)));
        assert!(oh.is_within(utc(2025, 6, 2, 9, 29)));
        // Saturday.
        assert!(!oh.is_within(utc(2025, 6, 7, 3, 0)));
        assert_eq!(oh.start_minute(), 510);
    }

    #[test]
    fn office_hours_round_trip_through_serde_and_refuse_an_inverted_window() {
        let oh = OfficeHours::default();
        let json = serde_json::to_string(&oh).unwrap();
        assert_eq!(serde_json::from_str::<OfficeHours>(&json).unwrap(), oh);
        let bad = json.replace("08:30:00", "18:30:00");
        assert!(serde_json::from_str::<OfficeHours>(&bad).is_err());
    }

    #[test]
    fn holidays_are_never_office_time() {
        let oh = OfficeHours::default();
        let holidays: BTreeSet<_> = [ymd(2025, 5, 30)].into_iter().collect();
        assert!(!oh.is_within_excluding(utc(2025, 5, 30, 2, 0), &holidays));
        assert!(oh.is_within_excluding(utc(2025, 5, 29, 2, 0), &holidays));
    }

    #[test]
    fn office_hours_from_profile_minutes_and_mask() {
        let oh = OfficeHours::from_minutes(9 * 60, 18 * 60, 0b001_1111).unwrap();
        assert_eq!(oh.start(), NaiveTime::from_hms_opt(9, 0, 0).unwrap());
        assert_eq!(oh.weekdays().count(), 5);
        assert_eq!(
            OfficeHours::from_minutes(600, 600, 1),
            Err(OfficeHoursError::StartNotBeforeEnd)
        );
        assert_eq!(
            OfficeHours::from_minutes(1, 600, 0),
            Err(OfficeHoursError::NoWeekday)
        );
    }

    #[test]
    fn one_working_day_after_friday_is_monday_and_skips_holidays() {
        let wd = monday_to_friday();
        let none = BTreeSet::new();
        assert_eq!(
            add_working_days(ymd(2025, 5, 30), 1, &wd, &none),
            Some(ymd(2025, 6, 2))
        );
        let holidays: BTreeSet<_> = [ymd(2025, 6, 2)].into_iter().collect();
        assert_eq!(
            add_working_days(ymd(2025, 5, 30), 1, &wd, &holidays),
            Some(ymd(2025, 6, 3))
        );
        assert_eq!(
            add_working_days(ymd(2025, 5, 30), 0, &wd, &none),
            Some(ymd(2025, 5, 30))
        );
        assert_eq!(
            add_working_days(ymd(2025, 5, 30), 1, &BTreeSet::new(), &none),
            None
        );
    }
}
