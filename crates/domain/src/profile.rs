//! Control profiles: every number of the rulebooks as a setting, never a constant in code.
//!
//! A [`ControlProfile`] starts from a seed — [`ControlProfile::jcic`] (JCIC agency-data rules,
//! 聯徵1–4) or [`ControlProfile::taipei`] (Taipei digital seal comparison system rules) — holding
//! every numeric default of `requirements.md` and `domain-facts.md`. Each setting knows its
//! requirement ID, its unit and whether "tighter" means a larger or a smaller value
//! ([`Tighter`]).
//!
//! # Invariant (J0.4)
//! The seed's values are minimums: an institution may tighten a setting, never loosen it. A
//! [`ControlProfile`] value always satisfies this; it can only be built from a seed or from a
//! [`ProfileDraft`] through validation ([`ControlProfile::apply_change`], `TryFrom<ProfileDraft>`,
//! deserialisation). Settings marked [`Tighter::Free`] (office hours, X4) are the institution's own
//! choice within their range.
//!
//! # Changing a profile
//! ```
//! # use custos_domain::profile::{ControlProfile, SettingKey};
//! let current = ControlProfile::jcic();
//! let mut draft = current.draft();
//! draft.set(SettingKey::QuerySamplingRate, 300); // 3 % instead of 2 %
//! let changes = current.apply_change(&draft).unwrap(); // record these in the ledger
//! let next = ControlProfile::try_from(draft).unwrap();
//! assert_eq!(changes.len(), 1);
//! assert_eq!(next.get(SettingKey::QuerySamplingRate), Some(300));
//! ```
//!
//! # Sampling
//! [`sample_size`] computes the number of records to draw: the rate rounded **up** (the documents
//! do not say how to round; Custos says so on the worksheet), at least the minimum, all records
//! when there are fewer than the minimum. Rates are in basis points (1 % = 100).
//!
//! Where the seeds give no number, the default is marked in its requirement text as a Custos
//! default (e.g. the session idle timeout, the yearly profile review) — tighten it freely.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::Bilingual;
use crate::time::{OfficeHours, OfficeHoursError};

/// Which rulebook a profile is seeded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileSeed {
    /// JCIC agency-data rules for banks (聯徵1–4).
    Jcic,
    /// Taipei Land Administration Bureau digital seal comparison rules.
    Taipei,
}

impl ProfileSeed {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            ProfileSeed::Jcic => "jcic",
            ProfileSeed::Taipei => "taipei",
        }
    }

    /// zh-TW label.
    pub fn zh_tw(self) -> &'static str {
        match self {
            ProfileSeed::Jcic => "聯徵中心公務機關資料查詢控管",
            ProfileSeed::Taipei => "臺北市數位印鑑比對系統控管",
        }
    }

    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            ProfileSeed::Jcic => "JCIC agency-data controls",
            ProfileSeed::Taipei => "Taipei digital seal comparison controls",
        }
    }
}

/// In which direction a setting becomes stricter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tighter {
    /// A larger value is stricter (sampling rate, password length, retention).
    Larger,
    /// A smaller value is stricter (intervals, password expiry, lockout threshold).
    Smaller,
    /// No seed minimum: the institution's own choice within the range (office hours).
    Free,
}

/// Unit of a setting's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Basis points: 100 = 1 %.
    BasisPoints,
    /// A plain count.
    Count,
    /// Characters.
    Characters,
    /// Character classes (digits, upper case, lower case, symbols): 1–4.
    CharacterClasses,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Calendar days.
    Days,
    /// Working days.
    WorkingDays,
    /// Months.
    Months,
    /// Years.
    Years,
    /// Minutes after midnight, Taipei time.
    MinuteOfDay,
    /// Weekday bit mask, bit 0 = Monday … bit 6 = Sunday.
    WeekdayMask,
}

/// Every setting a profile may hold. Stable snake_case codes via [`SettingKey::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SettingKey {
    /// Monthly sampling rate of lookups (JCIC Z52 ≥ 2 %, J5.2; Taipei 1 %, T7.2).
    QuerySamplingRate,
    /// Minimum number of lookups sampled per period (JCIC 10, Taipei 1).
    QuerySamplingMinimum,
    /// Interval between lookup samplings (monthly).
    QuerySamplingIntervalMonths,
    /// Sampling rate of users in the audit record form (Taipei 50 %, T7.4).
    UserSamplingRate,
    /// Minimum password length (J3.1: 8).
    PasswordMinLength,
    /// Character classes a password must mix (J3.1: all four).
    PasswordMinClasses,
    /// Forced password change after this many days (J3.1: 90).
    PasswordMaxAgeDays,
    /// A new password must differ from this many previous ones (J3.1: 3).
    PasswordHistory,
    /// Minimum password age in days (government baseline: 1).
    PasswordMinAgeDays,
    /// Consecutive failed sign-ins before lockout (government baseline: 5).
    LockoutThreshold,
    /// Lockout duration in minutes (government baseline: ≥ 15).
    LockoutMinutes,
    /// Idle session timeout (Custos default 15 minutes; J3.D7, J4.3).
    SessionIdleMinutes,
    /// Unused accounts are suspended after this many months (X3: 3).
    DormancyMonths,
    /// Interval of access reviews (JCIC twice a year, J3.3; Taipei quarterly, T8.3).
    AccessReviewMonths,
    /// Interval of self-inspections (J5.3: yearly).
    SelfInspectionMonths,
    /// Interval of internal audits (J5.4: every 6 months).
    InternalAuditMonths,
    /// Interval of the bureau's external audit of each office (T7.2: quarterly).
    ExternalAuditMonths,
    /// Interval of vendor security audits (T7.2: every 6 months).
    VendorAuditMonths,
    /// Interval of vulnerability scans (T8.1: quarterly).
    VulnerabilityScanMonths,
    /// Period covered by one query-record sheet (J4.12: weekly).
    QueryRecordSheetDays,
    /// Retention of the lookup log (J4.11: 5 years).
    QueryLogRetentionYears,
    /// Retention of authorisations after the relationship ends or the rejection (J1.6: 5 years).
    AuthorisationRetentionYears,
    /// Retention of the authorisation register (J2.2: 5 years).
    RegisterRetentionYears,
    /// Retention of access-review records (J3.3: 5 years).
    AccessReviewRetentionYears,
    /// Retention of query-record sheets (J4.12: 5 years).
    QueryRecordSheetRetentionYears,
    /// Retention of sampling records (J5.2: 5 years).
    SamplingRecordRetentionYears,
    /// Retention of audit records (J5.4, T7.4, T8.5: 5 years).
    AuditRecordRetentionYears,
    /// Labour-insurance results are deleted within this many months after use (J6.1: 1).
    LabourInsuranceDeletionMonths,
    /// Retention of deletion evidence (J6.2: 5 years).
    DeletionEvidenceRetentionYears,
    /// The household office answers a contact form within this many working days (T4: 1).
    ContactFormAnswerWorkingDays,
    /// Deadline for notifying a personal-data incident (X6: 24 h; J5.5 says "immediately").
    IncidentNotificationHours,
    /// Outage length after which urgent cases may be handled in person (X5: 8 h).
    OutageEscalationHours,
    /// Only cases with a processing deadline of at most this many days count as urgent (X5: 1).
    UrgentCaseDeadlineDays,
    /// Interval of the periodic review of this profile itself (J0.4; Custos default yearly).
    ProfileReviewMonths,
    /// Start of office hours, minutes after midnight Taipei (X4: 08:30 = 510).
    OfficeStartMinute,
    /// End of office hours, minutes after midnight Taipei (X4: 17:30 = 1050).
    OfficeEndMinute,
    /// Working weekdays as a bit mask (X4: Monday–Friday = 31).
    OfficeWeekdays,
}

