//! The OpenAPI 3.1 document of `/api/v1`, built from [`ROUTES`] (one entry per
//! mounted route: a test checks that every entry answers), the coordination
//! API's [`COORD_ROUTES`](super::openapi_coord::COORD_ROUTES) and the schemas
//! of the JSON the store types serialise to.

use serde_json::{Value, json};

use super::openapi_coord::{
    COORD_ROUTES, coord_schemas, operation, parameters, security_schemes, signed_in,
};

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    Path,
    Query,
}

/// One parameter of a route.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub location: In,
    /// JSON Schema type: `string` or `integer`.
    pub ty: &'static str,
    pub description: &'static str,
}

/// One GET route of the API (path relative to `/api/v1`).
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub path: &'static str,
    pub operation_id: &'static str,
    pub summary: &'static str,
    pub params: &'static [Param],
    /// Name of the response schema in `components/schemas`.
    pub response: &'static str,
}

const fn q(name: &'static str, ty: &'static str, description: &'static str) -> Param {
    Param {
        name,
        location: In::Query,
        ty,
        description,
    }
}

const fn p(name: &'static str, description: &'static str) -> Param {
    Param {
        name,
        location: In::Path,
        ty: "string",
        description,
    }
}

const ACTIVITY_FILTERS: &[Param] = &[
    q(
        "q",
        "string",
        "Words that must all occur in a title or description (any language).",
    ),
    q("country", "string", "ISO 3166-1 alpha-2 recipient country."),
    q(
        "area",
        "string",
        "Priority area id of `framework` (default framework if absent), or `unclassified`.",
    ),
    q("framework", "string", "Framework id."),
    q(
        "partner",
        "string",
        "Organisation identifier (reporting or participating).",
    ),
    q("status", "string", "IATI ActivityStatus code."),
    q("year", "integer", "Active at some time in this year."),
    q(
        "after",
        "string",
        "Cursor: the `next` of the previous page.",
    ),
    q("limit", "integer", "Page size, 1 to 500 (default 50)."),
];

