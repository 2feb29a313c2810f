//! Spreadsheets (xlsx) through rust_xlsxwriter, for the worksheets auditors keep filling in: 聯徵2,
//! 聯徵3 and 聯徵4.
//!
//! One sheet per document: the title, header fields, the table with its multi-level headings merged
//! as in the seed (repeated on every printed page), footnotes and signature lines. A4, margins for
//! binding on the left, page numbers in the footer, the watermark code in the page header when the
//! form asks for one. Dates are ROC text, as on the paper form.
//!
//! Invariant: the file's creation date is the document date, so the same document gives the same
//! bytes.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

use crate::error::ReportError;
use crate::fonts::FontSet;
use crate::model::{Align, Block, Document, Face, Orientation, Slot, Table, place};

#[allow(clippy::needless_pass_by_value, reason = "used as a map_err function")]
fn xerr(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Xlsx(e.to_string())
}

struct Formats {
    title: Format,
    plain: Format,
    wrap: Format,
    head: Format,
    cell_center: Format,
    cell_left: Format,
    shaded: Format,
    notes: Format,
    notice: Format,
}

fn formats(font: &str) -> Formats {
    let base = Format::new().set_font_name(font).set_font_size(10);
    let cell = base
        .clone()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    Formats {
        title: base
            .clone()
            .set_font_size(14)
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap(),
        plain: base.clone(),
        wrap: base.clone().set_text_wrap().set_align(FormatAlign::Top),
        head: cell
            .clone()
            .set_align(FormatAlign::Center)
            .set_background_color(Color::RGB(0x00EB_EBEB)),
        cell_center: cell.clone().set_align(FormatAlign::Center),
        cell_left: cell.clone().set_align(FormatAlign::Left),
        shaded: cell
            .clone()
            .set_align(FormatAlign::Left)
            .set_background_color(Color::RGB(0x00F5_F5F5)),
        notes: base
            .clone()
            .set_font_size(8)
            .set_text_wrap()
            .set_align(FormatAlign::Top),
        notice: base
            .clone()
            .set_bold()
            .set_border(FormatBorder::Medium)
            .set_text_wrap(),
    }
}

/// Writes `text` over columns `first..=last` of `row` (merged when it spans).
fn put(
    ws: &mut Worksheet,
    row: u32,
    first: u16,
    last: u16,
    text: &str,
    format: &Format,
) -> Result<(), ReportError> {
    if last > first {
        ws.merge_range(row, first, row, last, text, format)
            .map_err(xerr)?;
    } else {
        ws.write_string_with_format(row, first, text, format)
            .map_err(xerr)?;
    }
    Ok(())
}

/// Points needed to show `text` wrapped in a cell `width_chars` wide (Excel width units; a CJK
/// character takes about two).
fn text_height(text: &str, width_chars: f64) -> f64 {
    let usable = (width_chars - 0.5).max(1.0);
    let lines: f64 = text
        .split('\n')
        .map(|line| {
            let w: f64 = line
                .chars()
                .map(|c| if c.is_ascii() { 1.1 } else { 2.0 })
                .sum();
            (w / usable).ceil().max(1.0)
        })
        .sum();
    lines * 13.0 + 4.0
}

fn estimated_height(text: &str, columns_chars: f64) -> f64 {
    let chars = text.chars().count() as f64;
    let lines =
        (chars / columns_chars.max(8.0)).ceil().max(1.0) + text.matches('\n').count() as f64;
    (lines * 14.0).max(15.0)
}

fn excel_datetime(at: chrono::NaiveDateTime) -> Result<ExcelDateTime, ReportError> {
    use chrono::{Datelike, Timelike};
    let year = u16::try_from(at.year())
        .map_err(|_| ReportError::InvalidData(format!("document date {at}")))?;
    ExcelDateTime::from_ymd(year, at.month() as u8, at.day() as u8)
        .and_then(|d| d.and_hms(at.hour() as u16, at.minute() as u8, f64::from(at.second())))
        .map_err(xerr)
}

