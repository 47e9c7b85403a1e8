//! Server-side SVG: the Pacific map and accessible charts.
