//! Invoice disputes through real gRPC on SQLite and PostgreSQL, the
//! invoice imported and audited by the real contracts service: disputes
//! made from the audit (one per line, whoever asks and however often),
//! the lifecycle with its history, who sees and moves what (AIP-211 for
//! carriers), the deadline as the injected clock passes it, and racing
//! creations.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{Duration, Utc};
use common::{TestApp, World, kind_of, spawn_app, usd, violated_fields};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::DisputeStatus as S;

backend_tests!(
    disputes_are_made_from_the_audit_and_answered_by_the_carrier,
    a_dispute_is_submitted_by_its_deadline_and_not_after,
    racing_creations_dispute_each_line_once,
    at_most_1000_lines_are_named_per_call,
);

/// Shipments A (scanned: delivered) and B (never scanned) of ten days
/// ago, GROUND zone 2, 3 lb billable: 11.25 contracted. The invoice,
/// received today:
/// - line 2: A + an unrequested RESIDENTIAL 4.95 → 16.20, 4.95 at stake;
/// - line 3: B, 11.25 → never handed over, 11.25 at stake;
/// - line 4: C, unknown → 0 at stake;
/// - line 5: A again, 16.20 → duplicate, 16.20 at stake.
pub async fn invoice(app: &TestApp, number: &str) -> (World, String) {
    let world = app.world("ACME").await;
    app.shipped(&world, "A", 10, true).await;
    app.shipped(&world, "B", 10, false).await;
    let d = (Utc::now() - Duration::days(10)).date_naive().to_string();
    let csv = format!(
        "tracking_number,ship_date,service_level,zone,billed_weight,weight_unit,base_minor,surcharges,total_minor\n\
         A,{d},GROUND,2,3,lb,1000,FUEL=125;RESIDENTIAL=495,1620\n\
         B,{d},GROUND,2,3,lb,1000,FUEL=125,1125\n\
         C,{d},GROUND,2,3,lb,1000,FUEL=125,1125\n\
         A,{d},GROUND,2,3,lb,1000,FUEL=125;RESIDENTIAL=495,1620\n"
    );
    let today = date_to_proto(Utc::now().date_naive());
    let header = cpb::InvoiceHeader {
        carrier: world.carrier.clone(),
        invoice_number: number.into(),
        invoice_date: Some(today),
        currency_code: "USD".into(),
        total: usd(5_490),
        received_date: Some(today),
        record_only: false,
    };
    let answer = app
        .invoices()
        .import_invoice(tokio_stream::iter([cpb::ImportInvoiceRequest {
            header: Some(header),
            csv: csv.into_bytes(),
        }]))
        .await
        .unwrap()
        .into_inner();
    let invoice = answer.invoice.unwrap();
    // 4.95 + 11.25 + 0 + 16.20 = 32.40.
    assert_eq!(invoice.amount_at_stake, usd(3_240));
    (world, invoice.name)
}

fn create(invoice: &str, lines: &[u64]) -> pb::CreateDisputesRequest {
    pb::CreateDisputesRequest {
        invoice: invoice.into(),
        lines: lines.to_vec(),
    }
}

fn to(d: &pb::Dispute, status: S, amount: Option<i64>) -> pb::TransitionDisputeRequest {
    pb::TransitionDisputeRequest {
        name: d.name.clone(),
        etag: d.etag.clone(),
        to: status.into(),
        accepted_amount: amount.and_then(usd),
        note: format!("to {status:?}"),
    }
}

