//! The country gazetteer: demonyms and adjectives, Pacific names, false
//! friends, and every country of the shared IATI Country codelist.

mod common;

use common::*;
use vaka_announce::{countries_in, country_name, regions_in};

fn check(text: &str, expected: &[&str]) {
    assert_eq!(countries_in(text), expected, "{text}");
}

#[test]
fn pacific_demonyms_and_names() {
    check("Fijian farmers and Fijians abroad", &["FJ"]);
    check("Ni-Vanuatu workers", &["VU"]);
    check("I-Kiribati families", &["KI"]);
    check("the Solomon Islands government", &["SB"]);
    check("a Solomon Islander and the Solomons", &["SB"]);
    check("Papua New Guinea and Papua New Guinean officials", &["PG"]);
    check("the Federated States of Micronesia (FSM)", &["FM"]);
    check("the Marshall Islands and Marshallese", &["MH"]);
    check("the Cook Islands and Cook Islanders", &["CK"]);
    check("Niue and Niuean", &["NU"]);
    check("Tokelau", &["TK"]);
    check("Samoan and Tongan leaders", &["WS", "TO"]);
    check(
        "Tuvaluan, Nauruan and Palauan ministers",
        &["TV", "NR", "PW"],
    );
    check("New Caledonia and French Polynesia", &["NC", "PF"]);
}

#[test]
fn partners_and_donors() {
    check("Japanese and Australian officials", &["JP", "AU"]);
    check("New Zealand’s partners", &["NZ"]);
    check("Aotearoa New Zealand and Aotearoa", &["NZ"]);
    check("Kiwi volunteers", &["NZ"]);
    check("American, Chinese and Korean aid", &["US", "CN", "KR"]);
    check("French, British and Indian support", &["FR", "GB", "IN"]);
    check("the U.S. and the United Kingdom", &["US", "GB"]);
    check("the Republic of Korea and North Korea", &["KR", "KP"]);
}

#[test]
fn samoa_versus_american_samoa() {
    check("Samoa", &["WS"]);
    check("American Samoa", &["AS"]);
    check("American Samoa and Samoa", &["AS", "WS"]);
    check("American aid to Samoa", &["US", "WS"]);
}

#[test]
fn false_friends() {
    // Indo-Pacific is a region, not India.
    check("Japan’s Free and Open Indo-Pacific vision", &["JP"]);
    assert_eq!(
        regions_in("Japan’s Free and Open Indo-Pacific vision"),
        ["indo-pacific"]
    );
    // New Guinea is an island, not Papua New Guinea or Guinea.
    check("the island of New Guinea", &[]);
    check("Guinea and Papua New Guinea", &["GN", "PG"]);
    // Capitalised whole words only.
    check("a niue-like turkey dinner in chad", &[]);
    check(
        "Chad Wilson met Jordan Smith in Georgia Brown's office",
        &[],
    );
    check("Chad, Jordan and Georgia", &["TD", "JO", "GE"]);
    check("the Indian Ocean", &[]);
}

#[test]
fn group_phrases_are_regions_not_countries() {
    let text = "Pacific Island countries and the Pacific Islands region";
    check(text, &[]);
    assert_eq!(regions_in(text), ["pacific-islands"]);
}

#[test]
fn every_pacific_country_in_the_shared_table_is_found_by_name() {
    let csv = read(shared_data().join("pacific/countries.csv"));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let iso2 = header.iter().position(|h| *h == "iso2").unwrap();
    let name = header.iter().position(|h| *h == "name").unwrap();
    let mut n = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        let cols: Vec<&str> = line.split(',').collect();
        let (code, name) = (cols[iso2], cols[name]);
        assert_eq!(
            countries_in(&format!("Aid to {name} grew.")),
            [code],
            "{name}"
        );
        n += 1;
    }
    assert!(n >= 20, "only {n} Pacific countries read");
}

#[test]
fn every_country_of_the_shared_codelist_is_found_by_its_name() {
    let xml = read(shared_data().join("iati/codelists/non-embedded/Country.xml"));
    let mut checked = 0;
    let mut failures = Vec::new();
    for item in xml.split("<codelist-item").filter(|i| i.contains("<code>")) {
        if item.starts_with(" status=\"withdrawn\"") {
            continue;
        }
        let code = item
            .split("<code>")
            .nth(1)
            .and_then(|s| s.split("</code>").next())
            .unwrap();
        let name = item
            .split("<narrative>")
            .nth(1)
            .and_then(|s| s.split("</narrative>").next())
            .unwrap();
        assert_eq!(country_name(code), Some(name));
        // The codelist's own name, less its parenthesised note.
        let plain = name.split(" (").next().unwrap().split(',').next().unwrap();
        let found = countries_in(&format!("Support for {plain} grew."));
        if matches!(plain, "Virgin Islands" | "Congo" | "Korea") {
            // Ambiguous short forms: the Republic of the Congo and Korea by convention,
            // none for the Virgin Islands.
            continue;
        }
        if found != [code] {
            failures.push(format!("{code} {name}: {found:?}"));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked > 240, "only {checked} countries checked");
}
