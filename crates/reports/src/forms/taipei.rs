//! The Taipei land administration bureau's forms for the digital seal comparison system:
//! 附件一 與戶政機關聯繫單 (contact form, T4), 附件二 稽核紀錄表 (audit record form, T7.4), 附件三
//! 委外廠商資訊安全稽核紀錄表 (vendor audit form, 41 items, T7.5) and 附件五 帳號異動申請單 (account
//! change application, T8.4). Wording and field order follow the seed.

use chrono::{NaiveDate, NaiveDateTime};

use crate::forms::DocumentInfo;
use crate::model::{
    Block, Cell, Choice, Document, DocumentMeta, Face, Field, Orientation, Signature, Table,
};
use crate::roc;

const VENDOR_TEMPLATE: &str = include_str!("../../templates/vendor-audit.txt");

fn meta(info: &DocumentInfo, title: &str) -> DocumentMeta {
    DocumentMeta {
        document_id: info.document_id.clone(),
        title: title.replace('\n', ""),
        generated_at: info.generated_at,
        orientation: Orientation::Portrait,
        face: Face::Serif,
        watermark: info.watermark.clone(),
        printout: None,
    }
}

fn boxes(options: &[(&str, bool)]) -> String {
    options
        .iter()
        .map(|(label, checked)| Choice::new(*label, *checked).printed())
        .collect::<Vec<_>>()
        .join("　")
}

fn form_table(rows: Vec<Vec<Cell>>, widths: Vec<f32>) -> Block {
    Block::Table(Table {
        header: Vec::new(),
        widths,
        rows,
        font_size: 10.0,
    })
}

// ---------------------------------------------------------------------------------------------
// 附件二 稽核紀錄表

/// Counts of compliant and non-compliant records for one audit content line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// 符合.
    pub compliant: u32,
    /// 不符.
    pub non_compliant: u32,
}

impl Tally {
    fn text(self) -> String {
        format!("符合：{}　不符：{}", self.compliant, self.non_compliant)
    }
}

/// 附件二: the audit record form of a unit's use of the seal system (T7.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaipeiAuditRecord {
    /// Document id and date.
    pub info: DocumentInfo,
    /// (稽核單位).
    pub auditing_unit: String,
    /// (受稽單位).
    pub audited_unit: String,
    /// 稽核日期.
    pub audit_date: NaiveDate,
    /// 使用者 一: does the user's job need the system?
    pub users_need_system: Tally,
    /// 使用者 二: account change forms filed?
    pub users_change_forms: Tally,
    /// 使用者 二: number of users changed (異動：N人).
    pub users_changed: u32,
    /// 使用者 三: date of the last quarterly account inventory (前次盤點日期).
    pub last_inventory_date: Option<NaiveDate>,
    /// 查詢紀錄 一: official purpose (incl. outside office hours)?
    pub queries_official: Tally,
    /// 查詢紀錄 二: related to the case (document number)?
    pub queries_related: Tally,
    /// 查詢紀錄 三: printed results filed with the case?
    pub queries_printouts_filed: Tally,
    /// 內部稽核資料書面至少保留五年 — 符合 (true) / 不符 (false).
    pub records_kept_five_years: Option<bool>,
    /// 上次稽核結果: no non-conformity.
    pub previous_no_nonconformity: bool,
    /// 上次稽核結果: 改善或建議辦理情形.
    pub previous_follow_up: String,
    /// 稽核結果及建議: no non-conformity.
    pub no_nonconformity: bool,
    /// 稽核結果及建議: 建議事項.
    pub suggestions: String,
    /// 受稽單位 受稽人員, 主管; 稽核單位 稽核人員, 主管.
    pub signatures: Vec<Signature>,
}

/// Title of 附件二.
pub const AUDIT_RECORD_TITLE: &str = "臺北市政府地政局暨所屬所隊介接使用數位印鑑比對系統稽核紀錄表";

