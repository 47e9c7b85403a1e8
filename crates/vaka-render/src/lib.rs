//! Server-side SVG for Vaka: the Pacific map and accessible charts.
//!
//! A pure library: data in, `String` out; no database, no async, no network. The web server
//! embeds the output inline in pages that Pacific government officials open on slow links, so
//! every output is small, valid XML, carries `<title>`/`<desc>` and has an HTML table twin.
//!
//! # Main types and data flow
//!
//! - **Map.** The Natural Earth geodata under `data/geo/` is embedded at compile time and
//!   parsed once ([`countries`] lists it). On first use [`pacific_map`] projects it
//!   (equirectangular, antimeridian-unwrapped, see the `project` module), clips and simplifies
//!   it and caches the path strings; each call then only adds colours from a [`ColourScale`],
//!   links ([`Link`]), a highlight and [`MapPoint`]s, as set in [`MapOptions`].
//!   [`country_bbox_map`] zooms to one country. [`map_table`] gives the same data as a table.
//! - **Colour.** [`PALETTE`] (six-class YlGnBu) is shared by the map, [`heat_colour`] for the
//!   coverage-matrix cells and [`legend`].
//! - **Charts.** [`bar_chart`] ([`BarChart`] of [`Bar`]s), [`column_chart`] ([`ColumnChart`],
//!   e.g. disbursements by year) and [`sparkline`]; each chart's `table` method and
//!   [`data_table`] give the HTML table behind it.
//! - **Text.** [`escape`] is applied to every caller string; [`format_full`],
//!   [`format_compact`] and friends format numbers (`USD 1,234,567`, `1.2 M`).
//!
//! Rendering never panics and never fails on odd values (NaN, infinities, negatives, hostile
//! labels); only [`country_bbox_map`] returns a [`RenderError`], for an unknown country code.
//!
//! # Invariants
//!
//! - **vaka-render depends on no other vaka crate**: callers pass plain numbers and strings.
//! - **Every caller string passes through [`escape`]**; no output contains a `<style>` or
//!   `<script>` element (an inline SVG's stylesheet would leak into the host page).
//! - **Output is deterministic**: the same input gives byte-identical output, so pages can be
//!   cached and snapshot-tested.
//!
//! ```
//! use std::collections::BTreeMap;
//! use vaka_render::{Link, MapOptions, pacific_map};
//!
//! let values = BTreeMap::from([("FJ".to_owned(), 1.5e6), ("WS".to_owned(), 4.0e5)]);
//! let svg = pacific_map(
//!     &MapOptions {
//!         legend_title: "Disbursed 2023",
//!         unit: "USD",
//!         link: Link::Template("/countries/{iso2}"),
//!         ..MapOptions::default()
//!     },
//!     &values,
//! );
//! assert!(svg.starts_with("<svg") && svg.contains(r#"href="/countries/FJ""#));
//! ```

mod chart;
mod error;
mod escape;
mod format;
mod geo;
mod map;
mod palette;
mod project;
mod table;

pub use chart::{Bar, BarChart, ColumnChart, bar_chart, column_chart, sparkline};
pub use error::RenderError;
pub use escape::escape;
pub use format::{format_compact, format_compact_unit, format_full, format_thousands};
pub use geo::{Country, Role, countries};
pub use map::{
    CountryMapOptions, Link, MARKER_AREA, MapOptions, MapPoint, PACIFIC_WIDTH, country_bbox_map,
    pacific_map, pacific_xy,
};
pub use palette::{
    ColourScale, LegendClass, LegendOptions, NO_DATA_COLOUR, PALETTE, ScaleKind, class_label,
    heat_colour, heat_text_colour, legend,
};
pub use table::{data_table, map_table};
