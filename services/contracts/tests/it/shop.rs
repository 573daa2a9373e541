//! ShopRates through real gRPC (contracts asking carriers) on SQLite and
//! PostgreSQL: every carrier in force quoted and ranked with its promise,
//! deliver-by and guaranteed-only, and unavailable carriers with the
//! reason (the on-time record and partners: `shop_on_time`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{TestApp, at, day, shipment, spawn_app, terms, ts, usd};
use recourse_platform::auth::Role;
use recourse_proto::carriers as cpb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::common::{Weight, WeightUnit};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::shop_service_client::ShopServiceClient;
use recourse_test_support::{Backend, backend_tests};

backend_tests!(shop_rates_worked_example_ranks_every_carrier_in_force);

pub fn shop_client(
    app: &TestApp,
    role: Role,
    scope: Option<&str>,
) -> ShopServiceClient<common::Authed> {
    let token = app.auth.token(role, scope);
    ShopServiceClient::new(app.server.authed(Some(&token)))
}

fn carriers_client(app: &TestApp) -> CarrierServiceClient<common::Authed> {
    let token = app.auth.token(Role::Admin, None);
    CarrierServiceClient::new(app.server.authed(Some(&token)))
}

/// Moves `carrier` to `status` (through active, from wherever it is).
pub async fn set_status(app: &TestApp, carrier: &str, status: cpb::CarrierStatus) {
    let mut client = carriers_client(app);
    let mut path = vec![cpb::CarrierStatus::Active];
    if status != cpb::CarrierStatus::Active {
        path.push(status);
    }
    for next in path {
        let current = client
            .get_carrier(cpb::GetCarrierRequest {
                name: carrier.into(),
            })
            .await
            .unwrap()
            .into_inner();
        if current.status == i32::from(next) {
            continue;
        }
        client
            .change_carrier_status(cpb::ChangeCarrierStatusRequest {
                name: carrier.into(),
                status: next.into(),
                reason: "test".into(),
                etag: current.etag,
            })
            .await
            .unwrap();
    }
}

/// Sets the carrier's capacity: `daily` parcels, plus peak windows.
pub async fn set_capacity(
    app: &TestApp,
    carrier: &str,
    daily: u32,
    peaks: Vec<cpb::PeakAllocation>,
) {
    let mut client = carriers_client(app);
    let mut current = client
        .get_carrier(cpb::GetCarrierRequest {
            name: carrier.into(),
        })
        .await
        .unwrap()
        .into_inner();
    current.capacity = Some(cpb::Capacity {
        daily_parcels: daily,
        peak_allocations: peaks,
    });
    client
        .update_carrier(cpb::UpdateCarrierRequest {
            carrier: Some(current),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["capacity".into()],
            }),
        })
        .await
        .unwrap();
}

/// A 2 lb parcel 94105 → 94016 (zone 2 on every test card), residential,
/// shipped Mon 2 Nov 2026, zones UTC.
pub fn request() -> pb::ShopRatesRequest {
    pb::ShopRatesRequest {
        origin_postal_code: "94105".into(),
        destination_postal_code: "94016".into(),
        weight: Some(Weight {
            thousandths: 2_000,
            unit: WeightUnit::Lb.into(),
        }),
        dimensions: None,
        declared_value: None,
        ship_date: day(2026, 11, 2),
        requested_services: vec!["RESIDENTIAL".into()],
        deliver_by: None,
        guaranteed_only: false,
        origin_time_zone: String::new(),
        destination_time_zone: String::new(),
    }
}

fn total(o: &pb::RateOption) -> i64 {
    o.quote
        .as_ref()
        .unwrap()
        .total
        .as_ref()
        .unwrap()
        .amount_minor
}

