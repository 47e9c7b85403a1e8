//! Frameworks, reference data, classification and the coverage matrix.
//!
//! Classification and apportioning are computed once — when an activity is
//! imported, or when `vaka classify` re-runs them after rules change — into
//! `area_tag` and `fact`. `fact_cube` sums the facts over activities so the
//! matrix reads a small table; it is rebuilt after each import run and each
//! classification. The pure logic lives in `vaka-analysis`; this module only
//! moves its inputs and outputs in and out of the database.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use futures::TryStreamExt;
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use vaka_analysis::apportion::{Classify, flatten};
use vaka_analysis::classify::{
    Classification, ClassifyInput, CodeNames, KeywordIndex, Override, classify_indexed,
};
use vaka_analysis::matrix::{Dim, GroupRow, Matrix, MatrixMeasure, MatrixRequest, PartnerBy};
use vaka_domain::framework::Framework;
use vaka_domain::money::FxTable;
use vaka_domain::reference::{Country, NationalPlan};
use vaka_iati::{Activity, Diagnostic};

use crate::batch::{TableBatch, TableDef, Ty, Val};
use crate::db::{Backend, Pool, Store, on_pool};
use crate::error::{Result, StoreError};
use crate::migrate::begin_immediate;
use crate::util::now_utc;

/// Names of sector and policy-marker codes, from the embedded IATI codelists.
pub struct CodelistNames;

impl CodeNames for CodelistNames {
    fn sector(&self, vocabulary: &str, code: &str) -> Option<String> {
        let list = match vocabulary {
            "" | "1" => "Sector",
            "2" => "SectorCategory",
            _ => return None,
        };
        vaka_iati::codelists::name(list, code, "en").map(str::to_string)
    }

    fn policy_marker(&self, code: &str) -> Option<String> {
        vaka_iati::codelists::name("PolicyMarker", code, "en").map(str::to_string)
    }
}

/// Everything needed to classify and flatten activities, loaded once per
/// import run or classification pass and shared with the parser thread.
pub struct Analyzer {
    frameworks: Vec<Framework>,
    /// Each framework's keywords, compiled once (same order as `frameworks`).
    keywords: Vec<KeywordIndex>,
    /// (framework id, iati-identifier) → the person's classification.
    overrides: HashMap<(String, String), Classification>,
    fx: FxTable,
}

/// The analysis rows of one activity, without its id.
#[derive(Default)]
pub(crate) struct AnalysisRows {
    pub tags: Vec<Vec<Val>>,
    pub facts: Vec<Vec<Val>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Analyzer {
    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    /// The area tags and facts of one activity, as rows for `area_tag` and
    /// `fact` (without the activity id), and the problems apportioning met.
    /// The facts are also added to `sums` when given (an import adds up
    /// each file's facts for the cube as it builds their rows).
    pub(crate) fn analyse(&self, a: &Activity, mut sums: Option<&mut cube::Sums>) -> AnalysisRows {
        let mut out = AnalysisRows::default();
        if self.frameworks.is_empty() {
            return out;
        }
        let input = ClassifyInput::from_activity(a);
        let mut fact_seq = 0i64;
        for (fw, keywords) in self.frameworks.iter().zip(&self.keywords) {
            let over = self.overrides.get(&(fw.id.clone(), a.identifier.clone()));
            let classification = match over {
                Some(c) => c.clone(),
                None => classify_indexed(&input, &fw.areas, keywords, &CodelistNames),
            };
            for (seq, tag) in classification.tags.iter().enumerate() {
                out.tags.push(vec![
                    Val::from(fw.id.clone()),
                    Val::from(seq as i64),
                    Val::from(tag.area_id.clone()),
                    Val::from(tag.share.normalize().to_string()),
                    Val::from(tag.rule.kind.as_str()),
                    Val::from(tag.rule.code.clone()),
                    Val::from(tag.rule.explanation.clone()),
                ]);
            }
            // Without transaction-level sectors every value uses the activity's
            // classification: hand it over instead of classifying again.
            let tx_sectors = a.transactions.iter().any(|t| !t.sectors.is_empty());
            let mode = match over {
                Some(c) => Classify::Override(c),
                None if !tx_sectors => Classify::Override(&classification),
                None => Classify::Indexed(&CodelistNames, keywords),
            };
            let flat = flatten(a, fw, &mode, &self.fx);
            for f in flat.facts {
                if let Some(sums) = sums.as_deref_mut() {
                    sums.add(&f);
                }
                out.facts.push(vec![
                    Val::from(fact_seq),
                    Val::from(f.framework),
                    Val::from(f.measure.as_str()),
                    Val::from(f.tx_index.map(i64::from)),
                    Val::from(f.budget_index.map(i64::from)),
                    Val::from(i64::from(f.year)),
                    Val::from(i64::from(f.rate_year)),
                    Val::from(f.geo_kind.as_str()),
                    Val::from(f.geo_code),
                    Val::from(f.area),
                    Val::from(f.reporting_org),
                    Val::from(f.funding_org),
                    Val::from(f.currency),
                    Val::from(f.amount_minor),
                ]);
                fact_seq += 1;
            }
            // Apportioning problems are the same for every framework: keep one copy.
            for d in flat.diagnostics {
                if !out.diagnostics.contains(&d) {
                    out.diagnostics.push(d);
                }
            }
        }
        out
    }
}

pub(crate) static AREA_TAG: TableDef = TableDef {
    name: "area_tag",
    cols: &[
        ("activity_id", Ty::I64),
        ("framework_id", Ty::Text),
        ("seq", Ty::I64),
        ("area_id", Ty::Text),
        ("share", Ty::Text),
        ("rule_kind", Ty::Text),
        ("rule_code", Ty::Text),
        ("explanation", Ty::Text),
    ],
};

pub(crate) static FACT: TableDef = TableDef {
    name: "fact",
    cols: &[
        ("activity_id", Ty::I64),
        ("seq", Ty::I64),
        ("framework_id", Ty::Text),
        ("measure", Ty::Text),
        ("tx_seq", Ty::I64),
        ("budget_seq", Ty::I64),
        ("year", Ty::I64),
        ("rate_year", Ty::I64),
        ("geo_kind", Ty::Text),
        ("geo_code", Ty::Text),
        ("area_id", Ty::Text),
        ("reporting_org", Ty::Text),
        ("funding_org", Ty::Text),
        ("currency", Ty::Text),
        ("amount_minor", Ty::I64),
    ],
};

/// A stored framework and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct StoredFramework {
    pub framework: Framework,
    pub source: String,
    pub loaded_at: String,
    pub version: i64,
}