struct Meta {
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    unit: Unit,
    tighter: Tighter,
    min: u32,
    max: u32,
}

const fn meta(
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    unit: Unit,
    tighter: Tighter,
    min: u32,
    max: u32,
) -> Meta {
    Meta {
        code,
        zh,
        en,
        unit,
        tighter,
        min,
        max,
    }
}

impl SettingKey {
    /// Every key, in display order.
    pub const ALL: [SettingKey; 37] = [
        SettingKey::QuerySamplingRate,
        SettingKey::QuerySamplingMinimum,
        SettingKey::QuerySamplingIntervalMonths,
        SettingKey::UserSamplingRate,
        SettingKey::PasswordMinLength,
        SettingKey::PasswordMinClasses,
        SettingKey::PasswordMaxAgeDays,
        SettingKey::PasswordHistory,
        SettingKey::PasswordMinAgeDays,
        SettingKey::LockoutThreshold,
        SettingKey::LockoutMinutes,
        SettingKey::SessionIdleMinutes,
        SettingKey::DormancyMonths,
        SettingKey::AccessReviewMonths,
        SettingKey::SelfInspectionMonths,
        SettingKey::InternalAuditMonths,
        SettingKey::ExternalAuditMonths,
        SettingKey::VendorAuditMonths,
        SettingKey::VulnerabilityScanMonths,
        SettingKey::QueryRecordSheetDays,
        SettingKey::QueryLogRetentionYears,
        SettingKey::AuthorisationRetentionYears,
        SettingKey::RegisterRetentionYears,
        SettingKey::AccessReviewRetentionYears,
        SettingKey::QueryRecordSheetRetentionYears,
        SettingKey::SamplingRecordRetentionYears,
        SettingKey::AuditRecordRetentionYears,
        SettingKey::LabourInsuranceDeletionMonths,
        SettingKey::DeletionEvidenceRetentionYears,
        SettingKey::ContactFormAnswerWorkingDays,
        SettingKey::IncidentNotificationHours,
        SettingKey::OutageEscalationHours,
        SettingKey::UrgentCaseDeadlineDays,
        SettingKey::ProfileReviewMonths,
        SettingKey::OfficeStartMinute,
        SettingKey::OfficeEndMinute,
        SettingKey::OfficeWeekdays,
    ];

