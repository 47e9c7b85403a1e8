//! The framework TOML format: the bundled frameworks load with the content the
//! brief and the shared data require, and malformed files give errors that name
//! the field and the line.

#![allow(clippy::unwrap_used)] // tests may unwrap, helpers included

mod common;

use std::collections::BTreeSet;

use vaka_domain::{Framework, FrameworkError, Relevance};

fn nz_japan() -> Framework {
    Framework::bundled_by_id("nz-japan-2019").expect("nz-japan-2019 is bundled")
}

#[test]
fn both_bundled_frameworks_load() {
    let ids: Vec<String> = Framework::bundled().into_iter().map(|f| f.id).collect();
    assert_eq!(ids, ["nz-japan-2019", "ajnz-2003"]);
}

#[test]
fn bundled_files_also_load_from_disk() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/frameworks");
    for name in ["nz-japan-2019.toml", "ajnz-2003.toml"] {
        let f = Framework::load_file(&dir.join(name)).unwrap();
        assert_eq!(format!("{}.toml", f.id), name);
    }
}

#[test]
fn nz_japan_has_the_declared_content() {
    let f = nz_japan();
    assert_eq!(f.name, "Joint Declaration on Cooperation in the Pacific");
    assert_eq!(f.signed.to_string(), "2019-10-31");
    assert_eq!(f.signed_place.as_deref(), Some("Tokyo"));
    let areas: Vec<&str> = f.areas.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        areas,
        [
            "renewable-energy",
            "aviation-infrastructure",
            "water-security",
            "medical-infrastructure",
            "disaster-risk-reduction"
        ]
    );
    for a in &f.areas {
        assert!(
            a.name.ja.is_some() && a.name.fr.is_some(),
            "{} lacks ja/fr names",
            a.id
        );
    }
    assert!(f.partner_for("NZ-1").is_some());
    assert!(f.partner_for("JP-8").is_some(), "JP-8 is an alias of JICA");
    assert!(f.partner_for("XM-DAC-701-8").is_some());
    assert!(f.partner_for("AU-5").is_none());
    assert!(
        f.objectives
            .iter()
            .any(|o| o.contains("enduring framework"))
    );
    assert!(f.principles.iter().any(|p| p.contains("Pacific Reset")));
    assert!(
        f.principles
            .iter()
            .any(|p| p.contains("Free and Open Indo-Pacific"))
    );
    assert!(
        f.mechanisms
            .iter()
            .any(|m| m.id == "disaster-resilience-consultations")
    );
}

/// Focus countries are every country in the shared countries.csv except AU and NZ.
#[test]
fn nz_japan_focus_countries_follow_countries_csv() {
    let csv = common::read_shared("pacific/countries.csv");
    let expected: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .filter(|c| c != "AU" && c != "NZ")
        .collect();
    assert_eq!(expected.len(), 21);
    assert_eq!(nz_japan().focus_countries, expected);
}

