//! Accessible charts: horizontal bars, yearly columns and sparklines.
//!
//! Every chart is an `<svg role="img">` with a `<title>` and a generated `<desc>` that states
//! the extremes in words, each bar or column carries its own `<title>` with the exact figure,
//! and every chart type can also give the same data as an HTML table
//! ([`BarChart::table`], [`ColumnChart::table`]) to sit behind it. Geometry is computed
//! in a fixed viewBox and the SVG scales to its container. This module must not decide colours
//! beyond the shared palette, nor read data from anywhere.

use std::fmt::Write as _;

use crate::escape::{escape, id_fragment};
use crate::format::{format_compact, format_compact_unit, format_full};
use crate::palette::{FONT, PALETTE, nice_ceil};
use crate::project::fmt1;
use crate::table::data_table;

const BAR_FILL: &str = PALETTE[4];
const NEGATIVE_FILL: &str = "#d95f0e";
const INK: &str = "#27313b";
const SUBTLE_INK: &str = "#5d6873";
const GRID: &str = "#e3e8ed";
const AXIS: &str = "#8d99a6";
/// Average glyph advance of the sans-serif stack at 12 px, for layout estimates.
const CHAR_W: f64 = 6.6;

/// One bar or column: a label, a value and an optional link.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Category label (country, partner, year).
    pub label: String,
    /// The value; non-finite values are drawn as "n/a" without a bar.
    pub value: f64,
    /// Where the bar links to (e.g. the country page).
    pub href: Option<String>,
}

impl Bar {
    /// A bar without a link.
    pub fn new(label: impl Into<String>, value: f64) -> Self {
        Self {
            label: label.into(),
            value,
            href: None,
        }
    }

    /// The same bar linking to `href`.
    #[must_use]
    pub fn with_href(mut self, href: impl Into<String>) -> Self {
        self.href = Some(href.into());
        self
    }
}

/// A horizontal bar chart, one row per bar in the given order.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Prefix of the element ids, unique on the page.
    pub id: String,
    /// The accessible name and the table caption.
    pub title: String,
    /// The `<desc>`; when `None` a summary of the data is written.
    pub description: Option<String>,
    /// Unit or ISO 4217 currency of the values.
    pub unit: String,
    /// The bars, drawn top to bottom.
    pub bars: Vec<Bar>,
    /// Width of the viewBox (default 640).
    pub width: f64,
}

impl Default for BarChart {
    fn default() -> Self {
        Self {
            id: "bars".to_owned(),
            title: String::new(),
            description: None,
            unit: String::new(),
            bars: Vec::new(),
            width: 640.0,
        }
    }
}

impl BarChart {
    /// The same data as an HTML table (label, value in full), headed by `headers`
    /// (e.g. `["Country", "Disbursed (USD)"]`).
    pub fn table(&self, headers: [&str; 2]) -> String {
        let rows: Vec<[String; 2]> = self
            .bars
            .iter()
            .map(|b| [b.label.clone(), format_full(b.value, &self.unit)])
            .collect();
        data_table(&self.title, &headers, &rows)
    }
}

/// A vertical column chart for values over time (e.g. disbursements by year).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnChart {
    /// Prefix of the element ids, unique on the page.
    pub id: String,
    /// The accessible name and the table caption.
    pub title: String,
    /// The `<desc>`; when `None` a summary of the data is written.
    pub description: Option<String>,
    /// Unit or ISO 4217 currency of the values (shown above the axis).
    pub unit: String,
    /// The columns, left to right (labels are usually years).
    pub columns: Vec<Bar>,
    /// Width of the viewBox (default 640).
    pub width: f64,
    /// Height of the viewBox (default 240).
    pub height: f64,
}

impl Default for ColumnChart {
    fn default() -> Self {
        Self {
            id: "columns".to_owned(),
            title: String::new(),
            description: None,
            unit: String::new(),
            columns: Vec::new(),
            width: 640.0,
            height: 240.0,
        }
    }
}

impl ColumnChart {
    /// The same data as an HTML table, headed by `headers` (e.g. `["Year", "USD"]`).
    pub fn table(&self, headers: [&str; 2]) -> String {
        let rows: Vec<[String; 2]> = self
            .columns
            .iter()
            .map(|b| [b.label.clone(), format_full(b.value, &self.unit)])
            .collect();
        data_table(&self.title, &headers, &rows)
    }
}

fn svg_open(out: &mut String, id: &str, w: f64, h: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" font-family="{FONT}" font-size="12"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        fmt1(w),
        fmt1(h),
        escape(title),
        escape(desc)
    );
}

fn sane_width(w: f64, default: f64) -> f64 {
    if w.is_finite() && w > 0.0 {
        w.clamp(160.0, 4000.0)
    } else {
        default
    }
}

