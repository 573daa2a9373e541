//! What a submitted claim fixes from the contract and the shipment: the
//! liability cap from the value declared at shipment, and filing deadlines
//! in days or calendar months from the named anchor. Worked examples in
//! USD cents.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{Duration, Utc};
use common::{
    TestApp, World, claim_request, draft, spawn_app, submit, transition, usd, violated_fields,
};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    overdue_carrier_clocks_are_listed,
    the_cap_uses_the_value_declared_at_shipment_never_the_claims,
    carmack_9_months_are_calendar_months_not_270_days,
    invoice_anchor_falls_back_to_the_ship_date_and_says_why,
    invoice_anchor_uses_the_shipments_invoice_date,
);

/// A LOSS draft for a GROUND parcel shipped 5 days ago (not delivered)
/// with `declared` declared to the carrier, claiming 1 × `unit`.
async fn lost_with_declared(
    app: &TestApp,
    world: &World,
    tracking: &str,
    declared: Option<recourse_proto::common::Money>,
    unit: i64,
) -> pb::Claim {
    let mut s = common::shipment(&world.carrier, tracking, Utc::now() - Duration::days(5));
    s.declared_value = declared;
    let shipment = app.ship(world, s, None).await;
    app.claims(Role::Internal)
        .create_claim(claim_request(
            &format!("c-{tracking}"),
            &shipment,
            cpb::ClaimType::Loss,
            1,
            unit,
        ))
        .await
        .unwrap()
        .into_inner()
}

