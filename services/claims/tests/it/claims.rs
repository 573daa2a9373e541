//! ClaimService through real gRPC on SQLite and PostgreSQL, with the real
//! contracts and carriers services answering.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{Duration, Utc};
use common::{
    claim_request, draft, spawn_app, submit, transition, usd, violated_fields,
    with_damage_documents,
};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    the_full_lifecycle_from_draft_to_closed,
    late_filing_is_refused_unless_an_admin_overrides,
    stale_etag_and_illegal_moves_are_refused,
    approving_above_the_cap_needs_an_admin_and_a_reason,
);

async fn approving_above_the_cap_needs_an_admin_and_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // 250.00 claimed, capped at 100.00.
    let claim = draft(&app, &world, "T1", cpb::ClaimType::Loss, 1, 25_000).await;
    let mut internal = app.claims(Role::Internal);
    let c = submit(&mut internal, &claim).await.unwrap();
    let mut carrier = app.partner_claims(&world.carrier);
    let c = transition(&mut carrier, &c, S::Acknowledged, "", None)
        .await
        .unwrap();
    let c = transition(&mut carrier, &c, S::UnderReview, "", None)
        .await
        .unwrap();
    let above = |reason: &str| pb::TransitionClaimRequest {
        request_id: format!("above-{reason}"),
        name: c.name.clone(),
        etag: c.etag.clone(),
        to: S::Approved.into(),
        reason: reason.into(),
        approved_amount: usd(20_000),
        override_cap: true,
    };
    let err = carrier
        .transition_claim(above("goodwill"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    assert!(err.message().contains("only an admin"), "{err:?}");
    let mut admin = app.claims(Role::Admin);
    let err = admin.transition_claim(above("")).await.unwrap_err();
    assert_eq!(violated_fields(&err), ["reason"]);
    let approved = admin
        .transition_claim(above("carrier accepted full value"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(approved.approved_amount, usd(20_000));
    let history = admin
        .list_claim_history(pb::ListClaimHistoryRequest {
            name: c.name.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    let last = history.last().unwrap();
    assert_eq!(
        (last.to(), last.reason.as_str(), last.actor_role.as_str()),
        (S::Approved, "carrier accepted full value", "admin")
    );
    // Never above what was claimed, override or not.
    let mut more = above("too much");
    more.approved_amount = usd(30_000);
    more.etag = approved.etag.clone();
    let err = admin.transition_claim(more).await.unwrap_err();
    assert_eq!(
        err.code(),
        Code::FailedPrecondition,
        "approved cannot move to approved"
    );
}

async fn the_full_lifecycle_from_draft_to_closed(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // 2 x 150.00 claimed; no declared value: capped at the 100.00 default.
    let claim = draft(&app, &world, "T1", cpb::ClaimType::Damage, 2, 15_000).await;
    assert_eq!(claim.status(), S::Draft);
    assert!(
        claim
            .number
            .starts_with(&format!("CLM-{}-", Utc::now().format("%Y"))),
        "{}",
        claim.number
    );
    assert_eq!(claim.claimed_amount, usd(30_000));
    let claim = with_damage_documents(&app, &claim).await;
    let mut internal = app.claims(Role::Internal);
    let submitted = submit(&mut internal, &claim).await.unwrap();
    assert_eq!(submitted.status(), S::Submitted);
    let terms = submitted.terms.clone().unwrap();
    assert_eq!(terms.liability_cap, usd(10_000));
    let delivered = (Utc::now() - Duration::days(4)).date_naive();
    assert_eq!(
        terms.filing_deadline,
        Some(date_to_proto(delivered + Duration::days(60)))
    );
    assert_eq!(terms.deadline_anchor(), cpb::FilingAnchor::ActualDelivery);
    let today = Utc::now().date_naive();
    assert_eq!(
        terms.acknowledge_due,
        Some(date_to_proto(today + Duration::days(30)))
    );
    assert_eq!(
        terms.decision_due,
        Some(date_to_proto(today + Duration::days(120)))
    );

    let mut carrier = app.partner_claims(&world.carrier);
    let c = transition(&mut carrier, &submitted, S::Acknowledged, "", None)
        .await
        .unwrap();
    let c = transition(&mut carrier, &c, S::UnderReview, "", None)
        .await
        .unwrap();
    let c = transition(
        &mut carrier,
        &c,
        S::NeedsInfo,
        "photo of the label please",
        None,
    )
    .await
    .unwrap();
    let c = transition(
        &mut internal,
        &c,
        S::UnderReview,
        "label photo attached",
        None,
    )
    .await
    .unwrap();
    let err = transition(&mut carrier, &c, S::Approved, "", Some(15_000))
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::FailedPrecondition,
        "above the cap: {err:?}"
    );
    let approved = transition(&mut carrier, &c, S::Approved, "", None)
        .await
        .unwrap();
    assert_eq!(
        approved.approved_amount,
        usd(10_000),
        "defaults to min(claimed, cap)"
    );

    let remittance = app
        .recoveries(Role::Finance)
        .record_remittance(pb::RecordRemittanceRequest {
            request_id: "pay-1".into(),
            remittance: Some(pb::Remittance {
                carrier: world.carrier.clone(),
                kind: pb::RemittanceKind::Payment.into(),
                reference: "ACH-1".into(),
                remittance_date: Some(date_to_proto(today)),
                amount: usd(10_000),
                lines: vec![pb::RemittanceLine {
                    claim: approved.number.clone(),
                    amount: usd(10_000),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(remittance.unallocated, usd(0));
    let settled = internal
        .get_claim(pb::GetClaimRequest {
            name: claim.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(settled.status(), S::Settled);
    assert_eq!(settled.recovered_amount, usd(10_000));
    let closed = transition(&mut internal, &settled, S::Closed, "", None)
        .await
        .unwrap();
    assert_eq!(closed.status(), S::Closed);

    let history = internal
        .list_claim_history(pb::ListClaimHistoryRequest {
            name: claim.name.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    let moves: Vec<_> = history.iter().map(|h| (h.from(), h.to())).collect();
    assert_eq!(
        moves,
        [
            (S::Draft, S::Submitted),
            (S::Submitted, S::Acknowledged),
            (S::Acknowledged, S::UnderReview),
            (S::UnderReview, S::NeedsInfo),
            (S::NeedsInfo, S::UnderReview),
            (S::UnderReview, S::Approved),
            (S::Approved, S::Settled),
            (S::Settled, S::Closed),
        ]
    );
    assert_eq!(history[3].reason, "photo of the label please");
    assert_eq!(history[1].actor_role, "carrier");
    assert_eq!(history[5].amount, usd(10_000));
}

async fn late_filing_is_refused_unless_an_admin_overrides(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // Delivered 69 days ago: the 60-day damage window closed 9 days ago.
    let shipment = app.shipped(&world, "OLD", 70, true).await;
    let mut internal = app.claims(Role::Internal);
    let claim = internal
        .create_claim(claim_request(
            "late",
            &shipment,
            cpb::ClaimType::Loss,
            1,
            5_000,
        ))
        .await
        .unwrap()
        .into_inner();
    // Loss: 60 days from ship date (70 days ago).
    let err = submit(&mut internal, &claim).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let deadline = (Utc::now() - Duration::days(70) + Duration::days(60)).date_naive();
    assert!(
        err.message().contains(&deadline.to_string()),
        "names the deadline: {err:?}"
    );
    let over = |justification: &str| pb::SubmitClaimRequest {
        request_id: format!("override-{justification}"),
        name: claim.name.clone(),
        etag: claim.etag.clone(),
        override_late_filing: true,
        override_justification: justification.into(),
    };
    let err = internal
        .submit_claim(over("carrier agreed by email"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let mut admin = app.claims(Role::Admin);
    let err = admin.submit_claim(over("")).await.unwrap_err();
    assert_eq!(violated_fields(&err), ["override_justification"]);
    let accepted = admin
        .submit_claim(over("carrier agreed by email on 3 Nov"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(accepted.status(), S::Submitted);
    assert_eq!(
        accepted.terms.unwrap().late_filing_justification,
        "carrier agreed by email on 3 Nov"
    );
}

async fn stale_etag_and_illegal_moves_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let claim = draft(&app, &world, "T1", cpb::ClaimType::Loss, 1, 5_000).await;
    let mut internal = app.claims(Role::Internal);
    let mut edit = claim.clone();
    edit.notes = "first".into();
    let mask = Some(prost_types::FieldMask {
        paths: vec!["notes".into()],
    });
    internal
        .update_claim(pb::UpdateClaimRequest {
            claim: Some(edit.clone()),
            update_mask: mask.clone(),
        })
        .await
        .unwrap();
    edit.notes = "second".into();
    let err = internal
        .update_claim(pb::UpdateClaimRequest {
            claim: Some(edit),
            update_mask: mask,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted);
    let fresh = internal
        .get_claim(pb::GetClaimRequest {
            name: claim.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fresh.notes, "first");
    let mut too_long = claim_request("long", &claim.shipment, cpb::ClaimType::Loss, 1, 100);
    too_long
        .claim
        .as_mut()
        .unwrap()
        .claimant
        .as_mut()
        .unwrap()
        .on_behalf_of = "m".repeat(201);
    let err = internal.create_claim(too_long).await.unwrap_err();
    assert_eq!(violated_fields(&err), ["claim.claimant.on_behalf_of"]);
    let err = transition(&mut internal, &fresh, S::Approved, "", None)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::FailedPrecondition,
        "draft cannot be approved"
    );
    let submitted = submit(&mut internal, &fresh).await.unwrap();
    let err = transition(&mut internal, &submitted, S::Denied, "", None)
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["reason"]);
    let err = transition(
        &mut app.claims(Role::Auditor),
        &submitted,
        S::Acknowledged,
        "",
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let err = transition(
        &mut app.partner_claims(&world.carrier),
        &submitted,
        S::Withdrawn,
        "not ours",
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.code(),
        Code::PermissionDenied,
        "a carrier cannot withdraw the claimant's claim"
    );
    let withdrawn = transition(
        &mut internal,
        &submitted,
        S::Withdrawn,
        "found the parcel",
        None,
    )
    .await
    .unwrap();
    let err = transition(&mut internal, &withdrawn, S::Acknowledged, "", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "withdrawn is final");
}
