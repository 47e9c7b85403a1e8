//! Commitments made in announcements and how far they have been kept.
//!
//! Extraction gives *draft* candidate commitments; a person confirms (possibly
//! after editing the text) or rejects each one ([`ReviewStatus`]). A confirmed
//! commitment links to joint projects and IATI activities, and its
//! [`Progress`] is derived from that evidence by [`derive_progress`]:
//!
//! 1. **delivered** — an announced amount is known and the linked activities
//!    have disbursed at least that much (converted to one currency); or no
//!    amount was announced and every linked project is completed;
//! 2. **in progress** — something has been committed or disbursed against it, or
//!    a linked project is approved, in implementation or completed;
//! 3. **lapsed** — none of that, and either more than [`LAPSE_YEARS`] years have
//!    passed since the announcement or every linked project was declined or
//!    cancelled;
//! 4. **announced** — otherwise.
//!
//! Rejected and draft commitments have no progress.
//!
//! Who may confirm, edit or reject a candidate is [`check_review`]: an admin,
//! or an editor of an organisation the commitment's framework names as a
//! partner from one of the countries that made the commitment.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use vaka_domain::Framework;
use vaka_domain::access::{Actor, Role};

use crate::error::CoordError;
use crate::project::ProjectStatus;

/// Years after the announcement without any evidence after which a commitment
/// counts as lapsed.
pub const LAPSE_YEARS: i32 = 3;

/// A person's decision on a candidate commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Draft,
    Confirmed,
    Rejected,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Draft => "draft",
            ReviewStatus::Confirmed => "confirmed",
            ReviewStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Result<ReviewStatus, CoordError> {
        match s {
            "draft" => Ok(ReviewStatus::Draft),
            "confirmed" => Ok(ReviewStatus::Confirmed),
            "rejected" => Ok(ReviewStatus::Rejected),
            _ => Err(CoordError::Invalid(format!(
                "unknown commitment status `{s}`: use draft, confirmed or rejected"
            ))),
        }
    }
}

/// May `actor` confirm, edit or reject a commitment that `partners` (ISO
/// country codes) made under `framework`: an admin, or an editor whose
/// organisation is one of the framework's partners from those countries.
/// Without a framework or partners, only an admin may.
pub fn check_review(
    actor: Option<&Actor>,
    framework: Option<&Framework>,
    partners: &[String],
) -> Result<(), CoordError> {
    let Some(a) = actor else {
        return Err(CoordError::Forbidden(
            "sign in to review commitments".into(),
        ));
    };
    if a.is_admin() {
        return Ok(());
    }
    if a.role != Role::Editor {
        return Err(CoordError::Forbidden(format!(
            "{} is a {} and cannot review commitments: editors of the committing partners and admins can",
            a.username,
            a.role.as_str()
        )));
    }
    let own = framework
        .and_then(|f| f.partner_for(&a.org))
        .is_some_and(|p| partners.iter().any(|c| c.eq_ignore_ascii_case(&p.country)));
    if own {
        Ok(())
    } else {
        Err(CoordError::Forbidden(format!(
            "{} ({}) is not a partner that made this commitment ({}); only its partners' editors or an admin can review it",
            a.username,
            a.org,
            if partners.is_empty() {
                "none named".to_string()
            } else {
                partners.join(", ")
            }
        )))
    }
}

/// How far a confirmed commitment has been kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    Announced,
    InProgress,
    Delivered,
    Lapsed,
}

impl Progress {
    pub fn as_str(self) -> &'static str {
        match self {
            Progress::Announced => "announced",
            Progress::InProgress => "in_progress",
            Progress::Delivered => "delivered",
            Progress::Lapsed => "lapsed",
        }
    }
}

/// The evidence for one commitment, amounts already in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The announced amount, when the commitment states one.
    pub announced: Option<Decimal>,
    /// Committed by the linked activities (and the linked projects' activities).
    pub committed: Decimal,
    /// Disbursed by the same.
    pub disbursed: Decimal,
    /// Status of each linked project.
    pub projects: Vec<ProjectStatus>,
    pub announced_on: time::Date,
    pub today: time::Date,
}

