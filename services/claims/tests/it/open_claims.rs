//! One open claim per shipment and claim type, enforced by a unique partial
//! index: a second one is ALREADY_EXISTS naming the first, sequentially and
//! under tens of concurrent creations with different request ids (the race
//! matters on PostgreSQL; SQLite serialises it and must agree).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use std::collections::{BTreeSet, HashSet};

use chrono::{Duration, Utc};
use common::{claim_request, spawn_app, transition};
use recourse_platform::auth::Role;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    fifty_concurrent_identical_submissions_make_one_claim,
    a_second_open_claim_of_a_type_is_refused_naming_the_first,
    thirty_concurrent_creates_with_different_request_ids_make_one_claim,
    concurrent_delay_claim_runs_file_one_claim_per_candidate,
    forty_claims_created_at_once_get_forty_distinct_numbers,
);

/// The resource named by an ALREADY_EXISTS status.
fn named(status: &tonic::Status) -> String {
    use tonic_types::StatusExt as _;
    status
        .get_error_details()
        .resource_info()
        .map(|r| r.resource_name.clone())
        .unwrap_or_default()
}

async fn a_second_open_claim_of_a_type_is_refused_naming_the_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let shipment = app.shipped(&world, "T1", 5, true).await;
    let mut internal = app.claims(Role::Internal);
    let create = |id: &str, kind: cpb::ClaimType| claim_request(id, &shipment, kind, 1, 5_000);
    let first = internal
        .create_claim(create("first", cpb::ClaimType::Loss))
        .await
        .unwrap()
        .into_inner();
    let err = internal
        .create_claim(create("second", cpb::ClaimType::Loss))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert_eq!(named(&err), first.name);
    assert!(err.message().contains(&first.number), "{err:?}");
    assert!(err.message().contains("open LOSS claim"), "{err:?}");
    // Another type on the same shipment is a different claim.
    let damage = internal
        .create_claim(create("damage", cpb::ClaimType::Damage))
        .await
        .unwrap()
        .into_inner();
    // A draft cannot be turned into a second LOSS claim either.
    let mut edit = damage.clone();
    edit.r#type = cpb::ClaimType::Loss.into();
    let err = internal
        .update_claim(pb::UpdateClaimRequest {
            claim: Some(edit),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["type".into()],
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), named(&err)),
        (Code::AlreadyExists, first.name.clone())
    );
    // Once the first is withdrawn, a new LOSS claim may be filed.
    transition(
        &mut internal,
        &first,
        S::Withdrawn,
        "filed by mistake",
        None,
    )
    .await
    .unwrap();
    internal
        .create_claim(create("third", cpb::ClaimType::Loss))
        .await
        .unwrap();
}

async fn thirty_concurrent_creates_with_different_request_ids_make_one_claim(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let shipment = app.shipped(&world, "RACE", 5, true).await;
    let creates = (0..30).map(|i| {
        let mut client = app.claims(Role::Internal);
        let request = claim_request(
            &format!("race-{i}"),
            &shipment,
            cpb::ClaimType::Loss,
            1,
            5_000,
        );
        async move { client.create_claim(request).await }
    });
    let results = futures::future::join_all(creates).await;
    let winners: Vec<pb::Claim> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|c| c.get_ref().clone()))
        .collect();
    assert_eq!(winners.len(), 1, "exactly one create wins");
    for r in &results {
        if let Err(err) = r {
            assert_eq!(err.code(), Code::AlreadyExists, "{err:?}");
            assert_eq!(named(err), winners[0].name);
        }
    }
    let listed = app
        .claims(Role::Internal)
        .list_claims(pb::ListClaimsRequest {
            shipment: shipment.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.claims.len(), 1);
}

