//! Carrier scoping through real gRPC: a carrier principal sees and answers
//! only the claims against its own carrier, never files one, and reads
//! only its own carrier's feed and no money.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{Duration, Utc};
use common::{claim_request, document, spawn_app, submit, transition, usd};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    partner_stream_sees_only_its_own_claims,
    finance_roles_are_enforced,
    carrier_scoping_on_every_rpc,
);

async fn carrier_scoping_on_every_rpc(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = app.world("MINE").await;
    let theirs = app.world("THEIRS").await;
    let my_shipment = app.shipped(&mine, "M1", 5, true).await;
    let their_shipment = app.shipped(&theirs, "O1", 5, true).await;
    let mut internal = app.claims(Role::Internal);
    let their_claim = internal
        .create_claim(claim_request(
            "theirs",
            &their_shipment,
            cpb::ClaimType::Loss,
            1,
            5_000,
        ))
        .await
        .unwrap()
        .into_inner();
    let own = internal
        .create_claim(claim_request(
            "mine",
            &my_shipment,
            cpb::ClaimType::Loss,
            1,
            5_000,
        ))
        .await
        .unwrap()
        .into_inner();
    // Submitted: a carrier never sees a draft.
    let their_claim = submit(&mut internal, &their_claim).await.unwrap();
    let own = submit(&mut internal, &own).await.unwrap();
    let mut carrier = app.partner_claims(&mine.carrier);
    // A carrier answers claims; it never files one, even for its own parcel.
    let err = carrier
        .create_claim(claim_request(
            "by-carrier",
            &my_shipment,
            cpb::ClaimType::Damage,
            1,
            5_000,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let denied = |r: Result<tonic::Response<_>, tonic::Status>| {
        r.map(|_: tonic::Response<pb::Claim>| ())
            .unwrap_err()
            .code()
    };
    assert_eq!(
        denied(
            carrier
                .get_claim(pb::GetClaimRequest {
                    name: their_claim.name.clone()
                })
                .await
        ),
        Code::NotFound,
        "another carrier's claim reads as one that does not exist"
    );
    assert_eq!(
        carrier
            .list_claim_history(pb::ListClaimHistoryRequest {
                name: their_claim.name.clone()
            })
            .await
            .unwrap_err()
            .code(),
        Code::NotFound
    );
    assert_eq!(
        carrier
            .add_document(pb::AddDocumentRequest {
                claim: own.name.clone(),
                document: Some(document(cpb::DocumentKind::Photo, "x.jpg")),
            })
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied,
        "documents are the claimant's"
    );
    assert_eq!(
        transition(&mut carrier, &their_claim, S::Acknowledged, "", None)
            .await
            .unwrap_err()
            .code(),
        Code::NotFound
    );
    let listed = carrier
        .list_claims(pb::ListClaimsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        listed
            .claims
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        [own.name.as_str()]
    );
    let err = carrier
        .list_claims(pb::ListClaimsRequest {
            carrier: theirs.carrier.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    // Another carrier's list reads as a carrier that does not exist.
    assert_eq!(err.code(), Code::NotFound);
    let overdue = carrier
        .list_overdue_claims(pb::ListOverdueClaimsRequest {
            carrier: String::new(),
            as_of: Some(timestamp_to_proto(Utc::now() + Duration::days(400))),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        overdue
            .claims
            .iter()
            .all(|o| o.claim.as_ref().unwrap().carrier == mine.carrier)
    );
}

async fn finance_roles_are_enforced(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    for role in [Role::Internal, Role::Auditor] {
        let err = app
            .recoveries(role)
            .record_remittance(crate::recoveries::remittance(
                &world,
                "R1",
                usd(100),
                vec![],
            ))
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
    // Its own claim from its submission on: the draft's creation was the
    // filer's business.
    let e = tokio::time::timeout(std::time::Duration::from_secs(10), stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        (e.r#type.as_str(), e.carrier.as_str()),
        ("claim.submitted", mine.carrier.as_str())
    );
    let extra = tokio::time::timeout(std::time::Duration::from_millis(700), stream.next()).await;
    assert!(extra.is_err(), "nothing of the other carrier: {extra:?}");
}
