//! The Pacific choropleth map and the zoomed single-country map.
//!
//! [`pacific_map`] draws the 22 Pacific Island countries and territories over a fixed window
//! (128° E to 122° W, 24° N to 48° S) with Australia, New Zealand, eastern Indonesia and Hawaii
//! as context. The expensive part (projecting, clipping and simplifying about 200,000 Natural
//! Earth vertices) happens once, on first use, into a cached [`PacificBase`]; each render only
//! joins cached path strings with per-request colours, links and points.
//!
//! [`country_bbox_map`] draws one country in its own antimeridian-aware bounding box; it is
//! projected per call because every country has its own window (a few milliseconds at most).
//!
//! Small island states must stay visible: a country whose drawn area is below
//! [`MARKER_AREA`] square pixels also gets a circle marker per island group, in its own fill.
//! This module must not fetch data, format numbers itself or emit `<style>` (an inline SVG's
//! stylesheet would leak into the host page).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::error::RenderError;
use crate::escape::{escape, id_fragment};
use crate::format::{format_compact_unit, format_full};
use crate::geo::{Country, GeoData, Role, geo};
use crate::palette::{
    ColourScale, FONT, LegendOptions, NO_DATA_COLOUR, ScaleKind, legend_group, legend_height,
    legend_summary, legend_width,
};
use crate::project::{
    Projection, Pt, Rect, area_centroid, clip_line, clip_ring, encode, fmt1, simplify_ring,
};

/// Width of the Pacific map's viewBox; the height follows from the projection (about 642).
pub const PACIFIC_WIDTH: f64 = 960.0;
const PACIFIC_WEST: f64 = 128.0;
const PACIFIC_EAST: f64 = 238.0;
const PACIFIC_SOUTH: f64 = -48.0;
const PACIFIC_NORTH: f64 = 24.0;

/// Douglas–Peucker tolerance in pixels: below half a pixel nobody sees the difference.
const TOLERANCE: f64 = 0.45;
/// Rings smaller than this (square pixels) after simplification are dropped.
const MIN_RING_AREA: f64 = 1.0;
/// Countries drawn smaller than this (square pixels) get markers.
pub const MARKER_AREA: f64 = 40.0;
/// Island groups closer than this (pixels) share one marker.
const CLUSTER_DISTANCE: f64 = 28.0;
const MARKER_RADIUS: f64 = 4.5;
/// Clip a little outside the visible frame so clip edges never show.
const CLIP_MARGIN: f64 = 4.0;

const OCEAN: &str = "#eaf0f5";
const GRATICULE: &str = "#d5dfe8";
const CONTEXT_LAND: &str = "#e6e2da";
const CONTEXT_STROKE: &str = "#c2bcb0";
const OUTLINE: &str = "#56626e";
const HIGHLIGHT: &str = "#d7301f";
const POINT: &str = "#d95f0e";
const INK: &str = "#27313b";
const SUBTLE_INK: &str = "#66717c";

/// A location to mark on a map (an activity site, a capital).
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees (any range; it is unwrapped for the window).
    pub lon: f64,
    /// Shown as the point's tooltip and accessible name.
    pub label: String,
}

/// Where a country on the map links to.
#[derive(Clone, Copy, Default)]
pub enum Link<'a> {
    /// No links: countries are plain groups.
    #[default]
    None,
    /// A URL template; `{iso2}` becomes the upper-case code, `{iso2_lower}` the lower-case one
    /// and `{iso3}` the alpha-3 code, e.g. `"/countries/{iso2}"`.
    Template(&'a str),
    /// A function from the ISO2 code to a URL (`None` for no link).
    Custom(&'a dyn Fn(&str) -> Option<String>),
}

impl std::fmt::Debug for Link<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Template(t) => f.debug_tuple("Template").field(t).finish(),
            Self::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

impl Link<'_> {
    fn href(&self, c: &Country) -> Option<String> {
        match self {
            Self::None => None,
            Self::Template(t) => Some(
                t.replace("{iso2_lower}", &c.iso2.to_ascii_lowercase())
                    .replace("{iso2}", &c.iso2)
                    .replace("{iso3}", &c.iso3),
            ),
            Self::Custom(f) => f(&c.iso2),
        }
    }
}

