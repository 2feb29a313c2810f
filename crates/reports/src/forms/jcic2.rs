//! 聯徵2: the monthly sampling worksheet of agency-data lookups (J5.8), one row per sampled lookup,
//! with the result section of J5.7 (monthly total, sampled count, ratio, compliant or not).

use chrono::NaiveDate;

use crate::forms::{DocumentInfo, WorkingPaperHeader};
use crate::model::{Answer, Block, Cell, Document, HeaderCell, Signature, Table};
use crate::roc;

/// The seed's title after the year (revision 110年12月).
pub const TITLE: &str = "年度金融機構透過財團法人金融聯合徵信中心介接使用公務機關資料查核報告工作底稿(範本)- 110年 12 月修訂(編號:聯徵2)";

/// Footnotes 1 and 2 of the seed.
pub const NOTES: [&str; 2] = [
    "1 查詢人員有否被授權辦理查詢請調閱查詢人員登記簿(聯徵4) 。",
    "2 「合法查詢」係指符合法定特定目的並取得當事人之書面授權書始得向聯徵中心查調相關資訊。有關規定請參閱「金融機構透過財團法人金融聯合徵信中心介接使用公務機關資料管理規範」相關條文。",
];

/// The worksheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jcic2Worksheet {
    /// Document id and date.
    pub info: DocumentInfo,
    /// J0.1 header.
    pub header: WorkingPaperHeader,
    /// One row per sampled lookup.
    pub rows: Vec<Jcic2Row>,
    /// J5.7 result section.
    pub summary: Jcic2Summary,
    /// Sign-offs (查核人, 覆核主管 …).
    pub signatures: Vec<Signature>,
}

/// One sampled lookup, with every column of the seed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Jcic2Row {
    /// 查詢日期.
    pub query_date: Option<NaiveDate>,
    /// 被查詢當事人 — 統一編號/身分證號.
    pub subject_id: String,
    /// 被查詢當事人 — 名稱.
    pub subject_name: String,
    /// 查詢人員 — 姓名.
    pub querier_name: String,
    /// 查詢人員 — 有否被授權辦理查詢 (per 聯徵4).
    pub querier_authorised: Answer,
    /// 使用者代碼.
    pub user_code: String,
    /// 授權辦理事項.
    pub authorised_duties: String,
    /// 當事人之書面授權書(含電子授權資料) — 是否保存5年.
    pub consent_kept_five_years: Answer,
    /// 有無合法查詢依據.
    pub lawful_basis: Answer,
    /// 有無紙本申請單或系統查詢日誌.
    pub request_or_log_present: Answer,
    /// 公務機關資料表查詢人有無簽章.
    pub querier_signature_present: Answer,
    /// 是否僅供內部使用不對外公開或移轉他人使用.
    pub internal_use_only: Answer,
    /// 不使用(含未承作案件)之公務機關資料表是否妥善處理.
    pub unused_tables_handled: Answer,
    /// 公務機關資料表是否列有電子浮水印標識.
    pub watermark_present: Answer,
    /// 查核結果.
    pub finding: String,
    /// 處理意見.
    pub handling_opinion: String,
    /// Requirement IDs the row evidences (J1.1, J5.8 …); carried, not printed.
    pub requirement_ids: Vec<String>,
}

/// The J5.7 result section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jcic2Summary {
    /// The sampled month (any day of it).
    pub month: NaiveDate,
    /// 每月總查詢件數.
    pub monthly_total: u32,
    /// 抽查件數.
    pub sampled: u32,
    /// 是否符合管理規範.
    pub compliant: Answer,
}

impl Jcic2Summary {
    /// 抽查比率 as printed (`2.50%`; `—` when there were no lookups).
    pub fn ratio_text(&self) -> String {
        if self.monthly_total == 0 {
            "—".to_string()
        } else {
            format!(
                "{:.2}%",
                f64::from(self.sampled) * 100.0 / f64::from(self.monthly_total)
            )
        }
    }
}

