//! Small data-driven extraction cases: one release body in, findings out.

mod common;

use common::*;
use vaka_announce::{Extraction, FrameworkBasis, IssuingBasis, Release};

fn release(title: &str, url: &str, ministers: &[&str], body: &str) -> (Release, Extraction) {
    let mut text = format!("---\ntitle: \"{title}\"\ndate: 2024-07-18\nurl: {url}\n");
    if !ministers.is_empty() {
        text.push_str("ministers:\n");
        for m in ministers {
            text.push_str(&format!("  - {m}\n"));
        }
    }
    text.push_str("---\n\n");
    text.push_str(body);
    parse_and_extract("case", &text)
}

const NZ_URL: &str = "https://www.beehive.govt.nz/release/x";

#[test]
fn a_back_reference_needs_a_framework_named_before_it() {
    let (_, ex) = release(
        "T",
        NZ_URL,
        &[],
        "The Joint Declaration will guide our work.",
    );
    assert!(ex.frameworks.is_empty());
}

#[test]
fn commitment_falls_back_to_the_release_framework() {
    let body = "The Joint Declaration on Cooperation in the Pacific was signed in Tokyo. Officials met \
                afterwards. Japan will fund solar power in Samoa.";
    let (_, ex) = release("T", NZ_URL, &[], body);
    assert_eq!(ex.commitments.len(), 1);
    let c = &ex.commitments[0];
    assert_eq!(c.framework.as_deref(), Some("nz-japan-2019"));
    assert_eq!(c.framework_basis, Some(FrameworkBasis::Release));
    assert_eq!(c.partners, ["JP", "WS"]);
    assert_eq!(c.areas, ["renewable-energy"]);
}

#[test]
fn commitment_in_the_sentence_naming_the_framework() {
    let body = "Under the Joint Declaration on Cooperation in the Pacific, New Zealand and Japan commit to \
                joint work on disaster resilience.";
    let (_, ex) = release("T", NZ_URL, &[], body);
    let c = &ex.commitments[0];
    assert_eq!(c.trigger, "commit to");
    assert_eq!(c.framework_basis, Some(FrameworkBasis::Sentence));
    assert_eq!(c.areas, ["disaster-risk-reduction"]);
}

#[test]
fn negations_and_general_statements_are_not_commitments() {
    let body = "Japan will not provide funding this year. Our efforts will be grounded in shared values. \
                It shows our commitment to the region.";
    let (_, ex) = release("T", NZ_URL, &[], body);
    assert!(ex.commitments.is_empty(), "{:#?}", ex.commitments);
}

#[test]
fn roles_take_the_country_written_before_them() {
    let body = "Japanese Foreign Minister Taro Kono met New Zealand’s Prime Minister Jacinda Ardern and \
                Minister of Foreign Affairs of Fiji Inia Seruiratu.";
    let (_, ex) = release("T", NZ_URL, &[], body);
    let got: Vec<(&str, Option<&str>, Option<&str>)> = ex
        .people
        .iter()
        .map(|p| (p.name.as_str(), p.role.as_deref(), p.country.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("Taro Kono", Some("Foreign Minister"), Some("JP")),
            ("Jacinda Ardern", Some("Prime Minister"), Some("NZ")),
            (
                "Inia Seruiratu",
                Some("Minister of Foreign Affairs"),
                Some("FJ")
            ),
        ]
    );
}

#[test]
fn a_surname_met_first_is_upgraded_by_the_full_name() {
    let body = "Mr Motegi arrived. Foreign Minister Toshimitsu Motegi then spoke.";
    let (_, ex) = release("T", NZ_URL, &[], body);
    assert_eq!(ex.people.len(), 1);
    assert_eq!(ex.people[0].name, "Toshimitsu Motegi");
    assert_eq!(ex.people[0].mentions.len(), 2);
}

#[test]
fn headlines_give_countries_but_not_amounts_or_commitments() {
    let (_, ex) = release(
        "NZ$5m for Fiji: New Zealand will provide support",
        NZ_URL,
        &[],
        "Officials met.",
    );
    assert_eq!(ids(&ex.countries), ["FJ", "NZ"]);
    assert!(ex.amounts.is_empty());
    assert!(ex.commitments.is_empty());
}

#[test]
fn issuing_country_from_the_ministers_when_the_url_says_nothing() {
    let body = "New Zealand Foreign Minister Jane Smith announced $2 million for Tuvalu.";
    let (_, ex) = release(
        "T",
        "https://www.example.org/news/1",
        &["Hon Jane Smith"],
        body,
    );
    let issuer = ex.issuing_country.as_ref().expect("issuing country");
    assert_eq!(
        (issuer.code.as_str(), issuer.basis),
        ("NZ", IssuingBasis::Ministers)
    );
    assert_eq!(ex.amounts.len(), 1);
    assert_eq!(ex.amounts[0].currency.as_deref(), Some("NZD"));
    assert!(ex.people[0].minister);
}

#[test]
fn absolute_dates_and_inferred_years() {
    let body = "The declaration was signed on 31 October 2019. Talks resume on 1 November.";
    let (_, ex) = release("T", NZ_URL, &[], body);
    let got: Vec<(&str, bool)> = ex
        .dates
        .iter()
        .map(|d| (d.date.as_str(), d.year_inferred))
        .collect();
    assert_eq!(got, [("2019-10-31", false), ("2024-11-01", true)]);
}
