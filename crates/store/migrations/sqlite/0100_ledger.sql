-- Tamper-evident ledger (docs/ledger.md, ADR 0102, ADR 0103).
-- Append-only: triggers refuse UPDATE and DELETE on leaves, nodes, checkpoints, keys and tombstones;
-- record tiers may be deleted when their retention ends (a tombstone is written in the same
-- transaction) but never updated; the head only grows.

CREATE TABLE ledger_leaves (
    idx   INTEGER PRIMARY KEY NOT NULL CHECK (idx >= 0),
    ts_ms INTEGER NOT NULL,
    leaf  BLOB NOT NULL CHECK (length(leaf) = 100)
) STRICT;

-- Complete-subtree hashes: node (level, idx) covers leaves idx*2^level .. (idx+1)*2^level.
CREATE TABLE ledger_nodes (
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    hash  BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

-- A record tier, sealed: salt of its commitment, data key wrapped by the installation key,
-- ciphertext; subject_index is the keyed blind index of the subject (never a plain ID).
CREATE TABLE ledger_records (
    idx           INTEGER NOT NULL REFERENCES ledger_leaves (idx),
    tier          TEXT NOT NULL CHECK (tier IN ('fields', 'payload')),
    salt          BLOB NOT NULL CHECK (length(salt) = 32),
    wrapped_key   BLOB NOT NULL,
    ciphertext    BLOB NOT NULL,
    subject_index BLOB CHECK (subject_index IS NULL OR length(subject_index) = 32),
    PRIMARY KEY (idx, tier)
) STRICT;

CREATE INDEX ledger_records_subject ON ledger_records (subject_index) WHERE subject_index IS NOT NULL;

CREATE TABLE ledger_tombstones (
    idx           INTEGER NOT NULL REFERENCES ledger_leaves (idx),
    tier          TEXT NOT NULL CHECK (tier IN ('fields', 'payload')),
    deleted_at_ms INTEGER NOT NULL,
    rule          TEXT NOT NULL CHECK (length(rule) > 0),
    PRIMARY KEY (idx, tier)
) STRICT;

CREATE TABLE ledger_checkpoints (
    id            INTEGER PRIMARY KEY,
    size          INTEGER NOT NULL CHECK (size >= 0),
    note          TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX ledger_checkpoints_size ON ledger_checkpoints (size);

-- Every public key the log ever signed with (old keys stay after rotation).
CREATE TABLE ledger_keys (
    id            INTEGER PRIMARY KEY,
    verifier      TEXT NOT NULL UNIQUE,
    created_at_ms INTEGER NOT NULL
) STRICT;

-- One row: the committed size and newest timestamp (locked by each batch on PostgreSQL).
CREATE TABLE ledger_head (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    size       INTEGER NOT NULL CHECK (size >= 0),
    last_ts_ms INTEGER
) STRICT;

INSERT INTO ledger_head (id, size, last_ts_ms) VALUES (1, 0, NULL);

CREATE TRIGGER ledger_leaves_no_update BEFORE UPDATE ON ledger_leaves
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_leaves'); END;
CREATE TRIGGER ledger_leaves_no_delete BEFORE DELETE ON ledger_leaves
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_leaves'); END;
CREATE TRIGGER ledger_nodes_no_update BEFORE UPDATE ON ledger_nodes
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_nodes'); END;
CREATE TRIGGER ledger_nodes_no_delete BEFORE DELETE ON ledger_nodes
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_nodes'); END;
CREATE TRIGGER ledger_records_no_update BEFORE UPDATE ON ledger_records
BEGIN SELECT RAISE(ABORT, 'ledger records are never updated: ledger_records'); END;
CREATE TRIGGER ledger_tombstones_no_update BEFORE UPDATE ON ledger_tombstones
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_tombstones'); END;
CREATE TRIGGER ledger_tombstones_no_delete BEFORE DELETE ON ledger_tombstones
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_tombstones'); END;
CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_checkpoints'); END;
CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_checkpoints'); END;
CREATE TRIGGER ledger_keys_no_update BEFORE UPDATE ON ledger_keys
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_keys'); END;
CREATE TRIGGER ledger_keys_no_delete BEFORE DELETE ON ledger_keys
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_keys'); END;
CREATE TRIGGER ledger_head_no_delete BEFORE DELETE ON ledger_head
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_head'); END;
CREATE TRIGGER ledger_head_only_grows BEFORE UPDATE ON ledger_head WHEN NEW.size < OLD.size
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: ledger_head'); END;
