//! Memoised aggregates never outlive the data they were computed from, also
//! when another process (here: a second `Store` on the same database) writes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use rust_decimal::Decimal;
use vaka_analysis::{Dim, MatrixMeasure, MatrixRequest, PartnerBy};
use vaka_store::Store;
use vaka_store::import::{ImportOptions, NoProgress};
use vaka_testkit::{TestDb, both_backends, bundled_data};

fn pacific() -> PathBuf {
    bundled_data().join("iati/pacific")
}

fn by_area() -> MatrixRequest {
    MatrixRequest {
        framework: Some("nz-japan-2019".into()),
        currency: "USD".into(),
        from_year: None,
        to_year: None,
        measure: MatrixMeasure::Disbursements,
        by: vec![Dim::Area],
        partner_by: PartnerBy::Reporting,
    }
}

fn area_total(m: &vaka_analysis::Matrix, area: &str) -> Option<String> {
    m.cells
        .iter()
        .find(|c| c.area.as_deref() == Some(area))
        .and_then(|c| c.value.map(|v| v.to_string()))
}

async fn a_transacting_activity(store: &Store) -> String {
    let page = store
        .transactions(&vaka_store::read::TransactionFilter {
            type_: Some("4".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    page.items[0].iati_identifier.clone()
}

both_backends!(
    aggregates_follow_another_process_writes,
    |db: TestDb| async move {
        let reader = db.store().await;
        let writer = db.store().await;

        // Asked (and memoised) while the store holds no activity.
        let v0 = reader.data_version().await.unwrap();
        assert!(reader.partners().await.unwrap().is_empty());
        let to = reader.country_summary("TO", None).await.unwrap().unwrap();
        assert_eq!(to.activities, 0);
        let empty = reader.matrix(&by_area()).await.unwrap();
        assert!(
            empty
                .cells
                .iter()
                .all(|c| c.value.is_none() || c.value == Some(Decimal::ZERO))
        );

        // Another process imports: the reader's next answers are the new data's.
        writer
            .import_paths(&[pacific()], &ImportOptions::default(), &NoProgress)
            .await
            .unwrap();
        let v1 = reader.data_version().await.unwrap();
        assert!(v1 > v0, "an import moves the data version ({v0} → {v1})");
        assert_eq!(
            reader.partners().await.unwrap(),
            writer.partners().await.unwrap()
        );
        assert!(!reader.partners().await.unwrap().is_empty());
        let to = reader.country_summary("TO", None).await.unwrap().unwrap();
        assert!(to.activities > 0);
        assert_eq!(
            to,
            writer.country_summary("TO", None).await.unwrap().unwrap()
        );

        // Re-importing unchanged files changes nothing and keeps the version.
        writer
            .import_paths(&[pacific()], &ImportOptions::default(), &NoProgress)
            .await
            .unwrap();
        assert_eq!(reader.data_version().await.unwrap(), v1);

        // An override set by the other process moves money between areas at once.
        let before = reader.matrix(&by_area()).await.unwrap();
        let id = a_transacting_activity(&writer).await;
        writer
            .set_override(
                "nz-japan-2019",
                &id,
                &[("water-security".to_string(), Decimal::ONE)],
                "test",
                "memo test",
                None,
            )
            .await
            .unwrap();
        let after = reader.matrix(&by_area()).await.unwrap();
        assert_ne!(
            area_total(&before, "water-security"),
            area_total(&after, "water-security"),
            "the reader's matrix follows the override"
        );
        assert_eq!(after, writer.matrix(&by_area()).await.unwrap());
        assert_eq!(
            after.totals.grand.value, before.totals.grand.value,
            "an override moves money, it creates none"
        );
    }
);

/// A PostgreSQL import leaves fresh planner statistics: with the estimates of
/// an empty table the planner scanned every transaction for one activity's.
#[tokio::test]
async fn postgres_import_analyzes_what_it_wrote() {
    use sqlx::{Connection, Row};
    let db = TestDb::postgres().await;
    let store = db.store().await;
    let analyzed = || async {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query(
            "SELECT COUNT(last_analyze) FROM pg_stat_user_tables WHERE relname IN ('activity', 'txn')",
        )
        .fetch_one(&mut conn)
        .await
        .map(|r| r.get::<i64, _>(0))
        .unwrap()
    };
    assert_eq!(analyzed().await, 0, "nothing analysed before the import");
    store
        .import_paths(&[pacific()], &ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert_eq!(
        analyzed().await,
        2,
        "activity and txn were analysed by the import"
    );
}
