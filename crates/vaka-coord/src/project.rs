//! Joint projects: the model, its lifecycle and who may move it.
//!
//! The lifecycle:
//!
//! ```text
//! concept ─appraise─► appraisal ─submit─► awaiting_endorsement ─endorse─► endorsed ─approve (each partner)─► approved
//!                                                     └─decline(reason)─► declined            ─start─► implementation ─complete─► completed
//! any state before completed ─cancel─► cancelled
//! ```
//!
//! Who may:
//! - nobody without an actor, and no viewer, ever writes;
//! - `appraise`, `submit`, `start`, `complete`, `cancel` and edits: an editor of
//!   one of the project's partners (or an admin);
//! - `endorse`, `decline`: a focal point of one of the project's recipient
//!   countries (or an admin); a decline needs a reason. A regional project with
//!   no countries can only be endorsed by an admin;
//! - `approve`: an editor of that partner (or an admin), for that partner only;
//!   the project becomes `approved` when the last partner approves.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use vaka_domain::access::Actor;

use crate::error::CoordError;

/// Where a joint project is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Concept,
    Appraisal,
    AwaitingEndorsement,
    Endorsed,
    Declined,
    Approved,
    Implementation,
    Completed,
    Cancelled,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 9] = [
        ProjectStatus::Concept,
        ProjectStatus::Appraisal,
        ProjectStatus::AwaitingEndorsement,
        ProjectStatus::Endorsed,
        ProjectStatus::Declined,
        ProjectStatus::Approved,
        ProjectStatus::Implementation,
        ProjectStatus::Completed,
        ProjectStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Concept => "concept",
            ProjectStatus::Appraisal => "appraisal",
            ProjectStatus::AwaitingEndorsement => "awaiting_endorsement",
            ProjectStatus::Endorsed => "endorsed",
            ProjectStatus::Declined => "declined",
            ProjectStatus::Approved => "approved",
            ProjectStatus::Implementation => "implementation",
            ProjectStatus::Completed => "completed",
            ProjectStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectStatus> {
        ProjectStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// No step leads out of this state.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ProjectStatus::Completed | ProjectStatus::Cancelled | ProjectStatus::Declined
        )
    }
}

impl std::fmt::Display for ProjectStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A step in the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Appraise,
    Submit,
    Endorse,
    Decline,
    Approve,
    Start,
    Complete,
    Cancel,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Appraise,
        Action::Submit,
        Action::Endorse,
        Action::Decline,
        Action::Approve,
        Action::Start,
        Action::Complete,
        Action::Cancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Appraise => "appraise",
            Action::Submit => "submit",
            Action::Endorse => "endorse",
            Action::Decline => "decline",
            Action::Approve => "approve",
            Action::Start => "start",
            Action::Complete => "complete",
            Action::Cancel => "cancel",
        }
    }

    pub fn parse(s: &str) -> Result<Action, CoordError> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                CoordError::Invalid(format!(
                    "unknown project action `{s}`: use one of {}",
                    Action::ALL.map(Action::as_str).join(", ")
                ))
            })
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a partner does in a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartnerRole {
    Lead,
    CoFinancier,
    Implementer,
}

impl PartnerRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerRole::Lead => "lead",
            PartnerRole::CoFinancier => "co-financier",
            PartnerRole::Implementer => "implementer",
        }
    }

    pub fn parse(s: &str) -> Result<PartnerRole, CoordError> {
        match s {
            "lead" => Ok(PartnerRole::Lead),
            "co-financier" | "cofinancier" | "co_financier" => Ok(PartnerRole::CoFinancier),
            "implementer" => Ok(PartnerRole::Implementer),
            _ => Err(CoordError::Invalid(format!(
                "unknown partner role `{s}`: use lead, co-financier or implementer"
            ))),
        }
    }
}

/// What a partner puts in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Contribution {
    Money {
        #[serde(with = "rust_decimal::serde::str")]
        amount: Decimal,
        currency: String,
    },
    InKind {
        description: String,
    },
}

