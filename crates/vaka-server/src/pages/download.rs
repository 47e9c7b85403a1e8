//! CSV and XLSX downloads of every list (`?format=csv|xlsx`).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::Error;

/// The formats a list can be downloaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: Option<&str>) -> Result<Format, Error> {
        match s.map(str::trim).unwrap_or("") {
            "" | "html" => Ok(Format::Html),
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(Error::bad_request(format!(
                "format `{other}`: use csv or xlsx (or leave it out for the page)"
            ))),
        }
    }
}

fn attachment(name: &str, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

pub fn csv_response(name: &str, body: String) -> Response {
    attachment(name, "text/csv; charset=utf-8", body.into_bytes())
}

pub fn xlsx_response(name: &str, body: Vec<u8>) -> Response {
    attachment(
        name,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        body,
    )
}

/// A table as CSV.
pub fn table_csv(headers: &[&str], rows: &[Vec<String>]) -> Result<String, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(headers).map_err(Error::internal)?;
    for r in rows {
        w.write_record(r).map_err(Error::internal)?;
    }
    let bytes = w.into_inner().map_err(Error::internal)?;
    String::from_utf8(bytes).map_err(Error::internal)
}

/// A table as an XLSX workbook of one sheet. Cells that read as numbers are
/// written as numbers, so sums work in the spreadsheet.
pub fn table_xlsx(sheet: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(Error::internal)?;
    let bold = XFormat::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(Error::internal)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match as_number(v) {
                Some(n) => ws.write_number(r, c, n).map_err(Error::internal)?,
                None => ws.write_string(r, c, v).map_err(Error::internal)?,
            };
        }
    }
    wb.save_to_buffer().map_err(Error::internal)
}

/// A plain decimal number (not an identifier with leading zeros such as a
/// sector code `01234`).
fn as_number(v: &str) -> Option<f64> {
    let digits = v.strip_prefix('-').unwrap_or(v);
    let plain = !digits.is_empty()
        && digits.len() < 16
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && !(digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0."));
    if plain { v.parse().ok() } else { None }
}

/// Respond with a list in the requested download format.
pub fn list(
    format: Format,
    name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Option<Response>, Error> {
    Ok(match format {
        Format::Html => None,
        Format::Csv => Some(csv_response(
            &format!("{name}.csv"),
            table_csv(headers, rows)?,
        )),
        Format::Xlsx => Some(xlsx_response(
            &format!("{name}.xlsx"),
            table_xlsx(name, headers, rows)?,
        )),
    })
}
