//! Who sees what, through real gRPC on SQLite and PostgreSQL: a 3PL only
//! its own account's shipments and none of the carrier-scoped RPCs;
//! carriers never see draft contract versions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{at, day, event, ingest, shipment, spawn_app, terms, ts};
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tokio_stream::StreamExt as _;
use tonic::Code;

use pb::TrackingEventType::PickedUp;

backend_tests!(
    a_3pl_registers_for_its_own_account_and_reads_only_its_own,
    carriers_never_see_draft_versions,
    partner_sees_only_its_own_contracts,
);

async fn a_3pl_registers_for_its_own_account_and_reads_only_its_own(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut mine = app.third_party_shipments("ACCT1");
    let mut theirs = app.third_party_shipments("ACCT2");
    // The account named in the request is replaced by the caller's own.
    let mut s = shipment(&carrier, "T1", at(2026, 11, 2, 9, 0));
    s.shipper_account = "ACCT2".into();
    let own = mine
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "t1".into(),
            shipment: Some(s),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(own.shipper_account, "ACCT1");
    // Another shipment, tendered by nobody in particular.
    let other = app
        .register(shipment(&carrier, "T2", at(2026, 11, 2, 9, 0)))
        .await;
    // A 3PL cannot set the promise either.
    let mut promised = shipment(&carrier, "T3", at(2026, 11, 2, 9, 0));
    promised.promised_delivery_time = ts(at(2026, 11, 9, 9, 0));
    let err = mine
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "t3".into(),
            shipment: Some(promised),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);

    let get = |name: &str| pb::GetShipmentRequest { name: name.into() };
    mine.get_shipment(get(&own.name)).await.unwrap();
    mine.list_tracking_events(pb::ListTrackingEventsRequest {
        shipment: own.name.clone(),
    })
    .await
    .unwrap();
    for (client, name) in [(&mut mine, &other.name), (&mut theirs, &own.name)] {
        let err = client.get_shipment(get(name)).await.unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
    }
    let listed = |page: pb::ListShipmentsResponse| {
        page.shipments
            .into_iter()
            .map(|s| s.tracking_number)
            .collect::<Vec<_>>()
    };
    let all = pb::ListShipmentsRequest::default();
    assert_eq!(
        listed(mine.list_shipments(all.clone()).await.unwrap().into_inner()),
        ["T1"]
    );
    assert!(
        listed(
            theirs
                .list_shipments(all.clone())
                .await
                .unwrap()
                .into_inner()
        )
        .is_empty()
    );
    assert_eq!(
        listed(
            app.shipments(Role::Admin)
                .list_shipments(all)
                .await
                .unwrap()
                .into_inner()
        ),
        ["T1", "T2"]
    );

    // Carrier-scoped RPCs are not a 3PL's.
    let err = ingest(
        &mut mine,
        &carrier,
        vec![vec![event("p", "T1", PickedUp, at(2026, 11, 2, 10, 0))]],
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let err = app
        .third_party_contracts("ACCT1")
        .get_terms_in_force(pb::GetTermsInForceRequest {
            carrier: carrier.clone(),
            date: day(2026, 11, 2),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let err = app
        .third_party_sla("ACCT1")
        .list_refund_candidates(pb::ListRefundCandidatesRequest {
            carrier: carrier.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}

async fn carriers_never_see_draft_versions(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let v1 = app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let contract = v1.name.split("/versions/").next().unwrap().to_owned();
    let draft = app
        .contracts(Role::Admin)
        .create_contract_version(pb::CreateContractVersionRequest {
            request_id: "v2".into(),
            contract: contract.clone(),
            effective_from: day(2027, 1, 1),
            effective_to: None,
            terms: Some(terms()),
        })
        .await
        .unwrap()
        .into_inner();
    let names = |c: &pb::Contract| {
        c.versions
            .iter()
            .map(|v| v.name.clone())
            .collect::<Vec<_>>()
    };
    let mut partner = app.partner_contracts(&carrier);
    let seen = partner
        .get_contract(pb::GetContractRequest {
            name: contract.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(names(&seen), std::slice::from_ref(&v1.name));
    let listed = partner
        .list_contracts(pb::ListContractsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(names(&listed.contracts[0]), std::slice::from_ref(&v1.name));
    let err = partner
        .get_contract_version(pb::GetContractVersionRequest {
            name: draft.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    // Internal callers see everything.
    let all = app
        .contracts(Role::Internal)
        .get_contract(pb::GetContractRequest { name: contract })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(names(&all), [v1.name.clone(), draft.name.clone()]);
    // The draft's creation is not on the carrier's feed.
    let mut feed = app
        .partner_events(&carrier)
        .subscribe(pb::SubscribeRequest {
            after_position: 0,
            types: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    let mut subjects = Vec::new();
    while let Ok(Some(Ok(event))) =
        tokio::time::timeout(std::time::Duration::from_secs(2), feed.next()).await
    {
        subjects.push(event.subject);
    }
    assert!(subjects.contains(&v1.name), "{subjects:?}");
    assert!(!subjects.contains(&draft.name), "{subjects:?}");
}

async fn partner_sees_only_its_own_contracts(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = app.carrier("MINE").await;
    let theirs = app.carrier("THEIRS").await;
    let own = app.active_contract(&mine, "A", day(2026, 1, 1)).await;
    let other = app.active_contract(&theirs, "B", day(2026, 1, 1)).await;
    let mut partner = app.partner_contracts(&mine);
    partner
        .get_contract_version(pb::GetContractVersionRequest {
            name: own.name.clone(),
        })
        .await
        .unwrap();
    let err = partner
        .get_contract_version(pb::GetContractVersionRequest {
            name: other.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::NotFound,
        "another carrier's version is not found"
    );
    let listed = partner
        .list_contracts(pb::ListContractsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.contracts.len(), 1);
    assert_eq!(listed.contracts[0].carrier, mine);
    let err = partner
        .get_terms_in_force(pb::GetTermsInForceRequest {
            carrier: theirs.clone(),
            date: day(2026, 5, 1),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = partner
        .create_contract(pb::CreateContractRequest {
            request_id: "p".into(),
            carrier: mine.clone(),
            reference: "SELF".into(),
            display_name: "x".into(),
            effective_from: day(2026, 1, 1),
            effective_to: None,
            terms: Some(terms()),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}
