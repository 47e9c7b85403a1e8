//! Renders sample outputs from real data to `target/render-samples/` for people to look at.
//!
//! The files are not committed. With `VAKA_RENDER_PNG=1` and `chromium` on the `PATH`, the
//! sample page is also screenshotted to PNG (slow, so it is opt-in).

// Test helpers outside `#[test]` functions panic on bad data by design.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{parse_xml, read_pacific_activity_files, spend_by_country};
use vaka_render::{
    Bar, BarChart, ColumnChart, CountryMapOptions, Link, MapOptions, MapPoint, ScaleKind,
    bar_chart, column_chart, country_bbox_map, heat_colour, heat_text_colour, map_table,
    pacific_map, sparkline,
};

fn samples_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    target.join("render-samples")
}

#[test]
fn render_samples_from_real_activity_files() {
    let samples = read_pacific_activity_files();
    let spend = spend_by_country(&samples);
    let points: Vec<MapPoint> = samples
        .iter()
        .flat_map(|s| &s.points)
        .map(|(lat, lon, label)| MapPoint {
            lat: *lat,
            lon: *lon,
            label: label.clone(),
        })
        .collect();
    assert!(spend.len() >= 10, "{spend:?}");
    assert!(points.len() >= 20);

    let map = pacific_map(
        &MapOptions {
            title: "UNDP spending by Pacific country, all years",
            legend_title: "Spent (USD)",
            unit: "USD",
            link: Link::Template("/countries/{iso2_lower}"),
            highlight: Some("FJ"),
            points: &points,
            ..MapOptions::default()
        },
        &spend,
    );
    let log_map = pacific_map(
        &MapOptions {
            id: "log",
            legend_title: "Spent (USD), log scale",
            unit: "USD",
            scale: ScaleKind::Log,
            labels: false,
            ..MapOptions::default()
        },
        &spend,
    );
    let fiji_points: Vec<MapPoint> = samples
        .iter()
        .filter(|s| s.country == "FJ")
        .flat_map(|s| &s.points)
        .map(|(lat, lon, label)| MapPoint {
            lat: *lat,
            lon: *lon,
            label: label.clone(),
        })
        .chain([MapPoint {
            lat: -18.05,
            lon: -178.8,
            label: "Lau group (east of 180°)".into(),
        }])
        .collect();
    let fiji = country_bbox_map(
        "FJ",
        &CountryMapOptions {
            points: &fiji_points,
            ..CountryMapOptions::default()
        },
    )
    .unwrap();
    let kiribati = country_bbox_map("KI", &CountryMapOptions::default()).unwrap();
    let nauru = country_bbox_map("NR", &CountryMapOptions::default()).unwrap();

    let mut bars: Vec<Bar> = spend
        .iter()
        .map(|(k, v)| Bar::new(country_name(k), *v).with_href(format!("/countries/{k}")))
        .collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    let bar = BarChart {
        title: "UNDP spending by country (USD)".into(),
        unit: "USD".into(),
        bars,
        ..BarChart::default()
    };
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
    let columns = ColumnChart {
        title: "UNDP spending in Fiji by year".into(),
        unit: "USD".into(),
        columns: by_year
            .iter()
            .map(|(y, v)| Bar::new(y.to_string(), *v))
            .collect(),
        ..ColumnChart::default()
    };
    let spark = sparkline(
        "UNDP spending in Fiji by year",
        &by_year.values().copied().collect::<Vec<_>>(),
    );
    let max = spend.values().copied().fold(0.0, f64::max);
    let heat_cells: String = spend
        .iter()
        .map(|(k, v)| {
            format!(
                r#"<td style="background:{};color:{}">{k}</td>"#,
                heat_colour(*v, max),
                heat_text_colour(*v, max)
            )
        })
        .collect();

    let dir = samples_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        ("pacific-map.svg", &map),
        ("pacific-map-log.svg", &log_map),
        ("fiji.svg", &fiji),
        ("kiribati.svg", &kiribati),
        ("nauru.svg", &nauru),
        ("bars.svg", &bar_chart(&bar)),
        ("columns.svg", &column_chart(&columns)),
        ("sparkline.svg", &spark),
    ];
    for (name, svg) in &files {
        parse_xml(svg).unwrap_or_else(|e| panic!("{name}: {e}"));
        std::fs::write(dir.join(name), svg).unwrap();
    }
    let page = format!(
        r#"<!doctype html><html lang="en"><meta charset="utf-8"><title>vaka-render samples</title>
<style>body{{font-family:system-ui,sans-serif;margin:16px;width:960px;color:#27313b}}
table{{border-collapse:collapse;margin:8px 0}}td,th{{border:1px solid #ccd;padding:2px 6px}}.num{{text-align:right}}
.row{{display:flex;gap:16px}}.row>div{{flex:1}}</style>
<h2>Pacific map</h2>{map}
<div class="row"><div><h3>Fiji</h3>{fiji}</div><div><h3>Kiribati</h3>{kiribati}<h3>Nauru</h3>{nauru}</div></div>
<h3>Bars</h3>{bars}{bars_table}<h3>Columns</h3>{cols}<p>Sparkline: {spark}</p>
<table><tr>{heat_cells}</tr></table>{map_tab}</html>"#,
        bars = bar_chart(&bar),
        bars_table = bar.table(["Country", "USD"]),
        cols = column_chart(&columns),
        map_tab = map_table("Spending by country", "USD", "USD", &spend),
    );
    let html = dir.join("samples.html");
    std::fs::write(&html, page).unwrap();

    if std::env::var_os("VAKA_RENDER_PNG").is_some() {
        screenshot(&html, &dir.join("samples.png"));
    }
}

fn country_name(iso2: &str) -> String {
    vaka_render::countries()
        .unwrap()
        .iter()
        .find(|c| c.iso2 == iso2)
        .map_or_else(|| iso2.to_owned(), |c| c.name.clone())
}

/// Best effort: a missing or failing browser only prints a note.
fn screenshot(html: &std::path::Path, png: &std::path::Path) {
    let status = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1000,2600",
            &format!("--screenshot={}", png.display()),
            &format!("file://{}", html.display()),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => eprintln!("wrote {}", png.display()),
        other => eprintln!("no PNG screenshot ({other:?})"),
    }
}
