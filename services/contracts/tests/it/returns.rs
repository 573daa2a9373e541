//! Returns through real gRPC on SQLite and PostgreSQL: return terms in the
//! contract, return shipments linked to their outbound (3PLs returning
//! only their own), the label cost and payer fixed at tender, and the
//! returns report's worked example, apart from outbound.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{
    TestApp, at, carrier_request, day, event, ingest, shipment, spawn_app, terms, ts, usd,
};
use recourse_platform::auth::Role;
use recourse_proto::carriers as cpb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::contracts as pb;
use recourse_proto::contracts::return_service_client::ReturnServiceClient;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::TrackingEventType::Delivered;

backend_tests!(
    returns_report_worked_example_per_carrier_and_merchant,
    a_return_must_name_a_visible_outbound_on_a_return_level,
);

/// A carrier selling GROUND, NEXT_DAY and RETURN_GROUND; returns
/// `carriers/{id}`.
async fn return_carrier(app: &TestApp, code: &str) -> String {
    let mut request = carrier_request(code);
    request
        .carrier
        .as_mut()
        .unwrap()
        .service_levels
        .push(cpb::ServiceLevel {
            code: "RETURN_GROUND".into(),
            display_name: "Returns".into(),
            guaranteed: false,
            transit_days_min: 1,
            transit_days_max: 5,
        });
    let token = app.auth.token(Role::Admin, None);
    CarrierServiceClient::new(app.server.authed(Some(&token)))
        .create_carrier(request)
        .await
        .unwrap()
        .into_inner()
        .name
}

/// The standard terms plus RETURN_GROUND: GROUND's card, 2 business days
/// in zone 2 by the end of the day, labels 6.50 paid by the merchant.
fn return_terms() -> pb::ContractTerms {
    let mut t = terms();
    let mut card = t.rate_cards[0].clone();
    card.service_level = "RETURN_GROUND".into();
    t.rate_cards.push(card);
    let mut sla = t.sla_terms[0].clone();
    sla.service_level = "RETURN_GROUND".into();
    sla.commit_kind = pb::CommitKind::EndOfDay.into();
    sla.delivery_commit_minute = 0;
    t.sla_terms.push(sla);
    t.returns = vec![pb::ReturnTerms {
        service_level: "RETURN_GROUND".into(),
        label_cost: usd(650),
        payer: pb::ReturnPayer::Merchant.into(),
    }];
    t
}

fn return_of(
    carrier: &str,
    tracking: &str,
    outbound: &str,
    shipped: chrono::DateTime<chrono::Utc>,
) -> pb::Shipment {
    let mut s = shipment(carrier, tracking, shipped);
    s.service_level = "RETURN_GROUND".into();
    // Back from the customer (94016) to the warehouse (94105): zone 2.
    std::mem::swap(&mut s.origin_postal_code, &mut s.destination_postal_code);
    s.return_of = outbound.into();
    s.billed_charge = None;
    s
}

fn reports(app: &TestApp, role: Role, scope: Option<&str>) -> ReturnServiceClient<common::Authed> {
    let token = app.auth.token(role, scope);
    ReturnServiceClient::new(app.server.authed(Some(&token)))
}

