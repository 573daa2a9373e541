//! ShipmentService through real gRPC on SQLite and PostgreSQL: registration
//! with the contracted promise, and tracking ingest (dedup, per-event
//! errors, out-of-order events, partner scoping).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{at, day, event, ingest, shipment, spawn_app, ts, violated_fields};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::timestamp_from_proto;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::TrackingEventType::{
    ArrivalScan, Delivered, DepartureScan, Exception, OutForDelivery, PickedUp,
};

backend_tests!(
    promised_delivery_counts_business_days_and_holidays,
    registration_is_idempotent_and_tracking_numbers_unique,
    registration_needs_a_contract_and_valid_fields,
    same_events_sent_twice_are_stored_once,
    unknown_tracking_numbers_are_reported_per_event,
    partners_push_and_read_only_their_own_carrier,
);

async fn promised_delivery_counts_business_days_and_holidays(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let version = app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    // Friday 20 Nov, zone 2 = 2 business days: Mon 23, Tue 24 -> 20:00 UTC.
    let s = app
        .register(shipment(&carrier, "FRI", at(2026, 11, 20, 15, 0)))
        .await;
    assert_eq!(s.zone, "2");
    assert_eq!(s.contract_version, version.name);
    assert_eq!(
        timestamp_from_proto(&s.promised_delivery_time.unwrap()),
        Some(at(2026, 11, 24, 20, 0))
    );
    // Wednesday 25 Nov + 2 business days skips Thanksgiving (26, a contract
    // holiday) and lands on Mon 30 (Fri 27, Mon 30).
    let s = app
        .register(shipment(&carrier, "WED", at(2026, 11, 25, 10, 0)))
        .await;
    assert_eq!(
        timestamp_from_proto(&s.promised_delivery_time.unwrap()),
        Some(at(2026, 11, 30, 20, 0))
    );
    // Zone 8 (to 1xxxx) = 5 business days.
    let mut far = shipment(&carrier, "FAR", at(2026, 11, 2, 9, 0));
    far.destination_postal_code = "10001".into();
    let s = app.register(far).await;
    assert_eq!(s.zone, "8");
    assert_eq!(
        timestamp_from_proto(&s.promised_delivery_time.unwrap()),
        Some(at(2026, 11, 9, 20, 0))
    );
    // An explicit promise wins.
    let mut given = shipment(&carrier, "GIVEN", at(2026, 11, 2, 9, 0));
    given.promised_delivery_time = ts(at(2026, 11, 3, 12, 0));
    let s = app.register(given).await;
    assert_eq!(
        timestamp_from_proto(&s.promised_delivery_time.unwrap()),
        Some(at(2026, 11, 3, 12, 0))
    );
}

async fn registration_is_idempotent_and_tracking_numbers_unique(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut client = app.shipments(Role::Internal);
    let request = pb::RegisterShipmentRequest {
        request_id: "r1".into(),
        shipment: Some(shipment(&carrier, "T1", at(2026, 11, 2, 9, 0))),
    };
    let first = client
        .register_shipment(request.clone())
        .await
        .unwrap()
        .into_inner();
    let again = client
        .register_shipment(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first, again);
    let err = client
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "r2".into(),
            shipment: Some(shipment(&carrier, "T1", at(2026, 11, 3, 9, 0))),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
}

async fn registration_needs_a_contract_and_valid_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut client = app.shipments(Role::Internal);
    let err = client
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "r".into(),
            shipment: Some(shipment(&carrier, "T1", at(2026, 11, 2, 9, 0))),
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::FailedPrecondition,
        "no contract in force: {err:?}"
    );
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut bad = shipment(&carrier, "", at(2026, 11, 2, 9, 0));
    bad.weight = None;
    bad.ship_time = None;
    bad.service_level = "SAME_DAY".into();
    let err = client
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "bad".into(),
            shipment: Some(bad),
        })
        .await
        .unwrap_err();
    assert_eq!(
        violated_fields(&err),
        [
            "shipment.tracking_number",
            "shipment.ship_time",
            "shipment.weight"
        ]
    );
    let mut unsold = shipment(&carrier, "T2", at(2026, 11, 2, 9, 0));
    unsold.service_level = "SAME_DAY".into();
    let err = client
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "unsold".into(),
            shipment: Some(unsold),
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["shipment.service_level"]);
    let mut euros = shipment(&carrier, "T3", at(2026, 11, 2, 9, 0));
    euros.billed_charge = Some(recourse_proto::common::Money {
        amount_minor: 100,
        currency_code: "EUR".into(),
    });
    let err = client
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "eur".into(),
            shipment: Some(euros),
        })
        .await
        .unwrap_err();
    assert_eq!(
        violated_fields(&err),
        ["shipment.billed_charge.currency_code"]
    );
}

fn journey(tracking: &str, prefix: &str) -> Vec<pb::TrackingEvent> {
    vec![
        event(
            &format!("{prefix}-1"),
            tracking,
            PickedUp,
            at(2026, 11, 2, 10, 0),
        ),
        event(
            &format!("{prefix}-2"),
            tracking,
            DepartureScan,
            at(2026, 11, 2, 18, 0),
        ),
        event(
            &format!("{prefix}-3"),
            tracking,
            ArrivalScan,
            at(2026, 11, 3, 6, 0),
        ),
        event(
            &format!("{prefix}-4"),
            tracking,
            OutForDelivery,
            at(2026, 11, 4, 8, 0),
        ),
        event(
            &format!("{prefix}-5"),
            tracking,
            Delivered,
            at(2026, 11, 4, 14, 0),
        ),
    ]
}

