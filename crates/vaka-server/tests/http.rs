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

    // On a slow link the page travels gzipped when the browser accepts it,
    // and unpacks to exactly the same page.
    let gz = app
        .send(
            Request::get("/")
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(gz.status, StatusCode::OK);
    assert_eq!(
        gz.headers
            .get(header::CONTENT_ENCODING)
            .map(|v| v.as_bytes()),
        Some(&b"gzip"[..])
    );
    assert!(
        gz.bytes.len() * 3 < home.bytes.len(),
        "{} vs {}",
        gz.bytes.len(),
        home.bytes.len()
    );
    let mut unpacked = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&gz.bytes[..]),
        &mut unpacked,
    )
    .unwrap();
    assert_eq!(unpacked, html);
    assert!(home.headers.get(header::CONTENT_ENCODING).is_none());

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
    create_users(
        store,
        &[
            ("alice", "NZ-1", Role::Editor),
            ("vic", "NZ-1", Role::Viewer),
            ("kenji", "JP-8", Role::Editor),
        ],
    )
    .await;
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

// ---------------------------------------------------------------------------
// The framework at work: announcement and consultation pages.

/// More accounts: an editor of an organisation outside the NZ–Japan framework
/// and Tonga's focal point.
async fn more_accounts(store: &Store) {
    store
        .create_organisation("XM-DAC-41114", "UNDP", OrgKind::Partner, None, "t")
        .await
        .unwrap();
    store
        .create_organisation(
            "GOV-TO",
            "Government of Tonga",
            OrgKind::Government,
            Some("TO"),
            "t",
        )
        .await
        .unwrap();
    create_users(
        store,
        &[
            ("undp", "XM-DAC-41114", Role::Editor),
            ("tonga", "GOV-TO", Role::FocalPoint),
        ],
    )
    .await;
}

fn founding_text() -> String {
    std::fs::read_to_string(
        bundled_data().join("announcements/2019-10-31-nz-japan-joint-declaration.md"),
    )
    .unwrap()
}

/// How many rows the tables an announcement upload writes hold.
async fn announcement_counts(store: &Store) -> (usize, usize) {
    let all = store.announcements().await.unwrap();
    let mut commitments = 0;
    for a in &all {
        commitments += store.announcement_commitments(a.id).await.unwrap().len();
    }
    (all.len(), commitments)
}

/// A visitor's CSRF cookie and token (from the sign-in form).
async fn visitor(app: &App) -> (String, String) {
    let form = app.get("/login", None).await;
    (
        format!("vaka_csrf={}", form.set_cookie("vaka_csrf").unwrap()),
        csrf_in(&form.text()),
    )
}

