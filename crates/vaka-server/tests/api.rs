//! The JSON API on the real router, on SQLite and on PostgreSQL, over the
//! bundled Pacific files and the multilingual fixture of the store tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use vaka_server::{AppState, ServerConfig, api};
use vaka_store::Store;
use vaka_store::import::{ImportOptions, NoProgress};
use vaka_testkit::{TestDb, both_backends, bundled_data};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vaka-store/tests/fixtures/multilingual.xml")
}

async fn app(db: &TestDb) -> (Router, Store, tempfile::TempDir) {
    let store = db.store().await;
    let s = store
        .import_paths(
            &[bundled_data().join("iati/pacific"), fixture()],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap();
    assert_eq!(s.rejected(), 0);
    let uploads = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        upload_dir: uploads.path().to_path_buf(),
        ..ServerConfig::default()
    };
    (
        vaka_server::router(AppState::new(store.clone(), config)),
        store,
        uploads,
    )
}

async fn call(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, body)
}

async fn get(app: &Router, uri: &str) -> (StatusCode, Value) {
    call(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// The one error shape, with its status.
fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, mentions: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["status"], expected.as_u16(), "{body}");
    assert!(body["error"]["code"].is_string(), "{body}");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains(mentions),
        "`{msg}` should mention `{mentions}`"
    );
}

both_backends!(reference_routes, |db: TestDb| async move {
    let (app, _store, _dir) = app(&db).await;
    let (st, fws) = get(&app, "/api/v1/frameworks").await;
    assert_eq!(st, StatusCode::OK);
    let ids: Vec<&str> = fws
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["framework"]["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"nz-japan-2019"), "{ids:?}");

    let (st, fw) = get(&app, "/api/v1/frameworks/nz-japan-2019").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(fw["framework"]["id"], "nz-japan-2019");
    let (st, areas) = get(&app, "/api/v1/frameworks/nz-japan-2019/areas").await;
    assert_eq!(st, StatusCode::OK);
    let area_ids: BTreeSet<&str> = areas
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        area_ids,
        BTreeSet::from([
            "renewable-energy",
            "aviation-infrastructure",
            "water-security",
            "medical-infrastructure",
            "disaster-risk-reduction"
        ])
    );
    let (st, area) = get(
        &app,
        "/api/v1/frameworks/nz-japan-2019/areas/renewable-energy",
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(area["area"]["id"], "renewable-energy");
    assert!(area["activities"].as_u64().unwrap() >= 1);

    let (st, body) = get(&app, "/api/v1/frameworks/no-such").await;
    assert_error(st, &body, StatusCode::NOT_FOUND, "no-such");
    let (st, body) = get(&app, "/api/v1/frameworks/nz-japan-2019/areas/no-such").await;
    assert_error(st, &body, StatusCode::NOT_FOUND, "no-such");

    let (st, countries) = get(&app, "/api/v1/countries").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        countries
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["iso2"] == "TO")
    );
    let (st, to) = get(&app, "/api/v1/countries/TO").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(to["country"]["iso2"], "TO");
    assert_eq!(
        to["regional_programmes"][0]["iati_identifier"],
        "JP-8-VAKA-TEST-0001"
    );
    assert!(to["activities"].as_u64().unwrap() > 0);
    let (st, body) = get(&app, "/api/v1/countries/XX").await;
    assert_error(st, &body, StatusCode::NOT_FOUND, "XX");
    let (st, body) = get(&app, "/api/v1/countries/TO?frameworkk=x").await;
    assert_error(st, &body, StatusCode::BAD_REQUEST, "frameworkk");

    let (st, partners) = get(&app, "/api/v1/partners").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(partners[0]["ref"], "XM-DAC-41114");
    let (st, undp) = get(&app, "/api/v1/partners/XM-DAC-41114").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(undp["summary"]["ref"], "XM-DAC-41114");
    assert!(
        undp["countries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["country"] == "TO")
    );
    let (st, body) = get(&app, "/api/v1/partners/NO-SUCH").await;
    assert_error(st, &body, StatusCode::NOT_FOUND, "NO-SUCH");
});