async fn same_events_sent_twice_are_stored_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let s = app
        .register(shipment(&carrier, "T1", at(2026, 11, 2, 9, 0)))
        .await;
    let mut client = app.shipments(Role::Internal);
    let events = journey("T1", "e");
    let first = ingest(
        &mut client,
        &carrier,
        vec![events[..3].to_vec(), events[3..].to_vec()],
    )
    .await
    .unwrap();
    assert_eq!((first.received, first.stored, first.duplicates), (5, 5, 0));
    let mut twice = events.clone();
    twice.push(events[0].clone());
    let second = ingest(&mut client, &carrier, vec![twice]).await.unwrap();
    assert_eq!(
        (second.received, second.stored, second.duplicates),
        (6, 0, 6)
    );
    assert!(second.rejections.is_empty());
    let stored = client
        .list_tracking_events(pb::ListTrackingEventsRequest {
            shipment: s.name.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .events;
    assert_eq!(stored.len(), 5);
    let fetched = client
        .get_shipment(pb::GetShipmentRequest { name: s.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        timestamp_from_proto(&fetched.delivered_time.unwrap()),
        Some(at(2026, 11, 4, 14, 0))
    );
    assert_eq!(fetched.last_event_type(), Delivered);
}

async fn unknown_tracking_numbers_are_reported_per_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    app.register(shipment(&carrier, "KNOWN", at(2026, 11, 2, 9, 0)))
        .await;
    let mut client = app.shipments(Role::Internal);
    let mut invalid = event("bad-type", "KNOWN", PickedUp, at(2026, 11, 2, 10, 0));
    invalid.r#type = 0;
    let batch = vec![
        event("k1", "KNOWN", PickedUp, at(2026, 11, 2, 10, 0)),
        event("u1", "GHOST", PickedUp, at(2026, 11, 2, 10, 0)),
        invalid,
        event("k2", "KNOWN", Exception, at(2026, 11, 3, 10, 0)),
    ];
    let summary = ingest(
        &mut client,
        &carrier,
        vec![
            batch,
            vec![event("u2", "GHOST2", Delivered, at(2026, 11, 4, 10, 0))],
        ],
    )
    .await
    .unwrap();
    assert_eq!((summary.received, summary.stored), (5, 2));
    let rejected: Vec<_> = summary
        .rejections
        .iter()
        .map(|r| (r.index, r.carrier_event_id.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (1, "u1", "UNKNOWN_TRACKING_NUMBER"),
            (2, "bad-type", "INVALID_EVENT"),
            (4, "u2", "UNKNOWN_TRACKING_NUMBER")
        ]
    );
}

async fn partners_push_and_read_only_their_own_carrier(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = app.carrier("MINE").await;
    let theirs = app.carrier("THEIRS").await;
    app.active_contract(&mine, "A", day(2026, 1, 1)).await;
    app.active_contract(&theirs, "B", day(2026, 1, 1)).await;
    let own = app
        .register(shipment(&mine, "M1", at(2026, 11, 2, 9, 0)))
        .await;
    let other = app
        .register(shipment(&theirs, "O1", at(2026, 11, 2, 9, 0)))
        .await;
    let mut partner = app.partner_shipments(&mine);
    // Another carrier's events are refused like any cross-carrier call:
    // NOT_FOUND for that carrier, the call ends (nothing of it stored).
    let err = ingest(
        &mut partner,
        &theirs,
        vec![vec![event("x", "O1", PickedUp, at(2026, 11, 2, 10, 0))]],
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::NotFound, "{err:?}");
    let summary = ingest(
        &mut partner,
        &mine,
        vec![vec![event("y", "M1", PickedUp, at(2026, 11, 2, 10, 0))]],
    )
    .await
    .unwrap();
    assert_eq!(summary.stored, 1);
    // The other carrier's tracking number is unknown within my carrier.
    let summary = ingest(
        &mut partner,
        &mine,
        vec![vec![event("z", "O1", PickedUp, at(2026, 11, 2, 10, 0))]],
    )
    .await
    .unwrap();
    assert_eq!(summary.rejections[0].reason, "UNKNOWN_TRACKING_NUMBER");
    partner
        .get_shipment(pb::GetShipmentRequest {
            name: own.name.clone(),
        })
        .await
        .unwrap();
    let err = partner
        .get_shipment(pb::GetShipmentRequest {
            name: other.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = partner
        .list_tracking_events(pb::ListTrackingEventsRequest {
            shipment: other.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let listed = partner
        .list_shipments(pb::ListShipmentsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.shipments.len(), 1);
    let err = partner
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "p".into(),
            shipment: Some(shipment(&theirs, "O2", at(2026, 11, 2, 9, 0))),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    // A partner may register for its own carrier.
    partner
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "p2".into(),
            shipment: Some(shipment(&mine, "M2", at(2026, 11, 2, 9, 0))),
        })
        .await
        .unwrap();
}
