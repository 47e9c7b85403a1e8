//! The storage contract: every store operation and import rule, run on SQLite and
//! on PostgreSQL (see `vaka_testkit::both_backends!`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use vaka_store::import::{FileStatus, ImportOptions, NoProgress};
use vaka_store::{Backend, Store};
use vaka_testkit::{TestDb, both_backends, bundled_data, shared_data};

async fn import(store: &Store, paths: &[PathBuf]) -> vaka_store::import::ImportSummary {
    store
        .import_paths(paths, &ImportOptions::default(), &NoProgress)
        .await
        .unwrap()
}

fn pacific() -> PathBuf {
    bundled_data().join("iati/pacific")
}

/// Copy `src` to `dir/name` and return the new path.
fn copy_to(src: &Path, dir: &Path, name: &str) -> PathBuf {
    let dst = dir.join(name);
    std::fs::copy(src, &dst).unwrap();
    dst
}

fn scratch(db: &TestDb) -> tempfile::TempDir {
    let _ = db;
    tempfile::tempdir().unwrap()
}

both_backends!(migrations_are_recorded, |db: TestDb| async move {
    let store = db.store().await;
    let applied = store.applied_migrations().await.unwrap();
    let known: Vec<(i64, &str)> = vaka_store::migrate::MIGRATIONS
        .iter()
        .map(|m| (m.version, m.name))
        .collect();
    let got: Vec<(i64, &str)> = applied
        .iter()
        .map(|m| (m.version, m.name.as_str()))
        .collect();
    assert_eq!(got, known);
    // Migrating again is a no-op.
    assert!(store.migrate().await.unwrap().is_empty());
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_end_with_equivalent_schemas() {
    let lite = TestDb::new(Backend::Sqlite).await;
    let pg = TestDb::new(Backend::Postgres).await;
    let a = lite.store().await;
    let b = pg.store().await;
    let versions = |m: Vec<vaka_store::migrate::AppliedMigration>| {
        m.into_iter()
            .map(|m| (m.version, m.name))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        versions(a.applied_migrations().await.unwrap()),
        versions(b.applied_migrations().await.unwrap())
    );
    let sa = a.schema().await.unwrap();
    let sb = b.schema().await.unwrap();
    let names = |s: &[vaka_store::schema::TableSchema]| {
        s.iter().map(|t| t.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&sa), names(&sb));
    assert!(
        sa.iter().any(|t| t.name == "activity"),
        "schema has the activity table"
    );
    for (x, y) in sa.iter().zip(&sb) {
        assert_eq!(
            x, y,
            "table {} differs between SQLite and PostgreSQL",
            x.name
        );
    }
}

both_backends!(
    pacific_files_import_with_provenance,
    |db: TestDb| async move {
        let store = db.store().await;
        let summary = import(&store, &[pacific()]).await;
        assert_eq!(summary.files.len(), 12);
        assert_eq!(summary.imported(), 12, "{:#?}", summary.files);
        let stats = store.stats().await.unwrap();
        assert_eq!(stats.datasets, 12);
        assert_eq!(stats.activities, summary.activities());
        assert_eq!(stats.transactions, summary.transactions());
        assert!(stats.activities > 0);

        // Provenance: the Tonga project row knows its file, hash, version, line and run.
        let p = store
            .activity_provenance("XM-DAC-41114-PROJECT-00060093")
            .await
            .unwrap();
        assert_eq!(p.len(), 1);
        let p = &p[0];
        assert!(
            p.file.ends_with("undp-open-undp-org_Tonga_projects.xml"),
            "{}",
            p.file
        );
        assert_eq!(p.line, 5);
        assert_eq!(p.iati_version, "2.02");
        assert_eq!(p.generated_datetime.as_deref(), Some("2017-07-10T12:40:06"));
        assert_eq!(p.sha256.len(), 64);
        assert_eq!(Some(p.import_run_id), summary.run_id);
    }
);

both_backends!(
    reimporting_the_same_files_changes_nothing,
    |db: TestDb| async move {
        let store = db.store().await;
        let first = import(&store, &[pacific()]).await;
        assert_eq!(first.imported(), 12);
        let before = store.dump().await.unwrap();
        let second = import(&store, &[pacific()]).await;
        assert_eq!(second.unchanged(), 12);
        assert_eq!(second.imported(), 0);
        assert_eq!(
            second.run_id, None,
            "a run that changes nothing leaves no record"
        );
        assert_eq!(store.dump().await.unwrap(), before);
    }
);

both_backends!(
    a_changed_file_replaces_exactly_its_activities,
    |db: TestDb| async move {
        let store = db.store().await;
        let dir = scratch(&db);
        let tonga = pacific_copy(dir.path(), "Tonga", "tonga.xml");
        let niue = pacific_copy(dir.path(), "Niue", "niue.xml");
        import(&store, &[tonga.clone(), niue.clone()]).await;
        let niue_before = store.dataset_dump(&niue.to_string_lossy()).await.unwrap();
        let before = store.stats().await.unwrap();

        // Drop the last activity of the Tonga file and change a transaction value.
        let text = std::fs::read_to_string(&tonga).unwrap();
        let last = text.rfind("<iati-activity ").unwrap();
        let end = text.rfind("</iati-activity>").unwrap() + "</iati-activity>".len();
        let mut changed = format!("{}{}", &text[..last], &text[end..]);
        let first_value = changed.find("<value ").unwrap();
        let gt = first_value + changed[first_value..].find('>').unwrap() + 1;
        let lt = gt + changed[gt..].find('<').unwrap();
        changed.replace_range(gt..lt, "12345.67");
        std::fs::write(&tonga, changed).unwrap();

        let summary = import(&store, &[tonga.clone(), niue.clone()]).await;
        assert_eq!(summary.imported(), 1);
        assert_eq!(summary.unchanged(), 1);
        let after = store.stats().await.unwrap();
        assert_eq!(after.datasets, before.datasets);
        assert_eq!(after.activities, before.activities - 1);
        assert_eq!(
            store.dataset_dump(&niue.to_string_lossy()).await.unwrap(),
            niue_before,
            "Niue untouched"
        );
        let ids = store
            .dataset_activity_ids(&tonga.to_string_lossy())
            .await
            .unwrap();
        assert_eq!(ids.len() as u64, summary.files[0].activities);
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    }
);

/// Run `$body` with `$c`, a connection of its own to the test database: to
/// look at or change what is stored behind the store's back.
macro_rules! behind_the_store {
    ($db:expr, $c:ident => $body:expr) => {{
        use sqlx::Connection;
        match $db.backend {
            Backend::Sqlite => {
                let mut $c = sqlx::SqliteConnection::connect(&$db.url).await.unwrap();
                $body
            }
            Backend::Postgres => {
                let mut $c = sqlx::PgConnection::connect(&$db.url).await.unwrap();
                $body
            }
        }
    }};
}

/// Run SQL on the test database behind the store's back.
async fn raw(db: &TestDb, sql: &'static str) {
    behind_the_store!(db, c => {
        sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
    })
}

/// A count from the test database, behind the store's back.
async fn count(db: &TestDb, sql: &'static str) -> i64 {
    behind_the_store!(db, c => sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap())
}

/// A copy of the bundled UNDP file of `country` in `dir`, as `name`.
fn pacific_copy(dir: &Path, country: &str, name: &str) -> PathBuf {
    copy_to(
        &pacific().join(format!("undp-open-undp-org_{country}_projects.xml")),
        dir,
        name,
    )
}

both_backends!(
    a_file_larger_than_one_write_batch_imports_whole,
    |db: TestDb| async move {
        // Sixteen copies of the Fiji file's activities under fresh identifiers:
        // more rows than one batch of the PostgreSQL writer, which writes
        // each batch's tables in one statement.
        let fiji = std::fs::read_to_string(pacific().join("undp-open-undp-org_Fiji_projects.xml"))
            .unwrap();
        let start = fiji.find("<iati-activity ").unwrap();
        let end = fiji.rfind("</iati-activity>").unwrap() + "</iati-activity>".len();
        let mut big = fiji[..start].to_string();
        for copy in 0..16 {
            big.push_str(&fiji[start..end].replace(
                "<iati-identifier>",
                &format!("<iati-identifier>COPY{copy}-"),
            ));
        }
        big.push_str(&fiji[end..]);
        let activities = 16 * fiji.matches("<iati-activity ").count() as i64;
        let transactions = 16 * fiji.matches("<transaction>").count() as i64;
        let dir = scratch(&db);
        let path = dir.path().join("fiji-16.xml");
        std::fs::write(&path, big).unwrap();

        let store = db.store().await;
        let summary = import(&store, &[path]).await;
        assert_eq!(summary.imported(), 1);
        assert_eq!(summary.activities() as i64, activities);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM activity").await,
            activities
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM txn").await, transactions);
        let rows = count(
            &db,
            "SELECT (SELECT COUNT(*) FROM activity) + (SELECT COUNT(*) FROM txn) \
             + (SELECT COUNT(*) FROM budget) + (SELECT COUNT(*) FROM sector) \
             + (SELECT COUNT(*) FROM participating_org) + (SELECT COUNT(*) FROM fact) \
             + (SELECT COUNT(*) FROM diagnostic)",
        )
        .await;
        assert!(rows > 20_000, "{rows} rows: more than two batches");
        // Every fact's transaction is there, and the cube holds their sums.
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM fact f WHERE f.tx_seq IS NOT NULL AND NOT EXISTS \
                 (SELECT 1 FROM txn t WHERE t.activity_id = f.activity_id AND t.seq = f.tx_seq)"
            )
            .await,
            0
        );
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    }
);