async fn the_cap_uses_the_value_declared_at_shipment_never_the_claims(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let mut internal = app.claims(Role::Internal);
    // Contract: default limit 100.00 per package, declared values covered
    // up to 5,000.00.

    // Declared 400.00 at shipment, 250.00 lost:
    // cap = min(claimed 250.00, declared 400.00) = 250.00.
    let draft = lost_with_declared(&app, &world, "D400", usd(40_000), 25_000).await;
    assert_eq!(draft.declared_value, usd(40_000), "read from the shipment");
    let c = submit(&mut internal, &draft).await.unwrap();
    assert_eq!(c.terms.unwrap().liability_cap, usd(25_000));
    assert_eq!(c.declared_value, usd(40_000));

    // Declared 0 at shipment means nothing was declared: the default limit
    // applies, cap = min(250.00, default 100.00) = 100.00 (it used to come
    // out as min(250.00, 0.00) = 0.00).
    let draft = lost_with_declared(&app, &world, "D0", usd(0), 25_000).await;
    assert_eq!(draft.declared_value, None);
    let c = submit(&mut internal, &draft).await.unwrap();
    assert_eq!(c.terms.unwrap().liability_cap, usd(10_000));
    assert_eq!(c.declared_value, None);

    // Declared 60.00, 250.00 lost: min(250.00, 60.00) = 60.00, below the
    // default limit, because the shipper declared less.
    let draft = lost_with_declared(&app, &world, "D60", usd(6_000), 25_000).await;
    let c = submit(&mut internal, &draft).await.unwrap();
    assert_eq!(c.terms.unwrap().liability_cap, usd(6_000));

    // The claimant cannot raise the cap by typing a declared value: the
    // field is output only, on create and on update.
    let shipment = app.shipped(&world, "TYPED", 5, false).await;
    let mut typed = claim_request("typed", &shipment, cpb::ClaimType::Loss, 1, 25_000);
    typed.claim.as_mut().unwrap().declared_value = usd(500_000);
    let err = internal.create_claim(typed).await.unwrap_err();
    assert_eq!(violated_fields(&err), ["claim.declared_value"]);
    let draft = internal
        .create_claim(claim_request(
            "untyped",
            &shipment,
            cpb::ClaimType::Loss,
            1,
            25_000,
        ))
        .await
        .unwrap()
        .into_inner();
    let mut edit = draft.clone();
    edit.declared_value = usd(500_000);
    let err = internal
        .update_claim(pb::UpdateClaimRequest {
            claim: Some(edit),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["declared_value".into()],
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["update_mask"]);
    // Nothing declared at shipment: 250.00 claimed, capped at 100.00.
    let c = submit(&mut internal, &draft).await.unwrap();
    assert_eq!(c.terms.unwrap().liability_cap, usd(10_000));
}

/// The standard terms with the filing windows replaced.
fn terms_with_windows(windows: Vec<cpb::FilingWindow>) -> cpb::ContractTerms {
    let mut terms = common::terms();
    let liability = terms.liability.as_mut().unwrap();
    liability.filing_windows = windows;
    liability.required_documents.clear();
    terms
}

fn window(
    kind: cpb::ClaimType,
    days: u32,
    months: u32,
    anchor: cpb::FilingAnchor,
) -> cpb::FilingWindow {
    cpb::FilingWindow {
        claim_type: kind.into(),
        days,
        months,
        anchor: anchor.into(),
    }
}

async fn carmack_9_months_are_calendar_months_not_270_days(backend: Backend) {
    let app = spawn_app(backend).await;
    // LOSS: 9 calendar months from the ship date (Carmack); DAMAGE: 270
    // days from the ship date.
    let world = app
        .world_with(
            "ACME",
            terms_with_windows(vec![
                window(cpb::ClaimType::Loss, 0, 9, cpb::FilingAnchor::ShipDate),
                window(cpb::ClaimType::Damage, 270, 0, cpb::FilingAnchor::ShipDate),
            ]),
        )
        .await;
    // Shipped 272 days ago. 270 days ran out 2 days ago; 9 calendar months
    // are never shorter than 273 days (the shortest run, e.g. June to
    // February, is 30+31+31+30+31+30+31+31+28 = 273), so the 9 months are
    // still open today.
    let shipment = app.shipped(&world, "OLD", 272, true).await;
    let ship_date = (Utc::now() - Duration::days(272)).date_naive();
    let mut internal = app.claims(Role::Internal);
    let loss = internal
        .create_claim(claim_request(
            "loss",
            &shipment,
            cpb::ClaimType::Loss,
            1,
            5_000,
        ))
        .await
        .unwrap()
        .into_inner();
    let loss = submit(&mut internal, &loss).await.unwrap();
    let terms = loss.terms.unwrap();
    let nine_months = ship_date
        .checked_add_months(chrono::Months::new(9))
        .unwrap();
    assert_eq!(terms.filing_deadline, Some(date_to_proto(nine_months)));
    let days = (nine_months - ship_date).num_days();
    assert!(
        (273..=276).contains(&days),
        "9 months = {days} days, never 270"
    );
    assert_eq!(
        (terms.filing_window_days, terms.filing_window_months),
        (0, 9)
    );
    assert_eq!(terms.anchor_date, Some(date_to_proto(ship_date)));
    assert_eq!(terms.anchor_fallback, "");

    let damage = internal
        .create_claim(claim_request(
            "damage",
            &shipment,
            cpb::ClaimType::Damage,
            1,
            5_000,
        ))
        .await
        .unwrap()
        .into_inner();
    let err = submit(&mut internal, &damage).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let deadline = ship_date + Duration::days(270);
    assert!(
        err.message().contains(&format!(
            "the filing deadline was {deadline} (270 days from the ship date {ship_date}"
        )),
        "{err:?}"
    );
}

async fn invoice_anchor_falls_back_to_the_ship_date_and_says_why(backend: Backend) {
    let app = spawn_app(backend).await;
    // DAMAGE: 60 days from the carrier's invoice date.
    let world = app
        .world_with(
            "ACME",
            terms_with_windows(vec![window(
                cpb::ClaimType::Damage,
                60,
                0,
                cpb::FilingAnchor::InvoiceDate,
            )]),
        )
        .await;
    // Shipped 10 days ago, never invoiced: 60 days from the ship date.
    let shipment = app.shipped(&world, "NOINV", 10, true).await;
    let ship_date = (Utc::now() - Duration::days(10)).date_naive();
    let mut internal = app.claims(Role::Internal);
    let draft = internal
        .create_claim(claim_request(
            "d",
            &shipment,
            cpb::ClaimType::Damage,
            1,
            5_000,
        ))
        .await
        .unwrap()
        .into_inner();
    let claim = submit(&mut internal, &draft).await.unwrap();
    let terms = claim.terms.unwrap();
    assert_eq!(
        terms.filing_deadline,
        Some(date_to_proto(ship_date + Duration::days(60)))
    );
    assert_eq!(terms.named_anchor(), cpb::FilingAnchor::InvoiceDate);
    assert_eq!(terms.deadline_anchor(), cpb::FilingAnchor::ShipDate);
    assert_eq!(terms.anchor_date, Some(date_to_proto(ship_date)));
    assert_eq!(
        terms.anchor_fallback,
        format!(
            "the contract counts from the invoice date but the shipment has no invoice date \
             yet; counted from the ship date ({ship_date}) instead"
        )
    );
}

async fn invoice_anchor_uses_the_shipments_invoice_date(backend: Backend) {
    let app = spawn_app(backend).await;
    // DAMAGE: 60 days from the carrier's invoice date.
    let world = app
        .world_with(
            "ACME",
            terms_with_windows(vec![window(
                cpb::ClaimType::Damage,
                60,
                0,
                cpb::FilingAnchor::InvoiceDate,
            )]),
        )
        .await;
    // Shipped 10 days ago, invoiced 3 days after shipping (7 days ago):
    // the deadline is the invoice date + 60 days, 3 days later than the
    // ship-date fallback would give.
    let shipped = Utc::now() - Duration::days(10);
    let invoiced = (shipped + Duration::days(3)).date_naive();
    let mut s = common::shipment(&world.carrier, "INV", shipped);
    s.invoice_date = Some(date_to_proto(invoiced));
    let shipment = app.ship(&world, s, Some(shipped + Duration::days(1))).await;
    let mut internal = app.claims(Role::Internal);
    let draft = internal
        .create_claim(claim_request(
            "d",
            &shipment,
            cpb::ClaimType::Damage,
            1,
            5_000,
        ))
        .await
        .unwrap()
        .into_inner();
    let terms = submit(&mut internal, &draft).await.unwrap().terms.unwrap();
    assert_eq!(
        terms.filing_deadline,
        Some(date_to_proto(invoiced + Duration::days(60)))
    );
    assert_eq!(
        (terms.named_anchor(), terms.deadline_anchor()),
        (
            cpb::FilingAnchor::InvoiceDate,
            cpb::FilingAnchor::InvoiceDate
        )
    );
    assert_eq!(terms.anchor_date, Some(date_to_proto(invoiced)));
    assert_eq!(terms.anchor_fallback, "");
}

async fn overdue_carrier_clocks_are_listed(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let a = draft(&app, &world, "A", cpb::ClaimType::Loss, 1, 5_000).await;
    let b = draft(&app, &world, "B", cpb::ClaimType::Loss, 1, 5_000).await;
    let mut internal = app.claims(Role::Internal);
    let a = submit(&mut internal, &a).await.unwrap();
    let b = submit(&mut internal, &b).await.unwrap();
    transition(
        &mut app.partner_claims(&world.carrier),
        &b,
        S::Acknowledged,
        "",
        None,
    )
    .await
    .unwrap();
    let at = |days: i64| pb::ListOverdueClaimsRequest {
        carrier: world.carrier.clone(),
        as_of: Some(timestamp_to_proto(Utc::now() + Duration::days(days))),
        ..Default::default()
    };
    assert!(
        internal
            .list_overdue_claims(at(29))
            .await
            .unwrap()
            .into_inner()
            .claims
            .is_empty()
    );
    let late = internal
        .list_overdue_claims(at(31))
        .await
        .unwrap()
        .into_inner()
        .claims;
    assert_eq!(late.len(), 1, "only the unacknowledged claim");
    assert_eq!(late[0].claim.as_ref().unwrap().name, a.name);
    assert_eq!(
        (late[0].clock.as_str(), late[0].days_overdue),
        ("ACKNOWLEDGEMENT", 1)
    );
    let later = internal
        .list_overdue_claims(at(125))
        .await
        .unwrap()
        .into_inner()
        .claims;
    assert_eq!(later.len(), 2);
    assert!(
        later
            .iter()
            .all(|o| o.clock == "DECISION" && o.days_overdue == 5)
    );
}