/// Headings in the seed's order (three heading rows).
pub fn header() -> Vec<Vec<HeaderCell>> {
    vec![
        vec![
            HeaderCell::span("查詢日期", 1, 3),
            HeaderCell::span("被查詢當事人", 2, 1),
            HeaderCell::span("查詢人員", 2, 1),
            HeaderCell::span("使用者代碼", 1, 3),
            HeaderCell::span("授權辦理事項", 1, 3),
            HeaderCell::span("查詢資格依據(查詢條件限制)", 2, 1),
            HeaderCell::span("查詢結果", 5, 1),
            HeaderCell::span("查核結果", 1, 3),
            HeaderCell::span("處理意見", 1, 3),
        ],
        vec![
            HeaderCell::span("統一編號/身分證號", 1, 2),
            HeaderCell::span("名稱", 1, 2),
            HeaderCell::span("姓名", 1, 2),
            HeaderCell::span("有否被授權辦理查詢", 1, 2).with_note(1),
            HeaderCell::span("當事人之書面授權書(含電子授權資料)", 1, 1),
            HeaderCell::span("有無合法查詢依據", 1, 2).with_note(2),
            HeaderCell::span("有無紙本申請單或系統查詢日誌", 1, 2),
            HeaderCell::span("公務機關資料表查詢人有無簽章", 1, 2),
            HeaderCell::span("是否僅供內部使用不對外公開或移轉他人使用", 1, 2),
            HeaderCell::span("不使用(含未承作案件)之公務機關資料表是否妥善處理", 1, 2),
            HeaderCell::span("公務機關資料表是否列有電子浮水印標識", 1, 2),
        ],
        vec![HeaderCell::span("是否保存5年", 1, 1)],
    ]
}

/// Relative widths of the 16 leaf columns.
pub const WIDTHS: [f32; 16] = [
    1.5, 2.0, 1.4, 1.2, 1.2, 1.4, 1.6, 1.4, 1.2, 1.3, 1.3, 1.4, 1.5, 1.3, 1.8, 1.8,
];

impl Jcic2Worksheet {
    /// The printed title with the year.
    pub fn title(&self) -> String {
        format!("{}{TITLE}", self.header.roc_year)
    }

    /// The format-neutral document.
    pub fn to_document(&self) -> Document {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    Cell::center(r.query_date.map(roc::long).unwrap_or_default()),
                    Cell::center(&r.subject_id),
                    Cell::center(&r.subject_name),
                    Cell::center(&r.querier_name),
                    Cell::center(r.querier_authorised.label()),
                    Cell::center(&r.user_code),
                    Cell::left(&r.authorised_duties),
                    Cell::center(r.consent_kept_five_years.label()),
                    Cell::center(r.lawful_basis.label()),
                    Cell::center(r.request_or_log_present.label()),
                    Cell::center(r.querier_signature_present.label()),
                    Cell::center(r.internal_use_only.label()),
                    Cell::center(r.unused_tables_handled.label()),
                    Cell::center(r.watermark_present.label()),
                    Cell::left(&r.finding),
                    Cell::left(&r.handling_opinion),
                ]
            })
            .collect();
        let s = &self.summary;
        Document {
            meta: self.info.worksheet_meta(self.title()),
            blocks: vec![
                Block::Title(self.title()),
                Block::Fields(self.header.fields("機構名稱")),
                Block::Table(Table {
                    header: header(),
                    widths: WIDTHS.to_vec(),
                    rows,
                    font_size: 7.0,
                }),
                Block::Notes(NOTES.iter().map(ToString::to_string).collect()),
                Block::Text(format!(
                    "查核結果（{}）：1.每月總查詢件數：{}　2.抽查件數：{}　3.抽查比率：{}　4.是否符合管理規範：{}",
                    roc::month(s.month),
                    s.monthly_total,
                    s.sampled,
                    s.ratio_text(),
                    s.compliant.label()
                )),
                Block::Signatures(self.signatures.clone()),
            ],
        }
    }
}
