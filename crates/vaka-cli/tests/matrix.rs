//! `vaka report matrix` and `vaka classify`, run as a user runs them, on both
//! backends, over the bundled real Pacific files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;
use vaka_testkit::{TestDb, both_backends, bundled_data};

const AREAS: [&str; 6] = [
    "renewable-energy",
    "aviation-infrastructure",
    "water-security",
    "medical-infrastructure",
    "disaster-risk-reduction",
    "unclassified",
];

/// A Tonga activity no rule classifies: 402,765.00 USD disbursed.
const TONGA_ACTIVITY: &str = "XM-DAC-41114-OUTPUT-00075481";

fn vaka(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vaka"))
        .arg("--db")
        .arg(&db.url)
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .expect("run vaka")
}

fn ok(o: Output) -> Output {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().expect("decimal string")).unwrap()
}

fn matrix(db: &TestDb, extra: &[&str]) -> Value {
    let mut args = vec![
        "report",
        "matrix",
        "--framework",
        "nz-japan-2019",
        "--currency",
        "USD",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    json(&ok(vaka(db, &args)))
}

fn import_bundled(db: &TestDb) {
    let dir = bundled_data().join("iati/pacific");
    ok(vaka(db, &["import", "iati", dir.to_str().unwrap()]));
}

/// Value of the (country, area) cell.
fn cell(m: &Value, country: &str, area: &str) -> Decimal {
    m["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["country"] == country && c["area"] == area)
        .map(|c| dec(&c["value"]))
        .unwrap_or_default()
}

both_backends!(
    matrix_json_has_the_documented_shape_and_adds_up,
    |db: TestDb| async move {
        import_bundled(&db);
        let m = matrix(&db, &[]);
        let cells = m["cells"].as_array().unwrap();
        assert!(!cells.is_empty());
        let mut by_country: BTreeMap<String, Decimal> = BTreeMap::new();
        for c in cells {
            let keys: BTreeSet<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["area", "country", "currency", "transactions", "value"]),
                "{c}"
            );
            assert_eq!(c["currency"], "USD");
            assert!(AREAS.contains(&c["area"].as_str().unwrap()), "{c}");
            *by_country
                .entry(c["country"].as_str().unwrap().to_owned())
                .or_default() += dec(&c["value"]);
        }
        assert_eq!(m["unconverted"], Value::Array(vec![]));

        // The sum over areas (with `unclassified`) of a country equals that
        // country's apportioned total, as the matrix by country alone reports it.
        let totals = matrix(&db, &["--by", "country"]);
        for c in totals["cells"].as_array().unwrap() {
            let keys: BTreeSet<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["country", "currency", "transactions", "value"])
            );
            let country = c["country"].as_str().unwrap();
            assert_eq!(
                by_country.get(country).copied().unwrap_or_default(),
                dec(&c["value"]),
                "{country}"
            );
        }
        // Tonga by hand: eleven disbursements, USD 1,701,876.
        let tonga: Decimal = AREAS.iter().map(|a| cell(&m, "TO", a)).sum();
        assert_eq!(tonga, Decimal::from(1_701_876));

        // The grand total is every disbursement (types 3 and 4) in the files,
        // as `vaka stats` sums them from the raw transactions.
        let stats = json(&ok(vaka(&db, &["stats", "--json"])));
        let disbursed: Decimal = stats["by_reporting_org"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|o| o["transactions"].as_array().unwrap().iter())
            .filter(|t| t["type"] == "3" || t["type"] == "4")
            .map(|t| dec(&t["sum"]))
            .sum();
        assert_eq!(dec(&m["totals"]["grand"]["value"]), disbursed);
        let grand: Decimal = by_country.values().copied().sum();
        assert_eq!(grand, disbursed);

        // A year range narrows, never widens (2017: USD 12,757,543 by hand from the facts).
        let recent = matrix(&db, &["--from", "2017", "--to", "2017"]);
        let recent_total = dec(&recent["totals"]["grand"]["value"]);
        assert!(recent_total > Decimal::ZERO && recent_total < disbursed);

        // Activity counts: integers, not money.
        let acts = matrix(&db, &["--measure", "activities", "--by", "area"]);
        for c in acts["cells"].as_array().unwrap() {
            assert!(c["activities"].is_u64(), "{c}");
            assert!(c.get("value").is_none(), "{c}");
        }
    }
);

