//! The reports through real gRPC on both databases: a worked scorecard,
//! partners reading only their own carrier, the comparison ranked, claims
//! aging, and the recovery reconciliation agreeing with the claims
//! service's GetReconciliation to the minor unit.

use chrono::Utc;
use recourse_platform::auth::Role;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::claims as clpb;
use recourse_proto::contracts as cpb;
use recourse_proto::reporting as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use crate::common::{TestApp, World, event, spawn_app, usd};

backend_tests!(
    a_worked_scorecard_through_the_api,
    partners_read_only_their_own_scorecard,
    reconciliation_agrees_with_the_claims_service,
    bad_requests_name_their_fields,
);

fn period_of(kind: pb::PeriodKind, day: chrono::NaiveDate) -> pb::Period {
    pb::Period {
        kind: kind.into(),
        date: Some(date_to_proto(day)),
    }
}

/// Ten GROUND shipments shipped 8 days ago (see the test for what became
/// of each); returns their names.
async fn book(app: &TestApp, world: &World) -> Vec<String> {
    let shipped = Utc::now() - chrono::Duration::days(8);
    let mut events = Vec::new();
    let mut names = Vec::new();
    for i in 0..10 {
        let s = app.register(world, &format!("S{i}"), shipped).await;
        let promised = s.promised_delivery_time.unwrap();
        let at = chrono::DateTime::from_timestamp(promised.seconds, 0).unwrap();
        let exception = |code: &str| {
            let mut e = event(
                &format!("x{i}"),
                &s.tracking_number,
                cpb::TrackingEventType::Exception,
                shipped + chrono::Duration::hours(5),
            );
            e.exception_reason = code.into();
            e
        };
        match i {
            // Two hours after the promise; the grace is one hour: late.
            7 => events.push(event(
                &format!("d{i}"),
                &s.tracking_number,
                cpb::TrackingEventType::Delivered,
                at + chrono::Duration::hours(2),
            )),
            // Damaged on the way (not excusable), delivered on time.
            8 => {
                events.push(exception("DAMAGED"));
                events.push(event(
                    &format!("d{i}"),
                    &s.tracking_number,
                    cpb::TrackingEventType::Delivered,
                    at,
                ));
            }
            // Held by weather (excusable), never delivered.
            9 => events.push(exception("WEATHER_DELAY")),
            _ => events.push(event(
                &format!("d{i}"),
                &s.tracking_number,
                cpb::TrackingEventType::Delivered,
                at,
            )),
        }
        names.push(s.name);
    }
    app.track(world, events).await;
    names
}

fn kpi<'r>(row: &'r pb::ScorecardRow, name: &str) -> &'r pb::Kpi {
    row.kpis.iter().find(|k| k.name == name).unwrap()
}