/// A partner's approval of the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub by: String,
    pub at: String,
}

/// One partner of a joint project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPartner {
    /// IATI organisation identifier (`NZ-1`, `XM-DAC-701-8`).
    pub org: String,
    pub role: PartnerRole,
    pub contribution: Option<Contribution>,
    /// IATI identifiers of this partner's activities that deliver the project.
    /// Links are by identifier so they survive re-imports.
    #[serde(default)]
    pub activities: Vec<String>,
    #[serde(default)]
    pub approval: Option<Approval>,
}

/// A dated value of a result indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultValue {
    /// `YYYY` or `YYYY-MM-DD`.
    pub period: String,
    pub value: String,
}

/// One result indicator with its baseline, targets and actuals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ResultIndicator {
    pub indicator: String,
    pub baseline: Option<String>,
    #[serde(default)]
    pub targets: Vec<ResultValue>,
    #[serde(default)]
    pub actuals: Vec<ResultValue>,
}

/// What a person gives to create or edit a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProjectInput {
    pub framework: String,
    /// Title per language (`en` required).
    pub title: BTreeMap<String, String>,
    #[serde(default)]
    pub description: BTreeMap<String, String>,
    /// Recipient countries (ISO 3166-1 alpha-2).
    #[serde(default)]
    pub countries: Vec<String>,
    /// A region instead of (or besides) countries (`pacific-islands`, DAC `889`).
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub areas: Vec<String>,
    /// National-plan pillars served (`TO:pillar-id`).
    #[serde(default)]
    pub pillars: Vec<String>,
    pub partners: Vec<ProjectPartner>,
    #[serde(default)]
    pub planned_start: Option<String>,
    #[serde(default)]
    pub planned_end: Option<String>,
    #[serde(default)]
    pub actual_start: Option<String>,
    #[serde(default)]
    pub actual_end: Option<String>,
    #[serde(default)]
    pub results: Vec<ResultIndicator>,
}

impl ProjectInput {
    /// Check what does not need the database: a title, at least one partner,
    /// each once, ISO-shaped country codes and dates.
    pub fn validate(&self) -> Result<(), CoordError> {
        let invalid = |m: String| Err(CoordError::Invalid(m));
        if self.title.get("en").is_none_or(|t| t.trim().is_empty()) {
            return invalid("a project needs an English title (`en`)".into());
        }
        if self.partners.is_empty() {
            return invalid("a project needs at least one partner".into());
        }
        for (i, p) in self.partners.iter().enumerate() {
            if p.org.trim().is_empty() {
                return invalid(format!("partner {} has no organisation identifier", i + 1));
            }
            if self.partners[..i]
                .iter()
                .any(|q| q.org.eq_ignore_ascii_case(&p.org))
            {
                return invalid(format!("partner `{}` is listed twice", p.org));
            }
            if let Some(Contribution::Money { amount, currency }) = &p.contribution {
                if *amount < Decimal::ZERO {
                    return invalid(format!("partner `{}`: contribution is negative", p.org));
                }
                if !vaka_domain::is_iso_currency(currency) {
                    return invalid(format!(
                        "partner `{}`: `{currency}` is not an ISO 4217 currency code",
                        p.org
                    ));
                }
            }
        }
        for c in &self.countries {
            if !vaka_domain::is_iso_country(c) {
                return invalid(format!("`{c}` is not an ISO 3166-1 alpha-2 country code"));
            }
        }
        if self.countries.is_empty() && self.region.is_none() {
            return invalid("a project needs recipient countries or a region".into());
        }
        for (name, d) in [
            ("planned_start", &self.planned_start),
            ("planned_end", &self.planned_end),
            ("actual_start", &self.actual_start),
            ("actual_end", &self.actual_end),
        ] {
            if let Some(d) = d {
                parse_date(d).map_err(|_| {
                    CoordError::Invalid(format!("`{name}`: `{d}` is not a YYYY-MM-DD date"))
                })?;
            }
        }
        Ok(())
    }
}

