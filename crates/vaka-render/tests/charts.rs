//! Charts, tables, legends and the heat-map colours, checked on parsed output built from the
//! real UNDP Pacific activity files in `../shared/data/iati/activities/pacific`.

// Test helpers outside `#[test]` functions panic on bad data by design.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use common::{Node, parse_path, parse_xml, read_pacific_activity_files, spend_by_country};
use proptest::prelude::*;
use vaka_render::{
    Bar, BarChart, ColourScale, ColumnChart, LegendOptions, NO_DATA_COLOUR, PALETTE, ScaleKind,
    bar_chart, column_chart, data_table, escape, heat_colour, heat_text_colour, legend, sparkline,
};

fn spend_bars() -> BarChart {
    let spend = spend_by_country(&read_pacific_activity_files());
    let mut bars: Vec<Bar> = spend
        .iter()
        .map(|(k, v)| Bar::new(k.clone(), *v).with_href(format!("/countries/{k}")))
        .collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    BarChart {
        title: "UNDP spending by country".into(),
        unit: "USD".into(),
        bars,
        ..BarChart::default()
    }
}

/// The rows of a bar chart: (link or group, its title, the `<rect>` if any).
fn rows(svg: &Node) -> Vec<&Node> {
    svg.children
        .iter()
        .filter(|n| n.name == "a" || n.name == "g")
        .collect()
}

fn rect_width(row: &Node) -> f64 {
    row.child("rect")
        .map_or(0.0, |r| r.attr("width").unwrap().parse().unwrap())
}

#[test]
fn bar_chart_draws_real_spending_in_order_with_exact_tooltips() {
    let chart = spend_bars();
    let svg = parse_xml(&bar_chart(&chart)).unwrap();
    assert_eq!(svg.attr("role"), Some("img"));
    let rows = rows(&svg);
    assert_eq!(rows.len(), chart.bars.len());
    // PNG has the most UNDP spending in these files; its bar is the longest.
    assert!(
        rows[0].title().unwrap().starts_with("PG: USD "),
        "{:?}",
        rows[0].title()
    );
    let widths: Vec<f64> = rows.iter().map(|r| rect_width(r)).collect();
    assert!(widths.windows(2).all(|w| w[0] >= w[1]), "{widths:?}");
    // Bar lengths are proportional to the values.
    let ratio = widths[1] / widths[0];
    let expected = chart.bars[1].value / chart.bars[0].value;
    assert!((ratio - expected).abs() < 0.01, "{ratio} vs {expected}");
    for (row, bar) in rows.iter().zip(&chart.bars) {
        assert_eq!(row.name, "a");
        assert_eq!(
            row.attr("href").unwrap(),
            format!("/countries/{}", bar.label)
        );
        let title = row.title().unwrap();
        assert_eq!(
            title,
            format!(
                "{}: {}",
                bar.label,
                vaka_render::format_full(bar.value, "USD")
            )
        );
        assert!(title.contains(','), "thousands separators: {title}");
        let texts: Vec<&str> = row
            .find_all("text")
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        assert!(texts.contains(&vaka_render::format_compact_unit(bar.value, "USD").as_str()));
    }
    let desc = &svg.child("desc").unwrap().text;
    assert!(desc.contains("Highest: PG"), "{desc}");
}

#[test]
fn bar_chart_handles_negative_missing_and_empty() {
    let chart = BarChart {
        title: "Net flows".into(),
        unit: "NZD".into(),
        bars: vec![
            Bar::new("Refund", -2_000.0),
            Bar::new("Grant", 6_000.0),
            Bar::new("Unknown", f64::NAN),
            Bar::new("Zero", 0.0),
        ],
        ..BarChart::default()
    };
    let svg = parse_xml(&bar_chart(&chart)).unwrap();
    let rows = rows(&svg);
    let refund = rows[0].child("rect").unwrap();
    let grant = rows[1].child("rect").unwrap();
    let refund_x: f64 = refund.attr("x").unwrap().parse().unwrap();
    let grant_x: f64 = grant.attr("x").unwrap().parse().unwrap();
    assert!(refund_x < grant_x, "negative bar extends left of zero");
    assert!((rect_width(rows[1]) / rect_width(rows[0]) - 3.0).abs() < 0.05);
    assert!(rows[2].child("rect").is_none());
    assert!(rows[2].find_all("text").iter().any(|t| t.text == "n/a"));
    assert_eq!(rect_width(rows[3]), 0.0);
    assert!(
        svg.child("desc")
            .unwrap()
            .text
            .contains("1 without a value")
    );

    let empty = parse_xml(&bar_chart(&BarChart::default())).unwrap();
    assert!(empty.find_all("text").iter().any(|t| t.text == "No data"));
}

