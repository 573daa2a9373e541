//! The scorecard's tracking, tender, billing and escalation figures
//! through the real services on both databases: scan compliance agreeing
//! with the SLA evaluation, tender acceptance against the carrier's daily
//! allocation, the evaluation's service credit, billing adjustments, open
//! escalations — and the weighted score over every category.

use chrono::{Duration, NaiveTime, Utc};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::carriers as carpb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::claims as clpb;
use recourse_proto::claims::escalation_service_client::EscalationServiceClient;
use recourse_proto::contracts as cpb;
use recourse_proto::contracts::sla_service_client::SlaServiceClient;
use recourse_proto::reporting as pb;
use recourse_test_support::{Backend, backend_tests};

use crate::common::{TestApp, event, spawn_app, usd};

backend_tests!(scan_tender_credit_and_escalation_figures_in_the_scorecard,);

async fn allocate(app: &TestApp, carrier: &str, daily_parcels: u32) {
    let mut client = CarrierServiceClient::new(app.channel(Role::Admin, None));
    let current = client
        .get_carrier(carpb::GetCarrierRequest {
            name: carrier.into(),
        })
        .await
        .unwrap()
        .into_inner();
    client
        .update_carrier(carpb::UpdateCarrierRequest {
            carrier: Some(carpb::Carrier {
                capacity: Some(carpb::Capacity {
                    daily_parcels,
                    peak_allocations: vec![],
                }),
                ..current
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["capacity".into()],
            }),
        })
        .await
        .unwrap();
}

fn kpi<'r>(row: &'r pb::ScorecardRow, name: &str) -> &'r pb::Kpi {
    row.kpis.iter().find(|k| k.name == name).unwrap()
}

