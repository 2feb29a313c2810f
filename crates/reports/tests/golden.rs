//! Golden tests: every form is rendered from its sample data and read back — PDF through
//! `pdftotext`, xlsx through calamine, docx by unzipping `word/document.xml` — to find the seed's
//! headings in order, ROC dates, signature blocks, watermark and notice (J0.1, J1.7, J1.9, J1.10,
//! J2.2, J5.7–J5.9, T4, T7.4, T7.5, T8.4). Tools missing from the machine fail the test under
//! `CI=true` and are skipped loudly elsewhere.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::print_stdout
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use calamine::{Reader, Xlsx};
use custos_reports::forms::{FormKind, Format, jcic2, jcic3, jcic4, render};
use custos_reports::model::{Block, Document, Orientation, Slot, place};
use custos_reports::{FontSet, ReportError, docx, pdf, sample, xlsx};

fn fonts() -> FontSet {
    FontSet::shipped().expect("shipped fonts load")
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn temp_dir() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("custos-reports-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether `tool` can run; under CI a missing tool fails the test.
fn tool_available(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .or_else(|_| Command::new(tool).arg("-v").output())
        .is_ok();
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is required under CI=true (install poppler-utils / libreoffice)"
        );
        eprintln!("!!!!! SKIPPED: {tool} not installed; this check did not run !!!!!");
    }
    ok
}

/// Text of a PDF in content-stream order (`pdftotext -raw`), or `None` when pdftotext is missing.
fn pdf_text(bytes: &[u8], pages: Option<(u32, u32)>) -> Option<String> {
    if !tool_available("pdftotext") {
        return None;
    }
    let dir = temp_dir();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, bytes).unwrap();
    let mut cmd = Command::new("pdftotext");
    cmd.args(["-raw", "-enc", "UTF-8"]);
    if let Some((first, last)) = pages {
        cmd.args(["-f", &first.to_string(), "-l", &last.to_string()]);
    }
    let out = cmd.arg(&file).arg("-").output().unwrap();
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
    Some(String::from_utf8(out.stdout).unwrap())
}

fn page_count(bytes: &[u8]) -> Option<u32> {
    if !tool_available("pdfinfo") {
        return None;
    }
    let dir = temp_dir();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out = Command::new("pdfinfo").arg(&file).output().unwrap();
    let _ = std::fs::remove_dir_all(dir);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
}

/// Text inside a rectangle of page `page` (points; `pdftotext -r 72` makes one pixel one point).
fn pdf_crop(bytes: &[u8], page: u32, x0: f64, x1: f64) -> Option<String> {
    if !tool_available("pdftotext") {
        return None;
    }
    let dir = temp_dir();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, bytes).unwrap();
    let x = x0.ceil() as i64 + 1;
    let w = (x1 - x0).floor() as i64 - 2;
    let out = Command::new("pdftotext")
        .args([
            "-raw",
            "-enc",
            "UTF-8",
            "-r",
            "72",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
        ])
        .args([
            "-x",
            &x.to_string(),
            "-y",
            "0",
            "-W",
            &w.to_string(),
            "-H",
            "2000",
        ])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(dir);
    Some(String::from_utf8(out.stdout).unwrap())
}

