//! HTTP tests on the real router, on both backends: every page route with the
//! bundled Pacific data, downloads, languages, errors, health and metrics; and
//! accounts: sign-in, CSRF, the rate limit, permissions, uploads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use vaka_domain::access::{OrgKind, Role};
use vaka_server::{AppState, ServerConfig, router};
use vaka_store::Store;
use vaka_store::accounts::NewUser;
use vaka_store::import::{ImportOptions, NoProgress};
use vaka_testkit::{TestDb, both_backends, bundled_data};

const PW: &str = "correct horse battery";

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v[name.len() + 1..].split(';').next().unwrap().to_string())
    }
}

struct App {
    router: axum::Router,
    store: Store,
    _uploads: tempfile::TempDir,
}

impl App {
    fn new(store: Store) -> App {
        Self::with_limit(store, 200 * 1024 * 1024)
    }
    fn with_limit(store: Store, limit: u64) -> App {
        let uploads = tempfile::tempdir().unwrap();
        let config = ServerConfig {
            upload_dir: uploads.path().to_path_buf(),
            max_upload_bytes: limit,
            ..Default::default()
        };
        App {
            router: router(AppState::new(store.clone(), config)),
            store,
            _uploads: uploads,
        }
    }
    async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Resp {
            status,
            headers,
            bytes,
        }
    }
    async fn get(&self, uri: &str, cookie: Option<&str>) -> Resp {
        let mut b = Request::get(uri);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }
    async fn post_form(&self, uri: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Resp {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut b =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }
    async fn upload(&self, uri: &str, cookie: Option<&str>, name: &str, content: &[u8]) -> Resp {
        let boundary = "vaka-test-boundary";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/xml\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut b = Request::post(uri).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }
    async fn activity_count(&self) -> u64 {
        self.store
            .activities(&Default::default())
            .await
            .unwrap()
            .total
    }
}

/// The first `href` on the page that starts with `prefix`, unescaped.
fn first_href(html: &str, prefix: &str) -> String {
    let needle = format!("href=\"{prefix}");
    let start = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no link to {prefix}"))
        + 6;
    let end = start + html[start..].find('"').unwrap();
    html[start..end].replace("&amp;", "&")
}

fn csrf_in(html: &str) -> String {
    let i = html
        .find("name=\"csrf\" value=\"")
        .expect("form has a CSRF field")
        + 19;
    html[i..i + 64].to_string()
}

