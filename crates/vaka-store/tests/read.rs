//! The read side of the store (lists, detail, search, summaries), on SQLite and
//! on PostgreSQL, over the bundled real Pacific files and a small multilingual
//! fixture (`tests/fixtures/multilingual.xml`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use vaka_store::import::{ImportOptions, NoProgress};
use vaka_store::read::{ActivityFilter, ActivitySummary, Page, TransactionFilter};
use vaka_store::{Backend, Store, StoreError};
use vaka_testkit::{TestDb, both_backends, bundled_data};

fn pacific() -> PathBuf {
    bundled_data().join("iati/pacific")
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multilingual.xml")
}

async fn import(store: &Store, paths: &[PathBuf]) {
    let s = store
        .import_paths(paths, &ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert_eq!(s.rejected(), 0, "{:?}", s.files);
}

fn filter() -> ActivityFilter {
    ActivityFilter::default()
}

/// Every page of a list, following `next`.
async fn all_pages(store: &Store, f: &ActivityFilter) -> Vec<ActivitySummary> {
    let mut out = Vec::new();
    let mut f = f.clone();
    let mut pages = 0;
    loop {
        let page: Page<ActivitySummary> = store.activities(&f).await.unwrap();
        assert!(page.items.len() <= f.limit.max(1) as usize);
        out.extend(page.items);
        pages += 1;
        assert!(pages < 10_000, "paging does not end");
        match page.next {
            Some(n) => f.after = Some(n),
            None => break,
        }
    }
    out
}

/// Line of the `<iati-activity` start tag of `identifier` in `file`, and the
/// number of `<transaction>` elements of that activity: read from the XML text.
fn line_and_transactions(file: &Path, identifier: &str) -> (u64, usize) {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(&format!("<iati-identifier>{identifier}</iati-identifier>")))
        .unwrap();
    let start = (0..=at)
        .rev()
        .find(|i| lines[*i].contains("<iati-activity"))
        .unwrap();
    let end = (at..lines.len())
        .find(|i| lines[*i].contains("</iati-activity>"))
        .unwrap();
    let txs = lines[start..end]
        .iter()
        .filter(|l| {
            l.trim_start().starts_with("<transaction>")
                || l.trim_start().starts_with("<transaction ")
        })
        .count();
    ((start + 1) as u64, txs)
}

both_backends!(paging_visits_every_activity_once, |db: TestDb| async move {
    let store = db.store().await;
    import(&store, &[pacific()]).await;
    let stats = store.stats().await.unwrap();
    let first = store.activities(&filter()).await.unwrap();
    assert_eq!(first.total, stats.activities);
    assert!(
        first.total > 200,
        "the bundled files hold {} activities",
        first.total
    );
    let f = ActivityFilter {
        limit: 7,
        ..filter()
    };
    let all = all_pages(&store, &f).await;
    assert_eq!(all.len() as u64, stats.activities);
    // Stable order: strictly increasing row ids, so no activity twice.
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    let ids: BTreeSet<i64> = all.iter().map(|a| a.id).collect();
    assert_eq!(ids.len(), all.len());
    // The same walk twice gives the same order.
    let again = all_pages(&store, &f).await;
    assert_eq!(
        all.iter().map(|a| a.id).collect::<Vec<_>>(),
        again.iter().map(|a| a.id).collect::<Vec<_>>()
    );
    // Every summary is filled in from the real data.
    assert!(all.iter().all(|a| a.reporting_org == "XM-DAC-41114"));
    assert!(all.iter().all(|a| !a.titles.is_empty()));
    assert!(all.iter().any(|a| !a.disbursed.is_empty()));
    assert!(all.iter().any(|a| !a.countries.is_empty()));
    // A limit above the maximum is capped, 0 is the default page size.
    let big = store
        .activities(&ActivityFilter {
            limit: 100_000,
            ..filter()
        })
        .await
        .unwrap();
    assert_eq!(
        big.items.len(),
        vaka_store::read::MAX_LIMIT.min(stats.activities as u32) as usize
    );
    let dflt = store.activities(&filter()).await.unwrap();
    assert_eq!(dflt.items.len(), vaka_store::read::DEFAULT_LIMIT as usize);
});