    fn meta(self) -> Meta {
        use SettingKey as K;
        use Tighter::{Free, Larger, Smaller};
        use Unit as U;
        match self {
            K::QuerySamplingRate => meta(
                "query_sampling_rate",
                "查詢紀錄抽核比率",
                "lookup sampling rate",
                U::BasisPoints,
                Larger,
                1,
                10_000,
            ),
            K::QuerySamplingMinimum => meta(
                "query_sampling_minimum",
                "查詢紀錄最少抽核筆數",
                "minimum lookups sampled",
                U::Count,
                Larger,
                0,
                1_000_000,
            ),
            K::QuerySamplingIntervalMonths => meta(
                "query_sampling_interval_months",
                "查詢紀錄抽核週期",
                "lookup sampling interval",
                U::Months,
                Smaller,
                1,
                12,
            ),
            K::UserSamplingRate => meta(
                "user_sampling_rate",
                "使用者抽查比率",
                "user sampling rate",
                U::BasisPoints,
                Larger,
                1,
                10_000,
            ),
            K::PasswordMinLength => meta(
                "password_min_length",
                "密碼最短長度",
                "minimum password length",
                U::Characters,
                Larger,
                1,
                128,
            ),
            K::PasswordMinClasses => meta(
                "password_min_classes",
                "密碼須混合字元種類數",
                "password character classes required",
                U::CharacterClasses,
                Larger,
                1,
                4,
            ),
            K::PasswordMaxAgeDays => meta(
                "password_max_age_days",
                "密碼強制變更週期",
                "password expiry",
                U::Days,
                Smaller,
                1,
                3_650,
            ),
            K::PasswordHistory => meta(
                "password_history",
                "不得與前幾次密碼相同",
                "password history",
                U::Count,
                Larger,
                0,
                100,
            ),
            K::PasswordMinAgeDays => meta(
                "password_min_age_days",
                "密碼最短使用期限",
                "minimum password age",
                U::Days,
                Larger,
                0,
                365,
            ),
            K::LockoutThreshold => meta(
                "lockout_threshold",
                "連續登入失敗鎖定次數",
                "failed sign-ins before lockout",
                U::Count,
                Smaller,
                1,
                100,
            ),
            K::LockoutMinutes => meta(
                "lockout_minutes",
                "帳號鎖定時間",
                "lockout duration",
                U::Minutes,
                Larger,
                1,
                525_600,
            ),
            K::SessionIdleMinutes => meta(
                "session_idle_minutes",
                "閒置自動登出時間",
                "idle session timeout",
                U::Minutes,
                Smaller,
                1,
                1_440,
            ),
            K::DormancyMonths => meta(
                "dormancy_months",
                "閒置帳號停用期限",
                "dormant account suspension after",
                U::Months,
                Smaller,
                1,
                24,
            ),
            K::AccessReviewMonths => meta(
                "access_review_months",
                "帳號及權限盤點週期",
                "access review interval",
                U::Months,
                Smaller,
                1,
                24,
            ),
            K::SelfInspectionMonths => meta(
                "self_inspection_months",
                "自行查核週期",
                "self-inspection interval",
                U::Months,
                Smaller,
                1,
                24,
            ),
            K::InternalAuditMonths => meta(
                "internal_audit_months",
                "內部稽核週期",
                "internal audit interval",
                U::Months,
                Smaller,
                1,
                24,
            ),
            K::ExternalAuditMonths => meta(
                "external_audit_months",
                "外部稽核週期",
                "external audit interval",
                U::Months,
                Smaller,
                1,
                24,
            ),
            K::VendorAuditMonths => meta(
                "vendor_audit_months",
                "委外廠商資安稽核週期",
                "vendor audit interval",
                U::Months,
                Smaller,
                1,
                24,
            ),
            K::VulnerabilityScanMonths => meta(
                "vulnerability_scan_months",
                "弱點掃描週期",
                "vulnerability scan interval",
                U::Months,
                Smaller,
                1,
                24,
            ),
            K::QueryRecordSheetDays => meta(
                "query_record_sheet_days",
                "查詢紀錄單週期",
                "query-record sheet period",
                U::Days,
                Smaller,
                1,
                31,
            ),
            K::QueryLogRetentionYears => meta(
                "query_log_retention_years",
                "查詢紀錄保存年限",
                "lookup log retention",
                U::Years,
                Larger,
                1,
                100,
            ),
            K::AuthorisationRetentionYears => meta(
                "authorisation_retention_years",
                "授權書保存年限（往來關係結束或婉拒後）",
                "authorisation retention after relationship end or rejection",
                U::Years,
                Larger,
                1,
                100,
            ),
            K::RegisterRetentionYears => meta(
                "register_retention_years",
                "授權登記簿保存年限",
                "authorisation register retention",
                U::Years,
                Larger,
                1,
                100,
            ),
            K::AccessReviewRetentionYears => meta(
                "access_review_retention_years",
                "帳號及權限盤點紀錄保存年限",
                "access review record retention",
                U::Years,
                Larger,
                1,
                100,
            ),
            K::QueryRecordSheetRetentionYears => meta(
                "query_record_sheet_retention_years",
                "查詢紀錄單保存年限",
                "query-record sheet retention",
                U::Years,
                Larger,
                1,
                100,
            ),
            K::SamplingRecordRetentionYears => meta(
                "sampling_record_retention_years",
                "抽核紀錄保存年限",
                "sampling record retention",
                U::Years,
                Larger,
                1,
                100,
            ),
            K::AuditRecordRetentionYears => meta(
                "audit_record_retention_years",
                "稽核紀錄保存年限",
                "audit record retention",
                U::Years,
                Larger,
                1,
                100,
            ),
            K::LabourInsuranceDeletionMonths => meta(
                "labour_insurance_deletion_months",
                "職業投保資料使用完畢後刪除期限",
                "labour-insurance data deleted after use within",
                U::Months,
                Smaller,
                1,
                12,
            ),
            K::DeletionEvidenceRetentionYears => meta(
                "deletion_evidence_retention_years",
                "刪除紀錄保存年限",
                "deletion evidence retention",
                U::Years,
                Larger,
                1,
                100,
            ),
            K::ContactFormAnswerWorkingDays => meta(
                "contact_form_answer_working_days",
                "聯繫單回復期限",
                "contact form answer deadline",
                U::WorkingDays,
                Smaller,
                1,
                30,
            ),
            K::IncidentNotificationHours => meta(
                "incident_notification_hours",
                "資安事件通報期限",
                "incident notification deadline",
                U::Hours,
                Smaller,
                1,
                720,
            ),
            K::OutageEscalationHours => meta(
                "outage_escalation_hours",
                "系統故障改採臨櫃查詢前之修復時限",
                "outage length before in-person handling",
                U::Hours,
                Larger,
                1,
                720,
            ),
            K::UrgentCaseDeadlineDays => meta(
                "urgent_case_deadline_days",
                "急件處理期限",
                "urgent case processing deadline",
                U::Days,
                Smaller,
                1,
                30,
            ),
            K::ProfileReviewMonths => meta(
                "profile_review_months",
                "控管參數檢討週期",
                "control profile review interval",
                U::Months,
                Smaller,
                1,
                36,
            ),
            K::OfficeStartMinute => meta(
                "office_start_minute",
                "上班起始時間",
                "office hours start",
                U::MinuteOfDay,
                Free,
                0,
                1_439,
            ),
            K::OfficeEndMinute => meta(
                "office_end_minute",
                "上班結束時間",
                "office hours end",
                U::MinuteOfDay,
                Free,
                1,
                1_440,
            ),
            K::OfficeWeekdays => meta(
                "office_weekdays",
                "上班日",
                "working weekdays",
                U::WeekdayMask,
                Free,
                1,
                127,
            ),
        }
    }

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        self.meta().code
    }

    /// zh-TW label.
    pub fn zh_tw(self) -> &'static str {
        self.meta().zh
    }

    /// English label.
    pub fn en(self) -> &'static str {
        self.meta().en
    }

    /// Unit of the value.
    pub fn unit(self) -> Unit {
        self.meta().unit
    }

    /// Direction in which the setting becomes stricter.
    pub fn tighter(self) -> Tighter {
        self.meta().tighter
    }

    /// Allowed range (inclusive) regardless of the seed.
    pub fn range(self) -> (u32, u32) {
        let m = self.meta();
        (m.min, m.max)
    }

    /// Parses a stable code.
    pub fn parse(code: &str) -> Option<SettingKey> {
        Self::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    /// True when `candidate` is at least as strict as `reference` for this setting.
    pub fn at_least_as_tight(self, candidate: u32, reference: u32) -> bool {
        match self.tighter() {
            Tighter::Larger => candidate >= reference,
            Tighter::Smaller => candidate <= reference,
            Tighter::Free => true,
        }
    }

    /// The value with its unit in zh-TW (`2%`, `90 天`, `08:30`).
    pub fn format_zh(self, value: u32) -> String {
        match self.unit() {
            Unit::BasisPoints => format_percent(value),
            Unit::Count => format!("{value} 筆"),
            Unit::Characters => format!("{value} 字元"),
            Unit::CharacterClasses => format!("{value} 種"),
            Unit::Minutes => format!("{value} 分鐘"),
            Unit::Hours => format!("{value} 小時"),
            Unit::Days => format!("{value} 天"),
            Unit::WorkingDays => format!("{value} 個工作天"),
            Unit::Months => format!("{value} 個月"),
            Unit::Years => format!("{value} 年"),
            Unit::MinuteOfDay => format!("{:02}:{:02}", value / 60, value % 60),
            Unit::WeekdayMask => {
                format_weekdays(value, &["一", "二", "三", "四", "五", "六", "日"], "週")
            }
        }
    }

    /// The value with its unit in English (`2%`, `90 days`, `08:30`).
    pub fn format_en(self, value: u32) -> String {
        let plural = |one: &str, many: &str| {
            if value == 1 {
                format!("1 {one}")
            } else {
                format!("{value} {many}")
            }
        };
        match self.unit() {
            Unit::BasisPoints => format_percent(value),
            Unit::Count => plural("record", "records"),
            Unit::Characters => plural("character", "characters"),
            Unit::CharacterClasses => plural("class", "classes"),
            Unit::Minutes => plural("minute", "minutes"),
            Unit::Hours => plural("hour", "hours"),
            Unit::Days => plural("day", "days"),
            Unit::WorkingDays => plural("working day", "working days"),
            Unit::Months => plural("month", "months"),
            Unit::Years => plural("year", "years"),
            Unit::MinuteOfDay => format!("{:02}:{:02}", value / 60, value % 60),
            Unit::WeekdayMask => format_weekdays(
                value,
                &["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                "",
            ),
        }
    }
}

fn format_percent(bp: u32) -> String {
    if bp.is_multiple_of(100) {
        format!("{}%", bp / 100)
    } else {
        let s = format!("{}.{:02}", bp / 100, bp % 100);
        format!("{}%", s.trim_end_matches('0'))
    }
}

fn format_weekdays(mask: u32, names: &[&str; 7], prefix: &str) -> String {
    names
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, n)| format!("{prefix}{n}"))
        .collect::<Vec<_>>()
        .join(if prefix.is_empty() { ", " } else { "、" })
}

