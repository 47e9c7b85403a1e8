//! Consultations: meetings under a framework's mechanisms, their agenda and
//! record, and the action items they agree.
//!
//! An action item is *overdue* when it is open and its due date is before
//! today ([`is_overdue`]; "today" is always passed in so tests can fix it).
//! [`MeetingRecord`] is what a meeting leaves behind (agenda, decisions,
//! minutes, actions) and renders as a printable HTML page ([`to_html`], every
//! text escaped) and as a workbook ([`to_xlsx`]).

use serde::{Deserialize, Serialize};
use vaka_domain::access::Actor;
use vaka_render::escape;

use crate::error::CoordError;

/// State of an action item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    Done,
    Dropped,
}

impl ActionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::Done => "done",
            ActionStatus::Dropped => "dropped",
        }
    }

    pub fn parse(s: &str) -> Result<ActionStatus, CoordError> {
        match s {
            "open" => Ok(ActionStatus::Open),
            "done" => Ok(ActionStatus::Done),
            "dropped" => Ok(ActionStatus::Dropped),
            _ => Err(CoordError::Invalid(format!(
                "unknown action status `{s}`: use open, done or dropped"
            ))),
        }
    }
}

/// Open and due before `today`. Dates are ISO `YYYY-MM-DD`, so text order is
/// date order.
pub fn is_overdue(status: ActionStatus, due: &str, today: &str) -> bool {
    status == ActionStatus::Open && due < today
}

/// One agenda item and its record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AgendaItem {
    pub title: String,
    /// Joint projects discussed (ids).
    #[serde(default)]
    pub projects: Vec<i64>,
    /// Countries concerned (ISO 3166-1 alpha-2).
    #[serde(default)]
    pub countries: Vec<String>,
    /// Priority areas concerned (area ids).
    #[serde(default)]
    pub areas: Vec<String>,
    /// Decisions taken, one per entry.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// Free-text minutes.
    #[serde(default)]
    pub minutes: String,
}

/// What a person gives to create a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ConsultationInput {
    pub framework: String,
    /// The framework mechanism's id (`senior-officials-consultation`).
    pub mechanism: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Where it is held; `None` with `online` for a video call.
    pub place: Option<String>,
    #[serde(default)]
    pub online: bool,
    /// Participating organisations (identifiers).
    #[serde(default)]
    pub participants: Vec<String>,
    #[serde(default)]
    pub agenda: Vec<AgendaItem>,
}

impl ConsultationInput {
    pub fn validate(&self) -> Result<(), CoordError> {
        if self.title.trim().is_empty() {
            return Err(CoordError::Invalid("a meeting needs a title".into()));
        }
        crate::project::parse_date(&self.date)?;
        if self.place.as_deref().is_none_or(|p| p.trim().is_empty()) && !self.online {
            return Err(CoordError::Invalid(
                "a meeting needs a place, or is online".into(),
            ));
        }
        for c in self.agenda.iter().flat_map(|i| &i.countries) {
            if !vaka_domain::is_iso_country(c) {
                return Err(CoordError::Invalid(format!(
                    "`{c}` is not an ISO 3166-1 alpha-2 country code"
                )));
            }
        }
        Ok(())
    }
}

/// A stored meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consultation {
    pub id: i64,
    #[serde(flatten)]
    pub input: ConsultationInput,
    pub mechanism_name: String,
    pub created_by: String,
    pub created_at: String,
    pub version: i64,
}

/// An agreed action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: i64,
    pub consultation_id: i64,
    /// Index into the meeting's agenda (0-based), when it came from an item.
    pub agenda_item: Option<usize>,
    pub text: String,
    /// The organisation that must act.
    pub owner_org: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    pub status: ActionStatus,
    pub version: i64,
}

/// May `actor` create a meeting or write its record: anyone who writes.
pub fn check_write(actor: Option<&Actor>) -> Result<(), CoordError> {
    match actor {
        Some(a) if a.can_write() => Ok(()),
        Some(a) => Err(CoordError::Forbidden(format!(
            "{} is a viewer and cannot write",
            a.username
        ))),
        None => Err(CoordError::Forbidden("sign in to write".into())),
    }
}

