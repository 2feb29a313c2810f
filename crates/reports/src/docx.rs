//! Word documents (docx) written as a minimal WordprocessingML package, for 聯徵1, which
//! institutions edit in Word.
//!
//! The package holds the document, styles (a Ming face for East Asian text), one footer with page
//! numbers, and core properties dated with the document date. Tables keep the seed's multi-level
//! headings (`gridSpan`, `vMerge`) and repeat them on every page.
//!
//! Invariants: zip entries carry a fixed timestamp and are written in a fixed order, so the same
//! document gives the same bytes; every string is XML-escaped and characters XML forbids are
//! dropped.

use std::fmt::Write as _;
use std::io::{Cursor, Write};

use chrono::NaiveDateTime;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::error::ReportError;
use crate::fonts::FontSet;
use crate::model::{Align, Block, Document, Face, Orientation, Slot, Table, place};

/// Escapes `text` for XML character data and attributes; drops characters XML 1.0 forbids.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Runs for `text`: one `<w:t>` per line, `<w:br/>` between lines.
fn runs(text: &str, size_half_points: u32, bold: bool) -> String {
    let mut s = String::new();
    let rpr = format!(
        "<w:rPr>{}<w:sz w:val=\"{size_half_points}\"/><w:szCs w:val=\"{size_half_points}\"/></w:rPr>",
        if bold { "<w:b/>" } else { "" }
    );
    for (i, line) in text.split('\n').enumerate() {
        s.push_str("<w:r>");
        s.push_str(&rpr);
        if i > 0 {
            s.push_str("<w:br/>");
        }
        let _ = write!(
            s,
            "<w:t xml:space=\"preserve\">{}</w:t></w:r>",
            xml_escape(line)
        );
    }
    s
}

fn paragraph(text: &str, align: &str, size: u32, bold: bool) -> String {
    format!(
        "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"60\"/><w:jc w:val=\"{align}\"/></w:pPr>{}</w:p>",
        runs(text, size, bold)
    )
}

fn cell_xml(
    width: u32,
    text: &str,
    extra: &str,
    align: &str,
    size: u32,
    fill: Option<&str>,
) -> String {
    let shade = fill.map_or(String::new(), |f| {
        format!("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{f}\"/>")
    });
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{extra}{shade}<w:vAlign w:val=\"center\"/></w:tcPr>{}</w:tc>",
        paragraph(text, align, size, false)
    )
}

fn table_xml(table: &Table, text_width: u32) -> String {
    let ncols = table.widths.len();
    let sum: f32 = table.widths.iter().sum();
    let widths: Vec<u32> = table
        .widths
        .iter()
        .map(|w| (w / sum * text_width as f32) as u32)
        .collect();
    let size = (table.font_size * 2.0) as u32;
    let mut s = String::from(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblLayout w:type=\"fixed\"/><w:tblBorders>\
         <w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/><w:bottom w:val=\"single\" w:sz=\"4\"/>\
         <w:right w:val=\"single\" w:sz=\"4\"/><w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>\
         </w:tblBorders><w:tblCellMar><w:left w:w=\"60\" w:type=\"dxa\"/><w:right w:w=\"60\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>",
    );
    for w in &widths {
        let _ = write!(s, "<w:gridCol w:w=\"{w}\"/>");
    }
    s.push_str("</w:tblGrid>");
    let head_spans: Vec<Vec<(u16, u16)>> = table
        .header
        .iter()
        .map(|r| r.iter().map(|h| (h.colspan, h.rowspan)).collect())
        .collect();
    let head_texts: Vec<Vec<(String, bool, bool)>> = table
        .header
        .iter()
        .map(|r| r.iter().map(|h| (h.plain(), true, true)).collect())
        .collect();
    rows_xml(
        &mut s,
        &place(&head_spans, ncols),
        &head_texts,
        &widths,
        size,
        true,
    );
    let body_spans: Vec<Vec<(u16, u16)>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(|c| (c.colspan, c.rowspan)).collect())
        .collect();
    let body_texts: Vec<Vec<(String, bool, bool)>> = table
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| (c.text.clone(), c.align == Align::Center, c.shaded))
                .collect()
        })
        .collect();
    rows_xml(
        &mut s,
        &place(&body_spans, ncols),
        &body_texts,
        &widths,
        size,
        false,
    );
    s.push_str("</w:tbl>");
    s
}