impl fmt::Display for SettingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for SettingKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for SettingKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        SettingKey::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown setting '{s}'")))
    }
}

/// One seed entry: the default value and the requirement it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSetting {
    /// The setting.
    pub key: SettingKey,
    /// The seed's value: the minimum strictness (J0.4).
    pub value: u32,
    /// Requirement ID(s) in `requirements.md`, e.g. `J5.2`.
    pub requirement: &'static str,
}

const fn s(key: SettingKey, value: u32, requirement: &'static str) -> SeedSetting {
    SeedSetting {
        key,
        value,
        requirement,
    }
}

const JCIC_SEED: &[SeedSetting] = {
    use SettingKey as K;
    &[
        s(K::QuerySamplingRate, 200, "J5.2"),
        s(K::QuerySamplingMinimum, 10, "J5.2"),
        s(K::QuerySamplingIntervalMonths, 1, "J5.2"),
        s(K::PasswordMinLength, 8, "J3.1"),
        s(K::PasswordMinClasses, 4, "J3.1"),
        s(K::PasswordMaxAgeDays, 90, "J3.1"),
        s(K::PasswordHistory, 3, "J3.1"),
        s(K::PasswordMinAgeDays, 1, "J3.1 (government baseline)"),
        s(K::LockoutThreshold, 5, "J3.1, J3.D3 (government baseline)"),
        s(K::LockoutMinutes, 15, "J3.1 (government baseline)"),
        s(K::SessionIdleMinutes, 15, "J3.D7, J4.3 (Custos default)"),
        s(K::DormancyMonths, 3, "X3"),
        s(K::AccessReviewMonths, 6, "J3.3"),
        s(K::SelfInspectionMonths, 12, "J5.3"),
        s(K::InternalAuditMonths, 6, "J5.4"),
        s(K::QueryRecordSheetDays, 7, "J4.12"),
        s(K::QueryLogRetentionYears, 5, "J4.11"),
        s(K::AuthorisationRetentionYears, 5, "J1.6"),
        s(K::RegisterRetentionYears, 5, "J2.2"),
        s(K::AccessReviewRetentionYears, 5, "J3.3"),
        s(K::QueryRecordSheetRetentionYears, 5, "J4.12"),
        s(K::SamplingRecordRetentionYears, 5, "J5.2"),
        s(K::AuditRecordRetentionYears, 5, "J5.4"),
        s(K::LabourInsuranceDeletionMonths, 1, "J6.1"),
        s(K::DeletionEvidenceRetentionYears, 5, "J6.2"),
        s(K::IncidentNotificationHours, 24, "J5.5, X6"),
        s(K::ProfileReviewMonths, 12, "J0.4 (Custos default)"),
        s(K::OfficeStartMinute, 510, "X4"),
        s(K::OfficeEndMinute, 1050, "X4"),
        s(K::OfficeWeekdays, 0b001_1111, "X4"),
    ]
};

const TAIPEI_SEED: &[SeedSetting] = {
    use SettingKey as K;
    &[
        s(K::QuerySamplingRate, 100, "T7.2"),
        s(K::QuerySamplingMinimum, 1, "T7.2"),
        s(K::QuerySamplingIntervalMonths, 1, "T7.2, T5.2"),
        s(K::UserSamplingRate, 5000, "T7.4"),
        s(K::PasswordMinLength, 8, "T5.1, T7.5 (government baseline)"),
        s(K::PasswordMinClasses, 4, "T5.1, T7.5 (government baseline)"),
        s(
            K::PasswordMaxAgeDays,
            90,
            "T5.1, T7.5 (government baseline)",
        ),
        s(K::PasswordHistory, 3, "T5.1, T7.5 (government baseline)"),
        s(K::PasswordMinAgeDays, 1, "T5.1 (government baseline)"),
        s(K::LockoutThreshold, 5, "T5.1 (government baseline)"),
        s(K::LockoutMinutes, 15, "T5.1 (government baseline)"),
        s(K::SessionIdleMinutes, 15, "T7.5 (Custos default)"),
        s(K::DormancyMonths, 3, "X3, T7.4"),
        s(K::AccessReviewMonths, 3, "T8.3, T7.4"),
        s(K::ExternalAuditMonths, 3, "T7.2"),
        s(K::VendorAuditMonths, 6, "T7.2"),
        s(K::VulnerabilityScanMonths, 3, "T8.1"),
        s(K::QueryLogRetentionYears, 5, "T5.2, T9"),
        s(K::AccessReviewRetentionYears, 5, "T7.4"),
        s(K::SamplingRecordRetentionYears, 5, "T7.4"),
        s(K::AuditRecordRetentionYears, 5, "T7.4, T8.5"),
        s(
            K::DeletionEvidenceRetentionYears,
            5,
            "T9 (domain-facts: retention)",
        ),
        s(K::ContactFormAnswerWorkingDays, 1, "T4"),
        s(K::IncidentNotificationHours, 24, "X6"),
        s(K::OutageEscalationHours, 8, "X5"),
        s(K::UrgentCaseDeadlineDays, 1, "X5"),
        s(K::ProfileReviewMonths, 12, "J0.4 (Custos default)"),
        s(K::OfficeStartMinute, 510, "X4"),
        s(K::OfficeEndMinute, 1050, "X4"),
        s(K::OfficeWeekdays, 0b001_1111, "X4"),
    ]
};

impl ProfileSeed {
    /// The seed's settings with their requirement IDs.
    pub fn settings(self) -> &'static [SeedSetting] {
        match self {
            ProfileSeed::Jcic => JCIC_SEED,
            ProfileSeed::Taipei => TAIPEI_SEED,
        }
    }

    /// The seed entry for `key`, if this seed has it.
    pub fn setting(self, key: SettingKey) -> Option<SeedSetting> {
        self.settings().iter().copied().find(|s| s.key == key)
    }
}

/// An editable, unvalidated proposal for a profile. Turn it into a [`ControlProfile`] with
/// `ControlProfile::try_from(draft)`; compare with the current profile with
/// [`ControlProfile::apply_change`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDraft {
    /// The seed the profile must stay at least as strict as.
    pub seed: ProfileSeed,
    /// Values by setting.
    pub values: BTreeMap<SettingKey, u32>,
}

