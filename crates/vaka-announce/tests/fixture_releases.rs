//! Fixture releases with amounts in several currencies, people, dates and
//! commitments (see `fixtures/README.md`).

mod common;

use common::*;
use vaka_announce::{Amount, CurrencyBasis, IssuingBasis};

fn amount_row(a: &Amount) -> (String, &str, CurrencyBasis, Option<&str>, &str) {
    (
        a.value.to_string(),
        a.currency.as_deref().unwrap_or("?"),
        a.currency_basis,
        a.qualifier.as_deref(),
        a.surface.as_str(),
    )
}

#[test]
fn new_zealand_release_reads_bare_dollars_as_nzd() {
    let (r, ex) = parse_and_extract("nz", &fixture_text("nz-tonga-fiji-energy-water.md"));
    assert_eq!(
        ex.issuing_country
            .as_ref()
            .map(|c| (c.code.as_str(), c.basis)),
        Some(("NZ", IssuingBasis::UrlHost))
    );
    let rows: Vec<_> = ex.amounts.iter().map(amount_row).collect();
    assert_eq!(
        rows,
        [
            (
                "7900000".into(),
                "NZD",
                CurrencyBasis::IssuingCountry,
                None,
                "$7.9 million"
            ),
            (
                "3000000".into(),
                "NZD",
                CurrencyBasis::Explicit,
                Some("up to"),
                "NZ$3m"
            ),
            (
                "1300000000".into(),
                "NZD",
                CurrencyBasis::Explicit,
                None,
                "NZ$1.3 billion"
            ),
        ]
    );
    assert_eq!(
        ex.amounts[0].evidence,
        "Foreign Minister Mereana Tautahi today announced $7.9 million for solar power and battery storage in Tonga."
    );
    assert_eq!(
        ex.amounts[1].evidence,
        "New Zealand will also contribute up to NZ$3m to the Water Authority of Fiji for rural water supply upgrades."
    );
    assert_eq!(ids(&ex.countries), ["NZ", "TO", "FJ"]);
    assert_eq!(ids(&ex.areas), ["renewable-energy", "water-security"]);
    // An unknown front-matter field is kept.
    assert_eq!(r.extra["tags"], serde_json::json!(["climate", "pacific"]));

    let dates: Vec<_> = ex
        .dates
        .iter()
        .map(|d| (d.date.as_str(), d.relative.as_deref()))
        .collect();
    assert_eq!(
        dates,
        [
            ("2023-08-14", Some("today")),
            ("2023-08-13", Some("last night"))
        ]
    );

    assert_eq!(ex.people.len(), 1);
    assert_eq!(ex.people[0].name, "Mereana Tautahi");
    assert_eq!(ex.people[0].role.as_deref(), Some("Foreign Minister"));
    assert_eq!(ex.people[0].country.as_deref(), Some("NZ"));

    assert_eq!(ex.commitments.len(), 2, "{:#?}", ex.commitments);
    let c = &ex.commitments[0];
    assert_eq!(c.trigger, "announce … funding");
    assert_eq!(c.partners, ["TO", "NZ"]);
    assert_eq!(c.areas, ["renewable-energy"]);
    assert_eq!(c.amounts.len(), 1);
    let c = &ex.commitments[1];
    assert_eq!(c.trigger, "will also contribute");
    assert_eq!(c.partners, ["NZ", "FJ"]);
    assert_eq!(c.areas, ["water-security"]);
    assert_eq!(c.amounts[0].qualifier.as_deref(), Some("up to"));
    assert_eq!(c.framework, None);

    let v = vaka_announce::to_json(1, &r, &ex);
    assert_eq!(
        v["amounts"][0],
        serde_json::json!({"value": "7900000", "currency": "NZD", "evidence": ex.amounts[0].evidence})
    );
}

