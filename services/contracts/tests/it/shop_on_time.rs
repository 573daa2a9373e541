//! ShopRates on SQLite and PostgreSQL: the measured on-time record over
//! the 13 weeks before the ship date, partners shopping only their own
//! carrier, and the request's bounds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::shop::{request, set_status, shop_client};

use common::{TestApp, at, day, event, ingest, shipment, spawn_app, ts, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::carriers as cpb;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::TrackingEventType::{Delivered, PickedUp};

backend_tests!(
    the_on_time_rate_sums_the_evaluations_of_the_13_weeks_before_the_ship_date,
    partners_shop_only_their_own_carrier_and_bad_input_is_named,
);

/// NEXT_DAY parcels of `carrier` shipped at 09:00 on `days` (Nov 2026 or
/// Oct), each delivered `late_minutes` after its promise of 10:30 the
/// next business day.
async fn ship_and_deliver(
    app: &TestApp,
    carrier: &str,
    parcels: &[(&str, chrono::DateTime<chrono::Utc>, i64)],
) {
    let mut events = Vec::new();
    for (tracking, shipped, late_minutes) in parcels {
        let mut s = shipment(carrier, tracking, *shipped);
        s.service_level = "NEXT_DAY".into();
        let registered = app.register(s).await;
        let promise = registered.promised_delivery_time.unwrap();
        let promise = chrono::DateTime::from_timestamp(promise.seconds, 0).unwrap();
        events.push(event(
            &format!("p-{tracking}"),
            tracking,
            PickedUp,
            *shipped + chrono::Duration::hours(1),
        ));
        events.push(event(
            &format!("d-{tracking}"),
            tracking,
            Delivered,
            promise + chrono::Duration::minutes(*late_minutes),
        ));
    }
    ingest(&mut app.shipments(Role::Internal), carrier, vec![events])
        .await
        .unwrap();
}

async fn evaluate_week(
    app: &TestApp,
    carrier: &str,
    d: Option<recourse_proto::common::Date>,
) -> pb::SlaEvaluation {
    app.sla(Role::Internal)
        .evaluate_sla(pb::EvaluateSlaRequest {
            carrier: carrier.into(),
            service_level: "NEXT_DAY".into(),
            period_date: d,
            as_of: ts(at(2026, 11, 20, 0, 0)),
        })
        .await
        .unwrap()
        .into_inner()
}

async fn the_on_time_rate_sums_the_evaluations_of_the_13_weeks_before_the_ship_date(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let acme = app.carrier("ACME").await;
    app.active_contract(&acme, "ACME-MSA", day(2026, 1, 1))
        .await;
    set_status(&app, &acme, cpb::CarrierStatus::Active).await;
    // NEXT_DAY is measured weekly (Mon–Sun), no grace.
    //   week of Mon 19 Oct: A on time                  → 1 of 1
    //   week of Mon 26 Oct: B, C on time, D 5 min late → 2 of 3
    //   week of Mon 2 Nov:  E late — ends Sun 8 Nov, after the window
    //   week of Mon 27 Jul: F late — starts before the window (3 Aug)
    ship_and_deliver(
        &app,
        &acme,
        &[
            ("A", at(2026, 10, 19, 9, 0), -30),
            ("B", at(2026, 10, 26, 9, 0), -30),
            ("C", at(2026, 10, 27, 9, 0), 0),
            ("D", at(2026, 10, 28, 9, 0), 5),
            ("E", at(2026, 11, 2, 9, 0), 60),
            ("F", at(2026, 7, 27, 9, 0), 60),
        ],
    )
    .await;
    for d in [
        day(2026, 10, 19),
        day(2026, 10, 26),
        day(2026, 11, 2),
        day(2026, 7, 27),
    ] {
        evaluate_week(&app, &acme, d).await;
    }
    // Ship Mon 2 Nov: window Mon 3 Aug – Sun 1 Nov (91 days). Summed by
    // counts: (1 + 2) on time of (1 + 3) measured = 3 ÷ 4 → 30000 ÷ 4 =
    // 7500 bp, from 2 evaluations. GROUND has none: no rate.
    let answer = shop_client(&app, Role::Auditor, None)
        .shop_rates(request())
        .await
        .unwrap()
        .into_inner();
    let next_day = answer
        .options
        .iter()
        .find(|o| o.service_level == "NEXT_DAY")
        .unwrap();
    let on_time = next_day.on_time.as_ref().unwrap();
    assert_eq!(
        (
            on_time.rate_bp,
            on_time.on_time,
            on_time.measured,
            on_time.evaluations
        ),
        (Some(7_500), 3, 4, 2)
    );
    assert_eq!(on_time.window_start, day(2026, 8, 3));
    assert_eq!(on_time.window_end, day(2026, 11, 1));
    let ground = answer
        .options
        .iter()
        .find(|o| o.service_level == "GROUND")
        .unwrap();
    assert_eq!(ground.on_time.as_ref().unwrap().rate_bp, None);
    // Ship Mon 9 Nov: the window (10 Aug – 8 Nov) now holds the week of 2
    // Nov too: (1 + 2 + 0) ÷ (1 + 3 + 1) = 3 ÷ 5 = 6000 bp.
    let mut later = request();
    later.ship_date = day(2026, 11, 9);
    let answer = shop_client(&app, Role::Admin, None)
        .shop_rates(later)
        .await
        .unwrap()
        .into_inner();
    let on_time = answer
        .options
        .iter()
        .find(|o| o.service_level == "NEXT_DAY")
        .unwrap()
        .on_time
        .unwrap();
    assert_eq!((on_time.rate_bp, on_time.measured), (Some(6_000), 5));
}

async fn partners_shop_only_their_own_carrier_and_bad_input_is_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.carrier("ACME").await;
    let bolt = app.carrier("BOLT").await;
    for c in [&acme, &bolt] {
        app.active_contract(
            c,
            &format!("{c}-MSA").replace("carriers/", ""),
            day(2026, 1, 1),
        )
        .await;
        set_status(&app, c, cpb::CarrierStatus::Active).await;
    }
    let acme_id = acme.trim_start_matches("carriers/");
    let answer = shop_client(&app, Role::Carrier, Some(acme_id))
        .shop_rates(request())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.carriers_considered, 1);
    assert!(!answer.options.is_empty());
    assert!(answer.options.iter().all(|o| o.carrier == acme));
    // A 3PL cannot read contracts or the carriers registry.
    let status = shop_client(&app, Role::ThirdParty, Some("acct-1"))
        .shop_rates(request())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    // Every bad field is named at once.
    let mut bad = request();
    bad.origin_postal_code = String::new();
    bad.weight = None;
    bad.ship_date = None;
    bad.deliver_by = day(2026, 10, 1);
    bad.origin_time_zone = "Mars/Olympus".into();
    bad.requested_services = vec!["lower".into()];
    let status = shop_client(&app, Role::Internal, None)
        .shop_rates(bad)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let mut fields = violated_fields(&status);
    fields.sort();
    assert_eq!(
        fields,
        [
            "origin_postal_code",
            "origin_time_zone",
            "requested_services[0]",
            "ship_date",
            "weight"
        ]
    );
    // Deliver-by before the ship date; more requested services than the
    // bound (100).
    let mut bad = request();
    bad.deliver_by = day(2026, 11, 1);
    bad.requested_services = vec!["RESIDENTIAL".into(); 101];
    let status = shop_client(&app, Role::Internal, None)
        .shop_rates(bad)
        .await
        .unwrap_err();
    let mut fields = violated_fields(&status);
    fields.sort();
    assert_eq!(fields, ["deliver_by", "requested_services"]);
    let mut edge = request();
    edge.requested_services = vec!["RESIDENTIAL".into(); 100];
    shop_client(&app, Role::Internal, None)
        .shop_rates(edge)
        .await
        .unwrap();
}