/// May `actor` change the status of an action owned by `owner_org`: someone
/// who writes for that organisation (editor or focal point of it) or an admin.
pub fn check_action_update(actor: Option<&Actor>, owner_org: &str) -> Result<(), CoordError> {
    check_write(actor)?;
    match actor {
        Some(a) if a.is_admin() || a.org.eq_ignore_ascii_case(owner_org) => Ok(()),
        _ => Err(CoordError::Forbidden(format!(
            "only {owner_org} (or an admin) can update its action items"
        ))),
    }
}

/// A meeting's record: agenda with decisions and minutes, and its actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingRecord {
    pub consultation: Consultation,
    /// Name of the framework.
    pub framework_name: String,
    pub actions: Vec<ActionItem>,
    /// The date overdue is judged against.
    pub today: String,
}

impl MeetingRecord {
    pub fn overdue(&self, a: &ActionItem) -> bool {
        is_overdue(a.status, &a.due, &self.today)
    }
}

/// The record as a self-contained printable HTML page.
pub fn to_html(r: &MeetingRecord) -> String {
    use std::fmt::Write as _;
    let c = &r.consultation;
    let mut h = String::with_capacity(4096);
    let where_ = match (&c.input.place, c.input.online) {
        (Some(p), true) => format!("{p} and online"),
        (Some(p), false) => p.clone(),
        (None, _) => "Online".into(),
    };
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse;width:100%}}\
         td,th{{border:1px solid #999;padding:.3em;text-align:left;vertical-align:top}}.overdue{{color:#b00;font-weight:bold}}\
         @media print{{a{{color:inherit;text-decoration:none}}}}</style></head><body>\n\
         <h1>{t}</h1>\n<p>{fw} — {mech}</p>\n<p><strong>Date:</strong> {d} · <strong>Where:</strong> {w}</p>\n\
         <p><strong>Participants:</strong> {parts}</p>\n<h2>Agenda and record</h2>\n<ol>\n",
        t = escape(&c.input.title),
        fw = escape(&r.framework_name),
        mech = escape(&c.mechanism_name),
        d = escape(&c.input.date),
        w = escape(&where_),
        parts = escape(&c.input.participants.join(", ")),
    );
    for item in &c.input.agenda {
        let _ = write!(h, "<li><h3>{}</h3>", escape(&item.title));
        let mut links = Vec::new();
        links.extend(item.projects.iter().map(|p| format!("project {p}")));
        links.extend(item.countries.iter().cloned());
        links.extend(item.areas.iter().cloned());
        if !links.is_empty() {
            let _ = write!(h, "<p><em>Concerns:</em> {}</p>", escape(&links.join(", ")));
        }
        if !item.decisions.is_empty() {
            h.push_str("<p><strong>Decisions</strong></p><ul>");
            for d in &item.decisions {
                let _ = write!(h, "<li>{}</li>", escape(d));
            }
            h.push_str("</ul>");
        }
        if !item.minutes.is_empty() {
            let _ = write!(
                h,
                "<p><strong>Minutes:</strong> {}</p>",
                escape(&item.minutes)
            );
        }
        h.push_str("</li>\n");
    }
    h.push_str("</ol>\n<h2>Action items</h2>\n<table><thead><tr><th>#</th><th>Action</th><th>Owner</th><th>Due</th><th>Status</th></tr></thead><tbody>\n");
    for a in &r.actions {
        let overdue = r.overdue(a);
        let _ = writeln!(
            h,
            "<tr{cls}><td>{id}</td><td>{t}</td><td>{o}</td><td>{d}</td><td>{s}{od}</td></tr>",
            cls = if overdue { " class=\"overdue\"" } else { "" },
            id = a.id,
            t = escape(&a.text),
            o = escape(&a.owner_org),
            d = escape(&a.due),
            s = a.status.as_str(),
            od = if overdue { " (overdue)" } else { "" },
        );
    }
    h.push_str("</tbody></table>\n</body></html>\n");
    h
}