both_backends!(
    the_cube_always_holds_the_sums_of_the_facts,
    |db: TestDb| async move {
        let store = db.store().await;
        let dir = scratch(&db);
        let tonga = pacific_copy(dir.path(), "Tonga", "tonga.xml");
        let niue = pacific_copy(dir.path(), "Niue", "niue.xml");
        import(&store, &[tonga.clone(), niue.clone()]).await;
        assert!(count(&db, "SELECT COUNT(*) FROM fact_cube").await > 0);
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());

        // A changed file: its old sums leave the cube, its new ones enter.
        let text = std::fs::read_to_string(&tonga).unwrap();
        let first_value = text.find("<value ").unwrap();
        let gt = first_value + text[first_value..].find('>').unwrap() + 1;
        let lt = gt + text[gt..].find('<').unwrap();
        let mut changed = text.clone();
        changed.replace_range(gt..lt, "98765.43");
        let last = changed.rfind("<iati-activity ").unwrap();
        let end = changed.rfind("</iati-activity>").unwrap() + "</iati-activity>".len();
        changed.replace_range(last..end, "");
        std::fs::write(&tonga, changed).unwrap();
        assert_eq!(
            import(&store, &[tonga.clone(), niue.clone()])
                .await
                .imported(),
            1
        );
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
        // Back to the original: the cube is what it was before the change.
        std::fs::write(&tonga, text).unwrap();
        import(&store, std::slice::from_ref(&tonga)).await;
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());

        // The check sees a cube that differs from the facts.
        raw(&db, "UPDATE fact_cube SET amount_minor = amount_minor + 1").await;
        let problems = store.integrity_check().await.unwrap();
        assert!(
            problems.len() == 1 && problems[0].starts_with("fact_cube"),
            "{problems:?}"
        );

        // A classification interrupted after it changed facts leaves the cube
        // marked stale; the next import rebuilds it.
        raw(
            &db,
            "INSERT INTO store_state (key, value) VALUES ('cube_stale', '1')",
        )
        .await;
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
        let fiji = pacific_copy(dir.path(), "Fiji", "fiji.xml");
        import(&store, &[fiji]).await;
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM store_state WHERE key = 'cube_stale'"
            )
            .await,
            0
        );
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());

        // Reclassifying everything ends with an exact cube, unmarked, and
        // (with the same rules) the same facts and tags.
        let facts = count(&db, "SELECT COUNT(*) FROM fact").await;
        let tags = count(&db, "SELECT COUNT(*) FROM area_tag").await;
        let cells = count(&db, "SELECT COUNT(*) FROM fact_cube").await;
        assert!(facts > 0 && tags > 0);
        store.classify_all().await.unwrap();
        assert_eq!(count(&db, "SELECT COUNT(*) FROM fact").await, facts);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM area_tag").await, tags);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM fact_cube").await, cells);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM store_state WHERE key = 'cube_stale'"
            )
            .await,
            0
        );
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    }
);

