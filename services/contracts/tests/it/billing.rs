//! Billing facts and the charge audit through real gRPC on SQLite and
//! PostgreSQL: RecordShipmentCharges under an etag, unrequested
//! accessorials, fuel on what the card says, dimensions rounded up.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{at, day, shipment, spawn_app, terms, usd, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::common::{Dimensions, LengthUnit, Weight, WeightUnit};
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    charges_are_recorded_under_an_etag_and_come_out_on_the_shipment,
    audit_flags_accessorials_that_were_never_requested,
    fuel_basis_and_dimension_rounding_come_from_the_rate_card,
);

fn mask(paths: &[&str]) -> Option<prost_types::FieldMask> {
    Some(prost_types::FieldMask {
        paths: paths.iter().map(|p| (*p).to_owned()).collect(),
    })
}

async fn charges_are_recorded_under_an_etag_and_come_out_on_the_shipment(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut s = shipment(&carrier, "T1", at(2026, 11, 2, 9, 0));
    s.billed_charge = None;
    let s = app.register(s).await;
    let record = |etag: &str| pb::RecordShipmentChargesRequest {
        name: s.name.clone(),
        etag: etag.into(),
        update_mask: mask(&[
            "invoice_date",
            "billed_charge",
            "billed_transportation_charge",
        ]),
        invoice_date: day(2026, 11, 9),
        billed_charge: usd(1_895),
        billed_transportation_charge: usd(1_200),
    };
    let err = app
        .partner_shipments(&carrier)
        .record_shipment_charges(record(&s.etag))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "carriers do not record");
    let mut finance = app.shipments(Role::Finance);
    let mut too_much = record(&s.etag);
    too_much.billed_transportation_charge = usd(2_000);
    let err = finance.record_shipment_charges(too_much).await.unwrap_err();
    assert_eq!(violated_fields(&err), ["billed_transportation_charge"]);
    let recorded = finance
        .record_shipment_charges(record(&s.etag))
        .await
        .unwrap()
        .into_inner();
    let fetched = app
        .shipments(Role::Internal)
        .get_shipment(pb::GetShipmentRequest {
            name: s.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched.invoice_date, day(2026, 11, 9));
    assert_eq!(fetched.billed_charge, usd(1_895));
    assert_eq!(fetched.billed_transportation_charge, usd(1_200));
    assert_eq!(fetched.etag, recorded.etag);
    let err = finance
        .record_shipment_charges(record(&s.etag))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted, "stale etag");
    // Only the masked field changes.
    let invoice_only = pb::RecordShipmentChargesRequest {
        update_mask: mask(&["invoice_date"]),
        invoice_date: day(2026, 11, 10),
        billed_charge: None,
        ..record(&recorded.etag)
    };
    let again = finance
        .record_shipment_charges(invoice_only)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (again.invoice_date, again.billed_charge),
        (day(2026, 11, 10), usd(1_895))
    );
}

async fn audit_flags_accessorials_that_were_never_requested(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut s = shipment(&carrier, "T1", at(2026, 11, 2, 9, 0));
    s.requested_services = vec!["SIGNATURE".into()];
    let s = app.register(s).await;
    assert_eq!(s.requested_services, ["SIGNATURE"]);
    // Zone 2, 3 lb billable (10×8×4 ÷ 139 = 2.302 → 3): base 10.00, fuel
    // 12.5% = 1.25, SIGNATURE 3.00 → expected 14.25. The carrier also bills
    // RESIDENTIAL 4.95 that nobody asked for: total 19.20, +4.95.
    let charge = |code: &str, cents| pb::Charge {
        code: code.into(),
        amount: usd(cents),
    };
    let audit = app
        .contracts(Role::Auditor)
        .audit_charge(pb::AuditChargeRequest {
            shipment: s.name.clone(),
            billed: Some(pb::BilledCharge {
                zone: "2".into(),
                billable_weight: None,
                base_charge: usd(1_000),
                surcharges: vec![
                    charge("FUEL", 125),
                    charge("SIGNATURE", 300),
                    charge("RESIDENTIAL", 495),
                ],
                total: usd(1_920),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(audit.expected.unwrap().total, usd(1_425));
    assert_eq!(audit.difference, usd(495));
    let found: Vec<_> = audit
        .discrepancies
        .iter()
        .map(|d| (d.cause(), d.code.as_str(), d.difference.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (pb::DiscrepancyCause::Surcharge, "RESIDENTIAL", usd(495)),
            (
                pb::DiscrepancyCause::UnrequestedAccessorial,
                "RESIDENTIAL",
                None
            ),
        ]
    );
    // A service the rate card does not sell cannot be requested.
    let mut unknown = shipment(&carrier, "T2", at(2026, 11, 2, 9, 0));
    unknown.requested_services = vec!["HAZMAT".into()];
    let err = app
        .shipments(Role::Admin)
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "t2".into(),
            shipment: Some(unknown),
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["shipment.requested_services[0]"]);
}

async fn fuel_basis_and_dimension_rounding_come_from_the_rate_card(backend: Backend) {
    let app = spawn_app(backend).await;
    let plain = app.carrier("PLAIN").await;
    let rounded = app.carrier("ROUND").await;
    app.active_contract(&plain, "P", day(2026, 1, 1)).await;
    let mut t = terms();
    for card in &mut t.rate_cards {
        card.fuel_applies_to = pb::FuelBasis::BaseAndAccessorials.into();
        card.round_dimensions_up = true;
    }
    app.active_contract_with(&rounded, "R", day(2026, 1, 1), t)
        .await;
    let request = |carrier: &str| pb::QuoteRateRequest {
        carrier: carrier.into(),
        service_level: "GROUND".into(),
        origin_postal_code: "94105".into(),
        destination_postal_code: "94016".into(),
        weight: Some(Weight {
            thousandths: 2_000,
            unit: WeightUnit::Lb.into(),
        }),
        dimensions: Some(Dimensions {
            length_thousandths: 12_200,
            width_thousandths: 8_200,
            height_thousandths: 6_900,
            unit: LengthUnit::In.into(),
        }),
        declared_value: None,
        ship_date: day(2026, 11, 2),
        accessorials: vec!["RESIDENTIAL".into()],
    };
    let mut client = app.contracts(Role::Internal);
    // Exact sides: 12.2 × 8.2 × 6.9 = 690.276 in³ ÷ 139 = 4.966 lb → 5 lb:
    // zone 2 ≤ 5 lb = 10.00; fuel 12.5% of the base = 1.25; RESIDENTIAL
    // 4.95: total 16.20.
    let q = client
        .quote_rate(request(&plain))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(q.base_charge, usd(1_000));
    assert_eq!(q.surcharges[0].amount, usd(125));
    assert_eq!(q.total, usd(1_620));
    // Sides rounded up first: 13 × 9 × 7 = 819 in³ ÷ 139 = 5.8921 → 5.893 lb → 6
    // lb: ≤ 20 lb = 18.00; fuel on base and accessorials: 12.5% × (18.00 +
    // 4.95) = 2.86875 → 2.87; total 18.00 + 2.87 + 4.95 = 25.82.
    let q = client
        .quote_rate(request(&rounded))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(q.dimensional_weight.unwrap().thousandths, 5_893);
    assert_eq!(q.base_charge, usd(1_800));
    assert_eq!(q.surcharges[0].amount, usd(287));
    assert_eq!(q.total, usd(2_582));
}