#[test]
fn long_labels_are_truncated_but_complete_in_the_tooltip() {
    let long = "Secretariat of the Pacific Regional Environment Programme (SPREP), Apia";
    let chart = BarChart {
        bars: vec![Bar::new(long, 5.0), Bar::new("Short", 1.0)],
        ..BarChart::default()
    };
    let svg = parse_xml(&bar_chart(&chart)).unwrap();
    let row = rows(&svg)[0];
    assert!(row.title().unwrap().starts_with(long));
    let label = &row.find_all("text")[0].text;
    assert!(
        label.ends_with('…') && label.chars().count() < long.chars().count(),
        "{label}"
    );
}

#[test]
fn column_chart_by_year_from_real_fiji_transactions() {
    let samples = read_pacific_activity_files();
    let mut by_year: BTreeMap<i32, f64> = BTreeMap::new();
    for s in samples.iter().filter(|s| s.country == "FJ") {
        for t in s
            .transactions
            .iter()
            .filter(|t| t.kind == "3" || t.kind == "4")
        {
            *by_year.entry(t.year).or_default() += t.value;
        }
    }
    assert!(by_year.len() >= 4, "{by_year:?}");
    let chart = ColumnChart {
        title: "UNDP spending in Fiji by year".into(),
        unit: "USD".into(),
        columns: by_year
            .iter()
            .map(|(y, v)| Bar::new(y.to_string(), *v))
            .collect(),
        ..ColumnChart::default()
    };
    let svg = parse_xml(&column_chart(&chart)).unwrap();
    let groups: Vec<&Node> = svg.children.iter().filter(|n| n.name == "g").collect();
    assert_eq!(groups.len(), by_year.len());
    let (best_year, best) = by_year.iter().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
    let tallest = groups
        .iter()
        .max_by(|a, b| {
            let h = |n: &&&Node| -> f64 {
                n.child("rect")
                    .unwrap()
                    .attr("height")
                    .unwrap()
                    .parse()
                    .unwrap()
            };
            h(a).total_cmp(&h(b))
        })
        .unwrap();
    assert_eq!(
        tallest.title().unwrap(),
        format!("{best_year}: {}", vaka_render::format_full(*best, "USD"))
    );
    // Year labels are drawn under the columns.
    let texts: Vec<&str> = svg
        .find_all("text")
        .iter()
        .map(|t| t.text.as_str())
        .collect();
    assert!(texts.contains(&best_year.to_string().as_str()));
    assert!(texts.contains(&"USD"));
    let table = chart.table(["Year", "Spent (USD)"]);
    assert!(table.contains(&format!(r#"<th scope="row">{best_year}</th>"#)));
}

#[test]
fn many_columns_thin_out_their_labels() {
    let chart = ColumnChart {
        columns: (1990..2030)
            .map(|y| Bar::new(y.to_string(), f64::from(y - 1989)))
            .collect(),
        ..ColumnChart::default()
    };
    let svg = parse_xml(&column_chart(&chart)).unwrap();
    let year_labels = svg
        .find_all("text")
        .iter()
        .filter(|t| t.text.len() == 4 && t.text.starts_with(['1', '2']))
        .count();
    assert!(year_labels > 5 && year_labels < 40, "{year_labels}");
}

#[test]
fn sparkline_breaks_at_missing_values() {
    let svg = parse_xml(&sparkline("Trend", &[1.0, 3.0, f64::NAN, 2.0, 5.0])).unwrap();
    let d = svg.find_all("path")[0].attr("d").unwrap().to_owned();
    assert_eq!(d.matches('M').count(), 2, "{d}");
    assert_eq!(svg.title(), Some("Trend"));
    assert!(svg.child("desc").unwrap().text.contains("highest 5"));
    let lines: Vec<Vec<(f64, f64)>> = parse_path(&d.replace('L', " L"));
    assert_eq!(lines.iter().map(Vec::len).sum::<usize>(), 4);
    let empty = parse_xml(&sparkline("None", &[])).unwrap();
    assert!(empty.find_all("path").is_empty());
}

#[test]
fn tables_escape_and_mark_numbers() {
    let html = spend_bars().table(["Country", "Spent (USD)"]);
    assert!(html.starts_with("<table><caption>UNDP spending by country</caption>"));
    assert!(html.contains(r#"<th scope="col" class="num">Spent (USD)</th>"#));
    assert!(html.contains(r#"<th scope="row">PG</th><td class="num">USD "#));
    let evil = data_table("<i>", &["<th>"], &[["<script>x</script>"]]);
    assert!(!evil.contains("<script>") && !evil.contains("<i>"));
    // The table is well-formed markup too.
    parse_xml(&html).unwrap();
}

#[test]
fn legend_lists_classes_and_escapes_its_title() {
    let scale = ColourScale::from_values(
        ScaleKind::Quantile,
        spend_by_country(&read_pacific_activity_files()).into_values(),
    );
    let svg = legend(
        &scale,
        &LegendOptions {
            title: "<b>\"Spent\"</b>",
            unit: "USD",
            show_no_data: true,
            id: "leg",
        },
    );
    assert!(!svg.contains("<b>"));
    let tree = parse_xml(&svg).unwrap();
    let rects = tree.find_all("rect");
    assert_eq!(rects.len(), scale.len() + 1);
    assert_eq!(rects.last().unwrap().attr("fill"), Some(NO_DATA_COLOUR));
    let texts: Vec<&str> = tree
        .find_all("text")
        .iter()
        .map(|t| t.text.as_str())
        .collect();
    assert_eq!(texts[0], "<b>\"Spent\"</b>");
    assert!(texts.iter().any(|t| t.starts_with("≤ USD")));
}

#[test]
fn hostile_chart_text_round_trips() {
    let evil = "</text><script>alert('x')</script>&amp;\"";
    let chart = BarChart {
        id: "x\"y".into(),
        title: evil.into(),
        unit: evil.into(),
        bars: vec![Bar::new(evil, 3.0).with_href("javascript:\"<x>")],
        ..BarChart::default()
    };
    let out = bar_chart(&chart);
    assert!(!out.contains("<script"));
    let tree = parse_xml(&out).unwrap();
    assert_eq!(tree.title(), Some(evil));
    assert_eq!(rows(&tree)[0].attr("href"), Some("javascript:\"<x>"));
    let cols = column_chart(&ColumnChart {
        title: evil.into(),
        unit: evil.into(),
        columns: vec![Bar::new(evil, 1.0)],
        ..ColumnChart::default()
    });
    assert!(!cols.contains("<script"));
    parse_xml(&cols).unwrap();
}

proptest! {
    #[test]
    fn heat_colour_is_always_a_palette_class_for_finite_values(v in -1e300f64..1e300, max in -1e300f64..1e300) {
        prop_assert!(PALETTE.contains(&heat_colour(v, max)));
        let text = heat_text_colour(v, max);
        prop_assert!(text == "#ffffff" || text == "#1b1f23");
    }

    #[test]
    fn heat_colour_is_monotonic(a in 0.0f64..1e9, b in 0.0f64..1e9, max in 1.0f64..1e9) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let idx = |v: f64| PALETTE.iter().position(|c| *c == heat_colour(v, max)).unwrap();
        prop_assert!(idx(lo) <= idx(hi));
    }

    #[test]
    fn non_finite_values_have_no_class(max in any::<f64>()) {
        prop_assert_eq!(heat_colour(f64::NAN, max), NO_DATA_COLOUR);
        prop_assert_eq!(heat_colour(f64::INFINITY, max), NO_DATA_COLOUR);
    }

    #[test]
    fn every_scale_kind_classifies_all_finite_values(
        values in proptest::collection::vec(any::<f64>(), 0..40),
        probe in -1e308f64..1e308,
    ) {
        for kind in [ScaleKind::Quantile, ScaleKind::Linear, ScaleKind::Log] {
            let scale = ColourScale::from_values(kind, values.iter().copied());
            prop_assert!((1..=6).contains(&scale.len()));
            prop_assert!(scale.thresholds().windows(2).all(|w| w[0] < w[1]));
            for v in values.iter().copied().chain([probe]) {
                match scale.class_of(v) {
                    Some(c) => {
                        prop_assert!(c < scale.len());
                        prop_assert!(PALETTE.contains(&scale.colour(v)));
                    }
                    None => prop_assert!(!v.is_finite()),
                }
            }
        }
    }

    #[test]
    fn charts_never_panic_and_stay_well_formed(
        values in proptest::collection::vec(prop_oneof![
            Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY),
            Just(f64::MAX), Just(-f64::MAX), Just(0.0), any::<f64>(),
        ], 0..20),
        label in any::<String>(),
        width in any::<f64>(),
    ) {
        let bars: Vec<Bar> = values.iter().map(|v| Bar::new(label.clone(), *v)).collect();
        let b = bar_chart(&BarChart { title: label.clone(), unit: label.clone(), bars: bars.clone(), width, ..BarChart::default() });
        parse_xml(&b).map_err(TestCaseError::fail)?;
        let c = column_chart(&ColumnChart { title: label.clone(), columns: bars, width, height: width, ..ColumnChart::default() });
        parse_xml(&c).map_err(TestCaseError::fail)?;
        let s = sparkline(&label, &values);
        parse_xml(&s).map_err(TestCaseError::fail)?;
        for out in [&b, &c, &s] {
            prop_assert!(!out.contains("NaN") && !out.contains("inf"), "{}", out);
        }
    }

    #[test]
    fn escape_round_trips_through_an_xml_parser(s in any::<String>()) {
        let xml = format!("<t a=\"{}\">{}</t>", escape(&s), escape(&s));
        let tree = parse_xml(&xml).map_err(TestCaseError::fail)?;
        let expected: String = s
            .chars()
            .filter(|c| !((*c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || *c == '\u{FFFE}' || *c == '\u{FFFF}'))
            .collect();
        // Parsers normalise line ends; compare with them normalised too.
        let norm = |t: &str| t.replace("\r\n", "\n").replace('\r', "\n");
        prop_assert_eq!(norm(&tree.text), norm(&expected));
    }
}
