//! The Pacific map and the country maps, checked on the rendered SVG itself: parsed with
//! quick-xml, paths decoded back into pixel coordinates and compared with the real
//! Natural Earth geometry read independently from `../shared/data/geo`.

// Test helpers outside `#[test]` functions panic on bad data by design.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use common::{
    Node, area_centroid, parse_path, parse_xml, read_pacific_activity_files, shared_data,
    spend_by_country, view_box, x_extent,
};
use proptest::prelude::*;
use vaka_render::{
    CountryMapOptions, Link, MapOptions, MapPoint, NO_DATA_COLOUR, PALETTE, RenderError,
    country_bbox_map, pacific_map, pacific_xy,
};

/// (iso2, role, geometry) of every feature in the shared copy of the countries file.
fn shared_features() -> Vec<(String, String, serde_json::Value)> {
    let path = shared_data().join("geo/pacific-countries.geojson");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["iso_a2"].as_str().unwrap().to_owned(),
                f["properties"]["role"].as_str().unwrap().to_owned(),
                f["geometry"].clone(),
            )
        })
        .collect()
}

fn pict_codes() -> Vec<String> {
    static CODES: OnceLock<Vec<String>> = OnceLock::new();
    CODES
        .get_or_init(|| {
            shared_features()
                .into_iter()
                .filter(|(_, role, _)| role == "pict")
                .map(|(iso2, _, _)| iso2)
                .collect()
        })
        .clone()
}

/// The element (group or link) drawn for a country.
fn country_node<'a>(svg: &'a Node, iso2: &str) -> &'a Node {
    let found: Vec<&Node> = svg
        .descendants()
        .into_iter()
        .filter(|n| n.attr("data-iso2") == Some(iso2))
        .collect();
    assert_eq!(found.len(), 1, "{iso2} should be drawn exactly once");
    found[0]
}

fn country_rings(node: &Node) -> Vec<Vec<(f64, f64)>> {
    node.find_all("path")
        .iter()
        .flat_map(|p| parse_path(p.attr("d").unwrap()))
        .collect()
}

fn real_values() -> BTreeMap<String, f64> {
    static VALUES: OnceLock<BTreeMap<String, f64>> = OnceLock::new();
    VALUES
        .get_or_init(|| spend_by_country(&read_pacific_activity_files()))
        .clone()
}

fn default_map() -> Node {
    parse_xml(&pacific_map(
        &MapOptions {
            link: Link::Template("/countries/{iso2}"),
            ..MapOptions::default()
        },
        &real_values(),
    ))
    .unwrap()
}

#[test]
fn shared_and_bundled_geodata_agree() {
    let bundled: Vec<String> = vaka_render::countries()
        .unwrap()
        .iter()
        .map(|c| c.iso2.clone())
        .collect();
    let shared: Vec<String> = shared_features().into_iter().map(|f| f.0).collect();
    assert_eq!(bundled, shared);
    assert_eq!(pict_codes().len(), 22);
}

#[test]
fn every_pict_is_drawn_as_a_path_or_a_marker_with_a_link_and_title() {
    let svg = default_map();
    for iso2 in pict_codes() {
        let node = country_node(&svg, &iso2);
        assert_eq!(node.name, "a", "{iso2}");
        assert_eq!(
            node.attr("href"),
            Some(format!("/countries/{iso2}").as_str())
        );
        let has_path = node
            .find_all("path")
            .iter()
            .any(|p| !p.attr("d").unwrap().is_empty());
        let has_marker = !node.find_all("circle").is_empty();
        assert!(has_path || has_marker, "{iso2} is invisible");
        let title = node.title().unwrap();
        assert!(title.contains(": "), "{iso2}: {title}");
    }
    // Context land (Australia, New Zealand) is not a linked, shaded country.
    assert!(
        svg.descendants()
            .iter()
            .all(|n| n.attr("data-iso2") != Some("AU"))
    );
}

#[test]
fn the_svg_is_an_accessible_image() {
    let svg = default_map();
    assert_eq!(svg.name, "svg");
    assert_eq!(svg.attr("role"), Some("img"));
    let (w, h) = view_box(&svg);
    assert_eq!(w, 960.0);
    assert!((600.0..700.0).contains(&h), "{h}");
    let ids: Vec<&str> = svg.attr("aria-labelledby").unwrap().split(' ').collect();
    for id in ids {
        let target = svg
            .descendants()
            .into_iter()
            .find(|n| n.attr("id") == Some(id));
        assert!(target.is_some_and(|t| !t.text.is_empty()), "missing {id}");
    }
    let desc = &svg.child("desc").unwrap().text;
    assert!(desc.contains("Papua New Guinea"), "{desc}");
    assert!(svg.child("title").is_some());
}