/// Cuts `s` to at most `max` characters, ending in `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// Value domain including zero, never empty.
fn domain(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi - lo <= 0.0 || !(hi - lo).is_finite() {
        // All zero, or a span too wide for f64: fall back to something drawable.
        if !(hi - lo).is_finite() {
            return (lo.max(-f64::MAX / 4.0), hi.min(f64::MAX / 4.0));
        }
        hi = lo + 1.0;
    }
    (lo, hi)
}

fn describe(kind: &str, items: &[Bar], unit: &str) -> String {
    let finite: Vec<&Bar> = items.iter().filter(|b| b.value.is_finite()).collect();
    let mut d = format!("{kind} with {} items.", items.len());
    let max = finite.iter().max_by(|a, b| a.value.total_cmp(&b.value));
    let min = finite.iter().min_by(|a, b| a.value.total_cmp(&b.value));
    if let (Some(max), Some(min)) = (max, min) {
        let _ = write!(
            d,
            " Highest: {} ({}). Lowest: {} ({}).",
            max.label,
            format_compact_unit(max.value, unit),
            min.label,
            format_compact_unit(min.value, unit)
        );
    }
    let missing = items.len() - finite.len();
    if missing > 0 {
        let _ = write!(d, " {missing} without a value.");
    }
    d
}

/// Renders a horizontal bar chart with the label left of each bar and the compact value
/// (`USD 1.2 M`) right of it; each row's tooltip has the full figure. Negative values extend
/// left of a zero line in orange; non-finite values show `n/a` without a bar.
pub fn bar_chart(chart: &BarChart) -> String {
    const ROW: f64 = 26.0;
    const BAR_H: f64 = 16.0;
    const PAD: f64 = 8.0;
    let id = id_fragment(if chart.id.is_empty() {
        "bars"
    } else {
        &chart.id
    });
    let w = sane_width(chart.width, 640.0);
    let desc = chart
        .description
        .clone()
        .unwrap_or_else(|| describe("Horizontal bar chart", &chart.bars, &chart.unit));
    let mut out = String::with_capacity(512 + chart.bars.len() * 300);
    if chart.bars.is_empty() {
        let h = 40.0;
        svg_open(&mut out, &id, w, h, &chart.title, &desc);
        let _ = write!(
            out,
            r#"<text x="{}" y="24" text-anchor="middle" fill="{SUBTLE_INK}">No data</text></svg>"#,
            fmt1(w / 2.0)
        );
        return out;
    }
    let h = chart.bars.len() as f64 * ROW + 2.0 * PAD;
    svg_open(&mut out, &id, w, h, &chart.title, &desc);

    let value_texts: Vec<String> = chart
        .bars
        .iter()
        .map(|b| format_compact_unit(b.value, &chart.unit))
        .collect();
    let longest_label = chart
        .bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let label_w = (longest_label as f64 * CHAR_W + 10.0).clamp(40.0, w * 0.35);
    let max_chars = ((label_w - 10.0) / CHAR_W).floor().max(3.0) as usize;
    let value_w = value_texts
        .iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(0) as f64
        * CHAR_W
        + 10.0;
    let x0 = label_w;
    let plot_w = (w - label_w - value_w - PAD).max(20.0);
    let (lo, hi) = domain(chart.bars.iter().map(|b| b.value));
    let sx = |v: f64| x0 + (v - lo) / (hi - lo) * plot_w;
    let zero = sx(0.0);

    for (i, (bar, vt)) in chart.bars.iter().zip(&value_texts).enumerate() {
        let y = PAD + i as f64 * ROW;
        let tip = format!("{}: {}", bar.label, format_full(bar.value, &chart.unit));
        match &bar.href {
            Some(href) => {
                let _ = write!(out, r#"<a href="{}">"#, escape(href));
            }
            None => out.push_str("<g>"),
        }
        let _ = write!(
            out,
            r#"<title>{}</title><text x="{}" y="{}" text-anchor="end" fill="{INK}">{}</text>"#,
            escape(&tip),
            fmt1(x0 - 8.0),
            fmt1(y + 17.0),
            escape(&truncate(&bar.label, max_chars))
        );
        let mut text_x = zero + 4.0;
        if bar.value.is_finite() {
            let xv = sx(bar.value).clamp(x0, x0 + plot_w);
            let (left, right) = (zero.min(xv), zero.max(xv));
            let fill = if bar.value < 0.0 {
                NEGATIVE_FILL
            } else {
                BAR_FILL
            };
            // A non-zero value gets at least a sliver so it is not mistaken for zero.
            let bw = if bar.value != 0.0 {
                (right - left).max(1.0)
            } else {
                0.0
            };
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{BAR_H}" rx="2" fill="{fill}"/>"#,
                fmt1(if bar.value < 0.0 { zero - bw } else { left }),
                fmt1(y + 5.0),
                fmt1(bw)
            );
            if bar.value > 0.0 {
                text_x = zero + bw + 5.0;
            }
        }
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" fill="{SUBTLE_INK}">{}</text>"#,
            fmt1(text_x),
            fmt1(y + 17.0),
            escape(vt)
        );
        out.push_str(if bar.href.is_some() { "</a>" } else { "</g>" });
    }
    let _ = write!(
        out,
        r#"<path d="M{} {}V{}" stroke="{AXIS}" stroke-width="1" aria-hidden="true"/></svg>"#,
        fmt1(zero),
        fmt1(PAD),
        fmt1(h - PAD)
    );
    out
}

