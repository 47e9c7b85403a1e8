//! `vaka stats`: the reconciliation report users run after an import.
//!
//! Sums are exact: values are stored as decimal strings and added with
//! [`rust_decimal`], never as floating point, so both backends print the same.

use std::collections::BTreeMap;
use std::str::FromStr;

use futures::TryStreamExt;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::Row;

use crate::db::{Store, on_pool};
use crate::error::{Result, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub activities: u64,
    pub transactions: u64,
    pub budgets: u64,
    pub datasets: u64,
    pub by_reporting_org: Vec<OrgStats>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgStats {
    #[serde(rename = "ref")]
    pub ref_: String,
    pub activities: u64,
    pub transactions: Vec<TxStats>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxStats {
    /// 2.0x transaction type code (`""` when the type was missing or invalid).
    #[serde(rename = "type")]
    pub type_: String,
    /// The value's currency, else the activity's default, else `""`.
    pub currency: String,
    pub count: u64,
    /// Exact decimal sum of the values, at least two decimal places.
    pub sum: String,
}

/// (reporting org, transaction type in numeric order, currency).
type GroupKey = (String, (u32, String), String);

/// Order transaction types numerically where they are numbers.
fn type_key(t: &str) -> (u32, String) {
    (t.parse().unwrap_or(u32::MAX), t.to_string())
}

impl Store {
    pub async fn stats(&self) -> Result<Stats> {
        let (activities, transactions, budgets, datasets, org_rows) = on_pool!(self, pool => {
            let count = |sql: &'static str| async move {
                let n: i64 = sqlx::query(sql).fetch_one(pool).await?.try_get(0)?;
                Ok::<u64, sqlx::Error>(n.max(0) as u64)
            };
            let a = count("SELECT COUNT(*) FROM activity").await?;
            let t = count("SELECT COUNT(*) FROM txn").await?;
            let b = count("SELECT COUNT(*) FROM budget").await?;
            let d = count("SELECT COUNT(*) FROM dataset").await?;
            let orgs = sqlx::query("SELECT reporting_org, COUNT(*) FROM activity GROUP BY reporting_org")
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
            (a, t, b, d, orgs)
        });

        let mut sums: BTreeMap<GroupKey, (u64, Decimal)> = BTreeMap::new();
        on_pool!(self, pool => {
            let mut rows = sqlx::query(
                "SELECT a.reporting_org, t.type, t.currency, t.value FROM txn t JOIN activity a ON a.id = t.activity_id",
            )
            .fetch(pool);
            while let Some(r) = rows.try_next().await? {
                let org: String = r.try_get(0)?;
                let ty: Option<String> = r.try_get(1)?;
                let cur: String = r.try_get(2)?;
                let value: Option<String> = r.try_get(3)?;
                let e = sums
                    .entry((org, type_key(ty.as_deref().unwrap_or("")), cur))
                    .or_insert((0, Decimal::ZERO));
                e.0 += 1;
                if let Some(v) = value {
                    let v = Decimal::from_str(&v)
                        .map_err(|err| StoreError::Corrupt(format!("stored value `{v}`: {err}")))?;
                    e.1 = e.1.checked_add(v).ok_or_else(|| {
                        StoreError::Invalid("transaction sum exceeds 28 significant digits".into())
                    })?;
                }
            }
        });

        let mut by_org: BTreeMap<String, OrgStats> = org_rows
            .into_iter()
            .map(|(r, n)| {
                (
                    r.clone(),
                    OrgStats {
                        ref_: r,
                        activities: n.max(0) as u64,
                        transactions: Vec::new(),
                    },
                )
            })
            .collect();
        for ((org, (_, ty), cur), (count, sum)) in sums {
            let mut sum = sum;
            if sum.scale() < 2 {
                sum.rescale(2);
            }
            let entry = by_org.entry(org.clone()).or_insert_with(|| OrgStats {
                ref_: org,
                activities: 0,
                transactions: Vec::new(),
            });
            entry.transactions.push(TxStats {
                type_: ty,
                currency: cur,
                count,
                sum: sum.to_string(),
            });
        }
        Ok(Stats {
            activities,
            transactions,
            budgets,
            datasets,
            by_reporting_org: by_org.into_values().collect(),
        })
    }
}
