//! Classification: hand-built cases for each rule, hand-checked real UNDP
//! activities, and properties (shares within 0..=1, order independence).

#![allow(clippy::unwrap_used)] // tests may unwrap, helpers included

mod common;

use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;
use vaka_analysis::{
    Classification, ClassifyInput, MarkerInput, Override, OverrideError, RuleKind, SectorInput,
    TextInput, classify, classify_with_names,
};
use vaka_domain::Framework;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn fw() -> Framework {
    Framework::bundled_by_id("nz-japan-2019").unwrap()
}

fn sector(vocab: &str, code: &str, pct: Option<&str>) -> SectorInput {
    SectorInput {
        vocabulary: vocab.into(),
        code: code.into(),
        percentage: pct.map(d),
    }
}

fn marker(code: &str, sig: &str) -> MarkerInput {
    MarkerInput {
        vocabulary: "1".into(),
        code: code.into(),
        significance: Some(sig.into()),
    }
}

fn title(t: &str) -> TextInput {
    TextInput {
        field: "title".into(),
        lang: None,
        text: t.into(),
    }
}

/// `(area, share)` pairs by area, in framework order, plus unclassified.
fn check(input: &ClassifyInput, expected: &[(&str, &str)], unclassified: &str) -> Classification {
    let c = classify(input, &fw().areas);
    let got: Vec<(String, Decimal)> = c.by_area();
    let want: Vec<(String, Decimal)> = expected
        .iter()
        .map(|(a, s)| ((*a).to_owned(), d(s)))
        .collect();
    assert_eq!(got, want, "tags: {:#?}", c.tags);
    assert_eq!(c.unclassified, d(unclassified), "tags: {:#?}", c.tags);
    c
}

#[test]
fn one_primary_sector_without_percentage_is_whole() {
    let c = check(
        &ClassifyInput {
            sectors: vec![sector("1", "23230", None)],
            ..Default::default()
        },
        &[("renewable-energy", "1")],
        "0",
    );
    assert_eq!(c.tags[0].rule.kind, RuleKind::Sector);
    assert_eq!(c.tags[0].rule.code, "23230");
    assert_eq!(c.tags[0].rule.explanation, "sector 23230, 100 %");
}

#[test]
fn explanation_names_the_sector() {
    let input = ClassifyInput {
        sectors: vec![
            sector("1", "23230", Some("60")),
            sector("1", "15110", Some("40")),
        ],
        ..Default::default()
    };
    let names = |v: &str, c: &str| {
        (v == "1" && c == "23230").then(|| "Solar energy for centralised grids".to_owned())
    };
    let c = classify_with_names(&input, &fw().areas, &names);
    assert_eq!(c.tags.len(), 1);
    assert_eq!(
        c.tags[0].rule.explanation,
        "sector 23230 Solar energy for centralised grids, 60 %"
    );
    assert_eq!(c.tags[0].share, d("0.6"));
    assert_eq!(c.unclassified, d("0.4"));
}

#[test]
fn percentages_drive_shares_across_areas() {
    let input = ClassifyInput {
        sectors: vec![
            sector("1", "23240", Some("50")),
            sector("1", "14031", Some("30")),
            sector("1", "43060", Some("20")),
        ],
        ..Default::default()
    };
    check(
        &input,
        &[
            ("renewable-energy", "0.5"),
            ("water-security", "0.3"),
            ("disaster-risk-reduction", "0.2"),
        ],
        "0",
    );
}

#[test]
fn several_sectors_without_percentages_split_equally() {
    let input = ClassifyInput {
        sectors: vec![
            sector("1", "21050", None),
            sector("1", "12191", None),
            sector("1", "15110", None),
            sector("1", "99810", None),
        ],
        ..Default::default()
    };
    check(
        &input,
        &[
            ("aviation-infrastructure", "0.25"),
            ("medical-infrastructure", "0.25"),
        ],
        "0.5",
    );
}

