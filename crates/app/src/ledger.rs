//! The ledger's write path (ADR 0103): the group-commit [`LedgerWriter`], the installation's
//! ledger keys ([`LedgerKeys`]) and checkpoint publication.
//!
//! A use case hands the writer its domain change (a closure over the batch transaction) and its
//! ledger entry, and awaits the reply. One tokio task owns the write path: it blocks on its channel
//! while idle, then takes what is queued (up to [`WriterSettings::max_batch`]) into one
//! transaction, runs each use case inside its own savepoint, appends the entries of those that
//! succeeded, and commits. Only after `COMMIT` returns does any use case get its reply.
//!
//! Cost per use case (ADR 0103): its savepoint is opened lazily, just before its first
//! statement and together with the previous use case's `RELEASE`, in one round trip
//! ([`Tx::mark_savepoint`]); a use case that runs no statement costs none. The batch's leaves,
//! nodes, record tiers and head go to the database in one round trip on SQLite (three fixed
//! `UNNEST` inserts on PostgreSQL). After a batch of several jobs the writer yields to the tasks
//! it just answered, so their next jobs join the next batch instead of a batch of one; it never
//! waits when idle.
//!
//! A clock jump reported by `AppendState` (the clock read earlier than the newest entry, or ran
//! more than a day ahead of the monotonic time that passed) is written as a `clock_jump` entry
//! (operation code `clock.jump`) right after the entry that saw it, in the same batch.
//!
//! Invariants:
//! - a use case returns `Ok` only once its domain change and its ledger entry are durable together;
//!   a use case that fails is rolled back to its savepoint and alone gets the error;
//! - entry indices are contiguous: the in-memory right edge is advanced on a copy and kept only
//!   after `COMMIT`; if the commit fails every use case of the batch fails and the edge is reloaded
//!   from the database;
//! - checkpoints are signed by the writer task between batches over the committed tree only;
//! - record tiers are sealed by the calling task (salt, data key, encryption, commitment) before
//!   the job is queued; the writer only hashes and inserts.

use std::any::Any;
use std::future::Future;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use custos_domain::clock::Clock;
use custos_ledger::append::{AppendState, AppendedEntry, PreparedEntry};
use custos_ledger::checkpoint::Checkpoint;
use custos_ledger::leaf::EntryKind;
use custos_ledger::note::NoteSigner;
use custos_ledger::record::{AuditRecord, ClockJump, SealedTier, SecretKey, Tier};
use custos_ledger::tree::{NodeId, NodeStore, TreeError, perfect_subtrees};
use custos_store::ledger::{LedgerAppendRows, LedgerHead, LedgerRecordRow, LedgerTier};
use custos_store::{Database, StoreError, Tx};
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, SeedableRng};
use tokio::sync::{mpsc, oneshot};

use crate::error::AppError;

/// A boxed future borrowing the batch transaction.
pub type TxFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 't>>;

/// A use case's domain change, run inside its savepoint of the batch transaction.
type Work = Box<dyn for<'t> FnOnce(&'t mut Tx) -> TxFuture<'t, Box<dyn Any + Send>> + Send>;

/// The writer's reply to one job.
type Reply = Result<(Option<Box<dyn Any + Send>>, EntryReceipt), AppError>;

/// Per job of a batch: its outcome so far (`None` once sent).
type Outcomes = Vec<Option<Reply>>;

/// Clock jumps larger than this are stamped monotonically and flagged (one day).
const JUMP_THRESHOLD_MS: i64 = 86_400_000;

/// Most yields the writer makes to let just-answered use cases queue their next jobs.
const YIELDS: usize = 8;

/// The default log origin (the checkpoint key name).
pub const DEFAULT_ORIGIN: &str = "custos.local/ledger";

