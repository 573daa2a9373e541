//! The claims service following the contracts service's feed, on SQLite
//! and PostgreSQL, through real gRPC: an `sla.evaluated` event raises the
//! SLA-breach escalation item without any scan and adds its bonus to the
//! reconciliation's bonuses payable; a re-evaluation replaces the bonus,
//! never doubles it, and raises nothing twice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::escalations::queue;

use chrono::{Datelike as _, Duration, TimeZone as _, Utc};
use common::{TestApp, event, shipment, spawn_app, terms, usd};
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use sea_orm::{ConnectionTrait as _, Statement};

use pb::EscalationKind as K;

backend_tests!(an_sla_evaluation_on_the_feed_raises_its_item_and_its_bonus_is_payable);

/// NEXT_DAY: targets on time ≥ 90%, scan compliance ≥ 90%, exceptions ≤
/// 20%; no credit schedule; stretch on time 95%, exceptions 10%, bonus
/// 20.00 a point capped at 250.00 a week.
fn incentive_terms() -> cpb::ContractTerms {
    let mut t = terms();
    let sla = &mut t.sla_terms[1];
    sla.targets = Some(cpb::SlaTargets {
        on_time_rate_min_bp: 9_000,
        scan_compliance_min_bp: 9_000,
        exception_rate_max_bp: 2_000,
        claims_rate_max_bp: 0,
    });
    sla.credits = None;
    sla.bonuses = Some(cpb::BonusSchedule {
        stretch_targets: Some(cpb::SlaTargets {
            on_time_rate_min_bp: 9_500,
            scan_compliance_min_bp: 0,
            exception_rate_max_bp: 1_000,
            claims_rate_max_bp: 0,
        }),
        bonus_per_point: usd(2_000),
        cap_per_period: usd(25_000),
    });
    t
}

async fn evaluate(app: &TestApp, carrier: &str, monday: chrono::NaiveDate) -> cpb::SlaEvaluation {
    app.sla()
        .evaluate_sla(cpb::EvaluateSlaRequest {
            carrier: carrier.into(),
            service_level: "NEXT_DAY".into(),
            period_date: Some(date_to_proto(monday)),
            as_of: None,
        })
        .await
        .unwrap()
        .into_inner()
}

async fn bonus_rows(app: &TestApp) -> i64 {
    let backend = app.claims_db.get_database_backend();
    let row = app
        .claims_db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM claims_sla_bonuses",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

/// Polls `done` every 50 ms until it holds (the follower applies events
/// as they commit); fails after a minute with `what`.
async fn eventually<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1_200 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never happened: {what}");
}

async fn an_sla_evaluation_on_the_feed_raises_its_item_and_its_bonus_is_payable(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world_with("ACME", incentive_terms()).await;
    // Four NEXT_DAY parcels Mon–Thu of the week before last, 09:00, each
    // picked up at 10:00 and delivered 10:00 the next day: all on time,
    // no exception, but 24 h between the two scans (> 12 h): none scan
    // compliant.
    let today = Utc::now().date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()) + 14);
    let at = |d: chrono::NaiveDate, h: u32| Utc.from_utc_datetime(&d.and_hms_opt(h, 0, 0).unwrap());
    let mut events = Vec::new();
    for n in 0..4 {
        let d = monday + Duration::days(n);
        let tracking = format!("P{n}");
        let mut s = shipment(&world.carrier, &tracking, at(d, 9));
        s.service_level = "NEXT_DAY".into();
        app.shipments()
            .register_shipment(cpb::RegisterShipmentRequest {
                request_id: tracking.clone(),
                shipment: Some(s),
            })
            .await
            .unwrap();
        events.push(event(
            &format!("p{n}"),
            &tracking,
            cpb::TrackingEventType::PickedUp,
            at(d, 10),
        ));
        let next = d + Duration::days(1);
        events.push(event(
            &format!("d{n}"),
            &tracking,
            cpb::TrackingEventType::Delivered,
            at(next, 10),
        ));
    }
    app.shipments()
        .ingest_tracking_events(tokio_stream::iter([cpb::IngestTrackingEventsRequest {
            carrier: world.carrier.clone(),
            events,
        }]))
        .await
        .unwrap();
    let e = evaluate(&app, &world.carrier, monday).await;
    // Breached (scan compliance 0 bp < 90%) with no credit schedule: no
    // credit due. Bonus: on time 10000 bp, 500 past the 9500 stretch = 5 ×
    // 20.00 = 100.00; exceptions 0 bp, 1000 under the 1000 stretch = 10 ×
    // 20.00 = 200.00; 300.00 capped at 250.00.
    assert!(e.breached);
    assert_eq!(e.service_credit.as_ref().map_or(0, |m| m.amount_minor), 0);
    assert_eq!(e.service_bonus, usd(25_000));

    // No scan: the feed raises the item.
    let breaches = pb::ListEscalationsRequest {
        kind: K::SlaBreachWithoutCredit.into(),
        ..Default::default()
    };
    eventually("the breach is raised from the feed", || async {
        queue(&app, breaches.clone()).await.len() == 1
    })
    .await;
    let items = queue(&app, breaches.clone()).await;
    assert_eq!(items[0].subject, e.name);
    assert_eq!(items[0].due_date, e.period_end);

    // Bonuses payable as of today: 250.00; as of yesterday (evaluated
    // today) nothing.
    let reconcile = |as_of| {
        let mut finance = app.recoveries(recourse_platform::auth::Role::Finance);
        let carrier = world.carrier.clone();
        async move {
            finance
                .get_reconciliation(pb::GetReconciliationRequest {
                    carrier,
                    as_of: Some(date_to_proto(as_of)),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .rows
        }
    };
    let rows = reconcile(today).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].bonuses_payable, usd(25_000));
    assert_eq!(rows[0].claims, 0);
    let rows = reconcile(today - Duration::days(1)).await;
    assert!(rows.iter().all(|r| r.bonuses_payable == usd(0)), "{rows:?}");

    // Evaluated again (revision 2, same figures): the latest revision
    // counts — 250.00, not 500.00 — and the open item is not raised twice.
    let again = evaluate(&app, &world.carrier, monday).await;
    assert_eq!(again.revision, 2);
    eventually("revision 2 is read from the feed", || async {
        bonus_rows(&app).await == 2
    })
    .await;
    assert_eq!(reconcile(today).await[0].bonuses_payable, usd(25_000));
    assert_eq!(queue(&app, breaches).await.len(), 1);
}
