//! The coordination API over the real router, on both backends: who may do
//! what, stale writes answer 409 with the current version, exports.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use vaka_domain::access::{OrgKind, Role};
use vaka_server::{AppState, ServerConfig, router};
use vaka_store::Store;
use vaka_store::accounts::NewUser;
use vaka_testkit::{TestDb, both_backends, bundled_data};

struct App {
    router: axum::Router,
}

impl App {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value, String) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        )
    }
}

async fn user(store: &Store, name: &str, org: &str, role: Role) -> String {
    store
        .create_user(
            &NewUser {
                username: name,
                display_name: name,
                password: "correct horse battery",
                org,
                role,
            },
            "test",
        )
        .await
        .unwrap();
    store.create_api_token(name, "test", "test").await.unwrap()
}

async fn organisations(store: &Store) {
    for (id, kind, country) in [
        ("NZ-1", OrgKind::Partner, None),
        ("XM-DAC-701-8", OrgKind::Partner, None),
        ("GOV-TO", OrgKind::Government, Some("TO")),
    ] {
        store
            .create_organisation(id, id, kind, country, "test")
            .await
            .unwrap();
    }
}

fn app(store: Store) -> App {
    App {
        router: router(AppState::new(store, ServerConfig::default())),
    }
}

fn project_body() -> Value {
    json!({
        "framework": "nz-japan-2019",
        "title": {"en": "Solar for Tonga"},
        "countries": ["TO"],
        "areas": ["renewable-energy"],
        "partners": [
            {"org": "NZ-1", "role": "lead", "contribution": {"kind": "money", "amount": "7900000", "currency": "NZD"}},
            {"org": "XM-DAC-701-8", "role": "co-financier", "contribution": null}
        ]
    })
}