/// Renders `doc` as xlsx bytes after checking every character against `fonts`.
pub fn render(doc: &Document, fonts: &FontSet) -> Result<Vec<u8>, ReportError> {
    fonts.check_text(doc.texts())?;
    let meta = &doc.meta;
    let mut wb = Workbook::new();
    let props = DocProperties::new()
        .set_title(&meta.title)
        .set_author("Custos")
        .set_comment(&meta.document_id)
        .set_creation_datetime(&excel_datetime(meta.generated_at)?);
    wb.set_properties(&props);
    let font = match meta.face {
        Face::Serif => "新細明體",
        Face::Sans => "微軟正黑體",
    };
    let f = formats(font);
    let ws = wb.add_worksheet();
    ws.set_name("工作底稿").map_err(xerr)?;
    ws.set_paper_size(9);
    if meta.orientation == Orientation::Landscape {
        ws.set_landscape();
    }
    // Inches: a wide left margin for binding.
    ws.set_margins(1.0, 0.5, 0.75, 0.75, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_footer(format!(
        "&C第 &P 頁，共 &N 頁　文件編號：{}",
        meta.document_id.replace('&', "&&")
    ));
    if let Some(code) = &meta.watermark {
        ws.set_header(format!("&R機構代號 {}", code.replace('&', "&&")));
    }

    let total_width: f64 = if meta.orientation == Orientation::Landscape {
        190.0
    } else {
        125.0
    };
    let ncols: u16 = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t.widths.len() as u16),
            _ => None,
        })
        .max()
        .unwrap_or(8)
        .max(4);
    let last = ncols - 1;
    let mut row: u32 = 0;
    let mut column_widths_set = false;
    for block in &doc.blocks {
        match block {
            Block::Title(t) => {
                put(ws, row, 0, last, t, &f.title)?;
                ws.set_row_height(row, estimated_height(t, total_width / 1.6) + 6.0)
                    .map_err(xerr)?;
                row += 1;
            }
            Block::Fields(fields) => {
                let per_row: u16 = if ncols >= 8 { 4 } else { 2 };
                let span = (ncols / per_row).max(1);
                for chunk in fields.chunks(per_row as usize) {
                    for (i, field) in chunk.iter().enumerate() {
                        let first = i as u16 * span;
                        let end = if i as u16 == per_row - 1 {
                            last
                        } else {
                            first + span - 1
                        };
                        put(
                            ws,
                            row,
                            first,
                            end,
                            &format!("{}：{}", field.label, field.value),
                            &f.plain,
                        )?;
                    }
                    row += 1;
                }
            }
            Block::Choices { label, options } => {
                let text = format!(
                    "{label}：{}",
                    options
                        .iter()
                        .map(crate::model::Choice::printed)
                        .collect::<Vec<_>>()
                        .join("　")
                );
                put(ws, row, 0, last, &text, &f.plain)?;
                row += 1;
            }
            Block::Table(table) => {
                if !column_widths_set {
                    let sum: f32 = table.widths.iter().sum();
                    for (i, w) in table.widths.iter().enumerate() {
                        ws.set_column_width(i as u16, f64::from(*w / sum) * total_width)
                            .map_err(xerr)?;
                    }
                    column_widths_set = true;
                }
                row = write_table(ws, row, table, &f, total_width)?;
            }
            Block::Text(t) => {
                put(ws, row, 0, last, t, &f.wrap)?;
                ws.set_row_height(row, estimated_height(t, total_width / 1.8))
                    .map_err(xerr)?;
                row += 1;
            }
            Block::Notice(t) => {
                put(ws, row, 0, last, t, &f.notice)?;
                ws.set_row_height(row, estimated_height(t, total_width / 1.8))
                    .map_err(xerr)?;
                row += 1;
            }
            Block::Notes(notes) => {
                for n in notes {
                    put(ws, row, 0, last, n, &f.notes)?;
                    ws.set_row_height(row, estimated_height(n, total_width / 1.3) * 0.85)
                        .map_err(xerr)?;
                    row += 1;
                }
            }
            Block::Signatures(sigs) => {
                row += 1;
                for sig in sigs {
                    let text = format!(
                        "{}　姓名：{}　職稱：{}　電子簽核時間：{}",
                        sig.role,
                        sig.name,
                        sig.title,
                        sig.signed_text()
                    );
                    put(ws, row, 0, last, &text, &f.plain)?;
                    row += 1;
                }
            }
            Block::Verification => {
                if let Some(mark) = &meta.printout {
                    let text = format!("列印編號：{}　驗證網址：{}", mark.number, mark.verify_url);
                    put(ws, row, 0, last, &text, &f.plain)?;
                    row += 1;
                }
            }
        }
    }
    wb.save_to_buffer().map_err(xerr)
}

