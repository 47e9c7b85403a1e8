-- Full-text search over every title and description narrative, in every
-- language (SQLite). An external-content FTS5 index over `activity`: the text
-- is not stored twice. The trigram tokenizer matches any substring of three or
-- more characters, so words of languages written without spaces (Japanese,
-- Chinese) are found as well as English or French ones; shorter terms fall
-- back to LIKE in the query. Triggers keep the index in the same transaction
-- as the activity rows, so an import stays atomic per file.

CREATE VIRTUAL TABLE activity_fts USING fts5(
    title,
    search_text,
    content = 'activity',
    content_rowid = 'id',
    tokenize = 'trigram'
);

INSERT INTO activity_fts (activity_fts) VALUES ('rebuild');

CREATE TRIGGER activity_fts_insert AFTER INSERT ON activity BEGIN
    INSERT INTO activity_fts (rowid, title, search_text)
    VALUES (new.id, new.title, new.search_text);
END;

CREATE TRIGGER activity_fts_delete AFTER DELETE ON activity BEGIN
    INSERT INTO activity_fts (activity_fts, rowid, title, search_text)
    VALUES ('delete', old.id, old.title, old.search_text);
END;

CREATE TRIGGER activity_fts_update AFTER UPDATE OF title, search_text ON activity BEGIN
    INSERT INTO activity_fts (activity_fts, rowid, title, search_text)
    VALUES ('delete', old.id, old.title, old.search_text);
    INSERT INTO activity_fts (rowid, title, search_text)
    VALUES (new.id, new.title, new.search_text);
END;
