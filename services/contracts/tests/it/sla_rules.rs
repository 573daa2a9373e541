//! SLA definitions through real gRPC on SQLite and PostgreSQL: what is
//! measured as of an instant, excusable exceptions, cost per charged
//! shipment, and each shipment against the version of its own ship date.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::Duration;
use common::{at, day, event, ingest, shipment, spawn_app, terms, ts, usd};
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};

use pb::TrackingEventType::{Delivered, Exception, PickedUp};

backend_tests!(
    a_week_evaluated_on_monday_morning_measures_only_what_is_due,
    each_shipment_is_measured_by_its_own_versions_terms_and_any_day_gives_one_answer,
);

async fn a_week_evaluated_on_monday_morning_measures_only_what_is_due(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut t = terms();
    t.sla_terms[1].excusable_exceptions = vec![pb::ExcusableException {
        code: "WX".into(),
        category: pb::ExcuseCategory::Weather.into(),
    }];
    app.active_contract_with(&carrier, "MSA", day(2026, 1, 1), t)
        .await;
    // NEXT_DAY (weekly Mon 2 - Sun 8 Nov 2026; by 10:30 the next business
    // day, no grace), each shipped 09:00 UTC:
    //   MON  due Tue 3 10:30, delivered Tue 10:00           → on time
    //   WED  due Thu 5 10:30, WX exception Thu 08:00,
    //        delivered Fri 6 12:00                          → excused (WX)
    //   THU  due Fri 6 10:30, delivered Fri 12:00           → late
    //   FRI  due Mon 9 10:30, not delivered                 → not yet due
    // FRI is not billed yet.
    let plan = [("MON", 2), ("WED", 4), ("THU", 5), ("FRI", 6)];
    for (tracking, d) in plan {
        let mut s = shipment(&carrier, tracking, at(2026, 11, d, 9, 0));
        s.service_level = "NEXT_DAY".into();
        if tracking == "FRI" {
            s.billed_charge = None;
        }
        app.register(s).await;
    }
    let mut wx = event("wx", "WED", Exception, at(2026, 11, 5, 8, 0));
    wx.exception_reason = "WX".into();
    ingest(
        &mut app.shipments(Role::Internal),
        &carrier,
        vec![vec![
            event("p1", "MON", PickedUp, at(2026, 11, 2, 10, 0)),
            event("d1", "MON", Delivered, at(2026, 11, 3, 10, 0)),
            event("p2", "WED", PickedUp, at(2026, 11, 4, 10, 0)),
            wx,
            event("d2", "WED", Delivered, at(2026, 11, 6, 12, 0)),
            event("p3", "THU", PickedUp, at(2026, 11, 5, 10, 0)),
            event("d3", "THU", Delivered, at(2026, 11, 6, 12, 0)),
            event("p4", "FRI", PickedUp, at(2026, 11, 6, 10, 0)),
        ]],
    )
    .await
    .unwrap();
    // Evaluated Monday 9 Nov 08:00, before FRI's promise.
    let e = app
        .sla(Role::Internal)
        .evaluate_sla(pb::EvaluateSlaRequest {
            carrier: carrier.clone(),
            service_level: "NEXT_DAY".into(),
            period_date: day(2026, 11, 4),
            as_of: ts(at(2026, 11, 9, 8, 0)),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((e.shipments, e.not_yet_due, e.excused), (4, 1, 1));
    assert_eq!(e.excused_codes.len(), 1);
    assert_eq!(
        (
            e.excused_codes[0].code.as_str(),
            e.excused_codes[0].category(),
            e.excused_codes[0].shipments
        ),
        ("WX", pb::ExcuseCategory::Weather, 1)
    );
    let kpi = |k: pb::Kpi| e.kpis.iter().find(|r| r.kpi() == k).cloned().unwrap();
    // On time: MON of {MON, THU} = 1 / (4 − 1 not due − 1 excused) = 5000
    // bp, against 9800: breached by 4800 bp.
    let on_time = kpi(pb::Kpi::OnTimeRate);
    assert_eq!(
        (on_time.numerator, on_time.denominator, on_time.actual_bp),
        (1, 2, Some(5_000))
    );
    let reasons: Vec<_> = on_time
        .exclusions
        .iter()
        .map(|x| (x.reason.as_str(), x.shipments, x.codes.clone()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("NOT_YET_DUE", 1, vec![]),
            ("EXCUSED", 1, vec!["WX".to_owned()])
        ]
    );
    // Exceptions: the only one was excused: 0 / 2.
    let exceptions = kpi(pb::Kpi::ExceptionRate);
    assert_eq!((exceptions.numerator, exceptions.denominator), (0, 2));
    // Scan compliance measures the 3 that are due (excused included).
    assert_eq!(kpi(pb::Kpi::ScanCompliance).denominator, 3);
    // Cost: 30.00 billed over the 3 shipments with a charge = 10.00.
    assert_eq!(
        (
            e.total_billed.clone(),
            e.charged_shipments,
            e.cost_per_shipment.clone()
        ),
        (usd(3_000), 3, usd(1_000))
    );
    assert_eq!(e.as_of, ts(at(2026, 11, 9, 8, 0)));
}

async fn each_shipment_is_measured_by_its_own_versions_terms_and_any_day_gives_one_answer(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let v1 = app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    // Version 2 from 16 October: GROUND grace 0 minutes (version 1: 60).
    let mut t = terms();
    t.sla_terms[0].metric.as_mut().unwrap().grace_minutes = 0;
    let mut admin = app.contracts(Role::Admin);
    let draft = admin
        .create_contract_version(pb::CreateContractVersionRequest {
            request_id: "v2".into(),
            contract: v1.name.split("/versions/").next().unwrap().to_owned(),
            effective_from: day(2026, 10, 16),
            effective_to: None,
            terms: Some(t),
        })
        .await
        .unwrap()
        .into_inner();
    let v2 = admin
        .activate_contract_version(pb::ActivateContractVersionRequest {
            name: draft.name.clone(),
            etag: draft.etag.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    // Two GROUND parcels each delivered 30 minutes after the promise:
    // shipped 5 Oct (version 1, 60 min grace → on time) and 20 Oct
    // (version 2, no grace → late). October: 1 on time of 2 = 5000 bp,
    // whichever day of October is named.
    let mut events = Vec::new();
    for (tracking, d) in [("EARLY", 5), ("LATE", 20)] {
        let shipped = at(2026, 10, d, 9, 0);
        let mut s = shipment(&carrier, tracking, shipped);
        s.promised_delivery_time = ts(shipped + Duration::hours(48));
        app.register(s).await;
        events.push(event(
            &format!("{tracking}-d"),
            tracking,
            Delivered,
            shipped + Duration::hours(48) + Duration::minutes(30),
        ));
    }
    ingest(&mut app.shipments(Role::Internal), &carrier, vec![events])
        .await
        .unwrap();
    let mut sla = app.sla(Role::Internal);
    let mut answers = Vec::new();
    for d in [1, 5, 16, 31] {
        let e = sla
            .evaluate_sla(pb::EvaluateSlaRequest {
                carrier: carrier.clone(),
                service_level: "GROUND".into(),
                period_date: day(2026, 10, d),
                as_of: ts(at(2026, 11, 15, 0, 0)),
            })
            .await
            .unwrap()
            .into_inner();
        let on_time = e
            .kpis
            .iter()
            .find(|k| k.kpi() == pb::Kpi::OnTimeRate)
            .cloned()
            .unwrap();
        answers.push((
            e.period_start,
            e.contract_version.clone(),
            e.measured_versions.clone(),
            on_time.numerator,
            on_time.denominator,
            on_time.actual_bp,
        ));
    }
    let expected = (
        day(2026, 10, 1),
        v2.name.clone(),
        vec![v1.name.clone(), v2.name.clone()],
        1,
        2,
        Some(5_000),
    );
    assert!(answers.iter().all(|a| *a == expected), "{answers:?}");
}