async fn import_bundled(store: &Store) {
    store
        .import_paths(
            &[bundled_data().join("iati/pacific")],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap();
}

both_backends!(pages_with_the_bundled_data, |db: TestDb| async move {
    let store = db.store().await;
    import_bundled(&store).await;
    let app = App::new(store);

    let home = app.get("/", None).await;
    assert_eq!(home.status, StatusCode::OK);
    let html = home.text();
    assert!(
        html.contains("<table class=\"heat\""),
        "dashboard has the heat map"
    );
    assert!(html.contains("<svg"), "dashboard has the map");
    assert!(html.contains("Fiji"));

    // Follow a matrix cell to its activities, then to an activity.
    let cell = first_href(&html, "/activities?framework=");
    assert!(cell.contains("country="), "{cell}");
    let list = app.get(&cell, None).await;
    assert_eq!(list.status, StatusCode::OK, "{cell}");
    let activity = first_href(&list.text(), "/activities/");
    let page = app.get(&activity, None).await;
    assert_eq!(page.status, StatusCode::OK, "{activity}");
    let text = page.text();
    assert!(text.contains("Provenance"));
    assert!(
        text.contains("undp-open-undp-org_"),
        "provenance names the file"
    );

    // Country, area and partner pages linked from the dashboard.
    for prefix in ["/countries/", "/areas/", "/partners/"] {
        let link = first_href(&html, prefix);
        let r = app.get(&link, None).await;
        assert_eq!(r.status, StatusCode::OK, "{link}: {}", r.text());
    }
    assert_eq!(app.get("/countries/FJ", None).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/countries/XX", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/activities/NO-SUCH-ACTIVITY", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/frameworks/nz-japan-2019", None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/frameworks/no-such", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/?from=2030&to=2020", None).await.status,
        StatusCode::BAD_REQUEST
    );

    // Search.
    let s = app.get("/search?q=climate", None).await;
    assert_eq!(s.status, StatusCode::OK);
    assert!(s.text().contains("/activities/"), "search finds activities");
    assert_eq!(app.get("/search", None).await.status, StatusCode::OK);

    // Downloads.
    let csv = app.get("/?format=csv", None).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(csv.text().lines().count() > 2);
    let xlsx = app.get("/?format=xlsx", None).await;
    assert_eq!(&xlsx.bytes[..2], b"PK");
    let list_csv = app.get("/activities?country=FJ&format=csv", None).await;
    assert!(list_csv.text().starts_with("iati_identifier,title"));
    assert!(list_csv.text().lines().count() > 2);
    assert_eq!(
        &app.get("/activities?format=xlsx", None).await.bytes[..2],
        b"PK"
    );
    assert_eq!(
        app.get("/activities?format=pdf", None).await.status,
        StatusCode::BAD_REQUEST
    );

    // Japanese, remembered in a cookie.
    let ja = app.get("/?lang=ja", None).await;
    assert!(ja.text().contains("ダッシュボード"));
    assert!(ja.text().contains("<html lang=\"ja\""));
    assert_eq!(ja.set_cookie("vaka_lang").as_deref(), Some("ja"));
    assert!(
        app.get("/activities", Some("vaka_lang=ja"))
            .await
            .text()
            .contains("案件")
    );

    // Errors, health, metrics, the API's document.
    let nf = app.get("/no/such/page", None).await;
    assert_eq!(nf.status, StatusCode::NOT_FOUND);
    assert!(nf.text().contains("<html"));
    let api = app.get("/api/v1/no-such", None).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    let body: serde_json::Value = serde_json::from_slice(&api.bytes).unwrap();
    assert_eq!(body["error"]["status"], 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/readyz", None).await.text(), "ready\n");
    let oa: serde_json::Value =
        serde_json::from_slice(&app.get("/api/openapi.json", None).await.bytes).unwrap();
    assert!(oa["openapi"].as_str().unwrap().starts_with("3.1"));
    let metrics = app.get("/metrics", None).await.text();
    assert!(
        metrics.contains("vaka_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"}")
    );
    assert!(metrics.contains("route=\"/activities/{id}\",status=\"404\""));
    assert!(metrics.contains("vaka_http_request_duration_seconds_bucket"));
});

// The search page shows a snippet per hit with the matched terms in `<mark>`;
// the text around them is data and stays escaped.
both_backends!(search_page_highlights_matches, |db: TestDb| async move {
    let store = db.store().await;
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let s = store
        .import_paths(
            &[
                data.join("../vaka-store/tests/fixtures/multilingual.xml"),
                data.join("tests/data/search-escaping.xml"),
            ],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap();
    assert_eq!(s.rejected(), 0);
    let app = App::new(store);

    // A term of the title, in the case of the text; the title's markup-like
    // text is escaped, in the title cell and in the snippet.
    let r = app.get("/search?q=cyclone", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("<div class=\"snippet\">"), "{html}");
    assert!(
        html.contains("<mark>Cyclone</mark> shelters &lt;script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script"), "markup from the data: {html}");
    assert!(html.contains("&lt;b&gt;warning&lt;/b&gt;"), "{html}");

    // A query that is markup: echoed escaped, and its term marked inside the
    // escaped text.
    let r = app.get("/search?q=%3Cscript%3E", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("&lt;<mark>script</mark>&gt;"), "{html}");
    assert!(html.contains("value=\"&lt;script&gt;\""), "{html}");
    assert!(!html.contains("<script"), "{html}");

    // Several terms, every occurrence; a term only in a description.
    let html = app.get("/search?q=warning+village", None).await.text();
    assert!(html.contains("<mark>warning</mark>"), "{html}");
    assert!(html.contains("<mark>village</mark>"), "{html}");

    // Japanese (substrings: no spaces between words), on a Japanese page too.
    let html = app
        .get(
            "/search?q=%E6%97%A9%E6%9C%9F%E8%AD%A6%E5%A0%B1&lang=ja",
            None,
        )
        .await
        .text();
    assert!(html.contains("<mark>早期警報</mark>"), "{html}");
    assert!(html.contains("NZ-1-VAKA-TEST-ESCAPE"), "{html}");
    let html = app
        .get("/search?q=%E5%A4%AA%E9%99%BD%E5%85%89", None)
        .await
        .text();
    assert!(html.contains("<mark>太陽光</mark>"), "{html}");
    assert!(html.contains("JP-8-VAKA-TEST-0001"), "{html}");

    // The API gives the same snippet as plain text with the marked ranges.
    let api = app.get("/api/v1/search?q=%3Cscript%3E", None).await;
    assert_eq!(api.status, StatusCode::OK);
    let body: serde_json::Value = serde_json::from_slice(&api.bytes).unwrap();
    let hit = &body["items"][0];
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("<script>alert(\"x\")</script>"),
        "{snippet}"
    );
    let marks = hit["marks"].as_array().unwrap();
    assert!(!marks.is_empty());
    for m in marks {
        let (a, b) = (
            m[0].as_u64().unwrap() as usize,
            m[1].as_u64().unwrap() as usize,
        );
        assert_eq!(snippet[a..b].to_lowercase(), "script");
    }
});

// HTML error pages are in the language the request chose (`?lang=`, else
// the cookie); the API's errors keep their one JSON shape.
both_backends!(
    error_pages_speak_the_request_language,
    |db: TestDb| async move {
        let app = App::new(db.store().await);

        let ja = app.get("/no/such/page?lang=ja", None).await;
        assert_eq!(ja.status, StatusCode::NOT_FOUND);
        let html = ja.text();
        assert!(html.contains("<html lang=\"ja\""), "{html}");
        assert!(html.contains("404 ページが見つかりません"), "{html}");
        assert!(
            html.contains("お探しのページまたはデータは存在しません。"),
            "{html}"
        );
        assert!(html.contains("ダッシュボードに戻る"), "{html}");
        assert!(
            html.contains("/no/such/page"),
            "the detail names the page: {html}"
        );
        assert!(
            ja.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );

        // A handler's 404, with the language from the cookie.
        let ja = app
            .get("/activities/NO-SUCH-ACTIVITY", Some("vaka_lang=ja"))
            .await;
        assert_eq!(ja.status, StatusCode::NOT_FOUND);
        assert!(
            ja.text().contains("ページが見つかりません"),
            "{}",
            ja.text()
        );
        let fr = app.get("/countries/XX", Some("vaka_lang=fr")).await;
        assert_eq!(fr.status, StatusCode::NOT_FOUND);
        assert!(fr.text().contains("<html lang=\"fr\""));
        assert!(fr.text().contains("Page introuvable"), "{}", fr.text());
        let en = app.get("/countries/XX", None).await;
        assert!(en.text().contains("404 Not found"), "{}", en.text());
        assert!(en.text().contains("Back to the dashboard"));

        // 400 from a handler and 403 from the CSRF check (the auth layer).
        let bad = app.get("/?from=2030&to=2020&lang=ja", None).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(
            bad.text().contains("400 リクエストが正しくありません"),
            "{}",
            bad.text()
        );
        let forbidden = app
            .post_form(
                "/logout?lang=ja",
                Some("vaka_lang=ja"),
                &[("csrf", "wrong")],
            )
            .await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
        assert!(
            forbidden
                .text()
                .contains("403 アクセスが許可されていません"),
            "{}",
            forbidden.text()
        );

        // The API is not localised: same JSON error shape.
        let api = app
            .get("/api/v1/activities/NO-SUCH?lang=ja", Some("vaka_lang=ja"))
            .await;
        assert_eq!(api.status, StatusCode::NOT_FOUND);
        let body: serde_json::Value = serde_json::from_slice(&api.bytes).unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("not found")
        );
    }
);

async fn accounts(store: &Store) {
    store
        .create_organisation("NZ-1", "New Zealand MFAT", OrgKind::Partner, None, "t")
        .await
        .unwrap();
    store
        .create_organisation("JP-8", "JICA", OrgKind::Partner, None, "t")
        .await
        .unwrap();
    for (username, org, role) in [
        ("alice", "NZ-1", Role::Editor),
        ("vic", "NZ-1", Role::Viewer),
        ("kenji", "JP-8", Role::Editor),
    ] {
        store
            .create_user(
                &NewUser {
                    username,
                    display_name: "",
                    password: PW,
                    org,
                    role,
                },
                "t",
            )
            .await
            .unwrap();
    }
}

/// Sign in through the form; returns the cookie header value.
async fn sign_in(app: &App, username: &str) -> String {
    let form = app.get("/login", None).await;
    let visitor = format!("vaka_csrf={}", form.set_cookie("vaka_csrf").unwrap());
    let csrf = csrf_in(&form.text());
    let r = app
        .post_form(
            "/login",
            Some(&visitor),
            &[("csrf", &csrf), ("username", username), ("password", PW)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    format!(
        "vaka_session={}",
        r.set_cookie("vaka_session").expect("session cookie")
    )
}

fn fixture(name: &str) -> Vec<u8> {
    let p: PathBuf = bundled_data()
        .join("../crates/vaka-store/tests/fixtures")
        .join(name);
    std::fs::read(p).unwrap()
}

both_backends!(sign_in_csrf_and_rate_limit, |db: TestDb| async move {
    let store = db.store().await;
    accounts(&store).await;
    let app = App::new(store);

    let form = app.get("/login", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let cookie = form.set_cookie("vaka_csrf").expect("visitor CSRF cookie");
    assert!(
        form.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().unwrap().contains("HttpOnly"))
    );
    let visitor = format!("vaka_csrf={cookie}");
    let csrf = csrf_in(&form.text());

    // No CSRF token, or a wrong one: refused before the password is even read.
    let r = app
        .post_form(
            "/login",
            Some(&visitor),
            &[("username", "alice"), ("password", PW)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_form(
            "/login",
            None,
            &[("csrf", &csrf), ("username", "alice"), ("password", PW)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.set_cookie("vaka_session").is_none());

    // Wrong password: no session.
    let r = app
        .post_form(
            "/login",
            Some(&visitor),
            &[
                ("csrf", &csrf),
                ("username", "alice"),
                ("password", "nope nope nope"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("Wrong user name or password"));
    assert!(r.set_cookie("vaka_session").is_none());

    // Right password: a session cookie, HttpOnly and SameSite.
    let r = app
        .post_form(
            "/login",
            Some(&visitor),
            &[("csrf", &csrf), ("username", "alice"), ("password", PW)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let raw = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("vaka_session="))
        .unwrap();
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Lax"),
        "{raw}"
    );
    assert!(!raw.contains("Secure"), "plain HTTP by default");
    let session = format!("vaka_session={}", r.set_cookie("vaka_session").unwrap());
    let home = app.get("/login", Some(&session)).await.text();
    assert!(home.contains("alice"));
    let session_csrf = csrf_in(&home);

    // Sign-out needs the session's CSRF token.
    assert_eq!(
        app.post_form("/logout", Some(&session), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        app.get("/login", Some(&session))
            .await
            .text()
            .contains("Sign out")
    );
    let out = app
        .post_form("/logout", Some(&session), &[("csrf", &session_csrf)])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(
        !app.get("/login", Some(&session))
            .await
            .text()
            .contains("Sign out")
    );

    // Five failures for one name lock it from this address, even with the right password.
    for _ in 0..5 {
        let r = app
            .post_form(
                "/login",
                Some(&visitor),
                &[
                    ("csrf", &csrf),
                    ("username", "kenji"),
                    ("password", "wrong password!"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app
        .post_form(
            "/login",
            Some(&visitor),
            &[("csrf", &csrf), ("username", "kenji"), ("password", PW)],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().contains("Too many failed sign-ins"));
    assert!(r.set_cookie("vaka_session").is_none());
    // Another user is not affected.
    sign_in(&app, "vic").await;
});

both_backends!(uploads_and_permissions, |db: TestDb| async move {
    let store = db.store().await;
    accounts(&store).await;
    let app = App::new(store.clone());
    let good = fixture("multilingual.xml");

    // A visitor can neither see the form nor post.
    assert_eq!(
        app.get("/import", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.upload("/import", None, "a.xml", &good).await.status,
        StatusCode::FORBIDDEN
    );
    let form = app.get("/login", None).await;
    let visitor = format!("vaka_csrf={}", form.set_cookie("vaka_csrf").unwrap());
    let vcsrf = csrf_in(&form.text());
    let r = app
        .upload(
            &format!("/import?csrf={vcsrf}"),
            Some(&visitor),
            "a.xml",
            &good,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.activity_count().await, 0);

    // A viewer cannot import.
    let vic = sign_in(&app, "vic").await;
    assert_eq!(
        app.get("/import", Some(&vic)).await.status,
        StatusCode::FORBIDDEN
    );
    let vic_csrf = csrf_in(&app.get("/login", Some(&vic)).await.text());
    let r = app
        .upload(
            &format!("/import?csrf={vic_csrf}"),
            Some(&vic),
            "a.xml",
            &good,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.activity_count().await, 0);

    // An editor: CSRF is required, then the file is imported.
    let alice = sign_in(&app, "alice").await;
    let page = app.get("/import", Some(&alice)).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_in(&page.text());
    assert_eq!(
        app.upload("/import", Some(&alice), "a.xml", &good)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.upload(
            &format!("/import?csrf={vcsrf}"),
            Some(&alice),
            "a.xml",
            &good
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.activity_count().await, 0);
    let r = app
        .upload(
            &format!("/import?csrf={csrf}"),
            Some(&alice),
            "a.xml",
            &good,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("Imported"));
    assert_eq!(app.activity_count().await, 2);
    let runs = store.audit_history("user", "alice").await.unwrap();
    assert_eq!(runs.len(), 1);

    // The same file again: unchanged.
    let r = app
        .upload(
            &format!("/import?csrf={csrf}"),
            Some(&alice),
            "a.xml",
            &good,
        )
        .await;
    assert!(r.text().contains("Unchanged"), "{}", r.text());

    // A broken new version of the same file is rejected and changes nothing.
    let r = app
        .upload(
            &format!("/import?csrf={csrf}"),
            Some(&alice),
            "a.xml",
            b"<iati-activities><iati-activity>",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("Rejected"));
    assert_eq!(app.activity_count().await, 2);
    // ... and the good version is still the one on disk: re-uploading it is unchanged.
    let r = app
        .upload(
            &format!("/import?csrf={csrf}"),
            Some(&alice),
            "a.xml",
            &good,
        )
        .await;
    assert!(r.text().contains("Unchanged"), "{}", r.text());

    // Wrong kinds of file.
    let r = app
        .upload(
            &format!("/import?csrf={csrf}"),
            Some(&alice),
            "notes.txt",
            b"hello",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Another organisation's editor uploading a file of the same name does not
    // replace the first organisation's dataset.
    let kenji = sign_in(&app, "kenji").await;
    let kcsrf = csrf_in(&app.get("/import", Some(&kenji)).await.text());
    let r = app
        .upload(
            &format!("/import?csrf={kcsrf}"),
            Some(&kenji),
            "a.xml",
            &good,
        )
        .await;
    assert!(r.text().contains("Imported"), "{}", r.text());
    assert_eq!(app.activity_count().await, 4, "both copies are kept");

    // The size limit is enforced while streaming.
    let small = App::with_limit(store.clone(), 1000);
    let alice2 = sign_in(&small, "alice").await;
    let c2 = csrf_in(&small.get("/import", Some(&alice2)).await.text());
    let r = small
        .upload(
            &format!("/import?csrf={c2}"),
            Some(&alice2),
            "big.xml",
            &good,
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.activity_count().await, 4);

    // API tokens: sent as Bearer, exempt from CSRF; a wrong one is refused.
    let token = store
        .create_api_token("alice", "script", "t")
        .await
        .unwrap();
    let req = Request::get("/import")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::OK);
    let req = Request::get("/api/v1/anything")
        .header(header::AUTHORIZATION, "Bearer vaka_wrong")
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = serde_json::from_slice(&r.bytes).unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
});

/// The real server on a random port answers and stops when asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_on_a_random_port_and_shuts_down() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = TestDb::sqlite();
    let store = db.store().await;
    let uploads = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = ServerConfig {
        addr,
        upload_dir: uploads.path().join("up"),
        ..Default::default()
    };
    let server = tokio::spawn(vaka_server::serve_on(listener, store, config, async {
        let _ = stopped.await;
    }));
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.ends_with("ok\n"));
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(uploads.path().join("up").is_dir());
}