/// Parse an ISO `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Result<time::Date, CoordError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .map_err(|_| CoordError::Invalid(format!("`{s}` is not a YYYY-MM-DD date")))
}

/// A stored joint project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: i64,
    #[serde(flatten)]
    pub input: ProjectInput,
    pub status: ProjectStatus,
    /// Why a recipient government declined it.
    pub decline_reason: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub version: i64,
}

impl Project {
    /// The title in `lang`, else English.
    pub fn title(&self, lang: &str) -> &str {
        self.input
            .title
            .get(lang)
            .or_else(|| self.input.title.get("en"))
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn partner(&self, org: &str) -> Option<&ProjectPartner> {
        self.input
            .partners
            .iter()
            .find(|p| p.org.eq_ignore_ascii_case(org))
    }

    /// Every linked IATI activity identifier with its partner.
    pub fn linked_activities(&self) -> Vec<(&str, &str)> {
        self.input
            .partners
            .iter()
            .flat_map(|p| p.activities.iter().map(|a| (p.org.as_str(), a.as_str())))
            .collect()
    }
}

/// One recorded lifecycle step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionRecord {
    pub action: Action,
    pub from: ProjectStatus,
    pub to: ProjectStatus,
    /// The partner approving, for `approve`.
    pub partner: Option<String>,
    pub by: String,
    pub at: String,
    pub comment: String,
}

/// The result of a permitted step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub to: ProjectStatus,
    /// The partner whose approval this step records.
    pub approved_for: Option<String>,
}

fn forbidden(m: impl Into<String>) -> CoordError {
    CoordError::Forbidden(m.into())
}

/// May `actor` create a project with these partners: an admin, or an editor of
/// one of them.
pub fn check_create(actor: Option<&Actor>, input: &ProjectInput) -> Result<(), CoordError> {
    let Some(a) = actor else {
        return Err(forbidden("sign in to create a project"));
    };
    if !a.can_write() {
        return Err(forbidden(format!(
            "{} is a viewer and cannot write",
            a.username
        )));
    }
    if a.is_admin() || input.partners.iter().any(|p| a.can_write_for(&p.org)) {
        Ok(())
    } else {
        Err(forbidden(format!(
            "only an editor of one of the partners ({}) can create this project",
            partner_list(&input.partners)
        )))
    }
}

/// May `actor` edit the project's content (not its status): an editor of one of
/// its current partners, or an admin. Final projects are read-only.
pub fn check_edit(actor: Option<&Actor>, project: &Project) -> Result<(), CoordError> {
    check_create(actor, &project.input).map_err(|_| {
        forbidden(format!(
            "only an editor of one of the partners ({}) can edit project {}",
            partner_list(&project.input.partners),
            project.id
        ))
    })?;
    if project.status.is_final() {
        return Err(CoordError::InvalidTransition {
            action: "edit".into(),
            from: project.status.to_string(),
            hint: "the project is closed".into(),
        });
    }
    Ok(())
}