/// Options for [`pacific_map`].
#[derive(Debug, Clone)]
pub struct MapOptions<'a> {
    /// Prefix of the element ids, unique on the page (default `map`).
    pub id: &'a str,
    /// The accessible name (`<title>`), e.g. "Disbursements by country, 2023".
    pub title: &'a str,
    /// The `<desc>`; when `None` a summary of the data is written.
    pub description: Option<&'a str>,
    /// Heading of the legend, e.g. "Disbursements 2023".
    pub legend_title: &'a str,
    /// Unit of the values (`USD`, `activities`, `%`).
    pub unit: &'a str,
    /// How values are put into colour classes.
    pub scale: ScaleKind,
    /// Where each country links to.
    pub link: Link<'a>,
    /// ISO2 code of a country to emphasise (outlined and drawn on top).
    pub highlight: Option<&'a str>,
    /// Locations to mark (e.g. activity sites).
    pub points: &'a [MapPoint],
    /// Write country names next to the countries.
    pub labels: bool,
}

impl Default for MapOptions<'_> {
    fn default() -> Self {
        Self {
            id: "map",
            title: "Map of the Pacific Island countries and territories",
            description: None,
            legend_title: "",
            unit: "",
            scale: ScaleKind::default(),
            link: Link::None,
            highlight: None,
            points: &[],
            labels: true,
        }
    }
}

/// A country as drawn in one projection: path data, area and markers.
#[derive(Debug)]
pub(crate) struct Drawn {
    pub(crate) country: &'static Country,
    /// Path data (may be empty when every ring collapsed).
    pub(crate) d: String,
    /// Drawn area in square pixels (holes subtracted).
    pub(crate) area: f64,
    /// Circle centres for a small country (empty for a large one).
    pub(crate) markers: Vec<Pt>,
}

/// The projected, simplified Pacific map, built once.
#[derive(Debug)]
pub(crate) struct PacificBase {
    pub(crate) proj: Projection,
    pub(crate) countries: Vec<Drawn>,
    context_d: String,
    date_line_d: String,
    graticule: String,
}

fn pacific_base() -> Result<&'static PacificBase, RenderError> {
    static BASE: OnceLock<Result<PacificBase, RenderError>> = OnceLock::new();
    BASE.get_or_init(|| geo().map(build_pacific_base))
        .as_ref()
        .map_err(Clone::clone)
}

fn build_pacific_base(g: &'static GeoData) -> PacificBase {
    let proj = pacific_projection();
    let frame = proj.frame(CLIP_MARGIN);
    let mut countries = Vec::new();
    let mut context_d = String::new();
    for c in &g.countries {
        let drawn = draw_country(c, &proj, frame, TOLERANCE);
        if c.role == Role::Pict {
            tracing::trace!(
                iso2 = %c.iso2,
                area = drawn.area,
                markers = drawn.markers.len(),
                "projected country"
            );
            countries.push(drawn);
        } else {
            context_d.push_str(&drawn.d);
        }
    }
    for c in &g.context {
        context_d.push_str(&draw_country(c, &proj, frame, TOLERANCE).d);
    }
    let mut date_line_d = String::new();
    for line in &g.date_line {
        let shift = line
            .first()
            .map_or(0.0, |[lon, _]| proj.shift_for(*lon, *lon));
        let pts = proj.ring(line, shift);
        for piece in clip_line(&pts, frame) {
            let simplified = simplify_line(&piece, TOLERANCE);
            encode(&mut date_line_d, &simplified, false, 2);
        }
    }
    let graticule = graticule(&proj, 20.0);
    tracing::debug!(
        countries = countries.len(),
        bytes = countries.iter().map(|c| c.d.len()).sum::<usize>() + context_d.len(),
        "built the cached Pacific base map"
    );
    PacificBase {
        proj,
        countries,
        context_d,
        date_line_d,
        graticule,
    }
}

/// Projects, clips and simplifies one country; adds markers when it is drawn too small.
pub(crate) fn draw_country(c: &'static Country, proj: &Projection, frame: Rect, tol: f64) -> Drawn {
    let mut d = String::new();
    let mut area = 0.0;
    // Exterior rings as clipped (before simplification), for island-group markers.
    let mut islands: Vec<(f64, Pt)> = Vec::new();
    for ring in &c.rings {
        let shift = proj.shift_for(ring.lon_min, ring.lon_max);
        let (x0, y0) = proj.xy_unwrapped(ring.lon_min + shift, ring.lat_max);
        let (x1, y1) = proj.xy_unwrapped(ring.lon_max + shift, ring.lat_min);
        if x1 < frame.x0 || x0 > frame.x1 || y1 < frame.y0 || y0 > frame.y1 {
            continue;
        }
        let clipped = clip_ring(&proj.ring(&ring.pts, shift), frame);
        if clipped.len() < 3 {
            continue;
        }
        if !ring.hole {
            let (a, centre) = area_centroid(&clipped);
            islands.push((a.abs(), centre));
        }
        let simplified = simplify_ring(&clipped, tol);
        let (a, _) = area_centroid(&simplified);
        if a.abs() < MIN_RING_AREA || encode(&mut d, &simplified, true, 3) == 0 {
            continue;
        }
        area += if ring.hole { -a.abs() } else { a.abs() };
    }
    let markers = if c.role == Role::Pict && area < MARKER_AREA {
        cluster_centres(&islands, CLUSTER_DISTANCE)
    } else {
        Vec::new()
    };
    Drawn {
        country: c,
        d,
        area,
        markers,
    }
}

