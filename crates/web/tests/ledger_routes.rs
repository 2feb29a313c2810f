//! The ledger routes over the real router with a fake ledger port: a Custos without a ledger
//! answers 404, parameters are checked before the ledger is asked, query errors map to their
//! status in both languages, and a proof that did not verify is shown as failed.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::sync::Arc;

use axum::body::Body;
use custos_app::ledger_proofs::{
    CheckpointInfo, CheckpointPage, ConsistencyProof, EntryInfo, EntrySummary, InclusionProof,
    LedgerOverview, LedgerQueryError, LedgerTier, RootSource, TierState,
};
use custos_web::error::WebError;
use custos_web::metrics::Metrics;
use custos_web::routes::home::{HomeViews, InstitutionView, JobRunView};
use custos_web::routes::ledger::{InstitutionDetail, LedgerFuture, LedgerViews};
use custos_web::state::RequestIds;
use custos_web::{AppState, ReadinessProbe};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

#[derive(Debug)]
struct Ready;

impl ReadinessProbe for Ready {
    fn check(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async { Ok(()) })
    }
}

/// A ledger of 3 entries whose newest checkpoint (size 3) does not match entry 1's proof.
#[derive(Debug)]
struct FakeLedger {
    with_ledger: bool,
}

fn checkpoint() -> CheckpointInfo {
    CheckpointInfo {
        size: 3,
        root: Some([7; 32]),
        note: "custos.test/ledger\n3\nBwcH\n\n— custos.test/ledger AAAA\n".into(),
        created_at_ms: 1_748_741_400_000,
        signed_by: vec!["custos.test/ledger+0a0b0c0d".into()],
        signature_valid: true,
    }
}

impl HomeViews for FakeLedger {
    fn institutions(
        &self,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Vec<InstitutionView>, WebError>> + Send + '_>,
    > {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn job_runs(
        &self,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Vec<JobRunView>, WebError>> + Send + '_>,
    > {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn ledger(&self) -> Option<&dyn LedgerViews> {
        self.with_ledger.then_some(self as &dyn LedgerViews)
    }
}

impl LedgerViews for FakeLedger {
    fn overview(&self) -> LedgerFuture<'_, LedgerOverview> {
        Box::pin(async {
            Ok(LedgerOverview {
                size: 3,
                latest: Some(checkpoint()),
                public_keys: vec!["custos.test/ledger+0a0b0c0d+AQ".into()],
            })
        })
    }

    fn checkpoints(&self, _page: u64, _per_page: u32) -> LedgerFuture<'_, CheckpointPage> {
        Box::pin(async {
            Ok(CheckpointPage {
                total: 1,
                items: vec![checkpoint()],
            })
        })
    }

    fn entry(&self, index: u64) -> LedgerFuture<'_, EntryInfo> {
        Box::pin(async move {
            if index >= 3 {
                return Err(LedgerQueryError::NoEntry(index));
            }
            Ok(EntryInfo {
                index,
                timestamp_ms: 1_748_741_400_000,
                kind: 25,
                kind_name: Some("key_rotation"),
                leaf: vec![1; 100],
                leaf_hash: [2; 32],
                tiers: vec![
                    (LedgerTier::Fields, TierState::Held),
                    (
                        LedgerTier::Payload,
                        TierState::Tombstoned {
                            deleted_at_ms: 1_748_741_400_000,
                            rule: "J6.1".into(),
                        },
                    ),
                ],
            })
        })
    }

    fn recent_entries(
        &self,
        _before: Option<u64>,
        _limit: u32,
    ) -> LedgerFuture<'_, Vec<EntrySummary>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn inclusion(&self, index: u64, size: Option<u64>) -> LedgerFuture<'_, InclusionProof> {
        Box::pin(async move {
            Ok(InclusionProof {
                index,
                size: size.unwrap_or(3),
                leaf_hash: [2; 32],
                path: vec![[3; 32], [4; 32]],
                root: [7; 32],
                root_source: RootSource::Checkpoint,
                checkpoint: Some(checkpoint()),
                verified: false,
            })
        })
    }

    fn consistency(&self, _from: u64, _to: Option<u64>) -> LedgerFuture<'_, ConsistencyProof> {
        Box::pin(async {
            Err(LedgerQueryError::BadRequest {
                code: "from_after_to",
                zh_tw: "起始大小大於結束大小".into(),
                en: "from is larger than to".into(),
            })
        })
    }

    fn institution(&self, _code: String) -> LedgerFuture<'_, Option<InstitutionDetail>> {
        Box::pin(async { Ok(None) })
    }
}

fn app(with_ledger: bool) -> axum::Router {
    custos_web::router(AppState {
        readiness: Arc::new(Ready),
        request_ids: RequestIds::new("test"),
        metrics: Metrics::global(),
        views: Arc::new(FakeLedger { with_ledger }),
    })
}

async fn get(router: &axum::Router, path: &str, cookie: &str) -> (StatusCode, String) {
    let req = Request::get(path).header("cookie", cookie);
    let response = router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn without_a_ledger_the_ledger_routes_are_not_found() {
    let router = app(false);
    for path in ["/api/ledger", "/api/ledger/entries/0", "/ledger/entries/0"] {
        assert_eq!(
            get(&router, path, "").await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // The ledger page itself still renders, without entries.
    assert_eq!(get(&router, "/ledger", "").await.0, StatusCode::OK);
}

#[tokio::test]
async fn query_errors_keep_their_status_and_both_languages() {
    let router = app(true);
    let (status, body) = get(&router, "/api/ledger/consistency?from=3&to=1", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["error"]["code"], "from_after_to");
    assert_eq!(json["error"]["message_zh_tw"], "起始大小大於結束大小");
    assert_eq!(json["error"]["message_en"], "from is larger than to");
    let (status, body) = get(&router, "/api/ledger/entries/7", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("ledger_entry_not_found"));
    // A page error is a page, in the chosen language.
    let (status, body) = get(&router, "/ledger/entries/x1", "custos_lang=en").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("must be a non-negative integer"), "{body}");
    assert!(body.contains(r#"<html lang="en">"#));
}

#[tokio::test]
async fn an_entry_page_shows_tiers_and_a_failed_proof_as_failed() {
    let router = app(true);
    let (status, body) = get(&router, "/ledger/entries/1", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("驗證失敗 ✗"), "{body}");
    assert!(!body.contains("已驗證 ✓"));
    assert!(body.contains("簽章金鑰輪替"));
    assert!(body.contains("已刪除（留有墓碑）"));
    assert!(body.contains("J6.1"));
    assert!(body.contains(&"03".repeat(32)));
    let (_, body) = get(&router, "/api/ledger/entries/1", "").await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["tiers"][1]["state"], "tombstoned");
    assert_eq!(json["tiers"][1]["rule"], "J6.1");
    assert_eq!(json["leaf_hash"], "02".repeat(32));
}
