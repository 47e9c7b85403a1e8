//! The shared sequential palette, value classes and legends.
//!
//! One palette serves the map, the heat-map table cells of the coverage matrix and the legends,
//! so a colour means the same thing on every page. The palette is ColorBrewer's *YlGnBu*
//! (sequential, marked colour-blind safe and print friendly by ColorBrewer), six classes, light
//! = low. [`ColourScale`] decides which class a value falls in; it never draws anything itself
//! except through [`legend`]. This module must not know about countries or geometry.

use std::fmt::Write as _;

use crate::escape::{escape, id_fragment};
use crate::format::format_compact_unit;

/// The six classes, lightest (lowest values) first.
pub const PALETTE: [&str; 6] = [
    "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8",
];

/// Fill for "no value" (a country without data, a non-finite number).
pub const NO_DATA_COLOUR: &str = "#d0d3d6";

/// Text colour that stays readable (WCAG AA) on each [`PALETTE`] class.
const TEXT_ON: [&str; 6] = [
    "#1b1f23", "#1b1f23", "#1b1f23", "#1b1f23", "#ffffff", "#ffffff",
];

/// How [`ColourScale::from_values`] places the class breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScaleKind {
    /// Breaks at rounded quantiles: every class gets about the same number of countries.
    /// The default, because aid volumes are very skewed (one large country, many small ones).
    #[default]
    Quantile,
    /// Equal-width classes from zero to the maximum, on a rounded step.
    Linear,
    /// Equal-ratio classes between the smallest positive value and the maximum.
    Log,
}

/// Class breaks for a set of values, mapping each value to a [`PALETTE`] colour.
///
/// Class `i` holds values `v` with `thresholds[i-1] < v <= thresholds[i]`; values at or below
/// the first threshold are in the lowest class, values above the last in the highest.
/// Non-finite values have no class and get [`NO_DATA_COLOUR`].
#[derive(Debug, Clone, PartialEq)]
pub struct ColourScale {
    thresholds: Vec<f64>,
}

/// One row of a legend: a colour and the value range it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendClass {
    /// Fill colour of the class.
    pub colour: &'static str,
    /// Exclusive lower bound (`None` for the lowest class).
    pub lower: Option<f64>,
    /// Inclusive upper bound (`None` for the highest class).
    pub upper: Option<f64>,
}

impl ColourScale {
    /// Six equal classes from 0 to `max` (breaks rounded to two significant figures), so
    /// `max` itself is in the darkest class.
    ///
    /// A non-finite or non-positive `max` gives a single class.
    pub fn linear(max: f64) -> Self {
        if !max.is_finite() || max <= 0.0 {
            return Self {
                thresholds: Vec::new(),
            };
        }
        let n = PALETTE.len() as f64;
        let mut thresholds: Vec<f64> = Vec::with_capacity(PALETTE.len() - 1);
        for i in 1..PALETTE.len() {
            let t = round_significant(max * i as f64 / n, 2);
            if thresholds.last().is_none_or(|last| t > *last) {
                thresholds.push(t);
            }
        }
        Self { thresholds }
    }

    /// Classes for `values` (non-finite values are ignored) placed according to `kind`.
    ///
    /// Breaks are rounded to two significant figures so the legend reads well; breaks that
    /// coincide are merged, so a few distinct values give fewer classes.
    pub fn from_values(kind: ScaleKind, values: impl IntoIterator<Item = f64>) -> Self {
        let mut finite: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        finite.sort_by(f64::total_cmp);
        let (Some(&min), Some(&max)) = (finite.first(), finite.last()) else {
            return Self {
                thresholds: Vec::new(),
            };
        };
        let n = PALETTE.len();
        let raw: Vec<f64> = match kind {
            ScaleKind::Linear => return Self::linear(max),
            ScaleKind::Quantile => (1..n)
                .map(|i| {
                    let idx = (i * finite.len()).div_ceil(n).saturating_sub(1);
                    finite[idx.min(finite.len() - 1)]
                })
                .collect(),
            ScaleKind::Log => {
                let lo = finite.iter().copied().find(|v| *v > 0.0);
                match lo {
                    Some(lo) if max > lo => {
                        let (l0, l1) = (lo.log10(), max.log10());
                        (1..n)
                            .map(|i| 10f64.powf(l0 + (l1 - l0) * i as f64 / n as f64))
                            .collect()
                    }
                    _ => Vec::new(),
                }
            }
        };
        let mut thresholds: Vec<f64> = Vec::with_capacity(raw.len());
        for t in raw {
            let t = round_significant(t, 2);
            // A break at or above the maximum would leave the top class empty.
            if t >= max && min < max {
                continue;
            }
            if thresholds.last().is_none_or(|last| t > *last) {
                thresholds.push(t);
            }
        }
        if min >= max {
            thresholds.clear();
        }
        Self { thresholds }
    }

