//! Forecasts and the capacity plan through real gRPC (contracts asking
//! carriers for capacity, peaks and regions) on SQLite and PostgreSQL:
//! the worked example of shortfall, overflow and tender acceptance, the
//! forecast CSV with good and bad rows, partners' scope, and the bounds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::shop::{set_capacity, set_status};

use common::{TestApp, at, day, shipment, spawn_app, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::carriers as cpb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::contracts as pb;
use recourse_proto::contracts::planning_service_client::PlanningServiceClient;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    capacity_plan_worked_example_shortfall_overflow_and_acceptance,
    forecasts_import_from_csv_with_bad_rows_reported_by_line,
);

pub fn planning(
    app: &TestApp,
    role: Role,
    scope: Option<&str>,
) -> PlanningServiceClient<common::Authed> {
    let token = app.auth.token(role, scope);
    PlanningServiceClient::new(app.server.authed(Some(&token)))
}

pub async fn forecast(
    app: &TestApp,
    carrier: &str,
    level: &str,
    week: &str,
    parcels: u32,
) -> pb::Forecast {
    planning(app, Role::Internal, None)
        .record_forecast(pb::RecordForecastRequest {
            forecast: Some(pb::Forecast {
                carrier: carrier.into(),
                service_level: level.into(),
                week: week.into(),
                parcels,
                update_time: None,
            }),
        })
        .await
        .unwrap()
        .into_inner()
}

async fn set_regions(app: &TestApp, carrier: &str, regions: &[&str]) {
    let token = app.auth.token(Role::Admin, None);
    let mut client = CarrierServiceClient::new(app.server.authed(Some(&token)));
    let mut current = client
        .get_carrier(cpb::GetCarrierRequest {
            name: carrier.into(),
        })
        .await
        .unwrap()
        .into_inner();
    current.regions = regions.iter().map(|r| (*r).to_owned()).collect();
    client
        .update_carrier(cpb::UpdateCarrierRequest {
            carrier: Some(current),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["regions".into()],
            }),
        })
        .await
        .unwrap();
}

pub fn plan_request(from: (i32, u32, u32), to: (i32, u32, u32)) -> pb::GetCapacityPlanRequest {
    pb::GetCapacityPlanRequest {
        from: day(from.0, from.1, from.2),
        to: day(to.0, to.1, to.2),
    }
}

