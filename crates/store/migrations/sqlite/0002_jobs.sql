-- Durable job scheduler (issue "Foundations" item 5): job definitions and their run history.
-- A job is due when status = 'scheduled' and next_run_at <= now, or when status = 'running' and its
-- lease has expired (the worker crashed: at-least-once delivery retries it).

CREATE TABLE jobs (
    id               TEXT PRIMARY KEY NOT NULL,
    name             TEXT NOT NULL CHECK (length(name) > 0),
    kind             TEXT NOT NULL CHECK (kind IN ('one_off', 'periodic')),
    interval_seconds INTEGER CHECK (interval_seconds IS NULL OR interval_seconds > 0),
    payload          TEXT NOT NULL,
    idempotency_key  TEXT UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('scheduled', 'running', 'succeeded', 'failed', 'cancelled')),
    next_run_at      TEXT,
    attempt          INTEGER NOT NULL CHECK (attempt >= 0),
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    lease_owner      TEXT,
    lease_run_id     INTEGER,
    lease_expires_at TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((kind = 'periodic') = (interval_seconds IS NOT NULL)),
    CHECK ((status = 'scheduled') = (next_run_at IS NOT NULL) OR status = 'running'),
    CHECK ((status = 'running') = (lease_expires_at IS NOT NULL))
) STRICT;

CREATE INDEX jobs_due ON jobs (status, next_run_at);
CREATE INDEX jobs_lease ON jobs (status, lease_expires_at);

CREATE TABLE job_runs (
    id            INTEGER PRIMARY KEY,
    job_id        TEXT NOT NULL REFERENCES jobs (id),
    attempt       INTEGER NOT NULL CHECK (attempt >= 1),
    scheduled_for TEXT NOT NULL,
    worker        TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    outcome       TEXT NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'lease_expired')),
    error         TEXT,
    CHECK ((outcome = 'running') = (finished_at IS NULL))
) STRICT;

CREATE INDEX job_runs_job ON job_runs (job_id, started_at);
