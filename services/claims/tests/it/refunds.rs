//! Guaranteed-service refunds on the claims side: a delay claim asks for
//! the refund amount the contracts service computes (the transportation
//! charge) and is not limited by the loss liability cap. Amounts in USD
//! cents; the contract's loss limit is 100.00 per package.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{Duration, Utc};
use common::{TestApp, World, claim_request, spawn_app, submit, transition, usd};
use recourse_platform::auth::Role;
use recourse_proto::claims as pb;
use recourse_proto::common::{Weight, WeightUnit};
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};

use pb::ClaimStatus as S;

backend_tests!(
    delay_claims_come_from_refund_candidates,
    a_delay_claim_claims_the_transportation_charge_uncapped_by_loss_liability,
    a_candidate_without_a_refund_amount_is_skipped_with_the_reason,
    a_hand_filed_delay_claim_is_capped_by_the_billed_charge_not_the_loss_limit,
);

/// A NEXT_DAY (guaranteed) parcel shipped 3 days ago and delivered a day
/// late; `edit` adjusts it before registration.
async fn late_parcel(
    app: &TestApp,
    world: &World,
    tracking: &str,
    edit: impl FnOnce(&mut cpb::Shipment),
) -> String {
    let shipped = Utc::now() - Duration::days(3);
    let mut s = common::shipment(&world.carrier, tracking, shipped);
    s.service_level = "NEXT_DAY".into();
    s.promised_delivery_time = common::ts(shipped + Duration::hours(24));
    edit(&mut s);
    app.ship(world, s, Some(shipped + Duration::hours(48)))
        .await
}

async fn a_delay_claim_claims_the_transportation_charge_uncapped_by_loss_liability(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // Billed 180.00 in all: 150.00 transportation + 30.00 fuel and
    // accessorials. The refund is the 150.00 transportation charge.
    let late = late_parcel(&app, &world, "LATE", |s| {
        s.billed_charge = usd(18_000);
        s.billed_transportation_charge = usd(15_000);
    })
    .await;
    let made = app
        .claims(Role::Internal)
        .create_delay_claims(pb::CreateDelayClaimsRequest {
            request_id: "refunds".into(),
            carrier: world.carrier.clone(),
            shipment: late.clone(),
            submit: true,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(made.claims.len(), 1, "{made:?}");
    let claim = &made.claims[0];
    assert_eq!(claim.claimed_amount, usd(15_000));
    assert!(
        claim.line_items[0]
            .description
            .contains("transportation charge"),
        "{:?}",
        claim.line_items[0]
    );
    // Cap = min(claimed 150.00, billed 180.00) = 150.00; the 100.00 loss
    // limit (which used to make it min(180.00, 100.00) = 100.00) does not
    // apply to a refund.
    let terms = claim.terms.clone().unwrap();
    assert_eq!(terms.liability_cap, usd(15_000));
    assert_eq!(terms.cap_basis, "BILLED_CHARGE");
    let mut carrier = app.partner_claims(&world.carrier);
    let c = transition(&mut carrier, claim, S::Acknowledged, "", None)
        .await
        .unwrap();
    let c = transition(&mut carrier, &c, S::UnderReview, "", None)
        .await
        .unwrap();
    let approved = transition(&mut carrier, &c, S::Approved, "", None)
        .await
        .unwrap();
    assert_eq!(approved.approved_amount, usd(15_000));
}

async fn a_candidate_without_a_refund_amount_is_skipped_with_the_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // 100 lb: beyond the rate card's last weight break (70 lb), so no
    // contract rate, and no transportation charge billed: nothing to refund.
    let unpriced = late_parcel(&app, &world, "HEAVY", |s| {
        s.weight = Some(Weight {
            thousandths: 100_000,
            unit: WeightUnit::Lb.into(),
        });
        s.billed_charge = usd(9_900);
    })
    .await;
    let made = app
        .claims(Role::Internal)
        .create_delay_claims(pb::CreateDelayClaimsRequest {
            request_id: "refunds".into(),
            carrier: world.carrier.clone(),
            shipment: String::new(),
            submit: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(made.claims.is_empty(), "{made:?}");
    assert_eq!(made.skipped, 1);
    let skip = &made.skipped_candidates[0];
    assert_eq!(
        (skip.shipment.as_str(), skip.reason.as_str()),
        (unpriced.as_str(), "NO_REFUND_AMOUNT")
    );
    assert!(skip.detail.contains("no transportation charge"), "{skip:?}");
}

async fn a_hand_filed_delay_claim_is_capped_by_the_billed_charge_not_the_loss_limit(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let late = late_parcel(&app, &world, "HAND", |s| {
        s.billed_charge = usd(18_000);
    })
    .await;
    let mut internal = app.claims(Role::Internal);
    // 300.00 asked for a parcel billed 180.00:
    // cap = min(300.00, billed 180.00) = 180.00, not the 100.00 loss limit.
    let draft = internal
        .create_claim(claim_request(
            "hand",
            &late,
            cpb::ClaimType::Delay,
            1,
            30_000,
        ))
        .await
        .unwrap()
        .into_inner();
    let claim = submit(&mut internal, &draft).await.unwrap();
    let terms = claim.terms.unwrap();
    assert_eq!(terms.liability_cap, usd(18_000));
    assert_eq!(terms.cap_basis, "BILLED_CHARGE");
}

async fn delay_claims_come_from_refund_candidates(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // NEXT_DAY is guaranteed; shipped 3 days ago, delivered 2 days late.
    let shipped = Utc::now() - Duration::days(3);
    let mut s = common::shipment(&world.carrier, "LATE", shipped);
    s.service_level = "NEXT_DAY".into();
    s.promised_delivery_time = common::ts(shipped + Duration::hours(24));
    // Billed 10.00 in all, of which 8.00 transportation.
    s.billed_transportation_charge = usd(800);
    let late = app
        .ship(&world, s, Some(shipped + Duration::hours(48)))
        .await;
    app.shipped(&world, "GROUND", 3, true).await;
    let mut internal = app.claims(Role::Internal);
    let made = internal
        .create_delay_claims(pb::CreateDelayClaimsRequest {
            request_id: "refunds-1".into(),
            carrier: world.carrier.clone(),
            shipment: String::new(),
            submit: true,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(made.claims.len(), 1);
    let claim = &made.claims[0];
    assert_eq!(claim.shipment, late);
    assert_eq!(claim.r#type(), cpb::ClaimType::Delay);
    assert_eq!(claim.status(), S::Submitted);
    assert_eq!(
        claim.claimed_amount,
        usd(800),
        "the transportation charge is refunded, not the 10.00 billed in all"
    );
    let again = internal
        .create_delay_claims(pb::CreateDelayClaimsRequest {
            request_id: "refunds-2".into(),
            carrier: world.carrier.clone(),
            shipment: String::new(),
            submit: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((again.claims.len(), again.skipped), (0, 1));
    assert_eq!(again.skipped_candidates[0].reason, "ALREADY_CLAIMED");
    assert_eq!(again.skipped_candidates[0].existing_claim, claim.name);
}
