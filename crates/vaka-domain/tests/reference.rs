//! Countries and national plans, checked against the shared CSV files.

#![allow(clippy::unwrap_used)] // tests may unwrap, helpers included

mod common;

use vaka_domain::{Country, NationalPlan, reference};

#[test]
fn bundled_countries_equal_shared_file() {
    let shared = reference::countries_from_csv(
        "countries.csv",
        &common::read_shared("pacific/countries.csv"),
    )
    .unwrap();
    assert_eq!(Country::bundled(), shared);
    assert_eq!(shared.len(), 23);
}

#[test]
fn tonga_fields() {
    let to = Country::by_iso2("TO").unwrap();
    assert_eq!(to.iso3, "TON");
    assert_eq!(to.capital, "Nuku'alofa");
    assert_eq!(to.subregion, "Polynesia");
    assert!(to.pif_member && to.oda_eligible && to.sids);
    assert_eq!(to.population, Some(103_742));
    assert_eq!(to.land_area_km2, Some(720.0));
    assert_eq!(to.centroid, (-21.178986, -175.198242));
    assert_eq!(to.dac_region_code, "889");
    assert_eq!(to.dac_subregion_code.as_deref(), Some("1035"));
}

#[test]
fn gaps_stay_empty() {
    let ck = Country::by_iso2("CK").unwrap();
    assert_eq!(ck.population, None);
    assert!(!ck.oda_eligible);
    assert_eq!(Country::by_iso2("AU").unwrap().dac_subregion_code, None);
}

#[test]
fn bad_country_row_names_line_and_column() {
    let text = common::read_shared("pacific/countries.csv").replacen("\nTO,TON", "\nQQ,TON", 1);
    let e = reference::countries_from_csv("c.csv", &text).unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with("c.csv:17: column `iso2`"), "{msg}");
}

#[test]
fn plans_split_into_pillars() {
    let plans = NationalPlan::bundled();
    assert_eq!(plans.len(), 15);
    let fiji = plans.iter().find(|p| p.iso2 == "FJ").unwrap();
    let ids: Vec<&str> = fiji.pillars.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "economic-resilience",
            "people-empowerment",
            "good-governance"
        ]
    );

    let tonga = plans.iter().find(|p| p.iso2 == "TO").unwrap();
    let ids: Vec<&str> = tonga.pillars.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "economic-institutions",
            "infrastructure-and-technology-inputs",
            "natural-resource-and-environment-inputs",
            "social-institutions",
            "political-institutions-governance"
        ]
    );

    // Kiribati lists KV20 pillars, then KDP policy areas after a label; the
    // duplicate "infrastructure" is kept once.
    let kiribati = plans.iter().find(|p| p.iso2 == "KI").unwrap();
    let ids: Vec<&str> = kiribati.pillars.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "wealth",
            "peace-and-security",
            "infrastructure",
            "governance",
            "human-wealth",
            "economic-wealth-and-leaving-no-one-behind",
            "health",
            "environment-and-resilience",
            "good-governance"
        ]
    );

    for iso2 in ["MH", "PW", "TK"] {
        let p = plans.iter().find(|p| p.iso2 == iso2).unwrap();
        assert!(!p.has_pillars(), "{iso2} has no confirmed pillars");
    }
    assert_eq!(plans.iter().find(|p| p.iso2 == "PW").unwrap().plan_name, "");
    let cook = plans.iter().find(|p| p.iso2 == "CK").unwrap();
    assert_eq!(cook.pillars.len(), 7, "{:?}", cook.pillars);
}

#[test]
fn pillar_ids_are_unique_kebab() {
    for plan in NationalPlan::bundled() {
        let mut seen = std::collections::BTreeSet::new();
        for p in &plan.pillars {
            assert!(vaka_domain::is_kebab_id(&p.id), "{}: {}", plan.iso3, p.id);
            assert!(seen.insert(&p.id), "{}: duplicate {}", plan.iso3, p.id);
        }
    }
}

#[test]
fn plan_alignment_is_by_sector() {
    let plans = NationalPlan::bundled();
    let samoa = plans.iter().find(|p| p.iso2 == "WS").unwrap();
    let aligned = samoa.align(&["23230", "15110"]);
    let ids: Vec<&str> = aligned.iter().map(|(p, _)| p.id.as_str()).collect();
    // Solar power serves "structured public works and infrastructure";
    // public-sector policy serves "security and trusted governance".
    assert_eq!(
        ids,
        [
            "security-and-trusted-governance",
            "structured-public-works-and-infrastructure"
        ]
    );
    let cook = plans.iter().find(|p| p.iso2 == "CK").unwrap();
    // Water supply serves the water goal and, as infrastructure, the
    // infrastructure goal.
    let water = cook.align(&["14031"]);
    let ids: Vec<&str> = water.iter().map(|(p, _)| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "water-and-sanitation",
            "infrastructure-transport-and-ict-connectivity"
        ]
    );
    assert_eq!(water[0].1, ["14031"]);
    assert!(cook.align(&["99810"]).is_empty());
}
