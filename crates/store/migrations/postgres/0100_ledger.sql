-- Tamper-evident ledger (docs/ledger.md, ADR 0102, ADR 0103).
-- Append-only: triggers refuse UPDATE, DELETE and TRUNCATE on leaves, nodes, checkpoints, keys and
-- tombstones; record tiers may be deleted when their retention ends (a tombstone is written in the
-- same transaction) but never updated; the head only grows. The application role should also lack
-- UPDATE/DELETE on these tables (docs/ledger.md); migrations run as the owner.

CREATE TABLE ledger_leaves (
    idx   BIGINT PRIMARY KEY CHECK (idx >= 0),
    ts_ms BIGINT NOT NULL,
    leaf  BYTEA NOT NULL CHECK (octet_length(leaf) = 100)
);

-- Complete-subtree hashes: node (level, idx) covers leaves idx*2^level .. (idx+1)*2^level.
CREATE TABLE ledger_nodes (
    level BIGINT NOT NULL CHECK (level BETWEEN 0 AND 63),
    idx   BIGINT NOT NULL CHECK (idx >= 0),
    hash  BYTEA NOT NULL CHECK (octet_length(hash) = 32),
    PRIMARY KEY (level, idx)
);

-- A record tier, sealed: salt of its commitment, data key wrapped by the installation key,
-- ciphertext; subject_index is the keyed blind index of the subject (never a plain ID).
CREATE TABLE ledger_records (
    idx           BIGINT NOT NULL REFERENCES ledger_leaves (idx),
    tier          TEXT NOT NULL CHECK (tier IN ('fields', 'payload')),
    salt          BYTEA NOT NULL CHECK (octet_length(salt) = 32),
    wrapped_key   BYTEA NOT NULL,
    ciphertext    BYTEA NOT NULL,
    subject_index BYTEA CHECK (subject_index IS NULL OR octet_length(subject_index) = 32),
    PRIMARY KEY (idx, tier)
);

CREATE INDEX ledger_records_subject ON ledger_records (subject_index) WHERE subject_index IS NOT NULL;

CREATE TABLE ledger_tombstones (
    idx           BIGINT NOT NULL REFERENCES ledger_leaves (idx),
    tier          TEXT NOT NULL CHECK (tier IN ('fields', 'payload')),
    deleted_at_ms BIGINT NOT NULL,
    rule          TEXT NOT NULL CHECK (length(rule) > 0),
    PRIMARY KEY (idx, tier)
);

CREATE TABLE ledger_checkpoints (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    size          BIGINT NOT NULL CHECK (size >= 0),
    note          TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE INDEX ledger_checkpoints_size ON ledger_checkpoints (size);

-- Every public key the log ever signed with (old keys stay after rotation).
CREATE TABLE ledger_keys (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    verifier      TEXT NOT NULL UNIQUE,
    created_at_ms BIGINT NOT NULL
);

-- One row: the committed size and newest timestamp, locked FOR UPDATE by each batch so that several
-- instances append without gaps or duplicates.
CREATE TABLE ledger_head (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    size       BIGINT NOT NULL CHECK (size >= 0),
    last_ts_ms BIGINT
);

INSERT INTO ledger_head (id, size, last_ts_ms) VALUES (1, 0, NULL);

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger is append-only: %', TG_TABLE_NAME;
END
$$;

CREATE FUNCTION ledger_head_only_grows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.size < OLD.size THEN
        RAISE EXCEPTION 'ledger is append-only: ledger_head';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_leaves_append_only BEFORE UPDATE OR DELETE ON ledger_leaves
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_nodes_append_only BEFORE UPDATE OR DELETE ON ledger_nodes
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_records_no_update BEFORE UPDATE ON ledger_records
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_tombstones_append_only BEFORE UPDATE OR DELETE ON ledger_tombstones
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_keys_append_only BEFORE UPDATE OR DELETE ON ledger_keys
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_head_no_delete BEFORE DELETE ON ledger_head
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_head_grows BEFORE UPDATE ON ledger_head
    FOR EACH ROW EXECUTE FUNCTION ledger_head_only_grows();
CREATE TRIGGER ledger_leaves_no_truncate BEFORE TRUNCATE ON ledger_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_nodes_no_truncate BEFORE TRUNCATE ON ledger_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_records_no_truncate BEFORE TRUNCATE ON ledger_records
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_tombstones_no_truncate BEFORE TRUNCATE ON ledger_tombstones
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_keys_no_truncate BEFORE TRUNCATE ON ledger_keys
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_head_no_truncate BEFORE TRUNCATE ON ledger_head
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
