//! RecoveryService through real gRPC on SQLite and PostgreSQL: remittances
//! and allocation limits, CSV import with good and bad rows, write-offs,
//! and reconciliation on a generated data set with a known answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::Utc;
use common::{TestApp, World, claim_request, spawn_app, submit, transition, usd, violated_fields};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;
use recourse_proto::common::Money;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    allocations_never_exceed_the_remittance_or_the_claim,
    remittance_import_keeps_good_rows_and_reports_bad_ones,
    write_off_then_close,
);

/// A LOSS claim of `quantity` × `unit` approved for `approve` (all USD
/// minor units).
pub async fn approved(
    app: &TestApp,
    world: &World,
    tracking: &str,
    quantity: u32,
    unit: i64,
    approve: i64,
) -> pb::Claim {
    let shipment = app.shipped(world, tracking, 5, false).await;
    let mut internal = app.claims(Role::Internal);
    let draft = internal
        .create_claim(claim_request(
            &format!("c-{tracking}"),
            &shipment,
            cpb::ClaimType::Loss,
            quantity,
            unit,
        ))
        .await
        .unwrap()
        .into_inner();
    let c = submit(&mut internal, &draft).await.unwrap();
    let mut carrier = app.partner_claims(&world.carrier);
    let c = transition(&mut carrier, &c, S::Acknowledged, "", None)
        .await
        .unwrap();
    let c = transition(&mut carrier, &c, S::UnderReview, "", None)
        .await
        .unwrap();
    let to = if approve < i64::from(quantity) * unit && approve < 10_000 {
        S::PartiallyApproved
    } else {
        S::Approved
    };
    transition(&mut carrier, &c, to, "agreed value", Some(approve))
        .await
        .unwrap()
}

pub fn remittance(
    world: &World,
    reference: &str,
    amount: Option<Money>,
    lines: Vec<pb::RemittanceLine>,
) -> pb::RecordRemittanceRequest {
    pb::RecordRemittanceRequest {
        request_id: reference.into(),
        remittance: Some(pb::Remittance {
            carrier: world.carrier.clone(),
            kind: pb::RemittanceKind::Payment.into(),
            reference: reference.into(),
            remittance_date: Some(date_to_proto(Utc::now().date_naive())),
            amount,
            lines,
            ..Default::default()
        }),
    }
}

pub fn line(claim: &str, tracking: &str, amount: Option<Money>) -> pb::RemittanceLine {
    pb::RemittanceLine {
        claim: claim.into(),
        tracking_number: tracking.into(),
        amount,
        ..Default::default()
    }
}

async fn claim_now(app: &TestApp, name: &str) -> pb::Claim {
    app.claims(Role::Auditor)
        .get_claim(pb::GetClaimRequest { name: name.into() })
        .await
        .unwrap()
        .into_inner()
}

