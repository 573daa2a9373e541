//! QuoteRate and AuditCharge through real gRPC on SQLite and PostgreSQL:
//! the worked examples of rating (zone, DIM weight, minimum, fuel) and an
//! audit that finds what was overbilled.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{day, spawn_app, usd, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::common::{Dimensions, LengthUnit, Weight, WeightUnit};
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    quote_rate_worked_example_zone_8_dim_13_lb,
    quote_refuses_what_the_card_cannot_price,
    audit_finds_overbilled_weight_and_an_extra_surcharge,
);

fn quote_request(
    carrier: &str,
    destination: &str,
    accessorials: Vec<String>,
) -> pb::QuoteRateRequest {
    pb::QuoteRateRequest {
        carrier: carrier.into(),
        service_level: "GROUND".into(),
        origin_postal_code: "94105".into(),
        destination_postal_code: destination.into(),
        weight: Some(Weight {
            thousandths: 3_200,
            unit: WeightUnit::Lb.into(),
        }),
        dimensions: Some(Dimensions {
            length_thousandths: 12_000,
            width_thousandths: 12_000,
            height_thousandths: 12_000,
            unit: LengthUnit::In.into(),
        }),
        declared_value: None,
        ship_date: day(2026, 11, 20),
        accessorials,
    }
}

async fn quote_rate_worked_example_zone_8_dim_13_lb(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let version = app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    // 94105 -> 10001 is zone 8. 12x12x12 in / 139 = 12.432 lb DIM beats 3.2 lb
    // actual, billed 13 lb -> the 20 lb break: 26.00. Fuel 12.5% = 3.25,
    // residential 4.95: total 34.20.
    let quote = app
        .contracts(Role::Internal)
        .quote_rate(quote_request(&carrier, "10001", vec!["RESIDENTIAL".into()]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(quote.zone, "8");
    // DIM: 1728 in³ ÷ 139 = 12.43165… lb, reported rounded UP to the next
    // thousandth (12.432); billable = max(3.2, 12.432) rounded up per the
    // card (UP_WHOLE) = 13 lb.
    assert_eq!(quote.dimensional_weight.unwrap().thousandths, 12_432);
    assert_eq!(quote.actual_weight.unwrap().thousandths, 3_200);
    assert_eq!(quote.billable_weight.unwrap().thousandths, 13_000);
    assert_eq!(quote.base_charge, usd(2_600));
    let codes: Vec<_> = quote
        .surcharges
        .iter()
        .map(|c| (c.code.as_str(), c.amount.clone().unwrap().amount_minor))
        .collect();
    assert_eq!(codes, [("FUEL", 325), ("RESIDENTIAL", 495)]);
    assert_eq!(quote.total, usd(3_420));
    assert_eq!(quote.contract_version, version.name);

    // A 0.5 lb envelope to zone 2 costs 8.00 by weight, lifted to the 9.00
    // minimum; fuel is on the minimum: 1.125 -> 1.13 (half away from zero).
    let mut small = quote_request(&carrier, "94016", vec![]);
    small.weight = Some(Weight {
        thousandths: 500,
        unit: WeightUnit::Lb.into(),
    });
    small.dimensions = None;
    let quote = app
        .contracts(Role::Internal)
        .quote_rate(small)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(quote.zone, "2");
    assert!(quote.minimum_applied);
    assert_eq!(quote.base_charge, usd(900));
    assert_eq!(quote.total, usd(1_013));
}

async fn quote_refuses_what_the_card_cannot_price(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut client = app.contracts(Role::Internal);
    let err = client
        .quote_rate(quote_request(&carrier, "10001", vec!["HAZMAT".into()]))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["accessorials"]);
    let mut heavy = quote_request(&carrier, "10001", vec![]);
    heavy.weight = Some(Weight {
        thousandths: 150_000,
        unit: WeightUnit::Lb.into(),
    });
    assert_eq!(
        client.quote_rate(heavy).await.unwrap_err().code(),
        Code::FailedPrecondition
    );
    let mut before = quote_request(&carrier, "10001", vec![]);
    before.ship_date = day(2025, 6, 1);
    assert_eq!(
        client.quote_rate(before).await.unwrap_err().code(),
        Code::FailedPrecondition
    );
    let mut bad = quote_request(&carrier, "10001", vec![]);
    bad.weight = None;
    bad.ship_date = None;
    assert_eq!(
        violated_fields(&client.quote_rate(bad).await.unwrap_err()),
        ["weight", "ship_date"]
    );
}

async fn audit_finds_overbilled_weight_and_an_extra_surcharge(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    // 2 lb, 10x8x4 in (DIM 2.302 -> 3 lb billable), zone 2: 10.00 + fuel 1.25.
    let shipment = app
        .register(common::shipment(
            &carrier,
            "1Z001",
            common::at(2026, 11, 16, 9, 0),
        ))
        .await;
    let billed = pb::BilledCharge {
        zone: "2".into(),
        billable_weight: Some(Weight {
            thousandths: 8_000,
            unit: WeightUnit::Lb.into(),
        }),
        base_charge: usd(1_800),
        surcharges: vec![
            pb::Charge {
                code: "FUEL".into(),
                amount: usd(225),
            },
            pb::Charge {
                code: "SIGNATURE".into(),
                amount: usd(300),
            },
        ],
        total: usd(2_325),
    };
    let audit = app
        .contracts(Role::Finance)
        .audit_charge(pb::AuditChargeRequest {
            shipment: shipment.name.clone(),
            billed: Some(billed),
        })
        .await
        .unwrap()
        .into_inner();
    let expected = audit.expected.unwrap();
    assert_eq!(expected.billable_weight.unwrap().thousandths, 3_000);
    assert_eq!(expected.base_charge, usd(1_000));
    let causes: Vec<_> = audit.discrepancies.iter().map(|d| d.cause()).collect();
    assert!(causes.contains(&pb::DiscrepancyCause::Weight), "{causes:?}");
    assert!(
        causes.contains(&pb::DiscrepancyCause::BaseRate),
        "{causes:?}"
    );
    // The signature line is contracted, so the expected quote includes it;
    // what differs is the fuel on the inflated base.
    assert!(
        causes.contains(&pb::DiscrepancyCause::Surcharge),
        "{causes:?}"
    );
    assert_eq!(
        audit.difference,
        usd(2_325 - expected.total.unwrap().amount_minor)
    );
    assert!(audit.difference.unwrap().amount_minor > 0, "overbilled");

    // Only the recorded total: compared as a total.
    let total_only = app
        .contracts(Role::Finance)
        .audit_charge(pb::AuditChargeRequest {
            shipment: shipment.name.clone(),
            billed: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(total_only.billed_total, usd(1_000));
    assert_eq!(total_only.difference, usd(1_000 - 1_125));
}
