//! The framework at work on both backends: announcements and commitments,
//! the joint-project lifecycle with every role, concurrent edits, consultations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::Decimal;
use serde_json::json;
use vaka_coord::commitment::{Progress, ReviewStatus};
use vaka_coord::consultation::{ActionStatus, AgendaItem, ConsultationInput};
use vaka_coord::project::{
    Action, Contribution, PartnerRole, ProjectInput, ProjectPartner, ProjectStatus,
};
use vaka_domain::access::{Actor, OrgKind, Role};
use vaka_store::StoreError;
use vaka_store::coord::{ActionFilter, CommitmentReview, ItemRecord};
use vaka_testkit::{TestDb, both_backends, bundled_data};

const FOUNDING: &str = "2019-10-31-nz-japan-joint-declaration.md";
const COMMITMENT: &str = "It includes a suite of development projects that Japan and New Zealand \
    will jointly implement including in renewable energy, aviation infrastructure, water security, \
    medical infrastructure and equipment, and disaster risk reduction.";
const JICA: &str = "XM-DAC-701-8";

fn founding_text() -> String {
    std::fs::read_to_string(bundled_data().join("announcements").join(FOUNDING)).unwrap()
}

fn actor(name: &str, role: Role, org: &str, country: Option<&str>) -> Actor {
    Actor {
        user_id: 1,
        username: name.into(),
        org: org.into(),
        org_kind: match (country, org) {
            (Some(_), _) => OrgKind::Government,
            (None, "OPS") => OrgKind::Other,
            _ => OrgKind::Partner,
        },
        country: country.map(str::to_owned),
        role,
    }
}

fn admin() -> Actor {
    actor("admin", Role::Admin, "OPS", None)
}
fn nz_editor() -> Actor {
    actor("nz-desk", Role::Editor, "NZ-1", None)
}
fn jp_editor() -> Actor {
    actor("jica-desk", Role::Editor, JICA, None)
}
fn tonga_fp() -> Actor {
    actor("tonga-fp", Role::FocalPoint, "GOV-TO", Some("TO"))
}
fn fiji_fp() -> Actor {
    actor("fiji-fp", Role::FocalPoint, "GOV-FJ", Some("FJ"))
}
fn viewer() -> Actor {
    actor("nz-viewer", Role::Viewer, "NZ-1", None)
}

fn solar_project() -> ProjectInput {
    ProjectInput {
        framework: "nz-japan-2019".into(),
        title: [
            (
                "en".to_string(),
                "Solar mini-grids for Tonga's outer islands".to_string(),
            ),
            (
                "ja".to_string(),
                "トンガ離島の太陽光ミニグリッド".to_string(),
            ),
        ]
        .into(),
        description: [(
            "en".to_string(),
            "Solar and storage for 'Eua and Vava'u.".to_string(),
        )]
        .into(),
        countries: vec!["TO".into()],
        areas: vec!["renewable-energy".into()],
        partners: vec![
            ProjectPartner {
                org: "NZ-1".into(),
                role: PartnerRole::Lead,
                contribution: Some(Contribution::Money {
                    amount: Decimal::from(7_900_000),
                    currency: "NZD".into(),
                }),
                activities: vec![],
                approval: None,
            },
            ProjectPartner {
                org: JICA.into(),
                role: PartnerRole::CoFinancier,
                contribution: Some(Contribution::InKind {
                    description: "Two engineers for three years".into(),
                }),
                activities: vec![],
                approval: None,
            },
        ],
        planned_start: Some("2024-07-01".into()),
        ..Default::default()
    }
}

fn is_forbidden<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Forbidden(_)))
}