/// Tuning of the writer.
#[derive(Debug, Clone)]
pub struct WriterSettings {
    /// Largest number of use cases committed in one batch.
    pub max_batch: usize,
    /// Capacity of the job queue (use cases wait to enqueue beyond it).
    pub queue: usize,
    /// Benchmark baseline only (`custos bench ledger`): store constant bytes instead of the leaf
    /// and node hashes. Never set in a running Custos — the ledger would not verify.
    pub raw_baseline: bool,
}

impl Default for WriterSettings {
    fn default() -> Self {
        Self {
            max_batch: 512,
            queue: 1024,
            raw_baseline: false,
        }
    }
}

/// What a use case writes to the ledger: the kind, the acting account and the J4.11 fields
/// (sealed into the fields tier), optionally a payload (sealed into the payload tier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLedgerEntry {
    /// What happened.
    pub kind: EntryKind,
    /// The acting account (UUID bytes); zero for the system.
    pub actor: [u8; 16],
    /// The fields of the entry.
    pub record: AuditRecord,
    /// The payload (e.g. a result, a profile diff), if any.
    pub payload: Option<Vec<u8>>,
    /// Keyed blind index of the subject, if the entry has one (32 bytes).
    pub subject_index: Option<Vec<u8>>,
}

/// An entry whose record tiers are sealed: ready for the writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedLedgerEntry {
    /// The leaf content except index and timestamp.
    pub entry: PreparedEntry,
    /// The sealed tiers (their `index` is assigned by the writer).
    pub records: Vec<LedgerRecordRow>,
}

impl SealedLedgerEntry {
    /// Seals `entry`'s tiers under `kek` (salt, data key, encryption, commitment).
    pub fn seal(
        rng: &mut impl CryptoRng,
        kek: &SecretKey,
        entry: &NewLedgerEntry,
    ) -> Result<Self, AppError> {
        let mut records = Vec::with_capacity(2);
        let (fields, fields_commitment) =
            SealedTier::seal(rng, kek, Tier::Fields, &entry.record.canonical_bytes())
                .map_err(seal_error)?;
        records.push(row(fields, LedgerTier::Fields, entry.subject_index.clone()));
        let payload_commitment = match &entry.payload {
            Some(p) => {
                let (sealed, c) =
                    SealedTier::seal(rng, kek, Tier::Payload, p).map_err(seal_error)?;
                records.push(row(sealed, LedgerTier::Payload, None));
                Some(c)
            }
            None => None,
        };
        Ok(Self {
            entry: PreparedEntry {
                kind: entry.kind,
                actor: entry.actor,
                fields_commitment,
                payload_commitment,
            },
            records,
        })
    }
}

/// An appended entry with the rows that store it: what the writer inserts for each entry, and
/// what tests that write a ledger through the store alone insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRows {
    /// The entry as [`AppendState::append`] gave it (index, timestamp, leaf, nodes, jump).
    pub entry: AppendedEntry,
    /// The complete subtrees the append finished, as stored: `(level, index, hash)`.
    pub nodes: Vec<(u8, u64, [u8; 32])>,
    /// The sealed record tiers, numbered with the entry's index.
    pub records: Vec<LedgerRecordRow>,
}

impl EntryRows {
    /// The rows of `entry`, its sealed `records` numbered with its index.
    #[must_use]
    pub fn new(entry: AppendedEntry, mut records: Vec<LedgerRecordRow>) -> Self {
        for r in &mut records {
            r.index = entry.index;
        }
        let nodes = entry
            .nodes
            .iter()
            .map(|(id, h)| (id.level, id.index, *h))
            .collect();
        Self {
            entry,
            nodes,
            records,
        }
    }

    /// Appends `sealed` to `state` at `now_ms` and returns its rows.
    pub fn append(state: &mut AppendState, now_ms: i64, sealed: SealedLedgerEntry) -> Self {
        let entry = state.append(now_ms, &sealed.entry);
        Self::new(entry, sealed.records)
    }