both_backends!(activities_page_and_filter, |db: TestDb| async move {
    let (app, store, _dir) = app(&db).await;
    let expected = store.stats().await.unwrap().activities;
    let mut seen = BTreeSet::new();
    let mut uri = "/api/v1/activities?limit=40".to_string();
    let mut pages = 0;
    loop {
        let (st, page) = get(&app, &uri).await;
        assert_eq!(st, StatusCode::OK, "{page}");
        assert_eq!(page["total"].as_u64().unwrap(), expected);
        for a in page["items"].as_array().unwrap() {
            assert!(seen.insert(a["id"].as_i64().unwrap()));
        }
        pages += 1;
        match page["next"].as_str() {
            Some(n) => uri = format!("/api/v1/activities?limit=40&after={n}"),
            None => {
                assert!(page["next"].is_null());
                break;
            }
        }
    }
    assert_eq!(seen.len() as u64, expected);
    assert!(pages > 1);

    let (st, to) = get(&app, "/api/v1/activities?country=TO&status=3&limit=500").await;
    assert_eq!(st, StatusCode::OK);
    for a in to["items"].as_array().unwrap() {
        assert!(a["countries"].as_array().unwrap().iter().any(|c| c == "TO"));
        assert_eq!(a["status"]["code"], "3");
    }
    let (st, jp) = get(
        &app,
        "/api/v1/activities?partner=NZ-1&q=%E5%A4%AA%E9%99%BD%E5%85%89",
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(jp["total"], 1);
    assert_eq!(jp["items"][0]["committed"][0]["value"], "150000000");
    assert_eq!(jp["items"][0]["committed"][0]["currency"], "JPY");

    for (uri, param) in [
        ("/api/v1/activities?year=twenty", "year"),
        ("/api/v1/activities?limit=0", "limit"),
        ("/api/v1/activities?limit=501", "limit"),
        ("/api/v1/activities?limit=-1", "limit"),
        ("/api/v1/activities?after=zzz", "after"),
        ("/api/v1/activities?colour=red", "colour"),
        ("/api/v1/activities?year=123456", "year"),
    ] {
        let (st, body) = get(&app, uri).await;
        assert_error(st, &body, StatusCode::BAD_REQUEST, param);
    }

    let (st, d) = get(&app, "/api/v1/activities/XM-DAC-41114-PROJECT-00060093").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        d["summary"]["iati_identifier"],
        "XM-DAC-41114-PROJECT-00060093"
    );
    assert!(
        d["provenance"]["file"]
            .as_str()
            .unwrap()
            .ends_with("Tonga_projects.xml")
    );
    assert!(d["provenance"]["line"].as_u64().unwrap() > 1);
    assert!(d["activity"]["title"].is_array());
    let (st, body) = get(&app, "/api/v1/activities/NO-SUCH-ACTIVITY").await;
    assert_error(st, &body, StatusCode::NOT_FOUND, "NO-SUCH-ACTIVITY");
});