/// Writes rows placed on the grid; `texts[r][i]` = (text, centred, shaded).
fn rows_xml(
    s: &mut String,
    grid: &[Vec<Slot>],
    texts: &[Vec<(String, bool, bool)>],
    widths: &[u32],
    size: u32,
    header: bool,
) {
    let ncols = widths.len();
    for (r, row) in grid.iter().enumerate() {
        s.push_str(if header {
            "<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"
        } else {
            "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        });
        let mut c = 0usize;
        while c < ncols {
            let span_width =
                |cs: u16| -> u32 { widths[c..(c + usize::from(cs)).min(ncols)].iter().sum() };
            let fill = |shaded: bool| {
                if header {
                    Some("EBEBEB")
                } else {
                    shaded.then_some("F5F5F5")
                }
            };
            match row[c] {
                Slot::Start {
                    index,
                    colspan,
                    rowspan,
                } => {
                    let (text, centred, shaded) = &texts[r][index];
                    let mut extra = String::new();
                    if colspan > 1 {
                        let _ = write!(extra, "<w:gridSpan w:val=\"{colspan}\"/>");
                    }
                    if rowspan > 1 {
                        extra.push_str("<w:vMerge w:val=\"restart\"/>");
                    }
                    let align = if *centred { "center" } else { "left" };
                    s.push_str(&cell_xml(
                        span_width(colspan),
                        text,
                        &extra,
                        align,
                        size,
                        fill(*shaded),
                    ));
                    c += usize::from(colspan);
                }
                Slot::Below { colspan } => {
                    let mut extra = String::new();
                    if colspan > 1 {
                        let _ = write!(extra, "<w:gridSpan w:val=\"{colspan}\"/>");
                    }
                    extra.push_str("<w:vMerge/>");
                    s.push_str(&cell_xml(
                        span_width(colspan),
                        "",
                        &extra,
                        "center",
                        size,
                        fill(false),
                    ));
                    c += usize::from(colspan);
                }
                Slot::Covered | Slot::Empty => {
                    // A hole in the grid: an empty cell keeps the row well-formed.
                    s.push_str(&cell_xml(widths[c], "", "", "center", size, fill(false)));
                    c += 1;
                }
            }
        }
        s.push_str("</w:tr>");
    }
}

fn body(doc: &Document) -> String {
    let landscape = doc.meta.orientation == Orientation::Landscape;
    let text_width: u32 = if landscape {
        16838 - 1417 - 850
    } else {
        11906 - 1417 - 850
    };
    let mut s = String::new();
    for block in &doc.blocks {
        match block {
            Block::Title(t) => s.push_str(&paragraph(t, "center", 28, true)),
            Block::Fields(fields) => {
                for chunk in fields.chunks(4) {
                    let line = chunk
                        .iter()
                        .map(|f| format!("{}：{}", f.label, f.value))
                        .collect::<Vec<_>>()
                        .join("　　");
                    s.push_str(&paragraph(&line, "left", 20, false));
                }
            }
            Block::Choices { label, options } => {
                let line = format!(
                    "{label}：{}",
                    options
                        .iter()
                        .map(crate::model::Choice::printed)
                        .collect::<Vec<_>>()
                        .join("　")
                );
                s.push_str(&paragraph(&line, "left", 20, false));
            }
            Block::Table(t) => {
                s.push_str(&table_xml(t, text_width));
                s.push_str(&paragraph("", "left", 8, false));
            }
            Block::Text(t) => s.push_str(&paragraph(t, "left", 20, false)),
            Block::Notice(t) => s.push_str(&paragraph(t, "left", 20, true)),
            Block::Notes(notes) => {
                for n in notes {
                    s.push_str(&paragraph(n, "left", 15, false));
                }
            }
            Block::Signatures(sigs) => {
                for sig in sigs {
                    let line = format!(
                        "{}　姓名：{}　職稱：{}　電子簽核時間：{}",
                        sig.role,
                        sig.name,
                        sig.title,
                        sig.signed_text()
                    );
                    s.push_str(&paragraph(&line, "left", 20, false));
                }
            }
            Block::Verification => {
                if let Some(mark) = &doc.meta.printout {
                    let line = format!("列印編號：{}　驗證網址：{}", mark.number, mark.verify_url);
                    s.push_str(&paragraph(&line, "left", 20, false));
                }
            }
        }
    }
    let (w, h, orient) = if landscape {
        (16838, 11906, " w:orient=\"landscape\"")
    } else {
        (11906, 16838, "")
    };
    let _ = write!(
        s,
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter1\"/><w:pgSz w:w=\"{w}\" w:h=\"{h}\"{orient}/>\
         <w:pgMar w:top=\"1134\" w:right=\"850\" w:bottom=\"1020\" w:left=\"1417\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/></w:sectPr>"
    );
    s
}

const NS: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
                  xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

fn document_xml(doc: &Document) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document {NS}><w:body>{}</w:body></w:document>",
        body(doc)
    )
}

