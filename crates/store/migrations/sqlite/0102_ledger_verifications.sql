-- Full verifications of the stored ledger (docs/ledger.md, "Full verification"): each run of the
-- daily `ledger_verify` job (and the one at start-up) records what it checked and what it found;
-- the /ledger page shows the latest. Rows are only ever added.

CREATE TABLE ledger_verifications (
    id             INTEGER PRIMARY KEY,
    verified_at_ms INTEGER NOT NULL,
    size           INTEGER NOT NULL CHECK (size >= 0),
    intact         INTEGER NOT NULL CHECK (intact IN (0, 1)),
    first_bad      INTEGER CHECK (first_bad IS NULL OR first_bad >= 0),
    message        TEXT NOT NULL,
    duration_ms    INTEGER NOT NULL CHECK (duration_ms >= 0)
) STRICT;

CREATE TRIGGER ledger_verifications_no_update BEFORE UPDATE ON ledger_verifications
BEGIN
    SELECT RAISE(ABORT, 'ledger verifications are append-only: ledger_verifications');
END;