/// Derive the progress of a confirmed commitment (rules in the module docs).
pub fn derive_progress(e: &Evidence) -> Progress {
    use ProjectStatus as S;
    let positive = |d: Decimal| d > Decimal::ZERO;
    let delivered = match e.announced {
        Some(a) if positive(a) => e.disbursed >= a,
        _ => !e.projects.is_empty() && e.projects.iter().all(|p| *p == S::Completed),
    };
    if delivered {
        return Progress::Delivered;
    }
    let moving = positive(e.committed)
        || positive(e.disbursed)
        || e.projects
            .iter()
            .any(|p| matches!(p, S::Approved | S::Implementation | S::Completed));
    if moving {
        return Progress::InProgress;
    }
    let all_dead = !e.projects.is_empty()
        && e.projects
            .iter()
            .all(|p| matches!(p, S::Declined | S::Cancelled));
    let year = e.announced_on.year() + LAPSE_YEARS;
    // 29 February moves to 28 February in a year without one.
    let deadline = e
        .announced_on
        .replace_year(year)
        .or_else(|_| {
            e.announced_on
                .replace_day(28)
                .and_then(|d| d.replace_year(year))
        })
        .unwrap_or(time::Date::MAX);
    if all_dead || e.today > deadline {
        return Progress::Lapsed;
    }
    Progress::Announced
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn ev() -> Evidence {
        Evidence {
            announced: Some(Decimal::from(100)),
            committed: Decimal::ZERO,
            disbursed: Decimal::ZERO,
            projects: vec![],
            announced_on: date!(2020 - 02 - 29),
            today: date!(2021 - 01 - 01),
        }
    }

    fn who(role: Role, org: &str) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            org: org.into(),
            org_kind: vaka_domain::OrgKind::Partner,
            country: None,
            role,
        }
    }

    #[test]
    fn only_the_committing_partners_review() {
        let f = Framework::bundled_by_id("nz-japan-2019").expect("bundled framework");
        let nz_jp = ["NZ".to_string(), "JP".to_string()];
        let ok = |a: &Actor, p: &[String]| check_review(Some(a), Some(&f), p).is_ok();
        assert!(ok(&who(Role::Editor, "NZ-1"), &nz_jp));
        assert!(ok(&who(Role::Editor, "JP-8"), &nz_jp), "an alias matches");
        assert!(!ok(&who(Role::Editor, "NZ-1"), &["JP".to_string()]));
        assert!(
            !ok(&who(Role::Editor, "XM-DAC-41114"), &nz_jp),
            "not a partner"
        );
        assert!(!ok(&who(Role::Viewer, "NZ-1"), &nz_jp));
        assert!(!ok(&who(Role::FocalPoint, "NZ-1"), &nz_jp));
        assert!(ok(&who(Role::Admin, "cli"), &[]));
        assert!(check_review(None, Some(&f), &nz_jp).is_err());
        assert!(check_review(Some(&who(Role::Editor, "NZ-1")), None, &nz_jp).is_err());
    }

    #[test]
    fn rules_in_order() {
        assert_eq!(derive_progress(&ev()), Progress::Announced);
        let mut e = ev();
        e.committed = Decimal::from(100);
        assert_eq!(derive_progress(&e), Progress::InProgress);
        e.disbursed = Decimal::from(99);
        assert_eq!(derive_progress(&e), Progress::InProgress);
        e.disbursed = Decimal::from(100);
        assert_eq!(derive_progress(&e), Progress::Delivered);

        let mut late = ev();
        late.today = date!(2023 - 03 - 01);
        assert_eq!(derive_progress(&late), Progress::Lapsed);
        late.projects = vec![ProjectStatus::Implementation];
        assert_eq!(derive_progress(&late), Progress::InProgress);

        let mut dead = ev();
        dead.projects = vec![ProjectStatus::Declined, ProjectStatus::Cancelled];
        assert_eq!(derive_progress(&dead), Progress::Lapsed);

        let mut no_amount = ev();
        no_amount.announced = None;
        no_amount.projects = vec![ProjectStatus::Completed];
        assert_eq!(derive_progress(&no_amount), Progress::Delivered);
    }
}