#[test]
fn no_path_streaks_across_the_antimeridian() {
    let svg = default_map();
    let (w, _) = view_box(&svg);
    for path in svg.find_all("path") {
        let d = path.attr("d").unwrap();
        if d.contains('V') || d.contains('H') {
            continue; // graticule lines span the map by design
        }
        for ring in parse_path(d) {
            let (x0, x1) = x_extent(&[ring]);
            assert!(x1 - x0 < 0.4 * w, "a ring spans {x0}..{x1}");
        }
    }
    for (iso2, max_share) in [
        ("FJ", 0.05),
        ("TV", 0.05),
        ("KI", 0.4),
        ("WF", 0.05),
        ("TO", 0.05),
    ] {
        let rings = country_rings(country_node(&svg, iso2));
        let circles: Vec<(f64, f64)> = country_node(&svg, iso2)
            .find_all("circle")
            .iter()
            .map(|c| (c.attr("cx").unwrap().parse().unwrap(), 0.0))
            .collect();
        let all: Vec<Vec<(f64, f64)>> = rings.into_iter().chain([circles]).collect();
        let (x0, x1) = x_extent(&all);
        assert!(x1 - x0 < max_share * w, "{iso2} spans {x0}..{x1}");
    }
}

#[test]
fn every_country_is_drawn_around_its_label_point() {
    let svg = default_map();
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared_data().join("geo/pacific-countries.geojson")).unwrap(),
    )
    .unwrap();
    for f in json["features"].as_array().unwrap() {
        let p = &f["properties"];
        if p["role"] != "pict" {
            continue;
        }
        let iso2 = p["iso_a2"].as_str().unwrap();
        let node = country_node(&svg, iso2);
        let mut pts: Vec<(f64, f64)> = country_rings(node).into_iter().flatten().collect();
        for c in node.find_all("circle") {
            pts.push((
                c.attr("cx").unwrap().parse().unwrap(),
                c.attr("cy").unwrap().parse().unwrap(),
            ));
        }
        let (lx, ly) = pacific_xy(
            p["label_lat"].as_f64().unwrap(),
            p["label_lon"].as_f64().unwrap(),
        );
        let near = |(x, y): (f64, f64)| ((x - lx).powi(2) + (y - ly).powi(2)).sqrt();
        let nearest = pts.iter().map(|p| near(*p)).fold(f64::INFINITY, f64::min);
        assert!(
            nearest < 25.0,
            "{iso2}: nothing drawn within {nearest:.0} px of its label point"
        );
    }
}

/// Area-weighted centroid of the real Fiji polygons, longitudes unwrapped east of 180°.
fn fiji_true_centroid() -> (f64, f64) {
    let fj = shared_features()
        .into_iter()
        .find(|f| f.0 == "FJ")
        .unwrap()
        .2;
    let mut rings: Vec<Vec<(f64, f64)>> = Vec::new();
    for poly in fj["coordinates"].as_array().unwrap() {
        for ring in poly.as_array().unwrap() {
            rings.push(
                ring.as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        let lon = p[0].as_f64().unwrap();
                        let lat = p[1].as_f64().unwrap();
                        (if lon < 0.0 { lon + 360.0 } else { lon }, lat)
                    })
                    .collect(),
            );
        }
    }
    let (_, (lon, lat)) = area_centroid(&rings);
    (lat, lon)
}

#[test]
fn fiji_is_drawn_where_it_is() {
    let svg = default_map();
    let (_, (cx, cy)) = area_centroid(&country_rings(country_node(&svg, "FJ")));
    let (lat, lon) = fiji_true_centroid();
    assert!(
        (lat + 17.45).abs() < 0.2 && (lon - 178.52).abs() < 0.2,
        "{lat} {lon}"
    );
    let (tx, ty) = pacific_xy(lat, lon);
    assert!(
        ((cx - tx).powi(2) + (cy - ty).powi(2)).sqrt() < 2.0,
        "drawn ({cx},{cy}) vs true ({tx},{ty})"
    );
    // The commonly quoted centre of Fiji, within a few pixels.
    let (kx, ky) = pacific_xy(-17.7, 178.1);
    assert!(((cx - kx).powi(2) + (cy - ky).powi(2)).sqrt() < 6.0);
}

