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
    pub ledger_full_verification: &'static str,
    pub ledger_full_time: &'static str,
    pub ledger_full_size: &'static str,
    pub ledger_full_result: &'static str,
    pub ledger_full_intact: &'static str,
    pub ledger_full_broken: &'static str,
    pub ledger_full_none: &'static str,
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
    pub ledger_entry_heading: &'static str,
    pub ledger_entry_heading_end: &'static str,
    pub ledger_entry_intro: &'static str,
    pub ledger_col_index: &'static str,
    pub ledger_col_time: &'static str,
    pub ledger_col_kind: &'static str,
    pub ledger_leaf_hash: &'static str,
    pub ledger_leaf: &'static str,
    pub ledger_tiers: &'static str,
    pub ledger_col_tier: &'static str,
    pub ledger_col_state: &'static str,
    pub ledger_col_deleted_at: &'static str,
    pub ledger_col_rule: &'static str,
    pub ledger_tier_fields: &'static str,
    pub ledger_tier_payload: &'static str,
    pub ledger_state_held: &'static str,
    pub ledger_state_tombstoned: &'static str,
    pub ledger_state_missing: &'static str,
    pub ledger_proof_heading: &'static str,
    pub ledger_proof_verified: &'static str,
    pub ledger_proof_failed: &'static str,
    pub ledger_proof_against: &'static str,
    pub ledger_proof_root: &'static str,
    pub ledger_proof_path: &'static str,
    pub ledger_proof_step: &'static str,
    pub ledger_proof_hash: &'static str,
    pub ledger_proof_empty_path: &'static str,
    pub ledger_proof_no_checkpoint: &'static str,
    pub ledger_offline_heading: &'static str,
    pub ledger_offline_intro: &'static str,
    pub ledger_offline_api: &'static str,
    pub ledger_entries_heading: &'static str,
    pub ledger_entries_empty: &'static str,
    pub ledger_older: &'static str,
    pub ledger_newest: &'static str,
    pub ledger_recorded_heading: &'static str,
    pub ledger_recorded_empty: &'static str,
    pub ledger_col_what: &'static str,
    pub ledger_col_proof: &'static str,
    pub ledger_proof_pending: &'static str,
    pub inst_heading: &'static str,
    pub inst_units: &'static str,
    pub inst_profile_changes: &'static str,
    pub col_version: &'static str,
    pub col_changed_by: &'static str,
    pub col_reason: &'static str,
    pub col_changed_at: &'static str,
    pub col_unit_code: &'static str,
    pub ledger_kinds: [(&'static str, &'static str); 15],
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
    ledger_full_verification: "最近一次完整驗證",
    ledger_full_time: "驗證時間",
    ledger_full_size: "驗證筆數",
    ledger_full_result: "結果",
    ledger_full_intact: "完整",
    ledger_full_broken: "發現竄改或不一致",
    ledger_full_none: "尚未執行完整驗證（每日工作 ledger_verify；亦可離線執行 custos ledger verify）。",
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
    ledger_entry_heading: "帳本紀錄第",
    ledger_entry_heading_end: "筆",
    ledger_entry_intro: "每筆帳本紀錄只公開其葉節點（種類、時間與對加密紀錄之加鹽承諾），不含個人資料；紀錄內容加密另存，依保存期限刪除後留下墓碑，樹與檢查點仍可驗證。時間為臺北時間。",
    ledger_col_index: "序號",
    ledger_col_time: "時間",
    ledger_col_kind: "種類",
    ledger_leaf_hash: "葉雜湊",
    ledger_leaf: "葉節點（十六進位）",
    ledger_tiers: "紀錄分層",
    ledger_col_tier: "分層",
    ledger_col_state: "狀態",
    ledger_col_deleted_at: "刪除時間",
    ledger_col_rule: "保存規則",
    ledger_tier_fields: "欄位層（J4.11 欄位）",
    ledger_tier_payload: "內容層",
    ledger_state_held: "保存中（加密）",
    ledger_state_tombstoned: "已刪除（留有墓碑）",
    ledger_state_missing: "遺失：請執行 custos ledger verify",
    ledger_proof_heading: "包含證明",
    ledger_proof_verified: "已驗證 ✓",
    ledger_proof_failed: "驗證失敗 ✗：請執行 custos ledger verify",
    ledger_proof_against: "對應最新檢查點（涵蓋筆數）",
    ledger_proof_root: "檢查點根雜湊",
    ledger_proof_path: "稽核路徑（由下而上）",
    ledger_proof_step: "步驟",
    ledger_proof_hash: "雜湊",
    ledger_proof_empty_path: "此檢查點只涵蓋這一筆：葉雜湊即為根雜湊。",
    ledger_proof_no_checkpoint: "尚無檢查點涵蓋此筆；下一次發布檢查點（每 10 分鐘，或執行 custos ledger checkpoint）後即可驗證。",
    ledger_offline_heading: "離線驗證",
    ledger_offline_intro: "稽核人員可匯出帳本，在不信任本系統的情況下自行檢查此證明與所有檢查點簽章：",
    ledger_offline_api: "機器可讀的同一證明：",
    ledger_entries_heading: "帳本紀錄",
    ledger_entries_empty: "帳本尚無紀錄。",
    ledger_older: "較早的紀錄",
    ledger_newest: "最新的紀錄",
    ledger_recorded_heading: "帳本紀錄與包含證明",
    ledger_recorded_empty: "沒有帳本紀錄記載此項目（本功能啟用前建立者不在此列）。",
    ledger_col_what: "記載事項",
    ledger_col_proof: "包含證明",
    ledger_proof_pending: "待下一個檢查點",
    inst_heading: "機構",
    inst_units: "組織單位",
    inst_profile_changes: "控管設定變更紀錄",
    col_version: "版本",
    col_changed_by: "變更人",
    col_reason: "原因",
    col_changed_at: "變更時間",
    col_unit_code: "單位代號",
    ledger_kinds: [
        ("lookup_granted", "查詢（核准送出）"),
        ("lookup_refused", "查詢（拒絕）"),
        ("result_read", "閱覽查詢結果"),
        ("result_unmasked", "顯示未遮蔽結果"),
        ("sign_in", "登入"),
        ("sign_in_failed", "登入失敗"),
        ("lockout", "帳號鎖定"),
        ("role_change", "角色變更"),
        ("approval", "核准"),
        ("sign_off", "主管簽核"),
        ("export", "資料匯出"),
        ("profile_change", "組織或控管設定變更"),
        ("deletion", "資料刪除"),
        ("key_rotation", "簽章金鑰輪替"),
        ("clock_jump", "時鐘跳動"),
    ],
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
    ledger_full_verification: "Latest full verification",
    ledger_full_time: "Verified at",
    ledger_full_size: "Entries checked",
    ledger_full_result: "Result",
    ledger_full_intact: "Intact",
    ledger_full_broken: "Tampering or inconsistency found",
    ledger_full_none: "No full verification has run yet (daily job ledger_verify; offline: custos ledger verify).",
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
    ledger_entry_heading: "Ledger entry",
    ledger_entry_heading_end: "",
    ledger_entry_intro: "An entry shows only its leaf (kind, time and salted commitments to its encrypted record), never personal data; the record is stored apart, encrypted, and leaves a tombstone when its retention ends — the tree and every checkpoint still verify. Times are Taipei time.",
    ledger_col_index: "Index",
    ledger_col_time: "Time",
    ledger_col_kind: "Kind",
    ledger_leaf_hash: "Leaf hash",
    ledger_leaf: "Leaf (hex)",
    ledger_tiers: "Record tiers",
    ledger_col_tier: "Tier",
    ledger_col_state: "State",
    ledger_col_deleted_at: "Deleted at",
    ledger_col_rule: "Retention rule",
    ledger_tier_fields: "Fields tier (J4.11 fields)",
    ledger_tier_payload: "Payload tier",
    ledger_state_held: "Held (encrypted)",
    ledger_state_tombstoned: "Deleted (tombstone)",
    ledger_state_missing: "Missing: run custos ledger verify",
    ledger_proof_heading: "Inclusion proof",
    ledger_proof_verified: "verified ✓",
    ledger_proof_failed: "verification failed ✗: run custos ledger verify",
    ledger_proof_against: "Against the newest checkpoint (entries covered)",
    ledger_proof_root: "Checkpoint root",
    ledger_proof_path: "Audit path (bottom-up)",
    ledger_proof_step: "Step",
    ledger_proof_hash: "Hash",
    ledger_proof_empty_path: "The checkpoint covers only this entry: its leaf hash is the root.",
    ledger_proof_no_checkpoint: "No checkpoint covers this entry yet; it can be verified once the next checkpoint is published (every 10 minutes, or run custos ledger checkpoint).",
    ledger_offline_heading: "Verify offline",
    ledger_offline_intro: "An auditor can export the ledger and check this proof and every checkpoint signature without trusting this system:",
    ledger_offline_api: "The same proof, machine-readable:",
    ledger_entries_heading: "Entries",
    ledger_entries_empty: "The ledger has no entries yet.",
    ledger_older: "Older entries",
    ledger_newest: "Newest entries",
    ledger_recorded_heading: "Ledger entries and their inclusion proofs",
    ledger_recorded_empty: "No ledger entry records this (items created before this feature are not linked).",
    ledger_col_what: "What it records",
    ledger_col_proof: "Inclusion proof",
    ledger_proof_pending: "awaiting the next checkpoint",
    inst_heading: "Institution",
    inst_units: "Org units",
    inst_profile_changes: "Control-profile changes",
    col_version: "Version",
    col_changed_by: "Changed by",
    col_reason: "Reason",
    col_changed_at: "Changed at",
    col_unit_code: "Unit code",
    ledger_kinds: [
        ("lookup_granted", "lookup (granted)"),
        ("lookup_refused", "lookup (refused)"),
        ("result_read", "result read"),
        ("result_unmasked", "result unmasked"),
        ("sign_in", "sign-in"),
        ("sign_in_failed", "failed sign-in"),
        ("lockout", "lockout"),
        ("role_change", "role change"),
        ("approval", "approval"),
        ("sign_off", "sign-off"),
        ("export", "export"),
        ("profile_change", "organisation or profile change"),
        ("deletion", "deletion"),
        ("key_rotation", "signing key rotation"),
        ("clock_jump", "clock jump"),
    ],
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
