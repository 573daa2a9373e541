//! Roles: a carrier principal answers and decides the claims against its
//! carrier; a 3PL principal files and follows the claims of its own account
//! (for shipments it tendered); neither does the other's part, and nobody
//! decides a claim they filed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use common::{TestApp, World, claim_request, spawn_app, submit, transition, violated_fields};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tokio_stream::StreamExt as _;
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    a_3pl_sees_only_its_own_claims_in_get_list_history_overdue_and_the_feed,
    a_3pl_cannot_decide_and_a_carrier_cannot_file_for_a_3pls_merchant,
    nobody_decides_a_claim_they_filed,
);

/// A GROUND parcel tendered by 3PL `account`, shipped 5 days ago.
async fn tendered_by(app: &TestApp, world: &World, tracking: &str, account: &str) -> String {
    let mut s = common::shipment(&world.carrier, tracking, Utc::now() - Duration::days(5));
    s.shipper_account = account.into();
    app.ship(world, s, None).await
}

/// A LOSS claim a 3PL files for merchant "Merchant Co".
fn tpl_claim(request_id: &str, shipment: &str) -> pb::CreateClaimRequest {
    let mut r = claim_request(request_id, shipment, cpb::ClaimType::Loss, 1, 5_000);
    r.claim.as_mut().unwrap().claimant = Some(pb::Claimant {
        kind: pb::ClaimantKind::Partner3pl.into(),
        name: "Fast 3PL".into(),
        on_behalf_of: "Merchant Co".into(),
    });
    r
}

fn code<T>(r: Result<tonic::Response<T>, tonic::Status>) -> Code {
    match r {
        Ok(_) => Code::Ok,
        Err(e) => e.code(),
    }
}