async fn a_worked_scorecard_through_the_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let names = book(&app, &world).await;
    // A loss claim on the damaged one, filed now.
    app.claim(&names[8], 5_000).await;
    app.caught_up().await;
    let ship_day = (Utc::now() - chrono::Duration::days(8)).date_naive();
    let period = period_of(pb::PeriodKind::Quarter, ship_day);
    let as_of = Utc::now() + chrono::Duration::days(1);
    let card = app
        .reporting(Role::Internal)
        .get_carrier_scorecard(pb::GetCarrierScorecardRequest {
            carrier: world.carrier.clone(),
            period: Some(period),
            weights: None,
            as_of: Some(timestamp_to_proto(as_of)),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(card.rows.len(), 1);
    let row = &card.rows[0];
    assert_eq!(
        (
            row.service_level.as_str(),
            row.carrier_code.as_str(),
            row.shipments
        ),
        ("GROUND", "ACME", 10)
    );
    // 10 shipments; S9 excused (WEATHER_DELAY) → 9 measured (S0–S8, all
    // delivered); on time: S0–S6 and S8 = 8 (S7 late).
    // on-time = 8 / 9 = 0.8888… → 8888 bp; target ≥ 9500: variance −612,
    // more than 100 short → red.
    let on_time = kpi(row, "on_time_rate");
    assert_eq!(
        (on_time.actual, on_time.target, on_time.variance),
        (8_888, 9_500, -612)
    );
    assert_eq!(on_time.rag(), pb::Rag::Red);
    // Exceptions: S8 of the 9 measured = 1111 bp; target ≤ 500 → red.
    let exceptions = kpi(row, "exception_rate");
    assert_eq!(
        (exceptions.actual, exceptions.target, exceptions.rag()),
        (1_111, 500, pb::Rag::Red)
    );
    // Claims rate: the loss claim was filed now; it counts if now is in the
    // ship date's quarter: 1 / 10 = 1000 bp against ≤ 100 → red.
    let same_quarter = card.rows[0]
        .period_end
        .as_ref()
        .map(|d| (d.year, d.month, d.day))
        >= Some({
            let t = Utc::now().date_naive();
            use chrono::Datelike as _;
            (t.year(), t.month() as i32, t.day() as i32)
        });
    let claims = kpi(row, "claims_rate");
    if same_quarter {
        assert_eq!(
            (row.claims, claims.actual, claims.rag()),
            (1, 1_000, pb::Rag::Red)
        );
    }
    // Every shipment billed 10.00: cost per shipment 100000 / 10 = 10.00 USD.
    assert_eq!(row.cost_per_shipment, usd(1_000));
    // Scan compliance: the delivered parcels' only scan is their delivery,
    // days after hand-over (first scan limit 24 h) → not compliant; at
    // most S9 (an exception scan 5 h in) complies: ≤ 1 / 10 → red.
    let scan = kpi(row, "scan_compliance");
    assert_eq!((scan.target, scan.rag()), (9_000, pb::Rag::Red));
    // Billing adjustments: no SLA evaluation, no refund: 0 / 100.00
    // billed = 0 bp ≤ 100 → green. No allocation stated: tender
    // acceptance 10/10 but not rated.
    assert_eq!(kpi(row, "billing_adjustment_rate").rag(), pb::Rag::Green);
    assert_eq!(kpi(row, "tender_acceptance").rag(), pb::Rag::NotRated);
    // Score: on-time red (0 × 40), other/exceptions red (0 × 5), claims
    // red when counted (0 × 20), tracking red (0 × 10), billing green
    // (100 × 10); nothing decided: handling not rated →
    // 1000 × 100 / 85 = 1176 (claims counted) or 1000 × 100 / 65 = 1538.
    assert!(row.score_measured);
    assert_eq!(
        row.score_hundredths,
        if same_quarter { 1_176 } else { 1_538 }
    );
    // The CSV says the same.
    let csv = app
        .export(
            Role::Internal,
            pb::export_report_request::Report::Scorecard(pb::GetCarrierScorecardRequest {
                carrier: world.carrier.clone(),
                period: Some(period),
                weights: None,
                as_of: Some(timestamp_to_proto(as_of)),
            }),
        )
        .await;
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert!(lines[0].starts_with("carrier,carrier_code,service_level,period_start,period_end,shipments,claims,on_time_rate_pct,on_time_rate_pct_target,on_time_rate_pct_variance,on_time_rate_pct_rag,"));
    assert!(lines[1].contains(",ACME,GROUND,"), "{}", lines[1]);
    assert!(lines[1].contains(",88.88,95.00,-6.12,RED,"), "{}", lines[1]);
    assert!(lines[1].contains(",10.00,USD,"), "{}", lines[1]);
    // The comparison ranks the carriers (one here).
    let comparison = app
        .reporting(Role::Finance)
        .compare_carriers(pb::CompareCarriersRequest {
            period: Some(period),
            weights: None,
            as_of: Some(timestamp_to_proto(as_of)),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(comparison.carriers.len(), 1);
    assert_eq!(comparison.carriers[0].rank, 1);
    // Aging: the submitted claim is 0 days old, not past any clock.
    let aging = app
        .reporting(Role::Internal)
        .get_claims_aging(pb::GetClaimsAgingRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(aging.rows.len(), 1);
    let a = &aging.rows[0];
    assert_eq!(
        (a.status.as_str(), a.days_0_30, a.past_acknowledge_due),
        ("CLAIM_STATUS_SUBMITTED", 1, 0)
    );
}

async fn partners_read_only_their_own_scorecard(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.world("ACME").await;
    let zip = app.world("ZIP").await;
    book(&app, &acme).await;
    app.caught_up().await;
    let request = |carrier: &str| pb::GetCarrierScorecardRequest {
        carrier: carrier.into(),
        period: Some(period_of(pb::PeriodKind::Month, Utc::now().date_naive())),
        weights: None,
        as_of: None,
    };
    let mut partner = app.partner_reporting(&acme.carrier);
    partner
        .get_carrier_scorecard(request(&acme.carrier))
        .await
        .unwrap();
    // Another carrier's real name and a made-up one: the same NOT_FOUND.
    let theirs = partner
        .get_carrier_scorecard(request(&zip.carrier))
        .await
        .unwrap_err();
    let made_up = partner
        .get_carrier_scorecard(request("carriers/00000000-0000-0000-0000-000000000000"))
        .await
        .unwrap_err();
    assert_eq!(theirs.code(), Code::NotFound);
    assert_eq!(made_up.code(), Code::NotFound);
    assert_eq!(
        theirs.message().replace(&zip.carrier, "X"),
        made_up
            .message()
            .replace("carriers/00000000-0000-0000-0000-000000000000", "X")
    );
    // Partners read no other report.
    let err = partner
        .compare_carriers(pb::CompareCarriersRequest {
            period: Some(period_of(pb::PeriodKind::Month, Utc::now().date_naive())),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let err = partner
        .get_feed_status(pb::GetFeedStatusRequest {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}

async fn reconciliation_agrees_with_the_claims_service(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.world("ACME").await;
    let zip = app.world("ZIP").await;
    // A generated book: 12 claims over two carriers, approvals of 35–90 %
    // of the claimed value, remittances paying part, two written off.
    let mut claims = Vec::new();
    for (k, world) in [&acme, &zip].into_iter().enumerate() {
        let names = {
            let shipped = Utc::now() - chrono::Duration::days(8);
            let mut v = Vec::new();
            for i in 0..6 {
                v.push(app.register(world, &format!("R{k}{i}"), shipped).await.name);
            }
            v
        };
        for (i, name) in names.iter().enumerate() {
            let value = 2_000 + 1_337 * (i as i64 + 1) + 500 * k as i64;
            let approve = value * (35 + 11 * i as i64) / 100;
            claims.push((
                world,
                app.approved(world, name, value, approve).await,
                approve,
            ));
        }
    }
    for (n, (world, claim, approve)) in claims.iter().enumerate() {
        if n % 3 != 2 {
            let paid = approve * (n as i64 % 4 + 1) / 5;
            app.recoveries(Role::Finance)
                .record_remittance(clpb::RecordRemittanceRequest {
                    request_id: format!("rem{n}"),
                    remittance: Some(clpb::Remittance {
                        carrier: world.carrier.clone(),
                        kind: clpb::RemittanceKind::Payment.into(),
                        reference: format!("REM{n}"),
                        remittance_date: Some(date_to_proto(Utc::now().date_naive())),
                        amount: usd(paid),
                        lines: vec![clpb::RemittanceLine {
                            claim: claim.number.clone(),
                            amount: usd(paid),
                            ..Default::default()
                        }],
                        ..Default::default()
                    }),
                })
                .await
                .unwrap();
        }
        if n == 2 || n == 8 {
            app.recoveries(Role::Finance)
                .write_off_claim(clpb::WriteOffClaimRequest {
                    request_id: format!("wo{n}"),
                    claim: claim.name.clone(),
                    amount: usd(approve / 2),
                    reason: "not worth chasing".into(),
                })
                .await
                .unwrap();
        }
    }
    app.caught_up().await;
    let theirs = app
        .recoveries(Role::Finance)
        .get_reconciliation(clpb::GetReconciliationRequest {
            carrier: String::new(),
            currency_code: String::new(),
            as_of: Some(date_to_proto(Utc::now().date_naive())),
        })
        .await
        .unwrap()
        .into_inner();
    let ours = app
        .reporting(Role::Finance)
        .get_recovery_reconciliation(pb::GetRecoveryReconciliationRequest {
            carrier: String::new(),
            period: Some(period_of(pb::PeriodKind::Quarter, Utc::now().date_naive())),
        })
        .await
        .unwrap()
        .into_inner();
    let amount =
        |m: &Option<recourse_proto::common::Money>| m.as_ref().map_or(0, |m| m.amount_minor);
    let mut theirs_rows: Vec<_> = theirs
        .rows
        .iter()
        .map(|r| {
            (
                r.carrier.clone(),
                r.currency_code.clone(),
                amount(&r.approved),
                amount(&r.recovered),
                amount(&r.written_off),
                amount(&r.outstanding),
            )
        })
        .collect();
    let mut ours_rows: Vec<_> = ours
        .rows
        .iter()
        .map(|r| {
            // Everything happened this quarter: nothing was open before it.
            assert_eq!(amount(&r.opening), 0);
            (
                r.carrier.clone(),
                r.currency_code.clone(),
                amount(&r.approved),
                amount(&r.recovered),
                amount(&r.written_off),
                amount(&r.closing),
            )
        })
        .collect();
    theirs_rows.sort();
    ours_rows.sort();
    assert_eq!(ours_rows.len(), 2);
    assert_eq!(ours_rows, theirs_rows);
    assert!(
        ours_rows.iter().all(|r| r.3 > 0 && r.4 > 0 && r.5 > 0),
        "{ours_rows:?}"
    );
}

async fn bad_requests_name_their_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let err = app
        .reporting(Role::Admin)
        .get_carrier_scorecard(pb::GetCarrierScorecardRequest {
            carrier: "acme".into(),
            period: Some(pb::Period {
                kind: 0,
                date: None,
            }),
            weights: Some(pb::Weights {
                on_time: 5_000,
                ..Default::default()
            }),
            as_of: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    use tonic_types::StatusExt as _;
    let fields: Vec<String> = err
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        ["carrier", "period.kind", "period.date", "weights.on_time"]
    );
    let err = app
        .reporting(Role::Admin)
        .export_report(pb::ExportReportRequest { report: None })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
}
