//! EventService/Subscribe: the outbox feed on SQLite and PostgreSQL. Every
//! change shows up once, in position order; resuming after a position gives
//! exactly what followed; partners see only their own carrier.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use std::time::Duration;

use common::{Authed, at, day, event, ingest, shipment, spawn_app};
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_proto::contracts::event_service_client::EventServiceClient;
use recourse_test_support::{Backend, backend_tests};
use tokio_stream::StreamExt as _;

backend_tests!(
    feed_resumes_after_a_position_with_no_gap_and_no_duplicate,
    live_subscribers_receive_new_changes,
    concurrent_writers_get_contiguous_positions,
    partners_receive_only_their_own_carriers_events,
    shipment_events_carry_their_measurement_facts,
    shipment_events_say_whether_the_scans_comply,
);

/// Reads `n` events (each within 10 s) from a subscription.
async fn take(
    client: &mut EventServiceClient<Authed>,
    after: i64,
    types: Vec<String>,
    n: usize,
) -> Vec<pb::Event> {
    let mut stream = client
        .subscribe(pb::SubscribeRequest {
            after_position: after,
            types,
        })
        .await
        .unwrap()
        .into_inner();
    let mut out = Vec::new();
    while out.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} events arrived: {out:?}", out.len()))
            .unwrap()
            .unwrap();
        out.push(next);
    }
    // Nothing more than what was asked for is waiting.
    let extra = tokio::time::timeout(Duration::from_millis(700), stream.next()).await;
    assert!(extra.is_err(), "unexpected extra event: {extra:?}");
    out
}

async fn feed_resumes_after_a_position_with_no_gap_and_no_duplicate(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    for t in ["T1", "T2", "T3"] {
        app.register(shipment(&carrier, t, at(2026, 11, 2, 9, 0)))
            .await;
    }
    let mut tracking = app.shipments(Role::Internal);
    ingest(
        &mut tracking,
        &carrier,
        vec![vec![event(
            "d",
            "T2",
            pb::TrackingEventType::Delivered,
            at(2026, 11, 3, 9, 0),
        )]],
    )
    .await
    .unwrap();
    let mut feed = app.events(Role::Auditor);
    let all = take(&mut feed, 0, vec![], 6).await;
    let types: Vec<_> = all.iter().map(|e| e.r#type.as_str()).collect();
    assert_eq!(
        types,
        [
            "contract_version.created",
            "contract_version.activated",
            "shipment.registered",
            "shipment.registered",
            "shipment.registered",
            "shipment.delivered",
        ]
    );
    let positions: Vec<_> = all.iter().map(|e| e.position).collect();
    assert_eq!(positions, [1, 2, 3, 4, 5, 6]);
    assert!(
        matches!(all[5].data, Some(pb::event::Data::Shipment(ref s)) if s.tracking_number == "T2")
    );
    let rest = take(&mut feed, 3, vec![], 3).await;
    assert_eq!(
        rest.iter().map(|e| e.position).collect::<Vec<_>>(),
        [4, 5, 6]
    );
    assert_eq!(rest, all[3..].to_vec());
    let delivered = take(&mut feed, 0, vec!["shipment.delivered".into()], 1).await;
    assert_eq!(delivered[0].position, 6);
}

async fn live_subscribers_receive_new_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut feed = app.events(Role::Internal);
    let mut stream = feed
        .subscribe(pb::SubscribeRequest {
            after_position: 2,
            types: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    app.register(shipment(&carrier, "LIVE", at(2026, 11, 2, 9, 0)))
        .await;
    let next = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        (next.position, next.r#type.as_str()),
        (3, "shipment.registered")
    );
}

async fn concurrent_writers_get_contiguous_positions(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let writes = (0..24).map(|i| {
        let mut client = app.shipments(Role::Internal);
        let carrier = carrier.clone();
        async move {
            client
                .register_shipment(pb::RegisterShipmentRequest {
                    request_id: format!("c{i}"),
                    shipment: Some(shipment(&carrier, &format!("C{i}"), at(2026, 11, 2, 9, 0))),
                })
                .await
                .unwrap()
        }
    });
    futures::future::join_all(writes).await;
    let mut feed = app.events(Role::Admin);
    let all = take(&mut feed, 0, vec![], 26).await;
    let positions: Vec<i64> = all.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=26).collect::<Vec<_>>());
    let mut subjects: Vec<_> = all[2..].iter().map(|e| e.subject.clone()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 24, "every registration once");
}