#[test]
fn the_projection_maps_the_window_corners_and_the_date_line() {
    let (x, y) = pacific_xy(24.0, 128.0);
    assert!(x.abs() < 1e-9 && y.abs() < 1e-9);
    let (x, _) = pacific_xy(0.0, -122.0);
    assert!((x - 960.0).abs() < 1e-6);
    let (x, _) = pacific_xy(0.0, 180.0);
    assert!((x - 52.0 / 110.0 * 960.0).abs() < 1e-6);
    let (_, y0) = pacific_xy(0.0, 180.0);
    let (_, y1) = pacific_xy(-10.0, 180.0);
    assert!(y1 > y0, "south is down");
}

#[test]
fn small_island_states_have_visible_markers() {
    let svg = default_map();
    for iso2 in ["NR", "TV", "TK", "NU", "MH"] {
        let circles = country_node(&svg, iso2).find_all("circle");
        assert!(!circles.is_empty(), "{iso2} has no marker");
        for c in circles {
            let r: f64 = c.attr("r").unwrap().parse().unwrap();
            assert!(r >= 4.0, "{iso2} marker radius {r}");
        }
    }
    // Large countries are drawn as shapes only.
    for iso2 in ["PG", "FJ", "SB", "NC", "VU"] {
        assert!(
            country_node(&svg, iso2).find_all("circle").is_empty(),
            "{iso2}"
        );
    }
}

#[test]
fn nauru_marker_sits_on_nauru() {
    let svg = default_map();
    let c = &country_node(&svg, "NR").find_all("circle")[0];
    let (x, y): (f64, f64) = (
        c.attr("cx").unwrap().parse().unwrap(),
        c.attr("cy").unwrap().parse().unwrap(),
    );
    let (tx, ty) = pacific_xy(-0.53, 166.93);
    assert!(
        (x - tx).abs() < 2.0 && (y - ty).abs() < 2.0,
        "({x},{y}) vs ({tx},{ty})"
    );
}

#[test]
fn shading_follows_the_values() {
    let mut values = BTreeMap::new();
    let codes = pict_codes();
    for (i, iso2) in codes.iter().enumerate().skip(2) {
        values.insert(iso2.to_lowercase(), (i * i) as f64 * 1000.0);
    }
    let svg = parse_xml(&pacific_map(&MapOptions::default(), &values)).unwrap();
    let top = codes.last().unwrap();
    assert_eq!(country_node(&svg, top).attr("fill"), Some(PALETTE[5]));
    assert_eq!(country_node(&svg, &codes[2]).attr("fill"), Some(PALETTE[0]));
    for missing in &codes[..2] {
        let node = country_node(&svg, missing);
        assert_eq!(node.attr("fill"), Some(NO_DATA_COLOUR));
        assert!(node.title().unwrap().ends_with(": no data"));
        assert_eq!(node.name, "g", "no link without a link option");
    }
    // All six classes are used, and the legend lists them plus "No data".
    let fills: std::collections::BTreeSet<&str> = codes
        .iter()
        .filter_map(|c| country_node(&svg, c).attr("fill"))
        .collect();
    assert_eq!(fills.len(), 7);
    let legend_text: Vec<&str> = svg
        .find_all("text")
        .iter()
        .map(|t| t.text.as_str())
        .collect();
    assert!(legend_text.contains(&"No data"));
}

#[test]
fn highlight_is_outlined_and_drawn_last() {
    let svg = parse_xml(&pacific_map(
        &MapOptions {
            highlight: Some("ws"),
            ..MapOptions::default()
        },
        &real_values(),
    ))
    .unwrap();
    let ws = country_node(&svg, "WS");
    assert!(ws.attr("stroke").is_some() && ws.attr("stroke-width") == Some("1.6"));
    let order: Vec<&str> = svg
        .descendants()
        .into_iter()
        .filter_map(|n| n.attr("data-iso2"))
        .collect();
    assert_eq!(order.last(), Some(&"WS"));
    assert_eq!(country_node(&svg, "FJ").attr("stroke"), None);
}

