//! Built-in sample data for every form, so anyone can look at each layout (`custos forms render
//! --sample`) without running the whole system. Names are realistic and one carries CJK Extension B
//! characters (U+20000 𠀀, U+2A6D6 𪛖) to prove the shipped Ext-B face. All dates are fixed.

use chrono::{NaiveDate, NaiveDateTime};

use crate::forms::agency_data::AgencyDataPrintout;
use crate::forms::jcic1::{Jcic1Checklist, seed_sections};
use crate::forms::jcic2::{Jcic2Row, Jcic2Summary, Jcic2Worksheet};
use crate::forms::jcic3::{Jcic3Row, Jcic3Worksheet};
use crate::forms::jcic4::{Jcic4Register, Jcic4Row, QueryMethod, SupervisorSignOff};
use crate::forms::taipei::{
    AccountChangeApplication, AccountRequest, ContactForm, ContactReply, ContactReplyOutcome,
    ContactRequest, ContactSender, ReviewDecision, TaipeiAuditRecord, Tally, VendorAuditRecord,
    VendorResult, vendor_areas,
};
use crate::forms::{DocumentInfo, WorkingPaperHeader};
use crate::model::{Answer, Signature};

/// The sample name with two Extension B characters (U+20000, U+2A6D6).
pub const EXT_B_NAME: &str = "黃𠀀𪛖";

/// The sample institution code (watermark).
pub const INSTITUTION_CODE: &str = "0070000";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, min, 0).unwrap_or_default()
}

fn info(id: &str) -> DocumentInfo {
    DocumentInfo {
        document_id: id.to_string(),
        generated_at: at(2025, 7, 1, 9, 0),
        watermark: None,
    }
}

fn header() -> WorkingPaperHeader {
    WorkingPaperHeader {
        roc_year: 114,
        institution_name: "臺灣範例商業銀行 信義分行".to_string(),
        base_date: date(2025, 6, 30),
        scope: "信義分行公務機關資料查詢".to_string(),
        period_start: date(2025, 6, 1),
        period_end: date(2025, 6, 30),
        auditor: "林怡君".to_string(),
    }
}

fn sig(role: &str, name: &str, title: &str, signed_at: Option<NaiveDateTime>) -> Signature {
    Signature {
        role: role.to_string(),
        name: name.to_string(),
        title: title.to_string(),
        signed_at,
    }
}

fn audit_signatures() -> Vec<Signature> {
    vec![
        sig("查核人", "林怡君", "稽核專員", Some(at(2025, 7, 1, 10, 30))),
        sig(
            "覆核主管",
            "陳建宏",
            "稽核室經理",
            Some(at(2025, 7, 2, 14, 5)),
        ),
    ]
}

const SUBJECTS: [(&str, &str); 6] = [
    ("A123456789", EXT_B_NAME),
    ("F223344556", "李美玲"),
    ("12345675", "大安精密工業股份有限公司"),
    ("B120987654", "張志豪"),
    ("AC01234567", "阮氏蘭"),
    ("E298765432", "許淑芬"),
];

/// A 聯徵2 worksheet with `rows` sampled lookups.
pub fn jcic2(rows: usize) -> Jcic2Worksheet {
    let queriers = [("王大明", "U0123"), ("吳佩珊", "U0456")];
    let rows: Vec<Jcic2Row> = (0..rows)
        .map(|i| {
            let (id, name) = SUBJECTS[i % SUBJECTS.len()];
            let (querier, code) = queriers[i % queriers.len()];
            let flawed = i % 7 == 3;
            Jcic2Row {
                query_date: Some(date(2025, 6, 1 + (i % 28) as u32)),
                subject_id: id.to_string(),
                subject_name: name.to_string(),
                querier_name: querier.to_string(),
                querier_authorised: Answer::Yes,
                user_code: code.to_string(),
                authorised_duties: "查詢信用資訊".to_string(),
                consent_kept_five_years: Answer::Yes,
                lawful_basis: Answer::Yes,
                request_or_log_present: Answer::Yes,
                querier_signature_present: Answer::from_bool(!flawed),
                internal_use_only: Answer::Yes,
                unused_tables_handled: if i % 5 == 0 {
                    Answer::NotApplicable
                } else {
                    Answer::Yes
                },
                watermark_present: Answer::Yes,
                finding: if flawed {
                    "資料表未有查詢人員簽章".to_string()
                } else {
                    "符合".to_string()
                },
                handling_opinion: if flawed {
                    "請補簽章並加強宣導".to_string()
                } else {
                    String::new()
                },
                requirement_ids: vec!["J5.8".to_string(), "J1.7".to_string()],
            }
        })
        .collect();
    let sampled = rows.len() as u32;
    Jcic2Worksheet {
        info: info("JCIC2-11406-0001"),
        header: header(),
        summary: Jcic2Summary {
            month: date(2025, 6, 1),
            monthly_total: (sampled * 40).max(10),
            sampled,
            compliant: Answer::Yes,
        },
        rows,
        signatures: audit_signatures(),
    }
}