fn partner_list(p: &[ProjectPartner]) -> String {
    p.iter()
        .map(|p| p.org.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Decide whether `actor` may take `action` on `project` and where it leads.
///
/// `partner` names the partner approving (required for `approve` unless the
/// actor's own organisation is a partner). A `decline` needs a `comment` (the
/// reason).
pub fn check_transition(
    actor: Option<&Actor>,
    project: &Project,
    action: Action,
    partner: Option<&str>,
    comment: &str,
) -> Result<Outcome, CoordError> {
    use ProjectStatus as S;
    let Some(a) = actor else {
        return Err(forbidden("sign in to change a project"));
    };
    if !a.can_write() {
        return Err(forbidden(format!(
            "{} is a viewer and cannot write",
            a.username
        )));
    }
    let from = project.status;
    let wrong_state = |hint: &str| CoordError::InvalidTransition {
        action: action.to_string(),
        from: from.to_string(),
        hint: hint.to_string(),
    };
    let partner_editor = || {
        if a.is_admin()
            || project
                .input
                .partners
                .iter()
                .any(|p| a.can_write_for(&p.org))
        {
            Ok(())
        } else {
            Err(forbidden(format!(
                "only an editor of a partner of project {} ({}) can {action} it",
                project.id,
                partner_list(&project.input.partners)
            )))
        }
    };
    let focal_point = || {
        if a.is_admin()
            || project
                .input
                .countries
                .iter()
                .any(|c| a.is_focal_point_for(c))
        {
            Ok(())
        } else {
            Err(forbidden(format!(
                "only a focal point of a recipient government ({}) can {action} project {}",
                if project.input.countries.is_empty() {
                    "none named: an admin decides for a regional project".to_string()
                } else {
                    project.input.countries.join(", ")
                },
                project.id
            )))
        }
    };
    let to = |s| Outcome {
        to: s,
        approved_for: None,
    };
    match action {
        Action::Appraise => {
            partner_editor()?;
            if from != S::Concept {
                return Err(wrong_state("only a concept goes to appraisal"));
            }
            Ok(to(S::Appraisal))
        }
        Action::Submit => {
            partner_editor()?;
            if from != S::Appraisal {
                return Err(wrong_state("appraise it first"));
            }
            Ok(to(S::AwaitingEndorsement))
        }
        Action::Endorse | Action::Decline => {
            focal_point()?;
            if from != S::AwaitingEndorsement {
                return Err(wrong_state("submit it for endorsement first"));
            }
            if action == Action::Decline {
                if comment.trim().is_empty() {
                    return Err(CoordError::Invalid(
                        "a decline needs the reason (the comment)".into(),
                    ));
                }
                Ok(to(S::Declined))
            } else {
                Ok(to(S::Endorsed))
            }
        }
        Action::Approve => {
            let org = match partner {
                Some(p) => p.to_string(),
                None if project.partner(&a.org).is_some() => a.org.clone(),
                None => {
                    return Err(CoordError::Invalid(
                        "name the partner you approve for".into(),
                    ));
                }
            };
            let Some(p) = project.partner(&org) else {
                return Err(CoordError::Invalid(format!(
                    "`{org}` is not a partner of project {}",
                    project.id
                )));
            };
            if !a.can_write_for(&p.org) {
                return Err(forbidden(format!(
                    "only an editor of {} can approve project {} for {}",
                    p.org, project.id, p.org
                )));
            }
            if from != S::Endorsed {
                return Err(wrong_state(
                    "partners approve after the recipient government endorses",
                ));
            }
            if p.approval.is_some() {
                return Err(CoordError::Invalid(format!(
                    "{} has already approved project {}",
                    p.org, project.id
                )));
            }
            let others_done = project
                .input
                .partners
                .iter()
                .filter(|q| !q.org.eq_ignore_ascii_case(&p.org))
                .all(|q| q.approval.is_some());
            Ok(Outcome {
                to: if others_done {
                    S::Approved
                } else {
                    S::Endorsed
                },
                approved_for: Some(p.org.clone()),
            })
        }
        Action::Start => {
            partner_editor()?;
            if from != S::Approved {
                return Err(wrong_state("every partner must approve first"));
            }
            Ok(to(S::Implementation))
        }
        Action::Complete => {
            partner_editor()?;
            if from != S::Implementation {
                return Err(wrong_state("only a project in implementation completes"));
            }
            Ok(to(S::Completed))
        }
        Action::Cancel => {
            partner_editor()?;
            if from.is_final() {
                return Err(wrong_state("it is already closed"));
            }
            Ok(to(S::Cancelled))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vaka_domain::access::{OrgKind, Role};

    fn actor(role: Role, org: &str, country: Option<&str>) -> Actor {
        Actor {
            user_id: 1,
            username: format!("{org}-{role}"),
            org: org.into(),
            org_kind: if country.is_some() {
                OrgKind::Government
            } else {
                OrgKind::Partner
            },
            country: country.map(str::to_owned),
            role,
        }
    }

    fn project(status: ProjectStatus) -> Project {
        let partner = |org: &str, role| ProjectPartner {
            org: org.into(),
            role,
            contribution: None,
            activities: vec![],
            approval: None,
        };
        Project {
            id: 1,
            input: ProjectInput {
                framework: "nz-japan-2019".into(),
                title: [("en".to_string(), "Solar for Tonga".to_string())].into(),
                countries: vec!["TO".into()],
                partners: vec![
                    partner("NZ-1", PartnerRole::Lead),
                    partner("XM-DAC-701-8", PartnerRole::CoFinancier),
                ],
                ..Default::default()
            },
            status,
            decline_reason: None,
            created_by: "x".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            version: 1,
        }
    }

    #[test]
    fn partner_cannot_endorse_for_a_government() {
        let p = project(ProjectStatus::AwaitingEndorsement);
        let nz = actor(Role::Editor, "NZ-1", None);
        let err = check_transition(Some(&nz), &p, Action::Endorse, None, "").unwrap_err();
        assert!(matches!(err, CoordError::Forbidden(_)), "{err}");
        let fj = actor(Role::FocalPoint, "GOV-FJ", Some("FJ"));
        assert!(check_transition(Some(&fj), &p, Action::Endorse, None, "").is_err());
        let to = actor(Role::FocalPoint, "GOV-TO", Some("TO"));
        assert_eq!(
            check_transition(Some(&to), &p, Action::Endorse, None, "")
                .unwrap()
                .to,
            ProjectStatus::Endorsed
        );
        assert!(matches!(
            check_transition(Some(&to), &p, Action::Decline, None, " "),
            Err(CoordError::Invalid(_))
        ));
    }

    #[test]
    fn each_partner_approves_for_itself() {
        let mut p = project(ProjectStatus::Endorsed);
        let jp = actor(Role::Editor, "XM-DAC-701-8", None);
        assert!(matches!(
            check_transition(Some(&jp), &p, Action::Approve, Some("NZ-1"), ""),
            Err(CoordError::Forbidden(_))
        ));
        let first = check_transition(Some(&jp), &p, Action::Approve, None, "").unwrap();
        assert_eq!(first.to, ProjectStatus::Endorsed);
        assert_eq!(first.approved_for.as_deref(), Some("XM-DAC-701-8"));
        p.input.partners[1].approval = Some(Approval {
            by: "jp".into(),
            at: "t".into(),
        });
        let nz = actor(Role::Editor, "NZ-1", None);
        let last = check_transition(Some(&nz), &p, Action::Approve, None, "").unwrap();
        assert_eq!(last.to, ProjectStatus::Approved);
    }

    #[test]
    fn viewers_and_visitors_never_write() {
        let p = project(ProjectStatus::Concept);
        let v = actor(Role::Viewer, "NZ-1", None);
        for a in Action::ALL {
            assert!(matches!(
                check_transition(Some(&v), &p, a, None, "x"),
                Err(CoordError::Forbidden(_))
            ));
            assert!(matches!(
                check_transition(None, &p, a, None, "x"),
                Err(CoordError::Forbidden(_))
            ));
        }
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        let admin = actor(Role::Admin, "OPS", None);
        let p = project(ProjectStatus::Concept);
        for a in [
            Action::Submit,
            Action::Endorse,
            Action::Start,
            Action::Complete,
        ] {
            assert!(matches!(
                check_transition(Some(&admin), &p, a, None, "x"),
                Err(CoordError::InvalidTransition { .. })
            ));
        }
        let done = project(ProjectStatus::Completed);
        assert!(check_transition(Some(&admin), &done, Action::Cancel, None, "").is_err());
    }
}
