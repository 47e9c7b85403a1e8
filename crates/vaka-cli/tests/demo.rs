//! `vaka demo`: the bundled data loads once; the second start re-imports nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use vaka_testkit::{TestDb, both_backends};

fn demo(db: &TestDb) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vaka"))
        .args(["--db", &db.url, "demo", "--no-serve"])
        .env("RUST_LOG", "error")
        .output()
        .expect("run vaka");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

both_backends!(demo_loads_once, |db: TestDb| async move {
    let first = demo(&db);
    assert!(
        first.contains("12 files (12 imported, 0 already present)"),
        "{first}"
    );
    assert!(first.contains("251 activities"), "{first}");
    assert!(
        first.contains("Founding announcement: id 1 (created)"),
        "{first}"
    );

    let second = demo(&db);
    assert!(
        second.contains("(0 imported, 12 already present)"),
        "{second}"
    );
    assert!(
        second.contains("Founding announcement: id 1 (unchanged)"),
        "{second}"
    );

    let store = db.store().await;
    let datasets = store.datasets().await.unwrap();
    assert_eq!(datasets.len(), 12);
    assert!(
        datasets
            .iter()
            .all(|d| d.path.starts_with("bundled/iati/pacific/")),
        "{datasets:?}"
    );
    let ann = store.announcement_json(1).await.unwrap();
    assert_eq!(ann["date"], "2019-10-31");
    assert_eq!(ann["frameworks"][0], "nz-japan-2019");
});
