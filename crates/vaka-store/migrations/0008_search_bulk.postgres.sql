-- Nothing changes on PostgreSQL: its full-text rows are filled by a
-- statement-level trigger (migration 4), once per bulk INSERT. On SQLite the
-- importer now fills the FTS5 index itself (see 0008_search_bulk.sqlite.sql).

SELECT 1;