/// Every route of `/api/v1`, in document order.
pub const ROUTES: &[Route] = &[
    Route {
        path: "/frameworks",
        operation_id: "listFrameworks",
        summary: "Cooperation frameworks",
        params: &[],
        response: "FrameworkList",
    },
    Route {
        path: "/frameworks/{id}",
        operation_id: "getFramework",
        summary: "One framework",
        params: &[p("id", "Framework id, e.g. `nz-japan-2019`.")],
        response: "StoredFramework",
    },
    Route {
        path: "/frameworks/{id}/areas",
        operation_id: "listAreas",
        summary: "Priority areas of a framework, with their classification rules",
        params: &[p("id", "Framework id.")],
        response: "AreaList",
    },
    Route {
        path: "/frameworks/{id}/areas/{area}",
        operation_id: "getArea",
        summary: "A priority area: activities, partners, disbursements by country",
        params: &[p("id", "Framework id."), p("area", "Priority area id.")],
        response: "AreaSummary",
    },
    Route {
        path: "/countries",
        operation_id: "listCountries",
        summary: "Pacific countries (reference data)",
        params: &[],
        response: "CountryList",
    },
    Route {
        path: "/countries/{iso2}",
        operation_id: "getCountry",
        summary: "A country: partners, coverage by area, regional programmes",
        params: &[
            p("iso2", "ISO 3166-1 alpha-2 code."),
            q(
                "framework",
                "string",
                "Framework id (default framework if absent).",
            ),
        ],
        response: "CountrySummary",
    },
    Route {
        path: "/partners",
        operation_id: "listPartners",
        summary: "Organisations that report or take part in activities",
        params: &[],
        response: "PartnerList",
    },
    Route {
        path: "/partners/{ref}",
        operation_id: "getPartner",
        summary: "One organisation",
        params: &[p("ref", "Organisation identifier, e.g. `XM-DAC-41114`.")],
        response: "PartnerDetail",
    },
    Route {
        path: "/activities",
        operation_id: "listActivities",
        summary: "Activities, filtered, in stable order with cursor paging",
        params: ACTIVITY_FILTERS,
        response: "ActivityPage",
    },
    Route {
        path: "/activities/{id}",
        operation_id: "getActivity",
        summary: "Everything about one activity, with provenance",
        params: &[p("id", "IATI identifier.")],
        response: "ActivityDetail",
    },
    Route {
        path: "/transactions",
        operation_id: "listTransactions",
        summary: "Transactions, filtered, with cursor paging",
        params: &[
            q("activity", "string", "IATI identifier of the activity."),
            q(
                "country",
                "string",
                "Recipient country of the activity (ISO2).",
            ),
            q(
                "partner",
                "string",
                "Reporting, provider or receiver organisation.",
            ),
            q("type", "string", "IATI TransactionType code."),
            q("year", "integer", "Year of the transaction date."),
            q(
                "area",
                "string",
                "Priority area the transaction is apportioned to.",
            ),
            q("framework", "string", "Framework of `area`."),
            q(
                "after",
                "string",
                "Cursor: the `next` of the previous page.",
            ),
            q("limit", "integer", "Page size, 1 to 500 (default 50)."),
        ],
        response: "TransactionPage",
    },
    Route {
        path: "/matrix",
        operation_id: "getMatrix",
        summary: "The coverage matrix (as `vaka report matrix --format json`)",
        params: &[
            q(
                "framework",
                "string",
                "Framework id (default framework if absent).",
            ),
            q(
                "currency",
                "string",
                "ISO 4217 reporting currency (default USD).",
            ),
            q("from", "integer", "First year."),
            q("to", "integer", "Last year."),
            q(
                "measure",
                "string",
                "disbursements (default), commitments, budgets or activities.",
            ),
            q(
                "by",
                "string",
                "Grouping, comma separated: country,area,partner,year (default country,area).",
            ),
            q("partner_by", "string", "reporting (default) or funding."),
        ],
        response: "Matrix",
    },
    Route {
        path: "/search",
        operation_id: "search",
        summary: "Full-text search over titles and descriptions in every language, ranked",
        params: ACTIVITY_FILTERS,
        response: "SearchPage",
    },
    Route {
        path: "/diagnostics",
        operation_id: "listDiagnostics",
        summary: "What was found wrong in the imported data",
        params: &[
            q(
                "severity",
                "string",
                "critical, error or warning: this severity and worse.",
            ),
            q("kind", "string", "Diagnostic kind."),
            q("file", "string", "Dataset path."),
            q("activity", "string", "IATI identifier."),
            q(
                "limit",
                "integer",
                "At most this many (default 1000, at most 10000).",
            ),
        ],
        response: "DiagnosticList",
    },
    Route {
        path: "/imports",
        operation_id: "listImports",
        summary: "Imported datasets with their import runs",
        params: &[],
        response: "Imports",
    },
];

pub(super) fn s(ty: &str) -> Value {
    json!({ "type": ty })
}

pub(super) fn opt(ty: &str) -> Value {
    json!({ "type": [ty, "null"] })
}