impl ProfileDraft {
    /// Sets one value.
    pub fn set(&mut self, key: SettingKey, value: u32) -> &mut Self {
        self.values.insert(key, value);
        self
    }
}

/// A validated control profile: every setting of its seed, none looser than the seed (J0.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ProfileDraft", into = "ProfileDraft")]
pub struct ControlProfile {
    seed: ProfileSeed,
    values: BTreeMap<SettingKey, u32>,
}

/// One changed setting, for the ledger event that records a profile change (J0.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProfileChange {
    /// The setting.
    pub key: SettingKey,
    /// Its requirement ID(s).
    pub requirement: &'static str,
    /// Value before the change.
    pub old: u32,
    /// Value after the change.
    pub new: u32,
}

/// A setting's current value with its seed value and requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// The setting.
    pub key: SettingKey,
    /// Current value.
    pub value: u32,
    /// The seed's value (the loosest allowed unless [`Tighter::Free`]).
    pub seed_value: u32,
    /// Requirement ID(s).
    pub requirement: &'static str,
}

/// Why a proposed profile was refused. `Display` is zh-TW then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// The proposal is based on another seed.
    SeedMismatch {
        /// The current seed.
        current: ProfileSeed,
        /// The proposal's seed.
        proposed: ProfileSeed,
    },
    /// The proposal drops a setting of the seed.
    Missing {
        /// The setting.
        key: SettingKey,
        /// Its requirement ID(s).
        requirement: &'static str,
    },
    /// The proposal holds a setting its seed does not have.
    NotInSeed {
        /// The setting.
        key: SettingKey,
        /// The seed.
        seed: ProfileSeed,
    },
    /// A value outside the setting's allowed range.
    OutOfRange {
        /// The setting.
        key: SettingKey,
        /// Proposed value.
        value: u32,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
    },
    /// A value looser than the seed's minimum (J0.4).
    Looser {
        /// The setting.
        key: SettingKey,
        /// Its requirement ID(s).
        requirement: &'static str,
        /// The seed's value.
        seed_value: u32,
        /// Proposed value.
        proposed: u32,
    },
    /// Office hours that end before they start.
    OfficeHours(OfficeHoursError),
}

impl Bilingual for ProfileError {
    fn code(&self) -> &'static str {
        match self {
            ProfileError::SeedMismatch { .. } => "profile_seed_mismatch",
            ProfileError::Missing { .. } => "profile_setting_missing",
            ProfileError::NotInSeed { .. } => "profile_setting_not_in_seed",
            ProfileError::OutOfRange { .. } => "profile_value_out_of_range",
            ProfileError::Looser { .. } => "profile_value_looser_than_seed",
            ProfileError::OfficeHours(e) => e.code(),
        }
    }

    fn zh_tw(&self) -> String {
        match self {
            ProfileError::SeedMismatch { current, proposed } => format!(
                "控管參數基準不符：目前為「{}」，提案為「{}」",
                current.zh_tw(),
                proposed.zh_tw()
            ),
            ProfileError::Missing { key, requirement } => {
                format!("不得刪除控管參數「{}」（{requirement}）", key.zh_tw())
            }
            ProfileError::NotInSeed { key, seed } => {
                format!("「{}」不適用控管參數「{}」", seed.zh_tw(), key.zh_tw())
            }
            ProfileError::OutOfRange {
                key,
                value,
                min,
                max,
            } => format!(
                "「{}」之值 {} 超出允許範圍（{} 至 {}）",
                key.zh_tw(),
                key.format_zh(*value),
                key.format_zh(*min),
                key.format_zh(*max)
            ),
            ProfileError::Looser {
                key,
                requirement,
                seed_value,
                proposed,
            } => format!(
                "「{}」設為 {} 較規定寬鬆，依 {requirement} 至少須為 {}（只可從嚴，J0.4）",
                key.zh_tw(),
                key.format_zh(*proposed),
                key.format_zh(*seed_value)
            ),
            ProfileError::OfficeHours(e) => e.zh_tw(),
        }
    }

    fn en(&self) -> String {
        match self {
            ProfileError::SeedMismatch { current, proposed } => format!(
                "profile seed mismatch: current is '{}', proposal is '{}'",
                current.en(),
                proposed.en()
            ),
            ProfileError::Missing { key, requirement } => {
                format!(
                    "the setting '{}' ({requirement}) cannot be removed",
                    key.en()
                )
            }
            ProfileError::NotInSeed { key, seed } => {
                format!(
                    "the setting '{}' does not apply to '{}'",
                    key.en(),
                    seed.en()
                )
            }
            ProfileError::OutOfRange {
                key,
                value,
                min,
                max,
            } => format!(
                "'{}' = {} is outside the allowed range {} to {}",
                key.en(),
                key.format_en(*value),
                key.format_en(*min),
                key.format_en(*max)
            ),
            ProfileError::Looser {
                key,
                requirement,
                seed_value,
                proposed,
            } => format!(
                "'{}' = {} is looser than {requirement} allows: it must be at least as strict as {} (settings may only be tightened, J0.4)",
                key.en(),
                key.format_en(*proposed),
                key.format_en(*seed_value)
            ),
            ProfileError::OfficeHours(e) => e.en(),
        }
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.both())
    }
}

fn validate(draft: &ProfileDraft) -> Result<(), ProfileError> {
    let seed = draft.seed;
    for key in draft.values.keys() {
        if seed.setting(*key).is_none() {
            return Err(ProfileError::NotInSeed { key: *key, seed });
        }
    }
    for entry in seed.settings() {
        let Some(&value) = draft.values.get(&entry.key) else {
            return Err(ProfileError::Missing {
                key: entry.key,
                requirement: entry.requirement,
            });
        };
        let (min, max) = entry.key.range();
        if value < min || value > max {
            return Err(ProfileError::OutOfRange {
                key: entry.key,
                value,
                min,
                max,
            });
        }
        if !entry.key.at_least_as_tight(value, entry.value) {
            return Err(ProfileError::Looser {
                key: entry.key,
                requirement: entry.requirement,
                seed_value: entry.value,
                proposed: value,
            });
        }
    }
    let get = |k| draft.values.get(&k).copied().unwrap_or(0);
    OfficeHours::from_minutes(
        get(SettingKey::OfficeStartMinute),
        get(SettingKey::OfficeEndMinute),
        get(SettingKey::OfficeWeekdays),
    )
    .map_err(ProfileError::OfficeHours)?;
    Ok(())
}

impl TryFrom<ProfileDraft> for ControlProfile {
    type Error = ProfileError;
    fn try_from(draft: ProfileDraft) -> Result<Self, ProfileError> {
        validate(&draft)?;
        Ok(ControlProfile {
            seed: draft.seed,
            values: draft.values,
        })
    }
}