async fn scan_tender_credit_and_escalation_figures_in_the_scorecard(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("SCAN").await;
    // The carrier takes 2 parcels a day.
    allocate(&app, &world.carrier, 2).await;
    // Three GROUND parcels (zone 2: two business days, by 20:00) handed
    // over at 08:00 UTC eight days ago, each billed 10.00; each delivered
    // at its promise, so at least 2 days 12 h (60 h) after hand-over.
    let ship_day = (Utc::now() - Duration::days(8)).date_naive();
    let shipped = ship_day.and_time(NaiveTime::MIN).and_utc() + Duration::hours(8);
    let mut events = Vec::new();
    let mut names = Vec::new();
    for i in 0..3 {
        let s = app.register(&world, &format!("1ZSCAN{i}"), shipped).await;
        let p = s.promised_delivery_time.unwrap();
        let promised = chrono::DateTime::from_timestamp(p.seconds, 0).unwrap();
        let tn = s.tracking_number.clone();
        let scan = |id: String, kind, at| event(&id, &tn, kind, at);
        use cpb::TrackingEventType as T;
        match i {
            // Picked up at +1 h, then a scan every 24 h: first scan within
            // 24 h and no gap over 48 h → compliant.
            0 => {
                let mut at = shipped + Duration::hours(1);
                events.push(scan(format!("p{i}"), T::PickedUp, at));
                let mut n = 0;
                while at + Duration::hours(24) < promised {
                    at += Duration::hours(24);
                    n += 1;
                    events.push(scan(format!("a{i}-{n}"), T::ArrivalScan, at));
                }
            }
            // Picked up at +1 h, nothing until delivery ≥ 59 h later: a gap
            // over 48 h → not compliant.
            1 => events.push(scan(
                format!("p{i}"),
                T::PickedUp,
                shipped + Duration::hours(1),
            )),
            // Only the delivery scan, ≥ 60 h after hand-over: the first
            // scan is late (limit 24 h) → not compliant.
            _ => {}
        }
        events.push(scan(format!("d{i}"), T::Delivered, promised));
        names.push(s.name);
    }
    app.track(&world, events).await;
    // The month's SLA evaluation (GROUND is monthly).
    let evaluation = SlaServiceClient::new(app.channel(Role::Admin, None))
        .evaluate_sla(cpb::EvaluateSlaRequest {
            carrier: world.carrier.clone(),
            service_level: "GROUND".into(),
            period_date: Some(date_to_proto(ship_day)),
            as_of: None,
        })
        .await
        .unwrap()
        .into_inner();
    // Two escalations about the carrier, one of them resolved.
    let mut escalations = EscalationServiceClient::new(app.channel(Role::Admin, None));
    let mut made = Vec::new();
    for name in &names[..2] {
        made.push(
            escalations
                .create_escalation(clpb::CreateEscalationRequest {
                    subject: name.clone(),
                    carrier: world.carrier.clone(),
                    owner: String::new(),
                    due_date: Some(date_to_proto(Utc::now().date_naive())),
                    summary: "Chase the carrier".into(),
                })
                .await
                .unwrap()
                .into_inner(),
        );
    }
    escalations
        .update_escalation(clpb::UpdateEscalationRequest {
            name: made[0].name.clone(),
            etag: made[0].etag.clone(),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["state".into()],
            }),
            state: clpb::EscalationState::Resolved.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    app.caught_up().await;

    let request = pb::GetCarrierScorecardRequest {
        carrier: world.carrier.clone(),
        period: Some(pb::Period {
            kind: pb::PeriodKind::Quarter.into(),
            date: Some(date_to_proto(ship_day)),
        }),
        weights: None,
        as_of: Some(timestamp_to_proto(Utc::now() + Duration::days(1))),
    };
    let card = app
        .reporting(Role::Internal)
        .get_carrier_scorecard(request.clone())
        .await
        .unwrap()
        .into_inner();
    let row = &card.rows[0];
    assert_eq!(row.shipments, 3);
    // Scan compliance: 1 compliant of 3 measured = 3333 bp; target ≥ 9000
    // misses by 5667 → red. The SLA evaluation measured the same.
    let scan = kpi(row, "scan_compliance");
    assert_eq!(
        (scan.actual, scan.target, scan.rag()),
        (3_333, 9_000, pb::Rag::Red)
    );
    let sla_scan = evaluation
        .kpis
        .iter()
        .find(|k| k.kpi() == cpb::Kpi::ScanCompliance)
        .unwrap();
    assert_eq!(sla_scan.actual_bp, Some(3_333));
    // Tender: 3 tendered on one day with an allocation of 2 → 2 accepted,
    // 2 / 3 = 6666 bp; house target ≥ 9500 → red.
    let tender = kpi(row, "tender_acceptance");
    assert_eq!(
        (tender.actual, tender.target, tender.rag()),
        (6_666, 9_500, pb::Rag::Red)
    );
    // Credit: scan compliance 5667 bp short × 25.00 a point / 100 =
    // 1416.75, capped at 100.00 per period; nothing else breached.
    assert_eq!(evaluation.service_credit, usd(10_000));
    assert_eq!((row.sla_evaluations, row.sla_breaches), (1, 1));
    assert_eq!(row.service_credits, usd(10_000));
    assert_eq!(row.service_bonuses, None);
    // Billing adjustments: (100.00 credit + 0 refunds) / 30.00 billed =
    // 10000 × 10000 / 3000 = 33333 bp; ≤ 100 → red.
    let billing = kpi(row, "billing_adjustment_rate");
    assert_eq!((billing.actual, billing.rag()), (33_333, pb::Rag::Red));
    assert_eq!((row.refunds_filed, row.refunds_claimed.clone()), (0, None));
    // One escalation still open.
    assert_eq!(row.open_escalations, 1);
    // Score: on-time 3/3 green 100 × 40; claims 0/3 against ≤ 100 green
    // 100 × 20; handling not rated; tracking red 0 × 10; billing red
    // 0 × 10; other = mean(exceptions 0 ≤ 500 green 100, tender red 0) =
    // 50 × 5 → (4000 + 2000 + 0 + 0 + 250) × 100 / 85 = 7352.9 → 7352.
    assert_eq!(kpi(row, "on_time_rate").rag(), pb::Rag::Green);
    assert_eq!(kpi(row, "claims_rate").rag(), pb::Rag::Green);
    assert_eq!((row.score_measured, row.score_hundredths), (true, 7_352));
    // The CSV carries the same figures.
    let csv = app
        .export(
            Role::Internal,
            pb::export_report_request::Report::Scorecard(request),
        )
        .await;
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert!(
        lines[0].contains(",scan_compliance_pct,scan_compliance_pct_target,"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with(",refunds_recovered,refunds_recovered_currency"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains(",33.33,90.00,-56.67,RED,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains(",66.66,95.00,-28.34,RED,"),
        "{}",
        lines[1]
    );
    // evaluations 1, breaches 1, refunds 0, open escalations 1, then
    // credits 100.00 USD, no bonus, no refunds.
    assert!(
        lines[1].ends_with(",1,1,0,1,100.00,USD,,,,,,"),
        "{}",
        lines[1]
    );
}
