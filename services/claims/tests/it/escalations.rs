//! The escalation queue through real gRPC on SQLite and PostgreSQL, time
//! moved by the claims service's injected clock: items appear as a
//! claim's acknowledgement and decision clocks pass, then a status
//! reminder 60 days after the decision clock, and as disputes near their
//! deadline; scans never create an item twice (also when racing); one
//! open item per subject under racing creations; filters; partners are
//! refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::disputes::invoice;

use chrono::{Duration, Utc};
use common::{TestApp, World, draft, spawn_app, submit, violated_fields};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::EscalationKind as K;
use pb::EscalationState as St;

backend_tests!(
    the_queue_fills_as_the_clocks_pass_and_never_twice,
    one_open_escalation_per_subject_and_one_item_per_clock_under_races,
    partners_are_refused_and_bad_input_is_named,
    an_item_holds_100_notes,
);

/// A LOSS claim submitted today (real now): acknowledgement due in 30
/// days, decision in 120 (the defaults).
async fn submitted_claim(app: &TestApp, world: &World, tracking: &str) -> pb::Claim {
    let d = draft(app, world, tracking, cpb::ClaimType::Loss, 1, 5_000).await;
    submit(&mut app.claims(Role::Internal), &d).await.unwrap()
}

pub async fn scan(app: &TestApp) -> (u64, u64) {
    let r = app
        .escalations(Role::Internal)
        .scan_escalations(pb::ScanEscalationsRequest::default())
        .await
        .unwrap()
        .into_inner();
    (r.created, r.found)
}

pub async fn queue(app: &TestApp, request: pb::ListEscalationsRequest) -> Vec<pb::Escalation> {
    app.escalations(Role::Auditor)
        .list_escalations(request)
        .await
        .unwrap()
        .into_inner()
        .escalations
}

