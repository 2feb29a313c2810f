//! The official forms, each a typed data structure that later issues fill with real data, and its
//! layouts. Every form keeps the seed's wording and column order; its title carries the seed's
//! revision.
//!
//! | name (CLI) | form | formats |
//! |---|---|---|
//! | `jcic1` | 聯徵1 查核報告工作底稿 (checklist) | docx, PDF |
//! | `jcic2` | 聯徵2 抽核工作底稿 (sampling worksheet) | xlsx, PDF |
//! | `jcic3` | 聯徵3 晶片卡查詢設備使用情形 (chip-card worksheet) | xlsx, PDF |
//! | `jcic4` | 聯徵4 查詢作業相關人員授權登記簿 (authorisation register) | xlsx, PDF |
//! | `agency-data` | 公務機關資料表 (agency-data printout, J1.7–J1.10) | PDF |
//! | `taipei-audit` | 附件二 稽核紀錄表 | PDF |
//! | `vendor-audit` | 附件三 委外廠商資訊安全稽核紀錄表 | PDF |
//! | `account-change` | 附件五 帳號異動申請單 | PDF |
//! | `contact` | 附件一 與戶政機關聯繫單 | PDF |

use chrono::{NaiveDate, NaiveDateTime};

use crate::error::ReportError;
use crate::fonts::FontSet;
use crate::model::{Document, DocumentMeta, Face, Field, Orientation};
use crate::{docx, pdf, roc, sample, xlsx};

pub mod agency_data;
pub mod jcic1;
pub mod jcic2;
pub mod jcic3;
pub mod jcic4;
pub mod taipei;

/// Identity of a generated document: a stable id and the document date (both from the data, never
/// from the clock, so output is reproducible).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInfo {
    /// Stable document id (printed in the footer; the PDF identifier).
    pub document_id: String,
    /// Document date written into the file metadata.
    pub generated_at: NaiveDateTime,
    /// Institution code to print as a watermark on every page, for a form that asks for one
    /// (J1.9). The agency-data printout always carries its institution code.
    pub watermark: Option<String>,
}

impl DocumentInfo {
    /// The metadata of a 聯徵 working paper: landscape, serif face, no printout mark.
    pub(crate) fn worksheet_meta(&self, title: String) -> DocumentMeta {
        DocumentMeta {
            document_id: self.document_id.clone(),
            title,
            generated_at: self.generated_at,
            orientation: Orientation::Landscape,
            face: Face::Serif,
            watermark: self.watermark.clone(),
            printout: None,
        }
    }
}

/// The J0.1 header block of 聯徵1/2/3: year, institution, audit base date, scope, period, auditor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingPaperHeader {
    /// ROC year of the audit (printed before 年度 in the title).
    pub roc_year: u16,
    /// Institution name ((機構名稱) / (會員機構名稱)).
    pub institution_name: String,
    /// 查核基準日.
    pub base_date: NaiveDate,
    /// 查核範圍.
    pub scope: String,
    /// First day of 查核期間.
    pub period_start: NaiveDate,
    /// Last day of 查核期間.
    pub period_end: NaiveDate,
    /// 查核人.
    pub auditor: String,
}

impl WorkingPaperHeader {
    /// The header fields in the seed's order; `institution_label` is `機構名稱` or `會員機構名稱`.
    pub fn fields(&self, institution_label: &str) -> Vec<Field> {
        vec![
            Field::new(format!("({institution_label})"), &self.institution_name),
            Field::new("查核基準日", roc::long(self.base_date)),
            Field::new("查核範圍", &self.scope),
            Field::new(
                "查核期間",
                format!(
                    "{}至{}",
                    roc::long(self.period_start),
                    roc::long(self.period_end)
                ),
            ),
            Field::new("查核人", &self.auditor),
        ]
    }
}

/// One output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// File name, e.g. `jcic2.pdf`.
    pub file_name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// PDF (typst).
    Pdf,
    /// Excel workbook.
    Xlsx,
    /// Word document.
    Docx,
}

impl Format {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Xlsx => "xlsx",
            Self::Docx => "docx",
        }
    }
}