/// Evenly spaced "nice" ticks covering `lo..hi` (both included in the range of the ticks).
fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let step = nice_ceil((hi - lo) / target.max(1) as f64);
    let start = (lo / step).floor() * step;
    let end = (hi / step).ceil() * step;
    let n = (((end - start) / step).round() as usize).min(20);
    (0..=n).map(|i| start + step * i as f64).collect()
}

/// Renders a vertical column chart (e.g. disbursements by year) with a light grid, compact
/// axis labels, the unit above the axis and exact figures in each column's tooltip. Up to
/// twelve columns also get their compact value printed above them.
pub fn column_chart(chart: &ColumnChart) -> String {
    let id = id_fragment(if chart.id.is_empty() {
        "columns"
    } else {
        &chart.id
    });
    let w = sane_width(chart.width, 640.0);
    let h = if chart.height.is_finite() {
        chart.height.clamp(80.0, 2000.0)
    } else {
        240.0
    };
    let desc = chart
        .description
        .clone()
        .unwrap_or_else(|| describe("Column chart", &chart.columns, &chart.unit));
    let mut out = String::with_capacity(1024 + chart.columns.len() * 200);
    svg_open(&mut out, &id, w, h, &chart.title, &desc);
    if chart.columns.is_empty() {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{SUBTLE_INK}">No data</text></svg>"#,
            fmt1(w / 2.0),
            fmt1(h / 2.0)
        );
        return out;
    }
    let (lo, hi) = domain(chart.columns.iter().map(|b| b.value));
    let ticks = ticks(lo, hi, 4);
    let (t0, t1) = (
        ticks.first().copied().unwrap_or(lo),
        ticks.last().copied().unwrap_or(hi),
    );
    let tick_texts: Vec<String> = ticks.iter().map(|t| format_compact(*t)).collect();
    let left = tick_texts
        .iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(1) as f64
        * CHAR_W
        + 12.0;
    let (top, bottom, right) = (22.0, 22.0, 8.0);
    let plot_w = (w - left - right).max(20.0);
    let plot_h = (h - top - bottom).max(20.0);
    let span = if t1 > t0 { t1 - t0 } else { 1.0 };
    let sy = |v: f64| top + (t1 - v) / span * plot_h;

    // Grid and axis labels.
    let mut grid = String::new();
    for (t, text) in ticks.iter().zip(&tick_texts) {
        let y = sy(*t);
        let _ = write!(grid, "M{} {}H{}", fmt1(left), fmt1(y), fmt1(left + plot_w));
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end" fill="{SUBTLE_INK}" font-size="11" aria-hidden="true">{}</text>"#,
            fmt1(left - 6.0),
            fmt1(y + 4.0),
            escape(text)
        );
    }
    let _ = write!(
        out,
        r#"<path d="{grid}" stroke="{GRID}" stroke-width="1" aria-hidden="true"/>"#
    );
    if !chart.unit.trim().is_empty() {
        let _ = write!(
            out,
            r#"<text x="{}" y="12" text-anchor="end" fill="{SUBTLE_INK}" font-size="11" aria-hidden="true">{}</text>"#,
            fmt1(left - 6.0),
            escape(chart.unit.trim())
        );
    }

    let n = chart.columns.len();
    let band = plot_w / n as f64;
    let col_w = (band * 0.7).min(56.0);
    let longest = chart
        .columns
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(1) as f64;
    // Label every k-th column so the labels never overlap.
    let every = ((longest * CHAR_W + 6.0) / band).ceil().max(1.0) as usize;
    let show_values = n <= 12 && band >= 40.0;
    let zero = sy(0.0);
    for (i, col) in chart.columns.iter().enumerate() {
        let cx = left + band * (i as f64 + 0.5);
        let tip = format!("{}: {}", col.label, format_full(col.value, &chart.unit));
        match &col.href {
            Some(href) => {
                let _ = write!(out, r#"<a href="{}">"#, escape(href));
            }
            None => out.push_str("<g>"),
        }
        let _ = write!(out, "<title>{}</title>", escape(&tip));
        if col.value.is_finite() {
            let yv = sy(col.value).clamp(top, top + plot_h);
            let (y, ch) = (zero.min(yv), (zero - yv).abs());
            let ch = if col.value != 0.0 { ch.max(1.0) } else { 0.0 };
            let fill = if col.value < 0.0 {
                NEGATIVE_FILL
            } else {
                BAR_FILL
            };
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"/>"#,
                fmt1(cx - col_w / 2.0),
                fmt1(if col.value < 0.0 { zero } else { zero - ch }),
                fmt1(col_w),
                fmt1(ch)
            );
            if show_values {
                let ty = if col.value < 0.0 {
                    y + ch + 12.0
                } else {
                    y - 4.0
                };
                let _ = write!(
                    out,
                    r#"<text x="{}" y="{}" text-anchor="middle" fill="{INK}" font-size="11">{}</text>"#,
                    fmt1(cx),
                    fmt1(ty),
                    escape(&format_compact(col.value))
                );
            }
        }
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<text x="{}" y="{}" text-anchor="middle" fill="{INK}">{}</text>"#,
                fmt1(cx),
                fmt1(h - 6.0),
                escape(&col.label)
            );
        }
        out.push_str(if col.href.is_some() { "</a>" } else { "</g>" });
    }
    let _ = write!(
        out,
        r#"<path d="M{} {}H{}" stroke="{AXIS}" stroke-width="1" aria-hidden="true"/></svg>"#,
        fmt1(left),
        fmt1(zero),
        fmt1(left + plot_w)
    );
    out
}

