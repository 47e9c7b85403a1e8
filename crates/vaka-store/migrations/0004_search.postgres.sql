-- Full-text search over every title and description narrative, in every
-- language (PostgreSQL). `activity_fts` holds a weighted `simple` tsvector for
-- ranking (title A, all narratives B) and the text itself, which the query
-- matches by substring (ILIKE) so that words of languages written without
-- spaces (Japanese, Chinese) are found; a pg_trgm index makes that fast where
-- the extension can be installed. A statement-level trigger fills the table in
-- the same transaction as the activity rows; rows go with their activity.

CREATE TABLE activity_fts (
    activity_id BIGINT PRIMARY KEY REFERENCES activity (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    tsv TSVECTOR NOT NULL
);
CREATE INDEX activity_fts_tsv ON activity_fts USING GIN (tsv);

CREATE FUNCTION activity_fts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity_fts (activity_id, body, tsv)
    SELECT id, search_text,
           setweight(to_tsvector('simple', COALESCE(title, '')), 'A')
           || setweight(to_tsvector('simple', search_text), 'B')
    FROM added;
    RETURN NULL;
END
$$;

CREATE TRIGGER activity_fts_insert AFTER INSERT ON activity
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION activity_fts_added();

CREATE FUNCTION activity_fts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE activity_fts SET body = NEW.search_text,
        tsv = setweight(to_tsvector('simple', COALESCE(NEW.title, '')), 'A')
              || setweight(to_tsvector('simple', NEW.search_text), 'B')
    WHERE activity_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER activity_fts_update AFTER UPDATE OF title, search_text ON activity
    FOR EACH ROW EXECUTE FUNCTION activity_fts_changed();

INSERT INTO activity_fts (activity_id, body, tsv)
SELECT id, search_text,
       setweight(to_tsvector('simple', COALESCE(title, '')), 'A')
       || setweight(to_tsvector('simple', search_text), 'B')
FROM activity;

-- Trigram index for substring matching, when pg_trgm is available to this
-- role; without it the same queries run, only slower.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%); search runs without a trigram index', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX activity_fts_trgm ON activity_fts USING GIN (body gin_trgm_ops)';
    END IF;
END
$$;