/// Single-linkage clusters of island centres; one area-weighted centre per cluster.
fn cluster_centres(islands: &[(f64, Pt)], max_gap: f64) -> Vec<Pt> {
    let n = islands.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let gap2 = max_gap * max_gap;
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (islands[i].1, islands[j].1);
            if (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2) <= gap2 {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                parent[ri] = rj;
            }
        }
    }
    let mut groups: BTreeMap<usize, (f64, f64, f64, usize, f64, f64)> = BTreeMap::new();
    for (i, &(area, (x, y))) in islands.iter().enumerate() {
        let r = root(&mut parent, i);
        let e = groups.entry(r).or_insert((0.0, 0.0, 0.0, 0, 0.0, 0.0));
        e.0 += area;
        e.1 += area * x;
        e.2 += area * y;
        e.3 += 1;
        e.4 += x;
        e.5 += y;
    }
    groups
        .into_values()
        .map(|(a, ax, ay, k, sx, sy)| {
            if a > 1e-9 {
                (ax / a, ay / a)
            } else {
                (sx / k as f64, sy / k as f64)
            }
        })
        .collect()
}

fn simplify_line(pts: &[Pt], tol: f64) -> Vec<Pt> {
    // A line is a ring whose closing edge we do not draw; the endpoints are always kept.
    if pts.len() <= 2 {
        return pts.to_vec();
    }
    let mut out = simplify_ring(pts, tol);
    if let (Some(first), Some(last)) = (pts.first(), pts.last()) {
        if out.first() != Some(first) {
            out.insert(0, *first);
        }
        if out.last() != Some(last) {
            out.push(*last);
        }
    }
    out
}

/// Light graticule lines every `step` degrees with edge labels, as an SVG fragment.
fn graticule(proj: &Projection, step: f64) -> String {
    let mut d = String::new();
    let mut labels = String::new();
    let west = proj.west;
    let east = proj.west + proj.width / proj.kx;
    let north = proj.north;
    let south = proj.north - proj.height / proj.ky;
    let mut lon = (west / step).ceil() * step;
    while lon <= east {
        let (x, _) = proj.xy_unwrapped(lon, north);
        let _ = write!(d, "M{} 0V{}", fmt1(x), fmt1(proj.height));
        let _ = write!(
            labels,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            fmt1(x),
            fmt1(proj.height - 5.0),
            lon_label(lon)
        );
        lon += step;
    }
    let mut lat = (south / step).ceil() * step;
    while lat <= north {
        let (_, y) = proj.xy_unwrapped(west, lat);
        let _ = write!(d, "M0 {}H{}", fmt1(y), fmt1(proj.width));
        let _ = write!(
            labels,
            r#"<text x="4" y="{}">{}</text>"#,
            fmt1(y - 3.0),
            lat_label(lat)
        );
        lat += step;
    }
    format!(
        r#"<path d="{d}" fill="none" stroke="{GRATICULE}" stroke-width=".6"/><g font-size="9" fill="{SUBTLE_INK}" stroke="{OCEAN}" stroke-width="2" paint-order="stroke" aria-hidden="true">{labels}</g>"#
    )
}

fn lon_label(lon: f64) -> String {
    let l = crate::project::wrap180(lon);
    let l = if l == -180.0 { 180.0 } else { l };
    if l == 0.0 || l == 180.0 {
        format!("{}°", l.abs())
    } else if l > 0.0 {
        format!("{l}°E")
    } else {
        format!("{}°W", -l)
    }
}

fn lat_label(lat: f64) -> String {
    if lat == 0.0 {
        "Equator".to_owned()
    } else if lat > 0.0 {
        format!("{lat}°N")
    } else {
        format!("{}°S", -lat)
    }
}