both_backends!(
    a_store_of_the_previous_schema_keeps_its_facts_through_migration_11,
    |db: TestDb| async move {
        let store = db.store().await;
        let dir = scratch(&db);
        let tonga = pacific_copy(dir.path(), "Tonga", "tonga.xml");
        import(&store, std::slice::from_ref(&tonga)).await;
        let facts = count(&db, "SELECT COUNT(*) FROM fact").await;
        assert!(facts > 0);
        let before = store.stats().await.unwrap();
        // The store as version 10 left it: facts with their `area_rule`.
        raw(
            &db,
            "ALTER TABLE fact ADD COLUMN area_rule TEXT NOT NULL DEFAULT 'sector 23230, 100 %'; \
             DELETE FROM schema_migrations WHERE version = 11",
        )
        .await;
        assert_eq!(store.migrate().await.unwrap(), vec![11]);
        // The column is gone and nothing else changed.
        let columns = match db.backend {
            Backend::Sqlite => {
                count(
                    &db,
                    "SELECT COUNT(*) FROM pragma_table_info('fact') WHERE name = 'area_rule'",
                )
                .await
            }
            Backend::Postgres => {
                count(
                    &db,
                    "SELECT COUNT(*) FROM information_schema.columns \
                     WHERE table_name = 'fact' AND column_name = 'area_rule'",
                )
                .await
            }
        };
        assert_eq!(columns, 0);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM fact").await, facts);
        assert_eq!(store.stats().await.unwrap(), before);
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
        // And the migrated store takes new files.
        let niue = pacific_copy(dir.path(), "Niue", "niue.xml");
        assert_eq!(import(&store, &[niue]).await.imported(), 1);
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    }
);

