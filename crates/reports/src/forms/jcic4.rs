//! 聯徵4: the authorisation register of everyone with a duty in the lookup process (J2.2), ten
//! columns in the seed's order, dates as ROC `YYYMMDD`.

use chrono::{NaiveDate, NaiveDateTime};

use crate::forms::DocumentInfo;
use crate::model::{Block, Cell, Document, Field, HeaderCell, Signature, Table};
use crate::roc;

/// The seed's title after the year (revision 114年6月).
pub const TITLE: &str = "年度金融機構透過財團法人金融聯合徵信中心介接使用公務機關資料查詢作業相關人員授權登記簿(範本)- 114年6月修訂(編號:聯徵4)";

/// Footnotes 1, 2, 3, 4, 7, 8 of the seed.
pub const NOTES: [&str; 6] = [
    "1 凡與查詢作業有關之授權事宜，如：主管指定之辦理查詢、覆核查詢紀錄等作業人員，均應設簿登記，以利事後管理。本登記簿應保存五年，備供查核。授權內容若為設備保管人員請於備註欄記載。",
    "2 填報金融聯合徵信中心信用資訊查詢方式，可以「N」代表晶片卡查詢、「B」代表加密檔案傳輸查詢、「Q」代表伺服器連線查詢、「W」代表API查詢。",
    "3 授權辦理事項如：查詢信用資訊，保管晶片卡(卡號)、保管晶片卡密碼、覆核查詢紀錄….等。",
    "4 足資辨別受指定辦理查詢人員之使用者帳號。",
    "7 YYYMMDD(民國)，填報查詢人員被授權查詢權限起日。",
    "8 YYYMMDD(民國)，填報查詢人員被授權查詢權限截止迄日。",
];

/// A JCIC query method (J0.2, J2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum QueryMethod {
    /// N: chip card (晶片卡).
    ChipCard,
    /// B: batch file transfer (加密檔案傳輸).
    BatchFile,
    /// Q: server connection (伺服器連線).
    ServerConnection,
    /// W: API.
    Api,
}

impl QueryMethod {
    /// The register's one-letter code.
    pub fn code(self) -> char {
        match self {
            Self::ChipCard => 'N',
            Self::BatchFile => 'B',
            Self::ServerConnection => 'Q',
            Self::Api => 'W',
        }
    }
}

/// A supervisor's electronic sign-off in a 主管簽章 column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisorSignOff {
    /// Supervisor's name.
    pub name: String,
    /// Time of the sign-off.
    pub signed_at: NaiveDateTime,
}

/// The register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jcic4Register {
    /// Document id and date.
    pub info: DocumentInfo,
    /// ROC year printed before 年度.
    pub roc_year: u16,
    /// (會員機構名稱).
    pub institution_name: String,
    /// One row per authorisation.
    pub rows: Vec<Jcic4Row>,
    /// Sign-offs of the register as a whole (單位主管 …).
    pub signatures: Vec<Signature>,
}

/// One authorisation, with every column of the seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jcic4Row {
    /// 中文姓名.
    pub name: String,
    /// 職稱.
    pub title: String,
    /// 授權查詢方式 (N / B / Q / W).
    pub methods: Vec<QueryMethod>,
    /// 授權辦理事項.
    pub duties: String,
    /// 使用者代碼.
    pub user_code: String,
    /// 授權起日.
    pub start: NaiveDate,
    /// 主管簽章 for the start.
    pub start_sign_off: Option<SupervisorSignOff>,
    /// 授權迄日 (open while the authorisation runs).
    pub end: Option<NaiveDate>,
    /// 主管簽章 for the end.
    pub end_sign_off: Option<SupervisorSignOff>,
    /// 備註 (device custodians are noted here).
    pub remarks: String,
    /// Requirement IDs the row evidences; carried, not printed.
    pub requirement_ids: Vec<String>,
}

/// Headings in the seed's order.
pub fn header() -> Vec<Vec<HeaderCell>> {
    vec![vec![
        HeaderCell::span("中文姓名", 1, 1),
        HeaderCell::span("職稱", 1, 1),
        HeaderCell::span("授權查詢方式", 1, 1).with_note(2),
        HeaderCell::span("授權辦理事項", 1, 1).with_note(3),
        HeaderCell::span("使用者代碼", 1, 1).with_note(4),
        HeaderCell::span("授權起日", 1, 1).with_note(7),
        HeaderCell::span("主管簽章", 1, 1),
        HeaderCell::span("授權迄日", 1, 1).with_note(8),
        HeaderCell::span("主管簽章", 1, 1),
        HeaderCell::span("備註", 1, 1),
    ]]
}

fn sign_off(s: Option<&SupervisorSignOff>) -> String {
    s.map(|s| format!("{}\n{}", s.name, roc::date_time(s.signed_at)))
        .unwrap_or_default()
}

impl Jcic4Register {
    /// The printed title with the year.
    pub fn title(&self) -> String {
        format!("{}{TITLE}", self.roc_year)
    }

    /// The format-neutral document.
    pub fn to_document(&self) -> Document {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let methods: String = r
                    .methods
                    .iter()
                    .map(|m| m.code().to_string())
                    .collect::<Vec<_>>()
                    .join("、");
                vec![
                    Cell::center(&r.name),
                    Cell::center(&r.title),
                    Cell::center(methods),
                    Cell::left(&r.duties),
                    Cell::center(&r.user_code),
                    Cell::center(roc::compact(r.start)),
                    Cell::center(sign_off(r.start_sign_off.as_ref())),
                    Cell::center(r.end.map(roc::compact).unwrap_or_default()),
                    Cell::center(sign_off(r.end_sign_off.as_ref())),
                    Cell::left(&r.remarks),
                ]
            })
            .collect();
        Document {
            meta: self.info.worksheet_meta(self.title()),
            blocks: vec![
                Block::Title(self.title()),
                Block::Fields(vec![Field::new("(會員機構名稱)", &self.institution_name)]),
                Block::Table(Table {
                    header: header(),
                    widths: vec![1.3, 1.2, 1.1, 2.6, 1.3, 1.1, 1.8, 1.1, 1.8, 2.0],
                    rows,
                    font_size: 8.5,
                }),
                Block::Notes(NOTES.iter().map(ToString::to_string).collect()),
                Block::Signatures(self.signatures.clone()),
            ],
        }
    }
}
