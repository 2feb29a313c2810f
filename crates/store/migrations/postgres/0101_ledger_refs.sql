-- Which ledger entry recorded which domain change (docs/ledger.md, "Entries on detail pages").
-- A use case knows its entry's fields commitment before the writer assigns the entry's index, so it
-- inserts (subject, commitment) in its own savepoint; when the writer inserts the leaves in the same
-- transaction, the statement trigger below fills in the index. The link is therefore as atomic as the
-- change and its entry. One entry may record several subjects (an institution and its head office).
-- The application role needs SELECT, INSERT and UPDATE on this table (the trigger runs as the caller).

CREATE TABLE ledger_refs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_type TEXT NOT NULL CHECK (subject_type IN ('institution', 'org_unit', 'profile_change')),
    subject_id   TEXT NOT NULL CHECK (length(subject_id) > 0),
    commitment   BYTEA NOT NULL CHECK (octet_length(commitment) = 32),
    ledger_index BIGINT CHECK (ledger_index IS NULL OR ledger_index >= 0),
    UNIQUE (subject_type, subject_id, commitment)
);

CREATE INDEX ledger_refs_subject ON ledger_refs (subject_type, subject_id);
-- Small: only links whose entry is not yet inserted (the current batch).
CREATE INDEX ledger_refs_pending ON ledger_refs (commitment) WHERE ledger_index IS NULL;

-- Leaf bytes 36..68 are the fields commitment (leaf layout v1, docs/ledger.md). One call per
-- INSERT statement (the writer inserts a batch's leaves in a few multi-row statements).
CREATE FUNCTION ledger_refs_resolve() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ledger_refs WHERE ledger_index IS NULL) THEN
        UPDATE ledger_refs r SET ledger_index = n.idx
        FROM new_leaves n
        WHERE r.ledger_index IS NULL AND r.commitment = substring(n.leaf FROM 37 FOR 32);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_refs_resolve AFTER INSERT ON ledger_leaves
    REFERENCING NEW TABLE AS new_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refs_resolve();

-- A resolved link never changes.
CREATE FUNCTION ledger_refs_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.ledger_index IS NOT NULL THEN
        RAISE EXCEPTION 'ledger links are never changed: ledger_refs';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_refs_fixed BEFORE UPDATE ON ledger_refs
    FOR EACH ROW EXECUTE FUNCTION ledger_refs_fixed();