async fn capacity_plan_worked_example_shortfall_overflow_and_acceptance(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.carrier("ACME").await;
    let bolt = app.carrier("BOLT").await;
    let craw = app.carrier("CRAW").await;
    for c in [&acme, &bolt, &craw] {
        app.active_contract(c, &c.replace("carriers/", "MSA-"), day(2026, 1, 1))
            .await;
        set_status(&app, c, cpb::CarrierStatus::Active).await;
    }
    // Week 2026-W45 = Mon 2 – Sun 8 Nov 2026.
    // ACME: 100 a day; a 2-parcel day on Mon 2 Nov; 150 a day from Thu 5
    // Nov. Capacity = 2 + 100 + 100 + 4 × 150 = 802.
    set_capacity(
        &app,
        &acme,
        100,
        vec![
            cpb::PeakAllocation {
                start_date: day(2026, 11, 2),
                end_date: day(2026, 11, 2),
                daily_parcels: 2,
            },
            cpb::PeakAllocation {
                start_date: day(2026, 11, 5),
                end_date: day(2026, 12, 31),
                daily_parcels: 150,
            },
        ],
    )
    .await;
    // BOLT: 200 a day = 1400. CRAW: 50 a day = 350, serving only US-CA.
    set_capacity(&app, &bolt, 200, vec![]).await;
    set_capacity(&app, &craw, 50, vec![]).await;
    set_regions(&app, &craw, &["US-CA"]).await;
    // Forecasts: ACME 800 GROUND + 300 NEXT_DAY = 1100; BOLT 1000; CRAW
    // 500. A second forecast for ACME GROUND replaces the first.
    forecast(&app, &acme, "GROUND", "2026-W45", 700).await;
    let recorded = forecast(&app, &acme, "GROUND", "2026-W45", 800).await;
    assert_eq!(
        (recorded.week.as_str(), recorded.parcels),
        ("2026-W45", 800)
    );
    assert!(recorded.update_time.is_some());
    forecast(&app, &acme, "NEXT_DAY", "2026-W45", 300).await;
    forecast(&app, &bolt, "GROUND", "2026-W45", 1_000).await;
    forecast(&app, &craw, "GROUND", "2026-W45", 500).await;
    // Tendered: ACME 3 on Mon 2 Nov (allocation 2: 1 beyond it, accepted
    // and counted) and 1 on Thu 5 Nov; BOLT 1 on Sun 8 Nov.
    for (c, tracking, d) in [
        (&acme, "A1", 2),
        (&acme, "A2", 2),
        (&acme, "A3", 2),
        (&acme, "A4", 5),
        (&bolt, "B1", 8),
    ] {
        app.register(shipment(c, tracking, at(2026, 11, d, 12, 0)))
            .await;
    }

    let plan = planning(&app, Role::Finance, None)
        .get_capacity_plan(plan_request((2026, 11, 4), (2026, 11, 4)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(plan.weeks.len(), 3, "one week × three carriers");
    let row = |c: &str| plan.weeks.iter().find(|w| w.carrier == c).unwrap();
    let a = row(&acme);
    assert_eq!(
        (a.week.as_str(), a.week_start),
        ("2026-W45", day(2026, 11, 2))
    );
    // ACME: 1100 forecast − 802 capacity = 298 short, no spare.
    //   tendered 4; accepted min(3, 2) + min(1, 150) = 3; 1 over the
    //   allocation; acceptance 3 ÷ 4 = 7500 bp.
    assert_eq!(
        (a.forecast, a.capacity, a.shortfall, a.short, a.spare),
        (1_100, Some(802), 298, true, 0)
    );
    assert_eq!(
        (a.tendered, a.accepted, a.over_allocation, a.acceptance_bp),
        (4, 3, 1, Some(7_500))
    );
    // BOLT (US, like ACME): 1400 − 1000 = 400 spare → takes ACME's 298.
    assert_eq!(
        a.overflow,
        vec![pb::OverflowTake {
            carrier: bolt.clone(),
            parcels: 298
        }]
    );
    assert_eq!(a.uncovered, 0);
    let b = row(&bolt);
    assert_eq!(
        (b.capacity, b.spare, b.shortfall, b.acceptance_bp),
        (Some(1_400), 400, 0, Some(10_000))
    );
    // CRAW: 500 − 350 = 150 short; nobody else serves US-CA → uncovered.
    let c = row(&craw);
    assert_eq!((c.shortfall, c.uncovered, c.overflow.len()), (150, 150, 0));
    assert_eq!((c.tendered, c.acceptance_bp), (0, None));
    // Tender acceptance over the plan, per carrier.
    let acceptance = plan.acceptance.iter().find(|x| x.carrier == acme).unwrap();
    assert_eq!(
        (
            acceptance.tendered,
            acceptance.accepted,
            acceptance.acceptance_bp
        ),
        (4, 3, Some(7_500))
    );

    // Suspended, BOLT can take nothing: ACME's 298 is uncovered.
    set_status(&app, &bolt, cpb::CarrierStatus::Suspended).await;
    let plan = planning(&app, Role::Auditor, None)
        .get_capacity_plan(plan_request((2026, 11, 2), (2026, 11, 8)))
        .await
        .unwrap()
        .into_inner();
    let a = plan.weeks.iter().find(|w| w.carrier == acme).unwrap();
    assert_eq!((a.uncovered, a.overflow.len()), (298, 0));
    // Two weeks: W45 and W46 (no forecast: ACME's 100/150 a day is spare).
    let plan = planning(&app, Role::Internal, None)
        .get_capacity_plan(plan_request((2026, 11, 8), (2026, 11, 9)))
        .await
        .unwrap()
        .into_inner();
    let weeks: Vec<&str> = plan
        .weeks
        .iter()
        .filter(|w| w.carrier == acme)
        .map(|w| w.week.as_str())
        .collect();
    assert_eq!(weeks, ["2026-W45", "2026-W46"]);
    let w46 = plan
        .weeks
        .iter()
        .find(|w| w.carrier == acme && w.week == "2026-W46")
        .unwrap();
    // W46 = 9–15 Nov, all in the 150 peak: 7 × 150 = 1050, all spare.
    assert_eq!((w46.capacity, w46.spare), (Some(1_050), 1_050));
}

async fn import(
    app: &TestApp,
    role: Role,
    csv: &str,
) -> Result<pb::ImportForecastsResponse, tonic::Status> {
    // Split anywhere: chunks of 7 bytes.
    let chunks: Vec<pb::ImportForecastsRequest> = csv
        .as_bytes()
        .chunks(7)
        .map(|c| pb::ImportForecastsRequest { csv: c.to_vec() })
        .collect();
    planning(app, role, None)
        .import_forecasts(tokio_stream::iter(chunks))
        .await
        .map(tonic::Response::into_inner)
}

async fn forecasts_import_from_csv_with_bad_rows_reported_by_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.carrier("ACME").await;
    set_capacity(&app, &acme, 100, vec![]).await;
    let bare = acme.trim_start_matches("carriers/");
    let csv = format!(
        "carrier,service_level,week,parcels\n\
         {acme},GROUND,2026-W45,600\n\
         {bare},NEXT_DAY,2026-W45,150\n\
         {acme},OVERNIGHT,2026-W45,10\n\
         carriers/00000000-0000-7000-8000-000000000000,GROUND,2026-W45,10\n\
         {acme},GROUND,2026-45,10\n\
         {acme},GROUND,2026-W46,-3\n\
         {acme},GROUND,2026-W46,10000001\n\
         {acme},GROUND\n"
    );
    let answer = import(&app, Role::Admin, &csv).await.unwrap();
    assert_eq!(
        (answer.rows, answer.recorded, answer.more_errors),
        (8, 2, 0)
    );
    let errors: Vec<(u64, &str)> = answer
        .errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    assert_eq!(errors.len(), 6, "{errors:?}");
    assert_eq!(errors[0].0, 4);
    assert!(
        errors[0]
            .1
            .starts_with("service_level: `OVERNIGHT` is not a service level")
    );
    assert_eq!(errors[1].0, 5);
    assert!(
        errors[1]
            .1
            .starts_with("carrier: carriers/00000000-0000-7000-8000-000000000000 not found")
    );
    assert_eq!(errors[2].0, 6);
    assert!(errors[2].1.starts_with("week:"));
    assert_eq!(errors[3].0, 7);
    assert!(errors[3].1.starts_with("parcels: must be a whole number"));
    assert_eq!(errors[4].0, 8);
    assert!(errors[4].1.starts_with("parcels: must be at most 10000000"));
    assert_eq!(errors[5], (9, "has 2 columns, not 4"));
    // 600 + 150 = 750 forecast against 7 × 100 = 700 → 50 short.
    let plan = planning(&app, Role::Internal, None)
        .get_capacity_plan(plan_request((2026, 11, 2), (2026, 11, 2)))
        .await
        .unwrap()
        .into_inner();
    let a = plan.weeks.iter().find(|w| w.carrier == acme).unwrap();
    assert_eq!((a.forecast, a.capacity, a.shortfall), (750, Some(700), 50));

    // A wrong header is refused whole; finance may not write forecasts.
    let status = import(&app, Role::Admin, "carrier,week,parcels\n")
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(violated_fields(&status), ["csv"]);
    let status = import(&app, Role::Finance, &csv).await.unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    // 20,001 data rows are refused whole.
    let mut big = String::from("carrier,service_level,week,parcels\n");
    for _ in 0..20_001 {
        big.push_str(&format!("{bare},GROUND,2026-W47,1\n"));
    }
    let status = import(&app, Role::Admin, &big).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("20000") || violated_fields(&status) == ["csv"]);
}
