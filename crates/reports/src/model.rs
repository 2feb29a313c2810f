//! The format-neutral document every form becomes before rendering.
//!
//! A [`Document`] is a list of [`Block`]s (title, header fields, check-box lines, tables with
//! multi-level headings, notices, footnotes, signature blocks) plus [`DocumentMeta`] (fixed id and
//! date, orientation, watermark, printout mark). The PDF, xlsx and docx renderers read only this
//! type, so a form's column order is decided once, in its `to_document`.

use chrono::NaiveDateTime;

use crate::roc;

/// Page orientation. Worksheets with many columns (聯徵2, 聯徵3) are landscape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// A4 portrait.
    Portrait,
    /// A4 landscape.
    Landscape,
}

/// Typeface family of the body text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Ming (serif), the official-form look.
    Serif,
    /// Sans, for dense tables and printouts.
    Sans,
}

/// Identity and page set-up of a document. Dates and ids come from the data, never from the clock,
/// so that the same input renders to the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMeta {
    /// Stable document id, printed in the footer and used as the PDF identifier.
    pub document_id: String,
    /// Title (document metadata; the visible title is a [`Block::Title`]).
    pub title: String,
    /// The document date written into the file's metadata.
    pub generated_at: NaiveDateTime,
    /// Page orientation.
    pub orientation: Orientation,
    /// Body typeface.
    pub face: Face,
    /// Institution code repeated as a watermark on every page (J1.9), when the form asks for it.
    pub watermark: Option<String>,
    /// Printout number and verification URL (printed on every page; the URL also as a QR code).
    pub printout: Option<PrintoutMark>,
}

/// The printout number of a generated table and where to verify it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintoutMark {
    /// Printout number from the printout register.
    pub number: String,
    /// URL that verifies the printout; encoded in the QR code.
    pub verify_url: String,
}

/// One labelled value of a header block (`查核基準日：114年6月30日`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Label, without the colon.
    pub label: String,
    /// Value as printed.
    pub value: String,
}

impl Field {
    /// A field.
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value: value.into(),
        }
    }
}

/// One box of a check-box line (□ unchecked, ■ checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Printed label.
    pub label: String,
    /// Whether the box is ticked.
    pub checked: bool,
}

impl Choice {
    /// A check box.
    pub fn new(label: impl Into<String>, checked: bool) -> Self {
        Self {
            label: label.into(),
            checked,
        }
    }

    /// `■晶片卡` or `□晶片卡`.
    pub fn printed(&self) -> String {
        format!("{}{}", if self.checked { "■" } else { "□" }, self.label)
    }
}

/// A heading cell that may span columns and heading rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderCell {
    /// Heading text as in the seed.
    pub text: String,
    /// Footnote number the seed attaches to the heading, if any.
    pub note: Option<u8>,
    /// Columns spanned (≥ 1).
    pub colspan: u16,
    /// Heading rows spanned (≥ 1).
    pub rowspan: u16,
}

impl HeaderCell {
    /// A heading spanning `colspan` columns and `rowspan` rows.
    pub fn span(text: impl Into<String>, colspan: u16, rowspan: u16) -> Self {
        Self {
            text: text.into(),
            note: None,
            colspan,
            rowspan,
        }
    }

    /// Attaches the seed's footnote number.
    #[must_use]
    pub fn with_note(mut self, note: u8) -> Self {
        self.note = Some(note);
        self
    }

    /// The heading as plain text, with its footnote as `(註n)` for formats without superscripts.
    pub fn plain(&self) -> String {
        match self.note {
            Some(n) => format!("{}(註{n})", self.text),
            None => self.text.clone(),
        }
    }
}

/// Horizontal alignment of a body cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left (long text).
    Left,
    /// Centred (codes, dates, answers).
    Center,
}

