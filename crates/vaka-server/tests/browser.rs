//! End to end in real headless Chromium, driven through `chromedriver`
//! (WebDriver over HTTP, spoken here with a few lines of tokio and serde_json).
//!
//! With the bundled Pacific data imported: open the dashboard, follow a matrix
//! cell to the activity list and on to an activity, search, switch to Japanese,
//! sign in, upload a file and an announcement. Screenshots of the pages go to
//! `target/test-output/screenshots/`. Without `chromedriver` and `chromium`
//! (Debian packages `chromium` and `chromium-driver`) the test fails and says so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vaka_domain::access::{OrgKind, Role};
use vaka_server::ServerConfig;
use vaka_store::accounts::NewUser;
use vaka_store::import::{ImportOptions, NoProgress};
use vaka_testkit::{TestDb, bundled_data, repo_root};

const PW: &str = "correct horse battery";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// One HTTP/1.1 request to the driver; the JSON `value` of the answer.
async fn wd(port: u16, method: &str, path: &str, body: Option<Value>) -> Value {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    // The driver may keep the connection open: read by Content-Length (or to
    // the last chunk), not to the end of the stream.
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 65536];
    let (head, payload) = loop {
        let n = tokio::time::timeout(Duration::from_secs(60), s.read(&mut buf))
            .await
            .expect("the driver answers within a minute")
            .unwrap();
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw).into_owned();
        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let lower = head.to_ascii_lowercase();
            if lower.contains("transfer-encoding: chunked") {
                if rest.contains("\r\n0\r\n") || rest.starts_with("0\r\n") || n == 0 {
                    break (head.to_string(), dechunk(rest));
                }
            } else if let Some(len) = lower
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
            {
                if rest.len() >= len || n == 0 {
                    break (head.to_string(), rest.to_string());
                }
            } else if n == 0 {
                break (head.to_string(), rest.to_string());
            }
        }
        assert!(n > 0, "the driver closed the connection early");
    };
    let v: Value = serde_json::from_str(&payload)
        .unwrap_or_else(|e| panic!("driver answered {head}: {payload} ({e})"));
    if let Some(err) = v["value"]["error"].as_str() {
        panic!(
            "WebDriver {method} {path}: {err}: {}",
            v["value"]["message"]
        );
    }
    v["value"].clone()
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n: u32 = 0;
        for (i, c) in chunk.iter().enumerate() {
            n |= (val(*c) as u32) << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

struct Browser {
    port: u16,
    session: String,
    shots: PathBuf,
}

impl Browser {
    async fn go(&self, url: &str) {
        wd(
            self.port,
            "POST",
            &format!("/session/{}/url", self.session),
            Some(json!({ "url": url })),
        )
        .await;
    }
    async fn find(&self, css: &str) -> String {
        let v = wd(
            self.port,
            "POST",
            &format!("/session/{}/element", self.session),
            Some(json!({ "using": "css selector", "value": css })),
        )
        .await;
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element for `{css}`: {v}"))
            .to_string()
    }
    async fn click(&self, css: &str) {
        let e = self.find(css).await;
        wd(
            self.port,
            "POST",
            &format!("/session/{}/element/{e}/click", self.session),
            Some(json!({})),
        )
        .await;
    }
    async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        wd(
            self.port,
            "POST",
            &format!("/session/{}/element/{e}/value", self.session),
            Some(json!({ "text": text })),
        )
        .await;
    }
    async fn url(&self) -> String {
        wd(
            self.port,
            "GET",
            &format!("/session/{}/url", self.session),
            None,
        )
        .await
        .as_str()
        .unwrap()
        .to_string()
    }
    async fn source(&self) -> String {
        wd(
            self.port,
            "GET",
            &format!("/session/{}/source", self.session),
            None,
        )
        .await
        .as_str()
        .unwrap()
        .to_string()
    }
    /// The page source once it contains `needle` (navigation after a click may
    /// still be under way); fails after ten seconds with the page shown.
    async fn wait_for(&self, needle: &str) -> String {
        let mut last = String::new();
        for _ in 0..50 {
            last = self.source().await;
            if last.contains(needle) {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("the page never showed `{needle}`: {last}");
    }

    async fn shot(&self, name: &str) {
        let v = wd(
            self.port,
            "GET",
            &format!("/session/{}/screenshot", self.session),
            None,
        )
        .await;
        let png = base64_decode(v.as_str().unwrap());
        assert_eq!(&png[1..4], b"PNG");
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_to_activity_search_japanese_sign_in_and_upload() {
    let driver = find_program(&["chromedriver"]).expect(
        "chromedriver not found: the browser tests need Debian's `chromium` and `chromium-driver` packages (apt-get install -y chromium chromium-driver)",
    );
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"])
        .expect("chromium not found: apt-get install -y chromium chromium-driver");

    // The application with the bundled data and one editor.
    let db = TestDb::sqlite();
    let store = db.store().await;
    store
        .import_paths(
            &[bundled_data().join("iati/pacific")],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap();
    store
        .create_organisation("NZ-1", "New Zealand MFAT", OrgKind::Partner, None, "t")
        .await
        .unwrap();
    store
        .create_user(
            &NewUser {
                username: "alice",
                display_name: "Alice",
                password: PW,
                org: "NZ-1",
                role: Role::Editor,
            },
            "t",
        )
        .await
        .unwrap();
    let uploads = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = ServerConfig {
        addr,
        upload_dir: uploads.path().to_path_buf(),
        ..Default::default()
    };
    let server = tokio::spawn(vaka_server::serve_on(listener, store, config, async {
        let _ = stopped.await;
    }));

    // The driver on a free port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut ready = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "chromedriver did not start on port {port}");
    let caps = json!({ "capabilities": { "alwaysMatch": { "browserName": "chrome", "goog:chromeOptions": {
        "binary": chromium.to_string_lossy(),
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"]
    } } } });
    let session = wd(port, "POST", "/session", Some(caps)).await["sessionId"]
        .as_str()
        .unwrap()
        .to_string();
    let shots = repo_root().join("target/test-output/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let b = Browser {
        port,
        session,
        shots,
    };

    // Dashboard → a matrix cell → an activity.
    b.go(&format!("{base}/")).await;
    assert!(b.source().await.contains("class=\"heat\""));
    b.shot("dashboard").await;
    b.click("table.heat td.num a").await;
    b.wait_for("href=\"/activities/").await;
    assert!(b.url().await.contains("/activities?"), "{}", b.url().await);
    b.shot("activities").await;
    b.click("tbody a[href^='/activities/']").await;
    b.wait_for("Provenance").await;
    b.shot("activity").await;

    // Search from the form.
    b.go(&format!("{base}/search")).await;
    b.type_into("input[name=q]", "climate").await;
    b.click("form[role=search] button[type=submit]").await;
    b.wait_for("href=\"/activities/").await;
    assert!(b.url().await.contains("q=climate"));
    b.shot("search").await;

    // Japanese, kept while moving on.
    b.click("a[hreflang=ja]").await;
    b.wait_for("lang=\"ja\"").await;
    b.go(&format!("{base}/countries/FJ")).await;
    b.wait_for("重点分野別").await;
    b.shot("country-ja").await;

    // Sign in and upload a file.
    b.go(&format!("{base}/login")).await;
    b.type_into("input[name=username]", "alice").await;
    b.type_into("input[name=password]", PW).await;
    b.click("form button[type=submit]").await;
    b.wait_for("/logout").await;
    b.go(&format!("{base}/import")).await;
    let file = repo_root().join("crates/vaka-store/tests/fixtures/multilingual.xml");
    b.type_into("input[type=file]", &file.to_string_lossy())
        .await;
    b.click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    b.wait_for("取り込み済み").await;
    b.shot("import").await;

    // Upload the founding announcement; its page shows what was extracted.
    b.go(&format!("{base}/announcements/upload")).await;
    let release = bundled_data().join("announcements/2019-10-31-nz-japan-joint-declaration.md");
    b.type_into("input[type=file]", &release.to_string_lossy())
        .await;
    b.click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    b.wait_for("Winston Peters").await;
    b.shot("announcement").await;

    wd(port, "DELETE", &format!("/session/{}", b.session), None).await;
    child.kill().await.ok();
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    for name in [
        "dashboard",
        "activities",
        "activity",
        "search",
        "country-ja",
        "import",
        "announcement",
    ] {
        assert!(b.shots.join(format!("{name}.png")).is_file());
    }
}
