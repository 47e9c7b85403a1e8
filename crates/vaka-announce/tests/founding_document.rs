//! The founding document: the 2019 New Zealand–Japan Joint Declaration release.

mod common;

use common::*;
use serde_json::json;
use vaka_announce::{CommitmentStatus, FrameworkBasis, Location};

const COMMITMENT: &str = "It includes a suite of development projects that Japan and New Zealand \
    will jointly implement including in renewable energy, aviation infrastructure, water security, \
    medical infrastructure and equipment, and disaster risk reduction.";

#[test]
fn bundled_copy_matches_the_shared_seed() {
    let seed = read(shared_data().join("../seeds/000_62a222cc91ed13d2.txt"));
    assert_eq!(founding_text(), seed);
}

#[test]
fn front_matter() {
    let (r, _) = parse_and_extract(FOUNDING, &founding_text());
    assert_eq!(
        r.title,
        "New Zealand and Japan commit to greater cooperation in the Pacific"
    );
    assert_eq!(r.date.to_string(), "2019-10-31");
    assert_eq!(
        r.url,
        "https://www.beehive.govt.nz/release/new-zealand-and-japan-commit-greater-cooperation-pacific"
    );
    assert_eq!(r.ministers.len(), 1);
    assert_eq!(r.ministers[0].name, "Winston Peters");
    assert_eq!(r.ministers[0].honorifics, ["Rt Hon"]);
    assert_eq!(
        r.ministers[0].portfolios,
        ["Deputy Prime Minister", "Foreign Affairs"]
    );
    assert!(r.extra.is_empty());
    assert_eq!(r.body_line, 11);
    assert_eq!(r.paragraphs.len(), 8);
    assert_eq!(
        r.paragraphs[7],
        "The Joint Declaration on Cooperation in the Pacific Islands Region is available here."
    );
}

#[test]
fn countries_are_new_zealand_then_japan_and_not_india() {
    let (_, ex) = parse_and_extract(FOUNDING, &founding_text());
    // The title names New Zealand before Japan; the body's first mention is "Japanese".
    assert_eq!(ids(&ex.countries), ["NZ", "JP"]);
    assert_eq!(
        ex.countries[0].evidence,
        "New Zealand and Japan commit to greater cooperation in the Pacific"
    );
    assert_eq!(ex.countries[1].mentions[1].surface, "Japanese");
    assert_eq!(ex.countries[1].mentions[1].location, Location::Sentence(0));
    assert!(ex.regions.iter().any(|r| r.id == "indo-pacific"));
    let pacific = ex
        .regions
        .iter()
        .find(|r| r.id == "pacific-islands")
        .expect("Pacific region");
    assert!(
        pacific
            .mentions
            .iter()
            .any(|m| m.surface == "Pacific Island countries")
    );
}

#[test]
fn areas_in_the_order_named() {
    let (_, ex) = parse_and_extract(FOUNDING, &founding_text());
    assert_eq!(
        ids(&ex.areas),
        [
            "renewable-energy",
            "aviation-infrastructure",
            "water-security",
            "medical-infrastructure",
            "disaster-risk-reduction"
        ]
    );
    for area in &ex.areas {
        assert_eq!(area.evidence, COMMITMENT);
    }
    let medical = &ex.areas[3];
    assert_eq!(medical.mentions.len(), 1);
    assert_eq!(
        medical.mentions[0].surface,
        "medical infrastructure and equipment"
    );
}

#[test]
fn framework_and_its_back_reference() {
    let (r, ex) = parse_and_extract(FOUNDING, &founding_text());
    assert_eq!(ids(&ex.frameworks), ["nz-japan-2019"]);
    let f = &ex.frameworks[0];
    assert_eq!(
        f.evidence,
        "Following their bilateral discussions last night, Ministers Peters and Motegi issued a \
         Joint Declaration on Cooperation in the Pacific."
    );
    let back: Vec<_> = f.mentions.iter().filter(|m| m.back_reference).collect();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].surface, "The Joint Declaration");
    assert!(
        r.text_at(back[0].location)
            .is_some_and(|s| s.contains("provides an enduring framework"))
    );
    assert!(
        f.mentions
            .iter()
            .any(|m| m.surface.ends_with("Pacific Islands Region"))
    );
}