#[test]
fn secondary_relevance_counts_half() {
    // 23630 (grid) is secondary for renewable energy: half of its 100 %.
    let c = check(
        &ClassifyInput {
            sectors: vec![sector("1", "23630", None)],
            ..Default::default()
        },
        &[("renewable-energy", "0.5")],
        "0.5",
    );
    assert!(
        c.tags[0]
            .rule
            .explanation
            .contains("secondary: half counts"),
        "{}",
        c.tags[0].rule.explanation
    );
}

#[test]
fn category_rule_applies_when_no_five_digit_rule() {
    // 74020 is listed for DRR; 74010 too; a made-up 740xx code falls to category 740.
    let c = check(
        &ClassifyInput {
            sectors: vec![sector("1", "74099", None)],
            ..Default::default()
        },
        &[("disaster-risk-reduction", "1")],
        "0",
    );
    assert_eq!(c.tags[0].rule.kind, RuleKind::SectorCategory);
    assert_eq!(c.tags[0].rule.code, "740");
    // 14050 waste management: water-security's secondary 140 category.
    check(
        &ClassifyInput {
            sectors: vec![sector("1", "14050", None)],
            ..Default::default()
        },
        &[("water-security", "0.5")],
        "0.5",
    );
    // 21020 road transport: no 210 category rule for aviation.
    check(
        &ClassifyInput {
            sectors: vec![sector("1", "21020", None)],
            ..Default::default()
        },
        &[],
        "1",
    );
}

#[test]
fn dac3_vocabulary_uses_category_rules() {
    let input = ClassifyInput {
        sectors: vec![
            sector("2", "232", Some("70")),
            sector("2", "151", Some("30")),
        ],
        ..Default::default()
    };
    let c = check(&input, &[("renewable-energy", "0.7")], "0.3");
    assert_eq!(c.tags[0].rule.kind, RuleKind::SectorCategory);
}

#[test]
fn dac5_wins_over_dac3_and_other_vocabularies_are_ignored() {
    let input = ClassifyInput {
        sectors: vec![
            sector("1", "14031", None),
            sector("2", "232", None),
            sector("99", "1", None),
            sector("7", "13", None),
        ],
        ..Default::default()
    };
    check(&input, &[("water-security", "1")], "0");
}

#[test]
fn percentages_over_100_are_scaled_down_with_a_note() {
    let input = ClassifyInput {
        sectors: vec![
            sector("1", "23240", Some("100")),
            sector("1", "14031", Some("100")),
        ],
        ..Default::default()
    };
    let c = check(
        &input,
        &[("renewable-energy", "0.5"), ("water-security", "0.5")],
        "0",
    );
    assert_eq!(c.notes.len(), 1, "{:?}", c.notes);
}

#[test]
fn percentages_under_100_leave_a_remainder() {
    let input = ClassifyInput {
        sectors: vec![sector("1", "23240", Some("40"))],
        ..Default::default()
    };
    check(&input, &[("renewable-energy", "0.4")], "0.6");
}

#[test]
fn missing_percentage_shares_what_others_leave() {
    let input = ClassifyInput {
        sectors: vec![sector("1", "23240", Some("40")), sector("1", "14031", None)],
        ..Default::default()
    };
    let c = check(
        &input,
        &[("renewable-energy", "0.4"), ("water-security", "0.6")],
        "0",
    );
    assert_eq!(c.notes.len(), 1);
}

#[test]
fn markers_only_classify_the_remainder() {
    // Sectors claim 60 % for water; the DRR marker takes the other 40 %.
    let input = ClassifyInput {
        sectors: vec![
            sector("1", "14031", Some("60")),
            sector("1", "15110", Some("40")),
        ],
        policy_markers: vec![marker("10", "1")],
        ..Default::default()
    };
    let c = check(
        &input,
        &[
            ("water-security", "0.6"),
            ("disaster-risk-reduction", "0.4"),
        ],
        "0",
    );
    let drr = c
        .tags
        .iter()
        .find(|t| t.area_id == "disaster-risk-reduction")
        .unwrap();
    assert_eq!(drr.rule.kind, RuleKind::PolicyMarker);
    assert_eq!(
        drr.rule.explanation,
        "policy marker 10, significance 1: unclassified remainder 40 %"
    );
}

