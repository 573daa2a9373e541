//! Damaged in return: a return is a shipment of its own (registered with
//! `return_of` on a contract's return service level), so a claim for damage
//! in return is filed against the return and counts its filing window from
//! the return's delivery, apart from any claim on the outbound parcel.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{Duration, Utc};
use common::{claim_request, spawn_app, submit, usd, with_damage_documents};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};

backend_tests!(a_claim_for_damage_in_return_is_the_returns_own_claim);

/// The standard terms plus RETURN_GROUND (GROUND's card and SLA, labels
/// 6.50 paid by the merchant).
fn return_terms() -> cpb::ContractTerms {
    let mut t = common::terms();
    let mut card = t.rate_cards[0].clone();
    card.service_level = "RETURN_GROUND".into();
    t.rate_cards.push(card);
    let mut sla = t.sla_terms[0].clone();
    sla.service_level = "RETURN_GROUND".into();
    t.sla_terms.push(sla);
    t.returns = vec![cpb::ReturnTerms {
        service_level: "RETURN_GROUND".into(),
        label_cost: usd(650),
        payer: cpb::ReturnPayer::Merchant.into(),
    }];
    t
}

async fn a_claim_for_damage_in_return_is_the_returns_own_claim(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut request = common::carrier_request("RETN");
    if let Some(carrier) = request.carrier.as_mut() {
        carrier
            .service_levels
            .push(recourse_proto::carriers::ServiceLevel {
                code: "RETURN_GROUND".into(),
                display_name: "Returns".into(),
                guaranteed: false,
                transit_days_min: 1,
                transit_days_max: 5,
            });
    }
    let world = app.world_from(request, return_terms()).await;
    // Outbound shipped 20 days ago, delivered 19 days ago; its return
    // shipped 10 days ago, delivered 8 days ago (back to the warehouse).
    let now = Utc::now();
    let outbound_ship = now - Duration::days(20);
    let outbound = app
        .ship(
            &world,
            common::shipment(&world.carrier, "OUT-1", outbound_ship),
            Some(outbound_ship + Duration::days(1)),
        )
        .await;
    let return_ship = now - Duration::days(10);
    let mut back = common::shipment(&world.carrier, "RET-1", return_ship);
    back.service_level = "RETURN_GROUND".into();
    std::mem::swap(
        &mut back.origin_postal_code,
        &mut back.destination_postal_code,
    );
    back.return_of = outbound.clone();
    back.billed_charge = None;
    let returned = app
        .ship(&world, back, Some(return_ship + Duration::days(2)))
        .await;

    let mut internal = app.claims(Role::Internal);
    let file =
        |id: &str, shipment: &str| claim_request(id, shipment, cpb::ClaimType::Damage, 1, 5_000);
    // Damage on the outbound leg and damage in return: one open DAMAGE
    // claim per shipment, so both stand side by side.
    let on_return = internal
        .create_claim(file("dmg-return", &returned))
        .await
        .unwrap()
        .into_inner();
    let on_outbound = internal
        .create_claim(file("dmg-outbound", &outbound))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(on_return.shipment, returned);
    assert_eq!(on_outbound.shipment, outbound);
    assert_ne!(on_return.number, on_outbound.number);

    let on_return = with_damage_documents(&app, &on_return).await;
    let submitted = submit(&mut internal, &on_return).await.unwrap();
    assert_eq!(submitted.status(), pb::ClaimStatus::Submitted);
    let terms = submitted.terms.unwrap();
    // DAMAGE: 60 days from the actual delivery — the return's, 8 days ago:
    // deadline = (today − 8) + 60 = today + 52.
    let delivered = (return_ship + Duration::days(2)).date_naive();
    assert_eq!(terms.anchor_date, Some(date_to_proto(delivered)));
    assert_eq!(
        terms.filing_deadline,
        Some(date_to_proto(delivered + Duration::days(60)))
    );
    // 1 × 50.00 claimed, nothing declared: min(50.00, the 100.00 default)
    // = 50.00.
    assert_eq!(terms.liability_cap, usd(5_000));
}
