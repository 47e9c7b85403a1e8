//! The framework at work: announcements and their commitments, joint projects
//! and their lifecycle, consultations and their action items.
//!
//! Who may do what is decided by `vaka-coord`; this module loads the object,
//! asks, and writes the result, the audit entry and (for projects) the
//! transition row in one transaction. Every object has a `version`: a write
//! names the version it was based on (`expect_version`) and a stale one is
//! refused with [`StoreError::Conflict`] carrying the current version. The
//! check is an `UPDATE … WHERE version = $expected`, so two concurrent writers
//! cannot both pass it on either backend.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;
use vaka_coord::CoordError;
use vaka_coord::commitment::{Evidence, Progress, ReviewStatus, derive_progress};
use vaka_coord::consultation::{
    ActionItem, ActionStatus, AgendaItem, Consultation, ConsultationInput, MeetingRecord,
    check_action_update, check_write, is_overdue,
};
use vaka_coord::project::{
    Action, Approval, Contribution, PartnerRole, Project, ProjectInput, ProjectStatus,
    TransitionRecord, check_create, check_edit, check_transition, parse_date,
};
use vaka_domain::access::Actor;
use vaka_domain::money::FxTable;

use crate::audit::{AuditEntry, record};
use crate::db::{Store, on_pool};
use crate::error::{Result, StoreError};
use crate::migrate::begin_immediate;
use crate::util::now_utc;

impl From<CoordError> for StoreError {
    fn from(e: CoordError) -> Self {
        match e {
            CoordError::Forbidden(m) => StoreError::Forbidden(m),
            other => StoreError::Invalid(other.to_string()),
        }
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: for<'de> Deserialize<'de>>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn who(actor: Option<&Actor>) -> &str {
    actor.map(|a| a.username.as_str()).unwrap_or("")
}

fn forbid_visitor(actor: Option<&Actor>) -> Result<&Actor> {
    check_write(actor)?;
    actor.ok_or_else(|| StoreError::Forbidden("sign in to write".into()))
}

// ---------------------------------------------------------------------------
// Announcements and commitments

/// What importing one release did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnouncementOutcome {
    pub id: i64,
    pub version: i64,
    /// `created`, `updated` (same URL, new text) or `unchanged` (same text).
    pub change: &'static str,
}

/// A candidate or reviewed commitment from an announcement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCommitment {
    pub id: i64,
    pub announcement_id: i64,
    pub seq: i64,
    /// The text as reviewed (starts as the extracted sentence).
    pub text: String,
    /// The sentence extraction found.
    pub extracted_text: String,
    pub status: ReviewStatus,
    pub framework: Option<String>,
    pub partners: Vec<String>,
    pub areas: Vec<String>,
    /// The announced amount, when the sentence states one.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    /// Joint projects that deliver it.
    pub projects: Vec<i64>,
    /// IATI activity identifiers that deliver it.
    pub activities: Vec<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub version: i64,
}

/// A stored announcement (the list view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnouncementSummary {
    pub id: i64,
    pub title: String,
    pub date: String,
    pub url: String,
    pub source_name: String,
    pub sha256: String,
    pub imported_at: String,
    pub imported_by: String,
    pub version: i64,
}

/// A person's review of a commitment: any of status, text and amount.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitmentReview {
    pub status: Option<ReviewStatus>,
    pub text: Option<String>,
    pub amount: Option<(Decimal, String)>,
}

/// A confirmed commitment with its evidence, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitmentReport {
    pub commitment: StoredCommitment,
    pub currency: String,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub announced: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str")]
    pub committed: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub disbursed: Decimal,
    /// Amounts that could not be converted (no rate), left out of the sums.
    pub unconverted: Vec<Unconverted>,
    /// Identifiers whose activities were found in the store.
    pub activities_found: Vec<String>,
    pub progress: Option<Progress>,
}

/// An amount left out of a converted sum because no rate was known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unconverted {
    pub measure: String,
    pub currency: String,
    pub year: i32,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

fn commitment_from_extraction(
    c: &vaka_announce::Commitment,
    announcement_id: i64,
    seq: i64,
) -> StoredCommitment {
    let amount = c.amounts.iter().find(|a| a.currency.is_some());
    StoredCommitment {
        id: 0,
        announcement_id,
        seq,
        text: c.text.clone(),
        extracted_text: c.text.clone(),
        status: ReviewStatus::Draft,
        framework: c.framework.clone(),
        partners: c.partners.clone(),
        areas: c.areas.clone(),
        amount: amount.map(|a| a.value),
        currency: amount.and_then(|a| a.currency.clone()),
        projects: vec![],
        activities: vec![],
        reviewed_by: None,
        reviewed_at: None,
        version: 1,
    }
}