both_backends!(founding_document_import, |db: TestDb| async move {
    let store = db.store().await;
    let a = admin();
    let out = store
        .import_announcement(Some(&a), FOUNDING, &founding_text(), "t1")
        .await
        .unwrap();
    assert_eq!((out.version, out.change), (1, "created"));
    let v = store.announcement_json(out.id).await.unwrap();
    assert_eq!(v["id"], out.id);
    assert_eq!(v["date"], "2019-10-31");
    assert_eq!(
        v["ministers"],
        json!([{"name": "Winston Peters", "portfolios": ["Deputy Prime Minister", "Foreign Affairs"]}])
    );
    assert_eq!(v["countries"], json!(["NZ", "JP"]));
    assert_eq!(
        v["areas"],
        json!([
            "renewable-energy",
            "aviation-infrastructure",
            "water-security",
            "medical-infrastructure",
            "disaster-risk-reduction"
        ])
    );
    assert_eq!(v["frameworks"], json!(["nz-japan-2019"]));
    let people = v["people"].as_array().unwrap();
    assert!(people.contains(&json!({"name": "Toshimitsu Motegi", "role": "Foreign Minister"})));
    let motegi = v["details"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Toshimitsu Motegi")
        .unwrap();
    assert_eq!(motegi["counterpart_of"], "Winston Peters");
    assert_eq!(
        v["commitments"],
        json!([{"text": COMMITMENT, "status": "draft"}])
    );
    assert_eq!(v["details"]["source"]["source_name"], FOUNDING);
    assert_eq!(v["details"]["source"]["sha256"].as_str().unwrap().len(), 64);

    // The same file again changes nothing.
    let again = store
        .import_announcement(Some(&a), FOUNDING, &founding_text(), "t2")
        .await
        .unwrap();
    assert_eq!(
        (again.id, again.version, again.change),
        (out.id, 1, "unchanged")
    );
    assert_eq!(store.announcements().await.unwrap().len(), 1);
    assert_eq!(
        store
            .audit_history("announcement", &out.id.to_string())
            .await
            .unwrap()
            .len(),
        1
    );

    // Viewers and visitors import nothing.
    assert!(is_forbidden(
        store
            .import_announcement(Some(&viewer()), FOUNDING, &founding_text(), "t3")
            .await
    ));
    assert!(is_forbidden(
        store
            .import_announcement(None, FOUNDING, &founding_text(), "t3")
            .await
    ));
});

both_backends!(
    malformed_front_matter_stores_nothing,
    |db: TestDb| async move {
        let store = db.store().await;
        let bad = founding_text().replace("date: 2019-10-31", "date: 2019-13-40");
        let err = store
            .import_announcement(Some(&admin()), "bad.md", &bad, "t")
            .await
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("bad.md") && msg.contains("`date`") && msg.contains("line 3"),
            "{msg}"
        );
        assert!(store.announcements().await.unwrap().is_empty());
        assert!(
            store
                .audit_history("announcement", "1")
                .await
                .unwrap()
                .is_empty()
        );
    }
);

const SEVERAL: &str = "---
title: \"Partners fund Pacific resilience\"
date: 2024-03-05
url: https://www.beehive.govt.nz/release/partners-fund-pacific-resilience
ministers:
  - Hon Jane Doe
portfolios:
  - Foreign Affairs
---

New Zealand will provide NZ$3 million for disaster risk reduction in Vanuatu.

Japan will contribute ¥500 million to renewable energy in Samoa.

Australia will provide A$2.5 million for water security in Kiribati.
";

