//! The one error type of this crate.
//!
//! Rendering itself never fails on odd *values* (NaN, infinities, negative numbers and hostile
//! labels are drawn as "no data" or escaped); errors are reserved for things the caller or the
//! build can fix: an unknown country code, or bundled geodata that does not parse.

/// Why a render could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// A bundled GeoJSON file did not parse. This is a build defect: the file under
    /// `data/geo/` was changed into something that is not the expected GeoJSON shape.
    #[error(
        "bundled geodata `{file}` is not valid GeoJSON at line {line}, column {column}: {message}; \
         restore the file from data/geo (see data/geo/SOURCES.md)"
    )]
    GeoData {
        /// File name under `data/geo/`.
        file: &'static str,
        /// 1-based line of the parse error.
        line: usize,
        /// 1-based column of the parse error.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The country code is not one of the features in `pacific-countries.geojson`.
    #[error(
        "`{iso2}` is not a country in the bundled Pacific map (pacific-countries.geojson); \
         use an ISO 3166-1 alpha-2 code such as `FJ`, `WS` or `PG`"
    )]
    UnknownCountry {
        /// The code the caller passed.
        iso2: String,
    },
}