/// Where to put a country's name relative to its label point: offset in pixels and anchor.
/// Hand-placed for the Pacific window, where Polynesia is crowded.
fn label_placement(iso2: &str) -> (f64, f64, &'static str) {
    match iso2 {
        "PG" => (0.0, -30.0, "middle"),
        "SB" => (22.0, 34.0, "middle"),
        "VU" => (-10.0, 4.0, "end"),
        "NC" => (-12.0, 18.0, "end"),
        "FJ" => (-14.0, 18.0, "end"),
        "TV" => (8.0, 4.0, "start"),
        "WF" => (-8.0, -7.0, "end"),
        "WS" => (6.0, -7.0, "start"),
        "AS" => (8.0, 10.0, "start"),
        "TK" => (8.0, -2.0, "start"),
        "TO" => (-8.0, 10.0, "end"),
        "NU" => (8.0, 8.0, "start"),
        "CK" => (8.0, 12.0, "start"),
        "PF" => (0.0, 30.0, "middle"),
        "PN" => (0.0, 18.0, "middle"),
        "MH" => (8.0, -6.0, "start"),
        "NR" => (-8.0, 4.0, "end"),
        "FM" => (0.0, 18.0, "middle"),
        "PW" => (-8.0, 4.0, "end"),
        "GU" => (-8.0, 4.0, "end"),
        "MP" => (8.0, 4.0, "start"),
        "KI" => (0.0, -14.0, "middle"),
        _ => (8.0, 4.0, "start"),
    }
}

/// Where the point (`lat`, `lon`) lands on the [`pacific_map`], in viewBox pixels
/// (x right, y down; the viewBox is `0 0 960 642`). Longitudes are unwrapped around the map's
/// central meridian (183° E), so -179.9° lies just right of 179.9°.
pub fn pacific_xy(lat: f64, lon: f64) -> (f64, f64) {
    pacific_projection().xy(lat, lon)
}

fn pacific_projection() -> Projection {
    Projection::fit(
        PACIFIC_WEST,
        PACIFIC_EAST,
        PACIFIC_SOUTH,
        PACIFIC_NORTH,
        PACIFIC_WIDTH,
    )
}

/// Renders the Pacific choropleth map as an inline `<svg>` element.
///
/// `values` maps ISO2 codes (case-insensitive) to a number; Pacific countries without a finite
/// value are drawn in [`NO_DATA_COLOUR`]. Codes that are not Pacific Island countries or
/// territories (e.g. `AU`, `NZ`, which are drawn only as context) are ignored.
///
/// Never fails: if the bundled geodata could not be parsed (a build defect, logged as an
/// error), a small SVG saying the map is unavailable is returned so the page still renders.
pub fn pacific_map(opts: &MapOptions<'_>, values: &BTreeMap<String, f64>) -> String {
    match pacific_base() {
        Ok(base) => render_pacific(base, opts, values),
        Err(e) => {
            tracing::error!(error = %e, "the Pacific map cannot be drawn");
            unavailable(opts.id, opts.title)
        }
    }
}

fn value_for(values: &BTreeMap<String, f64>, iso2: &str) -> Option<f64> {
    values
        .get(iso2)
        .or_else(|| {
            values
                .iter()
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(iso2))
                .map(|(_, v)| v)
        })
        .copied()
        .filter(|v| v.is_finite())
}

