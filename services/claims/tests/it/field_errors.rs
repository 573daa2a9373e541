//! Each error names what is wrong: the field at fault (an etag that is not
//! one is "not an etag", not "required"; an impossible time is "not a
//! valid time"; an approval in the wrong currency is its currency code),
//! or, for what the request cannot fix, the precondition (a claim in
//! another currency than its contract is FAILED_PRECONDITION on the claim,
//! not an INVALID_ARGUMENT on line items the request did not send).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{claim_request, kind_of, spawn_app, submit, transition, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::claims as pb;
use recourse_proto::common::Money;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;
use tonic_types::StatusExt as _;

backend_tests!(
    errors_name_the_field_or_the_precondition_at_fault,
    update_masks_may_be_written_in_lower_camel_case,
);

fn eur(minor: i64) -> Option<Money> {
    Some(Money {
        amount_minor: minor,
        currency_code: "EUR".into(),
    })
}

fn description(status: &tonic::Status) -> String {
    status
        .get_error_details()
        .bad_request()
        .unwrap()
        .field_violations[0]
        .description
        .clone()
}

async fn errors_name_the_field_or_the_precondition_at_fault(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let shipment = app.shipped(&world, "T1", 5, false).await;
    let mut internal = app.claims(Role::Internal);
    // Claimed in EUR under a USD contract: the claim cannot be submitted as
    // it is; the request (name, etag) is fine.
    let mut request = claim_request("eur", &shipment, cpb::ClaimType::Loss, 1, 5_000);
    request.claim.as_mut().unwrap().line_items[0].unit_value = eur(5_000);
    let draft = internal.create_claim(request).await.unwrap().into_inner();
    let err = submit(&mut internal, &draft).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    assert_eq!(kind_of(&err), "CLAIM_CURRENCY");
    assert!(
        err.message().contains("EUR") && err.message().contains("USD"),
        "{err:?}"
    );

    // An etag that is not one is "not an etag", a missing one "required".
    let mut stale = draft.clone();
    stale.etag = "garbage".into();
    let err = transition(&mut internal, &stale, pb::ClaimStatus::Withdrawn, "x", None)
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["etag"]);
    assert!(description(&err).contains("not an etag"), "{err:?}");
    stale.etag = String::new();
    let err = transition(&mut internal, &stale, pb::ClaimStatus::Withdrawn, "x", None)
        .await
        .unwrap_err();
    assert!(description(&err).contains("is required"), "{err:?}");

    // An instant with impossible nanoseconds is invalid, not missing.
    let err = internal
        .list_overdue_claims(pb::ListOverdueClaimsRequest {
            as_of: Some(prost_types::Timestamp {
                seconds: 1_800_000_000,
                nanos: -5,
            }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["as_of"]);
    assert!(description(&err).contains("not a valid time"), "{err:?}");

    // An approval in another currency than the claim's names the code.
    let usd_claim = crate::recoveries::approved(&app, &world, "A1", 1, 5_000, 5_000).await;
    let mut carrier = app.partner_claims(&world.carrier);
    let shipment = app.shipped(&world, "A2", 5, false).await;
    let draft = internal
        .create_claim(claim_request(
            "a2",
            &shipment,
            cpb::ClaimType::Loss,
            1,
            5_000,
        ))
        .await
        .unwrap()
        .into_inner();
    let mut c = submit(&mut internal, &draft).await.unwrap();
    for to in [pb::ClaimStatus::Acknowledged, pb::ClaimStatus::UnderReview] {
        c = transition(&mut carrier, &c, to, "", None).await.unwrap();
    }
    let err = carrier
        .transition_claim(pb::TransitionClaimRequest {
            request_id: "eur-approval".into(),
            name: c.name.clone(),
            etag: c.etag.clone(),
            to: pb::ClaimStatus::Approved.into(),
            approved_amount: eur(1_000),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["approved_amount.currency_code"]);
    assert_eq!(usd_claim.status(), pb::ClaimStatus::Approved);
}

async fn update_masks_may_be_written_in_lower_camel_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let shipment = app.shipped(&world, "T1", 5, false).await;
    let mut internal = app.claims(Role::Internal);
    let draft = internal
        .create_claim(claim_request(
            "d",
            &shipment,
            cpb::ClaimType::Loss,
            1,
            5_000,
        ))
        .await
        .unwrap()
        .into_inner();
    // grpcurl and JSON clients write `lineItems`; it means `line_items`.
    let mut edit = draft.clone();
    edit.line_items[0].quantity = 3;
    let updated = internal
        .update_claim(pb::UpdateClaimRequest {
            claim: Some(edit),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["lineItems".into()],
            }),
        })
        .await
        .unwrap()
        .into_inner();
    // 3 × 50.00 = 150.00
    assert_eq!(updated.claimed_amount.unwrap().amount_minor, 15_000);
}