both_backends!(
    transactions_matrix_search_diagnostics_imports,
    |db: TestDb| async move {
        let (app, store, _dir) = app(&db).await;
        let stats = store.stats().await.unwrap();
        let (st, t) = get(&app, "/api/v1/transactions?limit=5").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(t["total"].as_u64().unwrap(), stats.transactions);
        assert_eq!(t["items"].as_array().unwrap().len(), 5);
        let next = t["next"].as_str().unwrap();
        let (st, t2) = get(&app, &format!("/api/v1/transactions?limit=5&after={next}")).await;
        assert_eq!(st, StatusCode::OK);
        assert_ne!(t["items"][0], t2["items"][0]);
        let (st, d) = get(&app, "/api/v1/transactions?type=3&year=2022&partner=NZ-1").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            d["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["type"]["code"] == "3")
        );
        let (st, body) = get(&app, "/api/v1/transactions?after=nope").await;
        assert_error(st, &body, StatusCode::BAD_REQUEST, "after");

        // The matrix is the CLI's JSON: same request, same document.
        let (st, m) = get(
            &app,
            "/api/v1/matrix?measure=commitments&by=country,area&currency=USD",
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        let direct = store
            .matrix(&vaka_analysis::matrix::MatrixRequest {
                framework: None,
                currency: "USD".into(),
                from_year: None,
                to_year: None,
                measure: vaka_analysis::matrix::MatrixMeasure::Commitments,
                by: vec![
                    vaka_analysis::matrix::Dim::Country,
                    vaka_analysis::matrix::Dim::Area,
                ],
                partner_by: vaka_analysis::matrix::PartnerBy::Reporting,
            })
            .await
            .unwrap()
            .to_json();
        assert_eq!(m, direct);
        assert!(!m["cells"].as_array().unwrap().is_empty());
        for (uri, param) in [
            ("/api/v1/matrix?measure=money", "measure"),
            ("/api/v1/matrix?by=country,planet", "by"),
            ("/api/v1/matrix?by=area,area", "by"),
            ("/api/v1/matrix?from=2020&to=2010", "from"),
            ("/api/v1/matrix?partner_by=someone", "partner_by"),
            ("/api/v1/matrix?from=x", "from"),
        ] {
            let (st, body) = get(&app, uri).await;
            assert_error(st, &body, StatusCode::BAD_REQUEST, param);
        }
        let (st, body) = get(&app, "/api/v1/matrix?framework=no-such").await;
        assert_error(st, &body, StatusCode::NOT_FOUND, "no-such");

        let (st, s) = get(&app, "/api/v1/search?q=%E7%99%BA%E9%9B%BB").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(s["total"], 1);
        assert_eq!(
            s["items"][0]["activity"]["iati_identifier"],
            "JP-8-VAKA-TEST-0001"
        );
        assert!(!s["items"][0]["marks"].as_array().unwrap().is_empty());
        let (st, s) = get(&app, "/api/v1/search?q=communication&limit=1").await;
        assert_eq!(st, StatusCode::OK);
        assert!(s["total"].as_u64().unwrap() >= 1);
        let (st, s) = get(&app, "/api/v1/search?q=%22*%22%20AND").await;
        assert_eq!(st, StatusCode::OK);
        assert!(s["items"].is_array());
        let (st, body) = get(&app, "/api/v1/search").await;
        assert_error(st, &body, StatusCode::BAD_REQUEST, "q");

        let (st, diags) = get(&app, "/api/v1/diagnostics?severity=warning&limit=5").await;
        assert_eq!(st, StatusCode::OK);
        assert!(diags.as_array().unwrap().len() <= 5);
        let (st, body) = get(&app, "/api/v1/diagnostics?severity=loud").await;
        assert_error(st, &body, StatusCode::BAD_REQUEST, "severity");

        let (st, imports) = get(&app, "/api/v1/imports").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            imports["datasets"].as_array().unwrap().len() as u64,
            stats.datasets
        );

        // Unknown API paths have the same error shape.
        let (st, body) = get(&app, "/api/v1/nothing-here").await;
        assert_error(st, &body, StatusCode::NOT_FOUND, "nothing-here");
    }
);

both_backends!(visitors_cannot_import, |db: TestDb| async move {
    let (app, store, dir) = app(&db).await;
    let before = store.datasets().await.unwrap();
    let boundary = "vakaboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.xml\"\r\n\
         Content-Type: application/xml\r\n\r\n<iati-activities version=\"2.03\"></iati-activities>\r\n--{boundary}--\r\n"
    );
    let req = Request::post("/api/v1/imports")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (st, body) = call(&app, req).await;
    assert!(
        st == StatusCode::UNAUTHORIZED || st == StatusCode::FORBIDDEN,
        "{st}: {body}"
    );
    assert_eq!(body["error"]["status"], st.as_u16());
    assert_eq!(store.datasets().await.unwrap(), before);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
});

/// `body` is what the document says operation `method path` answers with
/// `status`: the status is documented, and a JSON body validates against its
/// schema.
fn assert_documented(doc: &Value, method: &str, path: &str, status: StatusCode, body: &Value) {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not documented");
    let response = &op["responses"][status.as_str()];
    assert!(
        response.is_object(),
        "{method} {path}: answered {status}, which is not documented: {body}"
    );
    let Some(schema) = response.pointer("/content/application~1json/schema") else {
        return;
    };
    let schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": { "schemas": doc["components"]["schemas"].clone() },
    });
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(body)
        .take(5)
        .map(|e| format!("at `{}`: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: the answer is not what the document says:\n{}\n{body}",
        errors.join("\n")
    );
}

/// The coordination objects the checks below read: the founding
/// announcement (as `vaka demo` loads it), a joint project one step into its
/// lifecycle, a meeting with an action item; and an admin's API token.
struct CoordData {
    token: String,
    announcement: i64,
    commitment: i64,
    project: i64,
    consultation: i64,
    action: i64,
}

fn project_json() -> Value {
    serde_json::json!({
        "framework": "nz-japan-2019",
        "title": {"en": "Solar for Tonga", "ja": "トンガの太陽光"},
        "countries": ["TO"],
        "areas": ["renewable-energy"],
        "planned_start": "2025-01-01",
        "partners": [
            {"org": "NZ-1", "role": "lead", "contribution": {"kind": "money", "amount": "7900000", "currency": "NZD"}},
            {"org": "GOV-TO", "role": "implementer", "contribution": {"kind": "in-kind", "description": "land"}}
        ]
    })
}

