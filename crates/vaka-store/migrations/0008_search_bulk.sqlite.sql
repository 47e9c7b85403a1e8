-- The full-text index is filled by the importer, not row by row.
--
-- With the insert trigger of migration 4 every single-row INSERT into
-- `activity` opened a statement savepoint on the FTS5 table, and FTS5 writes
-- its pending terms to disk at every savepoint: one tiny index segment per
-- activity, then merges of them. The importer now indexes each file's
-- activities with one `INSERT INTO activity_fts … SELECT … FROM activity` in
-- the same transaction as the rows (before anything of that file is deleted,
-- so the delete trigger always finds what it removes). The delete and update
-- triggers stay: they keep the index right for every other change.

DROP TRIGGER activity_fts_insert;