impl TaipeiAuditRecord {
    /// The format-neutral document.
    pub fn to_document(&self) -> Document {
        let kept = self.records_kept_five_years;
        let rows = vec![
            vec![
                Cell::center("項目").shade(),
                Cell::center("抽查比率").shade(),
                Cell::center("稽核內容").shade(),
                Cell::center("抽查資料").shade(),
            ],
            vec![
                Cell::center("使用者").down(3),
                Cell::center("50%").down(3),
                Cell::left("一、使用者負責業務是否須使用印鑑比對系統？"),
                Cell::left(self.users_need_system.text()),
            ],
            vec![
                Cell::left(format!(
                    "二、系統之使用者異動是否填寫使用印鑑比對系統帳號異動申請單？（異動：{}人）",
                    self.users_changed
                )),
                Cell::left(self.users_change_forms.text()),
            ],
            vec![
                Cell::left(
                    "三、每季定期盤點系統管理者或使用者帳號，無使用需求者是否予以註銷或停用？",
                ),
                Cell::left(format!(
                    "前次盤點日期：{}",
                    self.last_inventory_date.map(roc::long).unwrap_or_default()
                )),
            ],
            vec![
                Cell::center("查詢紀錄").down(3),
                Cell::center("每月比對總數之1%").down(3),
                Cell::left("一、電腦查詢紀錄(含非上班時間者)是否為公務查詢？"),
                Cell::left(self.queries_official.text()),
            ],
            vec![
                Cell::left("二、查詢項目與案件(文號)是否相關？"),
                Cell::left(self.queries_related.text()),
            ],
            vec![
                Cell::left("三、查詢結果有列印者是否附卷？"),
                Cell::left(self.queries_printouts_filed.text()),
            ],
            vec![
                Cell::left("內部稽核資料書面至少保留五年").span(2),
                Cell::left(boxes(&[
                    ("符合", kept == Some(true)),
                    ("不符", kept == Some(false)),
                ]))
                .span(2),
            ],
            vec![
                Cell::left("上次稽核結果").span(2),
                Cell::left(format!(
                    "{}\n{}{}",
                    boxes(&[("無不符合項目", self.previous_no_nonconformity)]),
                    boxes(&[("改善或建議辦理情形：", !self.previous_follow_up.is_empty())]),
                    self.previous_follow_up
                ))
                .span(2),
            ],
            vec![
                Cell::left("稽核結果及建議").span(2),
                Cell::left(format!(
                    "{}\n{}{}",
                    boxes(&[("無不符合項目", self.no_nonconformity)]),
                    boxes(&[("建議事項：", !self.suggestions.is_empty())]),
                    self.suggestions
                ))
                .span(2),
            ],
        ];
        let title = format!("{AUDIT_RECORD_TITLE}（附件二）");
        Document {
            meta: meta(&self.info, &title),
            blocks: vec![
                Block::Title(title),
                Block::Fields(vec![
                    Field::new("(稽核單位)", &self.auditing_unit),
                    Field::new("(受稽單位)", &self.audited_unit),
                    Field::new("稽核日期", roc::long(self.audit_date)),
                ]),
                form_table(rows, vec![1.2, 1.4, 4.6, 2.6]),
                Block::Signatures(self.signatures.clone()),
            ],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 附件三 委外廠商資訊安全稽核紀錄表

/// One item's result (符合 / 不符合 / 不適用).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VendorResult {
    /// 符合.
    Compliant,
    /// 不符合.
    NonCompliant,
    /// 不適用.
    NotApplicable,
    /// Not yet audited.
    #[default]
    Open,
}

/// One of the 41 items.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VendorItem {
    /// Item text as in the seed (`(1) 專案文件管控…`).
    pub text: String,
    /// 稽核結果.
    pub result: VendorResult,
    /// 稽核情形.
    pub notes: String,
}

/// One of the eight areas.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VendorArea {
    /// Area heading (`1. 資產安全`).
    pub title: String,
    /// Its items.
    pub items: Vec<VendorItem>,
}

/// The eight areas and 41 items of the seed, unanswered.
pub fn vendor_areas() -> Vec<VendorArea> {
    let mut areas: Vec<VendorArea> = Vec::new();
    for line in VENDOR_TEMPLATE.lines() {
        if let Some(t) = line.strip_prefix("# ") {
            if t.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                areas.push(VendorArea {
                    title: t.to_string(),
                    items: Vec::new(),
                });
            }
        } else if let (Some(t), Some(area)) = (line.strip_prefix("I "), areas.last_mut()) {
            area.items.push(VendorItem {
                text: t.to_string(),
                ..VendorItem::default()
            });
        }
    }
    areas
}

/// 附件三: the vendor information-security audit form (T7.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorAuditRecord {
    /// Document id and date.
    pub info: DocumentInfo,
    /// 受稽核廠商.
    pub vendor: String,
    /// 稽核日期.
    pub audit_date: NaiveDate,
    /// The eight areas with their answers.
    pub areas: Vec<VendorArea>,
    /// 建議事項.
    pub suggestions: String,
    /// 稽核人員, 受稽廠商代表.
    pub signatures: Vec<Signature>,
}

/// Title of 附件三.
pub const VENDOR_AUDIT_TITLE: &str =
    "臺北市政府地政局介接使用數位印鑑比對系統 軟體委外廠商資訊安全稽核紀錄表";