fn render_pacific(
    base: &PacificBase,
    opts: &MapOptions<'_>,
    values: &BTreeMap<String, f64>,
) -> String {
    let id = id_fragment(if opts.id.is_empty() { "map" } else { opts.id });
    let (w, h) = (base.proj.width, base.proj.height.round());
    let country_values: Vec<Option<f64>> = base
        .countries
        .iter()
        .map(|c| value_for(values, &c.country.iso2))
        .collect();
    if tracing::enabled!(tracing::Level::DEBUG) {
        for key in values.keys() {
            if !base
                .countries
                .iter()
                .any(|c| c.country.iso2.eq_ignore_ascii_case(key.trim()))
            {
                tracing::debug!(key = %key, "map value ignored: not a Pacific Island country");
            }
        }
    }
    let scale = ColourScale::from_values(opts.scale, country_values.iter().flatten().copied());
    let legend_opts = LegendOptions {
        title: opts.legend_title,
        unit: opts.unit,
        show_no_data: country_values.iter().any(Option::is_none),
        id: "",
    };
    let highlight = opts.highlight.map(str::trim);

    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" font-family="{FONT}">"#
    );
    let desc = match opts.description {
        Some(d) => d.to_owned(),
        None => describe_pacific(base, &country_values, opts, &scale, &legend_opts),
    };
    let _ = write!(
        out,
        r#"<title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(opts.title),
        escape(&desc)
    );
    let _ = write!(out, r#"<rect width="{w}" height="{h}" fill="{OCEAN}"/>"#);
    out.push_str(&base.graticule);
    if !base.date_line_d.is_empty() {
        let _ = write!(
            out,
            r##"<path d="{}" fill="none" stroke="#8d99a6" stroke-width=".8" stroke-dasharray="4 3" aria-hidden="true"/>"##,
            base.date_line_d
        );
    }
    let _ = write!(
        out,
        r#"<path d="{}" fill="{CONTEXT_LAND}" stroke="{CONTEXT_STROKE}" stroke-width=".4" aria-hidden="true"/>"#,
        base.context_d
    );

    let _ = write!(
        out,
        r#"<g stroke="{OUTLINE}" stroke-width=".4" stroke-linejoin="round" fill-rule="evenodd">"#
    );
    let mut order: Vec<usize> = (0..base.countries.len()).collect();
    // The highlighted country is drawn last so its outline is not covered by neighbours.
    order.sort_by_key(|&i| {
        highlight.is_some_and(|h| base.countries[i].country.iso2.eq_ignore_ascii_case(h))
    });
    for i in order {
        let drawn = &base.countries[i];
        let value = country_values[i];
        let is_highlight = highlight.is_some_and(|h| drawn.country.iso2.eq_ignore_ascii_case(h));
        write_country(&mut out, drawn, value, &scale, opts, is_highlight);
    }
    out.push_str("</g>");

    if opts.labels {
        write_labels(&mut out, base);
    }
    write_points(&mut out, &base.proj, opts.points);

    // Legend in the empty north-east corner of the window (east of Hawaii).
    let lw =
        legend_width(&scale, &legend_opts).max(if opts.points.is_empty() { 0.0 } else { 110.0 });
    let rows = scale.len() + usize::from(legend_opts.show_no_data);
    let lh = legend_height(rows, !legend_opts.title.is_empty())
        + if opts.points.is_empty() { 0.0 } else { 18.0 };
    let (lx, ly) = (w - lw - 22.0, 22.0);
    let _ = write!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="#fff" fill-opacity=".85" stroke="#cfd8e0" stroke-width=".6" aria-hidden="true"/>"##,
        fmt1(lx - 10.0),
        fmt1(ly - 10.0),
        fmt1(lw + 20.0),
        fmt1(lh + 14.0)
    );
    legend_group(&mut out, lx, ly, &scale, &legend_opts);
    if !opts.points.is_empty() {
        let y = ly + lh - 14.0;
        let _ = write!(
            out,
            r##"<g font-size="11" fill="#3c4650" aria-hidden="true"><circle cx="{}" cy="{}" r="3.5" fill="{POINT}" stroke="#fff"/><text x="{}" y="{}">Activity location</text></g>"##,
            fmt1(lx + 7.0),
            fmt1(y),
            fmt1(lx + 20.0),
            fmt1(y + 4.0)
        );
    }
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="9" fill="{SUBTLE_INK}" text-anchor="end" aria-hidden="true">Map data: Natural Earth</text></svg>"#,
        fmt1(w - 8.0),
        fmt1(h - 8.0)
    );
    out
}

