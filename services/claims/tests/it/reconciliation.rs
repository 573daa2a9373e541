//! GetReconciliation as a point-in-time view and money received shown for
//! every carrier (huge amounts: `overflow`). Amounts in USD cents; T is
//! today.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{Duration, NaiveDate, Utc};
use common::{
    TestApp, World, backdate_history, claim_request, set_time, spawn_app, submit, transition, usd,
};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};

use pb::ClaimStatus as S;

backend_tests!(
    reconciliation_of_a_generated_book_has_a_known_answer,
    reconciliation_counts_only_what_happened_by_as_of,
);

/// A LOSS claim of `amount`, submitted and approved in full by the carrier.
async fn approved(app: &TestApp, world: &World, tracking: &str, amount: i64) -> pb::Claim {
    let shipment = app.shipped(world, tracking, 30, false).await;
    let mut internal = app.claims(Role::Internal);
    let draft = internal
        .create_claim(claim_request(
            tracking,
            &shipment,
            cpb::ClaimType::Loss,
            1,
            amount,
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
    transition(&mut carrier, &c, S::Approved, "", None)
        .await
        .unwrap()
}

pub fn remittance(
    world: &World,
    reference: &str,
    date: NaiveDate,
    amount: i64,
    lines: Vec<pb::RemittanceLine>,
) -> pb::RecordRemittanceRequest {
    pb::RecordRemittanceRequest {
        request_id: reference.into(),
        remittance: Some(pb::Remittance {
            carrier: world.carrier.clone(),
            kind: pb::RemittanceKind::Payment.into(),
            reference: reference.into(),
            remittance_date: Some(date_to_proto(date)),
            amount: usd(amount),
            lines,
            ..Default::default()
        }),
    }
}

async fn as_of(app: &TestApp, date: NaiveDate) -> Vec<pb::ReconciliationRow> {
    app.recoveries(Role::Finance)
        .get_reconciliation(pb::GetReconciliationRequest {
            as_of: Some(date_to_proto(date)),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .rows
}

/// (claims, claimed, approved, recovered, written off, outstanding,
/// unallocated) of a row, in cents.
fn figures(row: &pb::ReconciliationRow) -> (u32, i64, i64, i64, i64, i64, i64) {
    let m = |x: &Option<recourse_proto::common::Money>| x.as_ref().unwrap().amount_minor;
    (
        row.claims,
        m(&row.claimed),
        m(&row.approved),
        m(&row.recovered),
        m(&row.written_off),
        m(&row.outstanding),
        m(&row.unallocated_remittances),
    )
}

async fn reconciliation_counts_only_what_happened_by_as_of(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.world("ACME").await;
    let beta = app.world("BETA").await;
    let now = Utc::now();
    let t = now.date_naive();
    let day = |n: i64| t - Duration::days(n);
    // The book, by date:
    //   T-20  C1 (80.00) and C2 (60.00) submitted
    //   T-15  C1 approved 80.00
    //   T-10  R1 (ACME, 50.00) received and allocated to C1
    //   T-5   R3 (BETA, 25.00) received; BETA has no claims
    //   T-2   30.00 of C1 written off
    //   T     C2 approved 60.00; R2 (ACME, 40.00) received, not allocated
    let c1 = approved(&app, &acme, "C1", 8_000).await;
    let c2 = approved(&app, &acme, "C2", 6_000).await;
    for c in [&c1, &c2] {
        let id = c.name.trim_start_matches("claims/");
        set_time(
            &app,
            "claims",
            "submitted_at",
            "id",
            id,
            now - Duration::days(20),
        )
        .await;
    }
    backdate_history(&app, &c1.name, "approved", now - Duration::days(15)).await;
    let mut finance = app.recoveries(Role::Finance);
    let r1 = finance
        .record_remittance(remittance(
            &acme,
            "R1",
            day(10),
            5_000,
            vec![pb::RemittanceLine {
                claim: c1.number.clone(),
                amount: usd(5_000),
                ..Default::default()
            }],
        ))
        .await
        .unwrap()
        .into_inner();
    let r1_id = r1.name.trim_start_matches("remittances/");
    set_time(
        &app,
        "allocations",
        "created_at",
        "remittance_id",
        r1_id,
        now - Duration::days(10),
    )
    .await;
    finance
        .record_remittance(remittance(&beta, "R3", day(5), 2_500, vec![]))
        .await
        .unwrap();
    finance
        .write_off_claim(pb::WriteOffClaimRequest {
            request_id: "w".into(),
            claim: c1.name.clone(),
            reason: "carrier will not pay the rest".into(),
            amount: usd(3_000),
        })
        .await
        .unwrap();
    let c1_id = c1.name.trim_start_matches("claims/");
    set_time(
        &app,
        "write_offs",
        "at",
        "claim_id",
        c1_id,
        now - Duration::days(2),
    )
    .await;
    finance
        .record_remittance(remittance(&acme, "R2", t, 4_000, vec![]))
        .await
        .unwrap();

    // T-25: nothing had happened yet.
    assert!(as_of(&app, day(25)).await.is_empty());
    // T-12: both claims filed (140.00), C1 approved 80.00 three days
    // earlier, nothing received: outstanding 80.00, all 0-30 days old.
    let rows = as_of(&app, day(12)).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(figures(&rows[0]), (2, 14_000, 8_000, 0, 0, 8_000, 0));
    assert_eq!(rows[0].aging.as_ref().unwrap().days_0_30, usd(8_000));
    // T-3: R1's 50.00 is in and allocated to C1: outstanding 80 − 50 = 30.00;
    // the write-off (T-2) is not yet. BETA's 25.00 shows though it has no
    // claims.
    let rows = as_of(&app, day(3)).await;
    let acme_row = rows.iter().find(|r| r.carrier == acme.carrier).unwrap();
    assert_eq!(figures(acme_row), (2, 14_000, 8_000, 5_000, 0, 3_000, 0));
    let beta_row = rows.iter().find(|r| r.carrier == beta.carrier).unwrap();
    assert_eq!(figures(beta_row), (0, 0, 0, 0, 0, 0, 2_500));
    // T: approved 80 + 60 = 140.00, recovered 50.00, written off 30.00,
    // outstanding 140 − 50 − 30 = 60.00 (C2, 0 days old); R2's 40.00 is
    // unallocated.
    let rows = as_of(&app, t).await;
    let acme_row = rows.iter().find(|r| r.carrier == acme.carrier).unwrap();
    assert_eq!(
        figures(acme_row),
        (2, 14_000, 14_000, 5_000, 3_000, 6_000, 4_000)
    );
    assert_eq!(acme_row.aging.as_ref().unwrap().days_0_30, usd(6_000));
    assert_eq!(rows.len(), 2);
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
        let c = crate::recoveries::approved(&app, &acme, &format!("A{i}"), 1, amount, amount).await;
        claimed += amount;
        if i % 3 == 0 {
            finance
                .record_remittance(crate::recoveries::remittance(
                    &acme,
                    &format!("R{i}"),
                    usd(amount),
                    vec![crate::recoveries::line(&c.number, "", usd(amount))],
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