impl VendorAuditRecord {
    /// The format-neutral document.
    pub fn to_document(&self) -> Document {
        let mut rows = vec![vec![
            Cell::center("稽核項目").shade(),
            Cell::center("稽核結果").shade(),
            Cell::center("稽核情形").shade(),
        ]];
        for area in &self.areas {
            rows.push(vec![Cell::left(&area.title).span(3).shade()]);
            for item in &area.items {
                let r = item.result;
                rows.push(vec![
                    Cell::left(&item.text),
                    Cell::left(boxes(&[
                        ("符合", r == VendorResult::Compliant),
                        ("不符合", r == VendorResult::NonCompliant),
                        ("不適用", r == VendorResult::NotApplicable),
                    ])),
                    Cell::left(&item.notes),
                ]);
            }
        }
        rows.push(vec![
            Cell::left(format!("建議事項：{}", self.suggestions)).span(3),
        ]);
        let title = format!("{VENDOR_AUDIT_TITLE}（附件三）");
        Document {
            meta: meta(&self.info, &title),
            blocks: vec![
                Block::Title(title),
                Block::Fields(vec![
                    Field::new("受稽核廠商", &self.vendor),
                    Field::new("稽核日期", roc::long(self.audit_date)),
                ]),
                Block::Table(Table {
                    header: Vec::new(),
                    widths: vec![4.8, 3.2, 2.2],
                    rows,
                    font_size: 9.0,
                }),
                Block::Signatures(self.signatures.clone()),
            ],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 附件五 帳號異動申請單

/// 申請事項.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRequest {
    /// 新增.
    Add,
    /// 異動.
    Change,
    /// 註銷.
    Revoke,
}

/// 審核意見 and, when refused, 不提供意見.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewDecision {
    /// 提供.
    Provide,
    /// 不提供, with the reasons ticked.
    Refuse(Vec<RefusalReason>),
}

/// 不提供意見.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalReason {
    /// 資料填寫錯誤.
    DataError,
    /// 使用者帳號重複.
    DuplicateAccount,
    /// 負責業務不符.
    DutyMismatch,
    /// 其他原因：….
    Other(String),
}

/// 附件五: the account change application (T8.4). `*` fields are mandatory on the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChangeApplication {
    /// Document id and date.
    pub info: DocumentInfo,
    /// *申請事項.
    pub request: AccountRequest,
    /// 異動原因.
    pub reason: String,
    /// *申請日期.
    pub application_date: NaiveDate,
    /// *機關名稱.
    pub agency: String,
    /// *科(課)室名稱.
    pub section: String,
    /// *使用者名稱 — 中文姓名.
    pub user_name: String,
    /// 電話.
    pub phone: String,
    /// 使用者帳號 (員工編號).
    pub user_account: String,
    /// *E-Mail (公務信箱).
    pub email: String,
    /// 業務單位核章.
    pub business_unit_sign_off: Option<Signature>,
    /// 審核意見 / 不提供意見 (empty until reviewed).
    pub decision: Option<ReviewDecision>,
    /// 異動時間 (啟用、異動或註銷時間).
    pub effective_at: Option<NaiveDateTime>,
    /// 審核單位核章.
    pub reviewing_unit_sign_off: Option<Signature>,
}

/// Title of 附件五.
pub const ACCOUNT_CHANGE_TITLE: &str =
    "臺北市政府地政局暨所屬所隊\n介接使用臺北市數位印鑑比對系統帳號異動申請單";

fn stamp(s: Option<&Signature>) -> String {
    s.map(|s| format!("{}　{}\n電子簽核時間：{}", s.title, s.name, s.signed_text()))
        .unwrap_or_default()
}

