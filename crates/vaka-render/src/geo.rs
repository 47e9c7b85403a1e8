//! The bundled Natural Earth geodata: parsed once, kept in memory for every render.
//!
//! Both GeoJSON files under `data/geo/` are embedded at compile time and parsed on first use
//! into [`Country`] records whose rings are already *continuous in longitude*: each vertex is
//! unwrapped relative to the one before, so a ring never jumps by 360° even where the source
//! splits it at ±180°. Placing a ring in a map window is then a single shift by a multiple of
//! 360° (see `project`). This module must not project, simplify or write SVG.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::RenderError;

const COUNTRIES_FILE: &str = "pacific-countries.geojson";
const CONTEXT_FILE: &str = "pacific-context.geojson";
const COUNTRIES_JSON: &str = include_str!("../../../data/geo/pacific-countries.geojson");
const CONTEXT_JSON: &str = include_str!("../../../data/geo/pacific-context.geojson");

/// What a feature is on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A Pacific Island country or territory: shaded by value, linked, always visible.
    Pict,
    /// Land drawn for orientation only (Australia, New Zealand, Indonesia, Hawaii, ...).
    Context,
}

/// One country or territory of the bundled map data.
#[derive(Debug, Clone)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code (upper case), the key of the map's `values`.
    pub iso2: String,
    /// ISO 3166-1 alpha-3 code.
    pub iso3: String,
    /// Long name, e.g. "Federated States of Micronesia".
    pub name: String,
    /// Short name for map labels, e.g. "Micronesia".
    pub short_name: String,
    /// Whether the country is shaded or only drawn for context.
    pub role: Role,
    /// Latitude of Natural Earth's label point (degrees).
    pub label_lat: f64,
    /// Longitude of Natural Earth's label point (degrees, -180..180).
    pub label_lon: f64,
    pub(crate) rings: Vec<Ring>,
}

/// A closed ring (the closing vertex removed) with longitudes made continuous.
#[derive(Debug, Clone)]
pub(crate) struct Ring {
    /// `[lon, lat]`; `lon` may leave -180..180 so that consecutive vertices stay close.
    pub(crate) pts: Vec<[f64; 2]>,
    pub(crate) lon_min: f64,
    pub(crate) lon_max: f64,
    pub(crate) lat_min: f64,
    pub(crate) lat_max: f64,
    /// An inner ring (a hole) of its polygon.
    pub(crate) hole: bool,
}

/// Everything parsed from the two files.
#[derive(Debug)]
pub(crate) struct GeoData {
    /// `pacific-countries.geojson`, in file order (22 PICTs, then Australia and New Zealand).
    pub(crate) countries: Vec<Country>,
    /// The land features of `pacific-context.geojson`.
    pub(crate) context: Vec<Country>,
    /// The International Date Line as continuous polylines.
    pub(crate) date_line: Vec<Vec<[f64; 2]>>,
}

impl GeoData {
    pub(crate) fn country(&self, iso2: &str) -> Option<&Country> {
        self.countries
            .iter()
            .find(|c| c.iso2.eq_ignore_ascii_case(iso2.trim()))
    }
}

/// The parsed geodata, parsed on first use.
pub(crate) fn geo() -> Result<&'static GeoData, RenderError> {
    static GEO: OnceLock<Result<GeoData, RenderError>> = OnceLock::new();
    GEO.get_or_init(load).as_ref().map_err(Clone::clone)
}

/// The countries and territories of the bundled map, in file order: the 22 Pacific Island
/// countries and territories (`Role::Pict`), then Australia and New Zealand (`Role::Context`).
pub fn countries() -> Result<&'static [Country], RenderError> {
    geo().map(|g| g.countries.as_slice())
}

fn load() -> Result<GeoData, RenderError> {
    let countries = parse(COUNTRIES_FILE, COUNTRIES_JSON)?;
    let context_features = parse(CONTEXT_FILE, CONTEXT_JSON)?;
    let mut out = GeoData {
        countries: Vec::with_capacity(countries.len()),
        context: Vec::new(),
        date_line: Vec::new(),
    };
    for f in countries {
        if let Some(c) = to_country(f) {
            out.countries.push(c);
        }
    }
    for f in context_features {
        if f.properties.role == "line" {
            out.date_line.extend(lines(&f.geometry));
        } else if let Some(mut c) = to_country(f) {
            // Only the first file's features are linkable map countries.
            c.role = Role::Context;
            out.context.push(c);
        }
    }
    tracing::debug!(
        countries = out.countries.len(),
        context = out.context.len(),
        "parsed bundled Natural Earth geodata"
    );
    Ok(out)
}