fn write_country(
    out: &mut String,
    drawn: &Drawn,
    value: Option<f64>,
    scale: &ColourScale,
    opts: &MapOptions<'_>,
    is_highlight: bool,
) {
    let c = drawn.country;
    let fill = value.map_or(NO_DATA_COLOUR, |v| scale.colour(v));
    let label = match value {
        Some(v) => format!("{}: {}", c.name, format_full(v, opts.unit)),
        None => format!("{}: no data", c.name),
    };
    let href = opts.link.href(c);
    let emphasis = if is_highlight {
        format!(r#" stroke="{HIGHLIGHT}" stroke-width="1.6""#)
    } else {
        String::new()
    };
    match &href {
        Some(href) => {
            let _ = write!(
                out,
                r#"<a href="{}" fill="{fill}" data-iso2="{}"{emphasis}>"#,
                escape(href),
                escape(&c.iso2)
            );
        }
        None => {
            let _ = write!(
                out,
                r#"<g role="img" fill="{fill}" data-iso2="{}"{emphasis}>"#,
                escape(&c.iso2)
            );
        }
    }
    let _ = write!(out, "<title>{}</title>", escape(&label));
    if !drawn.d.is_empty() {
        let _ = write!(out, r#"<path d="{}"/>"#, drawn.d);
    }
    let r = if is_highlight {
        MARKER_RADIUS + 1.5
    } else {
        MARKER_RADIUS
    };
    for (x, y) in &drawn.markers {
        let _ = write!(
            out,
            r#"<circle cx="{}" cy="{}" r="{}"/>"#,
            fmt1(*x),
            fmt1(*y),
            fmt1(r)
        );
    }
    out.push_str(if href.is_some() { "</a>" } else { "</g>" });
}

fn write_labels(out: &mut String, base: &PacificBase) {
    let _ = write!(
        out,
        r##"<g font-size="10.5" fill="{INK}" stroke="#fff" stroke-width="2.4" stroke-linejoin="round" paint-order="stroke" aria-hidden="true">"##
    );
    for drawn in &base.countries {
        let c = drawn.country;
        let (x, y) = base.proj.xy(c.label_lat, c.label_lon);
        let (dx, dy, anchor) = label_placement(&c.iso2);
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
            fmt1(x + dx),
            fmt1(y + dy),
            escape(&c.short_name)
        );
    }
    out.push_str("</g>");
}

fn write_points(out: &mut String, proj: &Projection, points: &[MapPoint]) {
    if points.is_empty() {
        return;
    }
    let frame = proj.frame(0.0);
    let _ = write!(
        out,
        r##"<g fill="{POINT}" stroke="#fff" stroke-width="1">"##
    );
    let mut skipped = 0usize;
    for p in points {
        if !p.lat.is_finite() || !p.lon.is_finite() || p.lat.abs() > 90.0 {
            skipped += 1;
            continue;
        }
        let xy = proj.xy(p.lat, p.lon);
        if !frame.contains(xy) {
            skipped += 1;
            continue;
        }
        let _ = write!(
            out,
            r#"<circle cx="{}" cy="{}" r="3.5"><title>{}</title></circle>"#,
            fmt1(xy.0),
            fmt1(xy.1),
            escape(&p.label)
        );
    }
    out.push_str("</g>");
    if skipped > 0 {
        tracing::debug!(
            skipped,
            "map points outside the window or not finite were not drawn"
        );
    }
}

fn describe_pacific(
    base: &PacificBase,
    values: &[Option<f64>],
    opts: &MapOptions<'_>,
    scale: &ColourScale,
    legend_opts: &LegendOptions<'_>,
) -> String {
    let with_data = values.iter().flatten().count();
    let mut text = format!(
        "Map of {} Pacific Island countries and territories, from Palau in the west to the \
         Pitcairn Islands in the east, with Australia and New Zealand for context. ",
        base.countries.len()
    );
    if with_data == 0 {
        text.push_str("No country has a value.");
    } else {
        let best = base
            .countries
            .iter()
            .zip(values)
            .filter_map(|(c, v)| v.map(|v| (c, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let _ = write!(
            text,
            "{with_data} of {} have a value; darker shading means a higher value.",
            base.countries.len()
        );
        if let Some((c, v)) = best {
            let _ = write!(
                text,
                " Highest: {} ({}).",
                c.country.name,
                format_compact_unit(v, opts.unit)
            );
        }
        let _ = write!(text, " {}", legend_summary(scale, legend_opts));
    }
    if !opts.points.is_empty() {
        let _ = write!(text, " {} locations are marked.", opts.points.len());
    }
    text
}

fn unavailable(id: &str, title: &str) -> String {
    let id = id_fragment(if id.is_empty() { "map" } else { id });
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 60" width="100%" role="img" aria-labelledby="{id}-t" font-family="{FONT}"><title id="{id}-t">{}: map unavailable</title><rect width="480" height="60" fill="{OCEAN}"/><text x="240" y="35" text-anchor="middle" font-size="14" fill="{INK}">Map unavailable</text></svg>"##,
        escape(title)
    )
}

/// Options for [`country_bbox_map`].
#[derive(Debug, Clone)]
pub struct CountryMapOptions<'a> {
    /// Prefix of the element ids, unique on the page (default `country-map`).
    pub id: &'a str,
    /// The accessible name; when `None`, "Map of {country}".
    pub title: Option<&'a str>,
    /// The `<desc>`; when `None` a summary is written.
    pub description: Option<&'a str>,
    /// Locations to mark (e.g. activity sites).
    pub points: &'a [MapPoint],
    /// Width of the viewBox in pixels (default 640); the height follows the country's shape,
    /// between half and nine tenths of the width.
    pub width: f64,
}

impl Default for CountryMapOptions<'_> {
    fn default() -> Self {
        Self {
            id: "country-map",
            title: None,
            description: None,
            points: &[],
            width: 640.0,
        }
    }
}

/// Longitude extent (`west`, `east`, unwrapped so `east > west`) and latitude extent
/// (`south`, `north`) of a country, taking the shorter way round the globe: Fiji spans
/// 177° E to 178° W (5°), not 358°.
pub(crate) fn country_extent(c: &Country) -> Option<(f64, f64, f64, f64)> {
    let mut spans: Vec<(f64, f64)> = c
        .rings
        .iter()
        .filter(|r| !r.hole)
        .map(|r| {
            let k = ((r.lon_min + 180.0) / 360.0).floor() * 360.0;
            (r.lon_min - k, r.lon_max - k)
        })
        .collect();
    if spans.is_empty() {
        return None;
    }
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    // The extent is the circle minus its largest empty gap.
    let n = merged.len();
    let mut best_gap = merged[0].0 + 360.0 - merged[n - 1].1;
    let (mut west, mut east) = (merged[0].0, merged[n - 1].1);
    for i in 0..n.saturating_sub(1) {
        let gap = merged[i + 1].0 - merged[i].1;
        if gap > best_gap {
            best_gap = gap;
            west = merged[i + 1].0;
            east = merged[i].1 + 360.0;
        }
    }
    let south = c
        .rings
        .iter()
        .map(|r| r.lat_min)
        .fold(f64::INFINITY, f64::min);
    let north = c
        .rings
        .iter()
        .map(|r| r.lat_max)
        .fold(f64::NEG_INFINITY, f64::max);
    Some((west, east, south, north))
}

/// Renders a zoomed map of one country (by ISO2 code, case-insensitive) in its own bounding
/// box with padding, with neighbouring land for context and `opts.points` marked.
///
/// # Errors
/// [`RenderError::UnknownCountry`] if `iso2` is not in the bundled map data;
/// [`RenderError::GeoData`] if the bundled geodata does not parse (a build defect).
pub fn country_bbox_map(iso2: &str, opts: &CountryMapOptions<'_>) -> Result<String, RenderError> {
    let g = geo()?;
    let country = g.country(iso2).ok_or_else(|| RenderError::UnknownCountry {
        iso2: iso2.to_owned(),
    })?;
    let (west, east, south, north) =
        country_extent(country).ok_or_else(|| RenderError::UnknownCountry {
            iso2: iso2.to_owned(),
        })?;
    let width = if opts.width.is_finite() {
        opts.width.clamp(160.0, 4000.0)
    } else {
        640.0
    };
    let proj = bbox_projection(west, east, south, north, width);
    let frame = proj.frame(CLIP_MARGIN);
    let id = id_fragment(if opts.id.is_empty() {
        "country-map"
    } else {
        opts.id
    });
    let (w, h) = (proj.width, proj.height.round());

    let mut context_d = String::new();
    for other in g.countries.iter().chain(&g.context) {
        if std::ptr::eq(other, country) {
            continue;
        }
        context_d.push_str(&draw_country(other, &proj, frame, TOLERANCE).d);
    }
    let drawn = draw_country(country, &proj, frame, TOLERANCE);

    let title = opts
        .title
        .map_or_else(|| format!("Map of {}", country.name), str::to_owned);
    let frame0 = proj.frame(0.0);
    let shown = opts
        .points
        .iter()
        .filter(|p| {
            p.lat.is_finite() && p.lon.is_finite() && frame0.contains(proj.xy(p.lat, p.lon))
        })
        .count();
    let desc = match opts.description {
        Some(d) => d.to_owned(),
        None => {
            let mut d = format!(
                "Map of {} ({} to {}, {} to {}) with neighbouring land in grey.",
                country.name,
                lat_label(south.round()),
                lat_label(north.round()),
                lon_label(west.round()),
                lon_label(east.round())
            );
            if !opts.points.is_empty() {
                let _ = write!(d, " {shown} of {} locations are marked.", opts.points.len());
            }
            d
        }
    };

    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" font-family="{FONT}"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc><rect width="{w}" height="{h}" fill="{OCEAN}"/>"#,
        escape(&title),
        escape(&desc)
    );
    let span = east - west;
    let step = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
        .into_iter()
        .find(|s| span / s <= 6.0)
        .unwrap_or(20.0);
    out.push_str(&graticule(&proj, step));
    let _ = write!(
        out,
        r#"<path d="{context_d}" fill="{CONTEXT_LAND}" stroke="{CONTEXT_STROKE}" stroke-width=".5" fill-rule="evenodd" aria-hidden="true"/>"#
    );
    let _ = write!(
        out,
        r##"<g role="img" fill="#1d91c0" stroke="#0b3c5d" stroke-width=".7" stroke-linejoin="round" fill-rule="evenodd" data-iso2="{}"><title>{}</title>"##,
        escape(&country.iso2),
        escape(&country.name)
    );
    if !drawn.d.is_empty() {
        let _ = write!(out, r#"<path d="{}"/>"#, drawn.d);
    }
    for (x, y) in &drawn.markers {
        let _ = write!(
            out,
            r#"<circle cx="{}" cy="{}" r="{MARKER_RADIUS}"/>"#,
            fmt1(*x),
            fmt1(*y)
        );
    }
    out.push_str("</g>");
    write_points(&mut out, &proj, opts.points);
    write_scale_bar(&mut out, &proj);
    out.push_str("</svg>");
    Ok(out)
}

fn bbox_projection(west: f64, east: f64, south: f64, north: f64, width: f64) -> Projection {
    const MIN_SPAN: f64 = 1.5;
    let cos = ((south + north) / 2.0).to_radians().cos().max(0.2);
    let (mut lon_span, mut lat_span) = (east - west, north - south);
    let pad_lon = (lon_span * 0.12).max(0.3 / cos);
    let pad_lat = (lat_span * 0.12).max(0.3);
    lon_span = (lon_span + 2.0 * pad_lon).max(MIN_SPAN / cos);
    lat_span = (lat_span + 2.0 * pad_lat).max(MIN_SPAN);
    // Keep the aspect ratio between 2:1 and 10:9 so long chains and tall islands both fit a page.
    let ratio = lat_span / (lon_span * cos);
    if ratio < 0.5 {
        lat_span = 0.5 * lon_span * cos;
    } else if ratio > 0.9 {
        lon_span = lat_span / (0.9 * cos);
    }
    let (cx, cy) = ((west + east) / 2.0, (south + north) / 2.0);
    let s = (cy - lat_span / 2.0).max(-89.0);
    let n = (cy + lat_span / 2.0).min(89.0);
    Projection::fit(cx - lon_span / 2.0, cx + lon_span / 2.0, s, n, width)
}

fn write_scale_bar(out: &mut String, proj: &Projection) {
    let km_per_px = 111.32 / proj.ky;
    let target = km_per_px * proj.width / 6.0;
    let exp = target.log10().floor();
    let base = 10f64.powf(exp);
    let km = [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * base)
        .find(|k| *k <= target)
        .unwrap_or(base);
    let len = km / km_per_px;
    let (x, y) = (proj.width - len - 14.0, proj.height - 18.0);
    let km_text = if km >= 1.0 {
        crate::format::format_thousands(km, 0)
    } else {
        format!("{km}")
    };
    let _ = write!(
        out,
        r##"<g aria-hidden="true" font-size="10" fill="{INK}"><path d="M{x} {}v4H{}v-4" fill="none" stroke="{INK}" stroke-width="1"/><text x="{x}" y="{}" stroke="#fff" stroke-width="2.4" paint-order="stroke">{km_text} km</text></g>"##,
        fmt1(y - 4.0),
        fmt1(x + len),
        fmt1(y - 7.0)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiji_extent_does_not_span_the_world() {
        let g = geo().unwrap();
        let (w, e, s, n) = country_extent(g.country("FJ").unwrap()).unwrap();
        assert!(e - w < 10.0, "{w}..{e}");
        assert!(w > 170.0 && e < 190.0, "{w}..{e}");
        assert!(s > -22.0 && n < -11.0);
    }

    #[test]
    fn every_country_extent_is_compact() {
        let g = geo().unwrap();
        for c in &g.countries {
            let (w, e, _, _) = country_extent(c).unwrap();
            // Kiribati spans ~40° of ocean; Australia with Lord Howe Island ~46°.
            let limit = if c.role == Role::Pict { 42.0 } else { 50.0 };
            assert!(e - w < limit, "{} spans {w}..{e}", c.iso2);
        }
    }

    #[test]
    fn clusters_merge_close_islands() {
        let islands = [(1.0, (0.0, 0.0)), (3.0, (4.0, 0.0)), (1.0, (100.0, 100.0))];
        let c = cluster_centres(&islands, 10.0);
        assert_eq!(c.len(), 2);
        assert!(c.contains(&(3.0, 0.0)));
    }

    #[test]
    fn template_links_substitute_codes() {
        let g = geo().unwrap();
        let fj = g.country("fj").unwrap();
        let l = Link::Template("/c/{iso2}/{iso2_lower}/{iso3}");
        assert_eq!(l.href(fj).as_deref(), Some("/c/FJ/fj/FJI"));
        let f = |code: &str| (code == "WS").then(|| "/samoa".to_owned());
        assert_eq!(Link::Custom(&f).href(fj), None);
    }
}
