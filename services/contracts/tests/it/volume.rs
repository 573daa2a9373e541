//! Nothing a request does grows with history: an SLA period larger than one
//! read chunk (500 shipments) is measured across chunks with the same
//! answer; a stream of 100,000 bad tracking events gets a bounded answer
//! with a count of the rest.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::Duration;
use common::{at, day, event, ingest, shipment, spawn_app, ts};
use futures::StreamExt as _;
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};

use pb::TrackingEventType::Delivered;

backend_tests!(a_period_of_1001_shipments_is_measured_across_read_chunks,);

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
