//! Languages of the user interface: Traditional Chinese first, English second.
//!
//! The catalogue is a struct with one field per text, filled once per language. A text missing in
//! one language is a compile error, not a blank on a page (see docs/adr/0004-ui-text-catalogue.md).

use axum::extract::FromRequestParts;
use http::request::Parts;

/// Name of the cookie that keeps the chosen language.
pub const LANG_COOKIE: &str = "custos_lang";

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Traditional Chinese (Taiwan), the default.
    #[default]
    ZhTw,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag used in `lang` attributes and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhTw => "zh-TW",
            Lang::En => "en",
        }
    }

    /// Parses a tag as stored in the cookie; unknown tags are `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag {
            "zh-TW" | "zh-tw" | "zh" => Some(Lang::ZhTw),
            "en" | "en-US" | "en-GB" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch link.
    #[must_use]
    pub fn other(self) -> Lang {
        match self {
            Lang::ZhTw => Lang::En,
            Lang::En => Lang::ZhTw,
        }
    }

    /// The texts of this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::ZhTw => &ZH_TW,
            Lang::En => &EN,
        }
    }

    /// Reads the language from a `Cookie` header value.
    pub fn from_cookie_header(header: &str) -> Lang {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Lang::from_tag(value))
            .unwrap_or_default()
    }

    /// Reads the language of a request (cookie, else the default).
    pub fn of_headers(headers: &http::HeaderMap) -> Lang {
        headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(Lang::from_cookie_header)
            .find(|lang| *lang != Lang::default())
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::of_headers(&parts.headers))
    }
}