both_backends!(
    release_with_amounts_in_several_currencies,
    |db: TestDb| async move {
        let store = db.store().await;
        let out = store
            .import_announcement(Some(&nz_editor()), "several.md", SEVERAL, "t")
            .await
            .unwrap();
        let v = store.announcement_json(out.id).await.unwrap();
        let amounts: Vec<(String, String)> = v["amounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["value"].as_str().unwrap().to_string(),
                    a["currency"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            amounts,
            [
                ("3000000".to_string(), "NZD".to_string()),
                ("500000000".to_string(), "JPY".to_string()),
                ("2500000".to_string(), "AUD".to_string()),
            ]
        );
        // Each undertaking is a candidate commitment carrying its own amount.
        let cs = store.announcement_commitments(out.id).await.unwrap();
        let cur: Vec<Option<&str>> = cs.iter().map(|c| c.currency.as_deref()).collect();
        assert_eq!(cur, [Some("NZD"), Some("JPY"), Some("AUD")]);
        assert_eq!(cs[1].amount, Some(Decimal::from(500_000_000)));
    }
);

both_backends!(
    reimport_same_url_updates_not_duplicates,
    |db: TestDb| async move {
        let store = db.store().await;
        let a = admin();
        let first = store
            .import_announcement(Some(&a), FOUNDING, &founding_text(), "t1")
            .await
            .unwrap();
        let c = store
            .announcement_commitments(first.id)
            .await
            .unwrap()
            .remove(0);
        store
            .review_commitment(
                Some(&a),
                c.id,
                1,
                &CommitmentReview {
                    status: Some(ReviewStatus::Confirmed),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let edited = founding_text().replace(
            "New Zealand and Japan commit to greater cooperation in the Pacific\"",
            "New Zealand and Japan commit to closer cooperation in the Pacific\"",
        );
        assert_ne!(edited, founding_text());
        let second = store
            .import_announcement(Some(&a), "renamed.md", &edited, "t2")
            .await
            .unwrap();
        assert_eq!(
            (second.id, second.version, second.change),
            (first.id, 2, "updated")
        );
        let list = store.announcements().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            list[0].title,
            "New Zealand and Japan commit to closer cooperation in the Pacific"
        );
        assert_eq!(list[0].source_name, "renamed.md");
        // The confirmed commitment survives and is not duplicated as a new draft.
        let cs = store.announcement_commitments(first.id).await.unwrap();
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].status, ReviewStatus::Confirmed);
        let hist = store
            .audit_history("announcement", &first.id.to_string())
            .await
            .unwrap();
        assert_eq!(
            hist.iter().map(|h| h.action.as_str()).collect::<Vec<_>>(),
            ["create", "update"]
        );
        assert!(
            hist[1]
                .before
                .as_deref()
                .unwrap()
                .contains("greater cooperation")
        );
        assert!(
            hist[1]
                .after
                .as_deref()
                .unwrap()
                .contains("closer cooperation")
        );
    }
);

