//! Tracking rules through real gRPC on SQLite and PostgreSQL: events dated
//! before the hand-over or too far ahead are rejected one by one; a later
//! DELIVERED never rewrites the first; DELIVERY_CORRECTED does, stays in
//! the history and marks the stored evaluation stale.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{Duration, Utc};
use common::{at, day, event, ingest, shipment, spawn_app, ts};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::timestamp_from_proto;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};

use pb::TrackingEventType::{Delivered, DeliveryCorrected, PickedUp};

backend_tests!(
    events_before_the_hand_over_or_beyond_tomorrow_are_rejected_one_by_one,
    a_later_delivered_event_never_rewrites_the_first_a_correction_does,
    a_correction_marks_the_evaluation_stale_and_moves_refund_candidacy,
);

async fn events_before_the_hand_over_or_beyond_tomorrow_are_rejected_one_by_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let shipped = Utc::now() - Duration::hours(10);
    app.register(shipment(&carrier, "T1", shipped)).await;
    let mut client = app.shipments(Role::Internal);
    // 1 minute before the hand-over: rejected. 23 h ahead of now: accepted
    // (clock skew). 25 h ahead: rejected. The rest of the stream is stored.
    let summary = ingest(
        &mut client,
        &carrier,
        vec![vec![
            event("early", "T1", PickedUp, shipped - Duration::minutes(1)),
            event("ok", "T1", PickedUp, shipped + Duration::minutes(30)),
            event("skew", "T1", Delivered, Utc::now() + Duration::hours(23)),
            event("future", "T1", Delivered, Utc::now() + Duration::hours(25)),
        ]],
    )
    .await
    .unwrap();
    assert_eq!((summary.received, summary.stored), (4, 2));
    let rejected: Vec<_> = summary
        .rejections
        .iter()
        .map(|r| (r.index, r.carrier_event_id.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (0, "early", "BEFORE_SHIP_TIME"),
            (3, "future", "IN_THE_FUTURE")
        ]
    );
}

async fn a_later_delivered_event_never_rewrites_the_first_a_correction_does(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let s = app
        .register(shipment(&carrier, "T1", at(2026, 11, 2, 9, 0)))
        .await;
    let mut client = app.shipments(Role::Internal);
    // The first delivery received says 5 Nov 09:00. A second DELIVERED
    // saying 4 Nov 09:00 arrives later: stored in the history, reported as
    // ignored, and the delivery time stays 5 Nov.
    for batch in [
        event("d2", "T1", Delivered, at(2026, 11, 5, 9, 0)),
        event("p", "T1", PickedUp, at(2026, 11, 2, 10, 0)),
    ] {
        ingest(&mut client, &carrier, vec![vec![batch]])
            .await
            .unwrap();
    }
    let summary = ingest(
        &mut client,
        &carrier,
        vec![vec![event("d1", "T1", Delivered, at(2026, 11, 4, 9, 0))]],
    )
    .await
    .unwrap();
    assert_eq!(summary.stored, 1);
    assert_eq!(summary.ignored.len(), 1);
    assert_eq!(summary.ignored[0].reason, "DELIVERY_ALREADY_RECORDED");
    let get = |name: String| pb::GetShipmentRequest { name };
    let fetched = client
        .get_shipment(get(s.name.clone()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        timestamp_from_proto(&fetched.delivered_time.unwrap()),
        Some(at(2026, 11, 5, 9, 0))
    );
    // The explicit correction moves it to 4 Nov 09:00 and is kept.
    let summary = ingest(
        &mut client,
        &carrier,
        vec![vec![event(
            "c1",
            "T1",
            DeliveryCorrected,
            at(2026, 11, 4, 9, 0),
        )]],
    )
    .await
    .unwrap();
    assert_eq!((summary.stored, summary.ignored.len()), (1, 0));
    let fetched = client
        .get_shipment(get(s.name.clone()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        timestamp_from_proto(&fetched.delivered_time.unwrap()),
        Some(at(2026, 11, 4, 9, 0))
    );
    let events = client
        .list_tracking_events(pb::ListTrackingEventsRequest { shipment: s.name })
        .await
        .unwrap()
        .into_inner()
        .events;
    let ids: Vec<_> = events.iter().map(|e| e.carrier_event_id.as_str()).collect();
    assert_eq!(
        ids,
        ["p", "c1", "d1", "d2"],
        "the whole history, in occurrence order"
    );
}

async fn a_correction_marks_the_evaluation_stale_and_moves_refund_candidacy(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    // NEXT_DAY (weekly, guaranteed): Mon 2 Nov 09:00 UTC + 1 business day
    // = Tue 3 Nov 10:30 UTC. Delivered Tue 15:00: late by 270 minutes.
    let mut s = shipment(&carrier, "ND1", at(2026, 11, 2, 9, 0));
    s.service_level = "NEXT_DAY".into();
    let s = app.register(s).await;
    let mut client = app.shipments(Role::Internal);
    ingest(
        &mut client,
        &carrier,
        vec![vec![
            event("p", "ND1", PickedUp, at(2026, 11, 2, 10, 0)),
            event("d", "ND1", Delivered, at(2026, 11, 3, 15, 0)),
        ]],
    )
    .await
    .unwrap();
    let mut sla = app.sla(Role::Internal);
    let evaluate = pb::EvaluateSlaRequest {
        carrier: carrier.clone(),
        service_level: "NEXT_DAY".into(),
        period_date: day(2026, 11, 4),
        as_of: ts(at(2026, 11, 10, 0, 0)),
    };
    let first = sla
        .evaluate_sla(evaluate.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!((first.on_time, first.stale), (0, false));
    let candidates = |sla: &mut pb::sla_service_client::SlaServiceClient<common::Authed>| {
        let request = pb::ListRefundCandidatesRequest {
            carrier: carrier.clone(),
            as_of: ts(at(2026, 11, 10, 0, 0)),
            ..Default::default()
        };
        let mut sla = sla.clone();
        async move {
            sla.list_refund_candidates(request)
                .await
                .unwrap()
                .into_inner()
                .candidates
        }
    };
    assert_eq!(candidates(&mut sla).await.len(), 1);

    // The carrier corrects the delivery to Tue 10:00, before the promise.
    ingest(
        &mut client,
        &carrier,
        vec![vec![event(
            "c",
            "ND1",
            DeliveryCorrected,
            at(2026, 11, 3, 10, 0),
        )]],
    )
    .await
    .unwrap();
    let stored = sla
        .get_sla_evaluation(pb::GetSlaEvaluationRequest {
            name: first.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        stored.stale,
        "the evaluation counted the corrected delivery"
    );
    assert!(candidates(&mut sla).await.is_empty(), "no longer late");
    let again = sla.evaluate_sla(evaluate).await.unwrap().into_inner();
    assert_eq!((again.on_time, again.stale, again.revision), (1, false, 2));
    let _ = s;
}