/// Checks on page 1 that every heading of the document's first table stands over its own
/// column(s): the PDF is cut into vertical strips at the column edges and each heading is looked
/// for in the strip of the columns it spans. Together with the seed lists this proves the seed's
/// column order in the printed layout.
fn assert_pdf_heading_columns(bytes: &[u8], doc: &Document) {
    let table = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .unwrap();
    let (page_width, left, right) = match doc.meta.orientation {
        Orientation::Landscape => (841.89, 70.866, 42.52),
        Orientation::Portrait => (595.28, 70.866, 42.52),
    };
    let text_width = page_width - left - right;
    let total: f32 = table.widths.iter().sum();
    let mut edges = vec![left];
    for w in &table.widths {
        edges.push(edges.last().unwrap() + f64::from(*w / total) * text_width);
    }
    let spans: Vec<Vec<(u16, u16)>> = table
        .header
        .iter()
        .map(|r| r.iter().map(|h| (h.colspan, h.rowspan)).collect())
        .collect();
    for (r, slots) in place(&spans, table.widths.len()).iter().enumerate() {
        for (c, slot) in slots.iter().enumerate() {
            if let Slot::Start { index, colspan, .. } = *slot {
                let heading = &table.header[r][index].text;
                let Some(strip) = pdf_crop(bytes, 1, edges[c], edges[c + usize::from(colspan)])
                else {
                    return;
                };
                assert!(
                    squash(&strip).contains(&squash(heading)),
                    "heading {heading:?} not printed over column {c}; the strip reads {:?}",
                    squash(&strip)
                );
            }
        }
    }
}

/// Removes all whitespace, so that line wrapping inside narrow cells does not matter.
fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that `needles` occur in `hay` in this order (whitespace ignored).
fn assert_in_order(hay: &str, needles: &[&str]) {
    let hay = squash(hay);
    let mut pos = 0;
    for needle in needles {
        let needle = squash(needle);
        match hay[pos..].find(&needle) {
            Some(i) => pos += i + needle.len(),
            None => panic!(
                "{needle:?} not found after byte {pos}; text was:\n{}",
                hay.chars().take(3000).collect::<String>()
            ),
        }
    }
}

fn assert_contains(hay: &str, needles: &[&str]) {
    let hay = squash(hay);
    for needle in needles {
        assert!(
            hay.contains(&squash(needle)),
            "{needle:?} not found in:\n{}",
            hay.chars().take(3000).collect::<String>()
        );
    }
}

fn xlsx_cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect()
}

