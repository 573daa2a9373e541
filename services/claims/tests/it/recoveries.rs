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
    reconciliation_of_a_generated_book_has_a_known_answer,
    finance_roles_are_enforced,
    partner_stream_sees_only_its_own_claims,
);

/// A LOSS claim of `quantity` × `unit` approved for `approve` (all USD
/// minor units).
async fn approved(
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

fn remittance(
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

fn line(claim: &str, tracking: &str, amount: Option<Money>) -> pb::RemittanceLine {
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

async fn reconciliation_of_a_generated_book_has_a_known_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.world("ACME").await;
    let beta = app.world("BETA").await;
    // Twelve ACME claims: i x 7.00 claimed (under the 100.00 cap), approved in full; every third
    // fully recovered, every fourth half written off.
    let mut finance = app.recoveries(Role::Finance);
    let (mut claimed, mut recovered, mut written) = (0i64, 0i64, 0i64);
    for i in 1..=12i64 {
        let amount = i * 700;
        let c = approved(&app, &acme, &format!("A{i}"), 1, amount, amount).await;
        claimed += amount;
        if i % 3 == 0 {
            finance
                .record_remittance(remittance(
                    &acme,
                    &format!("R{i}"),
                    usd(amount),
                    vec![line(&c.number, "", usd(amount))],
                ))
                .await
                .unwrap();
            recovered += amount;
        } else if i % 4 == 0 {
            finance
                .write_off_claim(pb::WriteOffClaimRequest {
                    request_id: format!("w{i}"),
                    claim: c.name.clone(),
                    reason: "disputed".into(),
                    amount: usd(amount / 2),
                })
                .await
                .unwrap();
            written += amount / 2;
        }
    }
    // A BETA claim still in review and one withdrawn draft: claimed only / nothing.
    let shipment = app.shipped(&beta, "B1", 5, false).await;
    let mut internal = app.claims(Role::Internal);
    let pending = internal
        .create_claim(claim_request(
            "b1",
            &shipment,
            cpb::ClaimType::Loss,
            2,
            2_500,
        ))
        .await
        .unwrap()
        .into_inner();
    submit(&mut internal, &pending).await.unwrap();
    let other = app.shipped(&beta, "B2", 5, false).await;
    let ignored = internal
        .create_claim(claim_request("b2", &other, cpb::ClaimType::Loss, 1, 999))
        .await
        .unwrap()
        .into_inner();
    transition(&mut internal, &ignored, S::Withdrawn, "duplicate", None)
        .await
        .unwrap();

    let report = app
        .recoveries(Role::Auditor)
        .get_reconciliation(pb::GetReconciliationRequest::default())
        .await
        .unwrap()
        .into_inner();
    let row = |carrier: &str| {
        report
            .rows
            .iter()
            .find(|r| r.carrier == carrier)
            .cloned()
            .unwrap()
    };
    let a = row(&acme.carrier);
    // 7.00 + ... + 84.00 = 546.00 claimed and approved; (3+6+9+12) x 7.00 =
    // 210.00 recovered; 4 and 8 half written off = 42.00; 294.00 outstanding.
    assert_eq!((claimed, recovered, written), (54_600, 21_000, 4_200));
    assert_eq!(a.claims, 12);
    assert_eq!(a.claimed, usd(claimed));
    assert_eq!(a.approved, usd(claimed));
    assert_eq!(a.recovered, usd(recovered));
    assert_eq!(a.written_off, usd(written));
    assert_eq!(a.outstanding, usd(claimed - recovered - written));
    let aging = a.aging.unwrap();
    assert_eq!(
        aging.days_0_30,
        usd(29_400),
        "everything was approved today"
    );
    assert_eq!(aging.days_over_90, usd(0));
    assert_eq!(a.unallocated_remittances, usd(0));
    let b = row(&beta.carrier);
    assert_eq!(
        (b.claims, b.claimed, b.approved, b.outstanding),
        (1, usd(5_000), usd(0), usd(0))
    );
    let only_beta = app
        .recoveries(Role::Finance)
        .get_reconciliation(pb::GetReconciliationRequest {
            carrier: beta.carrier.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(only_beta.rows.len(), 1);
}

async fn finance_roles_are_enforced(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    for role in [Role::Internal, Role::Auditor] {
        let err = app
            .recoveries(role)
            .record_remittance(remittance(&world, "R1", usd(100), vec![]))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied, "{role}");
    }
    let err = app
        .recoveries(Role::Internal)
        .get_reconciliation(pb::GetReconciliationRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    app.recoveries(Role::Auditor)
        .get_reconciliation(pb::GetReconciliationRequest::default())
        .await
        .unwrap();
    let token = app.auth.token(
        Role::Carrier,
        Some(world.carrier.trim_start_matches("carriers/")),
    );
    let err = recourse_proto::claims::recovery_service_client::RecoveryServiceClient::new(
        app.server.authed(Some(&token)),
    )
    .list_remittances(pb::ListRemittancesRequest::default())
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}

async fn partner_stream_sees_only_its_own_claims(backend: Backend) {
    use tokio_stream::StreamExt as _;
    let app = spawn_app(backend).await;
    let mine = app.world("MINE").await;
    let theirs = app.world("THEIRS").await;
    let their_shipment = app.shipped(&theirs, "O1", 5, false).await;
    let my_shipment = app.shipped(&mine, "M1", 5, false).await;
    let mut internal = app.claims(Role::Internal);
    internal
        .create_claim(claim_request(
            "o",
            &their_shipment,
            cpb::ClaimType::Loss,
            1,
            100,
        ))
        .await
        .unwrap();
    let mut stream = app
        .events(Role::Carrier, Some(&mine.carrier))
        .subscribe(pb::SubscribeRequest::default())
        .await
        .unwrap()
        .into_inner();
    let mine_claim = internal
        .create_claim(claim_request(
            "m",
            &my_shipment,
            cpb::ClaimType::Loss,
            1,
            100,
        ))
        .await
        .unwrap()
        .into_inner();
    submit(&mut internal, &mine_claim).await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..2 {
        let e = tokio::time::timeout(std::time::Duration::from_secs(10), stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.push((e.r#type.clone(), e.carrier.clone()));
    }
    assert_eq!(
        seen,
        [
            ("claim.created".to_owned(), mine.carrier.clone()),
            ("claim.submitted".to_owned(), mine.carrier.clone())
        ]
    );
    let extra = tokio::time::timeout(std::time::Duration::from_millis(700), stream.next()).await;
    assert!(extra.is_err(), "nothing of the other carrier: {extra:?}");
}
