//! SlaService through real gRPC on SQLite and PostgreSQL: a generated month
//! of shipments with a known answer, re-runs, and refund candidates that
//! appear and vanish with their window.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::Duration;
use common::{at, day, event, ingest, shipment, spawn_app, ts, usd};
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::TrackingEventType::{
    ArrivalScan, Delivered, DepartureScan, Exception, OutForDelivery, PickedUp,
};

backend_tests!(
    a_generated_month_of_ground_shipments_has_a_known_answer,
    refund_candidates_appear_and_vanish_with_their_window,
    evaluation_needs_sla_terms_and_writers,
);

/// The first 20 business days of June 2026, two hand-overs each: 40
/// shipments (all in the past, so every tracking event is accepted).
fn ship_times() -> Vec<chrono::DateTime<chrono::Utc>> {
    let days = [
        1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19, 22, 23, 24, 25, 26,
    ];
    days.iter()
        .flat_map(|d| [at(2026, 6, *d, 9, 0), at(2026, 6, *d, 13, 0)])
        .collect()
}

async fn a_generated_month_of_ground_shipments_has_a_known_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let version = app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut events = Vec::new();
    for (i, shipped) in ship_times().into_iter().enumerate() {
        let tracking = format!("G{i:02}");
        // Shipments 0-3 go quiet for 59 hours (scan gap > 48 h) but arrive
        // on time; 36-37 arrive 2 h late (grace is 60 min); 38-39 never
        // arrive; 5 arrives 30 min late, inside the grace; 10-12 raise an
        // exception.
        let gap = i < 4;
        let promised = shipped + Duration::hours(if gap { 72 } else { 48 });
        let mut s = shipment(&carrier, &tracking, shipped);
        s.promised_delivery_time = ts(promised);
        app.register(s).await;
        let e = |n: u32, kind, hours: i64| {
            event(
                &format!("{tracking}-{n}"),
                &tracking,
                kind,
                shipped + Duration::hours(hours),
            )
        };
        events.push(e(1, PickedUp, 1));
        if gap {
            events.push(e(2, OutForDelivery, 60));
            events.push(e(3, Delivered, 70));
            continue;
        }
        events.push(e(2, DepartureScan, 8));
        events.push(e(3, ArrivalScan, 20));
        events.push(e(4, OutForDelivery, 40));
        if (10..13).contains(&i) {
            events.push(e(5, Exception, 30));
        }
        let delivered = match i {
            36 | 37 => Some(promised + Duration::hours(2)),
            38 | 39 => None,
            5 => Some(promised + Duration::minutes(30)),
            _ => Some(promised - Duration::hours(2)),
        };
        if let Some(when) = delivered {
            events.push(event(&format!("{tracking}-9"), &tracking, Delivered, when));
        }
    }
    // Outside the measurement: shipped in May, and another service level.
    app.register(shipment(&carrier, "MAY", at(2026, 5, 29, 9, 0)))
        .await;
    let mut next_day = shipment(&carrier, "ND", at(2026, 6, 10, 9, 0));
    next_day.service_level = "NEXT_DAY".into();
    app.register(next_day).await;

    let mut tracking = app.shipments(Role::Internal);
    let batches = events.chunks(37).map(<[_]>::to_vec).collect();
    let summary = ingest(&mut tracking, &carrier, batches).await.unwrap();
    assert_eq!(summary.stored as usize, events.len());

    let mut sla = app.sla(Role::Internal);
    // As of 15 July everything of June is known.
    let request = pb::EvaluateSlaRequest {
        carrier: carrier.clone(),
        service_level: "GROUND".into(),
        period_date: day(2026, 6, 17),
        as_of: ts(at(2026, 7, 15, 0, 0)),
    };
    let e = sla
        .evaluate_sla(request.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(e.period_start, day(2026, 6, 1));
    assert_eq!(e.period_end, day(2026, 6, 30));
    assert_eq!(e.contract_version, version.name);
    assert_eq!(e.metric.unwrap().grace_minutes, 60);
    assert_eq!(
        (
            e.shipments,
            e.delivered,
            e.on_time,
            e.scan_compliant,
            e.with_exception
        ),
        (40, 38, 36, 36, 3)
    );
    assert_eq!(
        e.claims, None,
        "claims counts come later from the claims service"
    );
    let kpi = |k: pb::Kpi| e.kpis.iter().find(|r| r.kpi() == k).cloned().unwrap();
    // On time 36/40 = 90.00% against 95.00%: 5 points short, 5 x 25.00.
    let on_time = kpi(pb::Kpi::OnTimeRate);
    assert_eq!(
        (on_time.actual_bp, on_time.breached, on_time.shortfall_bp),
        (Some(9_000), true, 500)
    );
    assert_eq!(on_time.credit, usd(12_500));
    // Scan compliance 36/40 = 90.00% meets its 90.00% target exactly.
    let scans = kpi(pb::Kpi::ScanCompliance);
    assert_eq!((scans.actual_bp, scans.breached), (Some(9_000), false));
    // Exceptions 3/40 = 7.50% against a 5.00% maximum: 2.5 points, 62.50.
    let exceptions = kpi(pb::Kpi::ExceptionRate);
    assert_eq!(
        (
            exceptions.actual_bp,
            exceptions.breached,
            exceptions.shortfall_bp
        ),
        (Some(750), true, 250)
    );
    assert_eq!(exceptions.credit, usd(6_250));
    let claims = kpi(pb::Kpi::ClaimsRate);
    assert_eq!((claims.actual_bp, claims.breached), (None, false));
    // 125.00 + 62.50 earned, capped at 100.00 for the period.
    assert_eq!(e.service_credit, usd(10_000));
    assert!(e.breached);
    assert_eq!(e.total_billed, usd(40_000));
    // 400.00 over the 40 shipments that have a charge.
    assert_eq!((e.charged_shipments, e.cost_per_shipment), (40, usd(1_000)));
    assert_eq!(e.revision, 1);
    assert_eq!((e.not_yet_due, e.excused), (0, 0));
    assert_eq!((on_time.numerator, on_time.denominator), (36, 40));
    assert_eq!(e.measured_versions, std::slice::from_ref(&version.name));

    // A late straggler delivers; the re-run updates the same evaluation.
    let summary = ingest(
        &mut tracking,
        &carrier,
        vec![vec![event(
            "G38-9",
            "G38",
            Delivered,
            at(2026, 7, 20, 9, 0),
        )]],
    )
    .await
    .unwrap();
    assert_eq!(summary.stored, 1);
    let again = sla
        .evaluate_sla(pb::EvaluateSlaRequest {
            as_of: ts(at(2026, 7, 31, 0, 0)),
            ..request
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.name, e.name);
    assert_eq!(again.revision, 2);
    assert_eq!((again.delivered, again.on_time), (39, 36));
    let stored = sla
        .get_sla_evaluation(pb::GetSlaEvaluationRequest {
            name: e.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored, again);
    let listed = sla
        .list_sla_evaluations(pb::ListSlaEvaluationsRequest {
            carrier: carrier.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.evaluations.len(), 1);
}

async fn refund_candidates_appear_and_vanish_with_their_window(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    // NEXT_DAY is guaranteed: Mon 2 Nov 09:00 + 1 business day = Tue 3 Nov
    // 10:30. Delivered 15:00: 270 minutes late, refundable until 18 Nov.
    let mut late = shipment(&carrier, "LATE", at(2026, 11, 2, 9, 0));
    late.service_level = "NEXT_DAY".into();
    let late = app.register(late).await;
    let mut on_time = shipment(&carrier, "ONTIME", at(2026, 11, 2, 9, 0));
    on_time.service_level = "NEXT_DAY".into();
    app.register(on_time).await;
    // GROUND is not guaranteed: late, but no refund.
    app.register(shipment(&carrier, "GROUND", at(2026, 11, 2, 9, 0)))
        .await;
    let mut tracking = app.shipments(Role::Internal);
    ingest(
        &mut tracking,
        &carrier,
        vec![vec![
            event("l", "LATE", Delivered, at(2026, 11, 3, 15, 0)),
            event("o", "ONTIME", Delivered, at(2026, 11, 3, 10, 0)),
            event("g", "GROUND", Delivered, at(2026, 11, 9, 10, 0)),
        ]],
    )
    .await
    .unwrap();
    let mut sla = app.sla(Role::Internal);
    let as_of = |d: u32, h: u32| pb::ListRefundCandidatesRequest {
        carrier: carrier.clone(),
        as_of: ts(at(2026, 11, d, h, 0)),
        ..Default::default()
    };
    let open = sla
        .list_refund_candidates(as_of(10, 12))
        .await
        .unwrap()
        .into_inner()
        .candidates;
    assert_eq!(open.len(), 1);
    let candidate = &open[0];
    assert_eq!(candidate.shipment, late.name);
    assert_eq!(candidate.late_minutes, 270);
    assert_eq!(candidate.request_deadline, day(2026, 11, 18));
    assert_eq!(candidate.billed_charge, usd(1_000));
    // No transportation split billed: the contract rate of NEXT_DAY zone 2
    // for 3 lb billable (10×8×4 in ÷ 139 = 2.302 lb → 3 lb) is 10.00.
    assert_eq!(
        (
            candidate.refund_amount.clone(),
            candidate.refund_basis.as_str()
        ),
        (usd(1_000), "CONTRACT_RATE")
    );
    assert_eq!(
        (
            candidate.window_anchor_date,
            candidate.window_anchor.as_str()
        ),
        (day(2026, 11, 3), "DELIVERY_DATE")
    );
    assert_eq!(
        sla.list_refund_candidates(as_of(18, 23))
            .await
            .unwrap()
            .into_inner()
            .candidates
            .len(),
        1,
        "open on its last day"
    );
    assert!(
        sla.list_refund_candidates(as_of(19, 0))
            .await
            .unwrap()
            .into_inner()
            .candidates
            .is_empty(),
        "closed the day after"
    );
    assert!(
        sla.list_refund_candidates(as_of(3, 12))
            .await
            .unwrap()
            .into_inner()
            .candidates
            .is_empty(),
        "not delivered yet at 12:00"
    );
    let err = sla
        .list_refund_candidates(pb::ListRefundCandidatesRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
}

async fn evaluation_needs_sla_terms_and_writers(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut client = app.contracts(Role::Admin);
    let mut no_sla = common::terms();
    no_sla.sla_terms.retain(|s| s.service_level != "NEXT_DAY");
    let contract = client
        .create_contract(pb::CreateContractRequest {
            request_id: "c".into(),
            carrier: carrier.clone(),
            reference: "MSA".into(),
            display_name: "x".into(),
            effective_from: day(2026, 1, 1),
            effective_to: None,
            terms: Some(no_sla),
        })
        .await
        .unwrap()
        .into_inner();
    let v = &contract.versions[0];
    client
        .activate_contract_version(pb::ActivateContractVersionRequest {
            name: v.name.clone(),
            etag: v.etag.clone(),
        })
        .await
        .unwrap();
    let request = |level: &str| pb::EvaluateSlaRequest {
        carrier: carrier.clone(),
        service_level: level.into(),
        period_date: day(2026, 11, 17),
        as_of: None,
    };
    let err = app
        .sla(Role::Admin)
        .evaluate_sla(request("NEXT_DAY"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let err = app
        .sla(Role::Auditor)
        .evaluate_sla(request("GROUND"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    // No shipments: nothing measured, nothing breached, no credit.
    let empty = app
        .sla(Role::Admin)
        .evaluate_sla(request("GROUND"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(empty.shipments, 0);
    assert!(!empty.breached);
    assert_eq!(empty.service_credit, usd(0));
    assert!(empty.kpis.iter().all(|k| k.actual_bp.is_none()));
}