#[test]
fn fully_classified_activities_ignore_markers_and_keywords() {
    let input = ClassifyInput {
        sectors: vec![sector("1", "14031", None)],
        policy_markers: vec![marker("10", "2")],
        texts: vec![title("Solar pumps for water supply")],
    };
    check(&input, &[("water-security", "1")], "0");
}

#[test]
fn marker_significance_must_be_listed() {
    // Mitigation counts for renewable energy only as principal (2).
    let one = ClassifyInput {
        policy_markers: vec![marker("6", "1")],
        ..Default::default()
    };
    check(&one, &[], "1");
    let two = ClassifyInput {
        policy_markers: vec![marker("6", "2")],
        ..Default::default()
    };
    check(&two, &[("renewable-energy", "1")], "0");
    let none = ClassifyInput {
        policy_markers: vec![MarkerInput {
            vocabulary: "1".into(),
            code: "10".into(),
            significance: None,
        }],
        ..Default::default()
    };
    check(&none, &[], "1");
}

#[test]
fn adaptation_marker_is_shared_between_water_and_drr() {
    let input = ClassifyInput {
        policy_markers: vec![marker("7", "2")],
        ..Default::default()
    };
    let c = check(
        &input,
        &[
            ("water-security", "0.5"),
            ("disaster-risk-reduction", "0.5"),
        ],
        "0",
    );
    assert!(
        c.tags[0].rule.explanation.ends_with("shared by 2 areas"),
        "{}",
        c.tags[0].rule.explanation
    );
}

#[test]
fn keywords_match_whole_words_case_insensitively() {
    let solar = ClassifyInput {
        texts: vec![title("SOLAR Home Systems for Outer Islands")],
        ..Default::default()
    };
    let c = check(&solar, &[("renewable-energy", "1")], "0");
    assert_eq!(c.tags[0].rule.kind, RuleKind::Keyword);
    assert_eq!(c.tags[0].rule.code, "solar");
    assert_eq!(
        c.tags[0].rule.explanation,
        "keyword \"solar\" in title: unclassified remainder 100 %"
    );
    let solarium = ClassifyInput {
        texts: vec![title("Solarium refurbishment")],
        ..Default::default()
    };
    check(&solarium, &[], "1");
}

#[test]
fn french_and_japanese_keywords() {
    let fr = ClassifyInput {
        texts: vec![title("Accès à l’eau potable à Wallis")],
        ..Default::default()
    };
    check(&fr, &[("water-security", "1")], "0");
    // Japanese: substring match, no word boundaries.
    let ja = ClassifyInput {
        texts: vec![title("トンガ国太陽光発電システム整備計画")],
        ..Default::default()
    };
    check(&ja, &[("renewable-energy", "1")], "0");
    let ja2 = ClassifyInput {
        texts: vec![title("ヴァヌアツ国ポートビラ空港改修計画")],
        ..Default::default()
    };
    check(&ja2, &[("aviation-infrastructure", "1")], "0");
}

#[test]
fn keywords_in_several_areas_split_the_remainder() {
    let input = ClassifyInput {
        sectors: vec![
            sector("1", "15110", Some("50")),
            sector("1", "23230", Some("50")),
        ],
        texts: vec![title("Airport solar and runway lighting")],
        ..Default::default()
    };
    // Sectors: renewable 50 %. Remainder 50 % split by keywords between
    // renewable ("solar") and aviation ("airport").
    check(
        &input,
        &[
            ("renewable-energy", "0.75"),
            ("aviation-infrastructure", "0.25"),
        ],
        "0",
    );
}

#[test]
fn nothing_matches_is_all_unclassified() {
    let input = ClassifyInput {
        sectors: vec![sector("1", "15110", None)],
        texts: vec![title("Governance")],
        ..Default::default()
    };
    let c = check(&input, &[], "1");
    assert!(c.tags.is_empty());
}