/// Writes the headings and the body, merging spans and sizing rows to their wrapped text; returns
/// the next free row.
fn write_table(
    ws: &mut Worksheet,
    start: u32,
    table: &Table,
    f: &Formats,
    total_width: f64,
) -> Result<u32, ReportError> {
    let ncols = table.widths.len();
    let sum: f32 = table.widths.iter().sum();
    let col_chars: Vec<f64> = table
        .widths
        .iter()
        .map(|w| f64::from(*w / sum) * total_width)
        .collect();
    let span_chars =
        |c: usize, cs: u16| -> f64 { col_chars[c..(c + usize::from(cs)).min(ncols)].iter().sum() };
    let grow = |heights: &mut [f64], r: usize, rowspan: u16, needed: f64| {
        let rs = usize::from(rowspan.max(1));
        for h in heights.iter_mut().skip(r).take(rs) {
            *h = h.max(needed / rs as f64);
        }
    };
    let head_spans: Vec<Vec<(u16, u16)>> = table
        .header
        .iter()
        .map(|r| r.iter().map(|h| (h.colspan, h.rowspan)).collect())
        .collect();
    let nrows = table.header.len();
    let mut head_heights = vec![15.0_f64; nrows];
    for (r, slots) in place(&head_spans, ncols).iter().enumerate() {
        for (c, slot) in slots.iter().enumerate() {
            if let Slot::Start {
                index,
                colspan,
                rowspan,
            } = *slot
            {
                let text = table.header[r][index].plain();
                grow(
                    &mut head_heights,
                    r,
                    rowspan,
                    text_height(&text, span_chars(c, colspan)),
                );
                let at = (start + r as u32, c as u16);
                merge(ws, at, (rowspan, colspan), &text, &f.head)?;
            }
        }
    }
    for (r, h) in head_heights.iter().enumerate() {
        ws.set_row_height(start + r as u32, *h).map_err(xerr)?;
    }
    if nrows > 0 {
        ws.set_repeat_rows(start, start + nrows as u32 - 1)
            .map_err(xerr)?;
    }
    let body_start = start + nrows as u32;
    let body_spans: Vec<Vec<(u16, u16)>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(|c| (c.colspan, c.rowspan)).collect())
        .collect();
    let mut body_heights = vec![15.0_f64; table.rows.len()];
    for (r, slots) in place(&body_spans, ncols).iter().enumerate() {
        for (c, slot) in slots.iter().enumerate() {
            if let Slot::Start {
                index,
                colspan,
                rowspan,
            } = *slot
            {
                let cell = &table.rows[r][index];
                let format = if cell.shaded {
                    &f.shaded
                } else if cell.align == Align::Left {
                    &f.cell_left
                } else {
                    &f.cell_center
                };
                grow(
                    &mut body_heights,
                    r,
                    rowspan,
                    text_height(&cell.text, span_chars(c, colspan)),
                );
                let at = (body_start + r as u32, c as u16);
                merge(ws, at, (rowspan, colspan), &cell.text, format)?;
            }
        }
    }
    for (r, h) in body_heights.iter().enumerate() {
        ws.set_row_height(body_start + r as u32, *h).map_err(xerr)?;
    }
    Ok(body_start + table.rows.len() as u32)
}

fn merge(
    ws: &mut Worksheet,
    (row, col): (u32, u16),
    (rowspan, colspan): (u16, u16),
    text: &str,
    format: &Format,
) -> Result<(), ReportError> {
    let last_row = row + u32::from(rowspan.max(1)) - 1;
    let last_col = col + colspan.max(1) - 1;
    if last_row > row || last_col > col {
        ws.merge_range(row, col, last_row, last_col, text, format)
            .map_err(xerr)?;
    } else {
        ws.write_string_with_format(row, col, text, format)
            .map_err(xerr)?;
    }
    Ok(())
}
