//! ClaimService through real gRPC on SQLite and PostgreSQL, with the real
//! contracts and carriers services answering.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use std::collections::HashSet;

use chrono::{Duration, Utc};
use common::{World, claim_request, document, spawn_app, submit, transition, usd, violated_fields};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    the_full_lifecycle_from_draft_to_closed,
    late_filing_is_refused_unless_an_admin_overrides,
    missing_documents_are_listed,
    fifty_concurrent_identical_submissions_make_one_claim,
    stale_etag_and_illegal_moves_are_refused,
    carrier_scoping_on_every_rpc,
    uploaded_documents_are_hash_verified,
    overdue_carrier_clocks_are_listed,
    delay_claims_come_from_refund_candidates,
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

async fn draft(
    app: &common::TestApp,
    world: &World,
    tracking: &str,
    kind: cpb::ClaimType,
    quantity: u32,
    unit: i64,
) -> pb::Claim {
    let shipment = app.shipped(world, tracking, 5, true).await;
    app.claims(Role::Internal)
        .create_claim(claim_request(
            &format!("draft-{tracking}"),
            &shipment,
            kind,
            quantity,
            unit,
        ))
        .await
        .unwrap()
        .into_inner()
}

async fn with_damage_documents(app: &common::TestApp, claim: &pb::Claim) -> pb::Claim {
    let mut client = app.claims(Role::Internal);
    for (kind, name) in [
        (cpb::DocumentKind::Invoice, "invoice.pdf"),
        (cpb::DocumentKind::Photo, "box.jpg"),
    ] {
        client
            .add_document(pb::AddDocumentRequest {
                claim: claim.name.clone(),
                document: Some(document(kind, name)),
            })
            .await
            .unwrap();
    }
    client
        .get_claim(pb::GetClaimRequest {
            name: claim.name.clone(),
        })
        .await
        .unwrap()
        .into_inner()
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

async fn missing_documents_are_listed(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let claim = draft(&app, &world, "T1", cpb::ClaimType::Damage, 1, 5_000).await;
    let mut internal = app.claims(Role::Internal);
    internal
        .add_document(pb::AddDocumentRequest {
            claim: claim.name.clone(),
            document: Some(document(cpb::DocumentKind::Invoice, "invoice.pdf")),
        })
        .await
        .unwrap();
    let err = submit(&mut internal, &claim).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains("DOCUMENT_KIND_PHOTO"), "{err:?}");
    assert!(!err.message().contains("INVOICE"), "{err:?}");
    let still = internal
        .get_claim(pb::GetClaimRequest { name: claim.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(still.status(), S::Draft, "nothing changed");
    let listed = internal
        .list_claims(pb::ListClaimsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        listed.claims[0].documents.len(),
        1,
        "lists carry their documents"
    );
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
        Code::PermissionDenied
    );
    assert_eq!(
        carrier
            .list_claim_history(pb::ListClaimHistoryRequest {
                name: their_claim.name.clone()
            })
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied
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
        Code::PermissionDenied
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
    assert_eq!(err.code(), Code::PermissionDenied);
    let overdue = carrier
        .list_overdue_claims(pb::ListOverdueClaimsRequest {
            carrier: String::new(),
            as_of: Some(timestamp_to_proto(Utc::now() + Duration::days(400))),
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

async fn uploaded_documents_are_hash_verified(backend: Backend) {
    use sha2::Digest as _;
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let claim = draft(&app, &world, "T1", cpb::ClaimType::Damage, 1, 5_000).await;
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let sha = hex::encode(sha2::Sha256::digest(&content));
    let upload = |sha: String| {
        let mut parts = vec![pb::UploadDocumentRequest {
            part: Some(pb::upload_document_request::Part::Header(
                pb::UploadHeader {
                    claim: claim.name.clone(),
                    kind: cpb::DocumentKind::Photo.into(),
                    file_name: "crushed-box.jpg".into(),
                    sha256: sha,
                },
            )),
        }];
        parts.extend(
            content
                .chunks(64 * 1024)
                .map(|chunk| pb::UploadDocumentRequest {
                    part: Some(pb::upload_document_request::Part::Chunk(chunk.to_vec())),
                }),
        );
        tokio_stream::iter(parts)
    };
    let mut client = app.claims(Role::Internal);
    let err = client
        .upload_document(upload("0".repeat(64)))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["header.sha256"]);
    let doc = client
        .upload_document(upload(sha.clone()))
        .await
        .unwrap()
        .into_inner();
    assert!(doc.content_verified);
    assert_eq!(doc.size_bytes, 200_000);
    assert_eq!(doc.sha256, sha);
    let path = doc.storage_uri.strip_prefix("file://").unwrap();
    assert_eq!(
        std::fs::read(path).unwrap(),
        content,
        "the stored bytes are the uploaded ones"
    );
    let stored = client
        .get_claim(pb::GetClaimRequest { name: claim.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        stored.documents.len(),
        1,
        "the refused upload left nothing behind"
    );
}

async fn overdue_carrier_clocks_are_listed(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let a = draft(&app, &world, "A", cpb::ClaimType::Loss, 1, 5_000).await;
    let b = draft(&app, &world, "B", cpb::ClaimType::Loss, 1, 5_000).await;
    let mut internal = app.claims(Role::Internal);
    let a = submit(&mut internal, &a).await.unwrap();
    let b = submit(&mut internal, &b).await.unwrap();
    transition(
        &mut app.partner_claims(&world.carrier),
        &b,
        S::Acknowledged,
        "",
        None,
    )
    .await
    .unwrap();
    let at = |days: i64| pb::ListOverdueClaimsRequest {
        carrier: world.carrier.clone(),
        as_of: Some(timestamp_to_proto(Utc::now() + Duration::days(days))),
    };
    assert!(
        internal
            .list_overdue_claims(at(29))
            .await
            .unwrap()
            .into_inner()
            .claims
            .is_empty()
    );
    let late = internal
        .list_overdue_claims(at(31))
        .await
        .unwrap()
        .into_inner()
        .claims;
    assert_eq!(late.len(), 1, "only the unacknowledged claim");
    assert_eq!(late[0].claim.as_ref().unwrap().name, a.name);
    assert_eq!(
        (late[0].clock.as_str(), late[0].days_overdue),
        ("ACKNOWLEDGEMENT", 1)
    );
    let later = internal
        .list_overdue_claims(at(125))
        .await
        .unwrap()
        .into_inner()
        .claims;
    assert_eq!(later.len(), 2);
    assert!(
        later
            .iter()
            .all(|o| o.clock == "DECISION" && o.days_overdue == 5)
    );
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