both_backends!(filters_narrow, |db: TestDb| async move {
    let store = db.store().await;
    import(&store, &[pacific()]).await;
    let all = store.activities(&filter()).await.unwrap().total;

    // Country: exactly the activities naming Tonga.
    let to = all_pages(
        &store,
        &ActivityFilter {
            country: Some("to".into()),
            limit: 500,
            ..filter()
        },
    )
    .await;
    assert!(!to.is_empty() && (to.len() as u64) < all);
    assert!(to.iter().all(|a| a.countries.iter().any(|c| c == "TO")));
    let tonga_file = pacific().join("undp-open-undp-org_Tonga_projects.xml");
    let tonga_ids: BTreeSet<String> = store
        .dataset_activity_ids(&tonga_file.to_string_lossy())
        .await
        .unwrap()
        .into_iter()
        .collect();
    for id in &tonga_ids {
        assert!(
            to.iter().any(|a| &a.iati_identifier == id),
            "{id} names Tonga"
        );
    }

    // Status partitions the activities (every bundled activity has one).
    let mut by_status = 0;
    for code in ["1", "2", "3", "4", "5", "6"] {
        let p = store
            .activities(&ActivityFilter {
                status: Some(code.into()),
                limit: 500,
                ..filter()
            })
            .await
            .unwrap();
        assert!(
            p.items
                .iter()
                .all(|a| a.status.as_ref().unwrap().code == code)
        );
        by_status += p.total;
    }
    assert_eq!(by_status, all);
    let implementation = store
        .activities(&ActivityFilter {
            status: Some("2".into()),
            ..filter()
        })
        .await
        .unwrap();
    assert_eq!(
        implementation.items[0]
            .status
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some("Implementation")
    );

    // Partner: UNDP reports everything; nobody else does.
    let undp = store
        .activities(&ActivityFilter {
            partner: Some("XM-DAC-41114".into()),
            ..filter()
        })
        .await
        .unwrap();
    assert_eq!(undp.total, all);
    let none = store
        .activities(&ActivityFilter {
            partner: Some("NO-SUCH-ORG".into()),
            ..filter()
        })
        .await
        .unwrap();
    assert_eq!((none.total, none.items.len(), none.next), (0, 0, None));

    // Year: every activity listed for 2015 overlaps 2015.
    let y = all_pages(
        &store,
        &ActivityFilter {
            year: Some(2015),
            limit: 500,
            ..filter()
        },
    )
    .await;
    assert!(!y.is_empty() && (y.len() as u64) < all);
    for a in &y {
        let start = a
            .dates
            .actual_start
            .clone()
            .or(a.dates.planned_start.clone());
        let end = a.dates.actual_end.clone().or(a.dates.planned_end.clone());
        assert!(start.as_deref().is_none_or(|s| s <= "2015-12-31"), "{a:?}");
        assert!(end.as_deref().is_none_or(|e| e >= "2015-01-01"), "{a:?}");
    }
    let bad = store
        .activities(&ActivityFilter {
            year: Some(20155),
            ..filter()
        })
        .await;
    assert!(matches!(bad, Err(StoreError::Invalid(m)) if m.contains("year")));

    // Area: the same activities as the area page counts, every one tagged.
    let fw = store.default_framework().await.unwrap();
    let mut tagged = 0;
    for area in store.framework(&fw).await.unwrap().framework.areas {
        let listed = all_pages(
            &store,
            &ActivityFilter {
                area: Some(area.id.clone()),
                limit: 500,
                ..filter()
            },
        )
        .await;
        assert!(listed.iter().all(|a| {
            a.areas
                .iter()
                .any(|s| s.framework == fw && s.area == area.id)
        }));
        let summary = store.area_summary(&fw, &area.id).await.unwrap().unwrap();
        assert_eq!(summary.activities, listed.len() as u64, "area {}", area.id);
        tagged += listed.len();
    }
    assert!(tagged > 0, "some bundled activity is in a priority area");
    let unclassified = store
        .activities(&ActivityFilter {
            area: Some("unclassified".into()),
            limit: 500,
            ..filter()
        })
        .await
        .unwrap();
    assert!(
        unclassified
            .items
            .iter()
            .all(|a| a.areas.iter().all(|s| s.framework != fw))
    );
    assert!(unclassified.total > 0 && unclassified.total < all);

    // Filters combine.
    let both = store
        .activities(&ActivityFilter {
            country: Some("TO".into()),
            status: Some("2".into()),
            ..filter()
        })
        .await
        .unwrap();
    assert!(both.total <= to.len() as u64 && both.total <= implementation.total);

    // A cursor from nowhere is refused, naming the parameter.
    let err = store
        .activities(&ActivityFilter {
            after: Some("not-a-cursor".into()),
            ..filter()
        })
        .await;
    assert!(matches!(err, Err(StoreError::Invalid(m)) if m.contains("after")));
});