both_backends!(project_lifecycle_with_every_role, |db: TestDb| async move {
    let store = db.store().await;
    let (nz, jp, to, fj, v) = (nz_editor(), jp_editor(), tonga_fp(), fiji_fp(), viewer());

    // Nobody outside the partners creates it; viewers and visitors never write.
    assert!(is_forbidden(
        store.create_project(Some(&v), &solar_project()).await
    ));
    assert!(is_forbidden(
        store.create_project(None, &solar_project()).await
    ));
    assert!(is_forbidden(
        store.create_project(Some(&to), &solar_project()).await
    ));
    let mut bad = solar_project();
    bad.areas = vec!["space-travel".into()];
    assert!(matches!(
        store.create_project(Some(&nz), &bad).await,
        Err(StoreError::Invalid(_))
    ));

    let p = store
        .create_project(Some(&nz), &solar_project())
        .await
        .unwrap();
    assert_eq!((p.status, p.version), (ProjectStatus::Concept, 1));
    let id = p.id;
    let step = |who: Actor,
                action: Action,
                version: i64,
                partner: Option<&'static str>,
                comment: &'static str| {
        let store = store.clone();
        async move {
            store
                .transition_project(Some(&who), id, version, action, partner, comment)
                .await
        }
    };

    assert!(is_forbidden(
        step(v.clone(), Action::Appraise, 1, None, "").await
    ));
    assert!(is_forbidden(
        step(to.clone(), Action::Appraise, 1, None, "").await
    ));
    let p = step(
        jp.clone(),
        Action::Appraise,
        1,
        None,
        "JICA appraisal mission",
    )
    .await
    .unwrap();
    assert_eq!(p.status, ProjectStatus::Appraisal);
    // Out of order: endorsement before submission.
    assert!(matches!(
        step(to.clone(), Action::Endorse, 2, None, "").await,
        Err(StoreError::Invalid(_))
    ));
    let p = step(nz.clone(), Action::Submit, 2, None, "to Nuku'alofa")
        .await
        .unwrap();
    assert_eq!(p.status, ProjectStatus::AwaitingEndorsement);

    // A partner cannot endorse for a government, nor another government's focal point.
    assert!(is_forbidden(
        step(nz.clone(), Action::Endorse, 3, None, "").await
    ));
    assert!(is_forbidden(
        step(fj.clone(), Action::Endorse, 3, None, "").await
    ));
    assert!(is_forbidden(
        step(v.clone(), Action::Endorse, 3, None, "").await
    ));
    let waiting = store.awaiting(&to, "2024-06-01").await.unwrap();
    assert_eq!(
        waiting.projects.iter().map(|p| p.id).collect::<Vec<_>>(),
        [id]
    );
    assert!(
        store
            .awaiting(&fj, "2024-06-01")
            .await
            .unwrap()
            .projects
            .is_empty()
    );
    let p = step(
        to.clone(),
        Action::Endorse,
        3,
        None,
        "Fits the TSDF energy pillar",
    )
    .await
    .unwrap();
    assert_eq!(p.status, ProjectStatus::Endorsed);

    // Each partner approves for itself only.
    assert!(is_forbidden(
        step(jp.clone(), Action::Approve, 4, Some("NZ-1"), "").await
    ));
    assert!(is_forbidden(
        step(to.clone(), Action::Approve, 4, Some("NZ-1"), "").await
    ));
    let p = step(jp.clone(), Action::Approve, 4, None, "")
        .await
        .unwrap();
    assert_eq!(p.status, ProjectStatus::Endorsed);
    assert!(p.partner(JICA).unwrap().approval.is_some());
    assert!(matches!(
        step(jp.clone(), Action::Approve, 5, None, "").await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        step(nz.clone(), Action::Start, 5, None, "").await,
        Err(StoreError::Invalid(_))
    ));
    let p = step(nz.clone(), Action::Approve, 5, Some("NZ-1"), "")
        .await
        .unwrap();
    assert_eq!(p.status, ProjectStatus::Approved);
    let p = step(nz.clone(), Action::Start, 6, None, "").await.unwrap();
    assert_eq!(p.status, ProjectStatus::Implementation);
    let p = step(jp.clone(), Action::Complete, 7, None, "handed over")
        .await
        .unwrap();
    assert_eq!((p.status, p.version), (ProjectStatus::Completed, 8));
    assert!(matches!(
        step(nz.clone(), Action::Cancel, 8, None, "").await,
        Err(StoreError::Invalid(_))
    ));

    let t = store.project_transitions(id).await.unwrap();
    let seen: Vec<(&str, &str, Option<&str>, &str)> = t
        .iter()
        .map(|t| {
            (
                t.action.as_str(),
                t.to.as_str(),
                t.partner.as_deref(),
                t.by.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("appraise", "appraisal", None, "jica-desk"),
            ("submit", "awaiting_endorsement", None, "nz-desk"),
            ("endorse", "endorsed", None, "tonga-fp"),
            ("approve", "endorsed", Some(JICA), "jica-desk"),
            ("approve", "approved", Some("NZ-1"), "nz-desk"),
            ("start", "implementation", None, "nz-desk"),
            ("complete", "completed", None, "jica-desk"),
        ]
    );
    assert_eq!(t[2].comment, "Fits the TSDF energy pillar");
    let hist = store
        .audit_history("project", &id.to_string())
        .await
        .unwrap();
    assert_eq!(hist.len(), 8);
    assert_eq!(hist[3].action, "transition:endorse");
    assert!(
        hist[3]
            .before
            .as_deref()
            .unwrap()
            .contains("awaiting_endorsement")
    );

    // A decline needs its reason, and records it.
    let q = store
        .create_project(Some(&jp), &solar_project())
        .await
        .unwrap();
    let q = store
        .transition_project(Some(&jp), q.id, 1, Action::Appraise, None, "")
        .await
        .unwrap();
    let q = store
        .transition_project(Some(&jp), q.id, 2, Action::Submit, None, "")
        .await
        .unwrap();
    assert!(matches!(
        store
            .transition_project(Some(&to), q.id, 3, Action::Decline, None, "  ")
            .await,
        Err(StoreError::Invalid(_))
    ));
    let q = store
        .transition_project(
            Some(&to),
            q.id,
            3,
            Action::Decline,
            None,
            "Duplicates the ADB grid project",
        )
        .await
        .unwrap();
    assert_eq!(q.status, ProjectStatus::Declined);
    assert_eq!(
        q.decline_reason.as_deref(),
        Some("Duplicates the ADB grid project")
    );
});