/// The page size of the SQLite file at `url`, read behind the store's back.
async fn page_size(url: &str) -> i64 {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
    sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(&mut c)
        .await
        .unwrap()
}

/// A new SQLite store is created with 16 KiB pages; one created with SQLite's
/// default 4 KiB pages (as older versions made them) keeps its pages and works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_sqlite_stores_use_16_kib_pages_and_older_ones_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let tonga = pacific_copy(dir.path(), "Tonga", "tonga.xml");

    let fresh = TestDb::sqlite();
    let store = fresh.store().await;
    import(&store, std::slice::from_ref(&tonga)).await;
    assert_eq!(page_size(&fresh.url).await, 16384);
    assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());

    let older = TestDb::sqlite();
    {
        use sqlx::Connection;
        let url = format!("{}?mode=rwc", older.url);
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(
            "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x); DROP TABLE t;",
        )
        .execute(&mut c)
        .await
        .unwrap();
        c.close().await.unwrap();
    }
    let store = older.store().await;
    assert_eq!(import(&store, &[tonga]).await.imported(), 1);
    assert_eq!(page_size(&older.url).await, 4096);
    assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    assert_eq!(
        store.stats().await.unwrap(),
        fresh.store().await.stats().await.unwrap()
    );
}

/// Store `doc` as the JSON text of the activity `ident`, behind the store's back.
async fn set_doc_text(db: &TestDb, ident: &str, doc: &str) {
    const SQL: &str = "UPDATE activity SET doc = $1 WHERE iati_identifier = $2";
    let changed = behind_the_store!(db, c => {
        sqlx::query(SQL).bind(doc).bind(ident).execute(&mut c).await.unwrap().rows_affected()
    });
    assert_eq!(changed, 1);
}

