-- Full verifications of the stored ledger (docs/ledger.md, "Full verification"): each run of the
-- daily `ledger_verify` job (and the one at start-up) records what it checked and what it found;
-- the /ledger page shows the latest. Rows are only ever added (the application role gets SELECT and
-- INSERT only, ADR 0104).

CREATE TABLE ledger_verifications (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    verified_at_ms BIGINT NOT NULL,
    size           BIGINT NOT NULL CHECK (size >= 0),
    intact         BOOLEAN NOT NULL,
    first_bad      BIGINT CHECK (first_bad IS NULL OR first_bad >= 0),
    message        TEXT NOT NULL,
    duration_ms    BIGINT NOT NULL CHECK (duration_ms >= 0)
);

CREATE FUNCTION ledger_verifications_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger verifications are append-only: ledger_verifications';
END
$$;

CREATE TRIGGER ledger_verifications_no_update BEFORE UPDATE ON ledger_verifications
    FOR EACH ROW EXECUTE FUNCTION ledger_verifications_no_update();
