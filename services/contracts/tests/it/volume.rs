//! Nothing a request does grows with history: an SLA period larger than one
//! read chunk (500 shipments) is measured across chunks with the same
//! answer; a stream of 100,000 bad tracking events gets a bounded answer
//! with a count of the rest.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::Duration;
use common::{at, day, event, ingest, shipment, spawn_app, ts};
use futures::StreamExt as _;
use prost::Message as _;
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::TrackingEventType::Delivered;

backend_tests!(
    a_period_of_1001_shipments_is_measured_across_read_chunks,
    a_stream_of_100_000_bad_events_gets_a_bounded_answer,
    a_message_over_the_event_limit_ends_the_stream_after_storing_what_came_before,
);

/// 1,001 GROUND shipments handed over on 1 June 2026 at the same instant
/// (so the (ship time, id) keyset is what orders them), promised 48 h
/// later: every seventh is delivered an hour past the 60-minute grace,
/// the rest an hour early. On time = 1001 − 143 late = 858 of 1001 =
/// floor(858 × 10000 / 1001) = 8571 bp; every shipment is counted once
/// across the three 500-shipment reads.
async fn a_period_of_1001_shipments_is_measured_across_read_chunks(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let shipped = at(2026, 6, 1, 9, 0);
    let promised = shipped + Duration::hours(48);
    futures::stream::iter(0..1001)
        .map(|i| {
            let mut s = shipment(&carrier, &format!("V{i:04}"), shipped);
            s.promised_delivery_time = ts(promised);
            app.register(s)
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    let events: Vec<pb::TrackingEvent> = (0..1001)
        .map(|i| {
            let when = if i % 7 == 0 {
                promised + Duration::hours(2)
            } else {
                promised - Duration::hours(1)
            };
            event(&format!("d{i}"), &format!("V{i:04}"), Delivered, when)
        })
        .collect();
    let batches = events.chunks(500).map(<[_]>::to_vec).collect();
    let summary = ingest(&mut app.shipments(Role::Internal), &carrier, batches)
        .await
        .unwrap();
    assert_eq!(summary.stored, 1001);
    let e = app
        .sla(Role::Internal)
        .evaluate_sla(pb::EvaluateSlaRequest {
            carrier: carrier.clone(),
            service_level: "GROUND".into(),
            period_date: day(2026, 6, 1),
            as_of: ts(at(2026, 7, 15, 0, 0)),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((e.shipments, e.delivered, e.on_time), (1001, 1001, 858));
    let on_time = e
        .kpis
        .iter()
        .find(|k| k.kpi() == pb::Kpi::OnTimeRate)
        .unwrap();
    assert_eq!(
        (on_time.numerator, on_time.denominator, on_time.actual_bp),
        (858, 1001, Some(8_571))
    );
    // Each shipment billed 10.00: 10,010.00 in all, 10.00 per shipment.
    assert_eq!(e.total_billed.unwrap().amount_minor, 1_001_000);
    assert_eq!(e.charged_shipments, 1001);
}

/// 100 messages of 1,000 events each for tracking numbers nobody
/// registered, with 2 good events at the very end: every bad event is
/// counted, the first 1,000 are listed in stream order, the good ones are
/// stored, and the whole answer stays far below the 4 MiB any client
/// accepts (a 10-million-event stream would get the same size of answer).
async fn a_stream_of_100_000_bad_events_gets_a_bounded_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    app.register(shipment(&carrier, "REAL", at(2026, 11, 2, 9, 0)))
        .await;
    let when = at(2026, 11, 2, 10, 0);
    let mut batches: Vec<Vec<pb::TrackingEvent>> = (0..100)
        .map(|m| {
            (0..1_000)
                .map(|i| {
                    event(
                        &format!("e{m}-{i}"),
                        &format!("NOPE{m}x{i}"),
                        Delivered,
                        when,
                    )
                })
                .collect()
        })
        .collect();
    batches.push(vec![
        event("ok-1", "REAL", pb::TrackingEventType::PickedUp, when),
        event("ok-2", "REAL", pb::TrackingEventType::ArrivalScan, when),
    ]);
    let summary = ingest(&mut app.shipments(Role::Internal), &carrier, batches)
        .await
        .unwrap();
    assert_eq!(summary.received, 100_002);
    assert_eq!((summary.stored, summary.duplicates), (2, 0));
    assert_eq!(summary.rejected, 100_000);
    assert_eq!(
        summary.received,
        summary.stored + summary.duplicates + summary.rejected
    );
    assert_eq!(summary.rejections.len(), 1_000);
    let indexes: Vec<u64> = summary.rejections.iter().map(|r| r.index).collect();
    assert_eq!(
        indexes,
        (0..1_000).collect::<Vec<_>>(),
        "the first, in order"
    );
    assert!(
        summary
            .rejections
            .iter()
            .all(|r| r.reason == "UNKNOWN_TRACKING_NUMBER")
    );
    let size = summary.encoded_len();
    assert!(size < 200 * 1024, "answer of {size} bytes");
}

/// A message of 1,001 events is malformed: the call ends INVALID_ARGUMENT
/// naming `events`, after storing the messages before it (so resending
/// from that message is enough; what is resent counts as duplicates).
async fn a_message_over_the_event_limit_ends_the_stream_after_storing_what_came_before(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let s = app
        .register(shipment(&carrier, "REAL", at(2026, 11, 2, 9, 0)))
        .await;
    let when = at(2026, 11, 2, 10, 0);
    let first = vec![event(
        "first",
        "REAL",
        pb::TrackingEventType::PickedUp,
        when,
    )];
    let at_limit: Vec<_> = (0..1_000)
        .map(|i| {
            event(
                &format!("a{i}"),
                "REAL",
                pb::TrackingEventType::ArrivalScan,
                when,
            )
        })
        .collect();
    let over: Vec<_> = (0..1_001)
        .map(|i| {
            event(
                &format!("o{i}"),
                "REAL",
                pb::TrackingEventType::ArrivalScan,
                when,
            )
        })
        .collect();
    let mut client = app.shipments(Role::Internal);
    let err = ingest(&mut client, &carrier, vec![first, at_limit, over])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    assert_eq!(common::violated_fields(&err), ["events"]);
    assert!(
        err.message().contains("message 2 has 1001"),
        "{}",
        err.message()
    );
    let stored = client
        .list_tracking_events(pb::ListTrackingEventsRequest {
            shipment: s.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        stored.events.len(),
        1_001,
        "both messages before it were stored"
    );
}