    /// The class breaks, ascending.
    pub fn thresholds(&self) -> &[f64] {
        &self.thresholds
    }

    /// Number of classes (1 to 6).
    pub fn len(&self) -> usize {
        self.thresholds.len() + 1
    }

    /// Always false: a scale has at least one class.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The class index of `v` (0 = lowest), or `None` for a non-finite value.
    pub fn class_of(&self, v: f64) -> Option<usize> {
        if !v.is_finite() {
            return None;
        }
        Some(self.thresholds.iter().take_while(|t| **t < v).count())
    }

    /// The fill colour for `v`: the class colour, or [`NO_DATA_COLOUR`] if `v` is not finite.
    pub fn colour(&self, v: f64) -> &'static str {
        self.class_of(v)
            .map_or(NO_DATA_COLOUR, |c| self.class_colour(c))
    }

    /// A readable text colour for a cell filled with [`Self::colour`]`(v)`.
    pub fn text_colour(&self, v: f64) -> &'static str {
        self.class_of(v)
            .map_or(TEXT_ON[0], |c| TEXT_ON[self.palette_index(c)])
    }

    /// The classes in ascending order, for legends and tables.
    pub fn classes(&self) -> Vec<LegendClass> {
        (0..self.len())
            .map(|i| LegendClass {
                colour: self.class_colour(i),
                lower: i.checked_sub(1).map(|j| self.thresholds[j]),
                upper: self.thresholds.get(i).copied(),
            })
            .collect()
    }

    fn class_colour(&self, class: usize) -> &'static str {
        PALETTE[self.palette_index(class)]
    }

    /// Spreads fewer than six classes over the whole palette so they stay distinguishable.
    fn palette_index(&self, class: usize) -> usize {
        let k = self.len();
        let last = PALETTE.len() - 1;
        if k <= 1 {
            return 3;
        }
        let class = class.min(k - 1);
        (class * last + (k - 1) / 2) / (k - 1)
    }
}

/// The [`PALETTE`] colour for `value` on a linear scale from 0 to `max`
/// (the same classes as [`ColourScale::linear`]); [`NO_DATA_COLOUR`] for a non-finite value.
///
/// Use it to shade heat-map table cells, with [`heat_text_colour`] for the text on them.
///
/// ```
/// use vaka_render::{heat_colour, PALETTE, NO_DATA_COLOUR};
/// assert_eq!(heat_colour(0.0, 100.0), PALETTE[0]);
/// assert_eq!(heat_colour(100.0, 100.0), PALETTE[5]);
/// assert_eq!(heat_colour(f64::NAN, 100.0), NO_DATA_COLOUR);
/// ```
pub fn heat_colour(value: f64, max: f64) -> &'static str {
    ColourScale::linear(max).colour(value)
}

/// A readable text colour on a cell filled with [`heat_colour`]`(value, max)`.
pub fn heat_text_colour(value: f64, max: f64) -> &'static str {
    ColourScale::linear(max).text_colour(value)
}

/// Text for one legend row, e.g. `≤ 5 M`, `5 M – 20 M`, `> 50 M`.
pub fn class_label(class: &LegendClass, unit: &str) -> String {
    match (class.lower, class.upper) {
        (None, None) => "all values".to_owned(),
        (None, Some(u)) => format!("≤ {}", format_compact_unit(u, unit)),
        (Some(l), None) => format!("> {}", format_compact_unit(l, unit)),
        (Some(l), Some(u)) => format!(
            "{} – {}",
            format_compact_unit(l, unit),
            format_compact_unit(u, unit)
        ),
    }
}