both_backends!(
    detail_has_provenance_and_transactions,
    |db: TestDb| async move {
        let store = db.store().await;
        import(&store, &[pacific()]).await;
        let file = pacific().join("undp-open-undp-org_Tonga_projects.xml");
        let id = "XM-DAC-41114-PROJECT-00060093";
        let d = store.activity(id).await.unwrap().expect("stored");
        let (line, txs) = line_and_transactions(&file, id);
        assert_eq!(d.provenance.line, line);
        assert_eq!(d.provenance.file, file.to_string_lossy());
        assert_eq!(d.provenance.sha256.len(), 64);
        assert_eq!(d.copies.len(), 1);
        assert_eq!(d.summary.iati_identifier, id);
        assert_eq!(
            d.summary.title.as_deref(),
            Some("Tonga Third National Communication (TNC)")
        );
        assert_eq!(d.transactions.len(), txs);
        assert!(d.transactions.windows(2).all(|w| w[0].seq < w[1].seq));
        assert!(d.transactions.iter().all(|t| t.line > line));
        assert_eq!(d.activity["identifier"], id);
        assert!(d.summary.countries.contains(&"TO".to_string()));
        // Tags carry their explanation; diagnostics belong to this activity.
        assert!(d.tags.iter().all(|t| !t.explanation.is_empty()));
        assert!(
            d.diagnostics
                .iter()
                .all(|x| x.activity.as_deref() == Some(id))
        );
        assert!(store.activity("NO-SUCH-ACTIVITY").await.unwrap().is_none());
    }
);