/// Every text of the shell, in one language.
#[derive(Debug)]
pub struct Texts {
    pub product: &'static str,
    pub tagline: &'static str,
    pub switch_to: &'static str,
    pub nav_home: &'static str,
    pub nav_organisation: &'static str,
    pub nav_api: &'static str,
    pub nav_jobs: &'static str,
    pub nav_ledger: &'static str,
    pub ledger_heading: &'static str,
    pub ledger_intro: &'static str,
    pub ledger_size: &'static str,
    pub ledger_checkpoint: &'static str,
    pub ledger_no_checkpoint: &'static str,
    pub ledger_checkpoint_size: &'static str,
    pub ledger_checkpoint_time: &'static str,
    pub ledger_checkpoint_key: &'static str,
    pub ledger_verification: &'static str,
    pub ledger_intact: &'static str,
    pub ledger_broken: &'static str,
    pub ledger_not_verified: &'static str,
    pub jobs_heading: &'static str,
    pub jobs_intro: &'static str,
    pub jobs_empty: &'static str,
    pub col_job: &'static str,
    pub col_attempt: &'static str,
    pub col_scheduled_for: &'static str,
    pub col_started: &'static str,
    pub col_finished: &'static str,
    pub col_outcome: &'static str,
    pub col_error: &'static str,
    pub outcome_succeeded: &'static str,
    pub outcome_failed: &'static str,
    pub outcome_running: &'static str,
    pub skip_to_content: &'static str,
    pub home_intro: &'static str,
    pub home_try: &'static str,
    pub home_try_items: [&'static str; 4],
    pub org_heading: &'static str,
    pub org_empty: &'static str,
    pub col_code: &'static str,
    pub col_name: &'static str,
    pub col_kind: &'static str,
    pub col_profile: &'static str,
    pub col_methods: &'static str,
    pub col_units: &'static str,
    pub api_heading: &'static str,
    pub api_intro: &'static str,
    pub api_method: &'static str,
    pub api_path: &'static str,
    pub api_summary: &'static str,
    pub error_heading: &'static str,
    pub error_request_id: &'static str,
    pub error_back_home: &'static str,
    pub not_found: &'static str,
    pub internal_error: &'static str,
    pub footer: &'static str,
}

/// Traditional Chinese.
pub static ZH_TW: Texts = Texts {
    product: "Custos 查詢治理系統",
    tagline: "公務機關資料查詢之目的、授權、核准與稽核軌跡，一次到位",
    switch_to: "English",
    nav_home: "首頁",
    nav_organisation: "機構與單位",
    nav_api: "API 文件",
    nav_jobs: "排程作業",
    nav_ledger: "防竄改帳本",
    ledger_heading: "防竄改帳本",
    ledger_intro: "每次查詢與每次控管設定變更都寫入帳本（J0.4、J4.11）；檢查點定期以本機金鑰簽署，供外部見證與離線驗證（custos ledger verify）。時間為臺北時間。",
    ledger_size: "帳本筆數",
    ledger_checkpoint: "最新檢查點",
    ledger_no_checkpoint: "尚未發布檢查點。",
    ledger_checkpoint_size: "涵蓋筆數",
    ledger_checkpoint_time: "簽署時間",
    ledger_checkpoint_key: "簽署金鑰",
    ledger_verification: "最近一次驗證",
    ledger_intact: "完整：帳本與最新檢查點一致",
    ledger_broken: "不一致",
    ledger_not_verified: "尚未驗證。",
    jobs_heading: "排程作業執行紀錄",
    jobs_intro: "系統排程作業（例如控管基準定期檢視提醒，J0.4）最近 100 次執行情形；時間為臺北時間。",
    jobs_empty: "尚無執行紀錄。排程作業會在伺服器啟動後依時執行。",
    col_job: "作業",
    col_attempt: "次數",
    col_scheduled_for: "預定時間",
    col_started: "開始",
    col_finished: "結束",
    col_outcome: "結果",
    col_error: "錯誤訊息",
    outcome_succeeded: "成功",
    outcome_failed: "失敗",
    outcome_running: "執行中",
    skip_to_content: "跳至主要內容",
    home_intro: "Custos 協助金融機構經聯徵中心查詢公務機關資料（財稅、勞保），並協助地政事務所比對印鑑，\
        確保每一次查詢皆有合法目的、當事人授權與指定人員，並留存可供稽核五年之完整軌跡。",
    home_try: "可以先試試：",
    home_try_items: [
        "瀏覽「機構與單位」：示範銀行（總行與兩家分行，聯徵中心控管基準）、地政事務所與戶政事務所（臺北市基準）。",
        "切換語言（右上角），偏好會保存在瀏覽器中。",
        "檢視 API 文件（/api/docs），以及機器可讀的 /api/openapi.json。",
        "監控端點：/healthz、/readyz、/metrics。",
    ],
    org_heading: "機構與單位",
    org_empty: "尚無機構資料。請執行 custos demo 建立示範資料，或由管理者新增機構。",
    col_code: "機構代號",
    col_name: "名稱",
    col_kind: "類別",
    col_profile: "控管基準",
    col_methods: "查詢方式",
    col_units: "單位",
    api_heading: "API 文件",
    api_intro: "以下為 Custos 提供之 HTTP 介面；完整規格請下載 OpenAPI 文件。",
    api_method: "方法",
    api_path: "路徑",
    api_summary: "說明",
    error_heading: "發生錯誤",
    error_request_id: "請求編號",
    error_back_home: "回首頁",
    not_found: "找不到您要的頁面。",
    internal_error: "系統發生內部錯誤，請稍後再試；如持續發生，請將請求編號告知系統管理者。",
    footer: "Custos — 日期以民國紀年顯示，時間為臺北時間（UTC+8）。",
};

/// English.
pub static EN: Texts = Texts {
    product: "Custos lookup governance",
    tagline: "Purpose, consent, approval and audit trail for every lookup of government-agency data",
    switch_to: "中文",
    nav_home: "Home",
    nav_organisation: "Institutions and units",
    nav_api: "API docs",
    nav_jobs: "Jobs",
    nav_ledger: "Ledger",
    ledger_heading: "Tamper-evident ledger",
    ledger_intro: "Every lookup and every control-profile change is written to the ledger (J0.4, J4.11); checkpoints are signed with this installation's key at regular intervals for witnesses and offline verification (custos ledger verify). Times are Taipei time.",
    ledger_size: "Entries",
    ledger_checkpoint: "Latest checkpoint",
    ledger_no_checkpoint: "No checkpoint published yet.",
    ledger_checkpoint_size: "Entries covered",
    ledger_checkpoint_time: "Signed at",
    ledger_checkpoint_key: "Signing key",
    ledger_verification: "Latest verification",
    ledger_intact: "Intact: the ledger matches its latest checkpoint",
    ledger_broken: "Mismatch",
    ledger_not_verified: "Not verified yet.",
    jobs_heading: "Scheduled job runs",
    jobs_intro: "The latest 100 runs of scheduled jobs (such as the control-profile review reminder, J0.4); times are Taipei time.",
    jobs_empty: "No runs yet. Scheduled jobs run on time once the server is up.",
    col_job: "Job",
    col_attempt: "Attempt",
    col_scheduled_for: "Scheduled for",
    col_started: "Started",
    col_finished: "Finished",
    col_outcome: "Outcome",
    col_error: "Error",
    outcome_succeeded: "succeeded",
    outcome_failed: "failed",
    outcome_running: "running",
    skip_to_content: "Skip to main content",
    home_intro: "Custos helps banks look up government-agency data (tax, labour insurance) through JCIC \
        and helps land offices compare seal imprints — each lookup with a lawful purpose, the data \
        subject's consent and designated staff, and a trail auditors can verify for five years.",
    home_try: "Things to try:",
    home_try_items: [
        "Browse \"Institutions and units\": the demo bank (head office and two branches, JCIC profile), a land office and a household registration office (Taipei profile).",
        "Switch the language (top right); the choice is kept in your browser.",
        "Read the API docs (/api/docs) and the machine-readable /api/openapi.json.",
        "Monitoring endpoints: /healthz, /readyz, /metrics.",
    ],
    org_heading: "Institutions and units",
    org_empty: "No institutions yet. Run custos demo to create demo data, or ask an administrator to add one.",
    col_code: "Institution code",
    col_name: "Name",
    col_kind: "Kind",
    col_profile: "Control profile",
    col_methods: "Query methods",
    col_units: "Units",
    api_heading: "API documentation",
    api_intro: "The HTTP interface of Custos. Download the OpenAPI document for the full specification.",
    api_method: "Method",
    api_path: "Path",
    api_summary: "Summary",
    error_heading: "Something went wrong",
    error_request_id: "Request id",
    error_back_home: "Back to the home page",
    not_found: "The page you asked for does not exist.",
    internal_error: "Custos hit an internal error. Please try again later; if it persists, give the request id to your administrator.",
    footer: "Custos — times are Taipei time (UTC+8).",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_language_is_traditional_chinese() {
        assert_eq!(Lang::from_cookie_header(""), Lang::ZhTw);
        assert_eq!(Lang::from_cookie_header("other=1"), Lang::ZhTw);
    }

    #[test]
    fn the_language_cookie_selects_english() {
        assert_eq!(Lang::from_cookie_header("a=b; custos_lang=en"), Lang::En);
        assert_eq!(Lang::from_cookie_header("custos_lang=xx"), Lang::ZhTw);
    }
}
