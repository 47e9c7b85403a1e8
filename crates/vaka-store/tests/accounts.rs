//! The accounts contract on both backends: organisations, users, passwords,
//! sessions and API tokens, with their audit entries.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use vaka_domain::access::{OrgKind, Role};
use vaka_store::StoreError;
use vaka_store::accounts::NewUser;
use vaka_testkit::{TestDb, both_backends};

const PW: &str = "correct horse battery";

both_backends!(organisations_users_and_passwords, |db: TestDb| async move {
    let store = db.store().await;
    let nz = store
        .create_organisation(
            "NZ-1",
            "New Zealand MFAT",
            OrgKind::Partner,
            None,
            "cli:test",
        )
        .await
        .unwrap();
    assert_eq!(nz.kind, OrgKind::Partner);
    let to = store
        .create_organisation(
            "GOV-TO",
            "Government of Tonga",
            OrgKind::Government,
            Some("to"),
            "cli:test",
        )
        .await
        .unwrap();
    assert_eq!(to.country.as_deref(), Some("TO"));
    // A government needs its country; identifiers are unique and plain.
    assert!(matches!(
        store
            .create_organisation("GOV-FJ", "Fiji", OrgKind::Government, None, "t")
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .create_organisation("NZ-1", "again", OrgKind::Partner, None, "t")
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(
        store
            .create_organisation("a b", "x", OrgKind::Other, None, "t")
            .await
            .is_err()
    );
    let orgs: Vec<String> = store
        .organisations()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(orgs, ["GOV-TO", "NZ-1"]);

    let alice = store
        .create_user(
            &NewUser {
                username: "alice",
                display_name: "Alice",
                password: PW,
                org: "NZ-1",
                role: Role::Editor,
            },
            "cli:test",
        )
        .await
        .unwrap();
    assert_eq!(alice.role, Role::Editor);
    // Unknown organisation, duplicate name, short password: refused.
    let bad = |username: &'static str, org: &'static str, password: &'static str| NewUser {
        username,
        display_name: "",
        password,
        org,
        role: Role::Viewer,
    };
    assert!(
        store
            .create_user(&bad("bob", "JP-8", PW), "t")
            .await
            .is_err()
    );
    assert!(
        store
            .create_user(&bad("alice", "NZ-1", PW), "t")
            .await
            .is_err()
    );
    assert!(
        store
            .create_user(&bad("carol", "NZ-1", "short"), "t")
            .await
            .is_err()
    );
    assert_eq!(store.users().await.unwrap().len(), 1);

    let actor = store
        .verify_password("alice", PW)
        .await
        .unwrap()
        .expect("right password");
    assert_eq!(actor.username, "alice");
    assert_eq!(actor.org, "NZ-1");
    assert_eq!(actor.org_kind, OrgKind::Partner);
    assert_eq!(actor.role, Role::Editor);
    assert!(
        store
            .verify_password("alice", "wrong password")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.verify_password("nobody", PW).await.unwrap().is_none());

    // The hash is Argon2id and the password is nowhere in the audit log.
    let history = store.audit_history("user", "alice").await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].actor, "cli:test");
    assert!(!history[0].after.as_deref().unwrap().contains(PW));
    assert_eq!(
        store
            .audit_history("organisation", "GOV-TO")
            .await
            .unwrap()
            .len(),
        1
    );
});

both_backends!(sessions_and_api_tokens, |db: TestDb| async move {
    let store = db.store().await;
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
    let user = store
        .create_user(
            &NewUser {
                username: "sione",
                display_name: "",
                password: PW,
                org: "GOV-TO",
                role: Role::FocalPoint,
            },
            "t",
        )
        .await
        .unwrap();

    let s = store.create_session(user.id, 3600).await.unwrap();
    assert_eq!(s.token.len(), 64);
    assert_ne!(s.token, s.csrf);
    let found = store
        .session(&s.token)
        .await
        .unwrap()
        .expect("live session");
    assert_eq!(found.actor.username, "sione");
    assert_eq!(found.actor.country.as_deref(), Some("TO"));
    assert!(found.actor.is_focal_point_for("TO"));
    assert_eq!(found.csrf, s.csrf);
    assert!(store.session("not-a-token").await.unwrap().is_none());
    store.delete_session(&s.token).await.unwrap();
    assert!(store.session(&s.token).await.unwrap().is_none());
    // An expired session is not a session.
    let old = store.create_session(user.id, -10).await.unwrap();
    assert!(store.session(&old.token).await.unwrap().is_none());

    let token = store
        .create_api_token("sione", "nightly", "t")
        .await
        .unwrap();
    assert!(token.starts_with("vaka_"));
    let listed = store.api_tokens().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_none());
    let actor = store
        .api_token_actor(&token)
        .await
        .unwrap()
        .expect("token works");
    assert_eq!(actor.username, "sione");
    assert!(store.api_tokens().await.unwrap()[0].last_used_at.is_some());
    assert!(store.api_token_actor("vaka_nope").await.unwrap().is_none());
    assert!(matches!(
        store.create_api_token("nobody", "x", "t").await,
        Err(StoreError::NotFound(_))
    ));
});