impl Store {
    /// Parse, extract and store one release. Nothing is stored from a release
    /// whose front matter is rejected (the error names the field and line).
    /// Re-importing the same URL updates the stored announcement (version + 1)
    /// and replaces its *draft* commitments; reviewed ones are kept.
    pub async fn import_announcement(
        &self,
        actor: Option<&Actor>,
        source_name: &str,
        text: &str,
        batch: &str,
    ) -> Result<AnnouncementOutcome> {
        let actor = forbid_visitor(actor)?;
        let release = vaka_announce::parse(source_name, text)
            .map_err(|e| StoreError::Invalid(format!("{source_name}: {e}")))?;
        let ex = vaka_announce::extract(&release, &vaka_announce::Lexicon::nz_japan_default());
        let sha = hex::encode(Sha256::digest(text.as_bytes()));
        let release_json = to_json(&release)?;
        let ex_json = to_json(&ex)?;
        let now = now_utc();
        let backend = self.backend();
        let outcome = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let existing = sqlx::query("SELECT id, version, sha256, release_json, extraction_json FROM announcement WHERE url = $1")
                .bind(&release.url)
                .fetch_optional(&mut *tx)
                .await?;
            let (id, version, change, before) = match existing {
                Some(r) => {
                    let id: i64 = r.try_get(0)?;
                    let version: i64 = r.try_get(1)?;
                    let old_sha: String = r.try_get(2)?;
                    if old_sha == sha {
                        tx.rollback().await?;
                        return Ok(AnnouncementOutcome { id, version, change: "unchanged" });
                    }
                    let before = json!({
                        "release": from_json::<Value>("announcement", &r.try_get::<String, _>(3)?)?,
                        "extraction": from_json::<Value>("announcement", &r.try_get::<String, _>(4)?)?,
                    });
                    sqlx::query(
                        "UPDATE announcement SET title = $1, release_date = $2, source_name = $3, sha256 = $4, \
                         release_json = $5, extraction_json = $6, source_text = $7, import_batch = $8, \
                         imported_at = $9, imported_by = $10, version = version + 1 WHERE id = $11",
                    )
                    .bind(&release.title)
                    .bind(release.date.to_string())
                    .bind(source_name)
                    .bind(&sha)
                    .bind(&release_json)
                    .bind(&ex_json)
                    .bind(text)
                    .bind(batch)
                    .bind(&now)
                    .bind(&actor.username)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    (id, version + 1, "updated", Some(before.to_string()))
                }
                None => {
                    let id: i64 = sqlx::query(
                        "INSERT INTO announcement (url, title, release_date, source_name, sha256, release_json, \
                         extraction_json, source_text, import_batch, imported_at, imported_by, version) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1) RETURNING id",
                    )
                    .bind(&release.url)
                    .bind(&release.title)
                    .bind(release.date.to_string())
                    .bind(source_name)
                    .bind(&sha)
                    .bind(&release_json)
                    .bind(&ex_json)
                    .bind(text)
                    .bind(batch)
                    .bind(&now)
                    .bind(&actor.username)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
                    (id, 1, "created", None)
                }
            };
            // Reviewed commitments stay; drafts are replaced by this extraction's.
            let kept = sqlx::query("SELECT doc, seq FROM commitment WHERE announcement_id = $1 AND status <> 'draft'")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
            let mut kept_texts = Vec::new();
            let mut next_seq = 0i64;
            for r in kept {
                let c: StoredCommitment = from_json("commitment", &r.try_get::<String, _>(0)?)?;
                next_seq = next_seq.max(r.try_get::<i64, _>(1)? + 1);
                kept_texts.push(c.extracted_text);
            }
            let max_seq: Option<i64> = sqlx::query("SELECT MAX(seq) FROM commitment WHERE announcement_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            next_seq = next_seq.max(max_seq.map_or(0, |m| m + 1));
            sqlx::query("DELETE FROM commitment WHERE announcement_id = $1 AND status = 'draft'")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for c in ex.commitments.iter().filter(|c| !kept_texts.contains(&c.text)) {
                let sc = commitment_from_extraction(c, id, next_seq);
                next_seq += 1;
                sqlx::query("INSERT INTO commitment (announcement_id, seq, status, doc, version) VALUES ($1, $2, 'draft', $3, 1)")
                    .bind(id)
                    .bind(sc.seq)
                    .bind(to_json(&sc)?)
                    .execute(&mut *tx)
                    .await?;
            }
            let after = json!({"release": release, "extraction": ex}).to_string();
            record(&mut *tx, &AuditEntry {
                    actor: &actor.username,
                    action: if change == "created" { "create" } else { "update" },
                    object_type: "announcement",
                    object_id: &id.to_string(),
                    before: before.as_deref(),
                    after: Some(&after),
                }).await?;
            tx.commit().await?;
            AnnouncementOutcome { id, version, change }
        });
        tracing::info!(
            id = outcome.id,
            change = outcome.change,
            source = source_name,
            "announcement"
        );
        Ok(outcome)
    }

    /// Every stored announcement, newest release first.
    pub async fn announcements(&self) -> Result<Vec<AnnouncementSummary>> {
        let rows = on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, title, release_date, url, source_name, sha256, imported_at, imported_by, version \
                 FROM announcement ORDER BY release_date DESC, id",
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok(AnnouncementSummary {
                    id: r.try_get(0)?,
                    title: r.try_get(1)?,
                    date: r.try_get(2)?,
                    url: r.try_get(3)?,
                    source_name: r.try_get(4)?,
                    sha256: r.try_get(5)?,
                    imported_at: r.try_get(6)?,
                    imported_by: r.try_get(7)?,
                    version: r.try_get(8)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }

    /// One announcement in the agreed JSON shape (`id`, `title`, `date`, `url`,
    /// `ministers`, `countries`, `areas`, `frameworks`, `amounts`, `people`,
    /// `commitments`, `details`). `commitments` reflects the reviews; the stored
    /// commitment records (ids, versions, links) are under
    /// `details.commitment_records`, provenance under `details.source`.
    pub async fn announcement_json(&self, id: i64) -> Result<Value> {
        let row = on_pool!(self, pool => {
            let r = sqlx::query(
                "SELECT release_json, extraction_json, source_name, sha256, import_batch, imported_at, imported_by, version \
                 FROM announcement WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            match r {
                None => None,
                Some(r) => Some((
                    r.try_get::<String, _>(0)?,
                    r.try_get::<String, _>(1)?,
                    json!({
                        "source_name": r.try_get::<String, _>(2)?,
                        "sha256": r.try_get::<String, _>(3)?,
                        "import_batch": r.try_get::<String, _>(4)?,
                        "imported_at": r.try_get::<String, _>(5)?,
                        "imported_by": r.try_get::<String, _>(6)?,
                        "version": r.try_get::<i64, _>(7)?,
                    }),
                )),
            }
        });
        let Some((rel, ex, source)) = row else {
            return Err(StoreError::NotFound(format!("announcement {id}")));
        };
        let release: vaka_announce::Release = from_json("announcement", &rel)?;
        let ex: vaka_announce::Extraction = from_json("announcement", &ex)?;
        let mut v = vaka_announce::to_json(id, &release, &ex);
        let commitments = self.announcement_commitments(id).await?;
        v["commitments"] = commitments
            .iter()
            .map(|c| json!({"text": c.text, "status": c.status}))
            .collect();
        v["details"]["commitment_records"] =
            serde_json::to_value(&commitments).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        v["details"]["source"] = source;
        Ok(v)
    }

    /// The commitments of an announcement, in order.
    pub async fn announcement_commitments(&self, id: i64) -> Result<Vec<StoredCommitment>> {
        let rows: Vec<(i64, i64, String, String, i64)> = on_pool!(self, pool => {
            sqlx::query("SELECT id, seq, status, doc, version FROM commitment WHERE announcement_id = $1 ORDER BY seq")
                .bind(id)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        rows.into_iter()
            .map(|(cid, seq, status, doc, version)| {
                commitment_row(cid, id, seq, &status, &doc, version)
            })
            .collect()
    }

    /// One commitment.
    pub async fn commitment(&self, id: i64) -> Result<StoredCommitment> {
        let row: Option<(i64, i64, String, String, i64)> = on_pool!(self, pool => {
            sqlx::query("SELECT announcement_id, seq, status, doc, version FROM commitment WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)))
                .transpose()?
        });
        let (aid, seq, status, doc, version) =
            row.ok_or_else(|| StoreError::NotFound(format!("commitment {id}")))?;
        commitment_row(id, aid, seq, &status, &doc, version)
    }

    /// Confirm, reject or edit a commitment (text, announced amount).
    pub async fn review_commitment(
        &self,
        actor: Option<&Actor>,
        id: i64,
        expect_version: i64,
        review: &CommitmentReview,
    ) -> Result<StoredCommitment> {
        let a = forbid_visitor(actor)?;
        let current = self.commitment(id).await?;
        let framework = match &current.framework {
            Some(f) => match self.framework(f).await {
                Ok(s) => Some(s.framework),
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        vaka_coord::commitment::check_review(actor, framework.as_ref(), &current.partners)?;
        if let Some(t) = &review.text
            && t.trim().is_empty()
        {
            return Err(StoreError::Invalid(
                "a commitment's text cannot be empty".into(),
            ));
        }
        if let Some((_, cur)) = &review.amount
            && !vaka_domain::is_iso_currency(cur)
        {
            return Err(StoreError::Invalid(format!(
                "`{cur}` is not an ISO 4217 currency code"
            )));
        }
        let by = a.username.clone();
        let review = review.clone();
        self.modify_commitment(a, id, expect_version, "review", move |c| {
            if let Some(s) = review.status {
                c.status = s;
            }
            if let Some(t) = review.text {
                c.text = t;
            }
            if let Some((amount, cur)) = review.amount {
                c.amount = Some(amount);
                c.currency = Some(cur);
            }
            c.reviewed_by = Some(by);
            c.reviewed_at = Some(now_utc());
            Ok(())
        })
        .await
    }

    /// Link a confirmed commitment to a joint project or an IATI activity.
    pub async fn link_commitment(
        &self,
        actor: Option<&Actor>,
        id: i64,
        expect_version: i64,
        project: Option<i64>,
        activity: Option<&str>,
    ) -> Result<StoredCommitment> {
        let a = forbid_visitor(actor)?;
        if let Some(p) = project {
            self.project(p).await?;
        }
        let activity = activity.map(|s| s.trim().to_string());
        self.modify_commitment(a, id, expect_version, "link", move |c| {
            if c.status != ReviewStatus::Confirmed {
                return Err(StoreError::Invalid(format!(
                    "commitment {} is {}: confirm it before linking evidence",
                    c.id,
                    c.status.as_str()
                )));
            }
            if let Some(p) = project
                && !c.projects.contains(&p)
            {
                c.projects.push(p);
            }
            if let Some(x) = activity
                && !x.is_empty()
                && !c.activities.contains(&x)
            {
                c.activities.push(x);
            }
            Ok(())
        })
        .await
    }

    async fn modify_commitment(
        &self,
        actor: &Actor,
        id: i64,
        expect_version: i64,
        action: &str,
        change: impl FnOnce(&mut StoredCommitment) -> Result<()> + Send,
    ) -> Result<StoredCommitment> {
        let backend = self.backend();
        let out = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let r = sqlx::query("SELECT announcement_id, seq, status, doc, version FROM commitment WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("commitment {id}")))?;
            let doc: String = r.try_get(3)?;
            let mut c = commitment_row(id, r.try_get(0)?, r.try_get(1)?, &r.try_get::<String, _>(2)?, &doc, r.try_get(4)?)?;
            if c.version != expect_version {
                return Err(StoreError::Conflict { what: format!("commitment {id}"), current: c.version });
            }
            let before = to_json(&c)?;
            change(&mut c)?;
            c.version = expect_version + 1;
            let after = to_json(&c)?;
            let n = sqlx::query("UPDATE commitment SET status = $1, doc = $2, version = $3 WHERE id = $4 AND version = $5")
                .bind(c.status.as_str())
                .bind(&after)
                .bind(c.version)
                .bind(id)
                .bind(expect_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(conflict_now!(&mut *tx, "commitment", id));
            }
            record(&mut *tx, &AuditEntry {
                actor: &actor.username,
                action,
                object_type: "commitment",
                object_id: &id.to_string(),
                before: Some(&before),
                after: Some(&after),
            }).await?;
            tx.commit().await?;
            c
        });
        Ok(out)
    }

    /// A commitment with its evidence and derived progress, in `currency`.
    /// Linked activities are those linked directly and those of the linked
    /// projects; announced amounts convert at the announcement year's rates,
    /// reported ones at their own rate year.
    pub async fn commitment_report(
        &self,
        id: i64,
        currency: &str,
        today: time::Date,
    ) -> Result<CommitmentReport> {
        let c = self.commitment(id).await?;
        let release_date: String = on_pool!(self, pool => {
            sqlx::query("SELECT release_date FROM announcement WHERE id = $1")
                .bind(c.announcement_id)
                .fetch_one(pool)
                .await?
                .try_get(0)?
        });
        let announced_on = parse_date(&release_date)?;
        let fx = FxTable::bundled();
        let mut unconverted = Vec::new();
        let announced = match (c.amount, &c.currency) {
            (Some(v), Some(cur)) => {
                match convert_near(&fx, v, cur, currency, announced_on.year()) {
                    Some(x) => Some(x),
                    None => {
                        unconverted.push(Unconverted {
                            measure: "announced".into(),
                            currency: cur.clone(),
                            year: announced_on.year(),
                            amount: v,
                        });
                        None
                    }
                }
            }
            _ => None,
        };
        let mut identifiers = c.activities.clone();
        let mut statuses = Vec::new();
        for p in &c.projects {
            let project = self.project(*p).await?;
            statuses.push(project.status);
            for (_, a) in project.linked_activities() {
                if !identifiers.iter().any(|x| x == a) {
                    identifiers.push(a.to_string());
                }
            }
        }
        let framework = match &c.framework {
            Some(f) => f.clone(),
            None => self.default_framework().await?,
        };
        let rep = self.reported(&framework, &identifiers, currency).await?;
        unconverted.extend(rep.unconverted);
        let progress = (c.status == ReviewStatus::Confirmed).then(|| {
            derive_progress(&Evidence {
                announced,
                committed: rep.committed,
                disbursed: rep.disbursed,
                projects: statuses,
                announced_on,
                today,
            })
        });
        Ok(CommitmentReport {
            commitment: c,
            currency: currency.to_string(),
            announced,
            committed: rep.committed,
            disbursed: rep.disbursed,
            unconverted,
            activities_found: rep.found,
            progress,
        })
    }

    /// Committed and disbursed by the activities with these identifiers, in
    /// `currency`, from the apportioned facts of `framework` (whose parts sum to
    /// each published value).
    pub async fn reported(
        &self,
        framework: &str,
        identifiers: &[String],
        currency: &str,
    ) -> Result<Reported> {
        let fx = FxTable::bundled();
        let mut out = Reported::default();
        for ident in identifiers {
            let rows: Vec<(String, String, i64, i64)> = on_pool!(self, pool => {
                sqlx::query(
                    "SELECT f.measure, f.currency, f.rate_year, CAST(SUM(f.amount_minor) AS BIGINT) \
                     FROM fact f JOIN activity a ON a.id = f.activity_id \
                     WHERE a.iati_identifier = $1 AND f.framework_id = $2 \
                       AND f.measure IN ('commitment', 'disbursement') \
                     GROUP BY f.measure, f.currency, f.rate_year ORDER BY f.measure, f.currency, f.rate_year",
                )
                .bind(ident)
                .bind(framework)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
            });
            let found: bool = on_pool!(self, pool => {
                sqlx::query("SELECT 1 FROM activity WHERE iati_identifier = $1 LIMIT 1")
                    .bind(ident)
                    .fetch_optional(pool)
                    .await?
                    .is_some()
            });
            if found {
                out.found.push(ident.clone());
            }
            for (measure, cur, year, minor) in rows {
                let amount = Decimal::new(minor, 2);
                let year = i32::try_from(year).unwrap_or(0);
                match fx.convert(amount, &cur, currency, year) {
                    Ok(c) if measure == "commitment" => out.committed += c.amount,
                    Ok(c) => out.disbursed += c.amount,
                    Err(_) => out.unconverted.push(Unconverted {
                        measure,
                        currency: cur,
                        year,
                        amount,
                    }),
                }
            }
        }
        Ok(out)
    }
}

/// Reported figures of a set of linked activities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reported {
    #[serde(with = "rust_decimal::serde::str")]
    pub committed: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub disbursed: Decimal,
    pub unconverted: Vec<Unconverted>,
    /// Identifiers with at least one stored activity.
    pub found: Vec<String>,
}

/// Convert at `year`'s rates, else the nearest earlier year with both rates
/// (up to ten years back): planned amounts are often dated after the last
/// published rate.
fn convert_near(fx: &FxTable, v: Decimal, from: &str, to: &str, year: i32) -> Option<Decimal> {
    (0..=10)
        .find_map(|back| fx.convert(v, from, to, year - back).ok())
        .map(|c| c.amount)
}

fn commitment_row(
    id: i64,
    announcement_id: i64,
    seq: i64,
    status: &str,
    doc: &str,
    version: i64,
) -> Result<StoredCommitment> {
    let mut c: StoredCommitment = from_json("commitment", doc)?;
    c.id = id;
    c.announcement_id = announcement_id;
    c.seq = seq;
    c.status = ReviewStatus::parse(status)?;
    c.version = version;
    Ok(c)
}

/// The conflict error for a row whose conditional update matched nothing
/// (a macro so it runs on either backend's transaction).
macro_rules! conflict_now {
    ($conn:expr, $table:literal, $id:expr) => {{
        let what = format!("{} {}", $table.replace('_', " "), $id);
        match sqlx::query(concat!("SELECT version FROM ", $table, " WHERE id = $1"))
            .bind($id)
            .fetch_optional($conn)
            .await
        {
            Ok(Some(r)) => match r.try_get::<i64, _>(0) {
                Ok(current) => StoreError::Conflict { what, current },
                Err(e) => StoreError::Db(e),
            },
            Ok(None) => StoreError::NotFound(what),
            Err(e) => StoreError::Db(e),
        }
    }};
}
use conflict_now;

// ---------------------------------------------------------------------------
// Joint projects

/// action, from, to, partner, actor, at, comment
type TransitionRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
);

/// What is stored in `project.doc`.
#[derive(Serialize, Deserialize)]
struct ProjectDoc {
    #[serde(flatten)]
    input: ProjectInput,
    decline_reason: Option<String>,
}

/// Planned against reported, for one partner of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartnerFigures {
    pub org: String,
    pub role: PartnerRole,
    pub planned: Option<Contribution>,
    /// The planned money contribution in the report currency.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub planned_converted: Option<Decimal>,
    pub activities: Vec<String>,
    pub reported: Reported,
}

/// Who is waiting on a government: what a focal point should act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Awaiting {
    pub country: Option<String>,
    pub org: String,
    /// Projects awaiting this government's endorsement.
    pub projects: Vec<Project>,
    /// Open action items owned by the actor's organisation, overdue first.
    pub actions: Vec<ActionView>,
}

/// An action item with its overdue flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionView {
    #[serde(flatten)]
    pub item: ActionItem,
    pub overdue: bool,
}