/// The record as an XLSX workbook: sheet `Agenda` (item, concerns, decisions,
/// minutes) and sheet `Actions` (id, action, owner, due, status, overdue).
pub fn to_xlsx(r: &MeetingRecord) -> Result<Vec<u8>, CoordError> {
    use rust_xlsxwriter::{Format, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| CoordError::Xlsx(e.to_string());
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let c = &r.consultation;
    {
        let ws = wb.add_worksheet().set_name("Agenda").map_err(x)?;
        ws.write_string_with_format(0, 0, &c.input.title, &bold)
            .map_err(x)?;
        ws.write_string(1, 0, format!("{} — {}", r.framework_name, c.mechanism_name))
            .map_err(x)?;
        ws.write_string(2, 0, &c.input.date).map_err(x)?;
        for (col, head) in ["#", "Item", "Concerns", "Decisions", "Minutes"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(4, col as u16, *head, &bold)
                .map_err(x)?;
        }
        for (i, item) in c.input.agenda.iter().enumerate() {
            let row = 5 + i as u32;
            let mut links: Vec<String> = item
                .projects
                .iter()
                .map(|p| format!("project {p}"))
                .collect();
            links.extend(item.countries.iter().cloned());
            links.extend(item.areas.iter().cloned());
            ws.write_number(row, 0, (i + 1) as f64).map_err(x)?;
            ws.write_string(row, 1, &item.title).map_err(x)?;
            ws.write_string(row, 2, links.join(", ")).map_err(x)?;
            ws.write_string(row, 3, item.decisions.join("\n"))
                .map_err(x)?;
            ws.write_string(row, 4, &item.minutes).map_err(x)?;
        }
    }
    {
        let ws = wb.add_worksheet().set_name("Actions").map_err(x)?;
        for (col, head) in ["Id", "Action", "Owner", "Due", "Status", "Overdue"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(0, col as u16, *head, &bold)
                .map_err(x)?;
        }
        for (i, a) in r.actions.iter().enumerate() {
            let row = 1 + i as u32;
            ws.write_number(row, 0, a.id as f64).map_err(x)?;
            ws.write_string(row, 1, &a.text).map_err(x)?;
            ws.write_string(row, 2, &a.owner_org).map_err(x)?;
            ws.write_string(row, 3, &a.due).map_err(x)?;
            ws.write_string(row, 4, a.status.as_str()).map_err(x)?;
            ws.write_boolean(row, 5, r.overdue(a)).map_err(x)?;
        }
    }
    wb.save_to_buffer().map_err(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_is_open_and_past_due() {
        assert!(is_overdue(ActionStatus::Open, "2026-01-01", "2026-01-02"));
        assert!(!is_overdue(ActionStatus::Open, "2026-01-02", "2026-01-02"));
        assert!(!is_overdue(ActionStatus::Done, "2025-01-01", "2026-01-02"));
        assert!(!is_overdue(
            ActionStatus::Dropped,
            "2025-01-01",
            "2026-01-02"
        ));
    }

    #[test]
    fn html_escapes_everything_people_typed() {
        let r = MeetingRecord {
            consultation: Consultation {
                id: 1,
                input: ConsultationInput {
                    framework: "nz-japan-2019".into(),
                    mechanism: "technical-working-group".into(),
                    title: "<script>alert(1)</script>".into(),
                    date: "2026-03-01".into(),
                    place: Some("Nuku'alofa".into()),
                    online: false,
                    participants: vec!["NZ-1".into()],
                    agenda: vec![AgendaItem {
                        title: "Solar & storage".into(),
                        decisions: vec!["Go <ahead>".into()],
                        ..Default::default()
                    }],
                },
                mechanism_name: "Technical working group".into(),
                created_by: "x".into(),
                created_at: "t".into(),
                version: 1,
            },
            framework_name: "Joint Declaration".into(),
            actions: vec![ActionItem {
                id: 7,
                consultation_id: 1,
                agenda_item: Some(0),
                text: "Send \"terms\"".into(),
                owner_org: "GOV-TO".into(),
                due: "2026-02-01".into(),
                status: ActionStatus::Open,
                version: 1,
            }],
            today: "2026-03-01".into(),
        };
        let h = to_html(&r);
        assert!(!h.contains("<script>"));
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(h.contains("Solar &amp; storage"));
        assert!(h.contains("Go &lt;ahead&gt;"));
        assert!(h.contains("Nuku&#39;alofa"));
        assert!(h.contains("Send &quot;terms&quot;"));
        assert!(h.contains("(overdue)"));
        let x = to_xlsx(&r).unwrap();
        assert_eq!(&x[..2], b"PK");
    }
}