    /// The rows as the store inserts them.
    #[must_use]
    pub fn rows(&self) -> LedgerAppendRows<'_> {
        LedgerAppendRows {
            index: self.entry.index,
            timestamp_ms: self.entry.timestamp_ms,
            leaf: &self.entry.leaf,
            nodes: &self.nodes,
            records: &self.records,
        }
    }

    /// The raw baseline of `custos bench ledger`: the same inserts with constant leaf and node
    /// bytes instead of the hashes.
    fn into_raw_baseline(mut self) -> Self {
        self.entry.leaf = [9; custos_ledger::leaf::LEAF_LEN];
        for n in &mut self.nodes {
            n.2 = [6; 32];
        }
        self
    }
}

fn row(sealed: SealedTier, tier: LedgerTier, subject_index: Option<Vec<u8>>) -> LedgerRecordRow {
    LedgerRecordRow {
        index: 0,
        tier,
        salt: sealed.salt.to_vec(),
        wrapped_key: sealed.wrapped_key,
        ciphertext: sealed.ciphertext,
        subject_index,
    }
}

fn seal_error(e: impl std::fmt::Display) -> AppError {
    AppError::Rule(format!(
        "帳本紀錄無法加密 / the ledger record cannot be sealed: {e}"
    ))
}

/// Where an entry landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryReceipt {
    /// Its index in the ledger.
    pub index: u64,
    /// Its timestamp, unix milliseconds.
    pub timestamp_ms: i64,
}

/// A published checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedCheckpoint {
    /// Entries covered.
    pub size: u64,
    /// The signed note.
    pub note: String,
    /// The file written for witnesses, if a witness directory is set.
    pub file: Option<PathBuf>,
}

/// The installation's ledger keys: the Ed25519 checkpoint signing key and the key-encryption key
/// of the record tiers.
#[derive(Debug, Clone)]
pub struct LedgerKeys {
    /// Signs checkpoints; its name is the log origin.
    pub signer: Arc<NoteSigner>,
    /// Wraps the per-record data keys.
    pub kek: Arc<SecretKey>,
}

/// File of the checkpoint signing key (C2SP `PRIVATE+KEY+…` line) inside the key directory.
pub const SIGNING_KEY_FILE: &str = "checkpoint.skey";
/// File of the key-encryption key (64 hex digits, the `--kek-file` format).
pub const KEK_FILE: &str = "kek.hex";

impl LedgerKeys {
    /// Loads the keys from `dir` (`<data>/ledger/`), creating them with `rng` at first start.
    /// New files are written with mode 0600. Returns the keys and whether they were created.
    pub fn load_or_create(
        dir: &Path,
        origin: &str,
        rng: &mut impl CryptoRng,
    ) -> Result<(Self, bool), AppError> {
        let io = |p: &Path, e: std::io::Error| {
            AppError::Rule(format!(
                "無法存取帳本金鑰 {0} / cannot access the ledger key {0}: {e}",
                p.display()
            ))
        };
        let skey_path = dir.join(SIGNING_KEY_FILE);
        let kek_path = dir.join(KEK_FILE);
        match (skey_path.exists(), kek_path.exists()) {
            (true, true) => {
                let skey = std::fs::read_to_string(&skey_path).map_err(|e| io(&skey_path, e))?;
                let signer = NoteSigner::from_skey(skey.trim()).map_err(|e| {
                    AppError::Rule(format!(
                        "簽章金鑰無效 {0} / invalid signing key {0}: {e}",
                        skey_path.display()
                    ))
                })?;
                let kek = read_kek_file(&kek_path)?;
                Ok((
                    Self {
                        signer: Arc::new(signer),
                        kek: Arc::new(kek),
                    },
                    false,
                ))
            }
            (false, false) => {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
                let signer = NoteSigner::generate(origin, rng).map_err(|e| {
                    AppError::Rule(format!("記錄來源名稱無效 / invalid log origin: {e}"))
                })?;
                let kek = SecretKey::generate(rng);
                write_private(&kek_path, &hex::encode(kek.0)).map_err(|e| io(&kek_path, e))?;
                write_private(&skey_path, &signer.to_skey()).map_err(|e| io(&skey_path, e))?;
                Ok((
                    Self {
                        signer: Arc::new(signer),
                        kek: Arc::new(kek),
                    },
                    true,
                ))
            }
            _ => Err(AppError::Rule(format!(
                "帳本金鑰不完整：{0} 中只有一把金鑰，拒絕另建 / incomplete ledger keys: only one of \
                 {SIGNING_KEY_FILE} and {KEK_FILE} is in {0}; refusing to create the other",
                dir.display()
            ))),
        }
    }