fn footer_xml(doc: &Document) -> String {
    let field = |name: &str| {
        format!(
            "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> {name} </w:instrText></w:r>\
             <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
        )
    };
    let text = |t: &str| {
        format!(
            "<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>",
            xml_escape(t)
        )
    };
    let mut tail = format!("　文件編號：{}", doc.meta.document_id);
    if let Some(code) = &doc.meta.watermark {
        let _ = write!(tail, "　機構代號 {code}");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr {NS}><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{}{}{}{}{}{}</w:p></w:ftr>",
        text("第 "),
        field("PAGE"),
        text(" 頁，共 "),
        field("NUMPAGES"),
        text(" 頁"),
        text(&tail)
    )
}

fn styles_xml(doc: &Document) -> String {
    let font = match doc.meta.face {
        Face::Serif => "新細明體",
        Face::Sans => "微軟正黑體",
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles {NS}><w:docDefaults><w:rPrDefault><w:rPr>\
         <w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"{font}\" w:cs=\"Times New Roman\"/>\
         <w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-TW\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style></w:styles>"
    )
}

fn core_xml(doc: &Document) -> String {
    let at = w3c(doc.meta.generated_at);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>Custos</dc:creator>\
         <dc:identifier>{}</dc:identifier>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{at}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{at}</dcterms:modified></cp:coreProperties>",
        xml_escape(&doc.meta.title),
        xml_escape(&doc.meta.document_id)
    )
}

fn w3c(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdFooter1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
</Relationships>";

/// Renders `doc` as docx bytes after checking every character against `fonts`.
pub fn render(doc: &Document, fonts: &FontSet) -> Result<Vec<u8>, ReportError> {
    fonts.check_text(doc.texts())?;
    let parts: [(&str, String); 6] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("docProps/core.xml", core_xml(doc)),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
        ("word/document.xml", document_xml(doc)),
        ("word/styles.xml", styles_xml(doc)),
    ];
    let footer = footer_xml(doc);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let derr = |e: &dyn std::fmt::Display| ReportError::Docx(e.to_string());
    for (name, data) in parts
        .iter()
        .map(|(n, d)| (*n, d.as_str()))
        .chain([("word/footer1.xml", footer.as_str())])
    {
        zip.start_file(name, options).map_err(|e| derr(&e))?;
        zip.write_all(data.as_bytes()).map_err(|e| derr(&e))?;
    }
    let cursor = zip.finish().map_err(|e| derr(&e))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_neutralises_markup_and_drops_forbidden_characters() {
        assert_eq!(xml_escape("<w:t>&\"'\u{1}"), "&lt;w:t&gt;&amp;&quot;&apos;");
    }
}