/// Every 5-digit code and policy marker in the shared priority-areas.csv is a
/// rule of the matching area, with the CSV's relevance where it says primary
/// or secondary.
#[test]
fn nz_japan_rules_cover_priority_areas_csv() {
    let f = nz_japan();
    let csv = common::read_shared("pacific/priority-areas.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut rows = 0;
    for rec in reader.records() {
        let rec = rec.unwrap();
        rows += 1;
        let area_id = match &rec[0] {
            "renewable energy" => "renewable-energy",
            "aviation infrastructure" => "aviation-infrastructure",
            "water security" => "water-security",
            "medical infrastructure and equipment" => "medical-infrastructure",
            "disaster risk reduction" => "disaster-risk-reduction",
            other => panic!("unknown area {other}"),
        };
        let area = f.area(area_id).unwrap();
        let (kind, code, status, relevance) = (&rec[1], &rec[3], &rec[5], &rec[6]);
        match kind {
            "crs_purpose" => {
                let rule = area
                    .rules
                    .sector_rule(code)
                    .unwrap_or_else(|| panic!("{area_id} lacks {code}"));
                assert_eq!(rule.withdrawn, status == "withdrawn", "{code}");
                match relevance {
                    "primary" => assert_eq!(rule.relevance, Relevance::Primary, "{code}"),
                    "secondary" => assert_eq!(rule.relevance, Relevance::Secondary, "{code}"),
                    "legacy" => assert!(rule.withdrawn),
                    other => panic!("{other}"),
                }
            }
            "policy_marker" => {
                assert!(
                    area.rules.policy_markers.iter().any(|m| m.code == code),
                    "{area_id} lacks marker {code}"
                );
            }
            other => panic!("{other}"),
        }
    }
    assert_eq!(rows, 54);
}

#[test]
fn nz_japan_marker_and_category_decisions() {
    let f = nz_japan();
    let re = &f.area("renewable-energy").unwrap().rules;
    assert!(re.marker_rule("1", "6", Some("2")).is_some());
    assert!(
        re.marker_rule("1", "6", Some("1")).is_none(),
        "mitigation counts only as principal"
    );
    assert!(re.category_rule("232").is_some());
    assert!(
        re.sector_rule("23010").is_none(),
        "23010 is left out on purpose"
    );
    let drr = &f.area("disaster-risk-reduction").unwrap().rules;
    assert!(drr.marker_rule("1", "10", Some("1")).is_some());
    assert!(drr.category_rule("740").is_some());
    assert!(
        f.area("aviation-infrastructure")
            .unwrap()
            .rules
            .category_rule("210")
            .is_none()
    );
    assert_eq!(
        f.area("water-security")
            .unwrap()
            .rules
            .category_rule("140")
            .unwrap()
            .relevance,
        Relevance::Secondary
    );
}

#[test]
fn ajnz_has_three_partners_and_named_areas() {
    let f = Framework::bundled_by_id("ajnz-2003").unwrap();
    let refs: Vec<&str> = f.partners.iter().map(|p| p.ref_.as_str()).collect();
    assert_eq!(refs, ["AU-5", "XM-DAC-701-8", "NZ-1"]);
    let areas: BTreeSet<&str> = f.areas.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        areas,
        BTreeSet::from([
            "environmental-conservation",
            "infrastructure-education",
            "infectious-diseases"
        ])
    );
    assert_eq!(f.signed.to_string(), "2003-05-17");
    assert!(
        f.mechanisms
            .iter()
            .any(|m| m.id == "senior-aid-official-dialogue")
    );
}

// --- malformed files --------------------------------------------------------

const MINIMAL: &str = r#"id = "test-fw"
name = "Test"
short_name = "T"
signed = 2020-01-02
focus_countries = ["TO"]

[[partners]]
ref = "NZ-1"
name = "MFAT"
country = "NZ"

[[areas]]
id = "water"
name = { en = "Water" }

[areas.rules]
sectors = [
  { code = "14010", relevance = "primary" },
]
"#;

fn load(text: &str) -> Result<Framework, FrameworkError> {
    Framework::from_toml_str("test.toml", text)
}

#[track_caller]
fn invalid(text: &str, field: &str, line: usize) -> String {
    let e = load(text).expect_err("must be rejected");
    assert_eq!(e.field(), Some(field), "{e}");
    assert_eq!(e.line(), Some(line), "{e}");
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!("test.toml:{line}: `{field}`")),
        "{msg}"
    );
    msg
}

#[test]
fn minimal_file_loads() {
    let f = load(MINIMAL).unwrap();
    assert_eq!(
        f.areas[0].name.get("fr"),
        "Water",
        "missing translations fall back to English"
    );
    assert!(f.objectives.is_empty());
}

