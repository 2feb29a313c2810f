//! 聯徵3: the chip-card query device worksheet (J5.9), one row per chip-card device.

use chrono::NaiveDate;

use crate::forms::{DocumentInfo, WorkingPaperHeader};
use crate::model::{Answer, Block, Cell, Document, HeaderCell, Signature, Table};
use crate::roc;

/// The seed's title after the year (revision 110年12月).
pub const TITLE: &str = "年度金融機構透過財團法人金融聯合徵信中心介接使用公務機關資料晶片卡查詢設備使用情形查核報告工作底稿(範本)-110年12月修訂(編號:聯徵3)";

/// Footnotes 1–3 of the seed.
pub const NOTES: [&str; 3] = [
    "1 晶片卡保管人員有否被授權辦理查詢請調閱查詢人員授權登記簿(聯徵4)。",
    "2 晶片卡使用情形可參閱由聯徵中心提供之「介接公務機關資料發查紀錄資訊(含期間查詢)（查詢代號Z52）或聯徵中心定期通知（或各單位自設之登記資料）。",
    "3 會員透過專屬網路進行信用資訊查詢須使用晶片卡及兩道密碼：第一道為使用者帳號密碼，第二道為晶片卡密碼，前者為使用者由專屬網路進入聯徵中心會員查詢專區之密碼；後者供認證晶片卡之合法性；均由聯徵中心製作提供，以掛號寄交單位主管親收，如查詢人員異動請向聯徵中心申請人員異動，亦請自行變更密碼(無須向聯徵中心申請)。",
];

/// The worksheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jcic3Worksheet {
    /// Document id and date.
    pub info: DocumentInfo,
    /// J0.1 header.
    pub header: WorkingPaperHeader,
    /// One row per chip-card device.
    pub rows: Vec<Jcic3Row>,
    /// Sign-offs.
    pub signatures: Vec<Signature>,
}

/// One chip-card device, with every column of the seed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Jcic3Row {
    /// 晶片卡查詢設備 — 名稱.
    pub device_name: String,
    /// 晶片卡查詢設備 — 序號.
    pub device_serial: String,
    /// 保管人員 — 姓名.
    pub custodian_name: String,
    /// 保管人員 — 是否經主管授權辦理.
    pub custodian_authorised: Answer,
    /// 保管是否妥善.
    pub custody_proper: Answer,
    /// 毀損、停用、遺失時，是否具函聯徵中心辦理.
    pub damage_loss_reported: Answer,
    /// 晶片卡使用情形 — 是否派人切實核對.
    pub usage_reconciled: Answer,
    /// 晶片卡使用情形 — 對於使用異常或遭鎖卡者是否追蹤原因.
    pub anomalies_followed_up: Answer,
    /// 查詢密碼 — 啟用日期.
    pub password_activated_on: Option<NaiveDate>,
    /// The card's own activation date (kept per J5.9; printed in 備註).
    pub card_activated_on: Option<NaiveDate>,
    /// 是否由單位主管親收後密交密碼保管人員.
    pub password_received_by_supervisor: Answer,
    /// 密碼保管人.
    pub password_custodian: String,
    /// 查詢人員異動或業務需要時，是否即向聯徵中心申請更換.
    pub replacement_applied: Answer,
    /// 晶片卡與查詢密碼是否由不同人員保管.
    pub card_and_password_separate: Answer,
    /// 查核結果.
    pub finding: String,
    /// 處理意見.
    pub handling_opinion: String,
    /// 備註.
    pub remarks: String,
    /// Requirement IDs the row evidences; carried, not printed.
    pub requirement_ids: Vec<String>,
}

/// Headings in the seed's order (three heading rows).
pub fn header() -> Vec<Vec<HeaderCell>> {
    vec![
        vec![
            HeaderCell::span("晶片卡查詢設備", 2, 1),
            HeaderCell::span("保管人員", 2, 1),
            HeaderCell::span("設備使用及管理情形", 4, 1),
            HeaderCell::span("查詢密碼", 4, 1).with_note(3),
            HeaderCell::span("晶片卡與查詢密碼保管情形", 1, 1),
            HeaderCell::span("查核結果", 1, 3),
            HeaderCell::span("處理意見", 1, 3),
            HeaderCell::span("備註", 1, 3),
        ],
        vec![
            HeaderCell::span("名稱", 1, 2),
            HeaderCell::span("序號", 1, 2),
            HeaderCell::span("姓名", 1, 2),
            HeaderCell::span("是否經主管授權辦理", 1, 2).with_note(1),
            HeaderCell::span("保管是否妥善", 1, 2),
            HeaderCell::span("毀損、停用、遺失時，是否具函聯徵中心辦理", 1, 2),
            HeaderCell::span("晶片卡使用情形", 2, 1).with_note(2),
            HeaderCell::span("啟用日期", 1, 2),
            HeaderCell::span("是否由單位主管親收後密交密碼保管人員", 1, 2),
            HeaderCell::span("密碼保管人", 1, 2),
            HeaderCell::span("查詢人員異動或業務需要時，是否即向聯徵中心申請更換", 1, 2),
            HeaderCell::span("晶片卡與查詢密碼是否由不同人員保管", 1, 2),
        ],
        vec![
            HeaderCell::span("是否派人切實核對", 1, 1),
            HeaderCell::span("對於使用異常或遭鎖卡者是否追蹤原因，以防範弊端發生", 1, 1),
        ],
    ]
}

/// Relative widths of the 16 leaf columns.
pub const WIDTHS: [f32; 16] = [
    1.6, 1.6, 1.3, 1.3, 1.2, 1.6, 1.3, 1.8, 1.5, 1.6, 1.3, 1.7, 1.5, 1.6, 1.6, 1.6,
];

impl Jcic3Worksheet {
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
                let mut remarks = r.remarks.clone();
                if let Some(d) = r.card_activated_on {
                    if !remarks.is_empty() {
                        remarks.push('\n');
                    }
                    remarks.push_str("晶片卡啟用日期：");
                    remarks.push_str(&roc::long(d));
                }
                vec![
                    Cell::center(&r.device_name),
                    Cell::center(&r.device_serial),
                    Cell::center(&r.custodian_name),
                    Cell::center(r.custodian_authorised.label()),
                    Cell::center(r.custody_proper.label()),
                    Cell::center(r.damage_loss_reported.label()),
                    Cell::center(r.usage_reconciled.label()),
                    Cell::center(r.anomalies_followed_up.label()),
                    Cell::center(r.password_activated_on.map(roc::long).unwrap_or_default()),
                    Cell::center(r.password_received_by_supervisor.label()),
                    Cell::center(&r.password_custodian),
                    Cell::center(r.replacement_applied.label()),
                    Cell::center(r.card_and_password_separate.label()),
                    Cell::left(&r.finding),
                    Cell::left(&r.handling_opinion),
                    Cell::left(remarks),
                ]
            })
            .collect();
        Document {
            meta: self.info.worksheet_meta(self.title()),
            blocks: vec![
                Block::Title(self.title()),
                Block::Fields(self.header.fields("會員機構名稱")),
                Block::Table(Table {
                    header: header(),
                    widths: WIDTHS.to_vec(),
                    rows,
                    font_size: 7.0,
                }),
                Block::Notes(NOTES.iter().map(ToString::to_string).collect()),
                Block::Signatures(self.signatures.clone()),
            ],
        }
    }
}
