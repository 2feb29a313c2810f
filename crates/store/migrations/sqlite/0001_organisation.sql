-- Organisation model (issue "Foundations" item 4; J0.2, J0.3, J0.4).
-- Institutions, their org-unit tree and the record of every control-profile change.
-- Timestamps are RFC 3339 text in UTC written by the application (lexicographic order = time order);
-- the PostgreSQL file of the same name uses TIMESTAMPTZ.

CREATE TABLE institutions (
    id              TEXT PRIMARY KEY NOT NULL,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL CHECK (length(name) > 0),
    kind            TEXT NOT NULL CHECK (kind IN ('bank', 'land_office', 'household_registration_office', 'bureau')),
    query_methods   TEXT NOT NULL,
    profile         TEXT NOT NULL,
    profile_version INTEGER NOT NULL CHECK (profile_version >= 1),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE TABLE org_units (
    id             TEXT PRIMARY KEY NOT NULL,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    parent_id      TEXT,
    code           TEXT NOT NULL CHECK (length(code) > 0),
    name           TEXT NOT NULL CHECK (length(name) > 0),
    kind           TEXT NOT NULL CHECK (kind IN ('head_office', 'branch', 'section')),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (institution_id, code),
    UNIQUE (institution_id, id),
    -- A parent belongs to the same institution.
    FOREIGN KEY (institution_id, parent_id) REFERENCES org_units (institution_id, id),
    CHECK (parent_id IS NULL OR parent_id <> id),
    -- The head office is the root and only the root.
    CHECK ((parent_id IS NULL) = (kind = 'head_office'))
) STRICT;

-- Exactly one root (head office) per institution.
CREATE UNIQUE INDEX org_units_one_root ON org_units (institution_id) WHERE parent_id IS NULL;
CREATE INDEX org_units_parent ON org_units (parent_id);

CREATE TABLE profile_changes (
    id               INTEGER PRIMARY KEY,
    institution_id   TEXT NOT NULL REFERENCES institutions (id),
    version          INTEGER NOT NULL CHECK (version >= 1),
    previous_profile TEXT,
    new_profile      TEXT NOT NULL,
    changed_by       TEXT NOT NULL CHECK (length(changed_by) > 0),
    reason           TEXT NOT NULL,
    changed_at       TEXT NOT NULL,
    UNIQUE (institution_id, version)
) STRICT;
