//! Deterministic synthetic agency data for the simulator: the same subject ID always gives the
//! same person, income, property and labour-insurance history, on every machine and run.
//!
//! Each datum draws from its own ChaCha20 stream seeded with SHA-256 of
//! `custos-upstream-sim/jcic/v1`, a purpose label and the subject ID, so adding a field never
//! changes the others. Sampling helpers are written here (unbiased rejection sampling over
//! `next_u64`) rather than taken from `rand`, whose algorithms may change between versions.
//! About one subject in four has a rare character (CJK Ext-B, outside Big5) in the given name.
//! All of it is made up and labelled simulated.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use custos_domain::id::SubjectId;

const SURNAMES: &[&str] = &[
    "陳", "林", "黃", "張", "李", "王", "吳", "劉", "蔡", "楊", "許", "鄭", "謝", "郭", "洪", "曾",
    "邱", "廖", "賴", "周", "歐陽", "司馬",
];
const GIVEN: &[&str] = &[
    "志明", "淑芬", "家豪", "美玲", "俊傑", "雅婷", "建宏", "怡君", "宗翰", "佩珊", "冠宇", "欣怡",
    "承恩", "詩涵", "柏翰", "宜蓁",
];
/// Rare characters used in given names: CJK Ext-B (outside the BMP and outside Big5) and one
/// BMP character that Big5 also lacks.
const RARE: &[&str] = &["\u{20BB7}", "\u{2000B}", "\u{21A0F}", "\u{233B4}", "堃"];
const COMPANY_WORDS: &[&str] = &["大", "新", "華", "信", "永", "豐", "台", "聯", "達", "成"];
const EMPLOYERS: &[&str] = &[
    "模擬科技股份有限公司",
    "範例食品股份有限公司",
    "示範物流有限公司",
    "虛構建設股份有限公司",
    "測試醫療社團法人",
    "假想電子股份有限公司",
];
const DISTRICTS: &[&str] = &[
    "臺北市大安區",
    "臺北市松山區",
    "臺北市中山區",
    "新北市板橋區",
    "桃園市中壢區",
    "臺中市西屯區",
];
/// Monthly insured-salary grades (NTD), a plausible subset of the labour-insurance table.
const SALARY_GRADES: &[u64] = &[
    27_470, 28_800, 30_300, 31_800, 33_300, 34_800, 36_300, 38_200, 40_100, 42_000, 43_900, 45_800,
];

fn rng(purpose: &str, id: &SubjectId) -> ChaCha20Rng {
    let mut h = Sha256::new();
    h.update(b"custos-upstream-sim/jcic/v1\0");
    h.update(purpose.as_bytes());
    h.update(b"\0");
    h.update(id.as_str().as_bytes());
    ChaCha20Rng::from_seed(h.finalize().into())
}

/// Uniform integer in `0..n` (n ≥ 1) by rejection sampling, no modulo bias.
fn below(rng: &mut ChaCha20Rng, n: u64) -> u64 {
    let n = n.max(1);
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

/// Uniform integer in `lo..=hi`.
fn between(rng: &mut ChaCha20Rng, lo: u64, hi: u64) -> u64 {
    lo + below(rng, hi.saturating_sub(lo) + 1)
}

fn pick<'a, T>(rng: &mut ChaCha20Rng, items: &'a [T]) -> &'a T {
    &items[below(rng, items.len() as u64) as usize]
}

/// The subject's (made-up) name: a person's name, or a company name for a UBN.
pub fn person_name(id: &SubjectId) -> String {
    let mut r = rng("name", id);
    if matches!(id, SubjectId::Business(_)) {
        let a = *pick(&mut r, COMPANY_WORDS);
        let b = *pick(&mut r, COMPANY_WORDS);
        return format!("{a}{b}模擬股份有限公司");
    }
    let surname = *pick(&mut r, SURNAMES);
    let given = *pick(&mut r, GIVEN);
    if below(&mut r, 4) == 0 {
        let rare = *pick(&mut r, RARE);
        let first: String = given.chars().take(1).collect();
        format!("{surname}{first}{rare}")
    } else {
        format!("{surname}{given}")
    }
}

/// Income-tax data for one year (T01).
pub fn tax_income(id: &SubjectId, year: i32) -> Value {
    let mut r = rng(&format!("tax_income/{year}"), id);
    let n = between(&mut r, 1, 3);
    let mut records = Vec::new();
    let mut total = 0u64;
    for i in 0..n {
        let (kind, code, amount) = if i == 0 {
            ("薪資所得", "50", between(&mut r, 300, 2_400) * 1_000)
        } else if below(&mut r, 2) == 0 {
            ("利息所得", "5A", between(&mut r, 1, 80) * 100)
        } else {
            ("股利所得", "54", between(&mut r, 1, 150) * 100)
        };
        total += amount;
        records.push(json!({
            "payer_name": pick(&mut r, EMPLOYERS),
            "income_type": kind,
            "income_code": code,
            "amount_ntd": amount,
        }));
    }
    json!({
        "name": person_name(id),
        "year": year,
        "roc_year": year - 1911,
        "records": records,
        "total_ntd": total,
        "notice": "財稅資料係為課稅目的蒐集，僅供金融徵信案件之參考；若有資料內容疑問時，應向資料主管機關洽詢",
        "simulated": true,
    })
}