fn consultation_json() -> Value {
    serde_json::json!({
        "framework": "nz-japan-2019",
        "mechanism": "senior-officials-consultation",
        "title": "SOC 2025",
        "date": "2025-02-01",
        "place": "Tokyo",
        "participants": ["NZ-1", "GOV-TO"],
        "agenda": [{"title": "Solar for Tonga", "countries": ["TO"], "areas": ["renewable-energy"]}]
    })
}

fn founding_text() -> String {
    std::fs::read_to_string(
        bundled_data().join("announcements/2019-10-31-nz-japan-joint-declaration.md"),
    )
    .unwrap()
}

async fn coord_data(store: &Store) -> CoordData {
    use vaka_domain::access::{OrgKind, Role};
    for (id, kind, country) in [
        ("NZ-1", OrgKind::Partner, None),
        ("GOV-TO", OrgKind::Government, Some("TO")),
    ] {
        store
            .create_organisation(id, id, kind, country, "test")
            .await
            .unwrap();
    }
    store
        .create_user(
            &vaka_store::accounts::NewUser {
                username: "admin",
                display_name: "admin",
                password: "correct horse battery staple",
                org: "NZ-1",
                role: Role::Admin,
            },
            "test",
        )
        .await
        .unwrap();
    let token = store
        .create_api_token("admin", "script", "test")
        .await
        .unwrap();
    let admin = store.user_actor("admin").await.unwrap();
    let announcement = store
        .import_announcement(Some(&admin), "founding.md", &founding_text(), "demo")
        .await
        .unwrap()
        .id;
    let commitment = store
        .announcement_commitments(announcement)
        .await
        .unwrap()
        .first()
        .expect("the founding announcement has candidate commitments")
        .id;
    let input = serde_json::from_value(project_json()).unwrap();
    let project = store.create_project(Some(&admin), &input).await.unwrap().id;
    store
        .transition_project(
            Some(&admin),
            project,
            1,
            vaka_coord::project::Action::Appraise,
            None,
            "looks sound",
        )
        .await
        .unwrap();
    let input = serde_json::from_value(consultation_json()).unwrap();
    let consultation = store
        .create_consultation(Some(&admin), &input)
        .await
        .unwrap()
        .id;
    let action = store
        .add_action(
            Some(&admin),
            consultation,
            Some(0),
            "Site survey",
            "GOV-TO",
            "2020-01-01",
        )
        .await
        .unwrap()
        .id;
    CoordData {
        token,
        announcement,
        commitment,
        project,
        consultation,
        action,
    }
}

