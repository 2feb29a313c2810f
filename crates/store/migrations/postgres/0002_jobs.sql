-- Durable job scheduler (issue "Foundations" item 5): job definitions and their run history.
-- A job is due when status = 'scheduled' and next_run_at <= now, or when status = 'running' and its
-- lease has expired (the worker crashed: at-least-once delivery retries it).

CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL CHECK (length(name) > 0),
    kind             TEXT NOT NULL CHECK (kind IN ('one_off', 'periodic')),
    interval_seconds BIGINT CHECK (interval_seconds IS NULL OR interval_seconds > 0),
    payload          TEXT NOT NULL,
    idempotency_key  TEXT UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('scheduled', 'running', 'succeeded', 'failed', 'cancelled')),
    next_run_at      TIMESTAMPTZ,
    attempt          BIGINT NOT NULL CHECK (attempt >= 0),
    max_attempts     BIGINT NOT NULL CHECK (max_attempts >= 1),
    lease_owner      TEXT,
    lease_run_id     BIGINT,
    lease_expires_at TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    CHECK ((kind = 'periodic') = (interval_seconds IS NOT NULL)),
    CHECK ((status = 'scheduled') = (next_run_at IS NOT NULL) OR status = 'running'),
    CHECK ((status = 'running') = (lease_expires_at IS NOT NULL))
);

CREATE INDEX jobs_due ON jobs (status, next_run_at);
CREATE INDEX jobs_lease ON jobs (status, lease_expires_at);

CREATE TABLE job_runs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id        TEXT NOT NULL REFERENCES jobs (id),
    attempt       BIGINT NOT NULL CHECK (attempt >= 1),
    scheduled_for TIMESTAMPTZ NOT NULL,
    worker        TEXT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    outcome       TEXT NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'lease_expired')),
    error         TEXT,
    CHECK ((outcome = 'running') = (finished_at IS NULL))
);

CREATE INDEX job_runs_job ON job_runs (job_id, started_at);