async fn returns_report_worked_example_per_carrier_and_merchant(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = return_carrier(&app, "ACME").await;
    app.active_contract_with(&acme, "MSA", day(2026, 1, 1), return_terms())
        .await;
    // Outbound (GROUND), shipped Mon 2 Nov 2026: four for acct-1, two for
    // acct-2; one for acct-1 on 20 Oct (outside the range) with a return.
    let mut outbound = Vec::new();
    for (tracking, account, d) in [
        ("O1", "acct-1", (11, 2)),
        ("O2", "acct-1", (11, 2)),
        ("O3", "acct-1", (11, 2)),
        ("O4", "acct-1", (11, 2)),
        ("P1", "acct-2", (11, 2)),
        ("P2", "acct-2", (11, 2)),
        ("OLD", "acct-1", (10, 20)),
    ] {
        let mut s = shipment(&acme, tracking, at(2026, d.0, d.1, 9, 0));
        s.shipper_account = account.into();
        outbound.push(app.register(s).await.name);
    }
    // acct-1 registers its own returns (a 3PL principal).
    let mut third_party = app.third_party_shipments("acct-1");
    let mut register = async |s: pb::Shipment| {
        third_party
            .register_shipment(pb::RegisterShipmentRequest {
                request_id: format!("ret-{}", s.tracking_number),
                shipment: Some(s),
            })
            .await
            .map(tonic::Response::into_inner)
    };
    // R1 of O1, Mon 9 Nov 09:00: 2 business days, end of day → due Wed 11
    // Nov 24:00 (Thu 12 Nov 00:00 UTC).
    let r1 = register(return_of(&acme, "R1", &outbound[0], at(2026, 11, 9, 9, 0)))
        .await
        .unwrap();
    assert_eq!(r1.return_of, outbound[0]);
    assert_eq!(r1.return_label_cost, usd(650));
    assert_eq!(r1.return_payer, i32::from(pb::ReturnPayer::Merchant));
    assert_eq!(r1.shipper_account, "acct-1");
    assert_eq!(r1.promised_delivery_time, ts(at(2026, 11, 12, 0, 0)));
    register(return_of(&acme, "R2", &outbound[1], at(2026, 11, 10, 9, 0)))
        .await
        .unwrap();
    register(return_of(&acme, "R3", &outbound[2], at(2026, 11, 11, 9, 0)))
        .await
        .unwrap();
    register(return_of(
        &acme,
        "ROLD",
        &outbound[6],
        at(2026, 10, 26, 9, 0),
    ))
    .await
    .unwrap();
    // R1 delivered Wed 11 Nov 15:00 (54 h, on time); R2 Fri 13 Nov 09:00
    // (72 h; due Thu 12 Nov 24:00: late); R3 not yet.
    ingest(
        &mut app.shipments(Role::Internal),
        &acme,
        vec![vec![
            event("d1", "R1", Delivered, at(2026, 11, 11, 15, 0)),
            event("d2", "R2", Delivered, at(2026, 11, 13, 9, 0)),
        ]],
    )
    .await
    .unwrap();
    // GetShipment shows the link.
    let read = app
        .shipments(Role::Auditor)
        .get_shipment(pb::GetShipmentRequest {
            name: r1.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (read.return_of.as_str(), read.return_label_cost),
        (outbound[0].as_str(), usd(650))
    );

    let report = reports(&app, Role::Internal, None)
        .get_returns_report(pb::GetReturnsReportRequest {
            from: day(2026, 11, 1),
            to: day(2026, 11, 7),
            carrier: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(report.rows.len(), 2);
    // acct-1: 3 returns of 4 outbound → 30000 ÷ 4 = 7500 bp; 2 delivered,
    // 1 on time; mean transit (54 h + 72 h) ÷ 2 = (3240 + 4320) ÷ 2 =
    // 3780 min; labels 3 × 6.50 = 19.50. ROLD's outbound shipped before
    // the range: not counted.
    let a = &report.rows[0];
    assert_eq!(
        (a.carrier.as_str(), a.merchant.as_str()),
        (acme.as_str(), "acct-1")
    );
    assert_eq!(
        (a.outbound, a.returns, a.return_rate_bp),
        (4, 3, Some(7_500))
    );
    assert_eq!((a.returns_delivered, a.returns_on_time), (2, 1));
    assert_eq!(a.mean_return_transit_minutes, Some(3_780));
    assert_eq!(a.label_costs, vec![usd(1_950).unwrap()]);
    // acct-2: 2 outbound, no return: 0 bp, no transit time.
    let b = &report.rows[1];
    assert_eq!(
        (b.merchant.as_str(), b.outbound, b.returns, b.return_rate_bp),
        ("acct-2", 2, 0, Some(0))
    );
    assert_eq!(b.mean_return_transit_minutes, None);
    // acct-2's 3PL sees only its own row.
    let own = reports(&app, Role::ThirdParty, Some("acct-2"))
        .get_returns_report(pb::GetReturnsReportRequest {
            from: day(2026, 11, 1),
            to: day(2026, 11, 7),
            carrier: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(own.rows.len(), 1);
    assert_eq!(own.rows[0].merchant, "acct-2");
    // Returns are measured apart from outbound: GROUND's October-November
    // evaluation does not count them (their level is RETURN_GROUND).
    let ground = app
        .sla(Role::Internal)
        .evaluate_sla(pb::EvaluateSlaRequest {
            carrier: acme.clone(),
            service_level: "GROUND".into(),
            period_date: day(2026, 11, 2),
            as_of: ts(at(2026, 11, 20, 0, 0)),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ground.shipments, 6);
    let returns_sla = app
        .sla(Role::Internal)
        .evaluate_sla(pb::EvaluateSlaRequest {
            carrier: acme.clone(),
            service_level: "RETURN_GROUND".into(),
            period_date: day(2026, 11, 9),
            as_of: ts(at(2026, 11, 20, 0, 0)),
        })
        .await
        .unwrap()
        .into_inner();
    // R1 on time, R2 late (60 minutes of grace do not reach 09:00), R3
    // undelivered past due: 1 ÷ 3.
    assert_eq!((returns_sla.shipments, returns_sla.on_time), (3, 1));
}

async fn a_return_must_name_a_visible_outbound_on_a_return_level(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = return_carrier(&app, "ACME").await;
    app.active_contract_with(&acme, "MSA", day(2026, 1, 1), return_terms())
        .await;
    let mut s = shipment(&acme, "O1", at(2026, 11, 2, 9, 0));
    s.shipper_account = "acct-1".into();
    let o1 = app.register(s).await.name;
    let r1 = app
        .register(return_of(&acme, "R1", &o1, at(2026, 11, 9, 9, 0)))
        .await;
    // The return took the outbound's account.
    assert_eq!(r1.shipper_account, "acct-1");
    let try_register =
        async |client: &mut pb::shipment_service_client::ShipmentServiceClient<common::Authed>,
               s: pb::Shipment| {
            client
                .register_shipment(pb::RegisterShipmentRequest {
                    request_id: format!("try-{}", s.tracking_number),
                    shipment: Some(s),
                })
                .await
                .unwrap_err()
        };
    let mut admin = app.shipments(Role::Admin);
    // A return of a return.
    let status = try_register(
        &mut admin,
        return_of(&acme, "RR", &r1.name, at(2026, 11, 10, 9, 0)),
    )
    .await;
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(common::violated_fields(&status), ["shipment.return_of"]);
    // On a level that is not a return level.
    let mut ground = return_of(&acme, "RG", &o1, at(2026, 11, 10, 9, 0));
    ground.service_level = "GROUND".into();
    let status = try_register(&mut admin, ground).await;
    assert_eq!(common::violated_fields(&status), ["shipment.service_level"]);
    // Another account's outbound, for a 3PL: NOT_FOUND, as a made-up one.
    let mut other = app.third_party_shipments("acct-2");
    let theirs = try_register(
        &mut other,
        return_of(&acme, "RX", &o1, at(2026, 11, 10, 9, 0)),
    )
    .await;
    let made_up = try_register(
        &mut other,
        return_of(
            &acme,
            "RY",
            "shipments/00000000-0000-7000-8000-000000000000",
            at(2026, 11, 10, 9, 0),
        ),
    )
    .await;
    assert_eq!(
        (theirs.code(), made_up.code()),
        (Code::NotFound, Code::NotFound)
    );
    // A malformed name.
    let status = try_register(
        &mut admin,
        return_of(&acme, "RZ", "nope", at(2026, 11, 10, 9, 0)),
    )
    .await;
    assert_eq!(common::violated_fields(&status), ["shipment.return_of"]);
    // The report: another carrier, real or made up, is NOT_FOUND to a
    // carrier principal (AIP-211); the range is at most 366 days (1 Jan
    // 2026 to 1 Jan 2027 inclusive is 366).
    let bolt = app.carrier("BOLT").await;
    let acme_id = acme.trim_start_matches("carriers/");
    let ask = |carrier: &str, from: Option<recourse_proto::common::Date>, to| {
        pb::GetReturnsReportRequest {
            from,
            to,
            carrier: carrier.to_owned(),
        }
    };
    let mut partner = reports(&app, Role::Carrier, Some(acme_id));
    let real = partner
        .get_returns_report(ask(&bolt, day(2026, 11, 1), day(2026, 11, 7)))
        .await
        .unwrap_err();
    let fake = partner
        .get_returns_report(ask(
            "carriers/00000000-0000-7000-8000-000000000000",
            day(2026, 11, 1),
            day(2026, 11, 7),
        ))
        .await
        .unwrap_err();
    assert_eq!((real.code(), fake.code()), (Code::NotFound, Code::NotFound));
    let own = partner
        .get_returns_report(ask("", day(2026, 11, 1), day(2026, 11, 7)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((own.rows.len(), own.rows[0].returns), (1, 1));
    partner
        .get_returns_report(ask("", day(2026, 1, 1), day(2027, 1, 1)))
        .await
        .unwrap();
    let status = partner
        .get_returns_report(ask("", day(2026, 1, 1), day(2027, 1, 2)))
        .await
        .unwrap_err();
    assert_eq!(common::violated_fields(&status), ["to"]);
    // Return terms must name a level with a card and SLA terms, a payer.
    let mut bad = return_terms();
    bad.returns.push(pb::ReturnTerms {
        service_level: "NEXT_DAY_X".into(),
        label_cost: usd(100),
        payer: 0,
    });
    let status = app
        .contracts(Role::Admin)
        .create_contract(pb::CreateContractRequest {
            request_id: "bad-returns".into(),
            carrier: acme.clone(),
            reference: "BAD".into(),
            display_name: "BAD".into(),
            effective_from: day(2027, 1, 1),
            effective_to: None,
            terms: Some(bad),
        })
        .await
        .unwrap_err();
    let mut fields = common::violated_fields(&status);
    fields.sort();
    assert_eq!(
        fields,
        ["terms.returns[1].payer", "terms.returns[1].service_level"]
    );
}