#[test]
fn people_and_roles() {
    let (_, ex) = parse_and_extract(FOUNDING, &founding_text());
    assert_eq!(ex.people.len(), 2, "{:#?}", ex.people);
    let peters = &ex.people[0];
    assert_eq!(peters.name, "Winston Peters");
    assert_eq!(peters.role.as_deref(), Some("Foreign Minister"));
    assert_eq!(peters.country.as_deref(), Some("NZ"));
    assert!(peters.minister);
    assert!(peters.honorifics.contains(&"Mr".to_owned()));
    assert!(peters.honorifics.contains(&"Rt Hon".to_owned()));
    // "Foreign Minister Winston Peters", "Mr Peters" ×3, "Ministers Peters and Motegi".
    assert_eq!(peters.mentions.len(), 5);

    let motegi = &ex.people[1];
    assert_eq!(motegi.name, "Toshimitsu Motegi");
    assert_eq!(motegi.role.as_deref(), Some("Foreign Minister"));
    assert_eq!(motegi.country.as_deref(), Some("JP"));
    assert_eq!(motegi.counterpart_of.as_deref(), Some("Winston Peters"));
    assert!(!motegi.minister);
    // "his Japanese counterpart …", "Minister Motegi", "Ministers Peters and Motegi".
    assert_eq!(motegi.mentions.len(), 3);
}

#[test]
fn the_joint_implementation_commitment() {
    let (_, ex) = parse_and_extract(FOUNDING, &founding_text());
    assert_eq!(ex.commitments.len(), 1, "{:#?}", ex.commitments);
    let c = &ex.commitments[0];
    assert_eq!(c.text, COMMITMENT);
    assert_eq!(c.status, CommitmentStatus::Draft);
    assert_eq!(c.trigger, "will jointly implement");
    assert_eq!(c.partners, ["JP", "NZ"]);
    assert_eq!(c.areas.len(), 5);
    assert_eq!(c.framework.as_deref(), Some("nz-japan-2019"));
    assert_eq!(c.framework_basis, Some(FrameworkBasis::PreviousSentence));
    assert!(c.amounts.is_empty());
}

#[test]
fn no_amounts_and_relative_dates_resolved() {
    let (_, ex) = parse_and_extract(FOUNDING, &founding_text());
    assert!(ex.amounts.is_empty());
    assert!(ex.unresolved_amounts.is_empty());
    let dates: Vec<(&str, Option<&str>)> = ex
        .dates
        .iter()
        .map(|d| (d.date.as_str(), d.relative.as_deref()))
        .collect();
    assert_eq!(
        dates,
        [
            ("2019-10-30", Some("last night")),
            ("2019-10-30", Some("last night")),
            ("2019-10-30", Some("yesterday")),
        ]
    );
    assert_eq!(
        ex.issuing_country.as_ref().map(|c| c.code.as_str()),
        Some("NZ")
    );
}

#[test]
fn json_shape() {
    let (r, ex) = parse_and_extract(FOUNDING, &founding_text());
    let v = vaka_announce::to_json(7, &r, &ex);
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "amounts",
            "areas",
            "commitments",
            "countries",
            "date",
            "details",
            "frameworks",
            "id",
            "ministers",
            "people",
            "title",
            "url"
        ]
    );
    assert_eq!(v["id"], 7);
    assert_eq!(v["date"], "2019-10-31");
    assert_eq!(
        v["ministers"],
        json!([{"name": "Winston Peters", "portfolios": ["Deputy Prime Minister", "Foreign Affairs"]}])
    );
    assert_eq!(v["countries"], json!(["NZ", "JP"]));
    assert_eq!(v["frameworks"], json!(["nz-japan-2019"]));
    assert_eq!(v["amounts"], json!([]));
    assert_eq!(
        v["people"],
        json!([
            {"name": "Winston Peters", "role": "Foreign Minister"},
            {"name": "Toshimitsu Motegi", "role": "Foreign Minister"}
        ])
    );
    assert_eq!(
        v["commitments"],
        json!([{"text": COMMITMENT, "status": "draft"}])
    );
    assert_eq!(v["details"]["countries"][1]["id"], "JP");
}

#[test]
fn release_and_extraction_round_trip_through_serde() {
    let (r, ex) = parse_and_extract(FOUNDING, &founding_text());
    let r2: vaka_announce::Release =
        serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
    assert_eq!(r, r2);
    let ex2: vaka_announce::Extraction =
        serde_json::from_value(serde_json::to_value(&ex).unwrap()).unwrap();
    assert_eq!(ex, ex2);
    assert_eq!(serde_json::to_value(&r).unwrap()["date"], "2019-10-31");
}
