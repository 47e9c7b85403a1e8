-- Frameworks, reference data, classification and the flattened facts that the
-- coverage matrix aggregates.
--
-- Facts: every disbursement, commitment and budget, apportioned to a country
-- (or region, or `unallocated`) and a priority area of each framework, in
-- hundredths of its own currency. Currency conversion happens when reports are
-- built, by rate year, so any reporting currency can be chosen.

CREATE TABLE framework (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    doc TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE country (
    iso2 TEXT PRIMARY KEY,
    iso3 TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE national_plan (
    iso2 TEXT PRIMARY KEY,
    plan_name TEXT NOT NULL,
    period TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE plan_pillar (
    iso2 TEXT NOT NULL,
    pillar_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (iso2, pillar_id)
);

-- Why an activity counts towards an area: one row per rule that tagged it.
CREATE TABLE area_tag (
    activity_id BIGINT NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    framework_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    area_id TEXT NOT NULL,
    share TEXT NOT NULL,
    rule_kind TEXT NOT NULL,
    rule_code TEXT NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (activity_id, framework_id, seq)
);
CREATE INDEX area_tag_area ON area_tag (framework_id, area_id);

-- A person's classification of an activity. Keyed by identifier, so it
-- survives re-imports of the activity.
CREATE TABLE area_override (
    framework_id TEXT NOT NULL,
    iati_identifier TEXT NOT NULL,
    shares TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (framework_id, iati_identifier)
);

CREATE TABLE fact (
    activity_id BIGINT NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    framework_id TEXT NOT NULL,
    measure TEXT NOT NULL,
    tx_seq BIGINT,
    budget_seq BIGINT,
    year BIGINT NOT NULL,
    rate_year BIGINT NOT NULL,
    geo_kind TEXT NOT NULL,
    geo_code TEXT NOT NULL,
    area_id TEXT NOT NULL,
    area_rule TEXT NOT NULL,
    reporting_org TEXT NOT NULL,
    funding_org TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (activity_id, seq)
);
CREATE INDEX fact_cell ON fact (framework_id, measure, geo_code, area_id);

-- `fact` summed over activities, rebuilt after imports and classification.
-- Every column but geo and area belongs to a whole transaction, so summing
-- `transactions` over rows of one (geo, area) cell counts each once.
CREATE TABLE fact_cube (
    framework_id TEXT NOT NULL,
    measure TEXT NOT NULL,
    geo_kind TEXT NOT NULL,
    geo_code TEXT NOT NULL,
    area_id TEXT NOT NULL,
    reporting_org TEXT NOT NULL,
    funding_org TEXT NOT NULL,
    year BIGINT NOT NULL,
    rate_year BIGINT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    transactions BIGINT NOT NULL
);
CREATE INDEX fact_cube_framework ON fact_cube (framework_id, measure, year);

-- Small flags shared by every process using the database (e.g. `cube_stale`).
CREATE TABLE store_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every change made by a person or a command: who, when, what, before/after.
CREATE TABLE audit_log (
    id @ID@,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