#[test]
fn japanese_release_with_yen_and_us_dollars() {
    let (_, ex) = parse_and_extract("jp", &fixture_text("jp-palau-aviation.md"));
    assert_eq!(
        ex.issuing_country.as_ref().map(|c| c.code.as_str()),
        Some("JP")
    );
    let rows: Vec<_> = ex.amounts.iter().map(amount_row).collect();
    assert_eq!(
        rows,
        [
            (
                "300000000".into(),
                "JPY",
                CurrencyBasis::Explicit,
                None,
                "¥300 million"
            ),
            (
                "2500000".into(),
                "USD",
                CurrencyBasis::Explicit,
                None,
                "US$2.5 million"
            ),
        ]
    );
    let evidence = "Japan will provide ¥300 million in grant aid for aviation infrastructure at Palau \
                    International Airport, and the United States will contribute US$2.5 million for air \
                    navigation equipment.";
    assert!(ex.amounts.iter().all(|a| a.evidence == evidence));
    // "US$" is money, not a mention of the United States; the United States is named in words.
    assert_eq!(ids(&ex.countries), ["JP", "US", "PW"]);
    assert_eq!(ex.dates.len(), 1);
    assert_eq!(ex.dates[0].date, "2022-03-08");
    assert_eq!(ex.dates[0].surface, "8 March 2022");

    let watanabe = &ex.people[0];
    assert_eq!(watanabe.name, "Kenji Watanabe");
    assert_eq!(
        watanabe.role.as_deref(),
        Some("Minister for Foreign Affairs")
    );
    assert_eq!(watanabe.country.as_deref(), Some("JP"));
    let bennett = &ex.people[1];
    assert_eq!(bennett.name, "Laura Bennett");
    assert_eq!(bennett.role.as_deref(), Some("Ambassador"));
    assert_eq!(bennett.country.as_deref(), Some("US"));

    assert_eq!(ex.commitments.len(), 1);
    assert_eq!(ex.commitments[0].partners, ["JP", "PW", "US"]);
    assert_eq!(ex.commitments[0].amounts.len(), 2);
    assert_eq!(ex.commitments[0].areas, ["aviation-infrastructure"]);
}

#[test]
fn australian_release_reads_bare_dollars_as_aud() {
    let (_, ex) = parse_and_extract("au", &fixture_text("au-kiribati-water.md"));
    let rows: Vec<_> = ex.amounts.iter().map(amount_row).collect();
    assert_eq!(
        rows,
        [
            (
                "10000000".into(),
                "AUD",
                CurrencyBasis::Explicit,
                None,
                "A$10 million"
            ),
            (
                "2400000".into(),
                "AUD",
                CurrencyBasis::IssuingCountry,
                None,
                "$2.4 million"
            ),
        ]
    );
    assert_eq!(
        ex.amounts[0].evidence,
        "Australia will provide A$10 million to help I-Kiribati communities on South Tarawa secure safe drinking water."
    );
    assert_eq!(ids(&ex.countries), ["AU", "KI"]);
    assert_eq!(ex.commitments.len(), 1);
}

#[test]
fn bare_dollars_without_an_issuing_country_are_not_reported_as_amounts() {
    let (r, ex) = parse_and_extract("news", &fixture_text("news-unknown-dollar.md"));
    assert!(ex.issuing_country.is_none());
    assert!(ex.amounts.is_empty());
    assert_eq!(ex.unresolved_amounts.len(), 1);
    assert_eq!(ex.unresolved_amounts[0].value.to_string(), "5000000");
    assert_eq!(ex.unresolved_amounts[0].currency, None);
    assert_eq!(ids(&ex.countries), ["TV"]);
    assert_eq!(
        vaka_announce::to_json(3, &r, &ex)["amounts"],
        serde_json::json!([])
    );
}

#[test]
fn one_portfolio_list_belongs_to_the_first_minister() {
    let (r, ex) = parse_and_extract("two", &fixture_text("two-ministers.md"));
    assert_eq!(r.ministers.len(), 2);
    assert_eq!(r.ministers[0].name, "Tama Ruatapu");
    assert_eq!(r.ministers[0].honorifics, ["Rt Hon", "Sir"]);
    assert_eq!(
        r.ministers[0].portfolios,
        ["Foreign Affairs", "Trade and Export Growth"]
    );
    assert_eq!(r.ministers[1].name, "Ana Lealaiauloto");
    assert_eq!(r.ministers[1].honorifics, ["Dr"]);
    assert_eq!(r.ministers[1].portfolios, ["Oceans and Fisheries"]);
    // "Ministers Ruatapu and Lealaiauloto" names both, by the front matter's full names.
    let names: Vec<&str> = ex.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Tama Ruatapu", "Ana Lealaiauloto"]);
    assert!(
        ex.people
            .iter()
            .all(|p| p.minister && p.country.as_deref() == Some("NZ"))
    );
}
