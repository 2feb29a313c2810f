//! 聯徵1: the self-inspection checklist — six sections of audit items, each with its audit
//! references (查核參考資料 / 調閱文件 / 查核方法) and common deficiencies (會員易致之疏漏), an answer
//! column (查核結果) and a working-paper number column (工作底稿編號) that cross-references 聯徵2/3/4
//! (J0.1); the J0.1 header and the J0.2 query-method boxes on top.
//!
//! The item texts are template data (J0.5): [`seed_sections`] parses the seed's 114年6月 revision
//! shipped in `templates/jcic1-114-06.txt`; an institution may edit its own copy.

use crate::forms::jcic4::QueryMethod;
use crate::forms::{DocumentInfo, WorkingPaperHeader};
use crate::model::{Block, Cell, Choice, Document, HeaderCell, Signature, Table};

/// The seed's title after the year (revision 114年6月).
pub const TITLE: &str = "年度金融機構透過財團法人金融聯合徵信中心介接使用公務機關資料查核報告工作底稿(範本)- 114年6月修訂(編號:聯徵1)";

/// The seed's closing note.
pub const CLOSING_NOTE: &str =
    "本範本提供參考，各會員機構請依各自作業環境及內控制度訂定合宜之工作底稿。";

const TEMPLATE: &str = include_str!("../../templates/jcic1-114-06.txt");

/// The checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jcic1Checklist {
    /// Document id and date.
    pub info: DocumentInfo,
    /// J0.1 header.
    pub header: WorkingPaperHeader,
    /// The query methods the institution declares (J0.2, 可複選).
    pub methods: Vec<QueryMethod>,
    /// The six sections.
    pub sections: Vec<Jcic1Section>,
    /// Sign-offs.
    pub signatures: Vec<Signature>,
}

/// One section (e.g. `1、 公務機關資料蒐集與使用：`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Jcic1Section {
    /// Section heading as in the seed.
    pub title: String,
    /// Audit items.
    pub items: Vec<Jcic1Item>,
    /// 查核參考資料 / 調閱文件 / 查核方法.
    pub references: Vec<String>,
    /// 會員易致之疏漏.
    pub deficiencies: Vec<String>,
    /// The seed's prompt for a section-level result (§5: monthly totals, J5.7).
    pub result_prompt: Option<String>,
    /// The auditor's section-level result for the prompt.
    pub result: String,
}

/// One audit item with its answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Jcic1Item {
    /// Item text as in the seed (`1)查調公務機關資料前…`).
    pub text: String,
    /// Requirement IDs (J1.1 …).
    pub requirement_ids: Vec<String>,
    /// 查核結果 — the auditor's answer.
    pub answer: String,
    /// 工作底稿編號 — e.g. `聯徵2-11406`.
    pub working_paper_number: String,
}

/// Parses the shipped 114年6月 template into empty sections.
pub fn seed_sections() -> Vec<Jcic1Section> {
    parse_template(TEMPLATE)
}

/// Parses a template in the `templates/jcic1-*.txt` line format.
pub fn parse_template(text: &str) -> Vec<Jcic1Section> {
    enum Last {
        None,
        Item,
        Reference,
        Deficiency,
        Prompt,
    }
    let mut sections: Vec<Jcic1Section> = Vec::new();
    let mut last = Last::None;
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("# ") {
            if title.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                sections.push(Jcic1Section {
                    title: title.to_string(),
                    ..Jcic1Section::default()
                });
                last = Last::None;
            }
            continue;
        }
        let Some(section) = sections.last_mut() else {
            continue;
        };
        if let Some(rest) = line.strip_prefix("I ") {
            let (ids, text) = match rest.strip_prefix('[').and_then(|r| r.split_once("] ")) {
                Some((ids, text)) => (ids.split(',').map(str::to_string).collect(), text),
                None => (Vec::new(), rest),
            };
            section.items.push(Jcic1Item {
                text: text.to_string(),
                requirement_ids: ids,
                ..Jcic1Item::default()
            });
            last = Last::Item;
        } else if let Some(rest) = line.strip_prefix("R ") {
            section.references.push(rest.to_string());
            last = Last::Reference;
        } else if let Some(rest) = line.strip_prefix("D ") {
            section.deficiencies.push(rest.to_string());
            last = Last::Deficiency;
        } else if let Some(rest) = line.strip_prefix("P ") {
            section.result_prompt = Some(rest.to_string());
            last = Last::Prompt;
        } else if let Some(rest) = line.strip_prefix("+ ") {
            let target = match last {
                Last::Item => section.items.last_mut().map(|i| &mut i.text),
                Last::Reference => section.references.last_mut(),
                Last::Deficiency => section.deficiencies.last_mut(),
                Last::Prompt => section.result_prompt.as_mut(),
                Last::None => None,
            };
            if let Some(t) = target {
                t.push('\n');
                t.push_str(rest);
            }
        }
    }
    sections
}

