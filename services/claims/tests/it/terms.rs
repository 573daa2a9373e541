//! What a submitted claim fixes from the contract and the shipment: the
//! liability cap from the value declared at shipment, and filing deadlines
//! in days or calendar months from the named anchor. Worked examples in
//! USD cents.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{Duration, Utc};
use common::{TestApp, World, claim_request, spawn_app, submit, usd, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};

backend_tests!(the_cap_uses_the_value_declared_at_shipment_never_the_claims,);

/// A LOSS draft for a GROUND parcel shipped 5 days ago (not delivered)
/// with `declared` declared to the carrier, claiming 1 × `unit`.
async fn lost_with_declared(
    app: &TestApp,
    world: &World,
    tracking: &str,
    declared: Option<recourse_proto::common::Money>,
    unit: i64,
) -> pb::Claim {
    let mut s = common::shipment(&world.carrier, tracking, Utc::now() - Duration::days(5));
    s.declared_value = declared;
    let shipment = app.ship(world, s, None).await;
    app.claims(Role::Internal)
        .create_claim(claim_request(
            &format!("c-{tracking}"),
            &shipment,
            cpb::ClaimType::Loss,
            1,
            unit,
        ))
        .await
        .unwrap()
        .into_inner()
}

async fn the_cap_uses_the_value_declared_at_shipment_never_the_claims(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let mut internal = app.claims(Role::Internal);
    // Contract: default limit 100.00 per package, declared values covered
    // up to 5,000.00.

    // Declared 400.00 at shipment, 250.00 lost:
    // cap = min(claimed 250.00, declared 400.00) = 250.00.
    let draft = lost_with_declared(&app, &world, "D400", usd(40_000), 25_000).await;
    assert_eq!(draft.declared_value, usd(40_000), "read from the shipment");
    let c = submit(&mut internal, &draft).await.unwrap();
    assert_eq!(c.terms.unwrap().liability_cap, usd(25_000));
    assert_eq!(c.declared_value, usd(40_000));

    // Declared 0 at shipment means nothing was declared: the default limit
    // applies, cap = min(250.00, default 100.00) = 100.00 (it used to come
    // out as min(250.00, 0.00) = 0.00).
    let draft = lost_with_declared(&app, &world, "D0", usd(0), 25_000).await;
    assert_eq!(draft.declared_value, None);
    let c = submit(&mut internal, &draft).await.unwrap();
    assert_eq!(c.terms.unwrap().liability_cap, usd(10_000));
    assert_eq!(c.declared_value, None);

    // Declared 60.00, 250.00 lost: min(250.00, 60.00) = 60.00, below the
    // default limit, because the shipper declared less.
    let draft = lost_with_declared(&app, &world, "D60", usd(6_000), 25_000).await;
    let c = submit(&mut internal, &draft).await.unwrap();
    assert_eq!(c.terms.unwrap().liability_cap, usd(6_000));

    // The claimant cannot raise the cap by typing a declared value: the
    // field is output only, on create and on update.
    let shipment = app.shipped(&world, "TYPED", 5, false).await;
    let mut typed = claim_request("typed", &shipment, cpb::ClaimType::Loss, 1, 25_000);
    typed.claim.as_mut().unwrap().declared_value = usd(500_000);
    let err = internal.create_claim(typed).await.unwrap_err();
    assert_eq!(violated_fields(&err), ["claim.declared_value"]);
    let draft = internal
        .create_claim(claim_request(
            "untyped",
            &shipment,
            cpb::ClaimType::Loss,
            1,
            25_000,
        ))
        .await
        .unwrap()
        .into_inner();
    let mut edit = draft.clone();
    edit.declared_value = usd(500_000);
    let err = internal
        .update_claim(pb::UpdateClaimRequest {
            claim: Some(edit),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["declared_value".into()],
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["update_mask"]);
    // Nothing declared at shipment: 250.00 claimed, capped at 100.00.
    let c = submit(&mut internal, &draft).await.unwrap();
    assert_eq!(c.terms.unwrap().liability_cap, usd(10_000));
}