#[test]
fn override_replaces_everything() {
    let areas = fw().areas;
    let ov = Override {
        shares: vec![
            ("water-security".into(), d("0.7")),
            ("disaster-risk-reduction".into(), d("0.2")),
        ],
        by: "analyst@mfat".into(),
        at: "2024-05-01".into(),
        reason: "project document shows water tanks and early warning".into(),
    };
    let c = Classification::from_override(&ov, &areas).unwrap();
    assert_eq!(
        c.by_area(),
        vec![
            ("water-security".into(), d("0.7")),
            ("disaster-risk-reduction".into(), d("0.2"))
        ]
    );
    assert_eq!(c.unclassified, d("0.1"));
    assert_eq!(c.tags[0].rule.kind, RuleKind::Override);
    assert!(
        c.tags[0].rule.explanation.contains("analyst@mfat")
            && c.tags[0].rule.explanation.contains("2024-05-01")
    );
    assert_eq!(c.overridden.as_ref().unwrap().by, "analyst@mfat");
}

#[test]
fn bad_overrides_are_rejected() {
    let areas = fw().areas;
    let base = Override {
        shares: vec![],
        by: "a".into(),
        at: "2024-01-01".into(),
        reason: "r".into(),
    };
    let with = |shares: Vec<(&str, &str)>| Override {
        shares: shares
            .into_iter()
            .map(|(a, s)| (a.to_owned(), d(s)))
            .collect(),
        ..base.clone()
    };
    assert_eq!(
        Classification::from_override(&with(vec![("nope", "0.5")]), &areas),
        Err(OverrideError::UnknownArea("nope".into()))
    );
    assert!(matches!(
        Classification::from_override(&with(vec![("water-security", "1.5")]), &areas),
        Err(OverrideError::ShareOutOfRange { .. })
    ));
    assert!(matches!(
        Classification::from_override(
            &with(vec![("water-security", "0.6"), ("renewable-energy", "0.6")]),
            &areas
        ),
        Err(OverrideError::SumOverOne(_))
    ));
    assert!(matches!(
        Classification::from_override(
            &with(vec![("water-security", "0.1"), ("water-security", "0.1")]),
            &areas
        ),
        Err(OverrideError::DuplicateArea(_))
    ));
    let anon = Override {
        by: " ".into(),
        ..with(vec![("water-security", "1")])
    };
    assert_eq!(
        Classification::from_override(&anon, &areas),
        Err(OverrideError::MissingProvenance)
    );
}

// --- real UNDP activities, expected shares written by hand ------------------

fn real(file: &str, id: &str) -> ClassifyInput {
    let text = common::read(
        &common::shared_data()
            .join("iati/activities/pacific")
            .join(file),
    );
    let acts = common::load_activities(&text);
    let a = acts
        .iter()
        .find(|a| a.identifier == id)
        .unwrap_or_else(|| panic!("{id} not in {file}"));
    ClassifyInput::from_activity(a)
}

/// Nauru Energy Road Map output: sector 23030 (withdrawn "Power
/// generation/renewable sources", primary) — all renewable energy. The UNDP
/// vocabulary-99 sector is ignored.
#[test]
fn real_nauru_energy_roadmap() {
    let input = real(
        "undp-open-undp-org_Nauru_projects.xml",
        "XM-DAC-41114-OUTPUT-00103237",
    );
    let c = check(&input, &[("renewable-energy", "1")], "0");
    assert_eq!(c.tags[0].rule.code, "23030");
}

/// Fiji Renewable Energy Power Project output: sector 51010 (general budget
/// support) matches nothing; "Renewable Energy" in the title and description
/// gives the whole remainder to renewable energy. Policy marker 1 (gender) is
/// not a rule.
#[test]
fn real_fiji_frepp() {
    let input = real(
        "undp-open-undp-org_Fiji_projects.xml",
        "XM-DAC-41114-OUTPUT-00076656",
    );
    let c = check(&input, &[("renewable-energy", "1")], "0");
    assert_eq!(c.tags[0].rule.kind, RuleKind::Keyword);
    assert_eq!(c.tags[0].rule.code, "renewable energy");
}

/// Solomon Islands Water Sector Adaptation output: sector 15110 matches
/// nothing; "Water Sector" in the title (searched before the description,
/// which also says "water resources") classifies it as water security.
#[test]
fn real_solomon_water_sector_adaptation() {
    let input = real(
        "undp-open-undp-org_Solomon_Islands_projects.xml",
        "XM-DAC-41114-OUTPUT-00088631",
    );
    let c = check(&input, &[("water-security", "1")], "0");
    assert_eq!(c.tags[0].rule.code, "water sector");
    assert_eq!(
        c.tags[0].rule.explanation,
        "keyword \"water sector\" in title: unclassified remainder 100 %"
    );
}