async fn shop_rates_worked_example_ranks_every_carrier_in_force(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.carrier("ACME").await;
    let bolt = app.carrier("BOLT").await;
    let craw = app.carrier("CRAW").await;
    let dash = app.carrier("DASH").await;
    let _none = app.carrier("NONE").await; // no contract: not considered
    app.active_contract(&acme, "ACME-MSA", day(2026, 1, 1))
        .await;
    // BOLT: GROUND zone 2 at 7.00 / 9.00 for 1 / 5 lb; NEXT_DAY fuel 10%.
    let mut bolt_terms = terms();
    bolt_terms.rate_cards[0].zone_rates[0].weight_breaks[0].charge = usd(700);
    bolt_terms.rate_cards[0].zone_rates[0].weight_breaks[1].charge = usd(900);
    bolt_terms.rate_cards[1].fuel_surcharge_bp = 1_000;
    app.active_contract_with(&bolt, "BOLT-MSA", day(2026, 1, 1), bolt_terms)
        .await;
    app.active_contract(&craw, "CRAW-MSA", day(2026, 1, 1))
        .await;
    app.active_contract(&dash, "DASH-MSA", day(2026, 1, 1))
        .await;
    for c in [&acme, &bolt, &dash] {
        set_status(&app, c, cpb::CarrierStatus::Active).await;
    }
    set_status(&app, &craw, cpb::CarrierStatus::Suspended).await;
    // DASH takes 2 parcels a day, 1 in its peak from 2 Nov; 1 is tendered
    // for 2 Nov: exhausted (1 ≥ 1). On 1 Nov (before the peak) 2 is the
    // allocation and nothing is tendered.
    set_capacity(
        &app,
        &dash,
        2,
        vec![cpb::PeakAllocation {
            start_date: day(2026, 11, 2),
            end_date: day(2026, 11, 30),
            daily_parcels: 1,
        }],
    )
    .await;
    app.register(shipment(&dash, "DASH-1", at(2026, 11, 2, 9, 0)))
        .await;

    let answer = shop_client(&app, Role::Internal, None)
        .shop_rates(request())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.carriers_considered, 4);
    // 2 lb → the 5 lb break (UP_WHOLE: 2 lb).
    //   ACME GROUND / NEXT_DAY: base 10.00, fuel 12.5% = 1.25,
    //     RESIDENTIAL 4.95 → 16.20 each.
    //   BOLT GROUND: break 9.00 (not below the 9.00 minimum), fuel 12.5% ×
    //     9.00 = 1.125 → 1.13 (half away from zero), 4.95 → 15.08.
    //   BOLT NEXT_DAY: 10.00, fuel 10% = 1.00, 4.95 → 15.95.
    // Promises (UTC, handed over Mon 2 Nov): NEXT_DAY zone 2 = 1 business
    // day by 10:30 → Tue 3 Nov 10:30; GROUND zone 2 = 2 business days by
    // 20:00 → Wed 4 Nov 20:00. The 16.20 tie goes to the earlier promise.
    let got: Vec<(u32, &str, &str, i64)> = answer
        .options
        .iter()
        .map(|o| {
            (
                o.rank,
                o.carrier.as_str(),
                o.service_level.as_str(),
                total(o),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, bolt.as_str(), "GROUND", 1_508),
            (2, bolt.as_str(), "NEXT_DAY", 1_595),
            (3, acme.as_str(), "NEXT_DAY", 1_620),
            (4, acme.as_str(), "GROUND", 1_620),
        ]
    );
    let first = &answer.options[0];
    let quote = first.quote.as_ref().unwrap();
    assert_eq!(quote.zone, "2");
    assert!(!quote.minimum_applied, "9.00 is not below the 9.00 minimum");
    assert_eq!(quote.base_charge, usd(900));
    assert_eq!(
        quote
            .surcharges
            .iter()
            .map(|c| (c.code.as_str(), c.amount.as_ref().unwrap().amount_minor))
            .collect::<Vec<_>>(),
        vec![("FUEL", 113), ("RESIDENTIAL", 495)]
    );
    assert!(quote.contract_version.starts_with("contracts/"));
    assert_eq!(first.promised_delivery_time, ts(at(2026, 11, 4, 20, 0)));
    assert_eq!(first.promised_delivery_date, day(2026, 11, 4));
    assert!(!first.guaranteed);
    assert_eq!(
        answer.options[1].promised_delivery_time,
        ts(at(2026, 11, 3, 10, 30))
    );
    assert!(answer.options[1].guaranteed);
    // No deliver-by asked: every option meets it.
    assert!(answer.options.iter().all(|o| o.meets_deliver_by));
    // CRAW suspended, DASH's allocation used up, each with its reason.
    let mut unavailable: Vec<(&str, i32, &str)> = answer
        .unavailable
        .iter()
        .map(|u| (u.carrier.as_str(), u.reason, u.service_level.as_str()))
        .collect();
    unavailable.sort();
    let mut expected = vec![
        (
            craw.as_str(),
            i32::from(pb::UnavailableReason::CarrierSuspended),
            "",
        ),
        (
            dash.as_str(),
            i32::from(pb::UnavailableReason::CapacityExhausted),
            "",
        ),
    ];
    expected.sort();
    assert_eq!(unavailable, expected);
    let dash_row = answer
        .unavailable
        .iter()
        .find(|u| u.carrier == dash)
        .unwrap();
    assert_eq!(
        dash_row.detail,
        "1 parcels tendered for 2026-11-02; the allocation is 1"
    );

    // Deliver by Tue 3 Nov: the NEXT_DAY options (due Tue) meet it, the
    // GROUND ones (due Wed) do not; the order is the same.
    let mut by_tuesday = request();
    by_tuesday.deliver_by = day(2026, 11, 3);
    let answer = shop_client(&app, Role::Internal, None)
        .shop_rates(by_tuesday)
        .await
        .unwrap()
        .into_inner();
    let meets: Vec<(&str, bool)> = answer
        .options
        .iter()
        .map(|o| (o.service_level.as_str(), o.meets_deliver_by))
        .collect();
    assert_eq!(
        meets,
        vec![
            ("GROUND", false),
            ("NEXT_DAY", true),
            ("NEXT_DAY", true),
            ("GROUND", false)
        ]
    );

    // Guaranteed only: the NEXT_DAY options (guaranteed in the terms).
    let mut guaranteed = request();
    guaranteed.guaranteed_only = true;
    let answer = shop_client(&app, Role::Finance, None)
        .shop_rates(guaranteed)
        .await
        .unwrap()
        .into_inner();
    let got: Vec<(u32, &str, i64)> = answer
        .options
        .iter()
        .map(|o| (o.rank, o.carrier.as_str(), total(o)))
        .collect();
    assert_eq!(
        got,
        vec![(1, bolt.as_str(), 1_595), (2, acme.as_str(), 1_620)]
    );

    // A service no card offers, and a lane no chart rates: listed per
    // service level with the reason, nothing quoted.
    let mut unusual = request();
    unusual.requested_services = vec!["LIFTGATE".into()];
    let answer = shop_client(&app, Role::Internal, None)
        .shop_rates(unusual)
        .await
        .unwrap()
        .into_inner();
    assert!(answer.options.is_empty());
    let not_offered = answer
        .unavailable
        .iter()
        .filter(|u| u.reason == i32::from(pb::UnavailableReason::ServiceNotOffered))
        .count();
    assert_eq!(not_offered, 4, "two levels each of ACME and BOLT");
    // A parcel over the heaviest break (70 lb).
    let mut heavy = request();
    heavy.weight = Some(Weight {
        thousandths: 80_000,
        unit: WeightUnit::Lb.into(),
    });
    let answer = shop_client(&app, Role::Internal, None)
        .shop_rates(heavy)
        .await
        .unwrap()
        .into_inner();
    assert!(answer.options.is_empty());
    assert!(answer.unavailable.iter().any(|u| u.reason
        == i32::from(pb::UnavailableReason::LaneNotServed)
        && u.detail.contains("exceeds zone 2")));

    // The day before the peak: DASH's 2 parcels a day are untouched, so it
    // is quoted (16.20 each level, its promise is earlier: Mon → Mon 2 Nov
    // 10:30 for NEXT_DAY).
    let mut sunday = request();
    sunday.ship_date = day(2026, 11, 1);
    let answer = shop_client(&app, Role::Internal, None)
        .shop_rates(sunday)
        .await
        .unwrap()
        .into_inner();
    assert!(answer.options.iter().any(|o| o.carrier == dash));
    assert_eq!(
        answer.unavailable.len(),
        1,
        "only CRAW: {:?}",
        answer.unavailable
    );
}