/// A 聯徵3 worksheet with three devices.
pub fn jcic3() -> Jcic3Worksheet {
    let row = |name: &str, serial: &str, custodian: &str, pw: &str, remarks: &str| Jcic3Row {
        device_name: name.to_string(),
        device_serial: serial.to_string(),
        custodian_name: custodian.to_string(),
        custodian_authorised: Answer::Yes,
        custody_proper: Answer::Yes,
        damage_loss_reported: Answer::NotApplicable,
        usage_reconciled: Answer::Yes,
        anomalies_followed_up: Answer::Yes,
        password_activated_on: Some(date(2024, 3, 15)),
        card_activated_on: Some(date(2024, 3, 1)),
        password_received_by_supervisor: Answer::Yes,
        password_custodian: pw.to_string(),
        replacement_applied: Answer::Yes,
        card_and_password_separate: Answer::Yes,
        finding: "符合".to_string(),
        handling_opinion: String::new(),
        remarks: remarks.to_string(),
        requirement_ids: vec!["J5.9".to_string()],
    };
    let mut third = row("晶片卡讀卡機", "RD-2023-0177", "王大明", "王大明", "待改善");
    third.card_and_password_separate = Answer::No;
    third.finding = "晶片卡與密碼由同一人保管".to_string();
    third.handling_opinion = "改由吳佩珊保管密碼".to_string();
    Jcic3Worksheet {
        info: info("JCIC3-11406-0001"),
        header: header(),
        rows: vec![
            row("聯徵中心晶片卡", "IC-0070-000123", "吳佩珊", "陳建宏", ""),
            row(
                "查詢工作站",
                "WS-XY-8841",
                EXT_B_NAME,
                "吳佩珊",
                "設備保管人",
            ),
            third,
        ],
        signatures: audit_signatures(),
    }
}

/// A 聯徵4 register with four people.
pub fn jcic4() -> Jcic4Register {
    let sup = |d: u32| {
        Some(SupervisorSignOff {
            name: "陳建宏".to_string(),
            signed_at: at(2024, 1, d, 9, 15),
        })
    };
    let row =
        |name: &str, title: &str, methods: Vec<QueryMethod>, duties: &str, code: &str| Jcic4Row {
            name: name.to_string(),
            title: title.to_string(),
            methods,
            duties: duties.to_string(),
            user_code: code.to_string(),
            start: date(2024, 1, 2),
            start_sign_off: sup(2),
            end: None,
            end_sign_off: None,
            remarks: String::new(),
            requirement_ids: vec!["J2.2".to_string()],
        };
    let mut left = row(
        "李志明",
        "襄理",
        vec![QueryMethod::ChipCard],
        "查詢信用資訊",
        "U0099",
    );
    left.end = Some(date(2025, 3, 31));
    left.end_sign_off = Some(SupervisorSignOff {
        name: "陳建宏".to_string(),
        signed_at: at(2025, 3, 31, 17, 40),
    });
    left.remarks = "調職".to_string();
    let mut custodian = row(
        EXT_B_NAME,
        "辦事員",
        vec![QueryMethod::ChipCard],
        "保管晶片卡(卡號IC-0070-000123)",
        "U0789",
    );
    custodian.remarks = "設備保管人員".to_string();
    Jcic4Register {
        info: info("JCIC4-11406-0001"),
        roc_year: 114,
        institution_name: "臺灣範例商業銀行 信義分行".to_string(),
        rows: vec![
            row(
                "王大明",
                "專員",
                vec![QueryMethod::ChipCard, QueryMethod::Api],
                "查詢信用資訊",
                "U0123",
            ),
            row(
                "吳佩珊",
                "專員",
                vec![QueryMethod::ServerConnection],
                "查詢信用資訊、保管晶片卡密碼",
                "U0456",
            ),
            row(
                "陳建宏",
                "經理",
                vec![QueryMethod::Api],
                "覆核查詢紀錄",
                "U0001",
            ),
            custodian,
            left,
        ],
        signatures: vec![sig(
            "單位主管",
            "陳建宏",
            "經理",
            Some(at(2025, 7, 1, 11, 0)),
        )],
    }
}