/// Solomon Islands disaster management output: sector 73010 (reconstruction,
/// secondary for DRR) gives half; no DRR keyword appears ("disaster
/// response" is not one), so the other half stays unclassified.
#[test]
fn real_solomon_disaster_management() {
    let input = real(
        "undp-open-undp-org_Solomon_Islands_projects.xml",
        "XM-DAC-41114-OUTPUT-00104508",
    );
    check(&input, &[("disaster-risk-reduction", "0.5")], "0.5");
}

/// Fiji Tropical Cyclone Winston early response: 73010 gives DRR half, the
/// keyword "cyclone" in the description gives it the other half.
#[test]
fn real_fiji_cyclone_winston() {
    let input = real(
        "undp-open-undp-org_Fiji_projects.xml",
        "XM-DAC-41114-OUTPUT-00098897",
    );
    let c = check(&input, &[("disaster-risk-reduction", "1")], "0");
    let kinds: Vec<RuleKind> = c.tags.iter().map(|t| t.rule.kind).collect();
    assert_eq!(kinds, [RuleKind::Sector, RuleKind::Keyword]);
}

// --- properties ---------------------------------------------------------------

const CODES: &[&str] = &[
    "23230", "23630", "14031", "14050", "21050", "21010", "12191", "43060", "73010", "74099",
    "15110", "99810", "232", "140",
];

fn arb_input() -> impl Strategy<Value = ClassifyInput> {
    let sector = (prop::sample::select(CODES), prop::option::of(0u32..=100)).prop_map(|(c, p)| {
        SectorInput {
            vocabulary: if c.len() == 3 { "2".into() } else { "1".into() },
            code: c.into(),
            percentage: p.map(Decimal::from),
        }
    });
    let marker = (
        prop::sample::select(&["6", "7", "10", "1"][..]),
        prop::sample::select(&["0", "1", "2"][..]),
    )
        .prop_map(|(c, s)| marker(c, s));
    let text = prop::sample::select(
        &[
            "Solar power",
            "Airport upgrade",
            "Water supply",
            "Governance",
            "防災",
        ][..],
    )
    .prop_map(title);
    (
        prop::collection::vec(sector, 0..6),
        prop::collection::vec(marker, 0..3),
        prop::collection::vec(text, 0..3),
    )
        .prop_map(|(sectors, policy_markers, texts)| ClassifyInput {
            sectors,
            policy_markers,
            texts,
        })
}

proptest! {
    #[test]
    fn shares_are_within_bounds_and_sum_to_one(input in arb_input()) {
        let c = classify(&input, &fw().areas);
        let total: Decimal = c.tags.iter().map(|t| t.share).sum::<Decimal>() + c.unclassified;
        prop_assert!(c.unclassified >= Decimal::ZERO && c.unclassified <= Decimal::ONE);
        for t in &c.tags {
            prop_assert!(t.share > Decimal::ZERO && t.share <= Decimal::ONE, "{:?}", t);
        }
        prop_assert_eq!(total, Decimal::ONE);
    }

    #[test]
    fn order_of_sectors_markers_and_texts_does_not_matter(input in arb_input(), seed in any::<u64>()) {
        let a = classify(&input, &fw().areas);
        let mut shuffled = input.clone();
        let n = shuffled.sectors.len();
        // A deterministic permutation from the seed.
        if n > 1 {
            shuffled.sectors.rotate_left((seed as usize) % n);
            if seed % 2 == 0 { shuffled.sectors.reverse(); }
        }
        shuffled.policy_markers.reverse();
        let b = classify(&shuffled, &fw().areas);
        prop_assert_eq!(a.by_area(), b.by_area());
        prop_assert_eq!(a.unclassified, b.unclassified);
    }
}