both_backends!(links_and_planned_vs_reported, |db: TestDb| async move {
    let store = db.store().await;
    store
        .import_paths(
            &[bundled_data().join("iati/pacific")],
            &Default::default(),
            &vaka_store::import::NoProgress,
        )
        .await
        .unwrap();
    let ident = busiest_activity(&store).await;
    let (nz, jp) = (nz_editor(), jp_editor());
    let p = store
        .create_project(Some(&nz), &solar_project())
        .await
        .unwrap();
    // A JICA editor cannot link activities for NZ-1; NZ-1's editor can.
    assert!(is_forbidden(
        store
            .link_project_activity(Some(&jp), p.id, 1, "NZ-1", &ident)
            .await
    ));
    let p = store
        .link_project_activity(Some(&nz), p.id, 1, "NZ-1", &ident)
        .await
        .unwrap();
    assert_eq!(p.partner("NZ-1").unwrap().activities, [ident.as_str()]);
    let figs = store.project_figures(p.id, "USD").await.unwrap();
    assert_eq!(figs.len(), 2);
    assert!(figs[0].reported.disbursed > Decimal::ZERO, "{figs:?}");
    assert_eq!(figs[0].reported.found, [ident.as_str()]);
    assert!(figs[0].planned_converted.unwrap() > Decimal::from(4_000_000));
    assert_eq!(figs[1].reported.disbursed, Decimal::ZERO);

    // Re-importing the activity files keeps the link (it is by identifier).
    store
        .import_paths(
            &[bundled_data().join("iati/pacific")],
            &Default::default(),
            &vaka_store::import::NoProgress,
        )
        .await
        .unwrap();
    let again = store.project_figures(p.id, "USD").await.unwrap();
    assert_eq!(again[0].reported, figs[0].reported);
});

/// The first activity of the bundled Fiji file with a disbursement, read from the XML.
async fn busiest_activity(_store: &vaka_store::Store) -> String {
    // The Fiji file's first activity with disbursements, read independently.
    let text = std::fs::read_to_string(
        bundled_data().join("iati/pacific/undp-open-undp-org_Fiji_projects.xml"),
    )
    .unwrap();
    let mut best = None;
    for act in text.split("<iati-activity").skip(1) {
        if act.contains("transaction-type code=\"3\"") {
            let start = act.find("<iati-identifier>").unwrap() + "<iati-identifier>".len();
            let end = act[start..].find("</iati-identifier>").unwrap() + start;
            best = Some(act[start..end].trim().to_string());
            break;
        }
    }
    best.expect("a Fiji activity with a disbursement")
}