#[test]
fn bad_framework_id() {
    let msg = invalid(&MINIMAL.replace("\"test-fw\"", "\"Test_FW\""), "id", 1);
    assert!(msg.contains("kebab-case"), "{msg}");
}

#[test]
fn bad_focus_country() {
    let msg = invalid(
        &MINIMAL.replace("[\"TO\"]", "[\"TO\", \"XQ\"]"),
        "focus_countries[1]",
        5,
    );
    assert!(msg.contains("ISO 3166"), "{msg}");
}

#[test]
fn duplicate_focus_country() {
    invalid(
        &MINIMAL.replace("[\"TO\"]", "[\"TO\", \"TO\"]"),
        "focus_countries[1]",
        5,
    );
}

#[test]
fn bad_partner_country() {
    invalid(
        &MINIMAL.replace("country = \"NZ\"", "country = \"nz\""),
        "partners[0].country",
        10,
    );
}

#[test]
fn bad_sector_code() {
    let msg = invalid(
        &MINIMAL.replace("\"14010\"", "\"1401\""),
        "areas[0].rules.sectors[0].code",
        18,
    );
    assert!(
        msg.contains("5 digits") && msg.contains("3 digits"),
        "{msg}"
    );
}

#[test]
fn duplicate_area_id() {
    let text = format!("{MINIMAL}\n[[areas]]\nid = \"water\"\nname = {{ en = \"Again\" }}\n");
    let msg = invalid(&text, "areas[1].id", 22);
    assert!(msg.contains("unique"), "{msg}");
}

#[test]
fn reserved_area_id() {
    invalid(
        &MINIMAL.replace("id = \"water\"", "id = \"unclassified\""),
        "areas[0].id",
        13,
    );
}

#[test]
fn invalid_calendar_date() {
    let e = load(&MINIMAL.replace("2020-01-02", "2019-02-29"));
    // The TOML parser may reject it itself; either way the line is 4.
    let e = e.expect_err("29 February 2019 does not exist");
    assert_eq!(e.line(), Some(4), "{e}");
}

#[test]
fn date_with_time_is_rejected() {
    invalid(
        &MINIMAL.replace("2020-01-02", "2020-01-02T10:00:00"),
        "signed",
        4,
    );
}

#[test]
fn bad_significance() {
    // MINIMAL has 19 lines; the appended marker rule is line 20.
    let text =
        format!("{MINIMAL}policy_markers = [ {{ code = \"10\", significances = [\"5\"] }} ]\n");
    invalid(
        &text,
        "areas[0].rules.policy_markers[0].significances[0]",
        20,
    );
}

#[test]
fn unknown_field_names_the_field_and_line() {
    let e = load(&MINIMAL.replace("short_name = \"T\"", "shortname = \"T\"")).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, FrameworkError::Toml { .. }), "{msg}");
    assert!(msg.contains("shortname"), "{msg}");
    assert!(msg.starts_with("test.toml:3:"), "{msg}");
}

#[test]
fn missing_field_is_named() {
    let e = load(&MINIMAL.replace("name = \"MFAT\"\n", "")).unwrap_err();
    assert!(e.to_string().contains("`name`"), "{e}");
}

#[test]
fn wrong_relevance_is_named() {
    let e = load(&MINIMAL.replace("\"primary\"", "\"main\"")).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("main") && msg.starts_with("test.toml:18:"),
        "{msg}"
    );
}

#[test]
fn syntax_error_gives_line() {
    let e = load("id = \"a\"\nname = \n").unwrap_err();
    assert_eq!(e.line(), Some(2), "{e}");
}

#[test]
fn missing_file_names_the_path() {
    let e = Framework::load_file(std::path::Path::new("/nonexistent/fw.toml")).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/fw.toml"), "{e}");
}

#[test]
fn no_areas_is_rejected() {
    let text = MINIMAL.split("[[areas]]").next().unwrap();
    let e = load(text).unwrap_err();
    assert_eq!(e.field(), Some("areas"));
}