pub(super) fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub(super) fn arr(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

pub(super) fn obj(props: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": props, "required": required })
}

fn page(item: &str) -> Value {
    obj(
        json!({
            "items": arr(r(item)),
            "next": { "type": ["string", "null"], "description": "Cursor of the next page; null on the last." },
            "total": { "type": "integer", "minimum": 0 }
        }),
        &["items", "next", "total"],
    )
}

fn schemas() -> Value {
    let free = json!({ "type": "object" });
    let a = json!({
        "Error": obj(json!({
            "error": obj(json!({
                "status": s("integer"),
                "code": s("string"),
                "message": s("string")
            }), &["status", "code", "message"])
        }), &["error"]),
        "Amount": obj(json!({ "value": { "type": "string", "description": "Exact decimal." }, "currency": s("string") }), &["value", "currency"]),
        "Coded": obj(json!({ "code": s("string"), "name": opt("string") }), &["code", "name"]),
        "Narrative": obj(json!({ "lang": s("string"), "text": s("string") }), &["text"]),
        "AreaShare": obj(json!({ "framework": s("string"), "area": s("string"), "share": s("string") }), &["framework", "area", "share"]),
        "ActivityDates": obj(json!({
            "planned_start": opt("string"), "actual_start": opt("string"),
            "planned_end": opt("string"), "actual_end": opt("string")
        }), &[]),
        "ActivitySummary": obj(json!({
            "id": s("integer"),
            "iati_identifier": s("string"),
            "title": opt("string"),
            "titles": arr(r("Narrative")),
            "lang": opt("string"),
            "reporting_org": s("string"),
            "reporting_org_name": opt("string"),
            "status": { "oneOf": [r("Coded"), s("null")] },
            "dates": r("ActivityDates"),
            "countries": arr(s("string")),
            "areas": arr(r("AreaShare")),
            "default_currency": opt("string"),
            "committed": arr(r("Amount")),
            "disbursed": arr(r("Amount"))
        }), &["id", "iati_identifier", "titles", "reporting_org", "dates", "countries", "areas", "committed", "disbursed"]),
        "ActivityPage": page("ActivitySummary"),
    });
    let b = json!({
        "Provenance": obj(json!({
            "activity_id": s("integer"), "iati_identifier": s("string"), "file": s("string"),
            "sha256": s("string"), "iati_version": s("string"), "declared_version": opt("string"),
            "generated_datetime": opt("string"), "line": s("integer"), "import_run_id": s("integer"),
            "imported_at": s("string")
        }), &["activity_id", "iati_identifier", "file", "sha256", "line", "import_run_id"]),
        "Tag": obj(json!({
            "framework_id": s("string"), "area_id": s("string"), "share": s("string"),
            "rule_kind": s("string"), "rule_code": s("string"), "explanation": s("string")
        }), &["framework_id", "area_id", "share", "explanation"]),
        "Diagnostic": obj(json!({
            "file": s("string"), "line": s("integer"), "severity": s("string"), "kind": s("string"),
            "activity": s("string"), "path": s("string"), "message": s("string")
        }), &["file", "line", "severity", "kind", "message"]),
        "DiagnosticList": arr(r("Diagnostic")),
        "ActivityDetail": obj(json!({
            "summary": r("ActivitySummary"),
            "activity": { "type": "object", "description": "The complete activity as read from the file." },
            "tags": arr(r("Tag")),
            "overrides": arr(free.clone()),
            "provenance": r("Provenance"),
            "copies": arr(r("Provenance")),
            "diagnostics": arr(r("Diagnostic")),
            "transactions": arr(r("TransactionRow"))
        }), &["summary", "activity", "tags", "overrides", "provenance", "copies", "diagnostics", "transactions"]),
        "TransactionRow": obj(json!({
            "activity_id": s("integer"), "iati_identifier": s("string"), "seq": s("integer"), "line": s("integer"),
            "type": { "oneOf": [r("Coded"), s("null")] },
            "date": opt("string"), "value": opt("string"), "currency": s("string"), "value_date": opt("string"),
            "provider_ref": opt("string"), "provider_name": opt("string"),
            "receiver_ref": opt("string"), "receiver_name": opt("string"),
            "reporting_org": s("string"), "countries": arr(s("string"))
        }), &["activity_id", "iati_identifier", "seq", "line", "currency", "reporting_org", "countries"]),
        "TransactionPage": page("TransactionRow"),
    });
    let c = json!({
        "SearchHit": obj(json!({
            "activity": r("ActivitySummary"),
            "snippet": { "type": "string", "description": "About 200 characters of the hit's titles and descriptions \
                          (every language) around the first match, on one line; `… ` and ` …` mark cuts. Plain text, \
                          not HTML: escape it before display, then wrap the ranges of `marks` (the web page uses `<mark>`)." },
            "marks": { "type": "array", "description": "Where the query's terms occur in `snippet` (compared without case): \
                        `[start, end)` as UTF-8 byte offsets, sorted, not overlapping, on character boundaries.",
                       "items": { "type": "array", "items": { "type": "integer", "minimum": 0 }, "minItems": 2, "maxItems": 2 } }
        }), &["activity", "snippet", "marks"]),
        "SearchPage": page("SearchHit"),
        "StoredFramework": obj(json!({
            "framework": free.clone(), "source": s("string"), "loaded_at": s("string"), "version": s("integer")
        }), &["framework", "source", "loaded_at", "version"]),
        "FrameworkList": arr(r("StoredFramework")),
    });
    let d = json!({
        "AreaList": arr(free.clone()),
        "CountryList": arr(free.clone()),
        "Cell": obj(json!({
            "country": s("string"), "area": s("string"), "partner": s("string"), "year": s("integer"),
            "value": s("string"), "currency": s("string"), "transactions": s("integer"), "activities": s("integer")
        }), &[]),
        "Matrix": obj(json!({
            "cells": arr(r("Cell")),
            "totals": free.clone(),
            "unconverted": arr(free.clone())
        }), &["cells", "totals", "unconverted"]),
        "PartnerCount": obj(json!({ "ref": s("string"), "name": opt("string"), "activities": s("integer") }), &["ref", "activities"]),
        "ActivityRef": obj(json!({
            "id": s("integer"), "iati_identifier": s("string"), "title": opt("string"), "reporting_org": s("string")
        }), &["id", "iati_identifier", "reporting_org"]),
        "CountrySummary": obj(json!({
            "country": free.clone(), "plan": { "type": ["object", "null"] }, "activities": s("integer"),
            "partners": arr(r("PartnerCount")), "framework": s("string"), "by_area": arr(r("Cell")),
            "regional_programmes": arr(r("ActivityRef"))
        }), &["country", "activities", "partners", "framework", "by_area", "regional_programmes"]),
        "AreaSummary": obj(json!({
            "framework": s("string"), "area": free.clone(), "activities": s("integer"),
            "by_country": arr(r("Cell")), "partners": arr(r("PartnerCount"))
        }), &["framework", "area", "activities", "by_country", "partners"]),
        "PartnerSummary": obj(json!({
            "ref": s("string"), "name": opt("string"), "activities": s("integer"), "reported": s("integer"),
            "committed_usd": opt("string"), "disbursed_usd": opt("string")
        }), &["ref", "activities", "reported"]),
        "PartnerList": arr(r("PartnerSummary")),
        "PartnerDetail": obj(json!({
            "summary": r("PartnerSummary"),
            "countries": arr(obj(json!({ "country": s("string"), "activities": s("integer") }), &["country", "activities"])),
            "roles": arr(obj(json!({ "role": r("Coded"), "activities": s("integer") }), &["role", "activities"]))
        }), &["summary", "countries", "roles"]),
        "Imports": obj(json!({ "datasets": arr(obj(json!({
            "id": s("integer"), "path": s("string"), "sha256": s("string"), "bytes": s("integer"),
            "iati_version": s("string"), "generated_datetime": opt("string"), "activities": s("integer"),
            "transactions": s("integer"), "import_run_id": s("integer"), "imported_at": s("string")
        }), &["id", "path", "sha256", "import_run_id"])) }), &["datasets"])
    });
    let e = json!({
        "ImportSummary": obj(json!({
            "run_id": { "type": ["integer", "null"] },
            "files": arr(obj(json!({
                "path": s("string"),
                "status": { "type": "string", "enum": ["imported", "unchanged", "rejected"] },
                "reason": { "type": "string", "description": "Why the file was rejected." },
                "dataset_id": { "type": ["integer", "null"] },
                "bytes": s("integer"), "activities": s("integer"), "transactions": s("integer")
            }), &["path", "status"]))
        }), &["files"])
    });
    let mut all = serde_json::Map::new();
    for part in [a, b, c, d, e] {
        if let Value::Object(m) = part {
            all.extend(m);
        }
    }
    Value::Object(all)
}

pub(super) fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": r("Error") } }
    })
}

