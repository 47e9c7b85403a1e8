//! The coordination API (`crate::api_coord`) in the OpenAPI document: one
//! [`CoordRoute`] per operation in [`COORD_ROUTES`], request bodies and the
//! schemas of what the handlers answer. A test compares this table with the
//! routes `api_coord` mounts, both ways.

use serde_json::{Value, json};

use super::openapi::{In, Param, arr, error_response, obj, opt, r, s};

/// What an operation takes as its request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestBody {
    None,
    /// `application/json`, this schema of `components/schemas`.
    Json(&'static str),
    /// The text of a ministerial release (`text/markdown`).
    Markdown,
}

/// What a successful answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `application/json`, this schema of `components/schemas`.
    Json(&'static str),
    /// A printable HTML page.
    Html,
    /// An XLSX workbook.
    Xlsx,
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A signed-in person or an API token (401 otherwise; 403 when the role
    /// or organisation may not).
    SignedIn,
}

/// One operation of the coordination API (path relative to `/api/v1`).
#[derive(Debug, Clone, Copy)]
pub struct CoordRoute {
    /// `get`, `post` or `put`.
    pub method: &'static str,
    pub path: &'static str,
    pub operation_id: &'static str,
    pub summary: &'static str,
    pub params: &'static [Param],
    pub body: RequestBody,
    /// Success statuses (the first is the usual one).
    pub ok: &'static [u16],
    pub answer: Answer,
    pub access: Access,
    /// A write naming `expect_version`: a stale one answers 409 with the
    /// current version.
    pub versioned: bool,
}

const fn id(description: &'static str) -> Param {
    Param {
        name: "id",
        location: In::Path,
        ty: "integer",
        description,
    }
}

const fn q(name: &'static str, ty: &'static str, description: &'static str) -> Param {
    Param {
        name,
        location: In::Query,
        ty,
        description,
    }
}

const TODAY: Param = q(
    "today",
    "string",
    "The date to judge overdue items by (YYYY-MM-DD; default today, UTC).",
);
const CURRENCY: Param = q(
    "currency",
    "string",
    "ISO 4217 currency of the figures (default USD).",
);

const fn read(
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
    params: &'static [Param],
    answer: &'static str,
) -> CoordRoute {
    CoordRoute {
        method: "get",
        path,
        operation_id,
        summary,
        params,
        body: RequestBody::None,
        ok: &[200],
        answer: Answer::Json(answer),
        access: Access::Public,
        versioned: false,
    }
}

/// The defaults of a write by a signed-in person.
const WRITE: CoordRoute = CoordRoute {
    method: "post",
    path: "",
    operation_id: "",
    summary: "",
    params: ID,
    body: RequestBody::None,
    ok: &[200],
    answer: Answer::Json(""),
    access: Access::SignedIn,
    versioned: true,
};

const ID: &[Param] = &[id("Id of the object.")];

/// Every operation of the coordination API, in document order.
pub const COORD_ROUTES: &[CoordRoute] = &[
    read(
        "/announcements",
        "listAnnouncements",
        "Ministerial releases with what was extracted from them",
        &[],
        "AnnouncementList",
    ),
    CoordRoute {
        method: "post",
        path: "/announcements",
        operation_id: "importAnnouncement",
        summary: "Import a release (Markdown with YAML front matter); the same URL again updates it \
                  and keeps reviewed commitments (editors and admins)",
        params: &[q(
            "name",
            "string",
            "The file name to record (default `upload.md`).",
        )],
        body: RequestBody::Markdown,
        ok: &[201, 200],
        answer: Answer::Json("AnnouncementOutcome"),
        access: Access::SignedIn,
        versioned: false,
    },
    read(
        "/announcements/{id}",
        "getAnnouncement",
        "One release: ministers, countries, areas, frameworks, amounts and people with evidence, \
         candidate commitments",
        &[id("Announcement id.")],
        "Announcement",
    ),
    read(
        "/commitments/{id}",
        "getCommitmentStatus",
        "A commitment: announced vs committed vs disbursed, derived progress, history",
        &[
            id("Commitment id."),
            CURRENCY,
            q(
                "today",
                "string",
                "The date to judge lapse by (YYYY-MM-DD; default today, UTC).",
            ),
        ],
        "CommitmentStatus",
    ),
    CoordRoute {
        method: "post",
        path: "/commitments/{id}/review",
        operation_id: "reviewCommitment",
        summary: "Confirm, reject or edit a candidate commitment (an editor of a partner that made it, or an admin)",
        body: RequestBody::Json("CommitmentReviewRequest"),
        ok: &[200],
        answer: Answer::Json("StoredCommitment"),
        versioned: true,
        ..WRITE
    },
    CoordRoute {
        method: "post",
        path: "/commitments/{id}/links",
        operation_id: "linkCommitment",
        summary: "Link a joint project or an IATI activity that delivers a commitment",
        body: RequestBody::Json("CommitmentLinkRequest"),
        ok: &[200],
        answer: Answer::Json("StoredCommitment"),
        versioned: true,
        ..WRITE
    },
    read(
        "/projects",
        "listProjects",
        "Joint projects",
        &[],
        "ProjectList",
    ),
    CoordRoute {
        method: "post",
        path: "/projects",
        operation_id: "createProject",
        summary: "Create a joint project (status `concept`, version 1; an editor of one of its partners)",
        params: &[],
        body: RequestBody::Json("ProjectInput"),
        ok: &[201],
        answer: Answer::Json("Project"),
        versioned: false,
        ..WRITE
    },
    read(
        "/projects/{id}",
        "getProject",
        "A joint project: partners planned vs reported, lifecycle transitions, history",
        &[id("Project id."), CURRENCY],
        "ProjectDetail",
    ),
    CoordRoute {
        method: "put",
        path: "/projects/{id}",
        operation_id: "updateProject",
        summary: "Replace a project's content (everything but its status and approvals)",
        body: RequestBody::Json("ProjectUpdateRequest"),
        ok: &[200],
        answer: Answer::Json("Project"),
        versioned: true,
        ..WRITE
    },
    CoordRoute {
        method: "post",
        path: "/projects/{id}/transitions",
        operation_id: "transitionProject",
        summary: "Move a project through its lifecycle (who may take each step is decided by the partners' and \
         governments' roles)",
        body: RequestBody::Json("ProjectTransitionRequest"),
        ok: &[200],
        answer: Answer::Json("Project"),
        versioned: true,
        ..WRITE
    },
    CoordRoute {
        method: "post",
        path: "/projects/{id}/links",
        operation_id: "linkProjectActivity",
        summary: "Link an IATI activity to a partner of a project (an editor of that partner)",
        body: RequestBody::Json("ProjectLinkRequest"),
        ok: &[200],
        answer: Answer::Json("Project"),
        versioned: true,
        ..WRITE
    },
    read(
        "/consultations",
        "listConsultations",
        "Consultations (meetings) of every framework",
        &[],
        "ConsultationList",
    ),
    CoordRoute {
        method: "post",
        path: "/consultations",
        operation_id: "createConsultation",
        summary: "Record a meeting (version 1)",
        params: &[],
        body: RequestBody::Json("ConsultationInput"),
        ok: &[201],
        answer: Answer::Json("Consultation"),
        versioned: false,
        ..WRITE
    },
    read(
        "/consultations/{id}",
        "getConsultation",
        "A meeting record with its action items (overdue flagged) and history",
        &[id("Consultation id."), TODAY],
        "ConsultationDetail",
    ),
    CoordRoute {
        method: "post",
        path: "/consultations/{id}/record",
        operation_id: "recordAgendaItem",
        summary: "Record decisions and minutes of an agenda item, or add an item",
        body: RequestBody::Json("AgendaRecordRequest"),
        ok: &[200],
        answer: Answer::Json("Consultation"),
        versioned: true,
        ..WRITE
    },
    CoordRoute {
        method: "post",
        path: "/consultations/{id}/actions",
        operation_id: "addActionItem",
        summary: "Add an action item to a meeting",
        body: RequestBody::Json("ActionItemRequest"),
        ok: &[201],
        answer: Answer::Json("ActionItem"),
        versioned: false,
        ..WRITE
    },
    CoordRoute {
        method: "get",
        path: "/consultations/{id}/record.html",
        operation_id: "getMeetingRecordHtml",
        summary: "The printable meeting record",
        params: &[id("Consultation id."), TODAY],
        body: RequestBody::None,
        ok: &[200],
        answer: Answer::Html,
        access: Access::Public,
        versioned: false,
    },
    CoordRoute {
        method: "get",
        path: "/consultations/{id}/record.xlsx",
        operation_id: "getMeetingRecordXlsx",
        summary: "The meeting record as an XLSX workbook",
        params: &[id("Consultation id."), TODAY],
        body: RequestBody::None,
        ok: &[200],
        answer: Answer::Xlsx,
        access: Access::Public,
        versioned: false,
    },
    read(
        "/actions",
        "listActionItems",
        "Action items of every meeting, filtered",
        &[
            q("consultation", "integer", "Consultation id."),
            q("owner", "string", "Owning organisation identifier."),
            q("overdue", "boolean", "Only open items past their due date."),
            TODAY,
        ],
        "ActionList",
    ),
    CoordRoute {
        method: "post",
        path: "/actions/{id}/status",
        operation_id: "setActionStatus",
        summary: "Mark an action item open, done or dropped (its owner organisation, or an admin)",
        body: RequestBody::Json("ActionStatusRequest"),
        ok: &[200],
        answer: Answer::Json("ActionItem"),
        versioned: true,
        ..WRITE
    },
    CoordRoute {
        method: "get",
        path: "/awaiting",
        operation_id: "getAwaiting",
        summary: "What awaits the signed-in person's government or organisation: projects to endorse, \
                  open action items (overdue first)",
        params: &[TODAY],
        body: RequestBody::None,
        ok: &[200],
        answer: Answer::Json("Awaiting"),
        access: Access::SignedIn,
        versioned: false,
    },
];

fn opt_r(name: &str) -> Value {
    json!({ "oneOf": [r(name), s("null")] })
}

fn strings() -> Value {
    arr(s("string"))
}

fn en(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

fn date() -> Value {
    json!({ "type": "string", "description": "YYYY-MM-DD." })
}

fn opt_date() -> Value {
    json!({ "type": ["string", "null"], "description": "YYYY-MM-DD." })
}

fn decimal() -> Value {
    json!({ "type": "string", "description": "Exact decimal." })
}

fn opt_decimal() -> Value {
    json!({ "type": ["string", "null"], "description": "Exact decimal." })
}

fn expect_version() -> Value {
    json!({
        "type": "integer",
        "minimum": 1,
        "description": "The `version` of the object this change is based on (optimistic concurrency): \
                        if the object changed since, nothing is applied and the answer is 409 with the \
                        current version."
    })
}

fn languages() -> Value {
    json!({
        "type": "object",
        "description": "Text by language code (`en` required for a title).",
        "additionalProperties": { "type": "string" }
    })
}

const PROJECT_STATUS: &[&str] = &[
    "concept",
    "appraisal",
    "awaiting_endorsement",
    "endorsed",
    "declined",
    "approved",
    "implementation",
    "completed",
    "cancelled",
];
const PROJECT_ACTIONS: &[&str] = &[
    "appraise", "submit", "endorse", "decline", "approve", "start", "complete", "cancel",
];
const ACTION_STATUS: &[&str] = &["open", "done", "dropped"];
const REVIEW_STATUS: &[&str] = &["draft", "confirmed", "rejected"];
const PROGRESS: &[&str] = &["announced", "in_progress", "delivered", "lapsed"];

/// The schemas of the coordination API, merged into `components/schemas`.
pub fn coord_schemas() -> Value {
    let free = json!({ "type": "object" });
    let conflict = json!({
        "ConflictError": obj(json!({
            "error": obj(json!({
                "status": { "const": 409 },
                "code": { "const": "conflict" },
                "message": s("string"),
                "current_version": {
                    "type": "integer",
                    "description": "The object's version now: reload it, reapply the change and send this as `expect_version`."
                }
            }), &["status", "code", "message", "current_version"])
        }), &["error"]),
        "AuditRecord": obj(json!({
            "id": s("integer"), "at": s("string"), "actor": s("string"), "action": s("string"),
            "object_type": s("string"), "object_id": s("string"),
            "before": { "type": ["string", "null"], "description": "The object before the change, as JSON text." },
            "after": { "type": ["string", "null"], "description": "The object after the change, as JSON text." }
        }), &["id", "at", "actor", "action", "object_type", "object_id", "before", "after"]),
        "History": { "type": "array", "description": "The audit log of the object, oldest first.", "items": r("AuditRecord") },
        "Unconverted": obj(json!({
            "measure": s("string"), "currency": s("string"), "year": s("integer"), "amount": decimal()
        }), &["measure", "currency", "year", "amount"]),
    });
    let projects = json!({
        "Contribution": {
            "oneOf": [
                obj(json!({ "kind": { "const": "money" }, "amount": decimal(), "currency": { "type": "string", "description": "ISO 4217." } }), &["kind", "amount", "currency"]),
                obj(json!({ "kind": { "const": "in-kind" }, "description": s("string") }), &["kind", "description"])
            ]
        },
        "ProjectPartner": obj(json!({
            "org": { "type": "string", "description": "Organisation identifier." },
            "role": en(&["lead", "co-financier", "implementer"]),
            "contribution": opt_r("Contribution"),
            "activities": { "type": "array", "items": s("string"), "description": "Linked IATI activity identifiers." },
            "approval": {
                "description": "Set by the store when this partner approves; ignored in requests.",
                "oneOf": [obj(json!({ "by": s("string"), "at": s("string") }), &["by", "at"]), s("null")]
            }
        }), &["org", "role"]),
        "ResultIndicator": obj(json!({
            "indicator": s("string"),
            "baseline": opt("string"),
            "targets": arr(obj(json!({ "period": s("string"), "value": s("string") }), &["period", "value"])),
            "actuals": arr(obj(json!({ "period": s("string"), "value": s("string") }), &["period", "value"]))
        }), &["indicator"]),
        "ProjectInput": obj(json!({
            "framework": { "type": "string", "description": "Framework id." },
            "title": languages(),
            "description": languages(),
            "countries": { "type": "array", "items": s("string"), "description": "ISO 3166-1 alpha-2 recipient countries (or a `region`)." },
            "region": opt("string"),
            "areas": { "type": "array", "items": s("string"), "description": "Priority areas of the framework." },
            "pillars": strings(),
            "partners": { "type": "array", "items": r("ProjectPartner"), "minItems": 1 },
            "planned_start": opt_date(), "planned_end": opt_date(),
            "actual_start": opt_date(), "actual_end": opt_date(),
            "results": arr(r("ResultIndicator"))
        }), &["framework", "title", "partners"]),
        "Project": {
            "allOf": [r("ProjectInput"), obj(json!({
                "id": s("integer"),
                "status": en(PROJECT_STATUS),
                "decline_reason": opt("string"),
                "created_by": s("string"),
                "created_at": s("string"),
                "version": { "type": "integer", "minimum": 1, "description": "Send it back as `expect_version` with a change." }
            }), &["id", "status", "decline_reason", "created_by", "created_at", "version"])]
        },
        "ProjectList": arr(r("Project")),
        "TransitionRecord": obj(json!({
            "action": en(PROJECT_ACTIONS), "from": en(PROJECT_STATUS), "to": en(PROJECT_STATUS),
            "partner": opt("string"), "by": s("string"), "at": s("string"), "comment": s("string")
        }), &["action", "from", "to", "partner", "by", "at", "comment"]),
        "PartnerFigures": obj(json!({
            "org": s("string"),
            "role": en(&["lead", "co-financier", "implementer"]),
            "planned": opt_r("Contribution"),
            "planned_converted": { "type": ["string", "null"], "description": "The planned money contribution in the report currency (exact decimal)." },
            "activities": strings(),
            "reported": obj(json!({
                "committed": decimal(), "disbursed": decimal(),
                "unconverted": arr(r("Unconverted")),
                "found": { "type": "array", "items": s("string"), "description": "Identifiers with at least one stored activity." }
            }), &["committed", "disbursed", "unconverted", "found"])
        }), &["org", "role", "planned", "planned_converted", "activities", "reported"]),
        "ProjectDetail": obj(json!({
            "project": r("Project"),
            "transitions": arr(r("TransitionRecord")),
            "figures": { "type": "array", "items": r("PartnerFigures"), "description": "Planned vs reported per partner, in `currency`." },
            "history": r("History")
        }), &["project", "transitions", "figures", "history"]),
        "ProjectUpdateRequest": obj(json!({
            "expect_version": expect_version(),
            "project": r("ProjectInput")
        }), &["expect_version", "project"]),
        "ProjectTransitionRequest": obj(json!({
            "expect_version": expect_version(),
            "action": en(PROJECT_ACTIONS),
            "partner": { "type": ["string", "null"], "description": "The partner (or government) the step is taken for; default the caller's organisation." },
            "comment": { "type": "string", "description": "Why (a decline's reason)." }
        }), &["expect_version", "action"]),
        "ProjectLinkRequest": obj(json!({
            "expect_version": expect_version(),
            "partner": { "type": "string", "description": "The partner whose activity it is." },
            "activity": { "type": "string", "description": "IATI identifier." }
        }), &["expect_version", "partner", "activity"]),
    });
    let consultations = json!({
        "AgendaItem": obj(json!({
            "title": s("string"),
            "projects": { "type": "array", "items": s("integer"), "description": "Joint project ids." },
            "countries": strings(),
            "areas": strings(),
            "decisions": strings(),
            "minutes": s("string")
        }), &["title"]),
        "ConsultationInput": obj(json!({
            "framework": { "type": "string", "description": "Framework id." },
            "mechanism": { "type": "string", "description": "Consultation mechanism of the framework, e.g. `senior-officials-consultation`." },
            "title": s("string"),
            "date": date(),
            "place": { "type": ["string", "null"], "description": "Required unless `online`." },
            "online": s("boolean"),
            "participants": { "type": "array", "items": s("string"), "description": "Organisation identifiers." },
            "agenda": arr(r("AgendaItem"))
        }), &["framework", "mechanism", "title", "date"]),
        "Consultation": {
            "allOf": [r("ConsultationInput"), obj(json!({
                "id": s("integer"),
                "mechanism_name": s("string"),
                "created_by": s("string"),
                "created_at": s("string"),
                "version": { "type": "integer", "minimum": 1, "description": "Send it back as `expect_version` with a change." }
            }), &["id", "mechanism_name", "created_by", "created_at", "version"])]
        },
        "ConsultationList": arr(r("Consultation")),
        "ActionItem": obj(json!({
            "id": s("integer"),
            "consultation_id": s("integer"),
            "agenda_item": { "type": ["integer", "null"], "minimum": 0, "description": "0-based agenda item." },
            "text": s("string"),
            "owner_org": s("string"),
            "due": date(),
            "status": en(ACTION_STATUS),
            "version": s("integer")
        }), &["id", "consultation_id", "agenda_item", "text", "owner_org", "due", "status", "version"]),
        "MeetingRecord": obj(json!({
            "consultation": r("Consultation"),
            "framework_name": s("string"),
            "actions": arr(r("ActionItem")),
            "today": date()
        }), &["consultation", "framework_name", "actions", "today"]),
        "ConsultationDetail": obj(json!({
            "record": r("MeetingRecord"),
            "history": r("History")
        }), &["record", "history"]),
        "ActionList": arr(obj(json!({
            "action": r("ActionItem"),
            "overdue": s("boolean")
        }), &["action", "overdue"])),
        "Awaiting": obj(json!({
            "country": opt("string"),
            "org": s("string"),
            "projects": { "type": "array", "items": r("Project"), "description": "Projects awaiting this government's endorsement." },
            "actions": {
                "type": "array",
                "description": "Open action items of the organisation, overdue first.",
                "items": { "allOf": [r("ActionItem"), obj(json!({ "overdue": s("boolean") }), &["overdue"])] }
            }
        }), &["country", "org", "projects", "actions"]),
        "AgendaRecordRequest": obj(json!({
            "expect_version": expect_version(),
            "item": { "type": ["integer", "null"], "minimum": 1, "description": "1-based agenda item; absent to add `title` as a new item." },
            "title": { "type": ["string", "null"], "description": "Title of a new item." },
            "decisions": strings(),
            "minutes": opt("string")
        }), &["expect_version"]),
        "ActionItemRequest": obj(json!({
            "text": s("string"),
            "owner_org": { "type": "string", "description": "Organisation identifier of the owner." },
            "due": date(),
            "item": { "type": ["integer", "null"], "minimum": 1, "description": "1-based agenda item." }
        }), &["text", "owner_org", "due"]),
        "ActionStatusRequest": obj(json!({
            "expect_version": expect_version(),
            "status": en(ACTION_STATUS)
        }), &["expect_version", "status"]),
    });
    let announcements = json!({
        "Evidence": obj(json!({ "id": s("string"), "evidence": s("string"), "mentions": free.clone() }), &["id"]),
        "Announcement": obj(json!({
            "id": s("integer"),
            "title": s("string"),
            "date": date(),
            "url": s("string"),
            "ministers": arr(obj(json!({ "name": s("string"), "portfolios": strings() }), &["name", "portfolios"])),
            "countries": strings(),
            "areas": strings(),
            "frameworks": strings(),
            "amounts": arr(obj(json!({ "value": decimal(), "currency": opt("string"), "evidence": s("string") }), &["value", "currency", "evidence"])),
            "people": arr(obj(json!({ "name": s("string"), "role": opt("string") }), &["name", "role"])),
            "commitments": arr(obj(json!({ "text": s("string"), "status": en(REVIEW_STATUS) }), &["text", "status"])),
            "details": {
                "type": "object",
                "description": "The evidence of every finding, and the stored commitments and provenance.",
                "properties": {
                    "commitment_records": arr(r("StoredCommitment")),
                    "source": obj(json!({
                        "source_name": s("string"), "sha256": s("string"), "import_batch": s("string"),
                        "imported_at": s("string"), "imported_by": s("string"), "version": s("integer")
                    }), &["source_name", "sha256", "imported_at", "imported_by", "version"])
                },
                "required": ["commitment_records", "source"]
            }
        }), &["id", "title", "date", "url", "ministers", "countries", "areas", "frameworks", "amounts", "people", "commitments", "details"]),
        "AnnouncementList": arr(r("Announcement")),
        "AnnouncementOutcome": obj(json!({
            "id": s("integer"),
            "version": s("integer"),
            "change": en(&["created", "updated", "unchanged"])
        }), &["id", "version", "change"]),
        "StoredCommitment": obj(json!({
            "id": s("integer"), "announcement_id": s("integer"), "seq": s("integer"),
            "text": { "type": "string", "description": "The text as reviewed (starts as the extracted sentence)." },
            "extracted_text": s("string"),
            "status": en(REVIEW_STATUS),
            "framework": opt("string"),
            "partners": strings(), "areas": strings(),
            "amount": opt_decimal(), "currency": opt("string"),
            "projects": { "type": "array", "items": s("integer"), "description": "Joint projects that deliver it." },
            "activities": { "type": "array", "items": s("string"), "description": "IATI activities that deliver it." },
            "reviewed_by": opt("string"), "reviewed_at": opt("string"),
            "version": s("integer")
        }), &["id", "announcement_id", "seq", "text", "extracted_text", "status", "partners", "areas", "projects", "activities", "version"]),
        "CommitmentStatus": obj(json!({
            "report": obj(json!({
                "commitment": r("StoredCommitment"),
                "currency": s("string"),
                "announced": opt_decimal(),
                "committed": decimal(),
                "disbursed": decimal(),
                "unconverted": arr(r("Unconverted")),
                "activities_found": strings(),
                "progress": { "description": "Derived for a confirmed commitment; null otherwise.", "oneOf": [en(PROGRESS), s("null")] }
            }), &["commitment", "currency", "announced", "committed", "disbursed", "unconverted", "activities_found", "progress"]),
            "history": r("History")
        }), &["report", "history"]),
        "CommitmentReviewRequest": obj(json!({
            "expect_version": expect_version(),
            "status": { "type": ["string", "null"], "enum": ["draft", "confirmed", "rejected", null] },
            "text": { "type": ["string", "null"], "description": "The reviewed text." },
            "amount": { "type": ["string", "number", "null"], "description": "Exact decimal; applied together with `currency`." },
            "currency": { "type": ["string", "null"], "description": "ISO 4217; applied together with `amount`." }
        }), &["expect_version"]),
        "CommitmentLinkRequest": obj(json!({
            "expect_version": expect_version(),
            "project": { "type": ["integer", "null"], "description": "A joint project id." },
            "activity": { "type": ["string", "null"], "description": "An IATI identifier." }
        }), &["expect_version"]),
    });
    let mut all = serde_json::Map::new();
    for part in [conflict, projects, consultations, announcements] {
        if let Value::Object(m) = part {
            all.extend(m);
        }
    }
    Value::Object(all)
}

/// The security schemes: a signed-in browser session or an API token.
pub fn security_schemes() -> Value {
    json!({
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": crate::auth::SESSION_COOKIE,
            "description": "The session cookie of a signed-in person. Writes with it also send the session's \
                            CSRF token in the `X-CSRF-Token` header."
        },
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (`vaka token create`), sent as `Authorization: Bearer …`; no CSRF token needed."
        }
    })
}