async fn disputes_are_made_from_the_audit_and_answered_by_the_carrier(backend: Backend) {
    let app = spawn_app(backend).await;
    let (world, invoice) = invoice(&app, "INV-1").await;
    let mut finance = app.disputes(Role::Finance);
    let made = finance
        .create_disputes(create(&invoice, &[]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((made.created_count, made.skipped_count), (3, 1));
    let summary: Vec<(u64, i64, Vec<String>)> = made
        .disputes
        .iter()
        .map(|d| {
            (
                d.line,
                d.amount.as_ref().unwrap().amount_minor,
                d.reason_codes.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                2,
                495,
                vec!["SURCHARGE".to_owned(), "UNREQUESTED_ACCESSORIAL".to_owned()]
            ),
            (3, 1_125, vec!["NEVER_HANDED_OVER".to_owned()]),
            (5, 1_620, vec!["DUPLICATE".to_owned()]),
        ]
    );
    assert_eq!(
        (made.skipped[0].line, made.skipped[0].reason.as_str()),
        (4, "NOTHING_AT_STAKE")
    );
    // Deadline: received today + the default 180 days.
    let deadline = date_to_proto(Utc::now().date_naive() + Duration::days(180));
    assert!(made.disputes.iter().all(|d| d.deadline == Some(deadline)));
    assert!(made.disputes.iter().all(|d| d.status() == S::Open));

    // Asking again makes nothing: each line names its dispute.
    let again = finance
        .create_disputes(create(&invoice, &[2, 3]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.created_count, 0);
    let skipped: Vec<(&str, &str)> = again
        .skipped
        .iter()
        .map(|s| (s.reason.as_str(), s.dispute.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("ALREADY_DISPUTED", made.disputes[0].name.as_str()),
            ("ALREADY_DISPUTED", made.disputes[1].name.as_str())
        ]
    );

    // An open dispute is the shipper's: its carrier does not see it yet.
    let residential = &made.disputes[0];
    let mut carrier = app.partner_disputes(&world.carrier);
    let get = |name: &str| pb::GetDisputeRequest { name: name.into() };
    let err = carrier
        .get_dispute(get(&residential.name))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    // The carrier cannot submit; finance can.
    let err = carrier
        .transition_dispute(to(residential, S::Submitted, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound, "not visible yet");
    let submitted = finance
        .transition_dispute(to(residential, S::Submitted, None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(submitted.status(), S::Submitted);
    let err = finance
        .transition_dispute(to(residential, S::Submitted, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted, "stale etag");
    // Finance does not answer for the carrier.
    let err = finance
        .transition_dispute(to(&submitted, S::Accepted, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    // A partial acceptance must be below the 4.95 disputed.
    let err = carrier
        .transition_dispute(to(&submitted, S::PartiallyAccepted, Some(495)))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["accepted_amount"]);
    let answered = carrier
        .transition_dispute(to(&submitted, S::PartiallyAccepted, Some(200)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answered.status(), S::PartiallyAccepted);
    assert_eq!(answered.accepted_amount, usd(200));
    // Final: nothing moves it again.
    let err = carrier
        .transition_dispute(to(&answered, S::Rejected, None))
        .await
        .unwrap_err();
    assert_eq!(kind_of(&err), "DISPUTE_STATUS_TRANSITION");
    let history = finance
        .list_dispute_history(pb::ListDisputeHistoryRequest {
            name: residential.name.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    let moves: Vec<(S, S)> = history.iter().map(|h| (h.from(), h.to())).collect();
    assert_eq!(
        moves,
        [
            (S::Open, S::Open),
            (S::Open, S::Submitted),
            (S::Submitted, S::PartiallyAccepted)
        ]
    );

    // The carrier lists only its submitted disputes; another carrier
    // gets the NOT_FOUND of a made-up one.
    let listed = carrier
        .list_disputes(pb::ListDisputesRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.disputes.len(), 1);
    let other = app.world("OTHER").await;
    let mut stranger = app.partner_disputes(&other.carrier);
    let real = stranger
        .get_dispute(get(&residential.name))
        .await
        .unwrap_err();
    let made_up = "disputes/0190f3a0-0000-7000-8000-000000000000";
    let fake = stranger.get_dispute(get(made_up)).await.unwrap_err();
    assert_eq!((real.code(), fake.code()), (Code::NotFound, Code::NotFound));
    assert_eq!(
        real.message().replace(&residential.name, "X"),
        fake.message().replace(made_up, "X")
    );
    let err = stranger
        .list_disputes(pb::ListDisputesRequest {
            carrier: world.carrier.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    // Carriers and 3PLs never make disputes.
    let err = carrier
        .create_disputes(create(&invoice, &[]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}

async fn a_dispute_is_submitted_by_its_deadline_and_not_after(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, invoice) = invoice(&app, "INV-2").await;
    let mut finance = app.disputes(Role::Finance);
    let made = finance
        .create_disputes(create(&invoice, &[2, 3]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(made.created_count, 2);
    // Day 180 after receipt is the last day.
    app.advance(180);
    finance
        .transition_dispute(to(&made.disputes[0], S::Submitted, None))
        .await
        .unwrap();
    app.advance(1);
    let err = finance
        .transition_dispute(to(&made.disputes[1], S::Submitted, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert_eq!(kind_of(&err), "DISPUTE_DEADLINE_PASSED");
}

async fn racing_creations_dispute_each_line_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, invoice) = invoice(&app, "INV-3").await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let mut client = app.disputes(Role::Finance);
        let request = create(&invoice, &[]);
        tasks.push(tokio::spawn(async move {
            client.create_disputes(request).await
        }));
    }
    let mut created = 0;
    for task in tasks {
        created += task.await.unwrap().unwrap().into_inner().created_count;
    }
    assert_eq!(created, 3);
    let all = app
        .disputes(Role::Auditor)
        .list_disputes(pb::ListDisputesRequest {
            invoice: invoice.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.disputes.len(), 3);
}

async fn at_most_1000_lines_are_named_per_call(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, invoice) = invoice(&app, "INV-4").await;
    let mut finance = app.disputes(Role::Finance);
    let lines: Vec<u64> = (1..=1_001).collect();
    let err = finance
        .create_disputes(create(&invoice, &lines))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["lines"]);
    // 1,000 named: the three lines at stake are disputed, the other 997
    // (line 4, nothing at stake, and lines the file does not have) skipped.
    let made = finance
        .create_disputes(create(&invoice, &lines[..1_000]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((made.created_count, made.skipped_count), (3, 997));
}