both_backends!(
    project_permissions_and_conflicts_over_http,
    |db: TestDb| async move {
        let store = db.store().await;
        organisations(&store).await;
        let nz = user(&store, "nz-desk", "NZ-1", Role::Editor).await;
        let jp = user(&store, "jica-desk", "XM-DAC-701-8", Role::Editor).await;
        let to = user(&store, "tonga-fp", "GOV-TO", Role::FocalPoint).await;
        let viewer = user(&store, "nz-viewer", "NZ-1", Role::Viewer).await;
        let app = app(store);

        // Visitors and viewers never write.
        let (s, _, _) = app
            .call("POST", "/api/v1/projects", None, Some(project_body()))
            .await;
        assert!(
            s == StatusCode::UNAUTHORIZED || s == StatusCode::FORBIDDEN,
            "{s}"
        );
        let (s, _, _) = app
            .call(
                "POST",
                "/api/v1/projects",
                Some(&viewer),
                Some(project_body()),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, p, t) = app
            .call("POST", "/api/v1/projects", Some(&nz), Some(project_body()))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let id = p["id"].as_i64().unwrap();
        let tr = |v: i64, action: &str| json!({"expect_version": v, "action": action});
        let path = format!("/api/v1/projects/{id}/transitions");

        assert_eq!(
            app.call("POST", &path, Some(&jp), Some(tr(1, "appraise")))
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            app.call("POST", &path, Some(&nz), Some(tr(2, "submit")))
                .await
                .0,
            StatusCode::OK
        );
        // A partner cannot endorse for a government.
        let (s, e, _) = app
            .call("POST", &path, Some(&nz), Some(tr(3, "endorse")))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(e["error"]["code"], "forbidden");
        // A stale version: 409 with the current version.
        let (s, e, _) = app
            .call("POST", &path, Some(&to), Some(tr(2, "endorse")))
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(e["error"]["current_version"], 3);
        assert_eq!(
            app.call("POST", &path, Some(&to), Some(tr(3, "endorse")))
                .await
                .0,
            StatusCode::OK
        );
        // The JICA editor cannot approve for NZ-1.
        let (s, _, _) = app
            .call(
                "POST",
                &path,
                Some(&jp),
                Some(json!({"expect_version": 4, "action": "approve", "partner": "NZ-1"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(
            app.call("POST", &path, Some(&viewer), Some(tr(4, "approve")))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call("POST", &path, Some(&jp), Some(tr(4, "approve")))
                .await
                .0,
            StatusCode::OK
        );
        let (s, p, _) = app
            .call("POST", &path, Some(&nz), Some(tr(5, "approve")))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(p["status"], "approved");

        // Anyone may read; the page of the object carries its audit history.
        let (s, v, _) = app
            .call("GET", &format!("/api/v1/projects/{id}"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["transitions"].as_array().unwrap().len(), 5);
        assert_eq!(v["history"].as_array().unwrap().len(), 6);
        assert_eq!(v["history"][3]["actor"], "tonga-fp");

        // The page: history shown; a stale form post answers 409 and says what changed.
        let (s, _, page) = app
            .call("GET", &format!("/projects/{id}"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            page.contains("transition:endorse") && page.contains("tonga-fp"),
            "{page}"
        );
        assert!(
            !page.contains("name=\"expect_version\""),
            "visitors get no form"
        );
        let form = |token: &str, body: &str| {
            let req = Request::builder()
                .method("POST")
                .uri(format!("/projects/{id}/transition"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body.to_string()))
                .unwrap();
            app.router.clone().oneshot(req)
        };
        let resp = form(&nz, "expect_version=4&action=start").await.unwrap();
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        let html = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes())
            .into_owned();
        assert!(html.contains("it is now at version 6"), "{html}");
        assert!(html.contains("transition:approve"), "{html}");
        let resp = form(&nz, "expect_version=6&action=start").await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let req = Request::builder()
            .method("POST")
            .uri(format!("/projects/{id}/transition"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("expect_version=7&action=complete"))
            .unwrap();
        let s = app.router.clone().oneshot(req).await.unwrap().status();
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::UNAUTHORIZED,
            "{s}"
        );

        // What awaits Tonga: nothing to endorse any more.
        let (s, w, _) = app.call("GET", "/api/v1/awaiting", Some(&to), None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(w["country"], "TO");
        assert!(w["projects"].as_array().unwrap().is_empty());
    }
);

both_backends!(
    announcements_and_meetings_over_http,
    |db: TestDb| async move {
        let store = db.store().await;
        organisations(&store).await;
        let nz = user(&store, "nz-desk", "NZ-1", Role::Editor).await;
        let to = user(&store, "tonga-fp", "GOV-TO", Role::FocalPoint).await;
        let viewer = user(&store, "nz-viewer", "NZ-1", Role::Viewer).await;
        let app = app(store);
        let text = std::fs::read_to_string(
            bundled_data().join("announcements/2019-10-31-nz-japan-joint-declaration.md"),
        )
        .unwrap();

        let post_text = |token: String, body: String| {
            let router = app.router.clone();
            async move {
                let req = Request::builder()
                    .method("POST")
                    .uri("/api/v1/announcements?name=founding.md")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "text/markdown")
                    .body(Body::from(body))
                    .unwrap();
                let resp = router.oneshot(req).await.unwrap();
                let s = resp.status();
                let b = resp.into_body().collect().await.unwrap().to_bytes();
                (s, serde_json::from_slice::<Value>(&b).unwrap())
            }
        };
        assert_eq!(
            post_text(viewer.clone(), text.clone()).await.0,
            StatusCode::FORBIDDEN
        );
        let (s, e) = post_text(
            nz.clone(),
            text.replace("date: 2019-10-31", "date: 31/10/2019"),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(
            e["error"]["message"].as_str().unwrap().contains("`date`"),
            "{e}"
        );
        let (s, o) = post_text(nz.clone(), text.clone()).await;
        assert_eq!(s, StatusCode::CREATED);
        let id = o["id"].as_i64().unwrap();
        let (s, v, _) = app
            .call("GET", &format!("/api/v1/announcements/{id}"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["countries"], json!(["NZ", "JP"]));
        assert_eq!(v["commitments"][0]["status"], "draft");
        let cid = v["details"]["commitment_records"][0]["id"]
            .as_i64()
            .unwrap();
        let review = format!("/api/v1/commitments/{cid}/review");
        assert_eq!(
            app.call(
                "POST",
                &review,
                Some(&viewer),
                Some(json!({"expect_version": 1, "status": "confirmed"}))
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call(
                "POST",
                &review,
                Some(&nz),
                Some(json!({"expect_version": 1, "status": "confirmed"}))
            )
            .await
            .0,
            StatusCode::OK
        );
        let (s, e, _) = app
            .call(
                "POST",
                &review,
                Some(&nz),
                Some(json!({"expect_version": 1, "text": "x"})),
            )
            .await;
        assert_eq!(
            (s, e["error"]["current_version"].as_i64()),
            (StatusCode::CONFLICT, Some(2))
        );

        // A meeting, an action for Tonga, its record as HTML and XLSX.
        let (s, c, t) = app
            .call(
                "POST",
                "/api/v1/consultations",
                Some(&nz),
                Some(json!({
                    "framework": "nz-japan-2019", "mechanism": "technical-working-group",
                    "title": "TWG <1>", "date": "2025-01-10", "online": true,
                    "participants": ["NZ-1", "GOV-TO"], "agenda": [{"title": "Solar & storage"}]
                })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let mid = c["id"].as_i64().unwrap();
        let (s, a, _) = app
        .call("POST", &format!("/api/v1/consultations/{mid}/actions"), Some(&nz),
              Some(json!({"text": "Site survey", "owner_org": "GOV-TO", "due": "2025-02-01", "item": 1})))
        .await;
        assert_eq!(s, StatusCode::CREATED);
        let aid = a["id"].as_i64().unwrap();
        let (s, list, _) = app
            .call(
                "GET",
                "/api/v1/actions?overdue=true&today=2025-03-01",
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list[0]["overdue"], true);
        let st = format!("/api/v1/actions/{aid}/status");
        assert_eq!(
            app.call(
                "POST",
                &st,
                Some(&nz),
                Some(json!({"expect_version": 1, "status": "done"}))
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call(
                "POST",
                &st,
                Some(&to),
                Some(json!({"expect_version": 1, "status": "done"}))
            )
            .await
            .0,
            StatusCode::OK
        );
        let (s, _, html) = app
            .call(
                "GET",
                &format!("/api/v1/consultations/{mid}/record.html"),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("TWG &lt;1&gt;")
                && html.contains("Solar &amp; storage")
                && !html.contains("<1>")
        );
        let req = Request::builder()
            .uri(format!("/api/v1/consultations/{mid}/record.xlsx"))
            .body(Body::empty())
            .unwrap();
        let resp = app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&bytes[..2], b"PK");
    }
);
