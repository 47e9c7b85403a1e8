-- The IATI store: import runs, datasets, activities and the parts of the activity
-- model that are queried. The complete activity is kept as a JSON document
-- (`activity.doc`) so nothing the reader extracts is lost.
--
-- Portable SQL for SQLite and PostgreSQL. `@ID@` is the auto-assigned primary key
-- (INTEGER PRIMARY KEY on SQLite, an identity column on PostgreSQL).
-- Money: exact decimal strings (`value`) plus the effective ISO 4217 currency.
-- Dates: ISO `YYYY-MM-DD` text; timestamps: RFC 3339 UTC text.

CREATE TABLE import_run (
    id @ID@,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    origin TEXT NOT NULL,
    actor TEXT,
    files_imported BIGINT NOT NULL DEFAULT 0,
    files_unchanged BIGINT NOT NULL DEFAULT 0,
    files_rejected BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE dataset (
    id @ID@,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    declared_version TEXT,
    iati_version TEXT NOT NULL,
    generated_datetime TEXT,
    encoding TEXT NOT NULL,
    gzipped BOOLEAN NOT NULL,
    activities BIGINT NOT NULL,
    transactions BIGINT NOT NULL,
    import_run_id BIGINT NOT NULL REFERENCES import_run (id),
    imported_at TEXT NOT NULL
);
CREATE UNIQUE INDEX dataset_path ON dataset (path);

-- Activity ids are allocated by the importer as (dataset id << 28) + ordinal,
-- so child rows can be written in bulk without asking the database for keys.
CREATE TABLE activity (
    id BIGINT PRIMARY KEY,
    dataset_id BIGINT NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    import_run_id BIGINT NOT NULL REFERENCES import_run (id),
    line BIGINT NOT NULL,
    iati_identifier TEXT NOT NULL,
    reporting_org TEXT NOT NULL,
    reporting_org_type TEXT,
    reporting_org_name TEXT,
    title TEXT,
    description TEXT,
    lang TEXT,
    default_currency TEXT,
    hierarchy BIGINT,
    status TEXT,
    scope TEXT,
    humanitarian BOOLEAN,
    last_updated TEXT,
    start_date TEXT,
    end_date TEXT,
    collaboration_type TEXT,
    default_flow_type TEXT,
    default_finance_type TEXT,
    default_aid_type TEXT,
    default_tied_status TEXT,
    -- Every title and description narrative, all languages, for full-text search.
    search_text TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE UNIQUE INDEX activity_dataset_identifier ON activity (dataset_id, iati_identifier);
CREATE INDEX activity_identifier ON activity (iati_identifier);
CREATE INDEX activity_reporting_org ON activity (reporting_org);

CREATE TABLE participating_org (
    activity_id BIGINT NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    role TEXT,
    ref TEXT,
    type TEXT,
    org_activity_id TEXT,
    name TEXT,
    PRIMARY KEY (activity_id, seq)
);
CREATE INDEX participating_org_ref ON participating_org (ref);

CREATE TABLE recipient_country (
    activity_id BIGINT NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    code TEXT NOT NULL,
    percentage TEXT,
    PRIMARY KEY (activity_id, seq)
);
CREATE INDEX recipient_country_code ON recipient_country (code);

CREATE TABLE recipient_region (
    activity_id BIGINT NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    code TEXT NOT NULL,
    vocabulary TEXT NOT NULL,
    percentage TEXT,
    PRIMARY KEY (activity_id, seq)
);

CREATE TABLE sector (
    activity_id BIGINT NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    vocabulary TEXT NOT NULL,
    code TEXT NOT NULL,
    percentage TEXT,
    PRIMARY KEY (activity_id, seq)
);
CREATE INDEX sector_code ON sector (vocabulary, code);

CREATE TABLE budget (
    activity_id BIGINT NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    period_start TEXT,
    period_end TEXT,
    value TEXT,
    currency TEXT NOT NULL,
    value_date TEXT,
    PRIMARY KEY (activity_id, seq)
);

CREATE TABLE txn (
    activity_id BIGINT NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    line BIGINT NOT NULL,
    type TEXT,
    date TEXT,
    value TEXT,
    currency TEXT NOT NULL,
    value_date TEXT,
    provider_ref TEXT,
    provider_activity_id TEXT,
    provider_name TEXT,
    receiver_ref TEXT,
    receiver_activity_id TEXT,
    receiver_name TEXT,
    flow_type TEXT,
    finance_type TEXT,
    aid_type TEXT,
    tied_status TEXT,
    disbursement_channel TEXT,
    humanitarian BOOLEAN,
    PRIMARY KEY (activity_id, seq)
);
CREATE INDEX txn_type ON txn (type);

CREATE TABLE location (
    activity_id BIGINT NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    name TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    exactness TEXT,
    location_class TEXT,
    PRIMARY KEY (activity_id, seq)
);

-- What the reader (and later stages) found wrong with the data.
CREATE TABLE diagnostic (
    id @ID@,
    dataset_id BIGINT NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    activity_id BIGINT,
    iati_identifier TEXT,
    severity TEXT NOT NULL,
    kind TEXT NOT NULL,
    line BIGINT NOT NULL,
    path TEXT NOT NULL,
    message TEXT NOT NULL,
    import_run_id BIGINT NOT NULL REFERENCES import_run (id)
);
CREATE INDEX diagnostic_dataset ON diagnostic (dataset_id);
CREATE INDEX diagnostic_severity ON diagnostic (severity, kind);