/// A person's area shares for one activity, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredOverride {
    pub framework_id: String,
    pub iati_identifier: String,
    pub shares: Vec<(String, Decimal)>,
    pub set_by: String,
    pub set_at: String,
    pub reason: String,
    pub version: i64,
}

/// One area tag of an activity, for display ("why is this renewable energy?").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredTag {
    pub framework_id: String,
    pub area_id: String,
    pub share: String,
    pub rule_kind: String,
    pub rule_code: String,
    pub explanation: String,
}

/// What `vaka classify` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClassifySummary {
    pub activities: u64,
    pub tags: u64,
    pub facts: u64,
}

fn doc_sha(doc: &str) -> String {
    hex::encode(Sha256::digest(doc.as_bytes()))
}

impl Store {
    /// Load the bundled frameworks, countries and national plans where the
    /// store has none yet. Frameworks already stored (bundled or loaded by a
    /// person) are left alone.
    pub async fn ensure_reference_data(&self) -> Result<()> {
        for (name, text) in Framework::bundled_sources() {
            let fw = Framework::from_toml_str(name, text)
                .map_err(|e| StoreError::Corrupt(format!("bundled framework {name}: {e}")))?;
            let exists = on_pool!(self, pool => {
                sqlx::query("SELECT 1 FROM framework WHERE id = $1")
                    .bind(&fw.id)
                    .fetch_optional(pool)
                    .await?
                    .is_some()
            });
            if !exists {
                self.put_framework(&fw, &format!("bundled:{name}")).await?;
            }
        }
        let have_countries: i64 = on_pool!(self, pool => {
            sqlx::query("SELECT COUNT(*) FROM country").fetch_one(pool).await?.try_get(0)?
        });
        if have_countries == 0 {
            self.put_reference(&Country::bundled(), &NationalPlan::bundled())
                .await?;
        }
        Ok(())
    }

