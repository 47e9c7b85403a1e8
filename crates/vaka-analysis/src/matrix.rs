//! The coverage matrix: money (or activity counts) by country, area, partner
//! and year, in one currency.
//!
//! Input is [`GroupRow`]s — what a SQL `GROUP BY` over the stored facts gives
//! (sum of `amount_minor` per requested keys, currency and rate year). Each
//! group is converted on its own at its rate year (`amount × per_usd[target] /
//! per_usd[from]`, rounded half away from zero to cents) and the rate used is
//! recorded; groups without a rate are listed in `unconverted`, never counted
//! as zero. Cells and totals are sums of the converted groups, so totals equal
//! the sum of their cells exactly.
//!
//! With a framework, country rows follow the framework's focus countries (all
//! of them, even empty ones, when the matrix is by country and/or area only),
//! then other countries, regional rows and `unallocated`; area columns follow
//! the framework's areas, then `unclassified`.
//!
//! Renderings: JSON ([`Matrix::to_json`]), an aligned terminal table
//! ([`Matrix::to_table`]), CSV ([`Matrix::to_csv`]) and XLSX ([`to_xlsx`]).
//! This module must not query anything: it is fed rows.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use vaka_domain::{Currency, Framework, FxError, FxTable, UNCLASSIFIED, round_cents};

use crate::apportion::{Fact, GeoKind, Measure};

/// The key used for the unallocated row.
pub const UNALLOCATED: &str = "unallocated";

/// A dimension of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dim {
    Country,
    Area,
    Partner,
    Year,
}

impl Dim {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Country => "country",
            Self::Area => "area",
            Self::Partner => "partner",
            Self::Year => "year",
        }
    }
}

/// What the matrix counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatrixMeasure {
    Disbursements,
    Commitments,
    Budgets,
    /// Number of distinct activities.
    Activities,
}

impl MatrixMeasure {
    /// The fact measure summed (`None` for activity counts, which use every fact).
    pub fn fact_measure(self) -> Option<Measure> {
        match self {
            Self::Disbursements => Some(Measure::Disbursement),
            Self::Commitments => Some(Measure::Commitment),
            Self::Budgets => Some(Measure::Budget),
            Self::Activities => None,
        }
    }
}

/// Which organisation the partner dimension shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PartnerBy {
    #[default]
    Reporting,
    Funding,
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRequest {
    /// Framework id, when the facts are those of one framework.
    pub framework: Option<String>,
    /// ISO 4217 code to convert to (ignored for activity counts).
    pub currency: String,
    pub from_year: Option<i32>,
    pub to_year: Option<i32>,
    pub measure: MatrixMeasure,
    /// Grouping, in display order. Empty: the grand total only.
    pub by: Vec<Dim>,
    pub partner_by: PartnerBy,
}

/// One group of facts, as the store's `GROUP BY` returns it. Keys not in the
/// request may be `None`; keys the request does not ask for are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GroupRow {
    /// ISO2, region code, or `unallocated` (`""` is read as `unallocated`).
    pub country: Option<String>,
    pub area: Option<String>,
    pub partner: Option<String>,
    pub year: Option<i32>,
    pub currency: String,
    pub rate_year: i32,
    pub sum_minor: i64,
    /// Number of transactions (or budgets) in the group.
    pub transactions: i64,
    /// For the activities measure: the activity of the row, so that counts are
    /// of distinct activities. When `None`, `transactions` is taken as the count.
    pub activity: Option<String>,
}

/// One cell. Only the keys of the chosen grouping are present; money measures
/// carry `value`/`currency`/`transactions`, the activities measure `activities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Cell {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Two decimals, serialised as a string (`"123.45"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transactions: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activities: Option<i64>,
}

impl Cell {
    fn key(&self, dim: Dim) -> KeyPart {
        match dim {
            Dim::Country => KeyPart::Text(self.country.clone().unwrap_or_default()),
            Dim::Area => KeyPart::Text(self.area.clone().unwrap_or_default()),
            Dim::Partner => KeyPart::Text(self.partner.clone().unwrap_or_default()),
            Dim::Year => KeyPart::Year(self.year.unwrap_or_default()),
        }
    }