fn xlsx_text(bytes: &[u8]) -> String {
    xlsx_cells(bytes)
        .iter()
        .map(|r| r.join("\t"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    // Keep only character data.
    let mut out = String::new();
    let mut in_tag = false;
    for ch in xml.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
}

const JCIC2_ROW1: [&str; 9] = [
    "查詢日期",
    "被查詢當事人",
    "查詢人員",
    "使用者代碼",
    "授權辦理事項",
    "查詢資格依據(查詢條件限制)",
    "查詢結果",
    "查核結果",
    "處理意見",
];
const JCIC2_ROW2: [&str; 11] = [
    "統一編號/身分證號",
    "名稱",
    "姓名",
    "有否被授權辦理查詢",
    "當事人之書面授權書(含電子授權資料)",
    "有無合法查詢依據",
    "有無紙本申請單或系統查詢日誌",
    "公務機關資料表查詢人有無簽章",
    "是否僅供內部使用不對外公開或移轉他人使用",
    "不使用(含未承作案件)之公務機關資料表是否妥善處理",
    "公務機關資料表是否列有電子浮水印標識",
];

const SIGNATURES: [&str; 6] = [
    "林怡君",
    "稽核專員",
    "114年7月1日10:30",
    "陳建宏",
    "稽核室經理",
    "114年7月2日14:05",
];

#[test]
fn jcic2_pdf_has_the_seed_headings_in_order_roc_dates_signatures_and_ext_b_names() {
    let doc = sample::jcic2(12).to_document();
    let bytes = pdf::render(&doc, &fonts()).unwrap();
    let Some(text) = pdf_text(&bytes, None) else {
        return;
    };
    assert_in_order(&text, &["114年度金融機構", "110年 12 月修訂(編號:聯徵2)"]);
    assert_contains(&text, &JCIC2_ROW1);
    assert_contains(&text, &JCIC2_ROW2);
    assert_pdf_heading_columns(&bytes, &doc);
    assert_contains(
        &text,
        &[
            "查核基準日：114年6月30日",
            "查核期間：114年6月1日至114年6月30日",
            "114年6月1日",
        ],
    );
    assert_contains(&text, &SIGNATURES);
    assert_contains(
        &text,
        &["每月總查詢件數：480", "抽查件數：12", "抽查比率：2.50%"],
    );
    // The Extension B name: U+20000 and U+2A6D6 survive extraction.
    assert!(text.contains('\u{20000}'), "U+20000 missing");
    assert!(text.contains('\u{2A6D6}'), "U+2A6D6 missing");
    assert_contains(&text, &[sample::EXT_B_NAME]);
}

#[test]
fn a_long_jcic2_worksheet_breaks_into_numbered_pages_with_repeated_headings() {
    let doc = sample::jcic2(80).to_document();
    let bytes = pdf::render(&doc, &fonts()).unwrap();
    let Some(text) = pdf_text(&bytes, Some((2, 2))) else {
        return;
    };
    assert_contains(
        &text,
        &[
            "第2頁，共",
            "查詢日期",
            "公務機關資料表是否列有電子浮水印標識",
        ],
    );
}

#[test]
fn jcic2_xlsx_has_the_seed_headings_in_order_and_the_row_values() {
    let doc = sample::jcic2(12).to_document();
    let bytes = xlsx::render(&doc, &fonts()).unwrap();
    let cells = xlsx_cells(&bytes);
    let text = xlsx_text(&bytes);
    assert_in_order(&text, &JCIC2_ROW1);
    assert_in_order(&text, &JCIC2_ROW2);
    assert_contains(
        &text,
        &[
            "是否保存5年",
            "查核基準日：114年6月30日",
            sample::EXT_B_NAME,
        ],
    );
    assert_contains(&text, &SIGNATURES);
    // The first data row sits under the three heading rows, in the seed's 16 columns.
    let first = cells
        .iter()
        .position(|r| r.iter().any(|c| c == "A123456789"))
        .unwrap();
    assert_eq!(cells[first][0], "114年6月1日");
    assert_eq!(cells[first][1], "A123456789");
    assert_eq!(cells[first][2], sample::EXT_B_NAME);
    assert_eq!(cells[first].len(), jcic2::WIDTHS.len());
}

const JCIC3_LEAVES: [&str; 16] = [
    "名稱",
    "序號",
    "姓名",
    "是否經主管授權辦理",
    "保管是否妥善",
    "毀損、停用、遺失時，是否具函聯徵中心辦理",
    "晶片卡使用情形",
    "啟用日期",
    "是否由單位主管親收後密交密碼保管人員",
    "密碼保管人",
    "查詢人員異動或業務需要時，是否即向聯徵中心申請更換",
    "晶片卡與查詢密碼是否由不同人員保管",
    "是否派人切實核對",
    "對於使用異常或遭鎖卡者是否追蹤原因，以防範弊端發生",
    "", // placeholders keep the array length equal to the column count
    "",
];

#[test]
fn jcic3_pdf_and_xlsx_have_the_seed_headings_in_order() {
    let doc = sample::jcic3().to_document();
    let top = [
        "晶片卡查詢設備",
        "保管人員",
        "設備使用及管理情形",
        "查詢密碼",
        "晶片卡與查詢密碼保管情形",
        "查核結果",
        "處理意見",
        "備註",
    ];
    let bytes = xlsx::render(&doc, &fonts()).unwrap();
    let text = xlsx_text(&bytes);
    assert_in_order(&text, &top);
    assert_in_order(&text, &JCIC3_LEAVES[..14]);
    assert_contains(
        &text,
        &[
            "IC-0070-000123",
            "113年3月15日",
            "晶片卡啟用日期：113年3月1日",
            "(會員機構名稱)",
        ],
    );
    assert_eq!(jcic3::WIDTHS.len(), JCIC3_LEAVES.len());
    let bytes = pdf::render(&doc, &fonts()).unwrap();
    let Some(text) = pdf_text(&bytes, None) else {
        return;
    };
    assert_in_order(&text, &["110年12月修訂(編號:聯徵3)"]);
    assert_contains(&text, &top);
    assert_contains(&text, &JCIC3_LEAVES[..14]);
    assert_pdf_heading_columns(&bytes, &doc);
    assert_contains(&text, &SIGNATURES);
}

#[test]
fn jcic4_register_keeps_ten_columns_in_order_with_compact_roc_dates_and_sign_offs() {
    let doc = sample::jcic4().to_document();
    let headings = [
        "中文姓名",
        "職稱",
        "授權查詢方式",
        "授權辦理事項",
        "使用者代碼",
        "授權起日",
        "主管簽章",
        "授權迄日",
        "主管簽章",
        "備註",
    ];
    assert_eq!(jcic4::header()[0].len(), 10);
    let bytes = xlsx::render(&doc, &fonts()).unwrap();
    let cells = xlsx_cells(&bytes);
    let text = xlsx_text(&bytes);
    assert_in_order(&text, &headings);
    let row = cells
        .iter()
        .find(|r| r.first().is_some_and(|c| c == "李志明"))
        .unwrap();
    assert_eq!(row[5], "1130102");
    assert_eq!(row[7], "1140331");
    assert!(row[8].contains("陳建宏") && row[8].contains("114年3月31日 17:40"));
    assert!(cells.iter().any(|r| r.get(2).is_some_and(|c| c == "N、W")));
    let bytes = pdf::render(&doc, &fonts()).unwrap();
    let Some(text) = pdf_text(&bytes, None) else {
        return;
    };
    assert_in_order(&text, &["114年6月修訂(編號:聯徵4)"]);
    assert_in_order(&text, &headings);
    assert_pdf_heading_columns(&bytes, &doc);
    assert_contains(
        &text,
        &[
            "1130102",
            "1140331",
            "單位主管",
            "114年7月1日11:00",
            "YYYMMDD(民國)",
        ],
    );
}

#[test]
fn agency_data_printout_carries_watermark_on_every_page_notice_number_and_verification() {
    let mut printout = sample::agency_data();
    // Enough records for several pages.
    let row = printout.rows[0].clone();
    printout.rows.extend(std::iter::repeat_n(row, 90));
    let doc = printout.to_document();
    let bytes = pdf::render(&doc, &fonts()).unwrap();
    let Some(pages) = page_count(&bytes) else {
        return;
    };
    assert!(pages >= 2, "expected several pages, got {pages}");
    for page in 1..=pages {
        let Some(text) = pdf_text(&bytes, Some((page, page))) else {
            return;
        };
        assert_contains(
            &text,
            &[
                &format!("機構代號{}", sample::INSTITUTION_CODE),
                "列印編號：P-1140701-000042",
            ],
        );
    }
    let text = pdf_text(&bytes, None).unwrap();
    assert_contains(
        &text,
        &[
            custos_reports::forms::agency_data::TAX_DATA_NOTICE,
            "驗證網址：https://custos.bank.example/verify/P-1140701-000042",
            "查詢人員：王大明（U0123）",
            "查詢時間：114年7月1日08:47",
            "所得年度",
            "扣繳稅額(元)",
        ],
    );
    assert!(text.contains('\u{20000}') && text.contains('\u{2A6D6}'));
}

#[test]
fn jcic1_docx_and_pdf_carry_the_header_method_boxes_sections_and_columns() {
    let doc = sample::jcic1().to_document();
    let headings = [
        "查核項目",
        "查核結果",
        "工作底稿編號",
        "查核參考資料",
        "會員易致之疏漏",
    ];
    let bytes = docx::render(&doc, &fonts()).unwrap();
    let text = docx_text(&bytes);
    assert_in_order(
        &text,
        &[
            "114年6月修訂(編號:聯徵1)",
            "(機構名稱)：臺灣範例商業銀行",
            "查核基準日：114年6月30日",
        ],
    );
    assert_in_order(
        &text,
        &[
            "本單位查詢方式為：（可複選）",
            "■晶片卡",
            "□伺服器連線(STS)",
            "□檔案傳輸(FTP)",
            "■API",
        ],
    );
    assert_in_order(&text, &headings);
    assert_in_order(
        &text,
        &[
            "1、 公務機關資料蒐集與使用",
            "2、",
            "3、",
            "4、",
            "5、",
            "6、 資料使用期限",
        ],
    );
    assert_contains(
        &text,
        &[
            "聯徵2-11406",
            "公務機關資料表未有使用單位機構代號浮水印",
            "抽查比率：2.50%",
        ],
    );
    assert_contains(&text, &SIGNATURES);
    let bytes = pdf::render(&doc, &fonts()).unwrap();
    let Some(text) = pdf_text(&bytes, None) else {
        return;
    };
    assert_in_order(&text, &headings);
    assert_in_order(
        &text,
        &["■晶片卡", "□伺服器連線(STS)", "□檔案傳輸(FTP)", "■API"],
    );
    assert_contains(&text, &["6)就開立第三類數位存款帳戶", "本範本提供參考"]);
}

#[test]
fn taipei_forms_render_with_the_seed_wording() {
    let cases: [(FormKind, &[&str]); 4] = [
        (
            FormKind::TaipeiAudit,
            &[
                "稽核紀錄表",
                "(稽核單位)",
                "(受稽單位)",
                "稽核日期：114年6月27日",
                "項目",
                "抽查比率",
                "稽核內容",
                "抽查資料",
                "使用者",
                "50%",
                "查詢紀錄",
                "每月比對總數之1%",
                "內部稽核資料書面至少保留五年",
                "上次稽核結果",
                "稽核結果及建議",
                "受稽單位受稽人員",
                "稽核單位主管",
            ],
        ),
        (
            FormKind::VendorAudit,
            &[
                "軟體委外廠商資訊安全稽核紀錄表",
                "受稽核廠商",
                "稽核項目",
                "稽核結果",
                "稽核情形",
                "1.資產安全",
                "8.緊急應變",
                "(5)查核備援演練完畢後之結果是否檢討異常並進行事件分析",
                "建議事項",
                "稽核人員",
                "受稽廠商代表",
            ],
        ),
        (
            FormKind::AccountChange,
            &[
                "帳號異動申請單",
                "*申請事項",
                "■註銷",
                "異動原因",
                "*申請日期",
                "114年6月16日",
                "*機關名稱",
                "*科(課)室名稱",
                "*使用者名稱",
                "電話",
                "使用者帳號",
                "*E-Mail(公務信箱)",
                "業務單位核章",
                "審核意見",
                "■提供",
                "不提供意見",
                "異動時間",
                "審核單位核章",
                "使用者帳號為員工編號",
            ],
        ),
        (
            FormKind::Contact,
            &[
                "與戶政機關聯繫單",
                "聯繫日期：114年6月18日",
                "收件單位",
                "臺北市松山區戶政事務所",
                "案號：114年松山字第001234號",
                "發件單位",
                "查詢事項",
                "■印模不清無法比對，請進行印鑑章印模重建(不包含已變更印模重建)",
                "回復內容",
                "■印模已完成重建",
            ],
        ),
    ];
    for (kind, needles) in cases {
        let bytes = pdf::render(&kind.sample_document(), &fonts()).unwrap();
        let Some(text) = pdf_text(&bytes, None) else {
            return;
        };
        assert_in_order(&text, needles);
    }
}

#[test]
fn the_vendor_form_prints_all_41_items() {
    let bytes = pdf::render(&FormKind::VendorAudit.sample_document(), &fonts()).unwrap();
    let Some(text) = pdf_text(&bytes, None) else {
        return;
    };
    let boxes =
        squash(&text).matches("符合□不符合").count() + squash(&text).matches("符合■不符合").count();
    assert_eq!(boxes, 41);
}

#[test]
fn a_character_no_shipped_font_covers_is_a_named_error() {
    let mut ws = sample::jcic2(2);
    ws.rows[0].subject_name = "王\u{13000}明".to_string(); // Egyptian hieroglyph A001
    let doc = ws.to_document();
    for format in [Format::Pdf, Format::Xlsx, Format::Docx] {
        let err = render(&doc, format, &fonts()).unwrap_err();
        match &err {
            ReportError::MissingGlyph { ch, code_point } => {
                assert_eq!(*ch, '\u{13000}');
                assert_eq!(code_point, "U+13000");
            }
            other => panic!("expected MissingGlyph, got {other:?}"),
        }
        let message = err.to_string();
        assert!(
            message.contains("U+13000") && message.contains("無可用字型"),
            "{message}"
        );
    }
    // An unassigned code point too.
    assert!(matches!(
        fonts().check_text(["\u{0378}"]),
        Err(ReportError::MissingGlyph { ch: '\u{0378}', .. })
    ));
}

#[test]
fn a_missing_font_directory_is_a_clear_error() {
    let err = FontSet::load(Path::new("/nonexistent/custos-fonts")).unwrap_err();
    assert!(matches!(err, ReportError::FontDirectory { .. }));
    assert!(err.to_string().contains("/nonexistent/custos-fonts"));
    let empty = temp_dir();
    let err = FontSet::load(&empty).unwrap_err();
    assert!(matches!(err, ReportError::FontMissing { .. }), "{err}");
}

#[test]
fn the_same_input_renders_identical_bytes_in_every_format() {
    let fonts = fonts();
    for kind in [FormKind::Jcic1, FormKind::Jcic2, FormKind::AgencyData] {
        let doc = kind.sample_document();
        for &format in kind.formats() {
            let a = render(&doc, format, &fonts).unwrap();
            let b = render(&doc, format, &fonts).unwrap();
            assert!(a == b, "{} {:?} differs between runs", kind.name(), format);
        }
    }
}

#[test]
fn hostile_strings_are_printed_verbatim_never_interpreted() {
    let hostile = [
        r"]#set page(width: 1pt)",
        r#"\" #panic("x") \u{41}"#,
        "*bold* _em_ $x^2$ @ref <label> `raw` // comment /* block */",
        "=== heading - list + enum / term: 1. 2)",
        "&<w:t>'\"</w:t>",
    ];
    let mut ws = sample::jcic2(hostile.len());
    for (row, text) in ws.rows.iter_mut().zip(hostile) {
        row.finding = text.to_string();
    }
    let doc = ws.to_document();
    let fonts = fonts();
    let bytes = xlsx::render(&doc, &fonts).unwrap();
    let text = xlsx_text(&bytes);
    assert_contains(&text, &hostile);
    let bytes = docx::render(&doc, &fonts).unwrap();
    assert_contains(&docx_text(&bytes), &hostile);
    let bytes = pdf::render(&doc, &fonts).unwrap();
    let Some(text) = pdf_text(&bytes, None) else {
        return;
    };
    assert_contains(&text, &hostile);
}

#[test]
fn every_sample_form_renders_in_each_of_its_formats() {
    let fonts = fonts();
    for kind in FormKind::ALL {
        let files = kind.render_sample(&fonts).unwrap();
        assert_eq!(files.len(), kind.formats().len());
        for file in files {
            assert!(file.bytes.len() > 1000, "{} is too small", file.file_name);
        }
    }
}

#[test]
fn libreoffice_converts_every_xlsx_and_docx_to_pdf() {
    let soffice = if tool_available("soffice") {
        "soffice"
    } else {
        return;
    };
    let dir = temp_dir();
    let fonts = fonts();
    let mut inputs = Vec::new();
    for kind in FormKind::ALL {
        for file in kind.render_sample(&fonts).unwrap() {
            if Path::new(&file.file_name)
                .extension()
                .is_some_and(|e| e == "pdf")
            {
                continue;
            }
            let path = dir.join(&file.file_name);
            std::fs::write(&path, &file.bytes).unwrap();
            inputs.push(path);
        }
    }
    assert_eq!(inputs.len(), 4, "jcic1.docx and jcic2/3/4.xlsx");
    let out = dir.join("pdf");
    let status = Command::new(soffice)
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&out)
        .args(&inputs)
        .env("HOME", &dir)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    for input in &inputs {
        let pdf = out.join(input.with_extension("pdf").file_name().unwrap());
        let bytes =
            std::fs::read(&pdf).unwrap_or_else(|_| panic!("{} not converted", input.display()));
        assert!(bytes.starts_with(b"%PDF"), "{} is not a PDF", pdf.display());
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn documents_list_every_printed_string_for_the_glyph_check() {
    let doc: Document = sample::jcic4().to_document();
    let texts = doc.texts();
    assert!(texts.contains(&sample::EXT_B_NAME));
    assert!(doc.blocks.iter().any(|b| matches!(b, Block::Signatures(_))));
}

#[test]
fn the_seed_heading_lists_match_the_form_layouts() {
    // The model's heading rows, read left to right, are the seed's headings in the seed's order.
    let texts = |h: &Vec<Vec<custos_reports::model::HeaderCell>>, r: usize| -> Vec<String> {
        h[r].iter().map(|c| c.text.clone()).collect()
    };
    assert_eq!(texts(&jcic2::header(), 0), JCIC2_ROW1);
    assert_eq!(texts(&jcic2::header(), 1), JCIC2_ROW2);
    assert_eq!(texts(&jcic2::header(), 2), ["是否保存5年"]);
    let mut leaves = texts(&jcic3::header(), 1);
    leaves.retain(|t| t != "晶片卡使用情形");
    assert_eq!(leaves.len(), 11);
    assert_eq!(texts(&jcic3::header(), 2), JCIC3_LEAVES[12..14]);
}

#[test]
fn the_heading_column_check_notices_swapped_columns() {
    // Guard against a vacuous check: a layout whose headings are swapped must fail it.
    let doc = sample::jcic2(3).to_document();
    let bytes = pdf::render(&doc, &fonts()).unwrap();
    if !tool_available("pdftotext") {
        return;
    }
    let mut swapped = doc.clone();
    for block in &mut swapped.blocks {
        if let Block::Table(t) = block {
            t.header[1].swap(6, 7);
        }
    }
    let result = std::panic::catch_unwind(|| assert_pdf_heading_columns(&bytes, &swapped));
    assert!(result.is_err(), "swapped headings were not noticed");
}

#[test]
fn any_form_can_ask_for_the_institution_code_watermark() {
    let mut ws = sample::jcic4();
    ws.info.watermark = Some("0070000".to_string());
    let doc = ws.to_document();
    let bytes = pdf::render(&doc, &fonts()).unwrap();
    let Some(text) = pdf_text(&bytes, None) else {
        return;
    };
    assert_contains(&text, &["機構代號0070000"]);
    // And the xlsx page header carries it.
    let bytes = xlsx::render(&doc, &fonts()).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(sheet.contains("機構代號 0070000"));
}

proptest::proptest! {
    #[test]
    fn placing_any_spans_never_panics_and_fills_each_slot_once(
        rows in proptest::collection::vec(proptest::collection::vec((0u16..5, 0u16..4), 0..8), 0..6),
        ncols in 1usize..10,
    ) {
        let grid = place(&rows, ncols);
        proptest::prop_assert_eq!(grid.len(), rows.len());
        for (r, slots) in grid.iter().enumerate() {
            proptest::prop_assert_eq!(slots.len(), ncols);
            for slot in slots {
                if let Slot::Start { index, colspan, rowspan } = *slot {
                    proptest::prop_assert!(index < rows[r].len());
                    proptest::prop_assert!(colspan >= 1 && rowspan >= 1);
                }
            }
        }
    }
}