/// Renders a tiny line chart (120 × 28) for a table cell or a summary card: a line through the
/// finite values, broken at non-finite ones, with the last value dotted. `title` is the
/// accessible name, e.g. "Disbursements 2015–2024"; the description states first, last and
/// highest value.
pub fn sparkline(title: &str, values: &[f64]) -> String {
    const W: f64 = 120.0;
    const H: f64 = 28.0;
    const PAD: f64 = 3.0;
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let desc = match (finite.first(), finite.last()) {
        (Some(first), Some(last)) => {
            let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!(
                "{} values, from {} to {}, highest {}.",
                values.len(),
                format_compact(*first),
                format_compact(*last),
                format_compact(max)
            )
        }
        _ => "No data.".to_owned(),
    };
    let mut out = String::with_capacity(256 + values.len() * 12);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img"><title>{}</title><desc>{}</desc>"#,
        escape(title),
        escape(&desc)
    );
    let (lo, hi) = {
        let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if finite.is_empty() {
            (0.0, 1.0)
        } else if hi - lo > 0.0 && (hi - lo).is_finite() {
            (lo, hi)
        } else {
            (lo - 1.0, lo + 1.0)
        }
    };
    let step = if values.len() > 1 {
        (W - 2.0 * PAD) / (values.len() - 1) as f64
    } else {
        0.0
    };
    let at = |i: usize, v: f64| {
        let x = if values.len() > 1 {
            PAD + step * i as f64
        } else {
            W / 2.0
        };
        let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
        (x, H - PAD - t * (H - 2.0 * PAD))
    };
    let mut d = String::new();
    let mut pen_down = false;
    let mut last = None;
    for (i, v) in values.iter().enumerate() {
        if !v.is_finite() {
            pen_down = false;
            continue;
        }
        let (x, y) = at(i, *v);
        let _ = write!(
            d,
            "{}{} {}",
            if pen_down { "L" } else { "M" },
            fmt1(x),
            fmt1(y)
        );
        pen_down = true;
        last = Some((x, y));
    }
    if !d.is_empty() {
        let _ = write!(
            out,
            r#"<path d="{d}" fill="none" stroke="{BAR_FILL}" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>"#
        );
    }
    if let Some((x, y)) = last {
        let _ = write!(
            out,
            r#"<circle cx="{}" cy="{}" r="2.2" fill="{}"/>"#,
            fmt1(x),
            fmt1(y),
            PALETTE[5]
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_cover_the_domain() {
        assert_eq!(ticks(0.0, 95.0, 4), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        let t = ticks(-30.0, 70.0, 4);
        assert!(t[0] <= -30.0 && *t.last().unwrap() >= 70.0, "{t:?}");
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("Papua New Guinea", 8), "Papua N…");
        assert_eq!(truncate("Fiji", 8), "Fiji");
    }

    #[test]
    fn domain_always_includes_zero_and_is_not_empty() {
        assert_eq!(domain([5.0, 10.0].into_iter()), (0.0, 10.0));
        assert_eq!(domain([-5.0, f64::NAN].into_iter()), (-5.0, 0.0));
        assert_eq!(domain([0.0].into_iter()), (0.0, 1.0));
        let (lo, hi) = domain([f64::MAX, -f64::MAX].into_iter());
        assert!((hi - lo).is_finite());
    }
}