/// A body cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Printed text; `\n` breaks lines.
    pub text: String,
    /// Columns spanned (≥ 1).
    pub colspan: u16,
    /// Rows spanned (≥ 1).
    pub rowspan: u16,
    /// Alignment.
    pub align: Align,
    /// Shaded (a label cell or a section row).
    pub shaded: bool,
}

impl Cell {
    /// A centred cell.
    pub fn center(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            colspan: 1,
            rowspan: 1,
            align: Align::Center,
            shaded: false,
        }
    }

    /// A left-aligned cell.
    pub fn left(text: impl Into<String>) -> Self {
        Self {
            align: Align::Left,
            ..Self::center(text)
        }
    }

    /// Spans `colspan` columns.
    #[must_use]
    pub fn span(mut self, colspan: u16) -> Self {
        self.colspan = colspan;
        self
    }

    /// Spans `rowspan` rows.
    #[must_use]
    pub fn down(mut self, rowspan: u16) -> Self {
        self.rowspan = rowspan;
        self
    }

    /// Shades the cell.
    #[must_use]
    pub fn shade(mut self) -> Self {
        self.shaded = true;
        self
    }
}

/// A table: heading rows (with spans), relative column widths, body rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Heading rows; repeated on every page.
    pub header: Vec<Vec<HeaderCell>>,
    /// Relative width of each leaf column; its length is the column count.
    pub widths: Vec<f32>,
    /// Body rows; each row's spans add up to the column count.
    pub rows: Vec<Vec<Cell>>,
    /// Font size in points.
    pub font_size: f32,
}

/// A signature block: who signed, in what role, and when the electronic sign-off happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Role on the form (查核人, 單位主管, 稽核人員 …).
    pub role: String,
    /// Signer's name.
    pub name: String,
    /// Signer's title.
    pub title: String,
    /// Time of the electronic sign-off; `None` prints as not yet signed.
    pub signed_at: Option<NaiveDateTime>,
}

impl Signature {
    /// `電子簽核時間` line: the ROC time, or `（尚未簽核）`.
    pub fn signed_text(&self) -> String {
        self.signed_at
            .map_or_else(|| "（尚未簽核）".to_string(), roc::date_time)
    }
}

/// A building block of a document, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The form title, centred.
    Title(String),
    /// Header fields, laid out in a grid.
    Fields(Vec<Field>),
    /// A line of check boxes after a label (J0.2 method box).
    Choices {
        /// Label before the boxes.
        label: String,
        /// The boxes.
        options: Vec<Choice>,
    },
    /// A table.
    Table(Table),
    /// A paragraph.
    Text(String),
    /// A framed notice (the tax-data notice, J1.10).
    Notice(String),
    /// Footnotes in small type.
    Notes(Vec<String>),
    /// Signature blocks side by side.
    Signatures(Vec<Signature>),
    /// The QR code of the printout mark with its number and URL.
    Verification,
}

/// A document ready for any renderer.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Identity and page set-up.
    pub meta: DocumentMeta,
    /// Content in reading order.
    pub blocks: Vec<Block>,
}

impl Document {
    /// Every string that will be printed, for the glyph-coverage check.
    pub fn texts(&self) -> Vec<&str> {
        let mut out: Vec<&str> = vec![&self.meta.document_id, &self.meta.title];
        if let Some(w) = &self.meta.watermark {
            out.push(w);
        }
        if let Some(p) = &self.meta.printout {
            out.push(&p.number);
            out.push(&p.verify_url);
        }
        for block in &self.blocks {
            match block {
                Block::Title(t) | Block::Text(t) | Block::Notice(t) => out.push(t),
                Block::Fields(fields) => {
                    for f in fields {
                        out.push(&f.label);
                        out.push(&f.value);
                    }
                }
                Block::Choices { label, options } => {
                    out.push(label);
                    out.extend(options.iter().map(|o| o.label.as_str()));
                }
                Block::Table(table) => {
                    out.extend(table.header.iter().flatten().map(|h| h.text.as_str()));
                    out.extend(table.rows.iter().flatten().map(|c| c.text.as_str()));
                }
                Block::Notes(notes) => out.extend(notes.iter().map(String::as_str)),
                Block::Signatures(sigs) => {
                    for s in sigs {
                        out.push(&s.role);
                        out.push(&s.name);
                        out.push(&s.title);
                    }
                }
                Block::Verification => {}
            }
        }
        out
    }
}

