-- The framework at work: announcements and their commitments, joint projects
-- and their lifecycle, consultations and their action items.
--
-- Editable objects keep their full content as a JSON document (`doc`) plus the
-- columns that queries filter on; `version` increases by one with every change
-- and a write that names a stale version is refused.

CREATE TABLE announcement (
    id @ID@,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    release_date TEXT NOT NULL,
    source_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    -- The release as parsed (front matter fields, body, sentences).
    release_json TEXT NOT NULL,
    -- What extraction found, with evidence.
    extraction_json TEXT NOT NULL,
    -- The file as read.
    source_text TEXT NOT NULL,
    import_batch TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    version BIGINT NOT NULL
);
-- Re-importing the same URL updates the announcement.
CREATE UNIQUE INDEX announcement_url ON announcement (url);

CREATE TABLE commitment (
    id @ID@,
    announcement_id BIGINT NOT NULL REFERENCES announcement (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX commitment_seq ON commitment (announcement_id, seq);

CREATE TABLE project (
    id @ID@,
    framework_id TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX project_framework ON project (framework_id, status);

-- Linked IATI activities by identifier, so links survive re-imports.
CREATE TABLE project_activity (
    project_id BIGINT NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    partner_org TEXT NOT NULL,
    iati_identifier TEXT NOT NULL,
    PRIMARY KEY (project_id, iati_identifier)
);
CREATE INDEX project_activity_identifier ON project_activity (iati_identifier);

CREATE TABLE project_transition (
    id @ID@,
    project_id BIGINT NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    partner_org TEXT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    comment TEXT NOT NULL
);
CREATE INDEX project_transition_project ON project_transition (project_id);

CREATE TABLE consultation (
    id @ID@,
    framework_id TEXT NOT NULL,
    mechanism_id TEXT NOT NULL,
    meeting_date TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE action_item (
    id @ID@,
    consultation_id BIGINT NOT NULL REFERENCES consultation (id) ON DELETE CASCADE,
    agenda_item BIGINT,
    text TEXT NOT NULL,
    owner_org TEXT NOT NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX action_item_owner ON action_item (owner_org, status, due_date);
