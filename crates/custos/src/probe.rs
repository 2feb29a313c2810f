//! The monitoring probe's application side: appends one `write_probe` ledger entry through the
//! group-commit writer and reports where it landed (`POST /api/ledger/probe`,
//! `custos_web::routes::probe`).
//!
//! Invariants: the answer is given only after the writer's batch committed (the writer replies
//! after `COMMIT`), and its leaf hash is recomputed from exactly the fields the writer encoded
//! (index and timestamp from the receipt, the rest from the sealed entry), so a monitor can later
//! find the same hash in an export of the log. The entry holds no personal data.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use custos_app::ledger::{LedgerWriter, NewLedgerEntry};
use custos_domain::clock::Clock;
use custos_ledger::leaf::{EntryKind, Leaf};
use custos_ledger::record::AuditRecord;
use custos_web::error::WebError;
use custos_web::routes::probe::{ProbeReceipt, WriteProbe};

/// Operation code of probe entries (in their sealed fields tier).
pub const PROBE_OPERATION: &str = "ledger.probe";

/// [`WriteProbe`] over the running ledger writer.
#[derive(Debug)]
pub struct LedgerProbe {
    writer: LedgerWriter,
    clock: Arc<dyn Clock>,
}

impl LedgerProbe {
    /// A probe appending through `writer`.
    pub fn new(writer: LedgerWriter, clock: Arc<dyn Clock>) -> Self {
        Self { writer, clock }
    }

    async fn append(&self) -> Result<ProbeReceipt, WebError> {
        let entry = NewLedgerEntry {
            kind: EntryKind::WRITE_PROBE,
            actor: [0; 16],
            record: AuditRecord {
                account: "custos-probe".to_owned(),
                ip: String::new(),
                occurred_at_ms: self.clock.now().timestamp_millis(),
                operation_code: PROBE_OPERATION.to_owned(),
                conditions: String::new(),
                case_number: String::new(),
                reason: "write-path probe".to_owned(),
            },
            payload: None,
            subject_index: None,
        };
        let sealed = self
            .writer
            .seal(&entry)
            .map_err(|e| WebError::Internal(e.to_string()))?;
        let prepared = sealed.entry;
        let receipt = self
            .writer
            .append(sealed)
            .await
            .map_err(|e| WebError::Unavailable(crate::wiring::redact_url(&e.to_string())))?;
        let leaf = Leaf {
            index: receipt.index,
            timestamp_ms: receipt.timestamp_ms,
            kind: prepared.kind,
            actor: prepared.actor,
            fields_commitment: prepared.fields_commitment,
            payload_commitment: prepared.payload_commitment,
        }
        .encode();
        Ok(ProbeReceipt {
            index: receipt.index,
            timestamp_ms: receipt.timestamp_ms,
            leaf_hash: hex::encode(custos_ledger::hash::leaf_hash(&leaf)),
        })
    }
}

impl WriteProbe for LedgerProbe {
    fn probe(&self) -> Pin<Box<dyn Future<Output = Result<ProbeReceipt, WebError>> + Send + '_>> {
        Box::pin(self.append())
    }
}