async fn a_3pl_sees_only_its_own_claims_in_get_list_history_overdue_and_the_feed(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let fast_parcel = tendered_by(&app, &world, "F1", "fast3pl").await;
    let other_parcel = tendered_by(&app, &world, "O1", "other3pl").await;
    let in_house_parcel = app.shipped(&world, "I1", 5, false).await;
    let mut fast = app.tpl_claims("fast3pl");
    let mut feed = app
        .events(Role::ThirdParty, Some("fast3pl"))
        .subscribe(pb::SubscribeRequest::default())
        .await
        .unwrap()
        .into_inner();

    let own = fast
        .create_claim(tpl_claim("f", &fast_parcel))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            own.filed_by.as_str(),
            own.filed_by_role.as_str(),
            own.filing_account.as_str()
        ),
        ("test-3pl", "3pl", "fast3pl")
    );
    // Not its parcel: the contracts service does not show it, and the
    // claims service would refuse it anyway.
    let err = fast
        .create_claim(tpl_claim("steal", &other_parcel))
        .await
        .unwrap_err();
    assert!(
        matches!(err.code(), Code::PermissionDenied | Code::NotFound),
        "{err:?}"
    );
    // A 3PL files as PARTNER_3PL for a named merchant.
    let err = fast
        .create_claim(claim_request(
            "kind",
            &fast_parcel,
            cpb::ClaimType::Damage,
            1,
            100,
        ))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["claim.claimant.kind"]);
    let theirs = app
        .tpl_claims("other3pl")
        .create_claim(tpl_claim("o", &other_parcel))
        .await
        .unwrap()
        .into_inner();
    let in_house = app
        .claims(Role::Internal)
        .create_claim(claim_request(
            "i",
            &in_house_parcel,
            cpb::ClaimType::Loss,
            1,
            100,
        ))
        .await
        .unwrap()
        .into_inner();
    let own = submit(&mut fast, &own).await.unwrap();
    submit(&mut app.claims(Role::Internal), &in_house)
        .await
        .unwrap();

    for other in [&theirs, &in_house] {
        let get = fast
            .get_claim(pb::GetClaimRequest {
                name: other.name.clone(),
            })
            .await;
        // Another's claim reads as one that does not exist (AIP-211).
        assert_eq!(code(get), Code::NotFound, "{}", other.name);
        let history = fast
            .list_claim_history(pb::ListClaimHistoryRequest {
                name: other.name.clone(),
            })
            .await;
        assert_eq!(code(history), Code::NotFound);
    }
    fast.get_claim(pb::GetClaimRequest {
        name: own.name.clone(),
    })
    .await
    .unwrap();
    let history = fast
        .list_claim_history(pb::ListClaimHistoryRequest {
            name: own.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(history.entries.len(), 1);
    let listed: Vec<String> = fast
        .list_claims(pb::ListClaimsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .claims
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(listed, std::slice::from_ref(&own.name));
    let overdue: Vec<String> = fast
        .list_overdue_claims(pb::ListOverdueClaimsRequest {
            carrier: String::new(),
            as_of: Some(timestamp_to_proto(Utc::now() + Duration::days(400))),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .claims
        .into_iter()
        .map(|o| o.claim.unwrap().name)
        .collect();
    assert_eq!(overdue, std::slice::from_ref(&own.name));
    // The feed: its own claim's creation and submission, nothing else.
    let mut seen = Vec::new();
    for _ in 0..2 {
        let e = tokio::time::timeout(StdDuration::from_secs(10), feed.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.push((e.r#type.clone(), e.subject.clone()));
    }
    assert_eq!(
        seen,
        [
            ("claim.created".to_owned(), own.name.clone()),
            ("claim.submitted".to_owned(), own.name.clone())
        ]
    );
    let extra = tokio::time::timeout(StdDuration::from_millis(700), feed.next()).await;
    assert!(extra.is_err(), "nothing of other claims: {extra:?}");
}

async fn a_3pl_cannot_decide_and_a_carrier_cannot_file_for_a_3pls_merchant(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let parcel = tendered_by(&app, &world, "F1", "fast3pl").await;
    let mut fast = app.tpl_claims("fast3pl");
    let mut carrier = app.partner_claims(&world.carrier);
    // The carrier cannot file on the 3PL's merchant's behalf.
    let err = carrier
        .create_claim(tpl_claim("by-carrier", &parcel))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let draft = fast
        .create_claim(tpl_claim("f", &parcel))
        .await
        .unwrap()
        .into_inner();
    // Nor edit, document or submit the 3PL's claim.
    let mut edit = draft.clone();
    edit.notes = "carrier was here".into();
    let update = carrier
        .update_claim(pb::UpdateClaimRequest {
            claim: Some(edit),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["notes".into()],
            }),
        })
        .await;
    assert_eq!(code(update), Code::PermissionDenied);
    assert_eq!(
        code(submit(&mut carrier, &draft).await.map(tonic::Response::new)),
        Code::PermissionDenied
    );
    let c = submit(&mut fast, &draft).await.unwrap();
    // The 3PL cannot do the carrier's part at any step.
    for to in [S::Acknowledged, S::Approved, S::Denied] {
        let err = transition(&mut fast, &c, to, "x", Some(1_000))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied, "{to:?}");
    }
    let c = transition(&mut carrier, &c, S::Acknowledged, "", None)
        .await
        .unwrap();
    let err = transition(&mut fast, &c, S::UnderReview, "", None)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::PermissionDenied,
        "only the carrier reviews"
    );
    let c = transition(&mut carrier, &c, S::UnderReview, "", None)
        .await
        .unwrap();
    let c = transition(&mut carrier, &c, S::NeedsInfo, "proof of value", None)
        .await
        .unwrap();
    // Answering the request hands it back to review: the 3PL may.
    let c = transition(&mut fast, &c, S::UnderReview, "invoice attached", None)
        .await
        .unwrap();
    for to in [S::Approved, S::PartiallyApproved, S::Denied] {
        let err = transition(&mut fast, &c, to, "self-service", Some(1_000))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied, "{to:?}");
    }
    let c = transition(&mut carrier, &c, S::Denied, "no proof", None)
        .await
        .unwrap();
    // The carrier cannot appeal or withdraw the claimant's claim.
    for to in [S::Appealed, S::Withdrawn] {
        let err = transition(&mut carrier, &c, to, "x", None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied, "{to:?}");
    }
    let c = transition(&mut fast, &c, S::Appealed, "here is the proof", None)
        .await
        .unwrap();
    assert_eq!(c.status(), S::Appealed);
    // Money is finance's: a 3PL reads no remittances.
    let token = app.auth.token(Role::ThirdParty, Some("fast3pl"));
    let err =
        pb::recovery_service_client::RecoveryServiceClient::new(app.server.authed(Some(&token)))
            .get_reconciliation(pb::GetReconciliationRequest::default())
            .await
            .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}

async fn nobody_decides_a_claim_they_filed(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let parcel = app.shipped(&world, "I1", 5, false).await;
    // Filed by `test-internal`, who also acknowledges and reviews (not
    // decisions) but may not approve, partially approve or deny.
    let mut internal = app.claims(Role::Internal);
    let draft = internal
        .create_claim(claim_request("i", &parcel, cpb::ClaimType::Loss, 1, 5_000))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (draft.filed_by.as_str(), draft.filed_by_role.as_str()),
        ("test-internal", "internal")
    );
    let c = submit(&mut internal, &draft).await.unwrap();
    let c = transition(&mut internal, &c, S::Acknowledged, "", None)
        .await
        .unwrap();
    let c = transition(&mut internal, &c, S::UnderReview, "", None)
        .await
        .unwrap();
    for (to, amount) in [
        (S::Approved, None),
        (S::PartiallyApproved, Some(1_000)),
        (S::Denied, None),
    ] {
        let err = transition(&mut internal, &c, to, "my own", amount)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied, "{to:?}");
        assert!(
            err.message().contains("someone else must decide"),
            "{err:?}"
        );
    }
    // Someone else (an admin) decides.
    let approved = transition(&mut app.claims(Role::Admin), &c, S::Approved, "", None)
        .await
        .unwrap();
    assert_eq!(approved.status(), S::Approved);
    // And an admin cannot decide what the admin filed.
    let parcel = app.shipped(&world, "A1", 5, false).await;
    let mut admin = app.claims(Role::Admin);
    let draft = admin
        .create_claim(claim_request("a", &parcel, cpb::ClaimType::Loss, 1, 5_000))
        .await
        .unwrap()
        .into_inner();
    let c = submit(&mut admin, &draft).await.unwrap();
    let mut carrier = app.partner_claims(&world.carrier);
    let c = transition(&mut carrier, &c, S::Acknowledged, "", None)
        .await
        .unwrap();
    let c = transition(&mut carrier, &c, S::UnderReview, "", None)
        .await
        .unwrap();
    let err = transition(&mut admin, &c, S::Denied, "mine", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    transition(&mut carrier, &c, S::Denied, "not liable", None)
        .await
        .unwrap();
}