both_backends!(
    commitment_status_from_linked_activities,
    |db: TestDb| async move {
        let store = db.store().await;
        store
            .import_paths(
                &[bundled_data().join("iati/pacific")],
                &Default::default(),
                &vaka_store::import::NoProgress,
            )
            .await
            .unwrap();
        let a = admin();
        let ann = store
            .import_announcement(Some(&a), FOUNDING, &founding_text(), "t")
            .await
            .unwrap();
        let c = store
            .announcement_commitments(ann.id)
            .await
            .unwrap()
            .remove(0);
        let today = time::macros::date!(2021 - 06 - 01);

        // A draft cannot take evidence and has no progress.
        assert!(matches!(
            store
                .link_commitment(Some(&a), c.id, 1, None, Some("X"))
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(
            store
                .commitment_report(c.id, "USD", today)
                .await
                .unwrap()
                .progress,
            None
        );
        assert!(is_forbidden(
            store
                .review_commitment(Some(&viewer()), c.id, 1, &CommitmentReview::default())
                .await
        ));

        let c = store
        .review_commitment(Some(&a), c.id, 1, &CommitmentReview {
            status: Some(ReviewStatus::Confirmed),
            text: Some("Japan and New Zealand jointly implement development projects in the five areas.".into()),
            amount: Some((Decimal::from(1_000_000_000), "NZD".into())),
        })
        .await
        .unwrap();
        assert_eq!(c.version, 2);
        let r = store.commitment_report(c.id, "USD", today).await.unwrap();
        assert_eq!(r.progress, Some(Progress::Announced));
        assert!(r.announced.unwrap() > Decimal::from(600_000_000));
        // Three years later without evidence it has lapsed.
        let late = store
            .commitment_report(c.id, "USD", time::macros::date!(2023 - 01 - 01))
            .await
            .unwrap();
        assert_eq!(late.progress, Some(Progress::Lapsed));

        let ident = busiest_activity(&store).await;
        let c = store
            .link_commitment(Some(&a), c.id, 2, None, Some(&ident))
            .await
            .unwrap();
        let r = store.commitment_report(c.id, "USD", today).await.unwrap();
        assert_eq!(r.activities_found, [ident.as_str()]);
        assert!(r.disbursed > Decimal::ZERO);
        assert_eq!(r.progress, Some(Progress::InProgress));
        // The same evidence against a small announced amount: delivered.
        let small = r.disbursed.round_dp(0) / Decimal::from(2);
        let c = store
            .review_commitment(
                Some(&a),
                c.id,
                3,
                &CommitmentReview {
                    amount: Some((small.max(Decimal::ONE), "USD".into())),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let r = store.commitment_report(c.id, "USD", today).await.unwrap();
        assert_eq!(r.progress, Some(Progress::Delivered), "{r:?}");
        assert_eq!(r.announced, Some(small.max(Decimal::ONE)));
    }
);

both_backends!(concurrent_edits_one_wins, |db: TestDb| async move {
    let store = db.store().await;
    let nz = nz_editor();
    let p = store
        .create_project(Some(&nz), &solar_project())
        .await
        .unwrap();
    let mut a = solar_project();
    a.description.insert("en".into(), "Edit A".into());
    let mut b = solar_project();
    b.description.insert("en".into(), "Edit B".into());
    let (s1, s2) = (store.clone(), store.clone());
    let (n1, n2) = (nz.clone(), nz.clone());
    let t1 = tokio::spawn(async move { s1.update_project(Some(&n1), p.id, 1, &a).await });
    let t2 = tokio::spawn(async move { s2.update_project(Some(&n2), p.id, 1, &b).await });
    let (r1, r2) = (t1.await.unwrap(), t2.await.unwrap());
    let (won, lost) = match (r1, r2) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        (x, y) => panic!("exactly one must win: {x:?} / {y:?}"),
    };
    assert_eq!(won.version, 2);
    assert!(
        matches!(lost, StoreError::Conflict { current: 2, .. }),
        "{lost}"
    );
    let now = store.project(p.id).await.unwrap();
    assert_eq!(now.input.description, won.input.description);
    // Nothing lost: the loser retries on the current version and both edits are in the history.
    let mut retry = now.input.clone();
    retry
        .description
        .insert("fr".into(), "Modification B".into());
    let after = store
        .update_project(Some(&nz), p.id, 2, &retry)
        .await
        .unwrap();
    assert_eq!(after.version, 3);
    assert_eq!(
        store
            .audit_history("project", &p.id.to_string())
            .await
            .unwrap()
            .len(),
        3
    );
    // A stale transition is refused the same way.
    assert!(matches!(
        store
            .transition_project(Some(&nz), p.id, 1, Action::Appraise, None, "")
            .await,
        Err(StoreError::Conflict { current: 3, .. })
    ));
});

both_backends!(consultations_and_overdue_actions, |db: TestDb| async move {
    let store = db.store().await;
    let (nz, to, v) = (nz_editor(), tonga_fp(), viewer());
    let p = store
        .create_project(Some(&nz), &solar_project())
        .await
        .unwrap();
    let input = ConsultationInput {
        framework: "nz-japan-2019".into(),
        mechanism: "senior-officials-consultation".into(),
        title: "Senior officials' consultation 2024".into(),
        date: "2024-02-20".into(),
        place: Some("Wellington".into()),
        online: false,
        participants: vec!["NZ-1".into(), JICA.into(), "GOV-TO".into()],
        agenda: vec![AgendaItem {
            title: "Solar mini-grids <Tonga>".into(),
            projects: vec![p.id],
            countries: vec!["TO".into()],
            areas: vec!["renewable-energy".into()],
            ..Default::default()
        }],
    };
    let mut wrong = input.clone();
    wrong.mechanism = "tea-party".into();
    assert!(matches!(
        store.create_consultation(Some(&nz), &wrong).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(is_forbidden(
        store.create_consultation(Some(&v), &input).await
    ));
    let c = store.create_consultation(Some(&nz), &input).await.unwrap();
    assert_eq!(
        c.mechanism_name,
        "Annual senior officials' consultation on Pacific cooperation"
    );
    let c = store
        .record_agenda_item(
            Some(&nz),
            c.id,
            1,
            ItemRecord {
                item: Some(0),
                decisions: vec!["Proceed to appraisal".into()],
                minutes: Some("Tonga welcomed the proposal.".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(c.version, 2);
    assert!(matches!(
        store
            .record_agenda_item(
                Some(&nz),
                c.id,
                1,
                ItemRecord {
                    item: Some(0),
                    ..Default::default()
                }
            )
            .await,
        Err(StoreError::Conflict { current: 2, .. })
    ));
    let a1 = store
        .add_action(
            Some(&nz),
            c.id,
            Some(0),
            "Send site survey",
            "GOV-TO",
            "2024-03-31",
        )
        .await
        .unwrap();
    let a2 = store
        .add_action(
            Some(&nz),
            c.id,
            None,
            "Draft terms of reference",
            "NZ-1",
            "2024-05-31",
        )
        .await
        .unwrap();
    let a3 = store
        .add_action(
            Some(&nz),
            c.id,
            None,
            "Confirm budget line",
            "GOV-TO",
            "2024-12-31",
        )
        .await
        .unwrap();

    let overdue = store
        .actions(&ActionFilter {
            overdue_on: Some("2024-06-01".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        overdue.iter().map(|a| a.id).collect::<Vec<_>>(),
        [a1.id, a2.id]
    );
    // Only the owner organisation (or an admin) closes an action.
    assert!(is_forbidden(
        store
            .set_action_status(Some(&nz), a1.id, 1, ActionStatus::Done)
            .await
    ));
    store
        .set_action_status(Some(&nz), a2.id, 1, ActionStatus::Done)
        .await
        .unwrap();
    let overdue = store
        .actions(&ActionFilter {
            overdue_on: Some("2024-06-01".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(overdue.iter().map(|a| a.id).collect::<Vec<_>>(), [a1.id]);

    // The Tonga focal point sees what awaits the government, overdue first.
    let w = store.awaiting(&to, "2024-06-01").await.unwrap();
    let got: Vec<(i64, bool)> = w.actions.iter().map(|a| (a.item.id, a.overdue)).collect();
    assert_eq!(got, [(a1.id, true), (a3.id, false)]);
    store
        .set_action_status(Some(&to), a1.id, 1, ActionStatus::Done)
        .await
        .unwrap();
    assert!(
        store
            .awaiting(&to, "2024-06-01")
            .await
            .unwrap()
            .actions
            .iter()
            .all(|a| !a.overdue)
    );

    let rec = store.meeting_record(c.id, "2025-01-05").await.unwrap();
    let html = vaka_coord::consultation::to_html(&rec);
    assert!(html.contains("Solar mini-grids &lt;Tonga&gt;"));
    assert!(html.contains("Proceed to appraisal"));
    assert!(
        html.contains(
            "Confirm budget line</td><td>GOV-TO</td><td>2024-12-31</td><td>open (overdue)"
        )
    );
    let xlsx = vaka_coord::consultation::to_xlsx(&rec).unwrap();
    assert_eq!(&xlsx[..2], b"PK");
    assert_eq!(
        store
            .audit_history("action_item", &a1.id.to_string())
            .await
            .unwrap()
            .len(),
        2
    );
});

/// Web handlers and spawned tasks need `Send` futures: this only has to compile.
#[allow(dead_code)]
fn store_futures_are_send(s: vaka_store::Store, a: Actor) {
    fn is_send<T: Send>(_: T) {}
    let (s1, a1) = (s.clone(), a.clone());
    is_send(async move { s1.import_announcement(Some(&a1), "x", "y", "z").await });
    let (s2, a2) = (s.clone(), a.clone());
    is_send(async move {
        s2.transition_project(Some(&a2), 1, 1, Action::Start, None, "")
            .await
    });
    let (s3, a3) = (s.clone(), a.clone());
    is_send(async move {
        s3.set_action_status(Some(&a3), 1, 1, ActionStatus::Done)
            .await
    });
    let (s4, a4) = (s, a);
    is_send(async move {
        s4.review_commitment(Some(&a4), 1, 1, &CommitmentReview::default())
            .await
    });
}