/// A request to the API, with an API token and a body when given.
fn request(method: &str, uri: &str, token: Option<&str>, body: Option<&Body2>) -> Request<Body> {
    let mut b = Request::builder()
        .method(method.to_ascii_uppercase().as_str())
        .uri(uri);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    match body {
        Some(Body2::Json(v)) => b
            .header("content-type", "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        Some(Body2::Markdown(s)) => b
            .header("content-type", "text/markdown")
            .body(Body::from(s.clone()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

enum Body2 {
    Json(Value),
    Markdown(String),
}

/// Status, content type and body (JSON, or null for another content type).
async fn send(app: &Router, req: Request<Body>) -> (StatusCode, String, Value) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body = if ct.starts_with("application/json") {
        serde_json::from_slice(&bytes).unwrap()
    } else {
        assert!(!bytes.is_empty());
        Value::Null
    };
    (status, ct, body)
}

/// Every coordination route is documented (both ways: the document and the
/// mounted router list the same operations), answers at the documented path
/// and method, and its real answers — reads on the demo data, refused and
/// stale writes, successful writes — are what the document says.
async fn check_coordination_routes(app: &Router, store: &Store) {
    let doc = api::openapi_json();
    let documented: BTreeSet<(String, String)> = api::COORD_ROUTES
        .iter()
        .map(|r| (r.method.to_string(), format!("/api/v1{}", r.path)))
        .collect();
    let mounted: BTreeSet<(String, String)> = vaka_server::api_coord::MOUNTED
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented.len(), api::COORD_ROUTES.len(), "duplicates");
    assert_eq!(mounted.len(), vaka_server::api_coord::MOUNTED.len());
    assert_eq!(
        mounted, documented,
        "the coordination routes mounted and the ones documented differ"
    );
    let d = coord_data(store).await;
    let version = |v: &Value| v["version"].as_i64().unwrap();
    let (_, _, project) = send(
        app,
        request(
            "get",
            &format!("/api/v1/projects/{}", d.project),
            None,
            None,
        ),
    )
    .await;
    let project_version = version(&project["project"]);
    assert_eq!(project_version, 2);
    let sample = |op: &str, v: i64| -> Option<Body2> {
        Some(match op {
            "importAnnouncement" => Body2::Markdown(founding_text()),
            "reviewCommitment" => {
                Body2::Json(serde_json::json!({"expect_version": v, "status": "confirmed"}))
            }
            "linkCommitment" => {
                Body2::Json(serde_json::json!({"expect_version": v, "project": d.project}))
            }
            "createProject" => Body2::Json(project_json()),
            "updateProject" => {
                Body2::Json(serde_json::json!({"expect_version": v, "project": project_json()}))
            }
            "transitionProject" => Body2::Json(
                serde_json::json!({"expect_version": v, "action": "submit", "comment": "ready"}),
            ),
            "linkProjectActivity" => Body2::Json(
                serde_json::json!({"expect_version": v, "partner": "NZ-1", "activity": "XM-DAC-41114-PROJECT-00060093"}),
            ),
            "createConsultation" => Body2::Json(consultation_json()),
            "recordAgendaItem" => Body2::Json(
                serde_json::json!({"expect_version": v, "item": 1, "decisions": ["Survey the site"], "minutes": "Agreed."}),
            ),
            "addActionItem" => Body2::Json(
                serde_json::json!({"text": "Share the data", "owner_org": "NZ-1", "due": "2030-01-01", "item": 1}),
            ),
            "setActionStatus" => {
                Body2::Json(serde_json::json!({"expect_version": v, "status": "done"}))
            }
            _ => return None,
        })
    };
    let mut checked_reads = BTreeSet::new();
    for route in api::COORD_ROUTES {
        let path = format!("/api/v1{}", route.path);
        let id = if route.path.starts_with("/announcements") {
            d.announcement
        } else if route.path.starts_with("/commitments") {
            d.commitment
        } else if route.path.starts_with("/projects") {
            d.project
        } else if route.path.starts_with("/consultations") {
            d.consultation
        } else {
            d.action
        };
        let uri = path.replace("{id}", &id.to_string());
        if route.method == "get" {
            // Reads: the answer on the demo data is the documented one.
            let token = (route.access == api::Access::SignedIn).then_some(d.token.as_str());
            if token.is_some() {
                let (st, _, body) = send(app, request("get", &uri, None, None)).await;
                assert_eq!(st, StatusCode::UNAUTHORIZED, "{uri}");
                assert_documented(&doc, "get", &path, st, &body);
            }
            let (st, ct, body) = send(app, request("get", &uri, token, None)).await;
            assert_eq!(st, StatusCode::OK, "{uri}: {body}");
            assert_documented(&doc, "get", &path, st, &body);
            match route.answer {
                api::Answer::Json(_) => assert!(ct.starts_with("application/json"), "{uri}: {ct}"),
                api::Answer::Html => assert!(ct.starts_with("text/html"), "{uri}: {ct}"),
                api::Answer::Xlsx => assert!(ct.contains("spreadsheetml"), "{uri}: {ct}"),
            }
            checked_reads.insert(route.path);
            continue;
        }
        let body = sample(route.operation_id, 99)
            .unwrap_or_else(|| panic!("no sample body for {}", route.operation_id));
        // Without credentials: refused, nothing changed.
        let (st, _, answer) = send(app, request(route.method, &uri, None, Some(&body))).await;
        assert!(
            st == StatusCode::UNAUTHORIZED || st == StatusCode::FORBIDDEN,
            "{} {uri}: {st} {answer}",
            route.method
        );
        assert_documented(&doc, route.method, &path, st, &answer);
        // Not JSON: 400 with the error shape.
        if matches!(route.body, api::RequestBody::Json(_)) {
            let (st, _, answer) = send(
                app,
                request(
                    route.method,
                    &uri,
                    Some(&d.token),
                    Some(&Body2::Json(serde_json::json!({"unexpected": true}))),
                ),
            )
            .await;
            assert_eq!(
                st,
                StatusCode::BAD_REQUEST,
                "{} {uri}: {answer}",
                route.method
            );
            assert_documented(&doc, route.method, &path, st, &answer);
        }
        // A stale version: 409 with the current version.
        if route.versioned {
            let (st, _, answer) = send(
                app,
                request(route.method, &uri, Some(&d.token), Some(&body)),
            )
            .await;
            assert_eq!(st, StatusCode::CONFLICT, "{} {uri}: {answer}", route.method);
            assert_documented(&doc, route.method, &path, st, &answer);
            assert!(answer["error"]["current_version"].as_i64().unwrap() >= 1);
        }
    }
    for read in [
        "/projects",
        "/projects/{id}",
        "/consultations",
        "/consultations/{id}",
        "/announcements",
        "/announcements/{id}",
    ] {
        assert!(checked_reads.contains(read), "{read} not checked");
    }
    // A bad path or query parameter: 400 with the error shape, too.
    for (uri, path, mentions) in [
        ("/api/v1/projects/solar", "/api/v1/projects/{id}", "solar"),
        (
            "/api/v1/actions?overdue=maybe",
            "/api/v1/actions",
            "overdue",
        ),
        (
            "/api/v1/consultations/1?today=soon",
            "/api/v1/consultations/{id}",
            "soon",
        ),
    ] {
        let (st, _, answer) = send(app, request("get", uri, None, None)).await;
        assert_error(st, &answer, StatusCode::BAD_REQUEST, mentions);
        assert_documented(&doc, "get", path, st, &answer);
    }
    // Successful writes answer what the document says.
    for (method, uri, path, op, v) in [
        (
            "post",
            "/api/v1/projects".to_string(),
            "/api/v1/projects",
            "createProject",
            0,
        ),
        (
            "post",
            format!("/api/v1/projects/{}/transitions", d.project),
            "/api/v1/projects/{id}/transitions",
            "transitionProject",
            project_version,
        ),
        (
            "post",
            "/api/v1/consultations".to_string(),
            "/api/v1/consultations",
            "createConsultation",
            0,
        ),
        (
            "post",
            format!("/api/v1/consultations/{}/record", d.consultation),
            "/api/v1/consultations/{id}/record",
            "recordAgendaItem",
            1,
        ),
        (
            "post",
            format!("/api/v1/consultations/{}/actions", d.consultation),
            "/api/v1/consultations/{id}/actions",
            "addActionItem",
            0,
        ),
        (
            "post",
            "/api/v1/announcements".to_string(),
            "/api/v1/announcements",
            "importAnnouncement",
            0,
        ),
    ] {
        let body = sample(op, v).unwrap();
        let (st, _, answer) = send(app, request(method, &uri, Some(&d.token), Some(&body))).await;
        assert!(st.is_success(), "{method} {uri}: {st} {answer}");
        assert_documented(&doc, method, path, st, &answer);
    }
}

#[test]
fn every_route_is_documented_and_mounted() {
    let doc = api::openapi_json();
    let paths = doc["paths"].as_object().unwrap();
    // The document has the routes of both tables, and nothing else.
    let mut expected: BTreeSet<(String, String)> = api::ROUTES
        .iter()
        .map(|r| ("get".to_string(), format!("/api/v1{}", r.path)))
        .chain(
            api::COORD_ROUTES
                .iter()
                .map(|r| (r.method.to_string(), format!("/api/v1{}", r.path))),
        )
        .collect();
    expected.insert(("post".into(), "/api/v1/imports".into()));
    let in_doc: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(p, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    assert_eq!(in_doc, expected);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = TestDb::sqlite();
        let (app, store, _dir) = app(&db).await;
        for route in api::ROUTES {
            assert!(paths.contains_key(&format!("/api/v1{}", route.path)));
            // Fill path parameters with values that exist.
            let uri = format!("/api/v1{}", route.path)
                .replace(
                    "{id}",
                    if route.path.starts_with("/activities") {
                        "XM-DAC-41114-PROJECT-00060093"
                    } else {
                        "nz-japan-2019"
                    },
                )
                .replace("{area}", "water-security")
                .replace("{iso2}", "TO")
                .replace("{ref}", "XM-DAC-41114");
            let q = if route.path == "/search" {
                "?q=tonga"
            } else {
                ""
            };
            let (st, body) = get(&app, &format!("{uri}{q}")).await;
            assert_eq!(st, StatusCode::OK, "{uri}: {body}");
            // The answer is what the document says it is.
            let schema = serde_json::json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": format!("#/components/schemas/{}", route.response),
                "components": { "schemas": doc["components"]["schemas"].clone() },
            });
            let validator = jsonschema::draft202012::new(&schema).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .take(5)
                .map(|e| format!("at `{}`: {e}", e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{uri}: the answer is not a {}:\n{}",
                route.response,
                errors.join("\n")
            );
        }
        check_coordination_routes(&app, &store).await;
    });
}

both_backends!(
    coordination_answers_match_the_document,
    |db: TestDb| async move {
        let (app, store, _dir) = app(&db).await;
        check_coordination_routes(&app, &store).await;
    }
);

#[test]
fn openapi_document_is_valid_3_1() {
    let doc = api::openapi_json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    // Every $ref resolves to a schema that exists.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in &all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(schemas.contains_key(name), "{r} does not resolve");
    }
    // Every operation has responses with a 200 and an error shape; every path
    // parameter of the template is declared, and only those.
    for (path, item) in doc["paths"].as_object().unwrap() {
        assert!(path.starts_with("/api/v1/"));
        for (method, op) in item.as_object().unwrap() {
            assert!(["get", "post", "put", "delete", "patch"].contains(&method.as_str()));
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("200") || responses.contains_key("201"),
                "{path}"
            );
            assert!(responses.contains_key("500"), "{path}");
            assert!(op["operationId"].is_string());
            let declared: BTreeSet<&str> = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| {
                    assert_eq!(p["required"], true);
                    p["name"].as_str().unwrap()
                })
                .collect();
            let in_template: BTreeSet<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect();
            assert_eq!(declared, in_template, "{path}");
        }
    }
    // Operation ids are unique.
    let ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|i| i.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len());
}