impl From<ControlProfile> for ProfileDraft {
    fn from(p: ControlProfile) -> Self {
        ProfileDraft {
            seed: p.seed,
            values: p.values,
        }
    }
}

/// The password rules of a profile (J3.1 and the government baseline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PasswordRules {
    /// Minimum length in characters.
    pub min_length: u32,
    /// Character classes to mix (digits, upper, lower, symbols).
    pub min_classes: u32,
    /// Forced change after this many days.
    pub max_age_days: u32,
    /// Must differ from this many previous passwords.
    pub history: u32,
    /// Minimum age in days before another change.
    pub min_age_days: u32,
    /// Failed sign-ins before lockout.
    pub lockout_threshold: u32,
    /// Lockout duration in minutes.
    pub lockout_minutes: u32,
}

/// A sampling rule: a rate in basis points and a minimum count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SamplingRule {
    /// Rate in basis points (100 = 1 %).
    pub rate_basis_points: u32,
    /// Minimum number of records (all when fewer).
    pub minimum: u64,
}

impl SamplingRule {
    /// The sample size for `population` records ([`sample_size`]).
    pub fn sample_size(self, population: u64) -> u64 {
        sample_size(population, self.rate_basis_points, self.minimum)
    }
}

impl ControlProfile {
    /// The JCIC seed profile (聯徵1–4).
    pub fn jcic() -> Self {
        Self::from_seed(ProfileSeed::Jcic)
    }

    /// The Taipei seed profile (digital seal comparison system).
    pub fn taipei() -> Self {
        Self::from_seed(ProfileSeed::Taipei)
    }

    /// The profile holding exactly the seed's values.
    pub fn from_seed(seed: ProfileSeed) -> Self {
        ControlProfile {
            seed,
            values: seed.settings().iter().map(|s| (s.key, s.value)).collect(),
        }
    }

    /// The seed this profile is bound to.
    pub fn seed(&self) -> ProfileSeed {
        self.seed
    }

    /// The value of a setting, `None` when the seed has no such setting.
    pub fn get(&self, key: SettingKey) -> Option<u32> {
        self.values.get(&key).copied()
    }

    /// The requirement ID(s) of a setting in this profile's seed.
    pub fn requirement(&self, key: SettingKey) -> Option<&'static str> {
        self.seed.setting(key).map(|s| s.requirement)
    }

    /// Every setting with its value, seed value and requirement, in seed order.
    pub fn settings(&self) -> Vec<Setting> {
        self.seed
            .settings()
            .iter()
            .map(|s| Setting {
                key: s.key,
                value: self.values.get(&s.key).copied().unwrap_or(s.value),
                seed_value: s.value,
                requirement: s.requirement,
            })
            .collect()
    }

    /// An editable copy for proposing a change.
    pub fn draft(&self) -> ProfileDraft {
        ProfileDraft {
            seed: self.seed,
            values: self.values.clone(),
        }
    }

    /// Checks a proposed profile against the seed's minimums (J0.4) and lists the settings that
    /// change (old → new, in key order) so that the caller can record a ledger event. An empty
    /// list means nothing changes. Refuses a value looser than the seed, naming the setting and
    /// its requirement ID; also a different seed, a dropped or foreign setting, a value out of
    /// range, or office hours that end before they start.
    pub fn apply_change(
        &self,
        proposed: &ProfileDraft,
    ) -> Result<Vec<ProfileChange>, ProfileError> {
        if proposed.seed != self.seed {
            return Err(ProfileError::SeedMismatch {
                current: self.seed,
                proposed: proposed.seed,
            });
        }
        validate(proposed)?;
        Ok(self
            .seed
            .settings()
            .iter()
            .filter_map(|s| {
                let old = self.values.get(&s.key).copied()?;
                let new = proposed.values.get(&s.key).copied()?;
                (old != new).then_some(ProfileChange {
                    key: s.key,
                    requirement: s.requirement,
                    old,
                    new,
                })
            })
            .collect())
    }

    fn value_or_seed(&self, key: SettingKey) -> u32 {
        self.get(key)
            .or_else(|| self.seed.setting(key).map(|s| s.value))
            .unwrap_or(0)
    }

    /// The monthly lookup sampling rule (J5.2 / T7.2).
    pub fn query_sampling(&self) -> SamplingRule {
        SamplingRule {
            rate_basis_points: self.value_or_seed(SettingKey::QuerySamplingRate),
            minimum: u64::from(self.value_or_seed(SettingKey::QuerySamplingMinimum)),
        }
    }

    /// The user sampling rule of the audit record form (T7.4); `None` for seeds without it.
    pub fn user_sampling(&self) -> Option<SamplingRule> {
        self.get(SettingKey::UserSamplingRate)
            .map(|rate| SamplingRule {
                rate_basis_points: rate,
                minimum: 1,
            })
    }

    /// The password and lockout rules.
    pub fn password_rules(&self) -> PasswordRules {
        PasswordRules {
            min_length: self.value_or_seed(SettingKey::PasswordMinLength),
            min_classes: self.value_or_seed(SettingKey::PasswordMinClasses),
            max_age_days: self.value_or_seed(SettingKey::PasswordMaxAgeDays),
            history: self.value_or_seed(SettingKey::PasswordHistory),
            min_age_days: self.value_or_seed(SettingKey::PasswordMinAgeDays),
            lockout_threshold: self.value_or_seed(SettingKey::LockoutThreshold),
            lockout_minutes: self.value_or_seed(SettingKey::LockoutMinutes),
        }
    }

    /// Office hours for out-of-hours flags (X4).
    pub fn office_hours(&self) -> OfficeHours {
        OfficeHours::from_minutes(
            self.value_or_seed(SettingKey::OfficeStartMinute),
            self.value_or_seed(SettingKey::OfficeEndMinute),
            self.value_or_seed(SettingKey::OfficeWeekdays),
        )
        .unwrap_or_default()
    }
}

