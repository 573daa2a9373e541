//! Escalations raised from the contracts service's answers: refund
//! windows closing without a claim, and SLA breaches with no credit due,
//! through real gRPC on SQLite and PostgreSQL with the injected clock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::escalations::{queue, scan};

use chrono::{Duration, Utc};
use common::spawn_app;
use recourse_platform::auth::Role;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};

use pb::EscalationKind as K;

backend_tests!(
    refund_windows_closing_without_a_claim_are_raised_in_their_last_week,
    an_sla_breach_with_no_credit_due_is_raised_and_one_with_a_credit_is_not,
);

/// Two NEXT_DAY (guaranteed) parcels shipped 3 days ago, due in 24 hours,
/// delivered in 48: their refund windows (15 days from the delivery date,
/// yesterday) close on today + 14. R2 gets a delay claim, R1 none.
async fn refund_windows_closing_without_a_claim_are_raised_in_their_last_week(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let shipped = Utc::now() - Duration::days(3);
    let mut names = Vec::new();
    for t in ["R1", "R2"] {
        let mut s = common::shipment(&world.carrier, t, shipped);
        s.service_level = "NEXT_DAY".into();
        s.promised_delivery_time = common::ts(shipped + Duration::hours(24));
        names.push(
            app.ship(&world, s, Some(shipped + Duration::hours(48)))
                .await,
        );
    }
    app.claims(Role::Internal)
        .create_delay_claims(pb::CreateDelayClaimsRequest {
            request_id: "r2".into(),
            carrier: world.carrier.clone(),
            shipment: names[1].clone(),
            submit: false,
        })
        .await
        .unwrap();
    // Today 14 days are left: beyond the default week.
    assert_eq!(scan(&app).await, (0, 0));
    // Day 7: 7 days left — R1 is raised, R2 has its claim.
    app.advance(7);
    assert_eq!(scan(&app).await, (1, 1));
    assert_eq!(scan(&app).await, (0, 1));
    let items = queue(&app, Default::default()).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind(), K::RefundWindowClosing);
    assert_eq!(items[0].subject, names[0]);
    let deadline = Utc::now().date_naive() - Duration::days(1) + Duration::days(15);
    assert_eq!(items[0].due_date, Some(date_to_proto(deadline)));
}

/// A NEXT_DAY parcel (SLA without credits) and a GROUND one (25.00 a
/// point, capped at 100.00), both shipped 3 days ago, due in 24 hours and
/// delivered in 48: each service level's period has 0 of 1 on time,
/// below its target. NEXT_DAY's breach has no credit due → raised;
/// GROUND's has 100.00 due → not.
async fn an_sla_breach_with_no_credit_due_is_raised_and_one_with_a_credit_is_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let shipped = Utc::now() - Duration::days(3);
    let mut names = Vec::new();
    for (t, level) in [("N1", "NEXT_DAY"), ("G1", "GROUND")] {
        let mut s = common::shipment(&world.carrier, t, shipped);
        s.service_level = level.into();
        s.promised_delivery_time = common::ts(shipped + Duration::hours(24));
        names.push(
            app.ship(&world, s, Some(shipped + Duration::hours(48)))
                .await,
        );
    }
    // The carrier is one this service works with: a delay claim for N1
    // (so its refund window raises nothing either).
    app.claims(Role::Internal)
        .create_delay_claims(pb::CreateDelayClaimsRequest {
            request_id: "n1".into(),
            carrier: world.carrier.clone(),
            shipment: names[0].clone(),
            submit: false,
        })
        .await
        .unwrap();
    let mut sla = app.sla();
    let mut evaluations = Vec::new();
    for level in ["NEXT_DAY", "GROUND"] {
        let e = sla
            .evaluate_sla(cpb::EvaluateSlaRequest {
                carrier: world.carrier.clone(),
                service_level: level.into(),
                period_date: Some(date_to_proto(shipped.date_naive())),
                as_of: None,
            })
            .await
            .unwrap()
            .into_inner();
        assert!(e.breached, "{level}: {e:?}");
        evaluations.push(e);
    }
    assert_eq!(
        evaluations[1]
            .service_credit
            .as_ref()
            .map(|m| m.amount_minor),
        Some(10_000),
        "GROUND: 95 points short × 25.00, capped at 100.00"
    );
    // The contracts feed may have raised it already (`follow`): one item
    // either way.
    let (created, found) = scan(&app).await;
    assert_eq!(found, 1);
    assert!(created <= 1, "{created}");
    assert_eq!(scan(&app).await, (0, 1));
    let items = queue(
        &app,
        pb::ListEscalationsRequest {
            kind: K::SlaBreachWithoutCredit.into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].subject, evaluations[0].name);
    assert_eq!(items[0].due_date, evaluations[0].period_end);
}