    async fn put_reference(&self, countries: &[Country], plans: &[NationalPlan]) -> Result<()> {
        let backend = self.backend();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            for c in countries {
                let doc = serde_json::to_string(c).map_err(|e| StoreError::Invalid(e.to_string()))?;
                sqlx::query(
                    "INSERT INTO country (iso2, iso3, name, doc) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (iso2) DO UPDATE SET iso3 = excluded.iso3, name = excluded.name, doc = excluded.doc",
                )
                .bind(&c.iso2)
                .bind(&c.iso3)
                .bind(&c.name)
                .bind(doc)
                .execute(&mut *tx)
                .await?;
            }
            for p in plans {
                let doc = serde_json::to_string(p).map_err(|e| StoreError::Invalid(e.to_string()))?;
                sqlx::query(
                    "INSERT INTO national_plan (iso2, plan_name, period, doc) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (iso2) DO UPDATE SET plan_name = excluded.plan_name, period = excluded.period, \
                     doc = excluded.doc",
                )
                .bind(&p.iso2)
                .bind(&p.plan_name)
                .bind(&p.period)
                .bind(doc)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM plan_pillar WHERE iso2 = $1").bind(&p.iso2).execute(&mut *tx).await?;
                for (i, pillar) in p.pillars.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO plan_pillar (iso2, pillar_id, position, name) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (iso2, pillar_id) DO NOTHING",
                    )
                    .bind(&p.iso2)
                    .bind(&pillar.id)
                    .bind(i as i64)
                    .bind(&pillar.name)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
        });
        self.bump_data_version().await
    }

    /// Store (insert or replace) a framework. Returns true when it changed; the
    /// caller should then re-run classification ([`Store::classify_all`]).
    pub async fn put_framework(&self, fw: &Framework, source: &str) -> Result<bool> {
        let doc = serde_json::to_string(fw).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let sha = doc_sha(&doc);
        let changed = on_pool!(self, pool => {
            let current: Option<String> = sqlx::query("SELECT sha256 FROM framework WHERE id = $1")
                .bind(&fw.id)
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
            if current.as_deref() == Some(sha.as_str()) {
                false
            } else {
                sqlx::query(
                    "INSERT INTO framework (id, name, source, doc, sha256, loaded_at, version) \
                     VALUES ($1, $2, $3, $4, $5, $6, 1) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, source = excluded.source, \
                     doc = excluded.doc, sha256 = excluded.sha256, loaded_at = excluded.loaded_at, \
                     version = framework.version + 1",
                )
                .bind(&fw.id)
                .bind(&fw.name)
                .bind(source)
                .bind(&doc)
                .bind(&sha)
                .bind(now_utc())
                .execute(pool)
                .await?;
                true
            }
        });
        if changed {
            self.bump_data_version().await?;
        }
        Ok(changed)
    }

    /// Every stored framework, by id.
    pub async fn frameworks(&self) -> Result<Vec<StoredFramework>> {
        self.memoized("frameworks".into(), || self.frameworks_uncached())
            .await
    }

    async fn frameworks_uncached(&self) -> Result<Vec<StoredFramework>> {
        let rows: Vec<(String, String, String, i64)> = on_pool!(self, pool => {
            sqlx::query("SELECT doc, source, loaded_at, version FROM framework ORDER BY id")
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        rows.into_iter()
            .map(|(doc, source, loaded_at, version)| {
                let framework: Framework = serde_json::from_str(&doc)
                    .map_err(|e| StoreError::Corrupt(format!("stored framework: {e}")))?;
                Ok(StoredFramework {
                    framework,
                    source,
                    loaded_at,
                    version,
                })
            })
            .collect()
    }

    /// One framework by id.
    pub async fn framework(&self, id: &str) -> Result<StoredFramework> {
        self.frameworks()
            .await?
            .into_iter()
            .find(|f| f.framework.id == id)
            .ok_or_else(|| StoreError::NotFound(format!("framework `{id}`")))
    }

    /// Reference countries, by name.
    pub async fn countries(&self) -> Result<Vec<Country>> {
        self.memoized("countries".into(), || self.countries_uncached())
            .await
    }

    async fn countries_uncached(&self) -> Result<Vec<Country>> {
        let docs: Vec<String> = on_pool!(self, pool => {
            sqlx::query("SELECT doc FROM country ORDER BY name")
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| r.try_get(0))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        docs.iter()
            .map(|d| {
                serde_json::from_str(d)
                    .map_err(|e| StoreError::Corrupt(format!("stored country: {e}")))
            })
            .collect()
    }

    /// National development plans, by country code.
    pub async fn national_plans(&self) -> Result<Vec<NationalPlan>> {
        self.memoized("national_plans".into(), || self.national_plans_uncached())
            .await
    }

    async fn national_plans_uncached(&self) -> Result<Vec<NationalPlan>> {
        let docs: Vec<String> = on_pool!(self, pool => {
            sqlx::query("SELECT doc FROM national_plan ORDER BY iso2")
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| r.try_get(0))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        docs.iter()
            .map(|d| {
                serde_json::from_str(d)
                    .map_err(|e| StoreError::Corrupt(format!("stored plan: {e}")))
            })
            .collect()
    }

    /// Everything classification needs, read now.
    pub async fn analyzer(&self) -> Result<Arc<Analyzer>> {
        let frameworks: Vec<Framework> = self
            .frameworks()
            .await?
            .into_iter()
            .map(|f| f.framework)
            .collect();
        let mut overrides = HashMap::new();
        for o in self.overrides(None).await? {
            let Some(fw) = frameworks.iter().find(|f| f.id == o.framework_id) else {
                continue;
            };
            let ov = Override {
                shares: o.shares.clone(),
                by: o.set_by.clone(),
                at: o.set_at.clone(),
                reason: o.reason.clone(),
            };
            match Classification::from_override(&ov, &fw.areas) {
                Ok(c) => {
                    overrides.insert((o.framework_id.clone(), o.iati_identifier.clone()), c);
                }
                Err(e) => {
                    tracing::warn!(framework = %o.framework_id, activity = %o.iati_identifier, error = %e,
                        "stored override no longer fits the framework; rules apply instead");
                }
            }
        }
        let keywords = frameworks
            .iter()
            .map(|f| {
                KeywordIndex::new(&f.areas)
                    .map_err(|e| StoreError::Invalid(format!("framework {}: {e}", f.id)))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Arc::new(Analyzer {
            frameworks,
            keywords,
            overrides,
            fx: FxTable::bundled(),
        }))
    }

    /// Stored overrides, optionally of one framework.
    pub async fn overrides(&self, framework: Option<&str>) -> Result<Vec<StoredOverride>> {
        let rows: Vec<(String, String, String, String, String, String, i64)> = on_pool!(self, pool => {
            sqlx::query(
                "SELECT framework_id, iati_identifier, shares, set_by, set_at, reason, version FROM area_override \
                 WHERE ($1 IS NULL OR framework_id = $1) ORDER BY framework_id, iati_identifier",
            )
            .bind(framework)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                    r.try_get(6)?,
                ))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        rows.into_iter()
            .map(
                |(framework_id, iati_identifier, shares, set_by, set_at, reason, version)| {
                    let shares: Vec<(String, Decimal)> = serde_json::from_str(&shares)
                        .map_err(|e| StoreError::Corrupt(format!("stored override shares: {e}")))?;
                    Ok(StoredOverride {
                        framework_id,
                        iati_identifier,
                        shares,
                        set_by,
                        set_at,
                        reason,
                        version,
                    })
                },
            )
            .collect()
    }

    /// Set a person's area shares for an activity. `expected_version` is the
    /// version the person saw (`None` for a new override); a stale write is
    /// refused with [`StoreError::Conflict`]. The activity's tags and facts are
    /// recomputed at once and the change is audited.
    pub async fn set_override(
        &self,
        framework_id: &str,
        iati_identifier: &str,
        shares: &[(String, Decimal)],
        by: &str,
        reason: &str,
        expected_version: Option<i64>,
    ) -> Result<i64> {
        let stored = self.framework(framework_id).await?;
        let ov = Override {
            shares: shares.to_vec(),
            by: by.to_string(),
            at: now_utc(),
            reason: reason.to_string(),
        };
        Classification::from_override(&ov, &stored.framework.areas)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let shares_json =
            serde_json::to_string(shares).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let backend = self.backend();
        let new_version = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let current: Option<(i64, String)> = sqlx::query(
                "SELECT version, shares FROM area_override WHERE framework_id = $1 AND iati_identifier = $2",
            )
            .bind(framework_id)
            .bind(iati_identifier)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?)))
            .transpose()?;
            let current_version = current.as_ref().map(|c| c.0);
            if current_version != expected_version {
                return Err(StoreError::Conflict {
                    what: format!("the classification of `{iati_identifier}` in `{framework_id}`"),
                    current: current_version.unwrap_or(0),
                });
            }
            let next = current_version.unwrap_or(0) + 1;
            sqlx::query(
                "INSERT INTO area_override (framework_id, iati_identifier, shares, set_by, set_at, reason, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (framework_id, iati_identifier) DO UPDATE SET shares = excluded.shares, \
                 set_by = excluded.set_by, set_at = excluded.set_at, reason = excluded.reason, version = excluded.version",
            )
            .bind(framework_id)
            .bind(iati_identifier)
            .bind(&shares_json)
            .bind(by)
            .bind(&ov.at)
            .bind(reason)
            .bind(next)
            .execute(&mut *tx)
            .await?;
            crate::audit::record(
                &mut *tx,
                &crate::audit::AuditEntry {
                    actor: by,
                    action: if current.is_some() { "update" } else { "create" },
                    object_type: "area_override",
                    object_id: &format!("{framework_id}/{iati_identifier}"),
                    before: current.as_ref().map(|c| c.1.as_str()),
                    after: Some(&shares_json),
                },
            )
            .await?;
            tx.commit().await?;
            next
        });
        self.classify_matching(Some(iati_identifier)).await?;
        Ok(new_version)
    }

    /// The area tags of an activity (all frameworks).
    pub async fn activity_tags(&self, activity_id: i64) -> Result<Vec<StoredTag>> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT framework_id, area_id, share, rule_kind, rule_code, explanation FROM area_tag \
                 WHERE activity_id = $1 ORDER BY framework_id, seq",
            )
            .bind(activity_id)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok(StoredTag {
                    framework_id: r.try_get(0)?,
                    area_id: r.try_get(1)?,
                    share: r.try_get(2)?,
                    rule_kind: r.try_get(3)?,
                    rule_code: r.try_get(4)?,
                    explanation: r.try_get(5)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }

    /// Re-run classification and apportioning for every stored activity (after
    /// rules or frameworks change), then rebuild the cube.
    pub async fn classify_all(&self) -> Result<ClassifySummary> {
        self.classify_matching(None).await
    }

    async fn classify_matching(&self, identifier: Option<&str>) -> Result<ClassifySummary> {
        let analyzer = self.analyzer().await?;
        let mut summary = ClassifySummary::default();
        // The chunks below change facts in transactions of their own; until
        // the rebuild at the end, the cube is marked as not to be trusted.
        on_pool!(self, pool => {
            sqlx::query(cube::MARK_STALE).execute(pool).await?;
        });
        // Work in chunks of activity ids so memory stays flat and each chunk is
        // one short transaction.
        let mut after: i64 = i64::MIN;
        loop {
            let chunk: Vec<(i64, crate::doc::StoredDoc)> = on_pool!(self, pool => {
                sqlx::query(
                    "SELECT id, doc FROM activity WHERE id > $1 AND ($2 IS NULL OR iati_identifier = $2) \
                     ORDER BY id LIMIT 500",
                )
                .bind(after)
                .bind(identifier)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
            });
            let Some(last) = chunk.last() else { break };
            after = last.0;
            let an = analyzer.clone();
            let (ids, tags, facts) = tokio::task::spawn_blocking(move || {
                let mut tags = TableBatch::new(&AREA_TAG);
                let mut facts = TableBatch::new(&FACT);
                let mut ids = Vec::new();
                for (id, doc) in chunk {
                    let Ok(activity) = serde_json::from_str::<Activity>(&doc.0) else {
                        tracing::warn!(
                            activity_id = id,
                            "stored activity document does not parse; skipped"
                        );
                        continue;
                    };
                    // The cube is rebuilt from `fact` afterwards.
                    let rows = an.analyse(&activity, None);
                    for t in rows.tags {
                        let mut r = vec![Val::from(id)];
                        r.extend(t);
                        tags.push(r);
                    }
                    for f in rows.facts {
                        let mut r = vec![Val::from(id)];
                        r.extend(f);
                        facts.push(r);
                    }
                    ids.push(id);
                }
                (ids, tags, facts)
            })
            .await
            .map_err(|e| StoreError::Corrupt(format!("classification thread failed: {e}")))?;
            let (mut tags, mut facts) = (tags, facts);
            summary.activities += ids.len() as u64;
            summary.tags += tags.len() as u64;
            summary.facts += facts.len() as u64;
            match &self.pool {
                Pool::Sqlite(pool) => {
                    let mut tx = pool.begin_with(begin_immediate(Backend::Sqlite)).await?;
                    for id in &ids {
                        sqlx::query("DELETE FROM area_tag WHERE activity_id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query("DELETE FROM fact WHERE activity_id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tags.flush_sqlite(&mut tx).await?;
                    facts.flush_sqlite(&mut tx).await?;
                    tx.commit().await?;
                }
                Pool::Postgres(pool) => {
                    let mut tx = pool.begin().await?;
                    sqlx::query("DELETE FROM area_tag WHERE activity_id = ANY($1)")
                        .bind(&ids)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM fact WHERE activity_id = ANY($1)")
                        .bind(&ids)
                        .execute(&mut *tx)
                        .await?;
                    // Both tables in one statement: one round trip (see
                    // `batch::flush_pg_together`).
                    crate::batch::flush_pg_together(&mut [tags, facts], &mut tx).await?;
                    tx.commit().await?;
                }
            }
        }
        self.refresh_cube().await?;
        Ok(summary)
    }

    /// Rebuild `fact_cube` if a classification left it marked stale (see [`cube`]).
    pub(crate) async fn refresh_cube_if_stale(&self) -> Result<()> {
        let stale: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(cube::IS_STALE).fetch_one(pool).await?
        });
        if stale > 0 {
            self.refresh_cube().await?;
        }
        Ok(())
    }

    /// Rebuild `fact_cube` from `fact` in one transaction.
    pub async fn refresh_cube(&self) -> Result<()> {
        let backend = self.backend();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            if backend == Backend::Postgres {
                // One rebuild at a time across processes, and no import's
                // delta while it runs (imports take this lock shared).
                sqlx::query(cube::LOCK).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM fact_cube").execute(&mut *tx).await?;
            sqlx::query(cube::CLEAR_STALE).execute(&mut *tx).await?;
            if backend == Backend::Sqlite {
                let small = format!("PRAGMA cache_size = {}", crate::db::SQLITE_SORT_CACHE_SIZE);
                sqlx::query(sqlx::AssertSqlSafe(small)).execute(&mut *tx).await?;
            }
            let rebuilt = sqlx::query(cube::REBUILD).execute(&mut *tx).await;
            if backend == Backend::Sqlite {
                let normal = format!("PRAGMA cache_size = {}", crate::db::SQLITE_CACHE_SIZE);
                sqlx::query(sqlx::AssertSqlSafe(normal)).execute(&mut *tx).await?;
            }
            rebuilt?;
            tx.commit().await?;
        });
        self.bump_data_version().await
    }

    /// The coverage matrix. Money measures read `fact_cube` when the grouping
    /// keeps both country and area (so transaction counts add up exactly) and
    /// `fact` otherwise; the activities measure counts distinct activities in
    /// `fact`.
    pub async fn matrix(&self, req: &MatrixRequest) -> Result<Matrix> {
        self.memoized(format!("matrix:{req:?}"), || self.matrix_uncached(req))
            .await
    }

    async fn matrix_uncached(&self, req: &MatrixRequest) -> Result<Matrix> {
        let fw_id = match &req.framework {
            Some(id) => id.clone(),
            None => self.default_framework().await?,
        };
        let framework = self.framework(&fw_id).await?.framework;
        let mut req = req.clone();
        req.framework = Some(fw_id.clone());
        let partner_col = match req.partner_by {
            PartnerBy::Reporting => "reporting_org",
            PartnerBy::Funding => "funding_org",
        };
        let has = |d: Dim| req.by.contains(&d);
        let mut keys: Vec<String> = Vec::new();
        keys.push(if has(Dim::Country) {
            "geo_code".into()
        } else {
            "NULL".into()
        });
        keys.push(if has(Dim::Area) {
            "area_id".into()
        } else {
            "NULL".into()
        });
        keys.push(if has(Dim::Partner) {
            partner_col.into()
        } else {
            "NULL".into()
        });
        keys.push(if has(Dim::Year) {
            "year".into()
        } else {
            "NULL".into()
        });
        let group_cols: Vec<&str> = keys
            .iter()
            .map(String::as_str)
            .filter(|k| *k != "NULL")
            .collect();
        let select_keys = keys
            .iter()
            .map(|k| {
                if k == "NULL" {
                    "CAST(NULL AS TEXT)".to_string()
                } else {
                    format!("CAST({k} AS TEXT)")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let measure = req.measure.fact_measure().map(|m| m.as_str());
        let (sql, per_activity) = match req.measure {
            MatrixMeasure::Activities => {
                let mut group = group_cols.clone();
                group.push("activity_id");
                (
                    format!(
                        "SELECT {select_keys}, '' AS currency, CAST(0 AS BIGINT) AS rate_year, CAST(0 AS BIGINT) AS amount, \
                         CAST(COUNT(*) AS BIGINT) AS n, \
                         CAST(activity_id AS TEXT) FROM fact \
                         WHERE framework_id = $1 AND ($2 IS NULL OR measure = $2) \
                           AND ($3 IS NULL OR year >= $3) AND ($4 IS NULL OR year <= $4) \
                         GROUP BY {}",
                        group.join(", ")
                    ),
                    true,
                )
            }
            _ if has(Dim::Country) && has(Dim::Area) => {
                let mut group = group_cols.clone();
                group.extend(["currency", "rate_year"]);
                (
                    format!(
                        "SELECT {select_keys}, currency, rate_year, CAST(SUM(amount_minor) AS BIGINT), \
                         CAST(SUM(transactions) AS BIGINT), CAST(NULL AS TEXT) FROM fact_cube \
                         WHERE framework_id = $1 AND ($2 IS NULL OR measure = $2) \
                           AND ($3 IS NULL OR year >= $3) AND ($4 IS NULL OR year <= $4) \
                         GROUP BY {}",
                        group.join(", ")
                    ),
                    false,
                )
            }
            _ => {
                let mut group = group_cols.clone();
                group.extend(["currency", "rate_year"]);
                (
                    format!(
                        "SELECT {select_keys}, currency, rate_year, CAST(SUM(amount_minor) AS BIGINT), \
                         COUNT(DISTINCT CAST(activity_id AS TEXT) || ':' || CAST(COALESCE(tx_seq, -1 - budget_seq) AS TEXT)), \
                         CAST(NULL AS TEXT) FROM fact \
                         WHERE framework_id = $1 AND ($2 IS NULL OR measure = $2) \
                           AND ($3 IS NULL OR year >= $3) AND ($4 IS NULL OR year <= $4) \
                         GROUP BY {}",
                        group.join(", ")
                    ),
                    false,
                )
            }
        };
        let from = req.from_year.map(i64::from);
        let to = req.to_year.map(i64::from);
        let rows: Vec<GroupRow> = on_pool!(self, pool => {
            let mut out = Vec::new();
            let mut stream = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&fw_id)
                .bind(measure)
                .bind(from)
                .bind(to)
                .fetch(pool);
            while let Some(r) = stream.try_next().await? {
                let year: Option<String> = r.try_get(3)?;
                out.push(GroupRow {
                    country: r.try_get(0)?,
                    area: r.try_get(1)?,
                    partner: r.try_get(2)?,
                    year: year.and_then(|y| i32::from_str(&y).ok()),
                    currency: r.try_get(4)?,
                    rate_year: i32::try_from(r.try_get::<i64, _>(5)?).unwrap_or(0),
                    sum_minor: r.try_get(6)?,
                    transactions: r.try_get(7)?,
                    activity: if per_activity { r.try_get(8)? } else { None },
                });
            }
            out
        });
        Matrix::build(&req, &rows, &FxTable::bundled(), Some(&framework))
            .map_err(|e| StoreError::Invalid(e.to_string()))
    }

    /// The framework reports use when none is named: `nz-japan-2019` if stored,
    /// else the first by id.
    pub async fn default_framework(&self) -> Result<String> {
        let all = self.frameworks().await?;
        all.iter()
            .find(|f| f.framework.id == "nz-japan-2019")
            .or(all.first())
            .map(|f| f.framework.id.clone())
            .ok_or_else(|| {
                StoreError::NotFound("any framework (load one with `vaka framework load`)".into())
            })
    }
}

/// How `fact_cube` (the sums of `fact` by [`key!`]) is kept equal to `fact`.
///
/// Every import applies its own change in the file's transaction: before a
/// changed file's old activities go, their sums are subtracted ([`DELTA`]
/// with sign -1 over the dataset's row ids); after its new ones are written,
/// theirs are added (sign 1), and rows left with no facts are removed
/// ([`PRUNE`]). So the cube is right at every commit, and importing one file
/// costs the size of that file, not of the store. Classification rewrites
/// facts across the store in many transactions: it marks the cube stale
/// ([`MARK_STALE`]) first and rebuilds it ([`REBUILD`]) at the end; an
/// import finding the mark (a classification interrupted) rebuilds too.
pub(crate) mod cube {
    /// The columns that identify a row of `fact_cube`.
    macro_rules! key {
        () => {
            "framework_id, measure, geo_kind, geo_code, area_id, reporting_org, funding_org, year, rate_year, currency"
        };
    }

    /// What an upsert into the cube does with a cell that exists: add to it.
    macro_rules! merge {
        () => {
            concat!(
                " ON CONFLICT (",
                key!(),
                ") DO UPDATE SET amount_minor = fact_cube.amount_minor + excluded.amount_minor, \
                 transactions = fact_cube.transactions + excluded.transactions"
            )
        };
    }

    pub const REBUILD: &str = concat!(
        "INSERT INTO fact_cube (",
        key!(),
        ", amount_minor, transactions) SELECT ",
        key!(),
        ", CAST(SUM(amount_minor) AS BIGINT), COUNT(*) FROM fact GROUP BY ",
        key!()
    );

    /// Add (`$3` = 1) or subtract (`$3` = -1) the facts of the activities
    /// with row ids from `$1` to `$2`.
    pub const DELTA: &str = concat!(
        "INSERT INTO fact_cube (",
        key!(),
        ", amount_minor, transactions) SELECT ",
        key!(),
        ", CAST(SUM(amount_minor) AS BIGINT) * $3, COUNT(*) * $3 FROM fact \
         WHERE activity_id >= $1 AND activity_id <= $2 GROUP BY ",
        key!(),
        merge!()
    );

    /// Add one cell's sums (`$11` in minor units, `$12` facts): the sums of a
    /// file computed while it was parsed (see [`Sums`]).
    pub const ADD_CELL: &str = concat!(
        "INSERT INTO fact_cube (",
        key!(),
        ", amount_minor, transactions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        merge!()
    );

    /// PostgreSQL: [`ADD_CELL`] for all of a file's cells at once, one array
    /// per column (the keys of one file's sums are distinct).
    pub const ADD_CELLS: &str = concat!(
        "INSERT INTO fact_cube (",
        key!(),
        ", amount_minor, transactions) SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], \
         $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[], \
         $11::bigint[], $12::bigint[])",
        merge!()
    );

    /// A cell of the cube: the columns of [`key!`], texts in that order with
    /// `year` and `rate_year` apart.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
    pub struct Key {
        /// framework_id, measure, geo_kind, geo_code, area_id, reporting_org,
        /// funding_org, currency.
        pub text: [String; 8],
        pub year: i64,
        pub rate_year: i64,
    }

    /// The cube's sums of the facts of one file, added up on the parser
    /// thread as the analysis produces the facts, so that the writer upserts
    /// a few thousand cells instead of sorting the file's facts.
    #[derive(Debug, Default)]
    pub struct Sums {
        cells: foldhash::HashMap<Key, (i64, i64)>,
        scratch: Key,
    }

    impl Sums {
        /// Add one fact. Steady state allocates nothing: the key is
        /// assembled in a scratch key and cloned only for a new cell.
        pub fn add(&mut self, f: &vaka_analysis::apportion::Fact) {
            let texts: [&str; 8] = [
                &f.framework,
                f.measure.as_str(),
                f.geo_kind.as_str(),
                &f.geo_code,
                &f.area,
                &f.reporting_org,
                &f.funding_org,
                &f.currency,
            ];
            for (slot, text) in self.scratch.text.iter_mut().zip(texts) {
                slot.clear();
                slot.push_str(text);
            }
            self.scratch.year = i64::from(f.year);
            self.scratch.rate_year = i64::from(f.rate_year);
            match self.cells.get_mut(&self.scratch) {
                Some(cell) => {
                    cell.0 += f.amount_minor;
                    cell.1 += 1;
                }
                None => {
                    self.cells.insert(self.scratch.clone(), (f.amount_minor, 1));
                }
            }
        }

        /// Every cell with its amount and number of facts.
        pub fn cells(&self) -> impl Iterator<Item = (&Key, i64, i64)> {
            self.cells.iter().map(|(k, (a, n))| (k, *a, *n))
        }
    }

    /// Cells whose facts are all gone.
    pub const PRUNE: &str = "DELETE FROM fact_cube WHERE transactions = 0";

    /// Rows of the cube that differ from the sums of `fact`, both ways
    /// (0 when the cube is right).
    pub const DIFFERENCES: &str = concat!(
        "SELECT (SELECT COUNT(*) FROM (SELECT ",
        key!(),
        ", amount_minor, transactions FROM fact_cube EXCEPT SELECT ",
        key!(),
        ", CAST(SUM(amount_minor) AS BIGINT), COUNT(*) FROM fact GROUP BY ",
        key!(),
        ") AS extra) + (SELECT COUNT(*) FROM (SELECT ",
        key!(),
        ", CAST(SUM(amount_minor) AS BIGINT), COUNT(*) FROM fact GROUP BY ",
        key!(),
        " EXCEPT SELECT ",
        key!(),
        ", amount_minor, transactions FROM fact_cube) AS missing)"
    );

    pub const MARK_STALE: &str = "INSERT INTO store_state (key, value) VALUES ('cube_stale', '1') \
        ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    pub const CLEAR_STALE: &str = "DELETE FROM store_state WHERE key = 'cube_stale'";
    pub const IS_STALE: &str = "SELECT COUNT(*) FROM store_state WHERE key = 'cube_stale'";

    /// PostgreSQL: the rebuild holds this advisory lock exclusively, imports
    /// applying their deltas hold it shared.
    pub const LOCK: &str = "SELECT pg_advisory_xact_lock(7661616375626501)";
    pub const LOCK_SHARED: &str = "SELECT pg_advisory_xact_lock_shared(7661616375626501)";

    #[cfg(test)]
    mod tests {
        use super::*;

        use vaka_analysis::apportion::{Fact, GeoKind, Measure};

        fn fact(area: &str, year: i32, amount: i64) -> Fact {
            Fact {
                framework: "fw".into(),
                measure: Measure::Disbursement,
                tx_index: Some(0),
                budget_index: None,
                year,
                rate_year: year + 1,
                geo_kind: GeoKind::Country,
                geo_code: "TO".into(),
                area: area.into(),
                area_rule: "sector 23210".into(),
                reporting_org: "XM-1".into(),
                funding_org: "XM-2".into(),
                currency: "NZD".into(),
                amount_minor: amount,
            }
        }

        #[test]
        fn a_key_holds_the_columns_of_the_cube_key_in_order() {
            // `add_sums` binds the key's texts, then the two years, to the
            // columns of `key!` in this order.
            let key: Vec<&str> = key!().split(", ").collect();
            assert_eq!(
                key,
                [
                    "framework_id",
                    "measure",
                    "geo_kind",
                    "geo_code",
                    "area_id",
                    "reporting_org",
                    "funding_org",
                    "year",
                    "rate_year",
                    "currency"
                ]
            );
            let mut sums = Sums::default();
            sums.add(&fact("water", 2020, 5));
            let (k, _, _) = sums.cells().next().unwrap();
            assert_eq!(
                k.text,
                [
                    "fw",
                    "disbursement",
                    "country",
                    "TO",
                    "water",
                    "XM-1",
                    "XM-2",
                    "NZD"
                ]
                .map(String::from)
            );
            assert_eq!((k.year, k.rate_year), (2020, 2021));
        }

        #[test]
        fn cells_add_up_amounts_and_count_facts() {
            let mut sums = Sums::default();
            sums.add(&fact("water", 2020, 100));
            sums.add(&fact("water", 2020, -30));
            sums.add(&fact("water", 2021, 5));
            sums.add(&fact("energy", 2020, 7));
            // The explanation is not part of the cell.
            let mut other_rule = fact("energy", 2020, 1);
            other_rule.area_rule = "keyword".into();
            sums.add(&other_rule);
            let mut cells: Vec<(String, i64, i64, i64)> = sums
                .cells()
                .map(|(k, a, n)| (k.text[4].clone(), k.year, a, n))
                .collect();
            cells.sort();
            assert_eq!(
                cells,
                [
                    ("energy".to_string(), 2020, 8, 2),
                    ("water".to_string(), 2020, 70, 2),
                    ("water".to_string(), 2021, 5, 1)
                ]
            );
        }
    }
}