async fn allocations_never_exceed_the_remittance_or_the_claim(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let a = approved(&app, &world, "A", 1, 3_000, 3_000).await;
    let b = approved(&app, &world, "B", 1, 6_000, 6_000).await;
    let mut finance = app.recoveries(Role::Finance);
    // 50.00 named for claim A, which is owed 30.00: 30.00 allocated, 20.00
    // kept unmatched with the reason.
    let r = finance
        .record_remittance(remittance(
            &world,
            "R1",
            usd(5_000),
            vec![line(&a.number, "", usd(5_000))],
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.allocated, usd(3_000));
    assert_eq!(r.unallocated, usd(2_000));
    assert_eq!(r.lines[0].allocated_claim, a.name);
    assert!(
        r.lines[0].unmatched_reason.contains("exceeds"),
        "{:?}",
        r.lines[0]
    );
    assert_eq!(claim_now(&app, &a.name).await.status(), S::Settled);
    // The remaining 20.00 goes to B by hand; asking for more than is left is refused.
    let err = finance
        .allocate_remittance(pb::AllocateRemittanceRequest {
            dispute: String::new(),
            request_id: "m1".into(),
            remittance: r.name.clone(),
            claim: b.name.clone(),
            amount: usd(2_500),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let r = finance
        .allocate_remittance(pb::AllocateRemittanceRequest {
            dispute: String::new(),
            request_id: "m2".into(),
            remittance: r.name.clone(),
            claim: b.name.clone(),
            amount: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.unallocated, usd(0));
    let b_now = claim_now(&app, &b.name).await;
    assert_eq!(
        (b_now.status(), b_now.recovered_amount),
        (S::Approved, usd(2_000))
    );
    // A line by tracking number finds B's outstanding 40.00; a euro line never
    // lands on a dollar claim (the remittance is in euros).
    let r2 = finance
        .record_remittance(remittance(
            &world,
            "R2",
            usd(4_000),
            vec![line("", "B", usd(4_000))],
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r2.allocated, usd(4_000));
    assert_eq!(claim_now(&app, &b.name).await.status(), S::Settled);
    let eur = Some(Money {
        amount_minor: 1_000,
        currency_code: "EUR".into(),
    });
    let r3 = finance
        .record_remittance(remittance(
            &world,
            "R3",
            eur.clone(),
            vec![line(&a.number, "", eur)],
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r3.allocated.unwrap().amount_minor, 0);
    assert!(!r3.lines[0].unmatched_reason.is_empty());
    // Lines adding up to more than the remittance are refused outright.
    let err = finance
        .record_remittance(remittance(
            &world,
            "R4",
            usd(1_000),
            vec![line("", "A", usd(600)), line("", "B", usd(600))],
        ))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["remittance.lines"]);
    let err = finance
        .record_remittance(remittance(&world, "R1", usd(1), vec![]))
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::AlreadyExists,
        "request id reused with another body"
    );
}

async fn remittance_import_keeps_good_rows_and_reports_bad_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let a = approved(&app, &world, "A", 1, 3_000, 3_000).await;
    let b = approved(&app, &world, "B", 1, 2_000, 2_000).await;
    let c = &world.carrier;
    let csv = format!(
        "carrier,kind,reference,invoice_reference,date,currency,amount_minor,claim,tracking_number,line_amount_minor\n\
         {c},PAYMENT,ACH-9,,2026-11-20,USD,5000,{},,3000\n\
         {c},PAYMENT,ACH-9,,2026-11-20,USD,5000,,B,2000\n\
         {c},CHEQUE,ACH-10,,2026-11-20,USD,100,,A,100\n\
         {c},PAYMENT,ACH-11,,20/11/2026,USD,100,,A,100\n\
         {c},PAYMENT,ACH-12,,2026-11-20,USD,700,,A,300\n\
         {c},PAYMENT,ACH-12,,2026-11-20,USD,900,,A,300\n\
         {c},CREDIT_MEMO,CM-1,INV-77,2026-11-21,USD,800,,NOPE,800\n\
         not-a-carrier,PAYMENT,ACH-13,,2026-11-20,USD,100,,A,100\n",
        a.number
    );
    let import = |csv: String| {
        let bytes = csv.into_bytes();
        // Chunks split lines anywhere.
        let chunks: Vec<pb::ImportRemittancesRequest> = bytes
            .chunks(37)
            .map(|c| pb::ImportRemittancesRequest { csv: c.to_vec() })
            .collect();
        let mut client = app.recoveries(Role::Finance);
        async move {
            client
                .import_remittances(tokio_stream::iter(chunks))
                .await
                .map(tonic::Response::into_inner)
        }
    };
    let result = import(csv.clone()).await.unwrap();
    assert_eq!(result.rows, 8);
    assert_eq!(result.imported_rows, 3, "ACH-9 (2 rows) and CM-1 (1 row)");
    assert_eq!(result.remittances.len(), 2);
    let bad: Vec<u64> = result.errors.iter().map(|e| e.line).collect();
    assert_eq!(bad, [4, 5, 6, 7, 9], "{:?}", result.errors);
    assert!(result.errors[0].message.contains("CHEQUE"));
    assert_eq!(claim_now(&app, &a.name).await.status(), S::Settled);
    assert_eq!(claim_now(&app, &b.name).await.status(), S::Settled);
    let memo = app
        .recoveries(Role::Auditor)
        .get_remittance(pb::GetRemittanceRequest {
            name: result.remittances[1].clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(memo.kind(), pb::RemittanceKind::CreditMemo);
    assert_eq!(memo.unallocated, usd(800), "kept for manual matching");
    assert!(memo.lines[0].unmatched_reason.contains("NOPE"));
    // Importing the same file again records nothing twice.
    let again = import(csv).await.unwrap();
    assert_eq!(again.remittances, result.remittances);
    assert_eq!(claim_now(&app, &a.name).await.recovered_amount, usd(3_000));
    let err = import("wrong,header\n".into()).await.unwrap_err();
    assert_eq!(violated_fields(&err), ["csv"]);
}

async fn write_off_then_close(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let claim = approved(&app, &world, "A", 1, 8_000, 8_000).await;
    let mut finance = app.recoveries(Role::Finance);
    finance
        .record_remittance(remittance(
            &world,
            "R1",
            usd(5_000),
            vec![line(&claim.number, "", usd(5_000))],
        ))
        .await
        .unwrap();
    let mut internal = app.claims(Role::Internal);
    let now = claim_now(&app, &claim.name).await;
    let err = transition(&mut internal, &now, S::Closed, "", None)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::FailedPrecondition,
        "30.00 still outstanding"
    );
    let err = finance
        .write_off_claim(pb::WriteOffClaimRequest {
            request_id: "w0".into(),
            claim: claim.name.clone(),
            reason: String::new(),
            amount: None,
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["reason"]);
    let w = finance
        .write_off_claim(pb::WriteOffClaimRequest {
            request_id: "w1".into(),
            claim: claim.name.clone(),
            reason: "carrier insolvent".into(),
            amount: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(w.amount, usd(3_000));
    let err = finance
        .write_off_claim(pb::WriteOffClaimRequest {
            request_id: "w2".into(),
            claim: claim.name.clone(),
            reason: "again".into(),
            amount: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let now = claim_now(&app, &claim.name).await;
    assert_eq!(now.written_off_amount, usd(3_000));
    assert_eq!(
        transition(&mut internal, &now, S::Closed, "", None)
            .await
            .unwrap()
            .status(),
        S::Closed
    );
}