/// Options for [`legend`].
#[derive(Debug, Clone, Default)]
pub struct LegendOptions<'a> {
    /// Heading of the legend, e.g. "Disbursements 2023".
    pub title: &'a str,
    /// Unit of the values (see [`crate::format_full`] for how it is placed).
    pub unit: &'a str,
    /// Add a grey "No data" row.
    pub show_no_data: bool,
    /// Prefix for the element ids, unique on the page (default `legend`).
    pub id: &'a str,
}

/// A standalone legend as a small `<svg>` (for the heat-map table or a map drawn elsewhere).
pub fn legend(scale: &ColourScale, opts: &LegendOptions<'_>) -> String {
    let rows = scale.len() + usize::from(opts.show_no_data);
    let height = legend_height(rows, !opts.title.is_empty());
    let id = id_fragment(if opts.id.is_empty() {
        "legend"
    } else {
        opts.id
    });
    let width = legend_width(scale, opts) + 8.0;
    let mut out = String::with_capacity(1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-labelledby="{id}-t" font-family="{FONT}"><title id="{id}-t">{}</title>"#,
        escape(&legend_summary(scale, opts)),
    );
    legend_group(&mut out, 4.0, 4.0, scale, opts);
    out.push_str("</svg>");
    out
}

pub(crate) const FONT: &str =
    "system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

const ROW: f64 = 18.0;

pub(crate) fn legend_height(rows: usize, has_title: bool) -> f64 {
    rows as f64 * ROW + if has_title { 20.0 } else { 0.0 } + 4.0
}

pub(crate) fn legend_width(scale: &ColourScale, opts: &LegendOptions<'_>) -> f64 {
    let longest = scale
        .classes()
        .iter()
        .map(|c| class_label(c, opts.unit).chars().count())
        .chain(std::iter::once(if opts.show_no_data { 7 } else { 0 }))
        .max()
        .unwrap_or(0);
    let rows = 22.0 + longest as f64 * 6.4;
    let title = opts.title.chars().count() as f64 * 7.0;
    rows.max(title)
}

/// A one-line text version of the legend, for `<title>`/`<desc>`.
pub(crate) fn legend_summary(scale: &ColourScale, opts: &LegendOptions<'_>) -> String {
    let classes: Vec<String> = scale
        .classes()
        .iter()
        .map(|c| class_label(c, opts.unit))
        .collect();
    let head = if opts.title.is_empty() {
        "Legend".to_owned()
    } else {
        format!("Legend: {}", opts.title)
    };
    format!(
        "{head}. Classes from light to dark: {}.",
        classes.join("; ")
    )
}

/// Writes the legend as a `<g>` with its top-left corner at (`x`, `y`).
pub(crate) fn legend_group(
    out: &mut String,
    x: f64,
    y: f64,
    scale: &ColourScale,
    opts: &LegendOptions<'_>,
) {
    let _ = write!(
        out,
        r##"<g transform="translate({x:.0} {y:.0})" font-size="11" fill="#3c4650" aria-hidden="true">"##
    );
    let mut row_y = 0.0;
    if !opts.title.is_empty() {
        let _ = write!(
            out,
            r#"<text y="11" font-weight="600" font-size="12">{}</text>"#,
            escape(opts.title)
        );
        row_y = 20.0;
    }
    let classes = scale.classes();
    // Highest class first, as on most printed choropleth legends.
    for class in classes.iter().rev() {
        let _ = write!(
            out,
            r##"<rect y="{row_y:.0}" width="14" height="14" fill="{}" stroke="#8a949e" stroke-width=".5"/><text x="20" y="{:.0}">{}</text>"##,
            class.colour,
            row_y + 11.0,
            escape(&class_label(class, opts.unit)),
        );
        row_y += ROW;
    }
    if opts.show_no_data {
        let _ = write!(
            out,
            r##"<rect y="{row_y:.0}" width="14" height="14" fill="{NO_DATA_COLOUR}" stroke="#8a949e" stroke-width=".5"/><text x="20" y="{:.0}">No data</text>"##,
            row_y + 11.0,
        );
    }
    out.push_str("</g>");
}

/// Smallest of 1, 2, 2.5, 5 × 10ⁿ that is ≥ `x` (for `x > 0`).
pub(crate) fn nice_ceil(x: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return 1.0;
    }
    let exp = x.log10().floor();
    let base = 10f64.powf(exp);
    let f = x / base;
    let nice = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|n| f <= *n * (1.0 + 1e-9))
        .unwrap_or(10.0);
    nice * base
}