#[test]
fn custom_links_and_points() {
    let link = |iso2: &str| (iso2 != "NR").then(|| format!("/c?code={iso2}&x=1"));
    let points = vec![
        MapPoint {
            lat: -18.14,
            lon: 178.44,
            label: "Suva".into(),
        },
        MapPoint {
            lat: -13.83,
            lon: -171.76,
            label: "Apia".into(),
        },
        MapPoint {
            lat: f64::NAN,
            lon: 0.0,
            label: "broken".into(),
        },
        MapPoint {
            lat: 51.5,
            lon: 0.0,
            label: "London (off the map)".into(),
        },
    ];
    let svg = pacific_map(
        &MapOptions {
            link: Link::Custom(&link),
            points: &points,
            ..MapOptions::default()
        },
        &BTreeMap::new(),
    );
    assert!(svg.contains(r#"href="/c?code=FJ&amp;x=1""#));
    let svg = parse_xml(&svg).unwrap();
    assert_eq!(country_node(&svg, "NR").name, "g");
    let titles: Vec<&str> = svg
        .find_all("circle")
        .iter()
        .filter_map(|c| c.title())
        .collect();
    assert_eq!(titles, vec!["Suva", "Apia"]);
    let apia = svg
        .find_all("circle")
        .into_iter()
        .find(|c| c.title() == Some("Apia"))
        .unwrap();
    let (ax, _) = pacific_xy(-13.83, -171.76);
    let x: f64 = apia.attr("cx").unwrap().parse().unwrap();
    assert!((x - ax).abs() < 0.1);
}

#[test]
fn full_map_stays_under_the_size_budget() {
    let samples = read_pacific_activity_files();
    let points: Vec<MapPoint> = samples
        .iter()
        .flat_map(|s| &s.points)
        .map(|(lat, lon, label)| MapPoint {
            lat: *lat,
            lon: *lon,
            label: label.clone(),
        })
        .collect();
    let mut values = real_values();
    for code in pict_codes() {
        values.entry(code).or_insert(12_345.0);
    }
    let svg = pacific_map(
        &MapOptions {
            title: "Disbursements by country",
            legend_title: "Disbursed (USD)",
            unit: "USD",
            link: Link::Template("/countries/{iso2_lower}"),
            highlight: Some("FJ"),
            points: &points,
            ..MapOptions::default()
        },
        &values,
    );
    assert!(svg.len() < 60 * 1024, "{} bytes", svg.len());
    // And it is not trivially small: the land is really there.
    assert!(svg.len() > 15 * 1024, "{} bytes", svg.len());
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let evil = r#"<script>alert("x")</script>' & "#;
    let points = vec![MapPoint {
        lat: -9.4,
        lon: 147.2,
        label: evil.into(),
    }];
    let svg = pacific_map(
        &MapOptions {
            id: "\"><script>",
            title: evil,
            description: Some(evil),
            legend_title: evil,
            unit: evil,
            link: Link::Template("/x/{iso2}\"><script>alert(1)</script>"),
            points: &points,
            ..MapOptions::default()
        },
        &real_values(),
    );
    assert!(!svg.contains("<script"), "raw script tag in output");
    assert!(
        !svg.contains("<style"),
        "inline SVG must not carry a stylesheet"
    );
    let tree = parse_xml(&svg).unwrap();
    assert!(tree.find_all("script").is_empty());
    assert_eq!(tree.title(), Some(evil));
    assert_eq!(tree.child("desc").unwrap().text, evil);
    assert!(
        tree.find_all("text").iter().any(|t| t.text == evil),
        "legend title"
    );
    let point = tree
        .find_all("circle")
        .into_iter()
        .find(|c| c.title() == Some(evil));
    assert!(point.is_some());
    let a = country_node(&tree, "FJ");
    assert_eq!(a.attr("href"), Some("/x/FJ\"><script>alert(1)</script>"));
}

#[test]
fn fiji_country_map_is_antimeridian_aware() {
    let points = vec![
        MapPoint {
            lat: -18.14,
            lon: 178.44,
            label: "Suva".into(),
        },
        MapPoint {
            lat: -18.05,
            lon: -178.8,
            label: "Lau group".into(),
        },
    ];
    let svg = country_bbox_map(
        "fj",
        &CountryMapOptions {
            points: &points,
            ..CountryMapOptions::default()
        },
    )
    .unwrap();
    let tree = parse_xml(&svg).unwrap();
    let (w, h) = view_box(&tree);
    assert_eq!(w, 640.0);
    assert!(h >= 0.5 * w && h <= 0.9 * w + 1.0, "{h}");
    let fj = country_node(&tree, "FJ");
    let (x0, x1) = x_extent(&country_rings(fj));
    // Fiji fills most of its own map: its box spans ~6°, not the whole world.
    assert!(x1 - x0 > 0.5 * w && x0 >= 0.0 && x1 <= w, "{x0}..{x1}");
    let circles = tree.find_all("circle");
    let xs: Vec<f64> = ["Suva", "Lau group"]
        .iter()
        .map(|label| {
            let c = circles.iter().find(|c| c.title() == Some(label)).unwrap();
            c.attr("cx").unwrap().parse().unwrap()
        })
        .collect();
    assert!(xs[0] < xs[1], "the Lau group is east of Suva: {xs:?}");
    assert!(xs.iter().all(|x| (0.0..=w).contains(x)));
}

#[test]
fn every_country_map_renders_with_its_country_visible() {
    for iso2 in pict_codes() {
        let svg = country_bbox_map(&iso2, &CountryMapOptions::default()).unwrap();
        let tree = parse_xml(&svg).unwrap_or_else(|e| panic!("{iso2}: {e}"));
        let (w, _) = view_box(&tree);
        let node = country_node(&tree, &iso2);
        let rings = country_rings(node);
        assert!(
            !rings.is_empty() || !node.find_all("circle").is_empty(),
            "{iso2}"
        );
        if !rings.is_empty() {
            let (x0, x1) = x_extent(&rings);
            assert!(x1 - x0 <= w + 2.0 * 4.0, "{iso2} spans {x0}..{x1}");
        }
        assert!(svg.len() < 60 * 1024, "{iso2}: {} bytes", svg.len());
    }
}

#[test]
fn output_is_deterministic() {
    let points = vec![MapPoint {
        lat: -8.5,
        lon: 179.2,
        label: "Funafuti".into(),
    }];
    let opts = MapOptions {
        points: &points,
        highlight: Some("TV"),
        ..MapOptions::default()
    };
    assert_eq!(
        pacific_map(&opts, &real_values()),
        pacific_map(&opts, &real_values())
    );
    let c = CountryMapOptions {
        points: &points,
        ..CountryMapOptions::default()
    };
    assert_eq!(
        country_bbox_map("TV", &c).unwrap(),
        country_bbox_map("TV", &c).unwrap()
    );
}

#[test]
fn unknown_country_is_a_typed_error() {
    let err = country_bbox_map("XX", &CountryMapOptions::default()).unwrap_err();
    assert_eq!(err, RenderError::UnknownCountry { iso2: "XX".into() });
    assert!(err.to_string().contains("`FJ`"));
}

proptest! {
    #[test]
    fn projection_is_continuous_across_180(lat in -30.0f64..10.0, d1 in 0.0f64..0.05, d2 in 0.0f64..0.05) {
        let (xa, ya) = pacific_xy(lat, 180.0 - d1);
        let (xb, yb) = pacific_xy(lat, -180.0 + d2);
        let dist = ((xa - xb).powi(2) + (ya - yb).powi(2)).sqrt();
        prop_assert!(dist < 1.0, "{dist}");
        prop_assert!(xb >= xa);
    }

    #[test]
    fn render_never_panics_and_stays_well_formed(
        raw in proptest::collection::vec(
            (0usize..24, prop_oneof![
                Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY),
                Just(f64::MAX), Just(-f64::MAX), Just(0.0), any::<f64>(), -1e12f64..1e12,
            ]),
            0..30,
        ),
        lat in any::<f64>(), lon in any::<f64>(), label in ".{0,20}",
    ) {
        let codes = pict_codes();
        let values: BTreeMap<String, f64> = raw
            .into_iter()
            .map(|(i, v)| (codes.get(i).cloned().unwrap_or_else(|| "AU".into()), v))
            .collect();
        let points = vec![MapPoint { lat, lon, label }];
        let svg = pacific_map(&MapOptions { points: &points, ..MapOptions::default() }, &values);
        let tree = parse_xml(&svg).map_err(TestCaseError::fail)?;
        for iso2 in &codes {
            let fill = country_node(&tree, iso2).attr("fill").unwrap();
            prop_assert!(PALETTE.contains(&fill) || fill == NO_DATA_COLOUR);
        }
    }
}