async fn partners_receive_only_their_own_carriers_events(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = app.carrier("MINE").await;
    let theirs = app.carrier("THEIRS").await;
    app.active_contract(&mine, "A", day(2026, 1, 1)).await;
    app.active_contract(&theirs, "B", day(2026, 1, 1)).await;
    app.register(shipment(&theirs, "O1", at(2026, 11, 2, 9, 0)))
        .await;
    app.register(shipment(&mine, "M1", at(2026, 11, 2, 9, 0)))
        .await;
    let mut feed = app.partner_events(&mine);
    // The draft's creation is internal: the carrier sees the activation
    // and its shipment.
    let own = take(&mut feed, 0, vec![], 2).await;
    assert!(own.iter().all(|e| e.carrier == mine), "{own:?}");
    let types: Vec<_> = own.iter().map(|e| e.r#type.as_str()).collect();
    assert_eq!(types, ["contract_version.activated", "shipment.registered"]);
    let err = feed
        .subscribe(pb::SubscribeRequest {
            after_position: -1,
            types: vec![],
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
}

fn measure(e: &pb::Event) -> pb::ShipmentMeasure {
    e.measure
        .clone()
        .unwrap_or_else(|| panic!("no measure on {e:?}"))
}

async fn shipment_events_carry_their_measurement_facts(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut terms = common::terms();
    terms.sla_terms[0].excusable_exceptions = vec![pb::ExcusableException {
        code: "WEATHER_DELAY".into(),
        category: pb::ExcuseCategory::Weather.into(),
    }];
    let version = app
        .active_contract_with(&carrier, "MSA", day(2026, 1, 1), terms)
        .await;
    for t in ["ONTIME", "LATE", "EXC"] {
        app.register(shipment(&carrier, t, at(2026, 11, 2, 9, 0)))
            .await;
    }
    let mut feed = app.events(Role::Internal);
    let registered = take(&mut feed, 2, vec![], 3).await;
    let first = measure(&registered[0]);
    let Some(pb::event::Data::Shipment(s)) = &registered[0].data else {
        panic!("no shipment")
    };
    let promised = s.promised_delivery_time.unwrap();
    // GROUND has 60 grace minutes: due = promised + 3,600 s.
    let due = first.due_time.unwrap();
    assert_eq!(due.seconds, promised.seconds + 3_600);
    assert_eq!(first.verdict(), pb::DeliveryVerdict::NotDelivered);
    assert_eq!(first.contract_version, version.name);
    assert_eq!(first.ship_date, day(2026, 11, 2));
    let due_at = chrono::DateTime::from_timestamp(due.seconds, 0).unwrap();
    let minute = chrono::TimeDelta::minutes(1);
    let exception = |id: &str, code: &str| {
        let mut e = event(
            id,
            "EXC",
            pb::TrackingEventType::Exception,
            at(2026, 11, 3, 9, 0),
        );
        e.exception_reason = code.into();
        e
    };
    let batch = vec![
        event("d1", "ONTIME", pb::TrackingEventType::Delivered, due_at),
        event(
            "d2",
            "LATE",
            pb::TrackingEventType::Delivered,
            due_at + minute,
        ),
        exception("x1", "WEATHER_DELAY"),
        exception("x2", "DAMAGED"),
    ];
    let mut tracking = app.shipments(Role::Internal);
    ingest(&mut tracking, &carrier, vec![batch]).await.unwrap();
    let milestones = take(&mut feed, 5, vec![], 4).await;
    let facts: Vec<_> = milestones
        .iter()
        .map(|e| {
            let m = measure(e);
            (
                e.r#type.clone(),
                m.verdict(),
                m.exception_code,
                m.exception_excusable,
                m.excuse_category,
            )
        })
        .collect();
    let none = pb::DeliveryVerdict::NotDelivered;
    assert_eq!(
        facts,
        [
            (
                "shipment.exception".into(),
                none,
                "WEATHER_DELAY".into(),
                true,
                "WEATHER".into()
            ),
            (
                "shipment.exception".into(),
                none,
                "DAMAGED".into(),
                false,
                String::new()
            ),
            (
                "shipment.delivered".into(),
                pb::DeliveryVerdict::OnTime,
                String::new(),
                false,
                String::new()
            ),
            (
                "shipment.delivered".into(),
                pb::DeliveryVerdict::Late,
                String::new(),
                false,
                String::new()
            ),
        ]
    );
}

async fn shipment_events_say_whether_the_scans_comply(backend: Backend) {
    // GROUND: the first scan within 24 h of hand-over, no gap over 48 h.
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract_with(&carrier, "MSA", day(2026, 1, 1), common::terms())
        .await;
    for t in ["KEPT", "LATE"] {
        app.register(shipment(&carrier, t, at(2026, 11, 2, 9, 0)))
            .await;
    }
    let mut feed = app.events(Role::Internal);
    let registered = take(&mut feed, 2, vec![], 2).await;
    // Registered: no scan yet → not compliant (stated, not absent).
    for e in &registered {
        assert_eq!(measure(e).scan_compliant, Some(false), "{e:?}");
    }
    // KEPT: picked up 1 h after hand-over, delivered 34 h later (gap 34 h
    // ≤ 48) → compliant. LATE: its only scan is the delivery, 72 h after
    // hand-over (first scan limit 24 h) → not compliant. The pickup, a
    // scan that is not announced itself, counts for the delivery event of
    // the same batch.
    let batch = vec![
        event(
            "p1",
            "KEPT",
            pb::TrackingEventType::PickedUp,
            at(2026, 11, 2, 10, 0),
        ),
        event(
            "d1",
            "KEPT",
            pb::TrackingEventType::Delivered,
            at(2026, 11, 3, 20, 0),
        ),
        event(
            "d2",
            "LATE",
            pb::TrackingEventType::Delivered,
            at(2026, 11, 5, 9, 0),
        ),
    ];
    let mut tracking = app.shipments(Role::Internal);
    ingest(&mut tracking, &carrier, vec![batch]).await.unwrap();
    let delivered = take(&mut feed, 4, vec![], 2).await;
    let name = |e: &pb::Event| match &e.data {
        Some(pb::event::Data::Shipment(s)) => s.tracking_number.clone(),
        _ => String::new(),
    };
    let by_tracking: Vec<(String, Option<bool>)> = delivered
        .iter()
        .map(|e| (name(e), measure(e).scan_compliant))
        .collect();
    assert!(
        by_tracking.contains(&("KEPT".into(), Some(true))),
        "{by_tracking:?}"
    );
    assert!(
        by_tracking.contains(&("LATE".into(), Some(false))),
        "{by_tracking:?}"
    );
}