/// Renders `doc` in `format`.
pub fn render(doc: &Document, format: Format, fonts: &FontSet) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Pdf => pdf::render(doc, fonts),
        Format::Xlsx => xlsx::render(doc, fonts),
        Format::Docx => docx::render(doc, fonts),
    }
}

/// Every official form Custos lays out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// 聯徵1 checklist.
    Jcic1,
    /// 聯徵2 sampling worksheet.
    Jcic2,
    /// 聯徵3 chip-card worksheet.
    Jcic3,
    /// 聯徵4 authorisation register.
    Jcic4,
    /// Agency-data printout (公務機關資料表).
    AgencyData,
    /// Taipei 稽核紀錄表 (附件二).
    TaipeiAudit,
    /// 委外廠商資訊安全稽核紀錄表 (附件三).
    VendorAudit,
    /// 帳號異動申請單 (附件五).
    AccountChange,
    /// 與戶政機關聯繫單 (附件一).
    Contact,
}

impl FormKind {
    /// All forms, in the order the preview writes them.
    pub const ALL: [Self; 9] = [
        Self::Jcic1,
        Self::Jcic2,
        Self::Jcic3,
        Self::Jcic4,
        Self::AgencyData,
        Self::TaipeiAudit,
        Self::VendorAudit,
        Self::AccountChange,
        Self::Contact,
    ];

    /// The CLI name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Jcic1 => "jcic1",
            Self::Jcic2 => "jcic2",
            Self::Jcic3 => "jcic3",
            Self::Jcic4 => "jcic4",
            Self::AgencyData => "agency-data",
            Self::TaipeiAudit => "taipei-audit",
            Self::VendorAudit => "vendor-audit",
            Self::AccountChange => "account-change",
            Self::Contact => "contact",
        }
    }

    /// The form's Chinese name.
    pub fn title_zh(self) -> &'static str {
        match self {
            Self::Jcic1 => "聯徵1 查核報告工作底稿",
            Self::Jcic2 => "聯徵2 查詢紀錄抽核工作底稿",
            Self::Jcic3 => "聯徵3 晶片卡查詢設備使用情形工作底稿",
            Self::Jcic4 => "聯徵4 查詢作業相關人員授權登記簿",
            Self::AgencyData => "公務機關資料表",
            Self::TaipeiAudit => "附件二 稽核紀錄表",
            Self::VendorAudit => "附件三 委外廠商資訊安全稽核紀錄表",
            Self::AccountChange => "附件五 帳號異動申請單",
            Self::Contact => "附件一 與戶政機關聯繫單",
        }
    }

    /// Parses a CLI name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The formats the form is delivered in.
    pub fn formats(self) -> &'static [Format] {
        match self {
            Self::Jcic1 => &[Format::Docx, Format::Pdf],
            Self::Jcic2 | Self::Jcic3 | Self::Jcic4 => &[Format::Xlsx, Format::Pdf],
            _ => &[Format::Pdf],
        }
    }

    /// The built-in sample document of this form.
    pub fn sample_document(self) -> Document {
        match self {
            Self::Jcic1 => sample::jcic1().to_document(),
            Self::Jcic2 => sample::jcic2(12).to_document(),
            Self::Jcic3 => sample::jcic3().to_document(),
            Self::Jcic4 => sample::jcic4().to_document(),
            Self::AgencyData => sample::agency_data().to_document(),
            Self::TaipeiAudit => sample::taipei_audit().to_document(),
            Self::VendorAudit => sample::vendor_audit().to_document(),
            Self::AccountChange => sample::account_change().to_document(),
            Self::Contact => sample::contact().to_document(),
        }
    }

    /// Renders the sample document in every format of the form.
    pub fn render_sample(self, fonts: &FontSet) -> Result<Vec<RenderedFile>, ReportError> {
        let doc = self.sample_document();
        self.formats()
            .iter()
            .map(|&format| {
                Ok(RenderedFile {
                    file_name: format!("{}.{}", self.name(), format.extension()),
                    bytes: render(&doc, format, fonts)?,
                })
            })
            .collect()
    }
}