both_backends!(
    announcement_pages_upload_and_review,
    |db: TestDb| async move {
        let store = db.store().await;
        accounts(&store).await;
        more_accounts(&store).await;
        let app = App::new(store.clone());
        let alice = sign_in(&app, "alice").await;
        let empty = announcement_counts(&store).await;

        // The upload page: visitors are asked to sign in, viewers refused.
        assert_eq!(
            app.get("/announcements/upload", None).await.status,
            StatusCode::UNAUTHORIZED
        );
        let vic = sign_in(&app, "vic").await;
        assert_eq!(
            app.get("/announcements/upload", Some(&vic)).await.status,
            StatusCode::FORBIDDEN
        );
        let page = app.get("/announcements/upload", Some(&alice)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("enctype=\"multipart/form-data\""));
        let csrf = csrf_in(&page.text());
        let upload = |csrf: &str| format!("/announcements/upload?csrf={csrf}");

        // A visitor cannot post; without the CSRF token nothing happens.
        let (vcookie, vcsrf) = visitor(&app).await;
        let r = app
            .upload(
                &upload(&vcsrf),
                Some(&vcookie),
                "r.md",
                founding_text().as_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
        let r = app
            .upload(
                "/announcements/upload",
                Some(&alice),
                "r.md",
                founding_text().as_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        // A malformed release: the error names the field and line; nothing stored.
        let bad = founding_text().replace("date: 2019-10-31", "date: 31/10/2019");
        let r = app
            .upload(&upload(&csrf), Some(&alice), "release.md", bad.as_bytes())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let t = r.text();
        assert!(t.contains("`date`") && t.contains("line 3"), "{t}");
        assert!(t.contains("nothing was stored"), "{t}");
        // Not a release at all, and the wrong kind of file.
        let r = app
            .upload(&upload(&csrf), Some(&alice), "x.md", b"no front matter")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = app
            .upload(
                &upload(&csrf),
                Some(&alice),
                "x.xml",
                founding_text().as_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(announcement_counts(&store).await, empty);
        assert!(
            store
                .audit_history("announcement", "1")
                .await
                .unwrap()
                .is_empty()
        );

        // A good release: the extracted draft is shown.
        let r = app
            .upload(
                &upload(&csrf),
                Some(&alice),
                "founding.md",
                founding_text().as_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert!(r.text().contains("Winston Peters"));
        let (n, ncommit) = announcement_counts(&store).await;
        assert_eq!(n, 1);
        assert!(ncommit >= 1);
        let id = store.announcements().await.unwrap()[0].id;

        // The list and the page, for everyone.
        let list = app.get("/announcements", None).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.text()
                .contains(&format!("href=\"/announcements/{id}\""))
        );
        assert!(list.text().contains("New Zealand and Japan"));
        let page = app.get(&format!("/announcements/{id}"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        let t = page.text();
        for needle in [
            "Winston Peters",
            "Deputy Prime Minister",
            "nz-japan-2019",
            "Renewable energy",
            "Aviation infrastructure",
            "Water security",
            "Medical infrastructure and equipment",
            "Disaster risk reduction",
            "href=\"/countries/NZ\"",
            "draft",
            "beehive.govt.nz",
        ] {
            assert!(t.contains(needle), "{needle} missing");
        }
        assert!(!t.contains("/review\""), "a visitor sees no review form");
        assert!(
            app.get(&format!("/announcements/{id}?lang=ja"), None)
                .await
                .text()
                .contains("重点分野")
        );
        assert_eq!(
            app.get("/announcements/999", None).await.status,
            StatusCode::NOT_FOUND
        );

        // Review a candidate commitment.
        let c = store.announcement_commitments(id).await.unwrap().remove(0);
        let review = format!("/commitments/{}/review", c.id);
        let page = app.get(&format!("/announcements/{id}"), Some(&alice)).await;
        assert!(page.text().contains(&format!("action=\"{review}\"")));
        let csrf = csrf_in(&page.text());
        let confirm = |csrf: &str, v: &str| {
            vec![
                ("csrf".to_string(), csrf.to_string()),
                ("expect_version".into(), v.into()),
                ("op".into(), "confirm".into()),
                ("text".into(), c.text.clone()),
            ]
        };
        let post = |cookie: Option<String>, form: Vec<(String, String)>| {
            let review = review.clone();
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                app.post_form(&review, cookie.as_deref(), &pairs).await
            }
        };
        // A visitor, a viewer, an editor of another organisation, a missing token.
        let r = post(Some(vcookie.clone()), confirm(&vcsrf, "1")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let vic_csrf = csrf_in(&app.get("/announcements", Some(&vic)).await.text());
        let r = post(Some(vic.clone()), confirm(&vic_csrf, "1")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let undp = sign_in(&app, "undp").await;
        let undp_page = app.get(&format!("/announcements/{id}"), Some(&undp)).await;
        assert!(
            !undp_page.text().contains("/review\""),
            "no form for a non-partner"
        );
        let r = post(
            Some(undp.clone()),
            confirm(&csrf_in(&undp_page.text()), "1"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert!(r.text().contains("not a partner"), "{}", r.text());
        let r = post(Some(alice.clone()), confirm("not-the-token", "1")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(store.commitment(c.id).await.unwrap().version, 1);

        // The New Zealand editor confirms.
        let r = post(Some(alice.clone()), confirm(&csrf, "1")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let c2 = store.commitment(c.id).await.unwrap();
        assert_eq!((c2.version, c2.status.as_str()), (2, "confirmed"));
        // JICA's editor (a partner too) edits from the stale page: 409 and what changed.
        let kenji = sign_in(&app, "kenji").await;
        let kcsrf = csrf_in(&app.get("/announcements", Some(&kenji)).await.text());
        let mut stale = confirm(&kcsrf, "1");
        stale[2].1 = "edit".into();
        stale[3].1 = "Edited too late".into();
        let r = post(Some(kenji.clone()), stale).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let t = r.text();
        assert!(t.contains("id=\"conflict\""), "{t}");
        assert!(
            t.contains("You saw version 1; it is now at version 2."),
            "{t}"
        );
        let notice = &t[t.find("id=\"conflict\"").unwrap()..];
        let notice = &notice[..notice.find("</div>").unwrap()];
        assert!(
            notice.contains("alice") && notice.contains("<del>draft</del>"),
            "{notice}"
        );
        assert!(notice.contains("<ins>confirmed</ins>"), "{notice}");
        assert_eq!(store.commitment(c.id).await.unwrap().text, c.text);

        // A confirmed commitment shows its derived status and the three sums.
        let t = app
            .get(&format!("/announcements/{id}?currency=NZD"), None)
            .await
            .text();
        assert!(t.contains("Announced") && t.contains("Committed") && t.contains("Disbursed"));
        assert!(t.contains("0.00 NZD"), "sums in the chosen currency");
        // Announced in 2019 with no evidence linked: lapsed three years on.
        assert!(t.contains("<strong>lapsed</strong>"), "{t}");
        // The audit log of the object is on the page.
        assert!(t.contains("review") && t.contains("commitment"));
    }
);

both_backends!(
    consultation_pages_actions_and_awaiting,
    |db: TestDb| async move {
        use vaka_coord::consultation::{AgendaItem, ConsultationInput};
        use vaka_coord::project::Action;
        let store = db.store().await;
        accounts(&store).await;
        more_accounts(&store).await;
        let nz = store.user_actor("alice").await.unwrap();
        let meeting = store
            .create_consultation(
                Some(&nz),
                &ConsultationInput {
                    framework: "nz-japan-2019".into(),
                    mechanism: "technical-working-group".into(),
                    title: "TWG <energy>".into(),
                    date: "2025-01-10".into(),
                    place: Some("Nuku'alofa".into()),
                    online: true,
                    participants: vec!["NZ-1".into(), "GOV-TO".into()],
                    agenda: vec![AgendaItem {
                        title: "Solar & storage".into(),
                        countries: vec!["TO".into()],
                        areas: vec!["renewable-energy".into()],
                        ..Default::default()
                    }],
                },
            )
            .await
            .unwrap();
        let id = meeting.id;
        let late = store
            .add_action(
                Some(&nz),
                id,
                Some(0),
                "Site survey",
                "GOV-TO",
                "2020-01-01",
            )
            .await
            .unwrap();
        store
            .add_action(
                Some(&nz),
                id,
                None,
                "Draft the NZ budget note",
                "NZ-1",
                "2999-01-01",
            )
            .await
            .unwrap();
        // A project for Tonga, awaiting its government's endorsement.
        let project: vaka_coord::project::ProjectInput = serde_json::from_value(serde_json::json!({
            "framework": "nz-japan-2019",
            "title": {"en": "Solar for Tonga"},
            "countries": ["TO"],
            "areas": ["renewable-energy"],
            "partners": [
                {"org": "NZ-1", "role": "lead", "contribution": {"kind": "money", "amount": "7900000", "currency": "NZD"}},
                {"org": "JP-8", "role": "co-financier", "contribution": null}
            ]
        }))
        .unwrap();
        let p = store.create_project(Some(&nz), &project).await.unwrap();
        for (v, step) in [(1, Action::Appraise), (2, Action::Submit)] {
            store
                .transition_project(Some(&nz), p.id, v, step, None, "")
                .await
                .unwrap();
        }
        let app = App::new(store.clone());
        let path = format!("/consultations/{id}");

        let list = app.get("/consultations", None).await;
        assert_eq!(list.status, StatusCode::OK);
        let t = list.text();
        assert!(t.contains("nz-japan-2019") && t.contains(&format!("href=\"{path}\"")));
        assert!(t.contains("TWG &lt;energy&gt;"), "escaped");

        let page = app.get(&path, None).await;
        assert_eq!(page.status, StatusCode::OK);
        let t = page.text();
        for needle in [
            "TWG &lt;energy&gt;",
            "2025-01-10",
            "Nuku'alofa + online",
            "GOV-TO",
            "Solar &amp; storage",
            "href=\"/countries/TO\"",
            "href=\"/areas/nz-japan-2019/renewable-energy\"",
            "Site survey",
            "overdue",
            &format!("href=\"/api/v1/consultations/{id}/record.html\""),
            &format!("href=\"/api/v1/consultations/{id}/record.xlsx\""),
            "action_item",
        ] {
            assert!(t.contains(needle), "{needle} missing");
        }
        assert!(!t.contains("/items\""), "a visitor sees no form");
        assert!(
            app.get(&format!("{path}?lang=ja"), None)
                .await
                .text()
                .contains("議題")
        );

        // Add an item with decisions; the forms need a writer and the token.
        let alice = sign_in(&app, "alice").await;
        let csrf = csrf_in(&app.get(&path, Some(&alice)).await.text());
        let items = format!("{path}/items");
        let new_item = |csrf: &str, v: &str| {
            vec![
                ("csrf".to_string(), csrf.to_string()),
                ("expect_version".into(), v.to_string()),
                ("item".into(), String::new()),
                ("title".into(), "Aviation <safety>".into()),
                ("countries".into(), "to, fj".into()),
                (
                    "decisions".into(),
                    "Fund the runway study\nMeet again in May".into(),
                ),
            ]
        };
        let post = |uri: String, cookie: Option<String>, form: Vec<(String, String)>| {
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                app.post_form(&uri, cookie.as_deref(), &pairs).await
            }
        };
        let (vcookie, vcsrf) = visitor(&app).await;
        let r = post(items.clone(), Some(vcookie.clone()), new_item(&vcsrf, "1")).await;
        assert!(
            r.status == StatusCode::FORBIDDEN || r.status == StatusCode::UNAUTHORIZED,
            "{}",
            r.status
        );
        let vic = sign_in(&app, "vic").await;
        let vic_csrf = csrf_in(&app.get(&path, Some(&vic)).await.text());
        let r = post(items.clone(), Some(vic.clone()), new_item(&vic_csrf, "1")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(items.clone(), Some(alice.clone()), new_item("forged", "1")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(store.consultation(id).await.unwrap().version, 1);
        let r = post(items.clone(), Some(alice.clone()), new_item(&csrf, "1")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let t = app.get(&path, None).await.text();
        assert!(t.contains("Aviation &lt;safety&gt;") && t.contains("Fund the runway study"));
        assert!(t.contains("href=\"/countries/FJ\""));
        // The same form again from the stale page: 409 with what changed.
        let r = post(items.clone(), Some(alice.clone()), new_item(&csrf, "1")).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(
            r.text()
                .contains("You saw version 1; it is now at version 2.")
        );
        assert!(r.text().contains("<code>agenda</code>"), "{}", r.text());

        // Add an action item.
        let r = post(
            format!("{path}/actions"),
            Some(alice.clone()),
            vec![
                ("csrf".into(), csrf.clone()),
                ("text".into(), "Share the wind data".into()),
                ("owner_org".into(), "GOV-TO".into()),
                ("due".into(), "2999-06-30".into()),
                ("item".into(), "2".into()),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(
            app.get(&path, None)
                .await
                .text()
                .contains("Share the wind data")
        );

        // Only the owner organisation (or an admin) changes an action's status.
        let status = format!("/actions/{}/status", late.id);
        let set = |csrf: &str, v: &str| {
            vec![
                ("csrf".to_string(), csrf.to_string()),
                ("expect_version".into(), v.to_string()),
                ("status".into(), "done".into()),
                ("consultation".into(), id.to_string()),
                ("back".into(), "awaiting".into()),
            ]
        };
        let r = post(status.clone(), Some(alice.clone()), set(&csrf, "1")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Tonga's focal point sees what awaits its government, overdue first.
        assert_eq!(
            app.get("/awaiting", None).await.status,
            StatusCode::UNAUTHORIZED
        );
        let tonga = sign_in(&app, "tonga").await;
        let w = app.get("/awaiting", Some(&tonga)).await;
        assert_eq!(w.status, StatusCode::OK);
        let t = w.text();
        assert!(t.contains("Site survey") && t.contains("Share the wind data"));
        assert!(
            !t.contains("Draft the NZ budget note"),
            "another organisation's item"
        );
        assert!(
            t.find("Site survey") < t.find("Share the wind data"),
            "overdue first"
        );
        assert!(t.contains("class=\"overdue\""));
        assert!(
            t.contains(&format!("href=\"/projects/{}\"", p.id)) && t.contains("Solar for Tonga")
        );
        // A partner's editor has no government: no project awaits it.
        let nz_view = app.get("/awaiting", Some(&alice)).await.text();
        assert!(
            !nz_view.contains("Solar for Tonga") && nz_view.contains("Draft the NZ budget note")
        );
        let tcsrf = csrf_in(&t);
        let r = post(status.clone(), Some(tonga.clone()), set(&tcsrf, "1")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(
            !app.get("/awaiting", Some(&tonga))
                .await
                .text()
                .contains("Site survey")
        );
        let r = post(status.clone(), Some(tonga.clone()), set(&tcsrf, "1")).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let t = r.text();
        assert!(
            t.contains("You saw version 1; it is now at version 2."),
            "{t}"
        );
        assert!(
            t.contains("<del>open</del>") && t.contains("<ins>done</ins>"),
            "{t}"
        );
    }
);

both_backends!(
    project_pages_in_japanese_and_stale_edits,
    |db: TestDb| async move {
        use vaka_coord::project::{Action, ProjectInput};
        let store = db.store().await;
        accounts(&store).await;
        let nz = store.user_actor("alice").await.unwrap();
        let input: ProjectInput = serde_json::from_value(serde_json::json!({
            "framework": "nz-japan-2019",
            "title": {"en": "Solar for Tonga", "ja": "トンガの太陽光"},
            "countries": ["TO"],
            "areas": ["renewable-energy"],
            "partners": [
                {"org": "NZ-1", "role": "lead", "contribution": {"kind": "money", "amount": "7900000", "currency": "NZD"}},
                {"org": "JP-8", "role": "co-financier", "contribution": null}
            ]
        }))
        .unwrap();
        let p = store.create_project(Some(&nz), &input).await.unwrap();
        let app = App::new(store.clone());
        let path = format!("/projects/{}", p.id);

        // The list and the page in Japanese: UI text, statuses, roles.
        let list = app.get("/projects?lang=ja", None).await;
        assert_eq!(list.status, StatusCode::OK);
        let t = list.text();
        for needle in [
            "<html lang=\"ja\"",
            "共同事業",
            "名称",
            "対象国",
            "構想",
            "トンガの太陽光",
        ] {
            assert!(t.contains(needle), "{needle} missing: {t}");
        }
        assert!(!t.contains(">Title<") && !t.contains(">concept<"), "{t}");
        let page = app.get(&format!("{path}?lang=ja"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        let t = page.text();
        for needle in [
            "パートナー：計画と実績（USD）",
            "役割",
            "主導",
            "協調資金提供",
            "ライフサイクル",
            "履歴",
            "状態",
        ] {
            assert!(t.contains(needle), "{needle} missing: {t}");
        }
        for english in [
            "Lifecycle",
            "History",
            "Partners: planned",
            ">lead<",
            "Status",
        ] {
            assert!(!t.contains(english), "`{english}` left in English: {t}");
        }
        // English stays the default.
        let t = app.get(&path, None).await.text();
        assert!(t.contains("Lifecycle") && t.contains("Partners: planned and reported (USD)"));

        // A writer's form, in Japanese.
        let alice = sign_in(&app, "alice").await;
        let t = app
            .get(&format!("{path}?lang=ja"), Some(&alice))
            .await
            .text();
        assert!(
            t.contains("手続き") && t.contains("審査する") && t.contains("適用"),
            "{t}"
        );
        let csrf = csrf_in(&t);

        // Someone else changes the project twice (an edit, then a step) while
        // the page shows version 1: the stale step is refused with 409 and
        // every change since version 1 is listed, field by field.
        let mut edited = input.clone();
        edited.planned_end = Some("2027-12-31".into());
        store
            .update_project(Some(&nz), p.id, 1, &edited)
            .await
            .unwrap();
        store
            .transition_project(Some(&nz), p.id, 2, Action::Appraise, None, "")
            .await
            .unwrap();
        let form = [
            ("csrf", csrf.as_str()),
            ("expect_version", "1"),
            ("action", "appraise"),
            ("partner", ""),
            ("comment", ""),
        ];
        let r = app
            .post_form(&format!("{path}/transition"), Some(&alice), &form)
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
        let t = r.text();
        assert!(
            t.contains("You saw version 1; it is now at version 3."),
            "{t}"
        );
        assert!(t.contains("<code>planned_end</code>"), "{t}");
        assert!(t.contains("<ins>2027-12-31</ins>"), "{t}");
        assert!(
            t.contains("<code>status</code>")
                && t.contains("<del>concept</del>")
                && t.contains("<ins>appraisal</ins>"),
            "{t}"
        );
        assert_eq!(store.project(p.id).await.unwrap().version, 3);

        // The same refusal in Japanese.
        let r = app
            .post_form(&format!("{path}/transition?lang=ja"), Some(&alice), &form)
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let t = r.text();
        assert!(t.contains("あなたが見たのは版 1、現在は版 3 です。"), "{t}");
        assert!(t.contains("<code>planned_end</code>") && t.contains("ライフサイクル"));
        assert_eq!(store.project(p.id).await.unwrap().version, 3);
    }
);

/// Users with the test password, each in an organisation with a role.
async fn create_users(store: &Store, users: &[(&str, &str, Role)]) {
    for &(username, org, role) in users {
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