async fn resolve(app: &TestApp, e: &pb::Escalation, note: &str) -> pb::Escalation {
    app.escalations(Role::Finance)
        .update_escalation(pb::UpdateEscalationRequest {
            name: e.name.clone(),
            etag: e.etag.clone(),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["state".into()],
            }),
            state: St::Resolved.into(),
            note: note.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

async fn the_queue_fills_as_the_clocks_pass_and_never_twice(backend: Backend) {
    let app = spawn_app(backend).await;
    // The invoice's three disputes are due today + 180 days.
    let (world, invoice_name) = invoice(&app, "INV-E").await;
    let claim = submitted_claim(&app, &world, "L1").await;
    app.disputes(Role::Finance)
        .create_disputes(pb::CreateDisputesRequest {
            invoice: invoice_name,
            lines: vec![],
        })
        .await
        .unwrap();
    let today = Utc::now().date_naive();
    assert_eq!(scan(&app).await, (0, 0), "nothing is due yet");

    // Day 31: the acknowledgement clock (day 30) has passed.
    app.advance(31);
    assert_eq!(scan(&app).await, (1, 1));
    assert_eq!(scan(&app).await, (0, 1), "a second scan creates nothing");
    let items = queue(&app, Default::default()).await;
    assert_eq!(items.len(), 1);
    let ack = &items[0];
    assert_eq!(ack.kind(), K::ClaimAcknowledgementOverdue);
    assert_eq!(ack.subject, claim.name);
    assert_eq!(ack.carrier, world.carrier);
    assert_eq!(
        ack.due_date,
        Some(date_to_proto(today + Duration::days(30)))
    );
    assert_eq!((ack.state(), ack.owner.as_str()), (St::Open, ""));
    let resolved = resolve(&app, ack, "the carrier acknowledged by phone").await;
    assert_eq!(resolved.state(), St::Resolved);
    assert_eq!(resolved.notes[0].text, "the carrier acknowledged by phone");
    assert_eq!(scan(&app).await, (0, 1), "a resolved item stays resolved");

    // Day 121: the decision clock (day 120) has passed.
    app.advance(90);
    assert_eq!(scan(&app).await, (1, 1));
    // Day 166: the disputes are 14 days from their deadline.
    app.advance(45);
    assert_eq!(scan(&app).await, (3, 4));
    let disputes = queue(
        &app,
        pb::ListEscalationsRequest {
            kind: K::DisputeDeadline.into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(disputes.len(), 3);
    assert!(
        disputes
            .iter()
            .all(|d| d.due_date == Some(date_to_proto(today + Duration::days(180))))
    );
    let decision = queue(
        &app,
        pb::ListEscalationsRequest {
            kind: K::ClaimDecisionOverdue.into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(decision.len(), 1);
    resolve(&app, &decision[0], "chased").await;

    // Day 181: 61 days past the decision clock, status reminder 1 (due
    // day 120 + 60 = 180); the disputes' deadline passed, none is new.
    app.advance(15);
    assert_eq!(scan(&app).await, (1, 1));
    let reminders = queue(
        &app,
        pb::ListEscalationsRequest {
            kind: K::ClaimStatusReminder.into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(reminders.len(), 1);
    assert_eq!(
        reminders[0].due_date,
        Some(date_to_proto(today + Duration::days(180)))
    );

    // Assign one dispute item; filter by owner, carrier and due date.
    let mine = app
        .escalations(Role::Finance)
        .update_escalation(pb::UpdateEscalationRequest {
            name: disputes[0].name.clone(),
            etag: disputes[0].etag.clone(),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["owner".into(), "state".into()],
            }),
            owner: "user:ana".into(),
            state: St::InProgress.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (mine.owner.as_str(), mine.state()),
        ("user:ana", St::InProgress)
    );
    let by_owner = queue(
        &app,
        pb::ListEscalationsRequest {
            owner: "user:ana".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(by_owner.len(), 1);
    let open_for_carrier = queue(
        &app,
        pb::ListEscalationsRequest {
            carrier: world.carrier.clone(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(open_for_carrier.len(), 4, "3 disputes and the reminder");
    let due_early = queue(
        &app,
        pb::ListEscalationsRequest {
            due_before: Some(date_to_proto(today + Duration::days(179))),
            state: St::Resolved.into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        due_early.len(),
        2,
        "the resolved acknowledgement and decision"
    );
    // Pages chain.
    let first = app
        .escalations(Role::Auditor)
        .list_escalations(pb::ListEscalationsRequest {
            page_size: 3,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.escalations.len(), 3);
    let second = queue(
        &app,
        pb::ListEscalationsRequest {
            page_size: 3,
            page_token: first.next_page_token,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(second.len(), 1);
}

async fn one_open_escalation_per_subject_and_one_item_per_clock_under_races(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let claim = submitted_claim(&app, &world, "L1").await;
    let request = |summary: &str| pb::CreateEscalationRequest {
        subject: claim.name.clone(),
        carrier: world.carrier.clone(),
        owner: String::new(),
        due_date: Some(date_to_proto(Utc::now().date_naive())),
        summary: summary.into(),
    };
    let mut tasks = Vec::new();
    for i in 0..20 {
        let mut client = app.escalations(Role::Finance);
        let r = request(&format!("call the carrier ({i})"));
        tasks.push(tokio::spawn(
            async move { client.create_escalation(r).await },
        ));
    }
    let mut made = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(e) => made.push(e.into_inner()),
            Err(status) => assert_eq!(status.code(), Code::AlreadyExists, "{status:?}"),
        }
    }
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].kind(), K::Manual);
    assert!(made[0].owner.contains("finance"), "{}", made[0].owner);
    let err = app
        .escalations(Role::Finance)
        .create_escalation(request("again"))
        .await
        .unwrap_err();
    assert!(err.message().contains(&made[0].name), "{err:?}");
    resolve(&app, &made[0], "done").await;

    // 20 racing scans on day 31 raise the acknowledgement item once.
    app.advance(31);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let mut client = app.escalations(Role::Internal);
        tasks.push(tokio::spawn(async move {
            client
                .scan_escalations(pb::ScanEscalationsRequest::default())
                .await
        }));
    }
    let mut created = 0;
    for task in tasks {
        created += task.await.unwrap().unwrap().into_inner().created;
    }
    assert_eq!(created, 1);
    // Its subject now has an open item: a hand-made one is refused.
    let err = app
        .escalations(Role::Finance)
        .create_escalation(request("more"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
}

async fn partners_are_refused_and_bad_input_is_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let err = app
        .partner_escalations(&world.carrier)
        .list_escalations(pb::ListEscalationsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let mut finance = app.escalations(Role::Finance);
    let err = finance
        .create_escalation(pb::CreateEscalationRequest {
            subject: "claims/not-an-id".into(),
            carrier: "nope".into(),
            owner: String::new(),
            due_date: None,
            summary: "x".repeat(501),
        })
        .await
        .unwrap_err();
    assert_eq!(
        violated_fields(&err),
        ["subject", "carrier", "due_date", "summary"]
    );
    let err = app
        .escalations(Role::Internal)
        .scan_escalations(pb::ScanEscalationsRequest {
            dispute_horizon_days: 366,
            refund_horizon_days: 366,
        })
        .await
        .unwrap_err();
    assert_eq!(
        violated_fields(&err),
        ["dispute_horizon_days", "refund_horizon_days"]
    );
    let err = finance
        .scan_escalations(pb::ScanEscalationsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "finance does not scan");
    let err = finance
        .update_escalation(pb::UpdateEscalationRequest {
            name: "escalations/0190f3a0-0000-7000-8000-000000000000".into(),
            etag: "\"1\"".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["update_mask"]);
}

async fn an_item_holds_100_notes(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut finance = app.escalations(Role::Finance);
    let mut item = finance
        .create_escalation(pb::CreateEscalationRequest {
            subject: "invoices/0190f3a0-0000-7000-8000-000000000001".into(),
            carrier: String::new(),
            owner: String::new(),
            due_date: Some(date_to_proto(Utc::now().date_naive())),
            summary: "check the invoice".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let note = |e: &pb::Escalation, i: usize| pb::UpdateEscalationRequest {
        name: e.name.clone(),
        etag: e.etag.clone(),
        note: format!("note {i}"),
        ..Default::default()
    };
    for i in 0..100 {
        item = finance
            .update_escalation(note(&item, i))
            .await
            .unwrap()
            .into_inner();
    }
    assert_eq!(item.notes.len(), 100);
    let err = finance
        .update_escalation(note(&item, 100))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert_eq!(common::kind_of(&err), "NOTE_LIMIT");
}
