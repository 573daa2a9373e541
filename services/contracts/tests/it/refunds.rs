//! Guaranteed-service refunds through real gRPC on SQLite and PostgreSQL:
//! the transportation charge with its basis, the window's anchor from the
//! terms, guarantee suspensions, and pages that chain without `as_of`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{Duration, Utc};
use common::{at, day, event, ingest, shipment, spawn_app, terms, ts, usd};
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};

use pb::TrackingEventType::Delivered;

backend_tests!(
    refunds_are_the_transportation_charge_anchored_and_suspended_per_the_terms,
    candidate_pages_chain_without_as_of,
    grace_counts_for_the_sla_never_for_the_guarantee,
);

async fn refunds_are_the_transportation_charge_anchored_and_suspended_per_the_terms(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    // NEXT_DAY: guaranteed, 15 days from the INVOICE date; no guarantee for
    // promises due 16-20 November (peak).
    let mut t = terms();
    let next_day = &mut t.sla_terms[1];
    next_day.refund_window_anchor = pb::RefundAnchor::InvoiceDate.into();
    next_day.guarantee_suspensions = vec![pb::GuaranteeSuspension {
        first_day: day(2026, 11, 16),
        last_day: day(2026, 11, 20),
        reason: "peak".into(),
    }];
    app.active_contract_with(&carrier, "MSA", day(2026, 1, 1), t)
        .await;
    // Each: shipped Monday 09:00 UTC, due Tuesday 10:30, delivered 15:00.
    let mut shipments = Vec::new();
    for (tracking, monday) in [("A", 2), ("B", 2), ("C", 16)] {
        let mut s = shipment(&carrier, tracking, at(2026, 11, monday, 9, 0));
        s.service_level = "NEXT_DAY".into();
        shipments.push(app.register(s).await);
    }
    let mut client = app.shipments(Role::Internal);
    ingest(
        &mut client,
        &carrier,
        vec![vec![
            event("a", "A", Delivered, at(2026, 11, 3, 15, 0)),
            event("b", "B", Delivered, at(2026, 11, 3, 15, 0)),
            event("c", "C", Delivered, at(2026, 11, 17, 15, 0)),
        ]],
    )
    .await
    .unwrap();
    // A is invoiced on 9 Nov: 18.95 of which 11.00 transportation. (Its
    // etag moved when the delivery was recorded.)
    let a = client
        .get_shipment(pb::GetShipmentRequest {
            name: shipments[0].name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_ne!(a.etag, shipments[0].etag);
    app.shipments(Role::Finance)
        .record_shipment_charges(pb::RecordShipmentChargesRequest {
            name: a.name.clone(),
            etag: a.etag.clone(),
            update_mask: Some(prost_types::FieldMask {
                paths: vec![
                    "invoice_date".into(),
                    "billed_charge".into(),
                    "billed_transportation_charge".into(),
                ],
            }),
            invoice_date: day(2026, 11, 9),
            billed_charge: usd(1_895),
            billed_transportation_charge: usd(1_100),
        })
        .await
        .unwrap();
    let mut sla = app.sla(Role::Internal);
    let list = |d: u32| pb::ListRefundCandidatesRequest {
        carrier: carrier.clone(),
        as_of: ts(at(2026, 11, d, 12, 0)),
        ..Default::default()
    };
    let open = sla
        .list_refund_candidates(list(18))
        .await
        .unwrap()
        .into_inner();
    let found: Vec<_> = open
        .candidates
        .iter()
        .map(|c| {
            (
                c.tracking_number.as_str(),
                c.refund_amount.clone(),
                c.refund_basis.as_str(),
                c.window_anchor.as_str(),
                c.window_anchor_date,
                c.request_deadline,
            )
        })
        .collect();
    // A: the billed transportation 11.00 (not the 18.95 total), 9 Nov + 15
    //    = 24 Nov.
    // B: not invoiced: the contract rate for NEXT_DAY zone 2, 3 lb = 10.00;
    //    the window counts from the delivery date meanwhile: 3 + 15 = 18 Nov.
    // C: due 17 Nov, inside the suspension: not a candidate.
    assert_eq!(
        found,
        [
            (
                "A",
                usd(1_100),
                "BILLED_TRANSPORTATION",
                "INVOICE_DATE",
                day(2026, 11, 9),
                day(2026, 11, 24)
            ),
            (
                "B",
                usd(1_000),
                "CONTRACT_RATE",
                "DELIVERY_DATE_NO_INVOICE",
                day(2026, 11, 3),
                day(2026, 11, 18)
            ),
        ]
    );
    let later = sla
        .list_refund_candidates(list(19))
        .await
        .unwrap()
        .into_inner();
    let numbers: Vec<_> = later
        .candidates
        .iter()
        .map(|c| c.tracking_number.as_str())
        .collect();
    assert_eq!(
        numbers,
        ["A"],
        "B's window closed on the 18th; A's is open to the 24th"
    );
}

async fn candidate_pages_chain_without_as_of(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    // Seven NEXT_DAY parcels promised 3 days ago, delivered 2 days ago, in
    // the open 15-day window whatever "now" is.
    let now = Utc::now();
    let mut events = Vec::new();
    for i in 0..7 {
        let tracking = format!("L{i}");
        let mut s = shipment(&carrier, &tracking, now - Duration::days(4));
        s.service_level = "NEXT_DAY".into();
        s.promised_delivery_time = ts(now - Duration::days(3));
        app.register(s).await;
        let delivered = now - Duration::days(2) + Duration::minutes(i);
        events.push(event(&format!("d{i}"), &tracking, Delivered, delivered));
    }
    ingest(&mut app.shipments(Role::Internal), &carrier, vec![events])
        .await
        .unwrap();
    let mut sla = app.sla(Role::Internal);
    let mut seen = Vec::new();
    let mut token = String::new();
    for _ in 0..4 {
        let page = sla
            .list_refund_candidates(pb::ListRefundCandidatesRequest {
                carrier: carrier.clone(),
                as_of: None,
                page_size: 3,
                page_token: token.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        seen.extend(page.candidates.into_iter().map(|c| c.tracking_number));
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
        // The clock moves between pages; the token must not care.
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    }
    // In delivery order, each once.
    assert_eq!(seen, ["L0", "L1", "L2", "L3", "L4", "L5", "L6"]);
}

/// NEXT_DAY with 60 minutes of grace in its metric definition and a
/// money-back guarantee: promised Tue 3 Nov 10:30, delivered 11:00 (30
/// minutes late). The SLA counts it on time (11:00 ≤ 10:30 + 60 min = 11:30:
/// on time 1 ÷ 1 = 10000 bp); the guarantee has no grace (11:00 > 10:30):
/// a refund candidate, 30 minutes late.
async fn grace_counts_for_the_sla_never_for_the_guarantee(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut t = terms();
    t.sla_terms[1].metric.as_mut().unwrap().grace_minutes = 60;
    app.active_contract_with(&carrier, "MSA", day(2026, 1, 1), t)
        .await;
    let mut s = shipment(&carrier, "G1", at(2026, 11, 2, 9, 0));
    s.service_level = "NEXT_DAY".into();
    app.register(s).await;
    ingest(
        &mut app.shipments(Role::Internal),
        &carrier,
        vec![vec![event("d", "G1", Delivered, at(2026, 11, 3, 11, 0))]],
    )
    .await
    .unwrap();
    let mut sla = app.sla(Role::Internal);
    let evaluation = sla
        .evaluate_sla(pb::EvaluateSlaRequest {
            carrier: carrier.clone(),
            service_level: "NEXT_DAY".into(),
            period_date: day(2026, 11, 3),
            as_of: ts(at(2026, 11, 9, 0, 0)),
        })
        .await
        .unwrap()
        .into_inner();
    let on_time = evaluation
        .kpis
        .iter()
        .find(|k| k.kpi() == pb::Kpi::OnTimeRate)
        .unwrap();
    assert_eq!(
        (on_time.numerator, on_time.denominator, on_time.actual_bp),
        (1, 1, Some(10_000))
    );
    let candidates = sla
        .list_refund_candidates(pb::ListRefundCandidatesRequest {
            carrier: carrier.clone(),
            as_of: ts(at(2026, 11, 9, 0, 0)),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .candidates;
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0].late_minutes, 30);
}
