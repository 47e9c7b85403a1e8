//! HTML data tables that sit behind the charts and the map.
//!
//! A chart is an image to a screen reader; the table is the same data in a form that can be
//! read cell by cell, copied and printed. The first column is a row header (`<th scope="row">`)
//! and cells that hold a number get `class="num"` so the page's stylesheet can right-align
//! them. Everything is escaped here; this module must not format numbers or add styling.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::escape::escape;
use crate::format::format_full;
use crate::geo::{Role, geo};

/// An escaped HTML `<table>` with a `<caption>`, a header row and body rows.
///
/// Rows may be shorter or longer than `headers`; they are written as given.
///
/// ```
/// let html = vaka_render::data_table("Top partners", &["Partner", "USD"], &[["Japan", "1,200"]]);
/// assert!(html.starts_with("<table><caption>Top partners</caption>"));
/// assert!(html.contains(r#"<th scope="row">Japan</th><td class="num">1,200</td>"#));
/// ```
pub fn data_table<H, R, C>(caption: &str, headers: &[H], rows: &[R]) -> String
where
    H: AsRef<str>,
    R: AsRef<[C]>,
    C: AsRef<str>,
{
    let mut out = String::with_capacity(128 + rows.len() * 64);
    out.push_str("<table>");
    if !caption.is_empty() {
        let _ = write!(out, "<caption>{}</caption>", escape(caption));
    }
    if !headers.is_empty() {
        out.push_str("<thead><tr>");
        for (i, h) in headers.iter().enumerate() {
            let class = if i > 0 && rows.iter().all(|r| column_is_numeric(r.as_ref(), i)) {
                r#" class="num""#
            } else {
                ""
            };
            let _ = write!(out, r#"<th scope="col"{class}>{}</th>"#, escape(h.as_ref()));
        }
        out.push_str("</tr></thead>");
    }
    out.push_str("<tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.as_ref().iter().enumerate() {
            let cell = cell.as_ref();
            if i == 0 {
                let _ = write!(out, r#"<th scope="row">{}</th>"#, escape(cell));
            } else if looks_numeric(cell) {
                let _ = write!(out, r#"<td class="num">{}</td>"#, escape(cell));
            } else {
                let _ = write!(out, "<td>{}</td>", escape(cell));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

fn column_is_numeric<C: AsRef<str>>(row: &[C], i: usize) -> bool {
    row.get(i).is_none_or(|c| looks_numeric(c.as_ref()))
}

/// True for `1,234`, `-5.5`, `USD 1,200`, `1.2 M`, `40%`, `n/a` (a missing number).
fn looks_numeric(cell: &str) -> bool {
    let s = cell.trim();
    if s == "n/a" {
        return true;
    }
    let s = match s.split_once(' ') {
        Some((cur, rest)) if cur.len() == 3 && cur.bytes().all(|b| b.is_ascii_uppercase()) => rest,
        _ => s,
    };
    let s = s
        .trim_end_matches(['%', 'k', 'M', 'B', 'T'])
        .trim_end()
        .trim_start_matches(['-', '+']);
    !s.is_empty()
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
}

/// The data behind [`crate::pacific_map`]: one row per Pacific Island country or territory, by
/// name, with its value in full or `no data`.
pub fn map_table(
    caption: &str,
    value_header: &str,
    unit: &str,
    values: &BTreeMap<String, f64>,
) -> String {
    let Ok(g) = geo() else {
        return data_table(caption, &["Country", value_header], &[] as &[[&str; 2]]);
    };
    let mut rows: Vec<[String; 2]> = g
        .countries
        .iter()
        .filter(|c| c.role == Role::Pict)
        .map(|c| {
            let v = values
                .iter()
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(&c.iso2))
                .map(|(_, v)| *v)
                .filter(|v| v.is_finite());
            let text = v.map_or_else(|| "no data".to_owned(), |v| format_full(v, unit));
            [c.name.clone(), text]
        })
        .collect();
    rows.sort_by(|a, b| a[0].cmp(&b[0]));
    data_table(caption, &["Country", value_header], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_detection() {
        for yes in ["1,234", "-5.5", "USD 1,200", "1.2 M", "40%", "n/a", "0"] {
            assert!(looks_numeric(yes), "{yes}");
        }
        for no in ["Fiji", "2019–2020", "", "USD", "1.2.3a", "- "] {
            assert!(!looks_numeric(no), "{no}");
        }
    }

    #[test]
    fn hostile_cells_are_escaped() {
        let html = data_table(
            "<b>x</b>",
            &["<th>", "v"],
            &[["<script>alert(1)</script>", "\"'&"]],
        );
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("<td>&quot;&#39;&amp;</td>"));
    }

    #[test]
    fn map_table_lists_every_pict_once() {
        let mut v = BTreeMap::new();
        v.insert("fj".to_owned(), 1500.0);
        let html = map_table("By country", "USD", "USD", &v);
        assert_eq!(html.matches(r#"<th scope="row">"#).count(), 22);
        assert!(html.contains(r#"<th scope="row">Fiji</th><td class="num">USD 1,500</td>"#));
        assert!(html.contains(r#"<th scope="row">Nauru</th><td>no data</td>"#));
    }
}