/// `POST /imports`: the one write of the API.
fn upload_operation() -> Value {
    json!({
        "operationId": "importFile",
        "summary": "Upload and import one IATI file (editors and admins; send an API token as `Authorization: Bearer …`)",
        "parameters": [],
        "security": signed_in(),
        "requestBody": {
            "required": true,
            "content": { "multipart/form-data": { "schema": obj(json!({
                "file": { "type": "string", "contentMediaType": "application/octet-stream",
                          "description": "An IATI file ending in .xml or .xml.gz." }
            }), &["file"]) } }
        },
        "responses": {
            "200": { "description": "Imported (or unchanged)", "content": { "application/json": { "schema": r("ImportSummary") } } },
            "400": error_response("No file, an empty file, or an interrupted upload."),
            "401": error_response("Not signed in."),
            "403": error_response("Not allowed to import, or the CSRF check failed."),
            "413": error_response("Larger than the upload limit."),
            "415": error_response("Not an .xml or .xml.gz file."),
            "422": { "description": "The reader rejected the file; nothing changed.", "content": { "application/json": { "schema": r("ImportSummary") } } },
            "500": error_response("Server error (logged).")
        }
    })
}

/// The OpenAPI 3.1 document served at `/api/openapi.json`.
pub fn openapi_json() -> Value {
    let mut paths = serde_json::Map::new();
    for route in ROUTES {
        let params = parameters(route.params);
        let mut responses = serde_json::Map::new();
        responses.insert(
            "200".into(),
            json!({
                "description": "OK",
                "content": { "application/json": { "schema": r(route.response) } }
            }),
        );
        if !route.params.is_empty() {
            responses.insert(
                "400".into(),
                error_response("A parameter is invalid; the message names it."),
            );
        }
        if route.params.iter().any(|p| p.location == In::Path) {
            responses.insert("404".into(), error_response("Not found."));
        }
        responses.insert("500".into(), error_response("Server error (logged)."));
        paths.insert(
            format!("/api/v1{}", route.path),
            json!({
                "get": {
                    "operationId": route.operation_id,
                    "summary": route.summary,
                    "parameters": params,
                    "responses": responses,
                }
            }),
        );
    }
    if let Some(Value::Object(item)) = paths.get_mut("/api/v1/imports") {
        item.insert("post".into(), upload_operation());
    }
    for route in COORD_ROUTES {
        let item = paths
            .entry(format!("/api/v1{}", route.path))
            .or_insert_with(|| json!({}));
        if let Value::Object(item) = item {
            item.insert(route.method.into(), operation(route));
        }
    }
    let mut schemas = schemas();
    if let (Value::Object(all), Value::Object(coord)) = (&mut schemas, coord_schemas()) {
        all.extend(coord);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Vaka API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Development cooperation in the Pacific: frameworks, countries, partners, \
                            activities (IATI), transactions, the coverage matrix and search; and the \
                            framework at work: announcements and commitments, joint projects, \
                            consultations and action items. \
                            Money is exact decimal strings with an ISO 4217 currency. Lists page with \
                            opaque cursors (`next` → `after`). Reads are public; writes need a session \
                            (with its CSRF token) or an API token. Every editable object has a `version`: \
                            a write names the one it was based on (`expect_version`) and a stale one is \
                            refused with 409 and the current version.",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" }
        },
        "paths": paths,
        "components": { "schemas": schemas, "securitySchemes": security_schemes() }
    })
}
