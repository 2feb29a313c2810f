//! The agency-data printout (公務機關資料表): the table a lookup produces, on screen, in a file or on
//! paper. It carries the institution-code watermark on every page (J1.9), the querier's
//! system-stamped identity (J1.7), a printout number with a QR code of its verification URL (the
//! printout register, J1.8) and, for tax data, the notice of J1.10.

use chrono::NaiveDateTime;

use crate::forms::DocumentInfo;
use crate::model::{
    Block, Cell, Document, DocumentMeta, Face, Field, HeaderCell, Orientation, PrintoutMark,
    Signature, Table,
};
use crate::roc;

/// The J1.10 notice, verbatim.
pub const TAX_DATA_NOTICE: &str =
    "財稅資料係為課稅目的蒐集，僅供金融徵信案件之參考；若有資料內容疑問時，應向資料主管機關洽詢";

/// A printout of agency data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyDataPrintout {
    /// Document id and date.
    pub info: DocumentInfo,
    /// 使用單位機構代號 — the watermark.
    pub institution_code: String,
    /// Institution name.
    pub institution_name: String,
    /// Printout number from the printout register.
    pub printout_number: String,
    /// URL that verifies this printout.
    pub verify_url: String,
    /// The source, e.g. 財政部財政資訊中心 — 個人所得資料.
    pub source: String,
    /// Whether the data is tax data (prints the J1.10 notice).
    pub contains_tax_data: bool,
    /// 案號.
    pub case_number: String,
    /// 查詢事由 (授信 / 信用卡申請 / 信用卡額度調整).
    pub purpose: String,
    /// Subject's ID.
    pub subject_id: String,
    /// Subject's name.
    pub subject_name: String,
    /// Querier's name (J1.7, stamped by the system).
    pub querier_name: String,
    /// Querier's user code.
    pub querier_user_code: String,
    /// When the lookup was made.
    pub queried_at: NaiveDateTime,
    /// Column headings of the returned data, in the source's order.
    pub columns: Vec<String>,
    /// Returned records.
    pub rows: Vec<Vec<String>>,
    /// Sign-offs (查詢人員, 覆核人員).
    pub signatures: Vec<Signature>,
}

impl AgencyDataPrintout {
    /// The format-neutral document.
    pub fn to_document(&self) -> Document {
        let title = format!("公務機關資料表（{}）", self.source);
        let ncols = self.columns.len().max(1);
        let mut blocks = vec![
            Block::Title(title.clone()),
            Block::Fields(vec![
                Field::new(
                    "使用單位",
                    format!(
                        "{}（機構代號 {}）",
                        self.institution_name, self.institution_code
                    ),
                ),
                Field::new("列印編號", &self.printout_number),
                Field::new("案號", &self.case_number),
                Field::new("查詢事由", &self.purpose),
                Field::new(
                    "當事人",
                    format!("{} {}", self.subject_name, self.subject_id),
                ),
                Field::new(
                    "查詢人員",
                    format!("{}（{}）", self.querier_name, self.querier_user_code),
                ),
                Field::new("查詢時間", roc::date_time(self.queried_at)),
            ]),
        ];
        if self.contains_tax_data {
            blocks.push(Block::Notice(TAX_DATA_NOTICE.to_string()));
        }
        blocks.push(Block::Table(Table {
            header: vec![
                self.columns
                    .iter()
                    .map(|c| HeaderCell::span(c, 1, 1))
                    .collect(),
            ],
            widths: vec![1.0; ncols],
            rows: self
                .rows
                .iter()
                .map(|r| r.iter().map(Cell::center).collect())
                .collect(),
            font_size: 9.0,
        }));
        blocks.push(Block::Text(
            "本表僅供內部業務參考使用，不得對外公開或移轉他人；不使用(含未承作案件)者應依規定銷毀並登記。".to_string(),
        ));
        blocks.push(Block::Signatures(self.signatures.clone()));
        blocks.push(Block::Verification);
        Document {
            meta: DocumentMeta {
                document_id: self.info.document_id.clone(),
                title,
                generated_at: self.info.generated_at,
                orientation: Orientation::Portrait,
                face: Face::Sans,
                watermark: Some(self.institution_code.clone()),
                printout: Some(PrintoutMark {
                    number: self.printout_number.clone(),
                    verify_url: self.verify_url.clone(),
                }),
            },
            blocks,
        }
    }
}