fn project_row(
    id: i64,
    status: &str,
    doc: &str,
    created_by: String,
    created_at: String,
    version: i64,
) -> Result<Project> {
    let d: ProjectDoc = from_json("project", doc)?;
    Ok(Project {
        id,
        input: d.input,
        status: ProjectStatus::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("project {id}: status `{status}`")))?,
        decline_reason: d.decline_reason,
        created_by,
        created_at,
        version,
    })
}

fn project_doc(p: &Project) -> Result<String> {
    to_json(&ProjectDoc {
        input: p.input.clone(),
        decline_reason: p.decline_reason.clone(),
    })
}

impl Store {
    async fn check_project_input(&self, input: &ProjectInput) -> Result<()> {
        input.validate()?;
        let fw = self.framework(&input.framework).await?.framework;
        for a in &input.areas {
            if fw.area(a).is_none() {
                return Err(StoreError::Invalid(format!(
                    "`{a}` is not a priority area of {}",
                    fw.id
                )));
            }
        }
        Ok(())
    }

    /// Create a joint project (status `concept`, version 1).
    pub async fn create_project(
        &self,
        actor: Option<&Actor>,
        input: &ProjectInput,
    ) -> Result<Project> {
        check_create(actor, input)?;
        let a = forbid_visitor(actor)?;
        self.check_project_input(input).await?;
        let mut input = input.clone();
        for p in &mut input.partners {
            p.approval = None;
            p.activities.retain(|x| !x.trim().is_empty());
        }
        let now = now_utc();
        let mut project = Project {
            id: 0,
            input,
            status: ProjectStatus::Concept,
            decline_reason: None,
            created_by: a.username.clone(),
            created_at: now.clone(),
            version: 1,
        };
        let doc = project_doc(&project)?;
        let backend = self.backend();
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let id: i64 = sqlx::query(
                "INSERT INTO project (framework_id, status, doc, created_by, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $5, 1) RETURNING id",
            )
            .bind(&project.input.framework)
            .bind(project.status.as_str())
            .bind(&doc)
            .bind(&a.username)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            for (org, ident) in project.linked_activities() {
                sqlx::query("INSERT INTO project_activity (project_id, partner_org, iati_identifier) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(id)
                    .bind(org)
                    .bind(ident)
                    .execute(&mut *tx)
                    .await?;
            }
            project.id = id;
            record(&mut *tx, &AuditEntry {
                actor: &a.username,
                action: "create",
                object_type: "project",
                object_id: &id.to_string(),
                before: None,
                after: Some(&to_json(&project)?),
            }).await?;
            tx.commit().await?;
            id
        });
        project.id = id;
        Ok(project)
    }

    /// One project.
    pub async fn project(&self, id: i64) -> Result<Project> {
        let row = on_pool!(self, pool => {
            sqlx::query("SELECT status, doc, created_by, created_at, version FROM project WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)))
                .transpose()?
        });
        let (status, doc, by, at, version) =
            row.ok_or_else(|| StoreError::NotFound(format!("project {id}")))?;
        project_row(id, &status, &doc, by, at, version)
    }

    /// Every project (of one framework), by id.
    pub async fn projects(&self, framework: Option<&str>) -> Result<Vec<Project>> {
        let rows: Vec<(i64, String, String, String, String, i64)> = on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, status, doc, created_by, created_at, version FROM project \
                 WHERE ($1 IS NULL OR framework_id = $1) ORDER BY id",
            )
            .bind(framework)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        rows.into_iter()
            .map(|(id, s, d, by, at, v)| project_row(id, &s, &d, by, at, v))
            .collect()
    }

    /// The recorded lifecycle steps of a project, oldest first.
    pub async fn project_transitions(&self, id: i64) -> Result<Vec<TransitionRecord>> {
        let rows: Vec<TransitionRow> = on_pool!(self, pool => {
            sqlx::query(
                "SELECT action, from_status, to_status, partner_org, actor, at, comment FROM project_transition \
                 WHERE project_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?, r.try_get(6)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        rows.into_iter()
            .map(|(action, from, to, partner, by, at, comment)| {
                let status = |s: &str| {
                    ProjectStatus::parse(s)
                        .ok_or_else(|| StoreError::Corrupt(format!("project {id}: status `{s}`")))
                };
                Ok(TransitionRecord {
                    action: Action::parse(&action)?,
                    from: status(&from)?,
                    to: status(&to)?,
                    partner,
                    by,
                    at,
                    comment,
                })
            })
            .collect()
    }

    /// Replace a project's content (everything but its status and approvals).
    pub async fn update_project(
        &self,
        actor: Option<&Actor>,
        id: i64,
        expect_version: i64,
        input: &ProjectInput,
    ) -> Result<Project> {
        self.check_project_input(input).await?;
        let input = input.clone();
        self.modify_project(actor, id, expect_version, "update", move |p| {
            check_edit(actor, p)?;
            let mut input = input;
            for q in &mut input.partners {
                q.approval = p.partner(&q.org).and_then(|old| old.approval.clone());
            }
            p.input = input;
            Ok(None)
        })
        .await
    }

    /// Link an IATI activity (by identifier) to a partner of a project. Only an
    /// editor of that partner (or an admin) may.
    pub async fn link_project_activity(
        &self,
        actor: Option<&Actor>,
        id: i64,
        expect_version: i64,
        partner_org: &str,
        identifier: &str,
    ) -> Result<Project> {
        let identifier = identifier.trim().to_string();
        if identifier.is_empty() {
            return Err(StoreError::Invalid("an IATI identifier is required".into()));
        }
        self.modify_project(actor, id, expect_version, "link", move |p| {
            check_edit(actor, p)?;
            let pid = p.id;
            let Some(q) = p
                .input
                .partners
                .iter_mut()
                .find(|q| q.org.eq_ignore_ascii_case(partner_org))
            else {
                return Err(StoreError::Invalid(format!(
                    "`{partner_org}` is not a partner of project {pid}"
                )));
            };
            if !actor.is_some_and(|a| a.can_write_for(&q.org)) {
                return Err(StoreError::Forbidden(format!(
                    "only an editor of {} can link its activities",
                    q.org
                )));
            }
            if !q.activities.contains(&identifier) {
                q.activities.push(identifier);
            }
            Ok(None)
        })
        .await
    }

    /// Move a project through its lifecycle (see `vaka_coord::project`).
    pub async fn transition_project(
        &self,
        actor: Option<&Actor>,
        id: i64,
        expect_version: i64,
        action: Action,
        partner: Option<&str>,
        comment: &str,
    ) -> Result<Project> {
        let label = format!("transition:{action}");
        self.modify_project(actor, id, expect_version, &label, move |p| {
            let out = check_transition(actor, p, action, partner, comment)?;
            let by = who(actor).to_string();
            let at = now_utc();
            let from = p.status;
            if let Some(org) = &out.approved_for
                && let Some(q) = p
                    .input
                    .partners
                    .iter_mut()
                    .find(|q| q.org.eq_ignore_ascii_case(org))
            {
                q.approval = Some(Approval {
                    by: by.clone(),
                    at: at.clone(),
                });
            }
            if action == Action::Decline {
                p.decline_reason = Some(comment.trim().to_string());
            }
            p.status = out.to;
            Ok(Some(TransitionRecord {
                action,
                from,
                to: out.to,
                partner: out.approved_for,
                by,
                at,
                comment: comment.to_string(),
            }))
        })
        .await
    }

    async fn modify_project(
        &self,
        actor: Option<&Actor>,
        id: i64,
        expect_version: i64,
        action: &str,
        change: impl FnOnce(&mut Project) -> Result<Option<TransitionRecord>> + Send,
    ) -> Result<Project> {
        let backend = self.backend();
        let username = who(actor).to_string();
        let out = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let r = sqlx::query("SELECT status, doc, created_by, created_at, version FROM project WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("project {id}")))?;
            let mut p = project_row(id, &r.try_get::<String, _>(0)?, &r.try_get::<String, _>(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)?;
            if p.version != expect_version {
                return Err(StoreError::Conflict { what: format!("project {id}"), current: p.version });
            }
            let before = to_json(&p)?;
            let transition = change(&mut p)?;
            p.version = expect_version + 1;
            let now = now_utc();
            let n = sqlx::query("UPDATE project SET status = $1, doc = $2, updated_at = $3, version = $4 WHERE id = $5 AND version = $6")
                .bind(p.status.as_str())
                .bind(project_doc(&p)?)
                .bind(&now)
                .bind(p.version)
                .bind(id)
                .bind(expect_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(conflict_now!(&mut *tx, "project", id));
            }
            sqlx::query("DELETE FROM project_activity WHERE project_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for (org, ident) in p.linked_activities() {
                sqlx::query("INSERT INTO project_activity (project_id, partner_org, iati_identifier) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(id)
                    .bind(org)
                    .bind(ident)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(t) = &transition {
                sqlx::query(
                    "INSERT INTO project_transition (project_id, action, from_status, to_status, partner_org, actor, at, comment) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id)
                .bind(t.action.as_str())
                .bind(t.from.as_str())
                .bind(t.to.as_str())
                .bind(t.partner.as_deref())
                .bind(&t.by)
                .bind(&t.at)
                .bind(&t.comment)
                .execute(&mut *tx)
                .await?;
            }
            record(&mut *tx, &AuditEntry {
                actor: &username,
                action,
                object_type: "project",
                object_id: &id.to_string(),
                before: Some(&before),
                after: Some(&to_json(&p)?),
            }).await?;
            tx.commit().await?;
            p
        });
        Ok(out)
    }

    /// Planned contributions beside reported figures, per partner, in `currency`.
    /// Planned money converts at the planned start year (else the creation
    /// year), or the nearest earlier year with rates.
    pub async fn project_figures(&self, id: i64, currency: &str) -> Result<Vec<PartnerFigures>> {
        let p = self.project(id).await?;
        let year = p
            .input
            .planned_start
            .as_deref()
            .or(Some(p.created_at.as_str()))
            .and_then(|d| d.get(..4))
            .and_then(|y| i32::from_str(y).ok())
            .unwrap_or(2020);
        let fx = FxTable::bundled();
        let mut out = Vec::new();
        for q in &p.input.partners {
            let planned_converted = match &q.contribution {
                Some(Contribution::Money {
                    amount,
                    currency: c,
                }) => convert_near(&fx, *amount, c, currency, year),
                _ => None,
            };
            let reported = self
                .reported(&p.input.framework, &q.activities, currency)
                .await?;
            out.push(PartnerFigures {
                org: q.org.clone(),
                role: q.role,
                planned: q.contribution.clone(),
                planned_converted,
                activities: q.activities.clone(),
                reported,
            });
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// Consultations and action items

#[derive(Serialize, Deserialize)]
struct ConsultationDoc {
    #[serde(flatten)]
    input: ConsultationInput,
    mechanism_name: String,
}

fn consultation_row(
    id: i64,
    doc: &str,
    created_by: String,
    created_at: String,
    version: i64,
) -> Result<Consultation> {
    let d: ConsultationDoc = from_json("consultation", doc)?;
    Ok(Consultation {
        id,
        input: d.input,
        mechanism_name: d.mechanism_name,
        created_by,
        created_at,
        version,
    })
}

type ActionRow = (i64, i64, Option<i64>, String, String, String, String, i64);

fn action_row(r: ActionRow) -> Result<ActionItem> {
    let (id, consultation_id, agenda_item, text, owner_org, due, status, version) = r;
    Ok(ActionItem {
        id,
        consultation_id,
        agenda_item: agenda_item.and_then(|i| usize::try_from(i).ok()),
        text,
        owner_org,
        due,
        status: ActionStatus::parse(&status)?,
        version,
    })
}

/// The record of one agenda item (see [`Store::record_agenda_item`]).
#[derive(Debug, Clone, Default)]
pub struct ItemRecord {
    /// 0-based agenda index; `None` appends `new_item`.
    pub item: Option<usize>,
    pub new_item: Option<AgendaItem>,
    /// Decisions to add.
    pub decisions: Vec<String>,
    /// Minutes to set (replacing the previous text).
    pub minutes: Option<String>,
}

/// Which action items to list.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub consultation: Option<i64>,
    pub owner: Option<String>,
    /// Only open items due before this date (`YYYY-MM-DD`).
    pub overdue_on: Option<String>,
}

const ACTION_COLS: &str =
    "id, consultation_id, agenda_item, text, owner_org, due_date, status, version";

impl Store {
    /// Create a meeting under a mechanism of its framework.
    pub async fn create_consultation(
        &self,
        actor: Option<&Actor>,
        input: &ConsultationInput,
    ) -> Result<Consultation> {
        let a = forbid_visitor(actor)?;
        input.validate()?;
        let fw = self.framework(&input.framework).await?.framework;
        let mech = fw
            .mechanisms
            .iter()
            .find(|m| m.id == input.mechanism)
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "`{}` is not a mechanism of {} (it has: {})",
                    input.mechanism,
                    fw.id,
                    fw.mechanisms
                        .iter()
                        .map(|m| m.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        for area in input.agenda.iter().flat_map(|i| &i.areas) {
            if fw.area(area).is_none() {
                return Err(StoreError::Invalid(format!(
                    "`{area}` is not a priority area of {}",
                    fw.id
                )));
            }
        }
        for p in input.agenda.iter().flat_map(|i| &i.projects) {
            self.project(*p).await?;
        }
        let now = now_utc();
        let mut c = Consultation {
            id: 0,
            input: input.clone(),
            mechanism_name: mech.name.clone(),
            created_by: a.username.clone(),
            created_at: now.clone(),
            version: 1,
        };
        let doc = to_json(&ConsultationDoc {
            input: c.input.clone(),
            mechanism_name: c.mechanism_name.clone(),
        })?;
        let backend = self.backend();
        c.id = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let id: i64 = sqlx::query(
                "INSERT INTO consultation (framework_id, mechanism_id, meeting_date, doc, created_by, created_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id",
            )
            .bind(&c.input.framework)
            .bind(&c.input.mechanism)
            .bind(&c.input.date)
            .bind(&doc)
            .bind(&a.username)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            record(&mut *tx, &AuditEntry {
                actor: &a.username,
                action: "create",
                object_type: "consultation",
                object_id: &id.to_string(),
                before: None,
                after: Some(&doc),
            }).await?;
            tx.commit().await?;
            id
        });
        Ok(c)
    }

    /// One meeting.
    pub async fn consultation(&self, id: i64) -> Result<Consultation> {
        let row: Option<(String, String, String, i64)> = on_pool!(self, pool => {
            sqlx::query("SELECT doc, created_by, created_at, version FROM consultation WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
                .transpose()?
        });
        let (doc, by, at, v) =
            row.ok_or_else(|| StoreError::NotFound(format!("consultation {id}")))?;
        consultation_row(id, &doc, by, at, v)
    }

    /// Every meeting, latest first.
    pub async fn consultations(&self, framework: Option<&str>) -> Result<Vec<Consultation>> {
        let rows: Vec<(i64, String, String, String, i64)> = on_pool!(self, pool => {
            sqlx::query(
                "SELECT id, doc, created_by, created_at, version FROM consultation \
                 WHERE ($1 IS NULL OR framework_id = $1) ORDER BY meeting_date DESC, id",
            )
            .bind(framework)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        rows.into_iter()
            .map(|(id, d, by, at, v)| consultation_row(id, &d, by, at, v))
            .collect()
    }

    /// Add an agenda item, or write the record (decisions, minutes) of one.
    /// `item` is the 0-based agenda index; `None` appends `new_item`.
    pub async fn record_agenda_item(
        &self,
        actor: Option<&Actor>,
        id: i64,
        expect_version: i64,
        rec: ItemRecord,
    ) -> Result<Consultation> {
        let a = forbid_visitor(actor)?;
        let ItemRecord {
            item,
            new_item,
            decisions,
            minutes,
        } = rec;
        let backend = self.backend();
        let out = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let r = sqlx::query("SELECT doc, created_by, created_at, version FROM consultation WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("consultation {id}")))?;
            let mut c = consultation_row(id, &r.try_get::<String, _>(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)?;
            if c.version != expect_version {
                return Err(StoreError::Conflict { what: format!("consultation {id}"), current: c.version });
            }
            let before = to_json(&c)?;
            let index = match item {
                Some(i) if i < c.input.agenda.len() => i,
                Some(i) => {
                    return Err(StoreError::Invalid(format!(
                        "consultation {id} has {} agenda items; item {} does not exist",
                        c.input.agenda.len(),
                        i + 1
                    )));
                }
                None => {
                    c.input.agenda.push(new_item.unwrap_or_default());
                    c.input.agenda.len() - 1
                }
            };
            if let Some(entry) = c.input.agenda.get_mut(index) {
                entry.decisions.extend(decisions);
                if let Some(m) = minutes {
                    entry.minutes = m;
                }
            }
            c.version = expect_version + 1;
            let doc = to_json(&ConsultationDoc { input: c.input.clone(), mechanism_name: c.mechanism_name.clone() })?;
            let n = sqlx::query("UPDATE consultation SET doc = $1, version = $2 WHERE id = $3 AND version = $4")
                .bind(&doc)
                .bind(c.version)
                .bind(id)
                .bind(expect_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(conflict_now!(&mut *tx, "consultation", id));
            }
            record(&mut *tx, &AuditEntry {
                actor: &a.username,
                action: "record",
                object_type: "consultation",
                object_id: &id.to_string(),
                before: Some(&before),
                after: Some(&to_json(&c)?),
            }).await?;
            tx.commit().await?;
            c
        });
        Ok(out)
    }

    /// Agree an action item at a meeting.
    pub async fn add_action(
        &self,
        actor: Option<&Actor>,
        consultation_id: i64,
        agenda_item: Option<usize>,
        text: &str,
        owner_org: &str,
        due: &str,
    ) -> Result<ActionItem> {
        let a = forbid_visitor(actor)?;
        parse_date(due)?;
        if text.trim().is_empty() || owner_org.trim().is_empty() {
            return Err(StoreError::Invalid(
                "an action item needs a text and an owner organisation".into(),
            ));
        }
        let c = self.consultation(consultation_id).await?;
        if let Some(i) = agenda_item
            && i >= c.input.agenda.len()
        {
            return Err(StoreError::Invalid(format!(
                "consultation {consultation_id} has no agenda item {}",
                i + 1
            )));
        }
        let mut item = ActionItem {
            id: 0,
            consultation_id,
            agenda_item,
            text: text.trim().to_string(),
            owner_org: owner_org.trim().to_string(),
            due: due.to_string(),
            status: ActionStatus::Open,
            version: 1,
        };
        let agenda = agenda_item.and_then(|i| i64::try_from(i).ok());
        let backend = self.backend();
        item.id = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let id: i64 = sqlx::query(
                "INSERT INTO action_item (consultation_id, agenda_item, text, owner_org, due_date, status, version) \
                 VALUES ($1, $2, $3, $4, $5, 'open', 1) RETURNING id",
            )
            .bind(consultation_id)
            .bind(agenda)
            .bind(&item.text)
            .bind(&item.owner_org)
            .bind(&item.due)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            let mut after = item.clone();
            after.id = id;
            record(&mut *tx, &AuditEntry {
                actor: &a.username,
                action: "create",
                object_type: "action_item",
                object_id: &id.to_string(),
                before: None,
                after: Some(&to_json(&after)?),
            }).await?;
            tx.commit().await?;
            id
        });
        Ok(item)
    }

    /// Mark an action item open, done or dropped. Only its owner organisation
    /// (or an admin) may.
    pub async fn set_action_status(
        &self,
        actor: Option<&Actor>,
        id: i64,
        expect_version: i64,
        status: ActionStatus,
    ) -> Result<ActionItem> {
        let a = forbid_visitor(actor)?;
        let backend = self.backend();
        let sql = format!("SELECT {ACTION_COLS} FROM action_item WHERE id = $1");
        let out = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_immediate(backend)).await?;
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("action item {id}")))?;
            let mut item = action_row((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?, r.try_get(6)?, r.try_get(7)?))?;
            check_action_update(Some(a), &item.owner_org)?;
            if item.version != expect_version {
                return Err(StoreError::Conflict { what: format!("action item {id}"), current: item.version });
            }
            let before = to_json(&item)?;
            item.status = status;
            item.version = expect_version + 1;
            let n = sqlx::query("UPDATE action_item SET status = $1, version = $2 WHERE id = $3 AND version = $4")
                .bind(status.as_str())
                .bind(item.version)
                .bind(id)
                .bind(expect_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(conflict_now!(&mut *tx, "action_item", id));
            }
            record(&mut *tx, &AuditEntry {
                actor: &a.username,
                action: "status",
                object_type: "action_item",
                object_id: &id.to_string(),
                before: Some(&before),
                after: Some(&to_json(&item)?),
            }).await?;
            tx.commit().await?;
            item
        });
        Ok(out)
    }

    /// Action items, due date first.
    pub async fn actions(&self, f: &ActionFilter) -> Result<Vec<ActionItem>> {
        let sql = format!(
            "SELECT {ACTION_COLS} FROM action_item \
             WHERE ($1 IS NULL OR consultation_id = $1) AND ($2 IS NULL OR owner_org = $2) \
               AND ($3 IS NULL OR (status = 'open' AND due_date < $3)) ORDER BY due_date, id"
        );
        let rows: Vec<ActionRow> = on_pool!(self, pool => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(f.consultation)
                .bind(f.owner.as_deref())
                .bind(f.overdue_on.as_deref())
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?, r.try_get(6)?, r.try_get(7)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        rows.into_iter().map(action_row).collect()
    }

    /// A meeting's record (agenda, decisions, actions), overdue judged on `today`.
    pub async fn meeting_record(&self, id: i64, today: &str) -> Result<MeetingRecord> {
        let consultation = self.consultation(id).await?;
        let framework_name = self
            .framework(&consultation.input.framework)
            .await?
            .framework
            .name;
        let actions = self
            .actions(&ActionFilter {
                consultation: Some(id),
                ..Default::default()
            })
            .await?;
        Ok(MeetingRecord {
            consultation,
            framework_name,
            actions,
            today: today.to_string(),
        })
    }

    /// What awaits the actor's government (or organisation): projects awaiting
    /// its endorsement and its open action items, overdue first.
    pub async fn awaiting(&self, actor: &Actor, today: &str) -> Result<Awaiting> {
        let country = actor.country.clone();
        let projects = match &country {
            Some(c) => self
                .projects(None)
                .await?
                .into_iter()
                .filter(|p| {
                    p.status == ProjectStatus::AwaitingEndorsement
                        && p.input.countries.iter().any(|x| x.eq_ignore_ascii_case(c))
                })
                .collect(),
            None => vec![],
        };
        let mut actions: Vec<ActionView> = self
            .actions(&ActionFilter {
                owner: Some(actor.org.clone()),
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|a| a.status == ActionStatus::Open)
            .map(|item| ActionView {
                overdue: is_overdue(item.status, &item.due, today),
                item,
            })
            .collect();
        actions.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.item.due.cmp(&b.item.due)));
        Ok(Awaiting {
            country,
            org: actor.org.clone(),
            projects,
            actions,
        })
    }
}

/// Titles per language from `lang=text` pairs (`en` for a bare text).
pub fn localised(pairs: &[String]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|p| match p.split_once('=') {
            Some((l, t)) if l.len() == 2 && l.chars().all(|c| c.is_ascii_lowercase()) => {
                (l.to_string(), t.to_string())
            }
            _ => ("en".to_string(), p.clone()),
        })
        .collect()
}