/// A 聯徵1 checklist with the seed's items and a few answers.
pub fn jcic1() -> Jcic1Checklist {
    let mut sections = seed_sections();
    for (s, section) in sections.iter_mut().enumerate() {
        for (i, item) in section.items.iter_mut().enumerate() {
            item.answer = if (s + i) % 6 == 5 {
                "否，見缺失說明".to_string()
            } else {
                "是".to_string()
            };
            item.working_paper_number = match s {
                0 => "聯徵2-11406".to_string(),
                1 => "聯徵4-11406".to_string(),
                4 => "聯徵3-11406".to_string(),
                _ => String::new(),
            };
        }
        if section.result_prompt.is_some() {
            section.result =
                "1.每月總查詢件數：480件\n2.抽查件數：12件\n3.抽查比率：2.50%\n4.符合管理規範"
                    .to_string();
        }
    }
    Jcic1Checklist {
        info: info("JCIC1-11406-0001"),
        header: header(),
        methods: vec![QueryMethod::ChipCard, QueryMethod::Api],
        sections,
        signatures: audit_signatures(),
    }
}

/// An agency-data printout of tax data for the Ext-B subject.
pub fn agency_data() -> AgencyDataPrintout {
    AgencyDataPrintout {
        info: info("P-1140701-000042"),
        institution_code: INSTITUTION_CODE.to_string(),
        institution_name: "臺灣範例商業銀行 信義分行".to_string(),
        printout_number: "P-1140701-000042".to_string(),
        verify_url: "https://custos.bank.example/verify/P-1140701-000042".to_string(),
        source: "財稅資料 個人所得".to_string(),
        contains_tax_data: true,
        case_number: "LN-1140701-0088".to_string(),
        purpose: "授信".to_string(),
        subject_id: "A123456789".to_string(),
        subject_name: EXT_B_NAME.to_string(),
        querier_name: "王大明".to_string(),
        querier_user_code: "U0123".to_string(),
        queried_at: at(2025, 7, 1, 8, 47),
        columns: [
            "所得年度",
            "所得類別",
            "扣繳單位",
            "給付總額(元)",
            "扣繳稅額(元)",
        ]
        .map(String::from)
        .to_vec(),
        rows: vec![
            [
                "113",
                "薪資",
                "大安精密工業股份有限公司",
                "1,234,000",
                "61,700",
            ]
            .map(String::from)
            .to_vec(),
            ["113", "利息", "臺灣範例商業銀行", "8,512", "0"]
                .map(String::from)
                .to_vec(),
            [
                "112",
                "薪資",
                "大安精密工業股份有限公司",
                "1,180,000",
                "59,000",
            ]
            .map(String::from)
            .to_vec(),
        ],
        signatures: vec![
            sig("查詢人員", "王大明", "專員", Some(at(2025, 7, 1, 8, 47))),
            sig("覆核人員", "陳建宏", "經理", None),
        ],
    }
}

/// A 附件二 audit record.
pub fn taipei_audit() -> TaipeiAuditRecord {
    TaipeiAuditRecord {
        info: info("TP-AUDIT-11406-0001"),
        auditing_unit: "臺北市政府地政局 土地登記科".to_string(),
        audited_unit: "臺北市松山地政事務所".to_string(),
        audit_date: date(2025, 6, 27),
        users_need_system: Tally {
            compliant: 6,
            non_compliant: 0,
        },
        users_change_forms: Tally {
            compliant: 2,
            non_compliant: 0,
        },
        users_changed: 2,
        last_inventory_date: Some(date(2025, 3, 31)),
        queries_official: Tally {
            compliant: 14,
            non_compliant: 1,
        },
        queries_related: Tally {
            compliant: 15,
            non_compliant: 0,
        },
        queries_printouts_filed: Tally {
            compliant: 3,
            non_compliant: 0,
        },
        records_kept_five_years: Some(true),
        previous_no_nonconformity: true,
        previous_follow_up: String::new(),
        no_nonconformity: false,
        suggestions: "非上班時間查詢1筆（114年6月14日 19:42），請承辦人補具公務說明。".to_string(),
        signatures: vec![
            sig(
                "受稽單位 受稽人員",
                EXT_B_NAME,
                "登記課課員",
                Some(at(2025, 6, 27, 15, 10)),
            ),
            sig(
                "受稽單位 主管",
                "周美華",
                "登記課課長",
                Some(at(2025, 6, 27, 15, 30)),
            ),
            sig(
                "稽核單位 稽核人員",
                "劉家豪",
                "科員",
                Some(at(2025, 6, 27, 15, 45)),
            ),
            sig("稽核單位 主管", "鄭雅文", "科長", None),
        ],
    }
}

