-- Which ledger entry recorded which domain change (docs/ledger.md, "Entries on detail pages").
-- A use case knows its entry's fields commitment before the writer assigns the entry's index, so it
-- inserts (subject, commitment) in its own savepoint; when the writer inserts the leaf in the same
-- transaction, the trigger below fills in the index. The link is therefore as atomic as the change
-- and its entry. One entry may record several subjects (an institution and its head office).

CREATE TABLE ledger_refs (
    id           INTEGER PRIMARY KEY,
    subject_type TEXT NOT NULL CHECK (subject_type IN ('institution', 'org_unit', 'profile_change')),
    subject_id   TEXT NOT NULL CHECK (length(subject_id) > 0),
    commitment   BLOB NOT NULL CHECK (length(commitment) = 32),
    ledger_index INTEGER CHECK (ledger_index IS NULL OR ledger_index >= 0),
    UNIQUE (subject_type, subject_id, commitment)
) STRICT;

CREATE INDEX ledger_refs_subject ON ledger_refs (subject_type, subject_id);
-- Small: only links whose entry is not yet inserted (the current batch).
CREATE INDEX ledger_refs_pending ON ledger_refs (commitment) WHERE ledger_index IS NULL;

-- Leaf bytes 36..68 are the fields commitment (leaf layout v1, docs/ledger.md).
CREATE TRIGGER ledger_refs_resolve AFTER INSERT ON ledger_leaves
WHEN EXISTS (SELECT 1 FROM ledger_refs WHERE ledger_index IS NULL)
BEGIN
    UPDATE ledger_refs SET ledger_index = NEW.idx
    WHERE ledger_index IS NULL AND commitment = substr(NEW.leaf, 37, 32);
END;

-- A resolved link never changes.
CREATE TRIGGER ledger_refs_fixed BEFORE UPDATE ON ledger_refs WHEN OLD.ledger_index IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'ledger links are never changed: ledger_refs'); END;