/// Headings in the seed's order.
pub fn header() -> Vec<Vec<HeaderCell>> {
    vec![vec![
        HeaderCell::span("查核項目", 1, 1),
        HeaderCell::span("查核結果", 1, 1),
        HeaderCell::span("工作底稿編號", 1, 1),
        HeaderCell::span("查核參考資料\n調閱文件/查核方法", 1, 1),
        HeaderCell::span("會員易致之疏漏", 1, 1),
    ]]
}

impl Jcic1Checklist {
    /// The printed title with the year.
    pub fn title(&self) -> String {
        format!("{}{TITLE}", self.header.roc_year)
    }

    /// The format-neutral document.
    pub fn to_document(&self) -> Document {
        let mut rows = Vec::new();
        for section in &self.sections {
            rows.push(vec![Cell::left(&section.title).span(5).shade()]);
            let n = section.items.len() + usize::from(section.result_prompt.is_some());
            for (i, item) in section.items.iter().enumerate() {
                let mut row = vec![
                    Cell::left(&item.text),
                    Cell::left(&item.answer),
                    Cell::center(&item.working_paper_number),
                ];
                if i == 0 {
                    row.push(Cell::left(section.references.join("\n")).down(n as u16));
                    row.push(Cell::left(section.deficiencies.join("\n")).down(n as u16));
                }
                rows.push(row);
            }
            if let Some(prompt) = &section.result_prompt {
                let mut row = vec![
                    Cell::left(prompt),
                    Cell::left(&section.result),
                    Cell::center(""),
                ];
                if section.items.is_empty() {
                    row.push(Cell::left(section.references.join("\n")));
                    row.push(Cell::left(section.deficiencies.join("\n")));
                }
                rows.push(row);
            }
        }
        let has = |m| self.methods.contains(&m);
        Document {
            meta: self.info.worksheet_meta(self.title()),
            blocks: vec![
                Block::Title(self.title()),
                Block::Fields(self.header.fields("機構名稱")),
                Block::Choices {
                    label: "本單位查詢方式為：（可複選）".to_string(),
                    options: vec![
                        Choice::new("晶片卡", has(QueryMethod::ChipCard)),
                        Choice::new("伺服器連線(STS)", has(QueryMethod::ServerConnection)),
                        Choice::new("檔案傳輸(FTP)", has(QueryMethod::BatchFile)),
                        Choice::new("API", has(QueryMethod::Api)),
                    ],
                },
                Block::Table(Table {
                    header: header(),
                    widths: vec![5.0, 2.2, 1.3, 4.0, 3.0],
                    rows,
                    font_size: 8.0,
                }),
                Block::Notes(vec![CLOSING_NOTE.to_string()]),
                Block::Signatures(self.signatures.clone()),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_template_has_the_seeds_six_sections_and_items() {
        let sections = seed_sections();
        assert_eq!(sections.len(), 6);
        let counts: Vec<usize> = sections.iter().map(|s| s.items.len()).collect();
        assert_eq!(counts, [8, 3, 7, 13, 6, 3]);
        assert!(
            sections[0]
                .deficiencies
                .iter()
                .any(|d| d.contains("浮水印"))
        );
        assert!(
            sections[4]
                .result_prompt
                .as_deref()
                .unwrap()
                .contains("抽查比率")
        );
        assert_eq!(sections[0].items[0].requirement_ids, ["J1.1"]);
    }
}