/// Regression (found by `order_of_sectors_markers_and_texts_does_not_matter`):
/// 28-digit shares summed past 1 rounded differently in different orders.
#[test]
fn regression_equal_split_sums_do_not_depend_on_order() {
    let sectors = vec![
        sector("1", "23230", None),
        sector("1", "14031", Some("83")),
        sector("1", "23230", None),
        sector("1", "73010", None),
    ];
    let a = classify(
        &ClassifyInput {
            sectors: sectors.clone(),
            ..Default::default()
        },
        &fw().areas,
    );
    let mut rev = sectors;
    rev.reverse();
    let b = classify(
        &ClassifyInput {
            sectors: rev,
            ..Default::default()
        },
        &fw().areas,
    );
    assert_eq!(a.by_area(), b.by_area());
    assert_eq!(a.share_of("water-security"), d("0.83"));
    assert_eq!(a.unclassified, b.unclassified);
}

// ---------------------------------------------------------------------------
// The compiled keyword index gives exactly what keyword-by-keyword search gives.

/// Words texts and keywords are made of: keywords of the bundled framework,
/// near misses (`solarium`, `insolar`), French with accents and apostrophes
/// (straight and typographic), Japanese, an empty keyword, and overlaps
/// (`water`, `water supply`, `drinking water`).
const VOCABULARY: &[&str] = &[
    "solar",
    "Solar",
    "solarium",
    "insolar",
    "water",
    "water supply",
    "drinking water",
    "airport",
    "runway",
    "eau potable",
    "l'eau",
    "l\u{2019}eau",
    "énergie solaire",
    "防災",
    "空港",
    "水",
    "hospital",
    "",
    " ",
    "-",
    "(solar)",
    "governance",
];

fn arb_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(VOCABULARY), 0..6).prop_map(|w| w.join(" "))
}

fn arb_keywords() -> impl Strategy<Value = vaka_domain::framework::Keywords> {
    let list = || prop::collection::vec(prop::sample::select(VOCABULARY), 0..4);
    (list(), list(), list()).prop_map(|(en, fr, ja)| vaka_domain::framework::Keywords {
        en: en.into_iter().map(str::to_owned).collect(),
        fr: fr.into_iter().map(str::to_owned).collect(),
        ja: ja.into_iter().map(str::to_owned).collect(),
    })
}

proptest! {
    #[test]
    fn keyword_index_matches_keyword_by_keyword_search(
        keywords in prop::collection::vec(arb_keywords(), 1..6),
        texts in prop::collection::vec(arb_text(), 0..4),
        marker_on in any::<bool>(),
    ) {
        let mut areas = fw().areas;
        for (area, k) in areas.iter_mut().zip(keywords) {
            area.rules.keywords = k;
        }
        let input = ClassifyInput {
            policy_markers: if marker_on { vec![marker("10", "1")] } else { Vec::new() },
            texts: texts
                .iter()
                .enumerate()
                .map(|(i, t)| TextInput {
                    field: format!("description {i}"),
                    lang: None,
                    text: t.clone(),
                })
                .collect(),
            ..Default::default()
        };
        let index = vaka_analysis::KeywordIndex::new(&areas).unwrap();
        let slow = classify_with_names(&input, &areas, &vaka_analysis::NoNames);
        let fast = vaka_analysis::classify_indexed(&input, &areas, &index, &vaka_analysis::NoNames);
        prop_assert_eq!(slow, fast);
    }
}

#[test]
fn keyword_index_finds_whole_words_only() {
    let areas = fw().areas;
    let index = vaka_analysis::KeywordIndex::new(&areas).unwrap();
    let classify_text = |t: &str| {
        vaka_analysis::classify_indexed(
            &ClassifyInput {
                texts: vec![title(t)],
                ..Default::default()
            },
            &areas,
            &index,
            &vaka_analysis::NoNames,
        )
    };
    let solar = classify_text("Solar PV for outer-island schools");
    assert!(
        solar
            .tags
            .iter()
            .any(|t| t.rule.kind == RuleKind::Keyword && t.area_id == "renewable-energy"),
        "{solar:#?}"
    );
    let solarium = classify_text("Solarium refurbishment");
    assert!(
        solarium.tags.is_empty(),
        "a keyword inside a longer word is not a match: {solarium:#?}"
    );
}