fn parse(file: &'static str, json: &str) -> Result<Vec<Feature>, RenderError> {
    serde_json::from_str::<FeatureCollection>(json)
        .map(|fc| fc.features)
        .map_err(|e| RenderError::GeoData {
            file,
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
}

fn to_country(f: Feature) -> Option<Country> {
    let p = f.properties;
    let (Some(iso2), Some(name)) = (p.iso_a2, p.name) else {
        tracing::warn!("skipping a bundled map feature without `iso_a2` or `name`");
        return None;
    };
    let polygons: Vec<Vec<Vec<[f64; 2]>>> = match f.geometry {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(mp) => mp,
        Geometry::LineString(_) | Geometry::MultiLineString(_) => Vec::new(),
    };
    let rings: Vec<Ring> = polygons
        .iter()
        .flat_map(|poly| {
            poly.iter()
                .enumerate()
                .filter_map(|(i, r)| make_ring(r, i > 0))
        })
        .collect();
    let (label_lat, label_lon) = match (p.label_lat, p.label_lon) {
        (Some(lat), Some(lon)) if lat.is_finite() && lon.is_finite() => (lat, lon),
        _ => rings_centre(&rings),
    };
    Some(Country {
        iso2: iso2.to_ascii_uppercase(),
        iso3: p.iso_a3.unwrap_or_default(),
        short_name: p.name_short.unwrap_or_else(|| name.clone()),
        name,
        role: if p.role == "pict" {
            Role::Pict
        } else {
            Role::Context
        },
        label_lat,
        label_lon,
        rings,
    })
}

fn make_ring(raw: &[[f64; 2]], hole: bool) -> Option<Ring> {
    let mut pts = continuous(raw);
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    if pts.len() < 3 {
        return None;
    }
    let mut r = Ring {
        lon_min: f64::INFINITY,
        lon_max: f64::NEG_INFINITY,
        lat_min: f64::INFINITY,
        lat_max: f64::NEG_INFINITY,
        hole,
        pts,
    };
    for [lon, lat] in &r.pts {
        r.lon_min = r.lon_min.min(*lon);
        r.lon_max = r.lon_max.max(*lon);
        r.lat_min = r.lat_min.min(*lat);
        r.lat_max = r.lat_max.max(*lat);
    }
    Some(r)
}

/// Unwraps each longitude relative to the previous vertex, so a line crossing ±180° continues
/// to 180.5 instead of jumping to -179.5. Non-finite vertices are dropped.
pub(crate) fn continuous(raw: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(raw.len());
    for &[lon, lat] in raw {
        if !lon.is_finite() || !lat.is_finite() {
            continue;
        }
        let lon = match out.last() {
            Some(&[prev, _]) => prev + crate::project::wrap180(lon - prev),
            None => lon,
        };
        out.push([lon, lat]);
    }
    out
}

fn lines(g: &Geometry) -> Vec<Vec<[f64; 2]>> {
    match g {
        Geometry::LineString(l) => vec![continuous(l)],
        Geometry::MultiLineString(ls) => ls.iter().map(|l| continuous(l)).collect(),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => Vec::new(),
    }
}

fn rings_centre(rings: &[Ring]) -> (f64, f64) {
    let Some(first) = rings.first() else {
        return (0.0, 0.0);
    };
    (
        (first.lat_min + first.lat_max) / 2.0,
        (first.lon_min + first.lon_max) / 2.0,
    )
}

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(Deserialize)]
struct Properties {
    iso_a2: Option<String>,
    iso_a3: Option<String>,
    name: Option<String>,
    name_short: Option<String>,
    #[serde(default)]
    role: String,
    label_lon: Option<f64>,
    label_lat: Option<f64>,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
    LineString(Vec<[f64; 2]>),
    MultiLineString(Vec<Vec<[f64; 2]>>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_files_parse() {
        let g = geo().unwrap();
        assert_eq!(g.countries.len(), 24);
        assert_eq!(
            g.countries.iter().filter(|c| c.role == Role::Pict).count(),
            22
        );
        assert!(!g.date_line.is_empty());
        assert!(g.context.iter().any(|c| c.iso2 == "ID"));
    }

    #[test]
    fn rings_are_continuous_across_the_antimeridian() {
        let g = geo().unwrap();
        for c in g.countries.iter().chain(&g.context) {
            for r in &c.rings {
                for w in r.pts.windows(2) {
                    assert!(
                        (w[0][0] - w[1][0]).abs() <= 180.0,
                        "{} has a 360° jump",
                        c.iso2
                    );
                }
            }
        }
    }

    #[test]
    fn continuous_unwraps_a_crossing() {
        let line = continuous(&[[179.9, 0.0], [-179.9, 0.0], [f64::NAN, 1.0], [-179.7, 0.0]]);
        assert_eq!(line.len(), 3);
        assert!((line[1][0] - 180.1).abs() < 1e-9);
        assert!((line[2][0] - 180.3).abs() < 1e-9);
    }

    #[test]
    fn broken_json_is_a_typed_error() {
        let err = parse("x.geojson", "{\"features\": [1]}").err().unwrap();
        assert!(matches!(
            err,
            RenderError::GeoData {
                file: "x.geojson",
                line: 1,
                ..
            }
        ));
        assert!(err.to_string().contains("restore the file"));
    }
}