impl AccountChangeApplication {
    /// The format-neutral document.
    pub fn to_document(&self) -> Document {
        let req = self.request;
        let (provide, refuse, reasons) = match &self.decision {
            Some(ReviewDecision::Provide) => (true, false, Vec::new()),
            Some(ReviewDecision::Refuse(r)) => (false, true, r.clone()),
            None => (false, false, Vec::new()),
        };
        let other = reasons.iter().find_map(|r| match r {
            RefusalReason::Other(t) => Some(t.clone()),
            _ => None,
        });
        let label = |t: &str| Cell::center(t).shade();
        let rows = vec![
            vec![
                label("*申請事項"),
                Cell::left(boxes(&[
                    ("新增", req == AccountRequest::Add),
                    ("異動", req == AccountRequest::Change),
                    ("註銷", req == AccountRequest::Revoke),
                ])),
                label("異動原因"),
                Cell::left(&self.reason),
            ],
            vec![
                label("*申請日期"),
                Cell::left(roc::long(self.application_date)).span(3),
            ],
            vec![label("*機關名稱"), Cell::left(&self.agency).span(3)],
            vec![label("*科(課)室名稱"), Cell::left(&self.section).span(3)],
            vec![
                label("*使用者名稱"),
                Cell::left(format!("中文姓名：{}", self.user_name)),
                label("電 話"),
                Cell::left(&self.phone),
            ],
            vec![label("使用者帳號"), Cell::left(&self.user_account).span(3)],
            vec![label("*E-Mail (公務信箱)"), Cell::left(&self.email).span(3)],
            vec![
                label("業務單位核章"),
                Cell::left(stamp(self.business_unit_sign_off.as_ref())).span(3),
            ],
            vec![
                label("審核意見"),
                Cell::left(boxes(&[("提供", provide), ("不提供", refuse)])).span(3),
            ],
            vec![
                label("不提供意見"),
                Cell::left(format!(
                    "{}{}",
                    boxes(&[
                        ("資料填寫錯誤", reasons.contains(&RefusalReason::DataError)),
                        (
                            "使用者帳號重複",
                            reasons.contains(&RefusalReason::DuplicateAccount)
                        ),
                        (
                            "負責業務不符",
                            reasons.contains(&RefusalReason::DutyMismatch)
                        ),
                        ("其他原因：", other.is_some()),
                    ]),
                    other.unwrap_or_default()
                ))
                .span(3),
            ],
            vec![
                label("異動時間"),
                Cell::left(self.effective_at.map_or_else(
                    || "(依申請事項為啟用、異動或註銷時間)".to_string(),
                    roc::date_time,
                ))
                .span(3),
            ],
            vec![
                label("審核單位核章"),
                Cell::left(stamp(self.reviewing_unit_sign_off.as_ref())).span(3),
            ],
        ];
        Document {
            meta: meta(&self.info, &format!("{ACCOUNT_CHANGE_TITLE}（附件五）")),
            blocks: vec![
                Block::Title(format!("{ACCOUNT_CHANGE_TITLE}（附件五）")),
                form_table(rows, vec![1.6, 3.0, 1.3, 2.6]),
                Block::Notes(vec![
                    "說明：(一)使用者帳號為員工編號。 (二)*號欄位部分必須填寫。".to_string(),
                ]),
            ],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 附件一 與戶政機關聯繫單

/// 發件單位: the bureau's section or a land office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactSender {
    /// 臺北市政府地政局 ＿科(隊).
    Bureau {
        /// Section or team.
        section: String,
    },
    /// 臺北市＿地政事務所.
    LandOffice {
        /// Office name (e.g. 松山).
        office: String,
        /// 聯絡電話.
        phone: String,
        /// 分機.
        extension: String,
        /// 傳真電話.
        fax: String,
    },
}

/// 查詢事項 (T4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactRequest {
    /// 印模不清無法比對，請進行印鑑章印模重建(不包含已變更印模重建).
    ImprintRebuild,
    /// 戶役政資訊系統與印鑑比對系統印登記日期不一致.
    RegistrationDateMismatch,
    /// 其他.
    Other(String),
}

/// 回復內容.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactReplyOutcome {
    /// 印模已完成重建.
    ImprintRebuilt,
    /// 其他.
    Other(String),
}

/// The household office's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactReply {
    /// 聯絡電話.
    pub phone: String,
    /// 承辦人員(職章).
    pub handler: Option<Signature>,
    /// Outcome.
    pub outcome: ContactReplyOutcome,
}

/// 附件一: the contact form to a household registration office (T4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactForm {
    /// Document id and date.
    pub info: DocumentInfo,
    /// 聯繫日期.
    pub date: NaiveDate,
    /// 收件單位: 臺北市＿區戶政事務所.
    pub household_district: String,
    /// 收件單位 聯絡電話.
    pub household_phone: String,
    /// 收件單位 傳真電話.
    pub household_fax: String,
    /// 發件單位.
    pub sender: ContactSender,
    /// 案號: 年.
    pub case_year: u16,
    /// 案號: 字.
    pub case_word: String,
    /// 案號: 號.
    pub case_number: String,
    /// 承辦人(職章).
    pub handler: Option<Signature>,
    /// 課(股)長(職章).
    pub chief: Option<Signature>,
    /// 印鑑登記當事人姓名.
    pub subject_name: String,
    /// 身分證統一編號.
    pub subject_id: String,
    /// 查詢事項.
    pub request: ContactRequest,
    /// 回復內容 (empty until the office replies).
    pub reply: Option<ContactReply>,
}