/// Property list (T02).
pub fn property_list(id: &SubjectId) -> Value {
    let mut r = rng("property", id);
    let n = below(&mut r, 4);
    let mut items = Vec::new();
    for _ in 0..n {
        let district = *pick(&mut r, DISTRICTS);
        let item = match below(&mut r, 3) {
            0 => json!({
                "kind": "土地",
                "location": format!("{district}模擬段{}小段{}地號", between(&mut r, 1, 9), between(&mut r, 1, 999)),
                "area_m2": between(&mut r, 20, 900),
                "holding_share": format!("1/{}", between(&mut r, 1, 4)),
                "assessed_value_ntd": between(&mut r, 50, 3_000) * 10_000,
            }),
            1 => json!({
                "kind": "建物",
                "location": format!("{district}示範路{}號{}樓", between(&mut r, 1, 300), between(&mut r, 1, 20)),
                "area_m2": between(&mut r, 25, 300),
                "holding_share": "1/1",
                "assessed_value_ntd": between(&mut r, 30, 800) * 10_000,
            }),
            _ => json!({
                "kind": "汽車",
                "location": format!("車號 SIM-{:04}", between(&mut r, 0, 9_999)),
                "area_m2": null,
                "holding_share": "1/1",
                "assessed_value_ntd": between(&mut r, 20, 200) * 10_000,
            }),
        };
        items.push(item);
    }
    json!({ "name": person_name(id), "items": items, "simulated": true })
}

/// Labour-insurance enrolment history with insured salary (L01). Dates are ROC `YYYMMDD`.
pub fn labour_insurance(id: &SubjectId) -> Value {
    let mut r = rng("labour_insurance", id);
    let n = between(&mut r, 1, 4);
    let mut year = between(&mut r, 2005, 2018) as i32;
    let mut enrolments = Vec::new();
    let mut current = Value::Null;
    for i in 0..n {
        let start = (
            year,
            between(&mut r, 1, 12) as u32,
            between(&mut r, 1, 28) as u32,
        );
        let grade = *pick(&mut r, SALARY_GRADES);
        let last = i + 1 == n;
        let end = if last && below(&mut r, 3) != 0 {
            None
        } else {
            year += between(&mut r, 1, 4) as i32;
            Some((
                year,
                between(&mut r, 1, 12) as u32,
                between(&mut r, 1, 28) as u32,
            ))
        };
        if end.is_none() {
            current = json!(grade);
        }
        enrolments.push(json!({
            "employer": pick(&mut r, EMPLOYERS),
            "insurer_code": format!("{:08}", between(&mut r, 0, 99_999_999)),
            "from_roc": roc(start),
            "to_roc": end.map(roc),
            "insured_salary_ntd": grade,
        }));
        year += 1;
    }
    json!({
        "name": person_name(id),
        "enrolments": enrolments,
        "current_insured_salary_ntd": current,
        "simulated": true,
    })
}

fn roc((y, m, d): (i32, u32, u32)) -> String {
    format!("{:03}{m:02}{d:02}", y - 1911)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> SubjectId {
        SubjectId::parse(s).unwrap()
    }

    #[test]
    fn the_same_subject_always_gets_the_same_data() {
        let a = id("A123456789");
        assert_eq!(person_name(&a), person_name(&a));
        assert_eq!(tax_income(&a, 2024), tax_income(&a, 2024));
        assert_eq!(labour_insurance(&a), labour_insurance(&a));
        assert_eq!(property_list(&a), property_list(&a));
    }

    #[test]
    fn a_business_subject_gets_a_company_name() {
        let name = person_name(&id("04595252"));
        assert!(name.ends_with("模擬股份有限公司"), "{name}");
    }

    #[test]
    fn different_subjects_get_different_data() {
        let a = tax_income(&id("A123456789"), 2024);
        let b = tax_income(&id("N262705297"), 2024);
        assert_ne!(a, b);
    }

    #[test]
    fn sampling_below_stays_in_range_and_covers_it() {
        let mut r = rng("test", &id("A123456789"));
        let mut seen = [false; 5];
        for _ in 0..200 {
            let x = below(&mut r, 5);
            seen[x as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn some_names_carry_rare_characters() {
        let ids = [
            "A123456789",
            "N262705297",
            "A800000014",
            "G903711325",
            "AC01234567",
            "AA00000009",
            "ZD78970006",
        ];
        let names: Vec<_> = ids.iter().map(|s| person_name(&id(s))).collect();
        println!("{names:?}");
        assert!(
            names
                .iter()
                .any(|n| n.chars().any(|c| u32::from(c) > 0xFFFF))
        );
    }
}