both_backends!(
    activity_documents_read_back_compressed_or_not,
    |db: TestDb| async move {
        let store = db.store().await;
        import(
            &store,
            &[pacific().join("undp-open-undp-org_Niue_projects.xml")],
        )
        .await;
        let first = store
            .dataset_activity_ids(
                &pacific()
                    .join("undp-open-undp-org_Niue_projects.xml")
                    .to_string_lossy(),
            )
            .await
            .unwrap();
        let ident = first[0].clone();
        let detail = store.activity(&ident).await.unwrap().unwrap();
        assert_eq!(detail.activity["identifier"], ident.as_str());
        assert!(!detail.summary.titles.is_empty());
        // SQLite keeps documents compressed (blobs, not JSON text);
        // PostgreSQL as JSON text.
        let all = count(&db, "SELECT COUNT(*) FROM activity").await;
        let as_text = match db.backend {
            Backend::Sqlite => "SELECT COUNT(*) FROM activity WHERE typeof(doc) = 'text'",
            Backend::Postgres => "SELECT COUNT(*) FROM activity WHERE doc LIKE '{%'",
        };
        let expected_text = match db.backend {
            Backend::Sqlite => 0,
            Backend::Postgres => all,
        };
        assert!(all > 0);
        assert_eq!(count(&db, as_text).await, expected_text);
        // A document stored as JSON text, as stores written before
        // compression hold them, reads as well.
        let mut legacy_doc = detail.activity.clone();
        legacy_doc["title"] = serde_json::json!([{"text": "Stored as text"}]);
        set_doc_text(&db, &ident, &legacy_doc.to_string()).await;
        assert_eq!(count(&db, as_text).await, expected_text.max(1));
        let ids: Vec<String> = store
            .dataset_activity_ids(
                &pacific()
                    .join("undp-open-undp-org_Niue_projects.xml")
                    .to_string_lossy(),
            )
            .await
            .unwrap();
        let mut seen_legacy = false;
        for id in &ids {
            let d = store.activity(id).await.unwrap().unwrap();
            if d.summary
                .titles
                .first()
                .is_some_and(|t| t.text == "Stored as text")
            {
                seen_legacy = true;
                assert_eq!(d.summary.titles[0].text, "Stored as text");
            }
        }
        assert!(seen_legacy);
        // Classification reads every document, of either form.
        assert_eq!(
            store.classify_all().await.unwrap().activities,
            ids.len() as u64
        );
    }
);

