//! Invariants under racing calls (meaningful on PostgreSQL; SQLite
//! serialises them, and runs them too so both halves stay equal): one
//! first delivery per shipment, one winner per etag.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::Duration;
use common::{at, day, event, ingest, shipment, spawn_app, usd};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::timestamp_from_proto;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::TrackingEventType::Delivered;

backend_tests!(
    twenty_racing_deliveries_record_exactly_one,
    twenty_racing_charge_records_on_one_etag_let_one_win,
);

async fn twenty_racing_deliveries_record_exactly_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let s = app
        .register(shipment(&carrier, "T1", at(2026, 11, 2, 9, 0)))
        .await;
    // 20 streams at once, each claiming a different delivery minute.
    let calls = (0..20).map(|i| {
        let mut client = app.shipments(Role::Internal);
        let carrier = carrier.clone();
        async move {
            let when = at(2026, 11, 4, 9, 0) + Duration::minutes(i);
            ingest(
                &mut client,
                &carrier,
                vec![vec![event(&format!("d{i}"), "T1", Delivered, when)]],
            )
            .await
            .unwrap()
        }
    });
    let outcomes = futures::future::join_all(calls).await;
    let stored: u64 = outcomes.iter().map(|o| o.stored).sum();
    let ignored: usize = outcomes.iter().map(|o| o.ignored.len()).sum();
    // All 20 kept in the history; exactly one set the delivery time.
    assert_eq!((stored, ignored), (20, 19));
    let winner = outcomes.iter().position(|o| o.ignored.is_empty()).unwrap() as i64;
    let fetched = app
        .shipments(Role::Internal)
        .get_shipment(pb::GetShipmentRequest { name: s.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        timestamp_from_proto(&fetched.delivered_time.unwrap()),
        Some(at(2026, 11, 4, 9, 0) + Duration::minutes(winner))
    );
}

async fn twenty_racing_charge_records_on_one_etag_let_one_win(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let s = app
        .register(shipment(&carrier, "T1", at(2026, 11, 2, 9, 0)))
        .await;
    let calls = (0..20).map(|i| {
        let mut client = app.shipments(Role::Finance);
        let request = pb::RecordShipmentChargesRequest {
            name: s.name.clone(),
            etag: s.etag.clone(),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["billed_charge".into()],
            }),
            invoice_date: None,
            billed_charge: usd(1_000 + i),
            billed_transportation_charge: None,
        };
        async move { client.record_shipment_charges(request).await }
    });
    let results = futures::future::join_all(calls).await;
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "one write per etag");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| e.code() == Code::Aborted),
        "the others are ABORTED, never INTERNAL"
    );
    let fetched = app
        .shipments(Role::Internal)
        .get_shipment(pb::GetShipmentRequest { name: s.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched.billed_charge, won[0].get_ref().billed_charge);
}