    /// Records the public key in the `ledger_keys` table (idempotent).
    pub async fn register(&self, db: &Database, clock: &dyn Clock) -> Result<(), AppError> {
        let mut tx = db.begin().await?;
        tx.ledger_insert_key(
            &self.signer.verifier().to_string(),
            clock.now().timestamp_millis(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Reads a key-encryption key file: 64 hex digits.
pub fn read_kek_file(path: &Path) -> Result<SecretKey, AppError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AppError::Rule(format!(
            "無法讀取 {0} / cannot read {0}: {e}",
            path.display()
        ))
    })?;
    let bytes = hex::decode(text.trim()).ok();
    let key: [u8; 32] = bytes.and_then(|b| b.try_into().ok()).ok_or_else(|| {
        AppError::Rule(format!(
            "金鑰須為 64 個十六進位數字 / the key must be 64 hex digits ({})",
            path.display()
        ))
    })?;
    Ok(SecretKey(key))
}

/// Writes `text` and a newline to a new file with mode 0600 and syncs it (key files).
pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}

enum Msg {
    Append(Job),
    Checkpoint(oneshot::Sender<Result<PublishedCheckpoint, AppError>>),
    /// Finish what was queued before, then stop.
    Shutdown,
}

struct Job {
    work: Option<Work>,
    sealed: SealedLedgerEntry,
    reply: oneshot::Sender<Reply>,
}

/// The application's single write path to the ledger (ADR 0103). Cheap to clone.
#[derive(Clone)]
pub struct LedgerWriter {
    tx: mpsc::Sender<Msg>,
    keys: LedgerKeys,
    rng: Arc<Mutex<ChaCha20Rng>>,
    task: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl std::fmt::Debug for LedgerWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerWriter")
            .field("origin", &self.keys.signer.name())
            .finish_non_exhaustive()
    }
}

fn closed() -> AppError {
    AppError::Rule("帳本寫入器已停止 / the ledger writer has stopped".into())
}

impl LedgerWriter {
    /// Starts the writer task on the current tokio runtime. `rng_seed` seeds the generator that
    /// seals record tiers (from the OS in the binary, fixed in tests); `witness_dir`, if given,
    /// receives every published checkpoint as a file.
    pub fn start(
        db: Database,
        clock: Arc<dyn Clock>,
        keys: LedgerKeys,
        rng_seed: [u8; 32],
        witness_dir: Option<PathBuf>,
        settings: WriterSettings,
    ) -> Self {
        let (tx, rx) = mpsc::channel(settings.queue.max(1));
        let rng = Arc::new(Mutex::new(ChaCha20Rng::from_seed(rng_seed)));
        let task = tokio::spawn(
            WriterTask {
                db,
                clock,
                signer: keys.signer.clone(),
                kek: keys.kek.clone(),
                rng: rng.clone(),
                behind: false,
                last_read: None,
                witness_dir,
                settings,
                state: None,
            }
            .run(rx),
        );
        Self {
            tx,
            keys,
            rng,
            task: Arc::new(Mutex::new(Some(task))),
        }
    }

    /// The keys the writer seals and signs with.
    pub fn keys(&self) -> &LedgerKeys {
        &self.keys
    }