fn round_significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let exp = x.abs().log10().floor() as i32 - (digits - 1);
    // Multiply or divide by an exact power of ten so 1e6 stays exactly 1e6.
    if exp >= 0 {
        let f = 10f64.powi(exp);
        (x / f).round() * f
    } else {
        let f = 10f64.powi(-exp);
        (x * f).round() / f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_scale_puts_the_maximum_in_the_top_class() {
        let s = ColourScale::linear(100.0);
        assert_eq!(s.thresholds(), &[17.0, 33.0, 50.0, 67.0, 83.0]);
        assert_eq!(s.class_of(0.0), Some(0));
        assert_eq!(s.class_of(17.0), Some(0));
        assert_eq!(s.class_of(17.1), Some(1));
        assert_eq!(s.class_of(83.0), Some(4));
        assert_eq!(s.class_of(100.0), Some(5));
        assert_eq!(s.class_of(1e9), Some(5));
        assert_eq!(s.class_of(-5.0), Some(0));
    }

    #[test]
    fn heat_colour_extremes() {
        assert_eq!(heat_colour(1.0, 1.0), PALETTE[5]);
        assert_eq!(heat_colour(0.5, 1.0), PALETTE[2]);
        assert_eq!(heat_colour(1.5, 1.0), PALETTE[5]);
        assert_eq!(
            heat_colour(5.0, 0.0),
            PALETTE[3],
            "single class when max is 0"
        );
        assert_eq!(heat_colour(f64::INFINITY, 10.0), NO_DATA_COLOUR);
        assert_eq!(heat_text_colour(10.0, 10.0), "#ffffff");
        assert_eq!(heat_text_colour(0.0, 10.0), "#1b1f23");
    }

    #[test]
    fn quantile_scale_splits_skewed_values() {
        let values = [
            1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 400.0, 900.0, 12_000.0, 1e6, 2e6, 5e7,
        ];
        let s = ColourScale::from_values(ScaleKind::Quantile, values);
        assert_eq!(s.len(), 6);
        let classes: Vec<usize> = values.iter().map(|v| s.class_of(*v).unwrap()).collect();
        assert_eq!(classes, vec![0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    }

    #[test]
    fn equal_values_give_one_class() {
        let s = ColourScale::from_values(ScaleKind::Quantile, [7.0, 7.0, 7.0]);
        assert_eq!(s.len(), 1);
        let s = ColourScale::from_values(ScaleKind::Log, [f64::NAN]);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn log_scale_breaks_are_rising_ratios() {
        let s = ColourScale::from_values(ScaleKind::Log, [1.0, 1e6]);
        assert_eq!(s.thresholds(), &[10.0, 100.0, 1000.0, 10_000.0, 100_000.0]);
    }

    #[test]
    fn fewer_classes_spread_over_the_palette() {
        let s = ColourScale::from_values(ScaleKind::Quantile, [1.0, 2.0]);
        assert_eq!(s.len(), 2);
        assert_eq!(s.colour(1.0), PALETTE[0]);
        assert_eq!(s.colour(2.0), PALETTE[5]);
    }

    #[test]
    fn labels_read_as_ranges() {
        let s = ColourScale::linear(6e6);
        let labels: Vec<String> = s.classes().iter().map(|c| class_label(c, "USD")).collect();
        assert_eq!(labels[0], "≤ USD 1 M");
        assert_eq!(labels[1], "USD 1 M – USD 2 M");
        assert_eq!(labels[5], "> USD 5 M");
    }

    #[test]
    fn significant_rounding_is_exact_on_powers_of_ten() {
        assert_eq!(round_significant(1e6, 2), 1e6);
        assert_eq!(round_significant(123_456.0, 2), 120_000.0);
        assert_eq!(round_significant(0.012_34, 2), 0.012);
        assert_eq!(round_significant(-987.0, 2), -990.0);
    }

    #[test]
    fn nice_ceil_steps() {
        assert_eq!(nice_ceil(0.7), 1.0);
        assert_eq!(nice_ceil(1.0), 1.0);
        assert_eq!(nice_ceil(1.2), 2.0);
        assert_eq!(nice_ceil(2.2), 2.5);
        assert_eq!(nice_ceil(2.6), 5.0);
        assert_eq!(nice_ceil(16.7), 20.0);
        assert_eq!(nice_ceil(5001.0), 10_000.0);
    }
}
