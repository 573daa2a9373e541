//! Appeals through real gRPC: a partial approval can be appealed, the
//! window and the number of appeals come from the contract, the carrier's
//! decision clock restarts, and an appealed claim can be withdrawn. Amounts
//! in USD cents.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{Duration, Utc};
use common::{
    TestApp, World, backdate_history, claim_request, kind_of, spawn_app, submit, transition, usd,
};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    a_partial_approval_is_appealed_then_upheld_or_raised_never_lowered,
    appeals_are_bounded_by_the_window_and_the_count,
    an_appealed_claim_can_be_withdrawn_unless_money_moved,
);

/// A LOSS claim of `quantity` × `unit` (nothing declared, default limit
/// 100.00), submitted by internal and brought under review by the carrier.
async fn under_review(
    app: &TestApp,
    world: &World,
    tracking: &str,
    quantity: u32,
    unit: i64,
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
    transition(&mut carrier, &c, S::UnderReview, "", None)
        .await
        .unwrap()
}

async fn a_partial_approval_is_appealed_then_upheld_or_raised_never_lowered(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let mut internal = app.claims(Role::Internal);
    let mut carrier = app.partner_claims(&world.carrier);
    // 2 × 40.00 = 80.00 claimed; cap = min(80.00, default 100.00) = 80.00.
    let c = under_review(&app, &world, "P1", 2, 4_000).await;
    let terms = c.terms.clone().unwrap();
    assert_eq!(
        (terms.appeal_window_days, terms.max_appeals),
        (30, 1),
        "defaults"
    );
    let c = transition(
        &mut carrier,
        &c,
        S::PartiallyApproved,
        "30.00 depreciation",
        Some(5_000),
    )
    .await
    .unwrap();
    // Appealed today: the carrier's decision is due today + 120 days.
    let c = transition(
        &mut internal,
        &c,
        S::Appealed,
        "receipts show full value",
        None,
    )
    .await
    .unwrap();
    assert_eq!(c.status(), S::Appealed);
    assert_eq!(c.approved_amount, usd(5_000), "the partial approval stands");
    let today = Utc::now().date_naive();
    assert_eq!(
        c.terms.as_ref().unwrap().decision_due,
        Some(date_to_proto(today + Duration::days(120)))
    );
    let overdue = internal
        .list_overdue_claims(pb::ListOverdueClaimsRequest {
            carrier: world.carrier.clone(),
            as_of: Some(timestamp_to_proto(Utc::now() + Duration::days(121))),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .claims;
    assert_eq!(overdue.len(), 1);
    assert_eq!(
        (overdue[0].clock.as_str(), overdue[0].days_overdue),
        ("DECISION", 1)
    );

    let c = transition(&mut carrier, &c, S::UnderReview, "", None)
        .await
        .unwrap();
    // Denying, or approving less than the 50.00 that stands, is refused.
    let err = transition(&mut carrier, &c, S::Denied, "no", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert_eq!(kind_of(&err), "APPEAL_CANNOT_LOWER");
    let err = transition(&mut carrier, &c, S::PartiallyApproved, "less", Some(4_000))
        .await
        .unwrap_err();
    assert_eq!(kind_of(&err), "APPEAL_CANNOT_LOWER");
    // Raised to the full 80.00 (min(claimed 80.00, cap 80.00)).
    let c = transition(&mut carrier, &c, S::Approved, "", None)
        .await
        .unwrap();
    assert_eq!(c.approved_amount, usd(8_000));
    let history = internal
        .list_claim_history(pb::ListClaimHistoryRequest {
            name: c.name.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    let moves: Vec<_> = history.iter().map(|h| (h.to(), h.amount.clone())).collect();
    assert_eq!(
        moves[3..],
        [
            (S::PartiallyApproved, usd(5_000)),
            (S::Appealed, None),
            (S::UnderReview, None),
            (S::Approved, usd(8_000)),
        ]
    );
}

async fn appeals_are_bounded_by_the_window_and_the_count(backend: Backend) {
    let app = spawn_app(backend).await;
    // Appeals: within 10 days of the decision, at most once.
    let mut terms = common::terms();
    let liability = terms.liability.as_mut().unwrap();
    liability.appeal_window_days = 10;
    liability.max_appeals = 1;
    let world = app.world_with("ACME", terms).await;
    let mut internal = app.claims(Role::Internal);
    let mut carrier = app.partner_claims(&world.carrier);
    let c = under_review(&app, &world, "W1", 1, 5_000).await;
    let denied = transition(&mut carrier, &c, S::Denied, "not our fault", None)
        .await
        .unwrap();
    // Denied 11 days ago: the last day to appeal was 10 days after the
    // denial, i.e. yesterday.
    let denied_at = Utc::now() - Duration::days(11);
    backdate_history(&app, &denied.name, "denied", denied_at).await;
    let err = transition(&mut internal, &denied, S::Appealed, "we disagree", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert_eq!(kind_of(&err), "APPEAL_WINDOW_CLOSED");
    let last_day = denied_at.date_naive() + Duration::days(10);
    assert!(
        err.message()
            .contains(&format!("could be appealed until {last_day} (10 days)")),
        "{err:?}"
    );
    // Denied 10 days ago: today is the last day, so the appeal is in time.
    backdate_history(
        &app,
        &denied.name,
        "denied",
        Utc::now() - Duration::days(10),
    )
    .await;
    let appealed = transition(&mut internal, &denied, S::Appealed, "we disagree", None)
        .await
        .unwrap();
    let c = transition(&mut carrier, &appealed, S::UnderReview, "", None)
        .await
        .unwrap();
    let denied = transition(&mut carrier, &c, S::Denied, "still no", None)
        .await
        .unwrap();
    // The second appeal is one more than the contract allows.
    let err = transition(&mut internal, &denied, S::Appealed, "again", None)
        .await
        .unwrap_err();
    assert_eq!(kind_of(&err), "APPEAL_LIMIT_REACHED");
    assert!(
        err.message()
            .contains("appealed 1 time(s); the contract allows 1"),
        "{err:?}"
    );
    // A full approval has nothing to appeal.
    let c = under_review(&app, &world, "W2", 1, 5_000).await;
    let approved = transition(&mut carrier, &c, S::Approved, "", None)
        .await
        .unwrap();
    let err = transition(&mut internal, &approved, S::Appealed, "more", None)
        .await
        .unwrap_err();
    assert_eq!(kind_of(&err), "CLAIM_STATUS_TRANSITION");
}

async fn an_appealed_claim_can_be_withdrawn_unless_money_moved(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let mut internal = app.claims(Role::Internal);
    let mut carrier = app.partner_claims(&world.carrier);
    let c = under_review(&app, &world, "X1", 1, 5_000).await;
    let c = transition(&mut carrier, &c, S::Denied, "no", None)
        .await
        .unwrap();
    let c = transition(&mut internal, &c, S::Appealed, "please", None)
        .await
        .unwrap();
    let c = transition(
        &mut internal,
        &c,
        S::Withdrawn,
        "settled with the merchant",
        None,
    )
    .await
    .unwrap();
    assert_eq!(c.status(), S::Withdrawn);

    // 60.00 claimed, 20.00 partially approved and paid, then appealed: the
    // 20.00 received cannot vanish with a withdrawal.
    let c = under_review(&app, &world, "X2", 1, 6_000).await;
    let c = transition(
        &mut carrier,
        &c,
        S::PartiallyApproved,
        "partial",
        Some(2_000),
    )
    .await
    .unwrap();
    app.recoveries(Role::Finance)
        .record_remittance(pb::RecordRemittanceRequest {
            request_id: "pay".into(),
            remittance: Some(pb::Remittance {
                carrier: world.carrier.clone(),
                kind: pb::RemittanceKind::Payment.into(),
                reference: "ACH-1".into(),
                remittance_date: Some(date_to_proto(Utc::now().date_naive())),
                amount: usd(1_000),
                lines: vec![pb::RemittanceLine {
                    claim: c.number.clone(),
                    amount: usd(1_000),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        })
        .await
        .unwrap();
    let c = internal
        .get_claim(pb::GetClaimRequest { name: c.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(c.recovered_amount, usd(1_000));
    let c = transition(&mut internal, &c, S::Appealed, "more", None)
        .await
        .unwrap();
    let err = transition(&mut internal, &c, S::Withdrawn, "never mind", None)
        .await
        .unwrap_err();
    assert_eq!(kind_of(&err), "MONEY_ALREADY_MOVED");
}
