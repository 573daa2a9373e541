//! Carrier credits on disputes through real gRPC on SQLite and PostgreSQL:
//! a credit memo file naming disputes, a hand allocation to a dispute, the
//! dispute moved or recorded as the credit says, the reconciliation's
//! dispute figures with the arithmetic written out, and tens of credits
//! racing for one dispute never crediting it beyond what it expects.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::disputes::invoice;

use chrono::{Duration, Utc};
use common::{TestApp, kind_of, spawn_app, usd};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::DisputeStatus as S;

backend_tests!(
    credits_on_disputes_reconcile_beside_the_claims,
    twenty_credits_racing_for_one_dispute_never_credit_it_beyond_its_amount,
);

fn amount(m: &Option<recourse_proto::common::Money>) -> i64 {
    m.as_ref().map_or(0, |m| m.amount_minor)
}

/// Makes the invoice's three disputes (4.95, 11.25, 16.20) and submits them.
async fn submitted(app: &TestApp, number: &str) -> (String, Vec<pb::Dispute>) {
    let (world, invoice) = invoice(app, number).await;
    let mut finance = app.disputes(Role::Finance);
    let made = finance
        .create_disputes(pb::CreateDisputesRequest {
            invoice,
            lines: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    let mut out = Vec::new();
    for d in made.disputes {
        out.push(mv(app, &d, S::Submitted, None).await.unwrap());
    }
    (world.carrier, out)
}

async fn mv(
    app: &TestApp,
    d: &pb::Dispute,
    to: S,
    accepted: Option<i64>,
) -> Result<pb::Dispute, tonic::Status> {
    let role = if to == S::Submitted {
        Role::Finance
    } else {
        Role::Admin
    };
    app.disputes(role)
        .transition_dispute(pb::TransitionDisputeRequest {
            name: d.name.clone(),
            etag: d.etag.clone(),
            to: to.into(),
            accepted_amount: accepted.and_then(usd),
            note: String::new(),
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn dispute_now(app: &TestApp, name: &str) -> pb::Dispute {
    app.disputes(Role::Auditor)
        .get_dispute(pb::GetDisputeRequest { name: name.into() })
        .await
        .unwrap()
        .into_inner()
}

fn allocate(
    r: &str,
    dispute: &str,
    amount: Option<i64>,
    id: &str,
) -> pb::AllocateRemittanceRequest {
    pb::AllocateRemittanceRequest {
        request_id: id.into(),
        remittance: r.into(),
        claim: String::new(),
        amount: amount.and_then(usd),
        dispute: dispute.into(),
    }
}

async fn credits_on_disputes_reconcile_beside_the_claims(backend: Backend) {
    let app = spawn_app(backend).await;
    let (carrier, disputes) = submitted(&app, "INV-CR").await;
    let [d1, d2, d3] = [&disputes[0], &disputes[1], &disputes[2]];
    // The carrier answers two: D2 (11.25) partially accepted for 8.00, D3
    // (16.20) rejected; D1 (4.95) awaits an answer.
    let d2 = mv(&app, d2, S::PartiallyAccepted, Some(800)).await.unwrap();
    let d3 = mv(&app, d3, S::Rejected, None).await.unwrap();

    // A credit memo of 20.00, as a file: 4.95 for D1, 5.00 for D2, 10.00
    // for D3 (the `claim` column names each dispute).
    let today = Utc::now().date_naive();
    let id = |d: &pb::Dispute| d.name.clone();
    let c = carrier.trim_start_matches("carriers/");
    let file = format!(
        "carrier,kind,reference,invoice_reference,date,currency,amount_minor,claim,tracking_number,line_amount_minor\n\
         {c},CREDIT_MEMO,CM-1,INV-CR,{today},USD,2000,{},,495\n\
         {c},CREDIT_MEMO,CM-1,INV-CR,{today},USD,2000,{},,500\n\
         {c},CREDIT_MEMO,CM-1,INV-CR,{today},USD,2000,{},,1000\n",
        id(d1),
        id(&d2),
        id(&d3)
    );
    let mut finance = app.recoveries(Role::Finance);
    let answer = finance
        .import_remittances(tokio_stream::iter([pb::ImportRemittancesRequest {
            csv: file.into_bytes(),
        }]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((answer.rows, answer.imported_rows), (3, 3), "{answer:?}");
    let cm = finance
        .get_remittance(pb::GetRemittanceRequest {
            name: answer.remittances[0].clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let placed: Vec<(i64, &str)> = cm
        .lines
        .iter()
        .map(|l| (amount(&l.allocated_amount), l.allocated_dispute.as_str()))
        .collect();
    assert_eq!(
        placed,
        [(495, d1.name.as_str()), (500, d2.name.as_str()), (0, "")]
    );
    assert!(
        cm.lines[2].unmatched_reason.contains("rejected"),
        "{:?}",
        cm.lines[2]
    );
    // 4.95 + 5.00 = 9.95 placed; 20.00 − 9.95 = 10.05 left.
    assert_eq!(
        (amount(&cm.allocated), amount(&cm.unallocated)),
        (995, 1_005)
    );

    // D1 was credited its whole 4.95 while awaiting an answer: accepted
    // for 4.95. D2 stays partially accepted, 5.00 of its 8.00 credited.
    let now1 = dispute_now(&app, &d1.name).await;
    assert_eq!(now1.status(), S::Accepted);
    assert_eq!(
        (amount(&now1.accepted_amount), amount(&now1.credited_amount)),
        (495, 495)
    );
    let now2 = dispute_now(&app, &d2.name).await;
    assert_eq!(now2.status(), S::PartiallyAccepted);
    assert_eq!(amount(&now2.credited_amount), 500);

    // By hand: 2.00 more of CM-1 to D2 (8.00 − 5.00 = 3.00 still due);
    // then 5.00 is more than the 1.00 left due: refused.
    let cm = finance
        .allocate_remittance(allocate(&cm.name, &d2.name, Some(200), "a1"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(amount(&cm.unallocated), 805);
    let err = finance
        .allocate_remittance(allocate(&cm.name, &d2.name, Some(500), "a2"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    assert_eq!(kind_of(&err), "ALLOCATION");
    // A claim and a dispute at once is a bad request.
    let mut both = allocate(&cm.name, &d2.name, None, "a3");
    both.claim = "claims/x".into();
    let err = finance.allocate_remittance(both).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");

    // Reconciliation, as of today:
    //   disputes    3
    //   disputed    4.95 + 11.25 + 16.20 = 32.40
    //   credited    4.95 (D1) + 5.00 + 2.00 (D2) = 11.95
    //   outstanding D1 4.95 − 4.95 = 0; D2 8.00 − 7.00 = 1.00; D3 0 → 1.00
    //   declined    D1 0; D2 11.25 − 8.00 = 3.25; D3 16.20 → 19.45
    //   check       11.95 + 1.00 + 19.45 = 32.40
    //   unallocated 20.00 − 11.95 = 8.05
    let rec = app
        .recoveries(Role::Finance)
        .get_reconciliation(pb::GetReconciliationRequest {
            carrier: carrier.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let row = &rec.rows[0];
    assert_eq!(row.disputes, 3);
    assert_eq!(
        [
            amount(&row.disputed),
            amount(&row.credited),
            amount(&row.dispute_outstanding),
            amount(&row.dispute_declined),
            amount(&row.unallocated_remittances),
            amount(&row.recovered),
        ],
        [3_240, 1_195, 100, 1_945, 805, 0]
    );
    // As of yesterday nothing was submitted or received yet.
    let before = app
        .recoveries(Role::Finance)
        .get_reconciliation(pb::GetReconciliationRequest {
            carrier,
            as_of: Some(date_to_proto(today - Duration::days(1))),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(before.rows.iter().all(|r| r.disputes == 0), "{before:?}");

    // The history says what came in.
    let history = app
        .disputes(Role::Auditor)
        .list_dispute_history(pb::ListDisputeHistoryRequest {
            name: d1.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let last = history.entries.last().unwrap();
    assert_eq!(last.to(), S::Accepted);
    assert!(last.note.starts_with("credited USD 4.95"), "{last:?}");
}

async fn twenty_credits_racing_for_one_dispute_never_credit_it_beyond_its_amount(backend: Backend) {
    let app = spawn_app(backend).await;
    let (carrier, disputes) = submitted(&app, "INV-RACE").await;
    // D3: 16.20 disputed, submitted. Twenty remittances of 3.00: ten
    // allocated to it by hand, ten recorded with a line naming it, all at
    // once. 16.20 = 5 × 3.00 + 1.20: exactly 16.20 arrives, never more.
    let target = disputes[2].clone();
    let today = date_to_proto(Utc::now().date_naive());
    let record = |i: usize, lines: Vec<pb::RemittanceLine>| pb::RecordRemittanceRequest {
        request_id: format!("r{i}"),
        remittance: Some(pb::Remittance {
            carrier: carrier.clone(),
            kind: pb::RemittanceKind::CreditMemo.into(),
            reference: format!("CM-{i}"),
            invoice_reference: "INV-RACE".into(),
            remittance_date: Some(today),
            amount: usd(300),
            lines,
            ..Default::default()
        }),
    };
    let mut empty = Vec::new();
    for i in 0..10 {
        empty.push(
            app.recoveries(Role::Finance)
                .record_remittance(record(i, vec![]))
                .await
                .unwrap()
                .into_inner(),
        );
    }
    let by_hand = empty.iter().enumerate().map(|(i, r)| {
        let mut finance = app.recoveries(Role::Finance);
        let request = allocate(&r.name, &target.name, None, &format!("h{i}"));
        async move { finance.allocate_remittance(request).await.map(|_| ()) }
    });
    let by_line = (10..20).map(|i| {
        let mut finance = app.recoveries(Role::Finance);
        let request = record(
            i,
            vec![pb::RemittanceLine {
                dispute: target.name.clone(),
                amount: usd(300),
                ..Default::default()
            }],
        );
        async move { finance.record_remittance(request).await.map(|_| ()) }
    });
    let (hand, lines) = futures::future::join(
        futures::future::join_all(by_hand),
        futures::future::join_all(by_line),
    )
    .await;
    for err in hand.iter().chain(&lines).filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(err.code(), Code::FailedPrecondition | Code::Aborted),
            "{err:?}"
        );
    }
    // Every line was recorded, placed or not.
    assert!(lines.iter().all(Result::is_ok), "{lines:?}");
    let after = dispute_now(&app, &target.name).await;
    assert_eq!(amount(&after.credited_amount), 1_620);
    assert_eq!(after.status(), S::Accepted);
    // What the remittances gave is what the dispute received.
    let mut given = 0;
    let mut token = String::new();
    loop {
        let page = app
            .recoveries(Role::Auditor)
            .list_remittances(pb::ListRemittancesRequest {
                page_size: 500,
                page_token: token,
                carrier: carrier.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        given += page
            .remittances
            .iter()
            .map(|r| amount(&r.allocated))
            .sum::<i64>();
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(given, 1_620);
}
