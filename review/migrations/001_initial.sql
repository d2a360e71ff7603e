-- The review queue, version 1. Applied once by review/store.py, recorded in schema_migrations.

CREATE TABLE packages (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,                 -- the applicant: folder or zip name without extension
    source TEXT NOT NULL,               -- the path screened
    rubric TEXT NOT NULL,
    track TEXT NOT NULL DEFAULT '',     -- '' when the rubric has no tracks
    rubric_version TEXT NOT NULL DEFAULT '',
    as_of TEXT NOT NULL,
    candidate_total REAL,
    max_total REAL,
    bonus_candidate REAL,
    bonus_max REAL,
    missing_mandatory TEXT NOT NULL DEFAULT '[]',  -- JSON list of indicator ids
    pass_result TEXT,                   -- JSON or NULL
    values_json TEXT NOT NULL DEFAULT '{}',        -- values supplied with the screening (platform data, indices)
    reviewer_values TEXT NOT NULL DEFAULT '{}',    -- values reviewers entered; they win over supplied ones
    error_code TEXT,                    -- the whole package could not be read
    error_message TEXT,
    screened_at TEXT NOT NULL,
    screen_count INTEGER NOT NULL DEFAULT 1,
    UNIQUE (name, rubric, track)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    package_id INTEGER NOT NULL REFERENCES packages(id),
    path TEXT NOT NULL,
    sha256 TEXT,
    format TEXT,
    pages INTEGER NOT NULL DEFAULT 0,
    doc_type TEXT,
    level TEXT,
    issuer TEXT,
    doc_number TEXT,
    date TEXT,
    title TEXT,
    confidence REAL,
    error_code TEXT,
    error_message TEXT,
    evidence TEXT NOT NULL,             -- the Evidence record as JSON
    page_texts TEXT NOT NULL DEFAULT '[]',  -- JSON list, one string per page
    UNIQUE (package_id, path)
);
CREATE INDEX documents_package ON documents(package_id);

-- Full-text search for reviewers; trigram, because the default tokenizer finds nothing in Chinese.
CREATE VIRTUAL TABLE documents_fts USING fts5(path, title, text, tokenize='trigram');

CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    package_id INTEGER NOT NULL REFERENCES packages(id),
    indicator TEXT NOT NULL,
    position INTEGER NOT NULL,          -- the rubric's own order
    title TEXT NOT NULL DEFAULT '',
    max_score REAL,
    mandatory INTEGER NOT NULL DEFAULT 0,
    bonus INTEGER NOT NULL DEFAULT 0,
    candidate_score REAL,               -- what the machine suggests now
    status TEXT NOT NULL,               -- scored | no_evidence | needs_review | not_assessable
    rationale TEXT NOT NULL DEFAULT '',
    score_json TEXT NOT NULL,           -- the IndicatorScore record as JSON
    state TEXT NOT NULL DEFAULT 'open', -- open | confirmed | adjusted | onsite
    final_score REAL,                   -- the reviewer's score (confirmed or adjusted)
    decided_by TEXT,
    decided_at TEXT,
    candidate_at_decision REAL,         -- the candidate the reviewer saw when deciding
    changed_since_decision INTEGER NOT NULL DEFAULT 0,  -- a re-run changed the candidate after a decision
    rejected_evidence TEXT NOT NULL DEFAULT '[]',        -- JSON list of document paths rejected for this item
    remark TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1, -- bumped on every change; a decision names the version it saw
    updated_at TEXT NOT NULL,
    UNIQUE (package_id, indicator)
);
CREATE INDEX items_package ON items(package_id, position);

-- The audit log: append-only. Every decision, who, when, before, after, why.
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    kind TEXT NOT NULL,                 -- confirm | adjust | reject_evidence | onsite_check | enter_value | reopen
    reviewer TEXT NOT NULL,
    at TEXT NOT NULL,
    before REAL,
    after REAL,
    reason TEXT NOT NULL DEFAULT '',
    evidence_path TEXT,
    value_name TEXT,
    item_version INTEGER NOT NULL
);
CREATE INDEX decisions_item ON decisions(item_id);
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('reviewer', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE assignments (
    package_id INTEGER NOT NULL REFERENCES packages(id),
    user_name TEXT NOT NULL REFERENCES users(name),
    assigned_at TEXT NOT NULL,
    assigned_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (package_id, user_name)
);