both_backends!(search_finds_every_language, |db: TestDb| async move {
    let store = db.store().await;
    import(&store, &[pacific(), fixture()]).await;
    let search = |q: &str| {
        let store = store.clone();
        let q = q.to_string();
        async move {
            store
                .search(&ActivityFilter {
                    q: Some(q),
                    ..ActivityFilter::default()
                })
                .await
                .unwrap()
        }
    };
    // English, from a real title: the activity whose title has it ranks first.
    let hits = search("communication tonga").await;
    assert!(hits.total >= 1);
    let top = &hits.items[0];
    assert!(
        top.activity
            .title
            .as_deref()
            .unwrap()
            .to_lowercase()
            .contains("communication")
    );
    assert!(
        hits.items
            .iter()
            .any(|h| h.activity.iati_identifier == "XM-DAC-41114-PROJECT-00060093")
    );
    for h in &hits.items {
        assert!(!h.marks.is_empty());
        for [a, b] in &h.marks {
            let m = h.snippet[*a..*b].to_lowercase();
            assert!(m == "communication" || m == "tonga", "{m}");
        }
    }
    // Japanese (three characters and more, and two), French with accents, and
    // a term that is only in a description.
    for q in [
        "太陽光発電",
        "発電",
        "蓄電池",
        "réseaux",
        "RÉSEAUX solaires",
        "batteRY",
    ] {
        let hits = search(q).await;
        let ids: Vec<&str> = hits
            .items
            .iter()
            .map(|h| h.activity.iati_identifier.as_str())
            .collect();
        assert_eq!(ids, vec!["JP-8-VAKA-TEST-0001"], "query {q}");
        let h = &hits.items[0];
        assert!(!h.marks.is_empty(), "query {q}: {}", h.snippet);
        assert_eq!(h.activity.titles.len(), 3);
    }
    // Every term must match.
    assert_eq!(search("太陽光 Tonga").await.total, 0);
    assert_eq!(
        search("water tonga").await.items[0]
            .activity
            .iati_identifier,
        "FR-3-VAKA-TEST-0002"
    );
    // Filters apply to search.
    let narrowed = store
        .search(&ActivityFilter {
            q: Some("tonga".into()),
            partner: Some("FR-3".into()),
            ..ActivityFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(narrowed.total, 1);
    // Paging through search results visits each hit once.
    let all = search("project").await;
    let mut seen = BTreeSet::new();
    let mut f = ActivityFilter {
        q: Some("project".into()),
        limit: 3,
        ..ActivityFilter::default()
    };
    loop {
        let p = store.search(&f).await.unwrap();
        assert_eq!(p.total, all.total);
        for h in p.items {
            assert!(seen.insert(h.activity.id));
        }
        match p.next {
            Some(n) => f.after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, all.total);
    // The list filter `q` uses the same matching.
    let listed = store
        .activities(&ActivityFilter {
            q: Some("発電".into()),
            ..ActivityFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.total, 1);
});

both_backends!(search_index_follows_reimports, |db: TestDb| async move {
    let store = db.store().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("multilingual.xml");
    std::fs::copy(fixture(), &path).unwrap();
    import(&store, std::slice::from_ref(&path)).await;
    let count = |q: &'static str| {
        let store = store.clone();
        async move {
            store
                .search(&ActivityFilter {
                    q: Some(q.into()),
                    ..ActivityFilter::default()
                })
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(count("microgrids").await, 1);
    let text = std::fs::read_to_string(fixture())
        .unwrap()
        .replace("Pacific solar microgrids", "Pacific wind turbines");
    std::fs::write(&path, text).unwrap();
    import(&store, std::slice::from_ref(&path)).await;
    assert_eq!(count("microgrids").await, 0);
    assert_eq!(count("turbines").await, 1);
    assert_eq!(count("太陽光").await, 1);
});

/// Queries that must never fail, whatever they contain.
const ODD: &[&str] = &[
    "",
    " ",
    "\"",
    "\"\"",
    "*",
    "**",
    "AND",
    "OR",
    "NOT",
    "a AND",
    "NEAR(",
    "(",
    ")",
    "^",
    ":",
    "-",
    "+",
    "'",
    "''",
    "%",
    "_",
    "\\",
    ";",
    "--",
    "/*",
    "a:b",
    "col:x",
    "'; DROP TABLE activity; --",
    "\u{0}",
    "💧",
    "é",
    "İ",
    "ß",
    "ﬁ",
    "x y z w v u t s r q p",
    "to",
];

both_backends!(search_never_fails_on_odd_input, |db: TestDb| async move {
    let store = db.store().await;
    import(&store, &[fixture()]).await;
    let long = "ab".repeat(250);
    let mut queries: Vec<String> = ODD.iter().map(|s| s.to_string()).collect();
    queries.push(long);
    queries.push("太".repeat(500));
    for q in queries {
        let f = ActivityFilter {
            q: Some(q.clone()),
            ..ActivityFilter::default()
        };
        let hits = store
            .search(&f)
            .await
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
        for h in &hits.items {
            for [a, b] in &h.marks {
                assert!(h.snippet.is_char_boundary(*a) && h.snippet.is_char_boundary(*b) && a < b);
            }
        }
        store
            .activities(&f)
            .await
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
    // A query without letters or digits finds nothing.
    let none = store
        .search(&ActivityFilter {
            q: Some("\"*\"".into()),
            ..ActivityFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(none.total, 0);
});

#[test]
fn search_never_fails_on_arbitrary_input() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let (db, store) = rt.block_on(async {
            let db = TestDb::new(backend).await;
            let store = db.store().await;
            import(&store, &[fixture()]).await;
            (db, store)
        });
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 64,
            ..ProptestConfig::default()
        });
        runner
            .run(
                &("\\PC{0,80}", proptest::option::of("[A-Za-z0-9]{0,6}")),
                |(q, after)| {
                    let f = ActivityFilter {
                        q: Some(q.clone()),
                        after,
                        ..ActivityFilter::default()
                    };
                    let r = rt.block_on(store.search(&f));
                    // Only a malformed cursor may be refused, and then as Invalid.
                    match r {
                        Ok(p) => prop_assert!(p.items.len() as u64 <= p.total),
                        Err(StoreError::Invalid(m)) => prop_assert!(m.contains("after")),
                        Err(e) => prop_assert!(false, "{q:?} failed on {backend:?}: {e}"),
                    }
                    Ok(())
                },
            )
            .unwrap();
        rt.block_on(store.close());
        drop(db);
    }
}

both_backends!(transactions_page_and_filter, |db: TestDb| async move {
    let store = db.store().await;
    import(&store, &[pacific(), fixture()]).await;
    let stats = store.stats().await.unwrap();
    let mut f = TransactionFilter {
        limit: 97,
        ..TransactionFilter::default()
    };
    let mut seen = BTreeSet::new();
    let mut total = None;
    loop {
        let p = store.transactions(&f).await.unwrap();
        total.get_or_insert(p.total);
        for t in p.items {
            assert!(seen.insert((t.activity_id, t.seq)));
        }
        match p.next {
            Some(n) => f.after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, stats.transactions);
    assert_eq!(total, Some(stats.transactions));
    let d = store
        .transactions(&TransactionFilter {
            type_: Some("3".into()),
            year: Some(2022),
            ..TransactionFilter::default()
        })
        .await
        .unwrap();
    assert!(
        d.items.iter().all(|t| t.type_.as_ref().unwrap().code == "3"
            && t.date.as_deref().unwrap().starts_with("2022"))
    );
    assert_eq!(
        d.items
            .iter()
            .find(|t| t.iati_identifier == "JP-8-VAKA-TEST-0001")
            .unwrap()
            .value
            .as_deref(),
        Some("40000000")
    );
    let nz = store
        .transactions(&TransactionFilter {
            partner: Some("NZ-1".into()),
            ..TransactionFilter::default()
        })
        .await
        .unwrap();
    assert!(nz.total >= 1);
    assert!(
        nz.items
            .iter()
            .all(|t| t.receiver_ref.as_deref() == Some("NZ-1")
                || t.provider_ref.as_deref() == Some("NZ-1")
                || t.reporting_org == "NZ-1")
    );
    let jica = nz
        .items
        .iter()
        .find(|t| t.iati_identifier == "JP-8-VAKA-TEST-0001")
        .unwrap();
    assert_eq!(
        jica.type_.as_ref().unwrap().name.as_deref(),
        Some("Disbursement")
    );
    let err = store
        .transactions(&TransactionFilter {
            after: Some("t".into()),
            ..TransactionFilter::default()
        })
        .await;
    assert!(matches!(err, Err(StoreError::Invalid(_))));
});

both_backends!(partners_countries_and_regions, |db: TestDb| async move {
    let store = db.store().await;
    import(&store, &[pacific(), fixture()]).await;
    let stats = store.stats().await.unwrap();
    let partners = store.partners().await.unwrap();
    let undp = partners.iter().find(|p| p.ref_ == "XM-DAC-41114").unwrap();
    let undp_stats = stats
        .by_reporting_org
        .iter()
        .find(|o| o.ref_ == "XM-DAC-41114")
        .unwrap();
    assert_eq!(undp.reported, undp_stats.activities);
    assert!(undp.disbursed_usd.is_some());
    // NZ-1 reports nothing here: it only participates.
    let nz = partners.iter().find(|p| p.ref_ == "NZ-1").unwrap();
    let nz_listed = store
        .activities(&ActivityFilter {
            partner: Some("NZ-1".into()),
            ..ActivityFilter::default()
        })
        .await
        .unwrap();
    assert_eq!((nz.activities, nz.reported), (nz_listed.total, 0));
    assert!(nz.activities >= 1);
    let detail = store.partner("JP-8").await.unwrap().unwrap();
    assert_eq!(detail.summary.reported, 1);
    assert_eq!(detail.roles[0].role.name.as_deref(), Some("Funding"));
    assert!(store.partner("NO-SUCH-ORG").await.unwrap().is_none());

    let to = store.country_summary("to", None).await.unwrap().unwrap();
    assert_eq!(to.country.iso2, "TO");
    let listed = store
        .activities(&ActivityFilter {
            country: Some("TO".into()),
            ..ActivityFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(to.activities, listed.total);
    assert!(to.partners.iter().any(|p| p.ref_ == "XM-DAC-41114"));
    assert!(to.partners.iter().any(|p| p.ref_ == "FR-3"));
    assert!(
        to.by_area
            .iter()
            .all(|c| c.country.as_deref() == Some("TO"))
    );
    // The Oceania regional programme includes Tonga without naming it.
    let regional: Vec<&str> = to
        .regional_programmes
        .iter()
        .map(|a| a.iati_identifier.as_str())
        .collect();
    assert_eq!(regional, vec!["JP-8-VAKA-TEST-0001"]);
    assert!(store.country_summary("XX", None).await.unwrap().is_none());
    let fw = store.default_framework().await.unwrap();
    assert!(
        store
            .area_summary(&fw, "no-such-area")
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        store.area_summary("no-such-framework", "x").await,
        Err(StoreError::NotFound(_))
    ));
});
