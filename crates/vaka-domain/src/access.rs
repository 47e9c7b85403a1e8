//! Who is acting: the signed-in person, their organisation and role.
//!
//! The web layer turns a session or API token into an [`Actor`]; the store and
//! the coordination logic decide with it what that person may do. A public
//! visitor has no actor at all (`Option<&Actor>` is `None`) and may only read
//! published data.

use serde::{Deserialize, Serialize};

/// What a user may do within their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, for every organisation (the deployment's administrators).
    Admin,
    /// Writes for their own organisation (a partner's desk officer).
    Editor,
    /// A Pacific government's coordinator: reads everything about their country
    /// and acts on their country's items (endorsements, action items).
    FocalPoint,
    /// Reads, including unpublished data of their own organisation; never writes.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::FocalPoint, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::FocalPoint => "focal_point",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.as_str().replace('_', "-") == s)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of organisation a user belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// A development partner, identified by its IATI organisation identifier (`NZ-1`).
    Partner,
    /// A Pacific Island government (its `country` is set).
    Government,
    /// Anything else (a regional organisation, the deployment operator).
    Other,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Partner => "partner",
            OrgKind::Government => "government",
            OrgKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        [OrgKind::Partner, OrgKind::Government, OrgKind::Other]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A signed-in person acting in Vaka.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    /// Login name; what the audit log records.
    pub username: String,
    /// Organisation identifier (`NZ-1`, `JP-8`, `GOV-TO`).
    pub org: String,
    pub org_kind: OrgKind,
    /// ISO 3166-1 alpha-2 code of a government organisation's country.
    pub country: Option<String>,
    pub role: Role,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// May write data that belongs to organisation `org`.
    pub fn can_write_for(&self, org: &str) -> bool {
        self.is_admin() || (self.role == Role::Editor && self.org.eq_ignore_ascii_case(org))
    }

    /// Is the focal point (or an admin acting) for country `iso2`.
    pub fn is_focal_point_for(&self, iso2: &str) -> bool {
        self.is_admin()
            || (self.role == Role::FocalPoint
                && self
                    .country
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(iso2)))
    }

    /// May write anything at all (viewers never do).
    pub fn can_write(&self) -> bool {
        self.role != Role::Viewer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, org: &str, country: Option<&str>) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
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

    #[test]
    fn editors_write_only_for_their_organisation() {
        let nz = actor(Role::Editor, "NZ-1", None);
        assert!(nz.can_write_for("NZ-1"));
        assert!(!nz.can_write_for("JP-8"));
        assert!(!actor(Role::Viewer, "NZ-1", None).can_write_for("NZ-1"));
        assert!(actor(Role::Admin, "X", None).can_write_for("JP-8"));
    }

    #[test]
    fn focal_points_act_for_their_country_only() {
        let to = actor(Role::FocalPoint, "GOV-TO", Some("TO"));
        assert!(to.is_focal_point_for("TO"));
        assert!(!to.is_focal_point_for("FJ"));
        assert!(!actor(Role::Editor, "NZ-1", None).is_focal_point_for("TO"));
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("focal-point"), Some(Role::FocalPoint));
        assert_eq!(Role::parse("boss"), None);
    }
}