async fn concurrent_delay_claim_runs_file_one_claim_per_candidate(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // Two NEXT_DAY (guaranteed) parcels shipped 3 days ago, each delivered
    // a day late: two refund candidates.
    let shipped = Utc::now() - Duration::days(3);
    let mut late = Vec::new();
    for tracking in ["LATE1", "LATE2"] {
        let mut s = common::shipment(&world.carrier, tracking, shipped);
        s.service_level = "NEXT_DAY".into();
        s.promised_delivery_time = common::ts(shipped + Duration::hours(24));
        late.push(
            app.ship(&world, s, Some(shipped + Duration::hours(48)))
                .await,
        );
    }
    let runs = (0..20).map(|i| {
        let mut client = app.claims(Role::Internal);
        let request = pb::CreateDelayClaimsRequest {
            request_id: format!("run-{i}"),
            carrier: world.carrier.clone(),
            shipment: String::new(),
            submit: false,
        };
        async move { client.create_delay_claims(request).await }
    });
    let mut filed: Vec<pb::Claim> = Vec::new();
    let mut skips = Vec::new();
    for r in futures::future::join_all(runs).await {
        let response = r.expect("every run succeeds").into_inner();
        assert_eq!(
            response.claims.len() + response.skipped_candidates.len(),
            2,
            "every candidate is either filed or skipped"
        );
        assert_eq!(response.skipped as usize, response.skipped_candidates.len());
        filed.extend(response.claims);
        skips.extend(response.skipped_candidates);
    }
    // 20 runs × 2 candidates = 40 outcomes: 2 claims, 38 skips.
    let mut shipments: Vec<&str> = filed.iter().map(|c| c.shipment.as_str()).collect();
    shipments.sort_unstable();
    let mut expected: Vec<&str> = late.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(shipments, expected, "one claim per candidate");
    assert_eq!(skips.len(), 38);
    for skip in &skips {
        assert_eq!(skip.reason, "ALREADY_CLAIMED", "{skip:?}");
        let winner = filed.iter().find(|c| c.shipment == skip.shipment).unwrap();
        assert_eq!(skip.existing_claim, winner.name);
    }
}

async fn fifty_concurrent_identical_submissions_make_one_claim(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let shipment = app.shipped(&world, "T1", 5, true).await;
    let creates = (0..50).map(|_| {
        let mut client = app.claims(Role::Internal);
        let request = claim_request("same-request", &shipment, cpb::ClaimType::Loss, 1, 5_000);
        async move { client.create_claim(request).await }
    });
    let names: HashSet<String> = futures::future::join_all(creates)
        .await
        .into_iter()
        .map(|r| {
            r.expect("every duplicate gets the first result")
                .into_inner()
                .name
        })
        .collect();
    assert_eq!(names.len(), 1);
    let claim = app
        .claims(Role::Internal)
        .get_claim(pb::GetClaimRequest {
            name: names.into_iter().next().unwrap(),
        })
        .await
        .unwrap()
        .into_inner();
    let submits = (0..50).map(|_| {
        let mut client = app.claims(Role::Internal);
        let request = pb::SubmitClaimRequest {
            request_id: "same-submit".into(),
            name: claim.name.clone(),
            etag: claim.etag.clone(),
            override_late_filing: false,
            override_justification: String::new(),
        };
        async move { client.submit_claim(request).await }
    });
    let etags: HashSet<String> = futures::future::join_all(submits)
        .await
        .into_iter()
        .map(|r| r.expect("one submission, replayed").into_inner().etag)
        .collect();
    assert_eq!(etags.len(), 1);
    // A retry after the first submission committed replays it, too.
    let retry = app
        .claims(Role::Internal)
        .submit_claim(pb::SubmitClaimRequest {
            request_id: "same-submit".into(),
            name: claim.name.clone(),
            etag: claim.etag.clone(),
            override_late_filing: false,
            override_justification: String::new(),
        })
        .await
        .expect("a sequential retry replays the first result")
        .into_inner();
    assert_eq!(Some(&retry.etag), etags.iter().next());
    let all = app
        .claims(Role::Internal)
        .list_claims(pb::ListClaimsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.claims.len(), 1);
    let history = app
        .claims(Role::Internal)
        .list_claim_history(pb::ListClaimHistoryRequest { name: claim.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(history.entries.len(), 1, "submitted once");
    let err = app
        .claims(Role::Internal)
        .create_claim(claim_request(
            "same-request",
            &shipment,
            cpb::ClaimType::Loss,
            2,
            5_000,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
}

/// Claim numbers come from a sequence taken outside the creation's row
/// locks (PostgreSQL) or a counter row (SQLite): forty creations at once on
/// forty shipments get forty different numbers, all of this year.
async fn forty_claims_created_at_once_get_forty_distinct_numbers(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let mut shipments = Vec::new();
    for i in 0..40 {
        shipments.push(app.shipped(&world, &format!("N{i}"), 5, true).await);
    }
    let creates = shipments.iter().enumerate().map(|(i, shipment)| {
        let mut client = app.claims(Role::Internal);
        let request = claim_request(
            &format!("num-{i}"),
            shipment,
            cpb::ClaimType::Loss,
            1,
            5_000,
        );
        async move { client.create_claim(request).await }
    });
    let results = futures::future::join_all(creates).await;
    let prefix = format!("CLM-{}-", Utc::now().format("%Y"));
    let numbers: BTreeSet<String> = results
        .into_iter()
        .map(|r| r.unwrap().into_inner().number)
        .inspect(|n| assert!(n.starts_with(&prefix), "{n}"))
        .collect();
    assert_eq!(numbers.len(), 40, "{numbers:?}");
}