/// A 附件三 vendor audit with every item answered.
pub fn vendor_audit() -> VendorAuditRecord {
    let mut areas = vendor_areas();
    for (a, area) in areas.iter_mut().enumerate() {
        for (i, item) in area.items.iter_mut().enumerate() {
            item.result = match (a + i) % 9 {
                4 => VendorResult::NotApplicable,
                7 => VendorResult::NonCompliant,
                _ => VendorResult::Compliant,
            };
            if item.result == VendorResult::NonCompliant {
                item.notes = "紀錄不完整，限期一個月改善".to_string();
            }
        }
    }
    VendorAuditRecord {
        info: info("TP-VENDOR-11406-0001"),
        vendor: "範例資訊股份有限公司".to_string(),
        audit_date: date(2025, 6, 20),
        areas,
        suggestions: "備援演練紀錄請於下次稽核前補齊。".to_string(),
        signatures: vec![
            sig("稽核人員", "劉家豪", "科員", Some(at(2025, 6, 20, 16, 0))),
            sig(
                "受稽廠商代表",
                "蔡明哲",
                "專案經理",
                Some(at(2025, 6, 20, 16, 5)),
            ),
        ],
    }
}

/// A 附件五 application (revocation on transfer), reviewed.
pub fn account_change() -> AccountChangeApplication {
    AccountChangeApplication {
        info: info("TP-ACCT-11406-0007"),
        request: AccountRequest::Revoke,
        reason: "職務調動".to_string(),
        application_date: date(2025, 6, 16),
        agency: "臺北市松山地政事務所".to_string(),
        section: "登記課".to_string(),
        user_name: EXT_B_NAME.to_string(),
        phone: "02-2718-1234 分機 215".to_string(),
        user_account: "E10457".to_string(),
        email: "e10457@mail.taipei.gov.tw".to_string(),
        business_unit_sign_off: Some(sig(
            "業務單位",
            "周美華",
            "登記課課長",
            Some(at(2025, 6, 16, 10, 20)),
        )),
        decision: Some(ReviewDecision::Provide),
        effective_at: Some(at(2025, 6, 17, 9, 0)),
        reviewing_unit_sign_off: Some(sig(
            "審核單位",
            "鄭雅文",
            "科長",
            Some(at(2025, 6, 16, 16, 40)),
        )),
    }
}

/// A 附件一 contact form from a land office, answered.
pub fn contact() -> ContactForm {
    ContactForm {
        info: info("TP-CONTACT-11406-0003"),
        date: date(2025, 6, 18),
        household_district: "松山".to_string(),
        household_phone: "02-2767-1234".to_string(),
        household_fax: "02-2767-5678".to_string(),
        sender: ContactSender::LandOffice {
            office: "松山".to_string(),
            phone: "02-2718-1234".to_string(),
            extension: "215".to_string(),
            fax: "02-2718-9999".to_string(),
        },
        case_year: 114,
        case_word: "松山".to_string(),
        case_number: "001234".to_string(),
        handler: Some(sig(
            "承辦人",
            "劉家豪",
            "課員",
            Some(at(2025, 6, 18, 9, 30)),
        )),
        chief: Some(sig(
            "課(股)長",
            "周美華",
            "課長",
            Some(at(2025, 6, 18, 10, 0)),
        )),
        subject_name: EXT_B_NAME.to_string(),
        subject_id: "A123456789".to_string(),
        request: ContactRequest::ImprintRebuild,
        reply: Some(ContactReply {
            phone: "02-2767-1234".to_string(),
            handler: Some(sig(
                "承辦人員",
                "郭淑惠",
                "戶籍員",
                Some(at(2025, 6, 19, 14, 0)),
            )),
            outcome: ContactReplyOutcome::ImprintRebuilt,
        }),
    }
}