both_backends!(
    one_run_of_mixed_files_equals_importing_them_one_by_one,
    |db: TestDb| async move {
        // On SQLite the files of one run are read ahead of the writer; the
        // outcome must not depend on that.
        let store = db.store().await;
        let other = TestDb::new(db.backend).await;
        let one_by_one = other.store().await;
        let dir = scratch(&db);
        let niue = pacific_copy(dir.path(), "Niue", "niue.xml");
        import(&store, std::slice::from_ref(&niue)).await;
        import(&one_by_one, std::slice::from_ref(&niue)).await;
        let fiji = std::fs::read_to_string(pacific().join("undp-open-undp-org_Fiji_projects.xml"))
            .unwrap();
        let truncated = dir.path().join("truncated.xml");
        std::fs::write(&truncated, &fiji[..fiji.len() / 2]).unwrap();
        let files = vec![
            pacific_copy(dir.path(), "Tonga", "tonga.xml"),
            shared_data().join("iati/fixtures/data4development-validator/broken-xml.xml"),
            niue,
            truncated,
            dir.path().join("missing.xml"),
            pacific_copy(dir.path(), "Fiji", "fiji.xml"),
            pacific_copy(dir.path(), "Tuvalu", "tuvalu.xml"),
        ];
        let together = store
            .import_sources(
                files
                    .iter()
                    .cloned()
                    .map(vaka_store::import::Source::File)
                    .collect(),
                &ImportOptions::default(),
                &NoProgress,
            )
            .await
            .unwrap();
        let status = |s: &FileStatus| match s {
            FileStatus::Imported => "imported",
            FileStatus::Unchanged => "unchanged",
            FileStatus::Rejected { .. } => "rejected",
        };
        let got: Vec<&str> = together.files.iter().map(|f| status(&f.status)).collect();
        assert_eq!(
            got,
            [
                "imported",
                "rejected",
                "unchanged",
                "rejected",
                "rejected",
                "imported",
                "imported"
            ]
        );
        let mut separately = Vec::new();
        for f in &files {
            let s = one_by_one
                .import_sources(
                    vec![vaka_store::import::Source::File(f.clone())],
                    &ImportOptions::default(),
                    &NoProgress,
                )
                .await
                .unwrap();
            separately.extend(s.files);
        }
        for (a, b) in together.files.iter().zip(&separately) {
            assert_eq!(status(&a.status), status(&b.status), "{}", a.path);
            assert_eq!(
                (a.activities, a.transactions, &a.diagnostics),
                (b.activities, b.transactions, &b.diagnostics),
                "{}",
                a.path
            );
        }
        assert_eq!(
            serde_json::to_value(store.stats().await.unwrap()).unwrap(),
            serde_json::to_value(one_by_one.stats().await.unwrap()).unwrap()
        );
        for f in &files {
            let ids = store
                .dataset_activity_ids(&f.to_string_lossy())
                .await
                .unwrap();
            assert_eq!(
                ids,
                one_by_one
                    .dataset_activity_ids(&f.to_string_lossy())
                    .await
                    .unwrap()
            );
        }
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    }
);

both_backends!(
    rejected_files_leave_the_store_unchanged,
    |db: TestDb| async move {
        let store = db.store().await;
        import(
            &store,
            &[pacific().join("undp-open-undp-org_Tonga_projects.xml")],
        )
        .await;
        let before = store.dump().await.unwrap();
        let fixtures = shared_data().join("iati/fixtures");
        let bad = [
            "data4development-validator/broken-xml.xml",
            "data4development-validator/not-xml.xml",
            "data4development-validator/xlsx-spreadsheet-with-extension.xml",
            "data4development-validator/xml-but-not-iati.xml",
            "data4development-validator/iati-with-xml-errors.xml",
            "data4development-validator/iati-org-no-errors.xml",
            "iati-datastore/broken.xml",
        ];
        for f in bad {
            let s = import(&store, &[fixtures.join(f)]).await;
            match &s.files[0].status {
                FileStatus::Rejected { reason } => assert!(!reason.is_empty(), "{f}"),
                other => panic!("{f} was not rejected: {other:?}"),
            }
            assert_eq!(store.dump().await.unwrap(), before, "{f} changed the store");
        }

        // A file that breaks half-way, after many activities were read, also changes nothing.
        let dir = scratch(&db);
        let fiji = std::fs::read_to_string(pacific().join("undp-open-undp-org_Fiji_projects.xml"))
            .unwrap();
        let truncated = &fiji[..fiji.len() * 3 / 4];
        let path = dir.path().join("truncated.xml");
        std::fs::write(&path, truncated).unwrap();
        let s = import(&store, std::slice::from_ref(&path)).await;
        assert!(
            matches!(s.files[0].status, FileStatus::Rejected { .. }),
            "{:?}",
            s.files[0]
        );
        assert_eq!(
            store.dump().await.unwrap(),
            before,
            "truncated file changed the store"
        );

        // An empty file and a missing file.
        let empty = dir.path().join("empty.xml");
        std::fs::write(&empty, "").unwrap();
        let s = import(&store, &[empty]).await;
        assert!(matches!(s.files[0].status, FileStatus::Rejected { .. }));
        assert_eq!(store.dump().await.unwrap(), before);
    }
);