both_backends!(matrix_files_in_every_format, |db: TestDb| async move {
    import_bundled(&db);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("m.csv");
    let xlsx = dir.path().join("m.xlsx");
    for (fmt, path) in [("csv", &csv), ("xlsx", &xlsx)] {
        ok(vaka(
            &db,
            &[
                "report",
                "matrix",
                "--format",
                fmt,
                "-o",
                path.to_str().unwrap(),
            ],
        ));
    }
    let text = std::fs::read_to_string(&csv).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("country,area"), "{header}");
    assert!(text.lines().any(|l| l.starts_with("TO,")), "{text}");
    let bytes = std::fs::read(&xlsx).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX file is a zip archive");

    let table = String::from_utf8(ok(vaka(&db, &["report", "matrix"])).stdout).unwrap();
    assert!(table.contains("Tonga") || table.contains("TO"), "{table}");
    assert!(table.contains("1,701,876"), "{table}");

    let bad = vaka(&db, &["report", "matrix", "--measure", "smiles"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = vaka(
        &db,
        &["report", "matrix", "--framework", "no-such-framework"],
    );
    assert_ne!(bad.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no-such-framework"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
});

both_backends!(
    overrides_move_money_and_survive_reimport,
    |db: TestDb| async move {
        // Import from a scratch copy so the file can be changed and re-imported.
        let dir = tempfile::tempdir().unwrap();
        let src = bundled_data().join("iati/pacific");
        for e in std::fs::read_dir(&src).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
        ok(vaka(&db, &["import", "iati", dir.path().to_str().unwrap()]));
        let before = matrix(&db, &[]);
        let water_before = cell(&before, "TO", "water-security");

        let set = ok(vaka(
            &db,
            &[
                "classify",
                "--activity",
                TONGA_ACTIVITY,
                "--framework",
                "nz-japan-2019",
                "--share",
                "water-security=1",
                "--reason",
                "Reviewed: a water supply programme",
            ],
        ));
        assert!(String::from_utf8_lossy(&set.stdout).contains("version 1"));
        let after = matrix(&db, &[]);
        let moved = Decimal::from_str("402765.00").unwrap();
        assert_eq!(cell(&after, "TO", "water-security"), water_before + moved);
        assert_eq!(
            dec(&after["totals"]["grand"]["value"]),
            dec(&before["totals"]["grand"]["value"]),
            "an override moves money between areas, never creates it"
        );

        // A stale version is refused and changes nothing.
        let stale = vaka(
            &db,
            &[
                "classify",
                "--activity",
                TONGA_ACTIVITY,
                "--framework",
                "nz-japan-2019",
                "--share",
                "renewable-energy=1",
                "--reason",
                "late",
                "--expect-version",
                "0",
            ],
        );
        assert_ne!(stale.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&stale.stderr).contains("version 1"),
            "{}",
            String::from_utf8_lossy(&stale.stderr)
        );
        assert_eq!(matrix(&db, &[]), after);

        // Change the Tonga file (so it is re-imported, its activities replaced)
        // and re-run the rules: the person's classification still stands.
        let tonga = dir.path().join("undp-open-undp-org_Tonga_projects.xml");
        let mut text = std::fs::read_to_string(&tonga).unwrap();
        text.push_str("\n<!-- republished -->\n");
        std::fs::write(&tonga, text).unwrap();
        let again = ok(vaka(&db, &["import", "iati", dir.path().to_str().unwrap()]));
        assert!(
            String::from_utf8_lossy(&again.stdout).contains("1 imported"),
            "{}",
            String::from_utf8_lossy(&again.stdout)
        );
        assert_eq!(matrix(&db, &[]), after);
        ok(vaka(&db, &["classify"]));
        assert_eq!(matrix(&db, &[]), after);
    }
);