    /// Seals `entry` with the writer's key-encryption key (on the calling task).
    pub fn seal(&self, entry: &NewLedgerEntry) -> Result<SealedLedgerEntry, AppError> {
        let mut rng = self
            .rng
            .lock()
            .map_err(|_| AppError::Rule("帳本亂數產生器失效 / ledger RNG poisoned".into()))?;
        SealedLedgerEntry::seal(&mut *rng, &self.keys.kek, entry)
    }

    /// Runs `use_case` inside its own savepoint of the next batch transaction and appends `entry`
    /// in the same transaction; returns once both are durable. If `use_case` fails, its changes
    /// are rolled back, no entry is written, and its error is returned.
    pub async fn submit<T, F>(
        &self,
        entry: NewLedgerEntry,
        use_case: F,
    ) -> Result<(T, EntryReceipt), AppError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> TxFuture<'t, T> + Send + 'static,
    {
        let sealed = self.seal(&entry)?;
        self.submit_sealed(sealed, use_case).await
    }

    /// [`Self::submit`] with an entry the caller has sealed already (e.g. with its own RNG).
    pub async fn submit_sealed<T, F>(
        &self,
        sealed: SealedLedgerEntry,
        use_case: F,
    ) -> Result<(T, EntryReceipt), AppError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> TxFuture<'t, T> + Send + 'static,
    {
        let work: Work = Box::new(move |tx| {
            let fut = use_case(tx);
            Box::pin(async move { fut.await.map(|v| Box::new(v) as Box<dyn Any + Send>) })
        });
        let (value, receipt) = self.send(sealed, Some(work)).await?;
        let value = value
            .and_then(|v| v.downcast::<T>().ok())
            .ok_or_else(closed)?;
        Ok((*value, receipt))
    }

    /// Appends an entry that has no domain change (no savepoint); returns once it is durable.
    pub async fn append(&self, sealed: SealedLedgerEntry) -> Result<EntryReceipt, AppError> {
        Ok(self.send(sealed, None).await?.1)
    }

    async fn send(
        &self,
        sealed: SealedLedgerEntry,
        work: Option<Work>,
    ) -> Result<(Option<Box<dyn Any + Send>>, EntryReceipt), AppError> {
        let (reply, wait) = oneshot::channel();
        self.tx
            .send(Msg::Append(Job {
                work,
                sealed,
                reply,
            }))
            .await
            .map_err(|_| closed())?;
        wait.await.map_err(|_| closed())?
    }

    /// Signs a checkpoint over the committed tree, stores it and writes it to the witness
    /// directory. Runs on the writer task between batches.
    pub async fn checkpoint(&self) -> Result<PublishedCheckpoint, AppError> {
        let (reply, wait) = oneshot::channel();
        self.tx
            .send(Msg::Checkpoint(reply))
            .await
            .map_err(|_| closed())?;
        wait.await.map_err(|_| closed())?
    }

