//! The capacity plan on SQLite and PostgreSQL: partners planning only
//! their own carrier, the bounds, and thirty racing registrations all
//! counted on the day's row.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::planning::{forecast, plan_request, planning};
use crate::shop::{set_capacity, set_status};

use common::{at, day, shipment, spawn_app, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::carriers as cpb;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    partners_plan_only_their_own_carrier_and_bounds_are_named,
    thirty_racing_registrations_are_all_counted,
);

async fn partners_plan_only_their_own_carrier_and_bounds_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.carrier("ACME").await;
    let bolt = app.carrier("BOLT").await;
    for c in [&acme, &bolt] {
        app.active_contract(c, &c.replace("carriers/", "MSA-"), day(2026, 1, 1))
            .await;
        set_status(&app, c, cpb::CarrierStatus::Active).await;
        set_capacity(&app, c, 100, vec![]).await;
    }
    forecast(&app, &acme, "GROUND", "2026-W45", 1_000).await;
    let acme_id = acme.trim_start_matches("carriers/");
    // ACME's own rows: short 300, and BOLT (with 700 spare) never named.
    let plan = planning(&app, Role::Carrier, Some(acme_id))
        .get_capacity_plan(plan_request((2026, 11, 2), (2026, 11, 2)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(plan.weeks.len(), 1);
    assert_eq!(plan.weeks[0].carrier, acme);
    assert_eq!(
        (plan.weeks[0].shortfall, plan.weeks[0].uncovered),
        (300, 300)
    );
    assert!(plan.weeks[0].overflow.is_empty());
    assert_eq!(plan.acceptance.len(), 1);
    // The same plan for internal: BOLT takes the 300.
    let plan = planning(&app, Role::Internal, None)
        .get_capacity_plan(plan_request((2026, 11, 2), (2026, 11, 2)))
        .await
        .unwrap()
        .into_inner();
    let a = plan.weeks.iter().find(|w| w.carrier == acme).unwrap();
    assert_eq!(
        a.overflow,
        vec![pb::OverflowTake {
            carrier: bolt.clone(),
            parcels: 300
        }]
    );
    // Carriers and 3PLs do not write forecasts; 3PLs do not read plans.
    let status = planning(&app, Role::Carrier, Some(acme_id))
        .record_forecast(pb::RecordForecastRequest {
            forecast: Some(pb::Forecast {
                carrier: acme.clone(),
                service_level: "GROUND".into(),
                week: "2026-W45".into(),
                parcels: 1,
                update_time: None,
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = planning(&app, Role::ThirdParty, Some("acct"))
        .get_capacity_plan(plan_request((2026, 11, 2), (2026, 11, 2)))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    // Bounds: 53 ISO weeks is the most a plan covers (W01 2026 to W53
    // 2026 is 53; one more day reaches 2027-W01, 54).
    planning(&app, Role::Internal, None)
        .get_capacity_plan(plan_request((2025, 12, 29), (2027, 1, 3)))
        .await
        .unwrap();
    let status = planning(&app, Role::Internal, None)
        .get_capacity_plan(plan_request((2025, 12, 29), (2027, 1, 4)))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&status), ["to"]);
    let status = planning(&app, Role::Internal, None)
        .get_capacity_plan(plan_request((2026, 11, 9), (2026, 11, 2)))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&status), ["to"]);
    // A forecast: every bad field at once; parcels at the edge.
    let status = planning(&app, Role::Internal, None)
        .record_forecast(pb::RecordForecastRequest {
            forecast: Some(pb::Forecast {
                carrier: "nope".into(),
                service_level: "ground".into(),
                week: "2026-W54".into(),
                parcels: 10_000_001,
                update_time: None,
            }),
        })
        .await
        .unwrap_err();
    let mut fields = violated_fields(&status);
    fields.sort();
    assert_eq!(
        fields,
        [
            "forecast.carrier",
            "forecast.parcels",
            "forecast.service_level",
            "forecast.week"
        ]
    );
    forecast(&app, &acme, "GROUND", "2026-W46", 10_000_000).await;
    let status = planning(&app, Role::Internal, None)
        .record_forecast(pb::RecordForecastRequest {
            forecast: Some(pb::Forecast {
                carrier: acme.clone(),
                service_level: "OVERNIGHT".into(),
                week: "2026-W45".into(),
                parcels: 1,
                update_time: None,
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&status), ["forecast.service_level"]);
    let status = planning(&app, Role::Internal, None)
        .record_forecast(pb::RecordForecastRequest {
            forecast: Some(pb::Forecast {
                carrier: "carriers/00000000-0000-7000-8000-000000000000".into(),
                service_level: "GROUND".into(),
                week: "2026-W45".into(),
                parcels: 1,
                update_time: None,
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
}

async fn thirty_racing_registrations_are_all_counted(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.carrier("ACME").await;
    app.active_contract(&acme, "MSA", day(2026, 1, 1)).await;
    set_status(&app, &acme, cpb::CarrierStatus::Active).await;
    set_capacity(&app, &acme, 25, vec![]).await;
    // 30 registrations at once on Tue 3 Nov: the day's row is bumped by
    // one upsert each, so none is lost (PostgreSQL serialises them on the
    // row; SQLite has one writer).
    let calls = (0..30).map(|i| {
        let mut client = app.shipments(Role::Internal);
        let s = shipment(&acme, &format!("RACE{i}"), at(2026, 11, 3, 12, 0));
        async move {
            client
                .register_shipment(pb::RegisterShipmentRequest {
                    request_id: format!("race-{i}"),
                    shipment: Some(s),
                })
                .await
        }
    });
    for answer in futures::future::join_all(calls).await {
        answer.unwrap();
    }
    // 30 tendered against 25 allowed: 25 accepted, 5 over, 25 ÷ 30 =
    // 8333.33 → 8333 bp.
    let plan = planning(&app, Role::Internal, None)
        .get_capacity_plan(plan_request((2026, 11, 3), (2026, 11, 3)))
        .await
        .unwrap()
        .into_inner();
    let w = &plan.weeks[0];
    assert_eq!((w.tendered, w.accepted, w.over_allocation), (30, 25, 5));
    assert_eq!(w.acceptance_bp, Some(8_333));
    // And the day is exhausted for rate shopping.
    let mut request = pb::ShopRatesRequest {
        origin_postal_code: "94105".into(),
        destination_postal_code: "94016".into(),
        weight: Some(recourse_proto::common::Weight {
            thousandths: 1_000,
            unit: recourse_proto::common::WeightUnit::Lb.into(),
        }),
        ship_date: day(2026, 11, 3),
        ..Default::default()
    };
    let answer = crate::shop::shop_client(&app, Role::Internal, None)
        .shop_rates(request.clone())
        .await
        .unwrap()
        .into_inner();
    assert!(answer.options.is_empty());
    assert_eq!(
        answer.unavailable[0].reason,
        i32::from(pb::UnavailableReason::CapacityExhausted)
    );
    request.ship_date = day(2026, 11, 4);
    let answer = crate::shop::shop_client(&app, Role::Internal, None)
        .shop_rates(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.options.len(), 2);
}