    /// The cell's label for a dimension.
    pub fn label(&self, dim: Dim) -> String {
        match self.key(dim) {
            KeyPart::Text(s) => s,
            KeyPart::Year(y) => y.to_string(),
        }
    }
}

/// Totals by each requested dimension and overall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Totals {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Vec<Cell>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<Vec<Cell>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<Vec<Cell>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<Vec<Cell>>,
    pub grand: Cell,
}

impl Totals {
    pub fn by(&self, dim: Dim) -> Option<&Vec<Cell>> {
        match dim {
            Dim::Country => self.country.as_ref(),
            Dim::Area => self.area.as_ref(),
            Dim::Partner => self.partner.as_ref(),
            Dim::Year => self.year.as_ref(),
        }
    }
}

/// Money that could not be converted: no rate for its currency and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unconverted {
    /// `""` when the data gave no currency at all.
    pub currency: String,
    pub year: i32,
    /// In the original currency, two decimals.
    pub amount: Decimal,
    /// How many cells it would have gone to.
    pub cells: usize,
}

/// An exchange rate the matrix used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RateUsed {
    pub from: String,
    pub to: String,
    pub year: i32,
    /// Units of `to` per unit of `from`.
    pub rate: Decimal,
    pub source: String,
}

/// The computed matrix. Serialises to exactly `{"cells", "totals", "unconverted"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    pub cells: Vec<Cell>,
    pub totals: Totals,
    pub unconverted: Vec<Unconverted>,
    /// The request it answers (not serialised).
    #[serde(skip)]
    pub request: Option<MatrixRequest>,
    /// Rates applied, one per (from, to, year) (not serialised; shown under
    /// the terminal table and in the XLSX "Rates" sheet).
    #[serde(skip)]
    pub rates_used: Vec<RateUsed>,
}