/// An answer in a yes/no column (是否…, 有否…, 有無…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Answer {
    /// 是 / 有.
    Yes,
    /// 否 / 無.
    No,
    /// 不適用.
    NotApplicable,
    /// Not yet answered: an empty cell.
    #[default]
    Blank,
}

impl Answer {
    /// From a boolean.
    pub fn from_bool(value: bool) -> Self {
        if value { Self::Yes } else { Self::No }
    }

    /// The printed answer.
    pub fn label(self) -> &'static str {
        match self {
            Self::Yes => "是",
            Self::No => "否",
            Self::NotApplicable => "不適用",
            Self::Blank => "",
        }
    }
}

/// Where a cell of a spanned table lands on the column grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The top-left corner of cell `index` of this row, spanning `colspan` × `rowspan`.
    Start {
        /// Index of the cell within its row's list.
        index: usize,
        /// Columns spanned.
        colspan: u16,
        /// Rows spanned.
        rowspan: u16,
    },
    /// The first column of a cell that started in a row above (a vertical-merge continuation).
    Below {
        /// Columns spanned by that cell.
        colspan: u16,
    },
    /// Covered by a cell to the left (horizontal span).
    Covered,
    /// Nothing placed here (the row was short).
    Empty,
}

/// Places rows of `(colspan, rowspan)` cells on a grid of `ncols` columns, left to right, skipping
/// slots taken by cells from rows above — the rule HTML, typst and Word all follow.
pub fn place(spans: &[Vec<(u16, u16)>], ncols: usize) -> Vec<Vec<Slot>> {
    let nrows = spans.len();
    let mut grid = vec![vec![Slot::Empty; ncols]; nrows];
    let mut taken = vec![vec![false; ncols]; nrows];
    for (r, cells) in spans.iter().enumerate() {
        let mut c = 0usize;
        for (index, &(cs, rs)) in cells.iter().enumerate() {
            while c < ncols && taken[r][c] {
                c += 1;
            }
            if c >= ncols {
                break;
            }
            let cs = cs.max(1).min((ncols - c) as u16);
            let rs = rs.max(1).min((nrows - r) as u16);
            for (dr, row) in taken.iter_mut().enumerate().skip(r).take(usize::from(rs)) {
                for (dc, t) in row.iter_mut().enumerate().skip(c).take(usize::from(cs)) {
                    *t = true;
                    grid[dr][dc] = if dr == r && dc == c {
                        Slot::Start {
                            index,
                            colspan: cs,
                            rowspan: rs,
                        }
                    } else if dc == c {
                        Slot::Below { colspan: cs }
                    } else {
                        Slot::Covered
                    };
                }
            }
            c += usize::from(cs);
        }
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_placed_around_cells_from_rows_above() {
        // | A (2 rows) | B (2 cols) |
        // |            | C   | D    |
        let grid = place(&[vec![(1, 2), (2, 1)], vec![(1, 1), (1, 1)]], 3);
        assert_eq!(
            grid[0][0],
            Slot::Start {
                index: 0,
                colspan: 1,
                rowspan: 2
            }
        );
        assert_eq!(grid[0][2], Slot::Covered);
        assert_eq!(grid[1][0], Slot::Below { colspan: 1 });
        assert_eq!(
            grid[1][1],
            Slot::Start {
                index: 0,
                colspan: 1,
                rowspan: 1
            }
        );
        assert_eq!(
            grid[1][2],
            Slot::Start {
                index: 1,
                colspan: 1,
                rowspan: 1
            }
        );
    }
}
