//! PDF through typst used as a library.
//!
//! [`render`] turns a [`Document`] into typst markup (every printed string passes through
//! [`typst_string`], so user data can never become markup), compiles it in a private
//! [`typst::World`] whose only files are the generated source and whose fonts are the
//! [`FontSet`], and exports it with typst-pdf using the document's own id and date.
//!
//! Invariants: no package, file or network access; `today()` is the document date; the same
//! document gives the same bytes.

use std::fmt::Write as _;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDateTime, Timelike};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::error::ReportError;
use crate::fonts::{self, FontSet};
use crate::model::{Align, Block, Document, Face, Orientation, Table};
use crate::qr;

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// Quotes `text` as a typst string literal. Inside a string literal nothing is markup, so `#`, `[`,
/// `]`, `*`, `$`, `@`, `<` and comments are printed as they are; backslashes, quotes and control
/// characters are escaped.
pub fn typst_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Content that prints `text` verbatim: `[#"…"]`.
fn content(text: &str) -> String {
    format!("[#{}]", typst_string(text))
}

fn datetime_literal(at: NaiveDateTime) -> String {
    format!(
        "datetime(year: {}, month: {}, day: {}, hour: {}, minute: {}, second: {})",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The typst source of a document. Public so tests can inspect it.
pub fn markup(doc: &Document) -> String {
    let meta = &doc.meta;
    let mut s = String::with_capacity(64 * 1024);
    let family = match meta.face {
        Face::Serif => fonts::SERIF,
        Face::Sans => fonts::SANS,
    };
    let _ = writeln!(
        s,
        "#set document(title: {}, author: \"Custos\", date: {})",
        typst_string(&meta.title),
        datetime_literal(meta.generated_at)
    );
    let _ = writeln!(
        s,
        "#set text(font: ({}, {}, {}), size: 10pt, lang: \"zh\", region: \"tw\")",
        typst_string(family),
        typst_string(fonts::EXT_B),
        typst_string(fonts::SANS)
    );
    s.push_str("#set par(justify: false, leading: 0.5em)\n");
    // Watermark: the institution code tiled over the page background (J1.9).
    let background = match &meta.watermark {
        Some(code) => format!(
            "block(width: 100%, height: 100%, {{ for y in range(6) {{ for x in range(3) {{ \
             place(top + left, dx: 3% + x * 32%, dy: 4% + y * 16%, rotate(-30deg, \
             text(size: 22pt, fill: luma(212), {}))) }} }} }})",
            typst_string(&format!("機構代號 {code}"))
        ),
        None => "none".to_string(),
    };
    let header = match &meta.printout {
        Some(p) => format!(
            "align(right, text(size: 8pt, {}))",
            typst_string(&format!("列印編號：{}", p.number))
        ),
        None => "none".to_string(),
    };
    let _ = writeln!(
        s,
        "#set page(paper: \"a4\", flipped: {}, margin: (left: 25mm, right: 15mm, top: 20mm, bottom: 18mm), \
         background: {background}, header: {header}, \
         footer: context align(center, text(size: 8pt)[第 #counter(page).display() 頁，共 #counter(page).final().first() 頁#h(2em)#{}]))",
        meta.orientation == Orientation::Landscape,
        typst_string(&format!("文件編號：{}", meta.document_id))
    );
    for block in &doc.blocks {
        write_block(&mut s, doc, block);
    }
    s
}

fn write_block(s: &mut String, doc: &Document, block: &Block) {
    match block {
        Block::Title(title) => {
            let _ = writeln!(
                s,
                "#align(center, text(size: 13pt, weight: \"bold\", {}))\n#v(0.4em)",
                typst_string(title)
            );
        }
        Block::Fields(fields) => {
            let cols = if doc.meta.orientation == Orientation::Landscape {
                4
            } else {
                2
            };
            let _ = write!(
                s,
                "#grid(columns: ({}), column-gutter: 1em, row-gutter: 0.5em",
                vec!["1fr"; cols].join(", ")
            );
            for f in fields {
                let _ = write!(
                    s,
                    ", [#{}：#{}]",
                    typst_string(&f.label),
                    typst_string(&f.value)
                );
            }
            s.push_str(")\n#v(0.4em)\n");
        }
        Block::Choices { label, options } => {
            let _ = write!(s, "#block[#{}：", typst_string(label));
            for o in options {
                let _ = write!(s, "#h(0.8em)#{}", typst_string(&o.printed()));
            }
            s.push_str("]\n");
        }
        Block::Table(table) => write_table(s, table),
        Block::Text(text) => {
            let _ = writeln!(s, "#block(width: 100%, {})", content(text));
        }
        Block::Notice(text) => {
            let _ = writeln!(
                s,
                "#block(width: 100%, stroke: 1pt, inset: 6pt, text(weight: \"bold\", {}))",
                typst_string(text)
            );
        }
        Block::Notes(notes) => {
            s.push_str("#block(width: 100%, text(size: 7.5pt)[");
            for (i, n) in notes.iter().enumerate() {
                if i > 0 {
                    s.push_str(" \\\n");
                }
                let _ = write!(s, "#{}", typst_string(n));
            }
            s.push_str("])\n");
        }
        Block::Signatures(sigs) => {
            let n = sigs.len().clamp(1, 4);
            let _ = write!(
                s,
                "#v(0.6em)\n#grid(columns: ({}), column-gutter: 0.8em, row-gutter: 0.8em",
                vec!["1fr"; n].join(", ")
            );
            for sig in sigs {
                let _ = write!(
                    s,
                    ", block(width: 100%, stroke: 0.5pt, inset: 6pt, breakable: false)[#{} \\ #{} \\ #{} \\ #{}]",
                    typst_string(&sig.role),
                    typst_string(&format!("姓名：{}", sig.name)),
                    typst_string(&format!("職稱：{}", sig.title)),
                    typst_string(&format!("電子簽核時間：{}", sig.signed_text())),
                );
            }
            s.push_str(")\n");
        }
        Block::Verification => {
            if let Some(mark) = &doc.meta.printout {
                let _ = writeln!(
                    s,
                    "#v(0.6em)\n#grid(columns: (auto, 1fr), column-gutter: 1em, align: horizon, {}, [#{} \\ #{}])",
                    qr::typst_qr(&mark.verify_url, 1.6),
                    typst_string(&format!("列印編號：{}", mark.number)),
                    typst_string(&format!("驗證網址：{}", mark.verify_url)),
                );
            }
        }
    }
}

fn write_table(s: &mut String, table: &Table) {
    let widths: Vec<String> = table.widths.iter().map(|w| format!("{w}fr")).collect();
    let _ = write!(
        s,
        "#block(width: 100%)[#set text(size: {}pt)\n#table(columns: ({},), stroke: 0.5pt, inset: 3pt, align: center + horizon,\n",
        table.font_size,
        widths.join(", ")
    );
    if !table.header.is_empty() {
        s.push_str("table.header(");
        for row in &table.header {
            for h in row {
                let body = match h.note {
                    Some(n) => format!("[#{}#super[{n}]]", typst_string(&h.text)),
                    None => content(&h.text),
                };
                let _ = write!(
                    s,
                    "table.cell(colspan: {}, rowspan: {}, fill: luma(235), {body}), ",
                    h.colspan.max(1),
                    h.rowspan.max(1)
                );
            }
        }
        s.push_str("),\n");
    }
    for row in &table.rows {
        for c in row {
            let align = match c.align {
                Align::Left => "left + horizon",
                Align::Center => "center + horizon",
            };
            let fill = if c.shaded { "luma(245)" } else { "none" };
            let _ = write!(
                s,
                "table.cell(colspan: {}, rowspan: {}, align: {align}, fill: {fill}, {}), ",
                c.colspan.max(1),
                c.rowspan.max(1),
                content(&c.text)
            );
        }
        s.push('\n');
    }
    s.push_str(")]\n");
}

/// The private typst world of one compilation.
struct FormWorld<'a> {
    fonts: &'a FontSet,
    main: Source,
    today: Datetime,
}

impl World for FormWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts().get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn typst_datetime(at: NaiveDateTime) -> Result<Datetime, ReportError> {
    let year = at.year();
    Datetime::from_ymd_hms(
        year,
        at.month() as u8,
        at.day() as u8,
        at.hour() as u8,
        at.minute() as u8,
        at.second() as u8,
    )
    .ok_or_else(|| ReportError::InvalidData(format!("document date {at}")))
}

/// Renders `doc` as PDF bytes after checking every character against `fonts`.
pub fn render(doc: &Document, fonts: &FontSet) -> Result<Vec<u8>, ReportError> {
    fonts.check_text(doc.texts())?;
    let source = markup(doc);
    compile_source(&source, doc, fonts)
}

fn compile_source(source: &str, doc: &Document, fonts: &FontSet) -> Result<Vec<u8>, ReportError> {
    let date = typst_datetime(doc.meta.generated_at)?;
    let world = FormWorld {
        fonts,
        main: Source::detached(source),
        today: date,
    };
    let warned = typst::compile::<PagedDocument>(&world);
    let document = warned.output.map_err(|errors| {
        ReportError::Typst(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(doc.meta.document_id.clone()),
        timestamp: Some(typst_pdf::Timestamp::new_utc(date)),
        ..typst_pdf::PdfOptions::default()
    };
    let bytes = typst_pdf::pdf(&document, &options).map_err(|errors| {
        ReportError::Typst(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    // typst memoises across compilations; keep a long-running server from growing without bound.
    typst::comemo::evict(10);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typst_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(typst_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(typst_string("x\ny\u{7}"), r#""x\ny\u{7}""#);
        assert_eq!(
            typst_string("#set page(width: 1pt)"),
            "\"#set page(width: 1pt)\""
        );
    }
}