    /// Finishes the work queued before this call, stops the writer task (also for every clone:
    /// later calls get an error) and waits for it.
    pub async fn shutdown(self) {
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        let _ = self.tx.send(Msg::Shutdown).await;
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

struct WriterTask {
    db: Database,
    clock: Arc<dyn Clock>,
    signer: Arc<NoteSigner>,
    /// Seals the writer's own entries (`clock_jump`).
    kek: Arc<SecretKey>,
    rng: Arc<Mutex<ChaCha20Rng>>,
    /// The committed entries stand on a clock that went backwards (their timestamps are held at
    /// the newest one until it catches up): recorded once, not for every entry meanwhile.
    behind: bool,
    /// When this task last read the clock, by the monotonic clock, and what the clock said: a
    /// forward jump is only a jump if the clock ran ahead of the time that really passed (a
    /// weekend without entries is not one).
    last_read: Option<(std::time::Instant, i64)>,
    witness_dir: Option<PathBuf>,
    settings: WriterSettings,
    /// The committed right edge, if known.
    state: Option<AppendState>,
}

impl WriterTask {
    async fn run(mut self, mut rx: mpsc::Receiver<Msg>) {
        let max = self.settings.max_batch.max(1);
        let mut batch = Vec::with_capacity(max);
        let mut pending_checkpoints = Vec::new();
        let mut stopping = false;
        // Size of the previous batch: its use cases were just answered and will soon queue
        // their next jobs.
        let mut previous = 0usize;
        while let Some(first) = rx.recv().await {
            // Never waits when idle: only after a batch of several jobs, and only by yielding to
            // the tasks already runnable (those just answered), as long as the queue still grows.
            if previous > 1 {
                let target = previous.min(max);
                for _ in 0..YIELDS {
                    let queued = rx.len() + 1;
                    if queued >= target {
                        break;
                    }
                    tokio::task::yield_now().await;
                    if rx.len() + 1 == queued {
                        break;
                    }
                }
            }
            let mut next = Some(first);
            while let Some(msg) = next.take() {
                match msg {
                    Msg::Append(job) => batch.push(job),
                    Msg::Checkpoint(reply) => pending_checkpoints.push(reply),
                    Msg::Shutdown => stopping = true,
                }
                if batch.len() < max && !stopping {
                    next = rx.try_recv().ok();
                }
            }
            previous = batch.len();
            if !batch.is_empty() {
                self.commit_batch(&mut batch).await;
            }
            for reply in pending_checkpoints.drain(..) {
                let _ = reply.send(self.publish_checkpoint().await);
            }
            if stopping {
                break;
            }
        }
    }

    async fn commit_batch(&mut self, batch: &mut Vec<Job>) {
        let mut outcomes: Outcomes = Vec::with_capacity(batch.len());
        let result = self.try_commit_batch(batch, &mut outcomes).await;
        if let Err(e) = &result {
            // Nothing of the batch is durable: every use case that had succeeded fails now.
            self.state = None;
            tracing::error!(error = %e, "ledger batch failed to commit");
        }
        for (i, job) in batch.drain(..).enumerate() {
            let outcome = match (&result, outcomes.get_mut(i).and_then(Option::take)) {
                (_, Some(Err(e))) => Err(e),
                (Ok(()), Some(Ok(v))) => Ok(v),
                (Err(e), _) => Err(AppError::Rule(format!(
                    "帳本批次未能提交 / the ledger batch did not commit: {e}"
                ))),
                (Ok(()), None) => Err(closed()),
            };
            let _ = job.reply.send(outcome);
        }
    }

    async fn try_commit_batch(
        &mut self,
        batch: &mut [Job],
        outcomes: &mut Outcomes,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        let head = tx.ledger_head().await?;
        // Another instance appended since (or the state is unknown): reopen the right edge.
        let mut st = match self.state.take() {
            Some(s) if s.size() == head.size => s,
            _ => open_state(&mut tx, head.size, head.last_ts_ms).await?,
        };
        let raw = self.settings.raw_baseline;
        let mut appended = Vec::with_capacity(batch.len());
        let mut last_ts = head.last_ts_ms;
        let mut behind = self.behind;
        for job in batch.iter_mut() {
            let value = match job.work.take() {
                Some(work) => {
                    // Opened lazily before the use case's first statement, together with the
                    // previous use case's RELEASE (one round trip; none if it runs no statement).
                    tx.mark_savepoint("uc")?;
                    match work(&mut tx).await {
                        Ok(v) => {
                            tx.end_savepoint("uc", true).await?;
                            Some(v)
                        }
                        Err(e) => {
                            tx.end_savepoint("uc", false).await?;
                            outcomes.push(Some(Err(e)));
                            continue;
                        }
                    }
                }
                None => None,
            };
            let now_ms = self.clock.now().timestamp_millis();
            let read_at = std::time::Instant::now();
            let previous_ts = last_ts;
            let a = st.append(now_ms, &job.sealed.entry);
            let jump = match a.jump {
                Some(ClockJump::Forwards { by_ms }) => {
                    let elapsed = self.last_read.map(|(at, wall)| {
                        let real = i64::try_from(read_at.duration_since(at).as_millis())
                            .unwrap_or(i64::MAX);
                        now_ms.saturating_sub(wall).saturating_sub(real)
                    });
                    // Without an earlier reading (after a restart) a long gap is downtime.
                    elapsed
                        .is_some_and(|ahead| ahead > JUMP_THRESHOLD_MS)
                        .then_some(ClockJump::Forwards { by_ms })
                }
                other => other,
            };
            self.last_read = Some((read_at, now_ms));
            let jump_entry = if let Some(jump) = jump {
                tracing::warn!(?jump, index = a.index, "ledger clock jump");
                let first = !matches!(jump, ClockJump::Backwards { .. }) || !behind;
                behind = matches!(jump, ClockJump::Backwards { .. });
                first.then(|| self.clock_jump_entry(jump, now_ms, a.timestamp_ms, previous_ts))
            } else {
                behind = false;
                None
            };
            let mut rows = EntryRows::new(a, std::mem::take(&mut job.sealed.records));
            if raw {
                rows = rows.into_raw_baseline();
            }
            last_ts = Some(rows.entry.timestamp_ms);
            outcomes.push(Some(Ok((
                value,
                EntryReceipt {
                    index: rows.entry.index,
                    timestamp_ms: rows.entry.timestamp_ms,
                },
            ))));
            appended.push(rows);
            // The log itself shows the jump: a `clock_jump` entry right after the entry that saw
            // it, in the same batch.
            match jump_entry {
                Some(Ok(sealed)) => {
                    let mut rows = EntryRows::append(&mut st, now_ms, sealed);
                    if raw {
                        rows = rows.into_raw_baseline();
                    }
                    last_ts = Some(rows.entry.timestamp_ms);
                    appended.push(rows);
                }
                Some(Err(e)) => tracing::error!(error = %e, "clock_jump entry not sealed"),
                None => {}
            }
        }
        let rows: Vec<LedgerAppendRows<'_>> = appended.iter().map(EntryRows::rows).collect();
        let committed = async {
            if !rows.is_empty() {
                tx.ledger_append_batch_head(
                    &rows,
                    Some(LedgerHead {
                        size: st.size(),
                        last_ts_ms: last_ts,
                    }),
                )
                .await?;
            }
            tx.commit().await
        }
        .await;
        if committed.is_ok() {
            self.state = Some(st);
            self.behind = behind;
        }
        committed
    }

    /// A `clock_jump` entry (operation code `clock.jump`): the clock read `observed_ms` where
    /// the previous entry was stamped `previous_ms`; the entry that saw it was stamped
    /// `stamped_ms` (timestamps never go backwards).
    fn clock_jump_entry(
        &self,
        jump: ClockJump,
        observed_ms: i64,
        stamped_ms: i64,
        previous_ms: Option<i64>,
    ) -> Result<SealedLedgerEntry, AppError> {
        let (direction, by_ms) = match jump {
            ClockJump::Backwards { by_ms } => ("backwards", by_ms),
            ClockJump::Forwards { by_ms } => ("forwards", by_ms),
        };
        let previous = previous_ms.map_or_else(String::new, |p| p.to_string());
        let entry = NewLedgerEntry {
            kind: EntryKind::CLOCK_JUMP,
            actor: [0; 16],
            record: AuditRecord {
                account: "system".into(),
                ip: String::new(),
                occurred_at_ms: observed_ms,
                operation_code: "clock.jump".into(),
                conditions: format!(
                    "direction={direction} by_ms={by_ms} observed_ms={observed_ms} \
                     stamped_ms={stamped_ms} previous_ms={previous}"
                ),
                case_number: String::new(),
                reason: format!(
                    "系統時鐘{} {by_ms} 毫秒 / the system clock jumped {direction} by {by_ms} ms",
                    if direction == "backwards" {
                        "倒退"
                    } else {
                        "向前跳"
                    }
                ),
            },
            payload: None,
            subject_index: None,
        };
        let mut rng = self
            .rng
            .lock()
            .map_err(|_| AppError::Rule("帳本亂數產生器失效 / ledger RNG poisoned".into()))?;
        SealedLedgerEntry::seal(&mut *rng, &self.kek, &entry)
    }

    /// Signs the committed tree (never in-flight state), stores the note and writes it for
    /// witnesses.
    async fn publish_checkpoint(&mut self) -> Result<PublishedCheckpoint, AppError> {
        let mut tx = self.db.begin().await?;
        let head = tx.ledger_head().await?;
        let st = match self.state.take() {
            Some(s) if s.size() == head.size => s,
            _ => open_state(&mut tx, head.size, head.last_ts_ms).await?,
        };
        let checkpoint = Checkpoint::new(self.signer.name(), st.size(), st.root());
        self.state = Some(st);
        let note = checkpoint
            .sign(&self.signer)
            .map_err(|e| {
                AppError::Rule(format!("檢查點無法簽署 / cannot sign the checkpoint: {e}"))
            })?
            .to_string();
        let now = self.clock.now();
        tx.ledger_insert_checkpoint(checkpoint.size, &note, now.timestamp_millis())
            .await?;
        tx.commit().await?;
        let file = match &self.witness_dir {
            Some(dir) => Some(
                write_witness_file(dir, checkpoint.size, &note).map_err(|e| {
                    AppError::Rule(format!(
                        "無法寫入見證目錄 {0} / cannot write the witness directory {0}: {e}",
                        dir.display()
                    ))
                })?,
            ),
            None => None,
        };
        Ok(PublishedCheckpoint {
            size: checkpoint.size,
            note,
            file,
        })
    }
}

/// Writes `checkpoint.<size>` and replaces `checkpoint` (the latest) in `dir`, atomically.
fn write_witness_file(dir: &Path, size: u64, note: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let file = dir.join(format!("checkpoint.{size}"));
    let tmp = dir.join(".checkpoint.tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(note.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::copy(&tmp, &file)?;
    std::fs::rename(&tmp, dir.join("checkpoint"))?;
    Ok(file)
}

/// Reopens the right edge of a ledger of `size` entries from its ≤ 64 stored nodes.
async fn open_state(
    tx: &mut Tx,
    size: u64,
    last_ts_ms: Option<i64>,
) -> Result<AppendState, StoreError> {
    let ids: Vec<(u8, u64)> = perfect_subtrees(0, size)
        .iter()
        .map(|n| (n.level, n.index))
        .collect();
    let hashes = tx.ledger_nodes(&ids).await?;
    let mut edge = SparseNodes(Vec::new());
    for ((level, index), h) in ids.into_iter().zip(hashes) {
        let h = h.ok_or_else(|| {
            StoreError::Corrupt(format!("節點遺失 / missing ledger node ({level}, {index})"))
        })?;
        edge.0.push((NodeId { level, index }, h));
    }
    AppendState::open(size, last_ts_ms, JUMP_THRESHOLD_MS, &edge)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A handful of nodes looked up by id.
struct SparseNodes(Vec<(NodeId, [u8; 32])>);

impl NodeStore for SparseNodes {
    fn node(&self, id: NodeId) -> Result<Option<[u8; 32]>, TreeError> {
        Ok(self.0.iter().find(|(n, _)| *n == id).map(|(_, h)| *h))
    }

    fn put_node(&mut self, id: NodeId, hash: [u8; 32]) -> Result<(), TreeError> {
        self.0.push((id, hash));
        Ok(())
    }
}
