//! Prints output sizes and render times; run with
//! `cargo run --release -p vaka-render --example render_timing`.
//!
//! The first call pays for parsing the embedded geodata and building the cached base map;
//! later calls only assemble strings.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use vaka_render::{
    Bar, BarChart, ColumnChart, CountryMapOptions, Link, MapOptions, MapPoint, Role, bar_chart,
    column_chart, countries, country_bbox_map, pacific_map,
};

fn main() {
    let t = Instant::now();
    let all = match countries() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!("parse embedded geodata:        {:>9.2?}", t.elapsed());

    let values: BTreeMap<String, f64> = all
        .iter()
        .enumerate()
        .filter(|(_, c)| c.role == Role::Pict)
        .map(|(i, c)| (c.iso2.clone(), (i as f64 + 1.0).powi(4) * 1000.0))
        .collect();
    let points: Vec<MapPoint> = (0..50)
        .map(|i| MapPoint {
            lat: -20.0 + f64::from(i) * 0.4,
            lon: 150.0 + f64::from(i) * 1.3,
            label: format!("Activity site {i}"),
        })
        .collect();
    let opts = MapOptions {
        legend_title: "Disbursed (USD)",
        unit: "USD",
        link: Link::Template("/countries/{iso2_lower}"),
        highlight: Some("FJ"),
        points: &points,
        ..MapOptions::default()
    };

    let t = Instant::now();
    let first = pacific_map(&opts, &values);
    println!("first pacific_map (builds cache): {:>6.2?}", t.elapsed());
    let n = 500;
    let t = Instant::now();
    for _ in 0..n {
        black_box(pacific_map(black_box(&opts), black_box(&values)));
    }
    println!(
        "pacific_map, cached, 50 points: {:>8.1?} per call, {} bytes",
        t.elapsed() / n,
        first.len()
    );
    let bare = pacific_map(&MapOptions::default(), &BTreeMap::new());
    println!("pacific_map, no values/points: {} bytes", bare.len());

    let mut total = std::time::Duration::ZERO;
    let mut largest = (String::new(), 0usize);
    for c in all.iter().filter(|c| c.role == Role::Pict) {
        let t = Instant::now();
        let svg = country_bbox_map(&c.iso2, &CountryMapOptions::default());
        total += t.elapsed();
        if let Ok(svg) = svg
            && svg.len() > largest.1
        {
            largest = (c.iso2.clone(), svg.len());
        }
    }
    println!(
        "country_bbox_map, 22 countries: {:>8.1?} per call; largest {} = {} bytes",
        total / 22,
        largest.0,
        largest.1
    );

    let chart = BarChart {
        title: "Disbursements".into(),
        unit: "USD".into(),
        bars: values
            .iter()
            .map(|(k, v)| Bar::new(k.clone(), *v))
            .collect(),
        ..BarChart::default()
    };
    let t = Instant::now();
    for _ in 0..n {
        black_box(bar_chart(black_box(&chart)));
    }
    println!(
        "bar_chart, 22 bars:             {:>8.1?} per call, {} bytes",
        t.elapsed() / n,
        bar_chart(&chart).len()
    );
    let cols = ColumnChart {
        title: "By year".into(),
        unit: "USD".into(),
        columns: (2010..2025)
            .map(|y| Bar::new(y.to_string(), f64::from(y - 2000) * 1e5))
            .collect(),
        ..ColumnChart::default()
    };
    let t = Instant::now();
    for _ in 0..n {
        black_box(column_chart(black_box(&cols)));
    }
    println!(
        "column_chart, 15 years:         {:>8.1?} per call, {} bytes",
        t.elapsed() / n,
        column_chart(&cols).len()
    );
}