/// Either security scheme.
pub fn signed_in() -> Value {
    json!([{ "session": [] }, { "bearer": [] }])
}

/// The parameters of a route as OpenAPI parameter objects.
pub fn parameters(params: &[Param]) -> Vec<Value> {
    params
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "in": if p.location == In::Path { "path" } else { "query" },
                "required": p.location == In::Path,
                "description": p.description,
                "schema": s(p.ty),
            })
        })
        .collect()
}

/// The operation object of a coordination route.
pub fn operation(route: &CoordRoute) -> Value {
    let mut op = serde_json::Map::new();
    op.insert("operationId".into(), json!(route.operation_id));
    op.insert("summary".into(), json!(route.summary));
    op.insert("parameters".into(), json!(parameters(route.params)));
    match route.body {
        RequestBody::None => {}
        RequestBody::Json(name) => {
            op.insert(
                "requestBody".into(),
                json!({ "required": true, "content": { "application/json": { "schema": r(name) } } }),
            );
        }
        RequestBody::Markdown => {
            op.insert(
                "requestBody".into(),
                json!({
                    "required": true,
                    "description": "A ministerial release: YAML front matter (title, date, url, ministers, \
                                    portfolios) followed by the Markdown text; at most 1 MB.",
                    "content": { "text/markdown": { "schema": s("string") } }
                }),
            );
        }
    }
    let content = match route.answer {
        Answer::Json(name) => json!({ "application/json": { "schema": r(name) } }),
        Answer::Html => json!({ "text/html": { "schema": s("string") } }),
        Answer::Xlsx => json!({
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": { "type": "string", "contentMediaType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }
            }
        }),
    };
    let mut responses = serde_json::Map::new();
    for code in route.ok {
        let description = match (code, route.ok.len()) {
            (201, 1) => "Created",
            (201, _) => "Created (a new release)",
            (200, 1) => "OK",
            _ => "Updated, or unchanged (a release with this URL was already stored)",
        };
        responses.insert(
            code.to_string(),
            json!({ "description": description, "content": content.clone() }),
        );
    }
    if !route.params.is_empty() || route.body != RequestBody::None {
        responses.insert(
            "400".into(),
            error_response(
                "A parameter or the request body is invalid (not JSON, a missing or wrong field, \
                 a rule of the object broken); the message says which.",
            ),
        );
    }
    if route.access == Access::SignedIn {
        responses.insert(
            "401".into(),
            error_response("Not signed in (no session and no API token)."),
        );
        responses.insert(
            "403".into(),
            error_response(
                "Not allowed: a viewer, an organisation that may not make this change, \
                 or (with a session cookie) a missing CSRF token.",
            ),
        );
        op.insert("security".into(), signed_in());
    }
    if route.params.iter().any(|p| p.location == In::Path)
        || matches!(route.body, RequestBody::Json(_))
    {
        responses.insert(
            "404".into(),
            error_response(
                "The object, or one the request names (framework, project), does not exist.",
            ),
        );
    }
    if route.versioned {
        responses.insert(
            "409".into(),
            json!({
                "description": "The object changed since `expect_version`; nothing was applied. \
                                `error.current_version` is its version now.",
                "content": { "application/json": { "schema": r("ConflictError") } }
            }),
        );
    }
    responses.insert("500".into(), error_response("Server error (logged)."));
    op.insert("responses".into(), Value::Object(responses));
    Value::Object(op)
}