/// Title of 附件一.
pub const CONTACT_TITLE: &str = "臺北市政府地政局暨所屬所隊介接數位印鑑比對系統\n與戶政機關聯繫單";

fn chop(s: Option<&Signature>) -> String {
    s.map(|s| format!("{}（{}）", s.name, s.signed_text()))
        .unwrap_or_default()
}

impl ContactForm {
    /// The format-neutral document.
    pub fn to_document(&self) -> Document {
        let (bureau, office) = match &self.sender {
            ContactSender::Bureau { section } => (
                format!(
                    "{}臺北市政府地政局 {section} 科(隊)",
                    Choice::new("", true).printed()
                ),
                format!("{}臺北市 地政事務所", Choice::new("", false).printed()),
            ),
            ContactSender::LandOffice {
                office,
                phone,
                extension,
                fax,
            } => (
                format!(
                    "{}臺北市政府地政局 科(隊)",
                    Choice::new("", false).printed()
                ),
                format!(
                    "{}臺北市{office}地政事務所　聯絡電話：{phone} 分機 {extension}　傳真電話：{fax}",
                    Choice::new("", true).printed()
                ),
            ),
        };
        let other_req = match &self.request {
            ContactRequest::Other(t) => Some(t.clone()),
            _ => None,
        };
        let request = format!(
            "印鑑登記當事人姓名：{}　身分證統一編號：{}\n{}\n{}\n{}{}",
            self.subject_name,
            self.subject_id,
            boxes(&[(
                "印模不清無法比對，請進行印鑑章印模重建(不包含已變更印模重建)",
                self.request == ContactRequest::ImprintRebuild
            )]),
            boxes(&[(
                "戶役政資訊系統與印鑑比對系統印登記日期不一致",
                self.request == ContactRequest::RegistrationDateMismatch
            )]),
            boxes(&[("其他", other_req.is_some())]),
            other_req.map(|t| format!("：{t}")).unwrap_or_default()
        );
        let (reply_left, reply_right) = match &self.reply {
            Some(r) => {
                let other = match &r.outcome {
                    ContactReplyOutcome::Other(t) => Some(t.clone()),
                    ContactReplyOutcome::ImprintRebuilt => None,
                };
                (
                    format!(
                        "聯絡電話：{}\n承辦人員(職章)：{}",
                        r.phone,
                        chop(r.handler.as_ref())
                    ),
                    format!(
                        "{}\n{}{}",
                        boxes(&[(
                            "印模已完成重建",
                            r.outcome == ContactReplyOutcome::ImprintRebuilt
                        )]),
                        boxes(&[("其他", other.is_some())]),
                        other.map(|t| format!("：{t}")).unwrap_or_default()
                    ),
                )
            }
            None => (
                "聯絡電話：\n承辦人員(職章)：".to_string(),
                format!(
                    "{}\n{}",
                    boxes(&[("印模已完成重建", false)]),
                    boxes(&[("其他", false)])
                ),
            ),
        };
        let label = |t: &str| Cell::center(t).shade();
        let rows = vec![
            vec![
                label("收件單位"),
                Cell::left(format!(
                    "臺北市{}區戶政事務所　聯絡電話：{}　傳真電話：{}",
                    self.household_district, self.household_phone, self.household_fax
                ))
                .span(2),
            ],
            vec![
                label("發件單位").down(2),
                Cell::left(bureau),
                Cell::left(format!(
                    "案號：{}年{}字第{}號",
                    self.case_year, self.case_word, self.case_number
                )),
            ],
            vec![
                Cell::left(office),
                Cell::left(format!(
                    "承辦人(職章)：{}\n課(股)長(職章)：{}",
                    chop(self.handler.as_ref()),
                    chop(self.chief.as_ref())
                )),
            ],
            vec![label("查詢事項"), Cell::left(request).span(2)],
            vec![
                label("回復內容"),
                Cell::left(reply_left),
                Cell::left(reply_right),
            ],
        ];
        let title = format!("{CONTACT_TITLE}（附件一）");
        Document {
            meta: meta(&self.info, &title),
            blocks: vec![
                Block::Title(title),
                Block::Fields(vec![Field::new("聯繫日期", roc::long(self.date))]),
                form_table(rows, vec![1.2, 4.4, 3.2]),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendor_form_has_eight_areas_and_41_items() {
        let areas = vendor_areas();
        let counts: Vec<usize> = areas.iter().map(|a| a.items.len()).collect();
        assert_eq!(counts, [3, 4, 8, 10, 5, 5, 1, 5]);
        assert_eq!(counts.iter().sum::<usize>(), 41);
    }
}