/// Number of records to sample from `population`: `ceil(population × rate)`, at least `minimum`,
/// and all records when `population < minimum` (never more than `population`).
/// `rate_basis_points`: 100 = 1 %.
///
/// JCIC (J5.2): 2 % and ≥ 10 → 499 records give 10, 501 give 11 (10.02 rounded up).
/// Taipei (T7.2): 1 % and ≥ 1 → 99 records give 1, 101 give 2.
pub fn sample_size(population: u64, rate_basis_points: u32, minimum: u64) -> u64 {
    if population <= minimum {
        return population;
    }
    let by_rate = (u128::from(population) * u128::from(rate_basis_points)).div_ceil(10_000);
    let by_rate = u64::try_from(by_rate).unwrap_or(u64::MAX);
    by_rate.max(minimum).min(population)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn jcic_seed_holds_the_numbers_of_the_jcic_rulebook() {
        let p = ControlProfile::jcic();
        let k = |key| p.get(key).unwrap();
        assert_eq!(k(SettingKey::QuerySamplingRate), 200); // 2 %, J5.2
        assert_eq!(k(SettingKey::QuerySamplingMinimum), 10);
        assert_eq!(k(SettingKey::QuerySamplingIntervalMonths), 1);
        assert_eq!(k(SettingKey::PasswordMinLength), 8);
        assert_eq!(k(SettingKey::PasswordMinClasses), 4);
        assert_eq!(k(SettingKey::PasswordMaxAgeDays), 90);
        assert_eq!(k(SettingKey::PasswordHistory), 3);
        assert_eq!(k(SettingKey::PasswordMinAgeDays), 1);
        assert_eq!(k(SettingKey::LockoutThreshold), 5);
        assert_eq!(k(SettingKey::LockoutMinutes), 15);
        assert_eq!(k(SettingKey::DormancyMonths), 3);
        assert_eq!(k(SettingKey::AccessReviewMonths), 6);
        assert_eq!(k(SettingKey::SelfInspectionMonths), 12);
        assert_eq!(k(SettingKey::InternalAuditMonths), 6);
        assert_eq!(k(SettingKey::QueryRecordSheetDays), 7);
        assert_eq!(k(SettingKey::QueryLogRetentionYears), 5);
        assert_eq!(k(SettingKey::AuthorisationRetentionYears), 5);
        assert_eq!(k(SettingKey::LabourInsuranceDeletionMonths), 1);
        assert_eq!(k(SettingKey::DeletionEvidenceRetentionYears), 5);
        assert_eq!(p.requirement(SettingKey::QuerySamplingRate), Some("J5.2"));
        assert_eq!(
            p.requirement(SettingKey::AuthorisationRetentionYears),
            Some("J1.6")
        );
        assert_eq!(
            p.requirement(SettingKey::LabourInsuranceDeletionMonths),
            Some("J6.1")
        );
        assert_eq!(p.get(SettingKey::UserSamplingRate), None);
        assert_eq!(p.get(SettingKey::ContactFormAnswerWorkingDays), None);
    }

    #[test]
    fn taipei_seed_holds_the_numbers_of_the_taipei_rules() {
        let p = ControlProfile::taipei();
        let k = |key| p.get(key).unwrap();
        assert_eq!(k(SettingKey::QuerySamplingRate), 100); // 1 %, T7.2
        assert_eq!(k(SettingKey::QuerySamplingMinimum), 1);
        assert_eq!(k(SettingKey::UserSamplingRate), 5000); // 50 %, T7.4
        assert_eq!(k(SettingKey::AccessReviewMonths), 3); // quarterly, T8.3
        assert_eq!(k(SettingKey::ExternalAuditMonths), 3);
        assert_eq!(k(SettingKey::VendorAuditMonths), 6);
        assert_eq!(k(SettingKey::VulnerabilityScanMonths), 3);
        assert_eq!(k(SettingKey::ContactFormAnswerWorkingDays), 1);
        assert_eq!(k(SettingKey::OutageEscalationHours), 8);
        assert_eq!(k(SettingKey::AuditRecordRetentionYears), 5);
        assert_eq!(p.requirement(SettingKey::UserSamplingRate), Some("T7.4"));
        assert_eq!(p.get(SettingKey::SelfInspectionMonths), None);
    }

    #[test]
    fn every_seed_setting_names_a_requirement_and_lies_in_its_range() {
        for seed in [ProfileSeed::Jcic, ProfileSeed::Taipei] {
            let mut seen = BTreeSet::new();
            for s in seed.settings() {
                assert!(seen.insert(s.key), "duplicate {:?}", s.key);
                assert!(!s.requirement.is_empty());
                let first = s.requirement.chars().next().unwrap();
                assert!(matches!(first, 'J' | 'T' | 'X'), "{}", s.requirement);
                let (min, max) = s.key.range();
                assert!(s.value >= min && s.value <= max, "{:?}", s.key);
            }
            assert!(ControlProfile::try_from(ControlProfile::from_seed(seed).draft()).is_ok());
        }
    }

    #[test]
    fn setting_codes_are_unique_snake_case_and_parse_back() {
        let codes: BTreeSet<_> = SettingKey::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), SettingKey::ALL.len());
        for k in SettingKey::ALL {
            assert_eq!(SettingKey::parse(k.code()), Some(k));
            assert!(
                k.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
        }
    }

    #[test]
    fn tightening_is_accepted_and_listed_as_old_to_new() {
        let p = ControlProfile::jcic();
        let mut d = p.draft();
        d.set(SettingKey::QuerySamplingRate, 500)
            .set(SettingKey::PasswordMaxAgeDays, 60)
            .set(SettingKey::PasswordMinLength, 12);
        let changes = p.apply_change(&d).unwrap();
        assert_eq!(
            changes,
            vec![
                ProfileChange {
                    key: SettingKey::QuerySamplingRate,
                    requirement: "J5.2",
                    old: 200,
                    new: 500
                },
                ProfileChange {
                    key: SettingKey::PasswordMinLength,
                    requirement: "J3.1",
                    old: 8,
                    new: 12
                },
                ProfileChange {
                    key: SettingKey::PasswordMaxAgeDays,
                    requirement: "J3.1",
                    old: 90,
                    new: 60
                },
            ]
        );
        let next = ControlProfile::try_from(d).unwrap();
        assert!(next.apply_change(&next.draft()).unwrap().is_empty());
    }

    #[test]
    fn loosening_below_the_seed_is_refused_naming_the_setting_and_requirement() {
        let p = ControlProfile::jcic();
        let mut d = p.draft();
        d.set(SettingKey::QuerySamplingRate, 150);
        let e = p.apply_change(&d).unwrap_err();
        assert_eq!(
            e,
            ProfileError::Looser {
                key: SettingKey::QuerySamplingRate,
                requirement: "J5.2",
                seed_value: 200,
                proposed: 150
            }
        );
        assert_eq!(e.code(), "profile_value_looser_than_seed");
        assert!(e.zh_tw().contains("查詢紀錄抽核比率"), "{}", e.zh_tw());
        assert!(e.zh_tw().contains("J5.2"));
        assert!(
            e.en().contains("1.5%") && e.en().contains("2%"),
            "{}",
            e.en()
        );

        let mut d = p.draft();
        d.set(SettingKey::PasswordMaxAgeDays, 120);
        assert!(matches!(
            p.apply_change(&d),
            Err(ProfileError::Looser {
                key: SettingKey::PasswordMaxAgeDays,
                requirement: "J3.1",
                ..
            })
        ));
    }

    #[test]
    fn a_tightened_profile_may_be_loosened_back_but_never_below_the_seed() {
        let mut d = ControlProfile::taipei().draft();
        d.set(SettingKey::AccessReviewMonths, 1);
        let tight = ControlProfile::try_from(d).unwrap();
        let mut back = tight.draft();
        back.set(SettingKey::AccessReviewMonths, 3);
        assert_eq!(tight.apply_change(&back).unwrap().len(), 1);
        back.set(SettingKey::AccessReviewMonths, 4);
        assert!(tight.apply_change(&back).is_err());
    }

    #[test]
    fn dropped_foreign_out_of_range_and_cross_seed_proposals_are_refused() {
        let p = ControlProfile::jcic();
        let mut d = p.draft();
        d.values.remove(&SettingKey::DormancyMonths);
        assert!(matches!(
            p.apply_change(&d),
            Err(ProfileError::Missing {
                key: SettingKey::DormancyMonths,
                requirement: "X3"
            })
        ));
        let mut d = p.draft();
        d.set(SettingKey::UserSamplingRate, 5000);
        assert!(matches!(
            p.apply_change(&d),
            Err(ProfileError::NotInSeed { .. })
        ));
        let mut d = p.draft();
        d.set(SettingKey::QuerySamplingRate, 10_001);
        assert!(matches!(
            p.apply_change(&d),
            Err(ProfileError::OutOfRange { .. })
        ));
        let mut d = p.draft();
        d.set(SettingKey::PasswordMinClasses, 5);
        assert!(matches!(
            p.apply_change(&d),
            Err(ProfileError::OutOfRange { .. })
        ));
        assert!(matches!(
            p.apply_change(&ControlProfile::taipei().draft()),
            Err(ProfileError::SeedMismatch { .. })
        ));
    }

    #[test]
    fn office_hours_are_the_institutions_choice_but_must_end_after_they_start() {
        let p = ControlProfile::jcic();
        let mut d = p.draft();
        d.set(SettingKey::OfficeStartMinute, 8 * 60)
            .set(SettingKey::OfficeEndMinute, 19 * 60);
        assert_eq!(p.apply_change(&d).unwrap().len(), 2);
        let wider = ControlProfile::try_from(d).unwrap();
        assert_eq!(wider.office_hours().start_minute(), 480);
        let mut d = p.draft();
        d.set(SettingKey::OfficeEndMinute, 8 * 60);
        assert!(matches!(
            p.apply_change(&d),
            Err(ProfileError::OfficeHours(
                OfficeHoursError::StartNotBeforeEnd
            ))
        ));
        assert_eq!(
            ControlProfile::jcic().office_hours(),
            OfficeHours::default()
        );
    }

    #[test]
    fn serde_round_trips_and_refuses_a_loosened_profile() {
        let p = ControlProfile::taipei();
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"query_sampling_rate\":100"), "{json}");
        assert_eq!(serde_json::from_str::<ControlProfile>(&json).unwrap(), p);
        let loose = json.replace("\"query_sampling_rate\":100", "\"query_sampling_rate\":50");
        assert!(serde_json::from_str::<ControlProfile>(&loose).is_err());
    }

    #[test]
    fn values_format_with_their_units_in_both_languages() {
        assert_eq!(SettingKey::QuerySamplingRate.format_zh(200), "2%");
        assert_eq!(SettingKey::QuerySamplingRate.format_en(150), "1.5%");
        assert_eq!(SettingKey::QuerySamplingRate.format_en(125), "1.25%");
        assert_eq!(SettingKey::PasswordMaxAgeDays.format_zh(90), "90 天");
        assert_eq!(SettingKey::PasswordMaxAgeDays.format_en(1), "1 day");
        assert_eq!(SettingKey::OfficeStartMinute.format_en(510), "08:30");
        assert_eq!(
            SettingKey::OfficeWeekdays.format_zh(31),
            "週一、週二、週三、週四、週五"
        );
        assert_eq!(SettingKey::OfficeWeekdays.format_en(0b110_0000), "Sat, Sun");
    }

    #[test]
    fn jcic_sample_is_2_percent_rounded_up_at_least_10_all_when_fewer() {
        let rule = ControlProfile::jcic().query_sampling();
        assert_eq!(rule.sample_size(0), 0);
        assert_eq!(rule.sample_size(7), 7);
        assert_eq!(rule.sample_size(10), 10);
        assert_eq!(rule.sample_size(11), 10);
        assert_eq!(rule.sample_size(499), 10);
        assert_eq!(rule.sample_size(500), 10);
        assert_eq!(rule.sample_size(501), 11);
        assert_eq!(rule.sample_size(1000), 20);
        assert_eq!(rule.sample_size(1001), 21);
    }

    #[test]
    fn taipei_sample_is_1_percent_rounded_up_at_least_1() {
        let rule = ControlProfile::taipei().query_sampling();
        assert_eq!(rule.sample_size(0), 0);
        assert_eq!(rule.sample_size(1), 1);
        assert_eq!(rule.sample_size(99), 1);
        assert_eq!(rule.sample_size(100), 1);
        assert_eq!(rule.sample_size(101), 2);
        let users = ControlProfile::taipei().user_sampling().unwrap();
        assert_eq!(users.sample_size(3), 2);
        assert_eq!(users.sample_size(4), 2);
        assert!(ControlProfile::jcic().user_sampling().is_none());
    }

    #[test]
    fn password_rules_follow_j3_1() {
        let r = ControlProfile::jcic().password_rules();
        assert_eq!(
            (r.min_length, r.min_classes, r.max_age_days, r.history),
            (8, 4, 90, 3)
        );
        assert_eq!(
            (r.lockout_threshold, r.lockout_minutes, r.min_age_days),
            (5, 15, 1)
        );
    }

    proptest! {
        #[test]
        fn sample_size_is_the_smallest_count_meeting_rate_and_minimum(
            population in 0u64..2_000_000, rate in 1u32..=10_000, minimum in 0u64..50
        ) {
            let n = sample_size(population, rate, minimum);
            prop_assert!(n <= population);
            if population <= minimum {
                prop_assert_eq!(n, population);
            } else {
                prop_assert!(n >= minimum);
                prop_assert!(u128::from(n) * 10_000 >= u128::from(population) * u128::from(rate));
                if n > minimum {
                    prop_assert!(u128::from(n - 1) * 10_000 < u128::from(population) * u128::from(rate));
                }
            }
        }

        #[test]
        fn any_single_change_is_accepted_exactly_when_it_is_not_looser_than_the_seed(
            idx in 0usize..30, value in 0u32..20_000, taipei in any::<bool>()
        ) {
            let p = if taipei { ControlProfile::taipei() } else { ControlProfile::jcic() };
            let entry = p.seed().settings()[idx % p.seed().settings().len()];
            let mut d = p.draft();
            d.set(entry.key, value);
            let (min, max) = entry.key.range();
            let result = p.apply_change(&d);
            let in_range = value >= min && value <= max;
            let tight = entry.key.at_least_as_tight(value, entry.value);
            if !in_range || !tight {
                prop_assert!(result.is_err());
            } else if entry.key.tighter() != Tighter::Free {
                let changes = result.unwrap();
                prop_assert_eq!(changes.len(), usize::from(value != entry.value));
            }
        }
    }
}