/// The official JSON Schema of OpenAPI 3.1 documents (see `tests/data/README.md`).
const OAS_3_1_SCHEMA: &str = include_str!("data/openapi-3.1-schema.json");

fn oas_3_1_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(OAS_3_1_SCHEMA).unwrap();
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "the OpenAPI 3.1 schema is written in draft 2020-12"
    );
    // No remote retrieval is compiled in: everything the schema refers to is
    // in the file or is the bundled 2020-12 meta-schema.
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the OpenAPI 3.1 schema compiles")
}

/// Everything wrong with `doc` as an OpenAPI 3.1 document: what the official
/// schema rejects; `$ref`s that are not local or do not resolve, or point at
/// the wrong kind of component; and schemas that are not valid JSON Schema
/// 2020-12 (the official schema does not look inside Schema Objects).
fn openapi_problems(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    let mut problems: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("schema: at `{}`: {e}", e.instance_path()))
        .collect();
    // (pointer of the object holding a `$ref`, the `$ref`)
    fn refs(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push((at.to_string(), r.clone()));
                }
                for (k, x) in m {
                    let k = k.replace('~', "~0").replace('/', "~1");
                    refs(x, &format!("{at}/{k}"), out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    refs(x, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(doc, "", &mut all);
    for (at, r) in &all {
        let Some(pointer) = r.strip_prefix('#') else {
            problems.push(format!("ref: at `{at}`: `{r}` is not a local reference"));
            continue;
        };
        if doc.pointer(pointer).is_none() {
            problems.push(format!("ref: at `{at}`: `{r}` does not resolve"));
            continue;
        }
        // A response refers to a response, a schema position to a schema.
        let in_responses = at.split('/').rev().nth(1) == Some("responses");
        let expected = if in_responses {
            "/components/responses/"
        } else {
            "/components/schemas/"
        };
        if !pointer.starts_with(expected) {
            problems.push(format!(
                "ref: at `{at}`: `{r}` should point into `#{expected}`"
            ));
        }
    }
    // Every Schema Object: components and inline `schema` values.
    fn inline_schemas<'a>(v: &'a Value, at: &str, out: &mut Vec<(String, &'a Value)>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == "schema" {
                        out.push((format!("{at}/schema"), x));
                    } else {
                        inline_schemas(x, &format!("{at}/{k}"), out);
                    }
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    inline_schemas(x, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut schemas: Vec<(String, &Value)> = Vec::new();
    if let Some(m) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (k, x) in m {
            schemas.push((format!("/components/schemas/{k}"), x));
        }
    }
    inline_schemas(&doc["paths"], "/paths", &mut schemas);
    for (at, schema) in schemas {
        if let Err(e) = jsonschema::draft202012::meta::validate(schema) {
            problems.push(format!("json schema: at `{at}`: {e}"));
        }
    }
    problems
}

/// The document validates against the official OpenAPI 3.1 JSON Schema, its
/// references resolve and its schemas are JSON Schema 2020-12.
#[test]
fn openapi_document_validates_against_the_official_3_1_schema() {
    let validator = oas_3_1_validator();
    let doc = api::openapi_json();
    let problems = openapi_problems(&validator, &doc);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check above can fail: broken copies of the document are caught.
#[test]
fn openapi_validation_rejects_broken_documents() {
    let validator = oas_3_1_validator();
    let good = api::openapi_json();
    let broken = |name: &str, edit: &dyn Fn(&mut Value)| {
        let mut doc = good.clone();
        edit(&mut doc);
        assert_ne!(doc, good, "{name}: the edit changed nothing");
        let problems = openapi_problems(&validator, &doc);
        assert!(!problems.is_empty(), "{name}: not caught");
        problems
    };
    let p = broken("OpenAPI 2.0", &|d| d["openapi"] = "2.0".into());
    assert!(p.iter().any(|m| m.contains("/openapi")), "{p:?}");
    broken("no info", &|d| {
        d.as_object_mut().unwrap().remove("info");
    });
    broken("responses empty", &|d| {
        d["paths"]["/api/v1/search"]["get"]["responses"] = serde_json::json!({});
    });
    broken("response without description", &|d| {
        d["paths"]["/api/v1/search"]["get"]["responses"]["200"]
            .as_object_mut()
            .unwrap()
            .remove("description");
    });
    broken("status code that is not one", &|d| {
        d["paths"]["/api/v1/search"]["get"]["responses"]["2000"] =
            serde_json::json!({ "description": "no" });
    });
    broken("optional path parameter", &|d| {
        d["paths"]["/api/v1/activities/{id}"]["get"]["parameters"][0]["required"] = false.into();
    });
    broken("parameter in the body (2.0 style)", &|d| {
        d["paths"]["/api/v1/search"]["get"]["parameters"][0]["in"] = "body".into();
    });
    broken("unknown top-level field", &|d| {
        d["definitions"] = serde_json::json!({})
    });
    broken("method that is not one", &|d| {
        let op = d["paths"]["/api/v1/search"]["get"].clone();
        d["paths"]["/api/v1/search"]["fetch"] = op;
    });
    let p = broken("reference to a missing schema", &|d| {
        d["components"]["schemas"]["SearchPage"]["properties"]["items"]["items"]["$ref"] =
            "#/components/schemas/NoSuchHit".into();
    });
    assert!(p.iter().any(|m| m.contains("NoSuchHit")), "{p:?}");
    broken("response referring to a schema", &|d| {
        d["paths"]["/api/v1/search"]["get"]["responses"]["500"] =
            serde_json::json!({ "$ref": "#/components/schemas/Error" });
    });
    broken("schema that is not JSON Schema", &|d| {
        d["components"]["schemas"]["Error"]["type"] = "record".into();
    });
}

#[test]
fn openapi_snapshot() {
    insta::assert_json_snapshot!("openapi", api::openapi_json());
}

async fn token_for(store: &Store, username: &str, role: vaka_domain::access::Role) -> String {
    let _ = store
        .create_organisation(
            "NZ-1",
            "New Zealand MFAT",
            vaka_domain::access::OrgKind::Partner,
            None,
            "test",
        )
        .await;
    store
        .create_user(
            &vaka_store::accounts::NewUser {
                username,
                display_name: username,
                password: "correct horse battery staple",
                org: "NZ-1",
                role,
            },
            "test",
        )
        .await
        .unwrap();
    store
        .create_api_token(username, "script", "test")
        .await
        .unwrap()
}

fn upload(token: &str, name: &str, content: &[u8]) -> Request<Body> {
    let boundary = "vakaboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/xml\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post("/api/v1/imports")
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

both_backends!(editors_import_with_a_token, |db: TestDb| async move {
    let (app, store, _dir) = app(&db).await;
    let before = store.datasets().await.unwrap();
    let viewer = token_for(&store, "vic", vaka_domain::access::Role::Viewer).await;
    let xml = std::fs::read(fixture()).unwrap();
    let (st, body) = call(&app, upload(&viewer, "mine.xml", &xml)).await;
    assert_error(st, &body, StatusCode::FORBIDDEN, "vic");

    let editor = token_for(&store, "ed", vaka_domain::access::Role::Editor).await;
    let (st, body) = call(&app, upload(&editor, "notes.txt", b"hello")).await;
    assert_error(st, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "notes.txt");
    // A file the reader rejects changes nothing.
    let (st, body) = call(
        &app,
        upload(&editor, "broken.xml", b"<iati-activities><oops"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["files"][0]["status"], "rejected");
    assert_eq!(store.datasets().await.unwrap(), before);
    // A good file is imported and searchable at once.
    let (st, body) = call(&app, upload(&editor, "mine.xml", &xml)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["files"][0]["status"], "imported");
    assert_eq!(store.datasets().await.unwrap().len(), before.len() + 1);
    let (_, s) = get(&app, "/api/v1/search?q=microgrids").await;
    assert_eq!(s["total"], 2);
});
