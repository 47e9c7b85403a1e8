//! The framework at work from a shell: `vaka import announcement`,
//! `vaka announcement`, `vaka project`, `vaka consultation`, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use serde_json::{Value, json};
use vaka_domain::access::{OrgKind, Role};
use vaka_store::accounts::NewUser;
use vaka_testkit::{TestDb, both_backends, bundled_data};

fn vaka(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vaka"))
        .arg("--db")
        .arg(&db.url)
        .args(args)
        .env("RUST_LOG", "error")
        .env("USER", "tester")
        .output()
        .expect("run vaka")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(db: &TestDb, args: &[&str]) -> String {
    let o = vaka(db, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}{}", out(&o), err(&o));
    out(&o)
}

fn json(db: &TestDb, args: &[&str]) -> Value {
    serde_json::from_str(&ok(db, args)).unwrap()
}

fn founding() -> String {
    bundled_data()
        .join("announcements/2019-10-31-nz-japan-joint-declaration.md")
        .display()
        .to_string()
}

const NZ: &[&str] = &["--as", "nz-desk"];
const JP: &[&str] = &["--as", "jica-desk"];
const TO: &[&str] = &["--as", "tonga-fp"];
const VIEWER: &[&str] = &["--as", "nz-viewer"];

/// The organisations and accounts `--as` names, created as the operator would.
async fn accounts(db: &TestDb) {
    let store = db.store().await;
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
    for (username, org, role) in [
        ("nz-desk", "NZ-1", Role::Editor),
        ("jica-desk", "XM-DAC-701-8", Role::Editor),
        ("tonga-fp", "GOV-TO", Role::FocalPoint),
        ("nz-viewer", "NZ-1", Role::Viewer),
    ] {
        store
            .create_user(
                &NewUser {
                    username,
                    display_name: username,
                    password: "correct horse battery",
                    org,
                    role,
                },
                "test",
            )
            .await
            .unwrap();
    }
    store.close().await;
}

fn with(who: &[&str], args: &[&str]) -> Vec<String> {
    args.iter().chain(who).map(|s| s.to_string()).collect()
}

fn run_as(db: &TestDb, who: &[&str], args: &[&str]) -> Output {
    let all = with(who, args);
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    vaka(db, &refs)
}

both_backends!(import_and_show_announcements, |db: TestDb| async move {
    accounts(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.md");
    std::fs::write(
        &bad,
        std::fs::read_to_string(founding())
            .unwrap()
            .replace("url: https", "url: ftp"),
    )
    .unwrap();
    // One good file and one rejected: exit 1, the good one is stored.
    let o = vaka(
        &db,
        &["import", "announcement", &founding(), bad.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(out(&o).starts_with("1\t"), "{}", out(&o));
    let e = err(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.contains("bad.md") && e.contains("`url`") && e.contains("line 4"),
        "{e}"
    );

    let v = json(&db, &["announcement", "show", "1", "--json"]);
    assert_eq!(v["date"], "2019-10-31");
    assert_eq!(v["countries"], json!(["NZ", "JP"]));
    assert_eq!(v["frameworks"], json!(["nz-japan-2019"]));
    assert_eq!(v["areas"].as_array().unwrap().len(), 5);
    assert_eq!(v["commitments"][0]["status"], "draft");
    let list = json(&db, &["announcement", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], 1);

    // Review: a viewer cannot, a stale version is refused, then confirmed.
    let o = run_as(
        &db,
        VIEWER,
        &["announcement", "confirm", "1", "--version", "1"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("not allowed"), "{}", err(&o));
    ok(
        &db,
        &[
            "announcement",
            "edit",
            "1",
            "--version",
            "1",
            "--amount",
            "10000000",
            "--currency",
            "NZD",
        ],
    );
    let o = vaka(&db, &["announcement", "confirm", "1", "--version", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("now at version 2"), "{}", err(&o));
    assert!(ok(&db, &["announcement", "confirm", "1", "--version", "2"]).contains("version 3"));
    let s = json(
        &db,
        &[
            "announcement",
            "status",
            "1",
            "--currency",
            "NZD",
            "--today",
            "2020-01-01",
            "--json",
        ],
    );
    assert_eq!(s["progress"], "announced");
    assert_eq!(s["announced"], "10000000.00");
    let s = json(
        &db,
        &[
            "announcement",
            "status",
            "1",
            "--today",
            "2023-01-01",
            "--json",
        ],
    );
    assert_eq!(s["progress"], "lapsed");
});

both_backends!(
    drive_a_project_through_its_lifecycle,
    |db: TestDb| async move {
        accounts(&db).await;
        let create = [
            "project",
            "create",
            "--title",
            "Solar for Tonga",
            "--title",
            "ja=トンガの太陽光",
            "--country",
            "TO",
            "--area",
            "renewable-energy",
            "--partner",
            "NZ-1:lead:7900000:NZD",
            "--partner",
            "XM-DAC-701-8:co-financier:in-kind:engineers",
        ];
        let o = run_as(&db, VIEWER, &create);
        assert_eq!(o.status.code(), Some(1), "{}", err(&o));
        let o = run_as(&db, NZ, &create);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let id = out(&o);
        assert_eq!(id.trim(), "1");

        let step = |who: &[&str], action: &str, version: &str, extra: &[&str]| {
            let mut args = vec!["project", "transition", "1", action, "--version", version];
            args.extend_from_slice(extra);
            run_as(&db, who, &args)
        };
        assert_eq!(step(JP, "appraise", "1", &[]).status.code(), Some(0));
        assert_eq!(step(NZ, "submit", "2", &[]).status.code(), Some(0));
        let o = step(NZ, "endorse", "3", &[]);
        assert_eq!(o.status.code(), Some(1));
        assert!(err(&o).contains("focal point"), "{}", err(&o));
        let o = run_as(&db, TO, &["consultation", "awaiting", "--json"]);
        let w: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(w["projects"][0]["id"], 1);
        assert_eq!(
            step(TO, "endorse", "3", &["--comment", "Fits the plan"])
                .status
                .code(),
            Some(0)
        );
        let o = step(JP, "approve", "4", &["--partner", "NZ-1"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(err(&o).contains("only an editor of NZ-1"), "{}", err(&o));
        assert_eq!(step(JP, "approve", "4", &[]).status.code(), Some(0));
        assert_eq!(step(NZ, "approve", "5", &[]).status.code(), Some(0));
        assert_eq!(step(NZ, "start", "6", &[]).status.code(), Some(0));
        let o = step(NZ, "complete", "6", &[]);
        assert!(err(&o).contains("now at version 7"), "{}", err(&o));
        assert_eq!(step(NZ, "complete", "7", &[]).status.code(), Some(0));

        let v = json(&db, &["project", "show", "1", "--json"]);
        assert_eq!(v["project"]["status"], "completed");
        assert_eq!(v["project"]["title"]["ja"], "トンガの太陽光");
        let steps: Vec<&str> = v["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["to"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            [
                "appraisal",
                "awaiting_endorsement",
                "endorsed",
                "endorsed",
                "approved",
                "implementation",
                "completed"
            ]
        );
        assert_eq!(v["transitions"][2]["by"], "tonga-fp");
        assert_eq!(v["transitions"][2]["comment"], "Fits the plan");
        let hist = ok(&db, &["project", "history", "1"]);
        assert_eq!(hist.lines().count(), 8, "{hist}");
    }
);

both_backends!(consultation_record_and_exports, |db: TestDb| async move {
    accounts(&db).await;
    let id = ok(
        &db,
        &[
            "consultation",
            "create",
            "--mechanism",
            "senior-officials-consultation",
            "--title",
            "SOC <2025>",
            "--date",
            "2025-02-01",
            "--place",
            "Tokyo",
            "--participant",
            "NZ-1",
            "--participant",
            "XM-DAC-701-8",
            "--item",
            "Solar & storage",
        ],
    );
    assert_eq!(id.trim(), "1");
    let o = vaka(
        &db,
        &[
            "consultation",
            "create",
            "--mechanism",
            "nope",
            "--title",
            "x",
            "--date",
            "2025-02-01",
            "--online",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("senior-officials-consultation"),
        "{}",
        err(&o)
    );
    ok(
        &db,
        &[
            "consultation",
            "record",
            "1",
            "--version",
            "1",
            "--item",
            "1",
            "--decision",
            "Go ahead",
            "--minutes",
            "Agreed.",
        ],
    );
    ok(
        &db,
        &[
            "consultation",
            "action",
            "add",
            "1",
            "--owner",
            "GOV-TO",
            "--due",
            "2025-03-01",
            "--text",
            "Survey",
            "--item",
            "1",
        ],
    );
    ok(
        &db,
        &[
            "consultation",
            "action",
            "add",
            "1",
            "--owner",
            "NZ-1",
            "--due",
            "2025-06-01",
            "--text",
            "Draft ToR",
        ],
    );
    let over = json(
        &db,
        &[
            "consultation",
            "action",
            "list",
            "--overdue",
            "--today",
            "2025-04-01",
            "--json",
        ],
    );
    assert_eq!(over.as_array().unwrap().len(), 1);
    assert_eq!(over[0]["action"]["text"], "Survey");
    assert_eq!(over[0]["overdue"], true);
    let o = run_as(
        &db,
        NZ,
        &[
            "consultation",
            "action",
            "set",
            "1",
            "--version",
            "1",
            "--status",
            "done",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let o = run_as(
        &db,
        TO,
        &[
            "consultation",
            "action",
            "set",
            "1",
            "--version",
            "1",
            "--status",
            "done",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let over = json(
        &db,
        &[
            "consultation",
            "action",
            "list",
            "--overdue",
            "--today",
            "2025-04-01",
            "--json",
        ],
    );
    assert!(over.as_array().unwrap().is_empty());

    let html = ok(
        &db,
        &[
            "consultation",
            "show",
            "1",
            "--html",
            "-",
            "--today",
            "2025-07-01",
        ],
    );
    assert!(html.contains("<h1>SOC &lt;2025&gt;</h1>"), "{html}");
    assert!(html.contains("Solar &amp; storage"));
    assert!(html.contains("Go ahead"));
    assert!(
        html.contains("Draft ToR</td><td>NZ-1</td><td>2025-06-01</td><td>open (overdue)"),
        "{html}"
    );
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("record.xlsx");
    ok(
        &db,
        &["consultation", "show", "1", "--xlsx", x.to_str().unwrap()],
    );
    let bytes = std::fs::read(&x).unwrap();
    assert_eq!(&bytes[..2], b"PK");
});

both_backends!(as_resolves_accounts, |db: TestDb| async move {
    accounts(&db).await;
    ok(&db, &["import", "announcement", &founding()]);
    // A known user acts with its own permissions: the New Zealand editor may
    // confirm the joint commitment, and the audit log names it.
    let o = run_as(&db, NZ, &["announcement", "confirm", "1", "--version", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let store = db.store().await;
    let history = store.audit_history("commitment", "1").await.unwrap();
    assert_eq!(history.last().unwrap().actor, "nz-desk");
    store.close().await;
    // The Tonga focal point is not a committing partner: refused.
    let o = run_as(&db, TO, &["announcement", "reject", "1", "--version", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(err(&o).contains("not allowed"), "{}", err(&o));
    // A viewer cannot write anything.
    let o = run_as(
        &db,
        VIEWER,
        &[
            "consultation",
            "create",
            "--mechanism",
            "technical-working-group",
            "--title",
            "TWG",
            "--date",
            "2025-01-10",
            "--place",
            "Wellington",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(err(&o).contains("not allowed"), "{}", err(&o));
    // An unknown user is refused before anything happens: exit 2, a clear message.
    let o = run_as(
        &db,
        &["--as", "nobody"],
        &["announcement", "reject", "1", "--version", "2"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let e = err(&o);
    assert!(
        e.contains("no user `nobody`") && e.contains("vaka user list"),
        "{e}"
    );
    // The flags that used to build an actor without checking are gone.
    let o = run_as(
        &db,
        &["--as", "nz-desk", "--as-role", "admin"],
        &["announcement", "list"],
    );
    assert_eq!(o.status.code(), Some(2));
});