/// Why a matrix could not be computed or rendered.
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    #[error("matrix currency: {0}")]
    Currency(#[from] FxError),
    #[error("dimension `{}` is requested twice", .0.as_str())]
    DuplicateDim(Dim),
    #[error("the request is for framework `{requested}` but framework `{given}` was given")]
    FrameworkMismatch { requested: String, given: String },
    #[error("converting {currency} {year} overflows")]
    Overflow { currency: String, year: i32 },
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum KeyPart {
    Text(String),
    Year(i32),
}

#[derive(Debug, Default, Clone)]
struct Acc {
    value: Decimal,
    transactions: i64,
    activities: BTreeSet<String>,
    count_without_ids: i64,
}

impl Acc {
    fn add(&mut self, value: Decimal, row: &GroupRow) {
        self.value += value;
        self.transactions += row.transactions;
        match &row.activity {
            Some(a) => {
                self.activities.insert(a.clone());
            }
            None => self.count_without_ids += row.transactions,
        }
    }
}

impl Matrix {
    /// Compute the matrix from grouped rows. `framework`, when given, orders
    /// rows and columns (and must be the requested one).
    pub fn build(
        req: &MatrixRequest,
        rows: &[GroupRow],
        fx: &FxTable,
        framework: Option<&Framework>,
    ) -> Result<Matrix, MatrixError> {
        let money = req.measure != MatrixMeasure::Activities;
        let target = if money {
            Currency::parse(&req.currency)?.to_string()
        } else {
            String::new()
        };
        let mut seen = BTreeSet::new();
        for d in &req.by {
            if !seen.insert(*d) {
                return Err(MatrixError::DuplicateDim(*d));
            }
        }
        if let (Some(r), Some(f)) = (&req.framework, framework)
            && r != &f.id
        {
            return Err(MatrixError::FrameworkMismatch {
                requested: r.clone(),
                given: f.id.clone(),
            });
        }

        let mut cells: BTreeMap<Vec<KeyPart>, (Cell, Acc)> = BTreeMap::new();
        let mut totals: BTreeMap<(Dim, KeyPart), (Cell, Acc)> = BTreeMap::new();
        let mut grand = Acc::default();
        // (currency, rate year) → (amount, keys of the cells it would go to)
        type Pending = BTreeMap<(String, i32), (Decimal, BTreeSet<Vec<KeyPart>>)>;
        let mut unconverted: Pending = BTreeMap::new();
        let mut rates: BTreeMap<(String, i32), RateUsed> = BTreeMap::new();

        for row in rows {
            if let Some(y) = row.year
                && (req.from_year.is_some_and(|f| y < f) || req.to_year.is_some_and(|t| y > t))
            {
                continue;
            }
            let cell = project(row, &req.by);
            let key: Vec<KeyPart> = req.by.iter().map(|d| cell.key(*d)).collect();
            let amount = Decimal::new(row.sum_minor, 2);
            let value = if !money {
                Decimal::ZERO
            } else if row.currency == target {
                amount
            } else {
                match fx.convert(amount, &row.currency, &target, row.rate_year) {
                    Ok(c) => {
                        rates
                            .entry((row.currency.clone(), row.rate_year))
                            .or_insert_with(|| RateUsed {
                                from: row.currency.clone(),
                                to: target.clone(),
                                year: row.rate_year,
                                rate: c.rate,
                                source: c.source.clone(),
                            });
                        c.amount
                    }
                    Err(FxError::Overflow { .. }) => {
                        return Err(MatrixError::Overflow {
                            currency: row.currency.clone(),
                            year: row.rate_year,
                        });
                    }
                    Err(_) => {
                        let u = unconverted
                            .entry((row.currency.clone(), row.rate_year))
                            .or_default();
                        u.0 += amount;
                        u.1.insert(key);
                        continue;
                    }
                }
            };
            cells
                .entry(key)
                .or_insert_with(|| (cell.clone(), Acc::default()))
                .1
                .add(value, row);
            for d in &req.by {
                let mut only = Cell::default();
                set_key(&mut only, *d, &cell);
                totals
                    .entry((*d, cell.key(*d)))
                    .or_insert_with(|| (only, Acc::default()))
                    .1
                    .add(value, row);
            }
            grand.add(value, row);
        }

        // Zero-fill the classic country × area matrix of a framework.
        if let Some(f) = framework
            && !req.by.is_empty()
            && req.by.iter().all(|d| matches!(d, Dim::Country | Dim::Area))
        {
            let countries: Vec<String> = f.focus_countries.clone();
            let mut areas: Vec<String> = f.areas.iter().map(|a| a.id.clone()).collect();
            areas.push(UNCLASSIFIED.to_owned());
            let combos: Vec<Cell> = match req.by.as_slice() {
                [Dim::Country] => countries
                    .iter()
                    .map(|c| Cell {
                        country: Some(c.clone()),
                        ..Cell::default()
                    })
                    .collect(),
                [Dim::Area] => areas
                    .iter()
                    .map(|a| Cell {
                        area: Some(a.clone()),
                        ..Cell::default()
                    })
                    .collect(),
                _ => {
                    // Both, plus the rows the data has beyond the focus countries.
                    let mut rows_keys: Vec<String> = countries.clone();
                    for (c, _) in cells.values() {
                        if let Some(k) = &c.country
                            && !rows_keys.contains(k)
                        {
                            rows_keys.push(k.clone());
                        }
                    }
                    rows_keys
                        .iter()
                        .flat_map(|c| {
                            areas.iter().map(move |a| Cell {
                                country: Some(c.clone()),
                                area: Some(a.clone()),
                                ..Cell::default()
                            })
                        })
                        .collect()
                }
            };
            for c in combos {
                let key: Vec<KeyPart> = req.by.iter().map(|d| c.key(*d)).collect();
                for d in &req.by {
                    let mut only = Cell::default();
                    set_key(&mut only, *d, &c);
                    totals
                        .entry((*d, c.key(*d)))
                        .or_insert_with(|| (only, Acc::default()));
                }
                cells.entry(key).or_insert_with(|| (c, Acc::default()));
            }
        }

        let finish = |(mut c, acc): (Cell, Acc)| -> Cell {
            if money {
                c.value = Some(round_cents(acc.value));
                c.currency = Some(target.clone());
                c.transactions = Some(acc.transactions);
            } else {
                c.activities = Some(acc.activities.len() as i64 + acc.count_without_ids);
            }
            c
        };

        let order = Order::new(framework);
        let mut out_cells: Vec<Cell> = cells.into_values().map(finish).collect();
        out_cells.sort_by(|a, b| order.cmp_cells(a, b, &req.by));

        let mut t = Totals {
            grand: finish((Cell::default(), grand)),
            ..Totals::default()
        };
        for d in &req.by {
            let mut v: Vec<Cell> = totals
                .iter()
                .filter(|((dd, _), _)| dd == d)
                .map(|(_, x)| finish(x.clone()))
                .collect();
            v.sort_by(|a, b| order.cmp_cells(a, b, &[*d]));
            match d {
                Dim::Country => t.country = Some(v),
                Dim::Area => t.area = Some(v),
                Dim::Partner => t.partner = Some(v),
                Dim::Year => t.year = Some(v),
            }
        }

        Ok(Matrix {
            cells: out_cells,
            totals: t,
            unconverted: unconverted
                .into_iter()
                .map(|((currency, year), (amount, keys))| Unconverted {
                    currency,
                    year,
                    amount: round_cents(amount),
                    cells: keys.len(),
                })
                .collect(),
            request: Some(req.clone()),
            rates_used: rates.into_values().collect(),
        })
    }

    /// `{"cells": […], "totals": {…}, "unconverted": […]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    fn dims(&self) -> Vec<Dim> {
        self.request
            .as_ref()
            .map(|r| r.by.clone())
            .unwrap_or_default()
    }

    fn is_money(&self) -> bool {
        self.request
            .as_ref()
            .is_none_or(|r| r.measure != MatrixMeasure::Activities)
    }

    /// An aligned plain-text table with thousands separators. Two dimensions
    /// are shown as a grid (first dimension down, second across, with totals);
    /// otherwise one line per cell and a total line.
    pub fn to_table(&self) -> String {
        let dims = self.dims();
        let money = self.is_money();
        let fmt_cell = |c: &Cell| -> String {
            if money {
                c.value.map(group_thousands).unwrap_or_default()
            } else {
                group_int(c.activities.unwrap_or(0))
            }
        };
        let mut grid: Vec<Vec<String>> = Vec::new();
        let right: Vec<bool>;

        if let [d1, d2] = dims.as_slice() {
            let rows = self.totals.by(*d1).cloned().unwrap_or_default();
            let cols = self.totals.by(*d2).cloned().unwrap_or_default();
            let mut header = vec![format!("{} \\ {}", d1.as_str(), d2.as_str())];
            header.extend(cols.iter().map(|c| c.label(*d2)));
            header.push("Total".into());
            grid.push(header);
            for r in &rows {
                let mut line = vec![r.label(*d1)];
                for c in &cols {
                    let v = self
                        .cells
                        .iter()
                        .find(|x| x.label(*d1) == r.label(*d1) && x.label(*d2) == c.label(*d2))
                        .map(fmt_cell)
                        .unwrap_or_else(|| "-".into());
                    line.push(v);
                }
                line.push(fmt_cell(r));
                grid.push(line);
            }
            let mut total = vec!["Total".to_owned()];
            total.extend(cols.iter().map(fmt_cell));
            total.push(fmt_cell(&self.totals.grand));
            grid.push(total);
            right = (0..grid[0].len()).map(|i| i > 0).collect();
        } else {
            let mut header: Vec<String> = dims.iter().map(|d| d.as_str().to_owned()).collect();
            if money {
                header.push(format!(
                    "value ({})",
                    self.totals.grand.currency.clone().unwrap_or_default()
                ));
                header.push("transactions".into());
            } else {
                header.push("activities".into());
            }
            grid.push(header);
            for c in &self.cells {
                let mut line: Vec<String> = dims.iter().map(|d| c.label(*d)).collect();
                line.push(fmt_cell(c));
                if money {
                    line.push(group_int(c.transactions.unwrap_or(0)));
                }
                grid.push(line);
            }
            let mut total: Vec<String> = dims
                .iter()
                .enumerate()
                .map(|(i, _)| {
                    if i == 0 {
                        "Total".into()
                    } else {
                        String::new()
                    }
                })
                .collect();
            if dims.is_empty() {
                grid[0].insert(0, String::new());
                for line in grid.iter_mut().skip(1) {
                    line.insert(0, String::new());
                }
                total.push("Total".into());
            }
            total.push(fmt_cell(&self.totals.grand));
            if money {
                total.push(group_int(self.totals.grand.transactions.unwrap_or(0)));
            }
            grid.push(total);
            let ndims = dims.len().max(usize::from(dims.is_empty()));
            right = (0..grid[0].len()).map(|i| i >= ndims).collect();
        }

        let widths: Vec<usize> = (0..grid[0].len())
            .map(|i| {
                grid.iter()
                    .map(|l| l.get(i).map_or(0, |s| s.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for (n, line) in grid.iter().enumerate() {
            let cols: Vec<String> = line
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if right[i] {
                        format!("{s:>w$}", w = widths[i])
                    } else {
                        format!("{s:<w$}", w = widths[i])
                    }
                })
                .collect();
            out.push_str(cols.join("  ").trim_end());
            out.push('\n');
            if n == 0 || n + 2 == grid.len() {
                out.push_str(
                    &widths
                        .iter()
                        .map(|w| "-".repeat(*w))
                        .collect::<Vec<_>>()
                        .join("  "),
                );
                out.push('\n');
            }
        }
        for u in &self.unconverted {
            out.push_str(&format!(
                "not converted: {} {} ({}, no exchange rate)\n",
                group_thousands(u.amount),
                if u.currency.is_empty() {
                    "(no currency)"
                } else {
                    &u.currency
                },
                u.year
            ));
        }
        for r in &self.rates_used {
            out.push_str(&format!(
                "rate {} {}→{}: {} ({})\n",
                r.year, r.from, r.to, r.rate, r.source
            ));
        }
        out
    }

    /// One line per cell: the dimensions, then `value,currency,transactions`
    /// (or `activities`). Values are plain decimals with two places.
    pub fn to_csv(&self) -> Result<String, MatrixError> {
        let dims = self.dims();
        let money = self.is_money();
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<&str> = dims.iter().map(|d| d.as_str()).collect();
        if money {
            header.extend(["value", "currency", "transactions"]);
        } else {
            header.push("activities");
        }
        w.write_record(&header)?;
        for c in &self.cells {
            let mut rec: Vec<String> = dims.iter().map(|d| c.label(*d)).collect();
            if money {
                rec.push(c.value.map(|v| v.to_string()).unwrap_or_default());
                rec.push(c.currency.clone().unwrap_or_default());
                rec.push(c.transactions.unwrap_or(0).to_string());
            } else {
                rec.push(c.activities.unwrap_or(0).to_string());
            }
            w.write_record(&rec)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| MatrixError::Csv(csv::Error::from(e.into_error())))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// An XLSX workbook: sheet "Matrix" (one row per cell, bold frozen header,
/// number formats), "Totals", and, when there are any, "Unconverted" and "Rates".
pub fn to_xlsx(m: &Matrix) -> Result<Vec<u8>, MatrixError> {
    use rust_xlsxwriter::{Format, Workbook};
    let dims = m.dims();
    let money = m.is_money();
    let bold = Format::new().set_bold();
    let money_fmt = Format::new().set_num_format("#,##0.00");
    let int_fmt = Format::new().set_num_format("#,##0");
    let mut wb = Workbook::new();

    let measure_headers: Vec<&str> = if money {
        vec!["value", "currency", "transactions"]
    } else {
        vec!["activities"]
    };
    let write_cells = |ws: &mut rust_xlsxwriter::Worksheet,
                       cells: &[Cell],
                       dims: &[Dim],
                       headers: &[&str]|
     -> Result<(), MatrixError> {
        let mut col = 0u16;
        for d in dims {
            ws.write_string_with_format(0, col, d.as_str(), &bold)?;
            ws.set_column_width(col, 16)?;
            col += 1;
        }
        for h in headers {
            ws.write_string_with_format(0, col, *h, &bold)?;
            ws.set_column_width(col, 16)?;
            col += 1;
        }
        ws.set_freeze_panes(1, 0)?;
        for (i, c) in cells.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let mut col = 0u16;
            for d in dims {
                match d {
                    Dim::Year => {
                        ws.write_number(row, col, f64::from(c.year.unwrap_or_default()))?
                    }
                    _ => ws.write_string(row, col, c.label(*d))?,
                };
                col += 1;
            }
            if money {
                // The sheet shows the 2-decimal value; exact figures are in JSON/CSV.
                let v: f64 = c
                    .value
                    .map(|v| v.to_string().parse().unwrap_or(0.0))
                    .unwrap_or(0.0);
                ws.write_number_with_format(row, col, v, &money_fmt)?;
                ws.write_string(row, col + 1, c.currency.clone().unwrap_or_default())?;
                ws.write_number_with_format(
                    row,
                    col + 2,
                    c.transactions.unwrap_or(0) as f64,
                    &int_fmt,
                )?;
            } else {
                ws.write_number_with_format(row, col, c.activities.unwrap_or(0) as f64, &int_fmt)?;
            }
        }
        Ok(())
    };

    let ws = wb.add_worksheet();
    ws.set_name("Matrix")?;
    write_cells(ws, &m.cells, &dims, &measure_headers)?;

    let ws = wb.add_worksheet();
    ws.set_name("Totals")?;
    let mut all: Vec<Cell> = Vec::new();
    for d in &dims {
        all.extend(m.totals.by(*d).cloned().unwrap_or_default());
    }
    all.push(m.totals.grand.clone());
    write_cells(ws, &all, &dims, &measure_headers)?;

    if !m.unconverted.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("Unconverted")?;
        for (c, h) in ["currency", "year", "amount", "cells"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (i, u) in m.unconverted.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            ws.write_string(row, 0, u.currency.as_str())?;
            ws.write_number(row, 1, f64::from(u.year))?;
            ws.write_number_with_format(
                row,
                2,
                u.amount.to_string().parse::<f64>().unwrap_or(0.0),
                &money_fmt,
            )?;
            ws.write_number(row, 3, u.cells as f64)?;
        }
    }
    if !m.rates_used.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("Rates")?;
        for (c, h) in ["from", "to", "year", "rate", "source"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (i, r) in m.rates_used.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            ws.write_string(row, 0, r.from.as_str())?;
            ws.write_string(row, 1, r.to.as_str())?;
            ws.write_number(row, 2, f64::from(r.year))?;
            ws.write_string(row, 3, r.rate.to_string())?;
            ws.write_string(row, 4, r.source.as_str())?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// Group facts the way the store's SQL does: by the requested keys, currency
/// and rate year, for the request's measure and years. A reference for the
/// store's query and a convenience for in-memory use.
pub fn group_facts<'a>(
    facts: impl IntoIterator<Item = (&'a str, &'a Fact)>,
    req: &MatrixRequest,
) -> Vec<GroupRow> {
    type Key = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i32>,
        String,
        i32,
        Option<String>,
    );
    let per_activity = req.measure == MatrixMeasure::Activities;
    // Distinct (activity, transaction, budget) per group, to count transactions.
    type Members<'a> = BTreeSet<(&'a str, Option<u32>, Option<u32>)>;
    let mut groups: BTreeMap<Key, (i64, Members<'a>)> = BTreeMap::new();
    for (activity, f) in facts {
        if req.measure.fact_measure().is_some_and(|m| m != f.measure) {
            continue;
        }
        if req.from_year.is_some_and(|y| f.year < y) || req.to_year.is_some_and(|y| f.year > y) {
            continue;
        }
        if req.framework.as_ref().is_some_and(|fw| fw != &f.framework) {
            continue;
        }
        let has = |d: Dim| req.by.contains(&d);
        let country = has(Dim::Country).then(|| geo_key(f.geo_kind, &f.geo_code));
        let area = has(Dim::Area).then(|| f.area.clone());
        let partner = has(Dim::Partner).then(|| match req.partner_by {
            PartnerBy::Reporting => f.reporting_org.clone(),
            PartnerBy::Funding => f.funding_org.clone(),
        });
        let year = has(Dim::Year).then_some(f.year);
        let key = (
            country,
            area,
            partner,
            year,
            f.currency.clone(),
            f.rate_year,
            per_activity.then(|| activity.to_owned()),
        );
        let g = groups.entry(key).or_default();
        g.0 += f.amount_minor;
        g.1.insert((activity, f.tx_index, f.budget_index));
    }
    groups
        .into_iter()
        .map(
            |((country, area, partner, year, currency, rate_year, activity), (sum, txs))| {
                GroupRow {
                    country,
                    area,
                    partner,
                    year,
                    currency,
                    rate_year,
                    sum_minor: sum,
                    transactions: txs.len() as i64,
                    activity,
                }
            },
        )
        .collect()
}

/// The matrix key of a place: the ISO2 or region code, or `unallocated`.
pub fn geo_key(kind: GeoKind, code: &str) -> String {
    match kind {
        GeoKind::Unallocated => UNALLOCATED.to_owned(),
        _ if code.is_empty() => UNALLOCATED.to_owned(),
        _ => code.to_owned(),
    }
}

fn project(row: &GroupRow, by: &[Dim]) -> Cell {
    let mut c = Cell::default();
    for d in by {
        match d {
            Dim::Country => {
                let k = row.country.clone().unwrap_or_default();
                c.country = Some(if k.is_empty() {
                    UNALLOCATED.to_owned()
                } else {
                    k
                });
            }
            Dim::Area => c.area = Some(row.area.clone().unwrap_or_else(|| UNCLASSIFIED.to_owned())),
            Dim::Partner => c.partner = Some(row.partner.clone().unwrap_or_default()),
            Dim::Year => c.year = Some(row.year.unwrap_or_default()),
        }
    }
    c
}

fn set_key(target: &mut Cell, dim: Dim, from: &Cell) {
    match dim {
        Dim::Country => target.country = from.country.clone(),
        Dim::Area => target.area = from.area.clone(),
        Dim::Partner => target.partner = from.partner.clone(),
        Dim::Year => target.year = from.year,
    }
}

/// Display order of keys.
struct Order {
    focus: Vec<String>,
    areas: Vec<String>,
}

impl Order {
    fn new(framework: Option<&Framework>) -> Order {
        match framework {
            Some(f) => Order {
                focus: f.focus_countries.clone(),
                areas: f.areas.iter().map(|a| a.id.clone()).collect(),
            },
            None => Order {
                focus: Vec::new(),
                areas: Vec::new(),
            },
        }
    }

    fn country_rank(&self, k: &str) -> (u8, usize, String) {
        if let Some(i) = self.focus.iter().position(|c| c == k) {
            (0, i, String::new())
        } else if k == UNALLOCATED {
            (3, 0, String::new())
        } else if k.len() == 2 && k.bytes().all(|b| b.is_ascii_uppercase()) {
            (1, 0, k.to_owned())
        } else {
            (2, 0, k.to_owned())
        }
    }

    fn area_rank(&self, k: &str) -> (u8, usize, String) {
        if let Some(i) = self.areas.iter().position(|a| a == k) {
            (0, i, String::new())
        } else if k == UNCLASSIFIED {
            (2, 0, String::new())
        } else {
            (1, 0, k.to_owned())
        }
    }

    fn cmp_cells(&self, a: &Cell, b: &Cell, dims: &[Dim]) -> std::cmp::Ordering {
        for d in dims {
            let o = match d {
                Dim::Country => self
                    .country_rank(&a.label(*d))
                    .cmp(&self.country_rank(&b.label(*d))),
                Dim::Area => self
                    .area_rank(&a.label(*d))
                    .cmp(&self.area_rank(&b.label(*d))),
                Dim::Partner => a.partner.cmp(&b.partner),
                Dim::Year => a.year.cmp(&b.year),
            };
            if o.is_ne() {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    }
}

/// `1234567.5` → `1,234,567.50`.
pub fn group_thousands(v: Decimal) -> String {
    let s = format!("{:.2}", round_cents(v));
    let (sign, rest) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
    format!("{sign}{}.{frac}", group_digits(int))
}

fn group_int(v: i64) -> String {
    let s = v.unsigned_abs().to_string();
    format!("{}{}", if v < 0 { "-" } else { "" }, group_digits(&s))
}

fn group_digits(int: &str) -> String {
    let mut out = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(Decimal::new(123456750, 2)), "1,234,567.50");
        assert_eq!(group_thousands(Decimal::new(-100000, 2)), "-1,000.00");
        assert_eq!(group_thousands(Decimal::ZERO), "0.00");
        assert_eq!(group_thousands(Decimal::new(99999, 2)), "999.99");
        assert_eq!(group_int(1234567), "1,234,567");
        assert_eq!(group_int(-12), "-12");
    }
}