both_backends!(
    repeated_identifiers_keep_the_last_occurrence,
    |db: TestDb| async move {
        let store = db.store().await;
        let dir = scratch(&db);
        let path = dir.path().join("dup.xml");
        std::fs::write(
        &path,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2024-01-01T00:00:00Z">
 <iati-activity default-currency="NZD" last-updated-datetime="2024-01-01T00:00:00Z">
  <iati-identifier>NZ-1-DUP</iati-identifier>
  <reporting-org ref="NZ-1" type="10"><narrative>MFAT</narrative></reporting-org>
  <title><narrative>First</narrative></title>
  <activity-status code="2"/>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2020-01-01"/><value value-date="2020-01-01">100</value></transaction>
 </iati-activity>
 <iati-activity default-currency="NZD" last-updated-datetime="2024-01-01T00:00:00Z">
  <iati-identifier>NZ-1-DUP</iati-identifier>
  <reporting-org ref="NZ-1" type="10"><narrative>MFAT</narrative></reporting-org>
  <title><narrative>Second</narrative></title>
  <activity-status code="2"/>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2020-01-01"/><value value-date="2020-01-01">250.50</value></transaction>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2020-02-01"/><value value-date="2020-02-01">49.50</value></transaction>
 </iati-activity>
</iati-activities>"#,
    )
    .unwrap();
        let s = import(&store, std::slice::from_ref(&path)).await;
        assert_eq!(s.imported(), 1, "{:?}", s.files);
        assert_eq!(s.activities(), 1);
        assert_eq!(s.transactions(), 2);
        let stats = store.stats().await.unwrap();
        assert_eq!(stats.activities, 1);
        assert_eq!(stats.by_reporting_org[0].transactions[0].sum, "300.00");
        let prov = store.activity_provenance("NZ-1-DUP").await.unwrap();
        assert_eq!(prov.len(), 1);
        assert_eq!(prov[0].line, 10, "the later occurrence is kept");
        let diags = store
            .diagnostics(&vaka_store::diagnostics::DiagnosticFilter {
                kind: Some(vaka_iati::DiagnosticKind::DuplicateIdentifier),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].message.contains("line 3"), "{}", diags[0].message);
        // Search knows the kept occurrence only, and the full-text index
        // matches the stored text exactly.
        let search = |q: &str| {
            let store = store.clone();
            let q = q.to_string();
            async move {
                store
                    .search(&vaka_store::read::ActivityFilter {
                        q: Some(q),
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .total
            }
        };
        assert_eq!(search("Second").await, 1);
        assert_eq!(search("First").await, 0);
        assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    }
);

both_backends!(
    identifiers_in_two_files_are_kept_and_reported,
    |db: TestDb| async move {
        let store = db.store().await;
        let dir = scratch(&db);
        let src = pacific().join("undp-open-undp-org_Niue_projects.xml");
        let a = copy_to(&src, dir.path(), "a.xml");
        let b = copy_to(&src, dir.path(), "b.xml");
        let s = import(&store, &[a, b]).await;
        assert_eq!(s.imported(), 2);
        let n = s.files[0].activities;
        assert_eq!(store.stats().await.unwrap().activities, 2 * n);
        let dups = store.cross_dataset_duplicates().await.unwrap();
        assert_eq!(dups.len() as u64, 2 * n);
        assert!(dups.iter().all(|d| d.kind == "cross-dataset-duplicate"));
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_are_identical_on_both_backends() {
    let lite = TestDb::new(Backend::Sqlite).await;
    let pg = TestDb::new(Backend::Postgres).await;
    let a = lite.store().await;
    let b = pg.store().await;
    let all = shared_data().join("iati/activities");
    let sa = import(&a, std::slice::from_ref(&all)).await;
    let sb = import(&b, &[all]).await;
    assert_eq!(sa.imported(), sb.imported());
    let ja = serde_json::to_string_pretty(&a.stats().await.unwrap()).unwrap();
    let jb = serde_json::to_string_pretty(&b.stats().await.unwrap()).unwrap();
    assert_eq!(ja, jb);
}
