//! Incentive bonuses through real gRPC on SQLite and PostgreSQL: a week
//! evaluated with credits owed by the carrier and bonuses owed to it,
//! reported separately, and the schedule's validation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{at, day, event, ingest, shipment, spawn_app, terms, ts, usd, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::TrackingEventType::{Delivered, PickedUp};

backend_tests!(
    a_week_reports_the_credit_owed_and_the_bonus_earned_never_netted,
    a_stretch_target_must_be_beyond_the_target,
);

/// NEXT_DAY (weekly, by 10:30 the next business day, scans within 4 h and
/// no gap over 12 h): targets on time ≥ 90%, scan compliance ≥ 90%,
/// exceptions ≤ 20%; credit 1.00 a point; stretch on time 95%, exceptions
/// 10%, bonus 20.00 a point, capped at 250.00 a week.
fn incentive_terms() -> pb::ContractTerms {
    let mut t = terms();
    let sla = &mut t.sla_terms[1];
    sla.targets = Some(pb::SlaTargets {
        on_time_rate_min_bp: 9_000,
        scan_compliance_min_bp: 9_000,
        exception_rate_max_bp: 2_000,
        claims_rate_max_bp: 0,
    });
    sla.credits = Some(pb::CreditSchedule {
        credit_per_point: usd(100),
        cap_per_period: usd(0),
    });
    sla.bonuses = Some(pb::BonusSchedule {
        stretch_targets: Some(pb::SlaTargets {
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

async fn a_week_reports_the_credit_owed_and_the_bonus_earned_never_netted(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract_with(&carrier, "MSA", day(2026, 1, 1), incentive_terms())
        .await;
    // Four NEXT_DAY parcels Mon 2 – Thu 5 Nov 2026, 09:00, each picked up
    // at 10:00 and delivered 10:00 the next day: all on time, no
    // exception, but 24 h between the two scans (> 12 h): none scan
    // compliant.
    let mut events = Vec::new();
    for (n, d) in [2u32, 3, 4, 5].into_iter().enumerate() {
        let tracking = format!("P{n}");
        let mut s = shipment(&carrier, &tracking, at(2026, 11, d, 9, 0));
        s.service_level = "NEXT_DAY".into();
        app.register(s).await;
        events.push(event(
            &format!("p{n}"),
            &tracking,
            PickedUp,
            at(2026, 11, d, 10, 0),
        ));
        events.push(event(
            &format!("d{n}"),
            &tracking,
            Delivered,
            at(2026, 11, d + 1, 10, 0),
        ));
    }
    ingest(&mut app.shipments(Role::Internal), &carrier, vec![events])
        .await
        .unwrap();
    let e = app
        .sla(Role::Internal)
        .evaluate_sla(pb::EvaluateSlaRequest {
            carrier: carrier.clone(),
            service_level: "NEXT_DAY".into(),
            period_date: day(2026, 11, 2),
            as_of: ts(at(2026, 11, 20, 0, 0)),
        })
        .await
        .unwrap()
        .into_inner();
    let kpi = |k: pb::Kpi| e.kpis.iter().find(|x| x.kpi == i32::from(k)).unwrap();
    // Credit (owed by the carrier): scan compliance 0 of 4 = 0 bp, 9000 bp
    // short of 90% = 90 points × 1.00 = 90.00.
    let scan = kpi(pb::Kpi::ScanCompliance);
    assert_eq!((scan.actual_bp, scan.shortfall_bp), (Some(0), 9_000));
    assert_eq!(scan.credit, usd(9_000));
    assert_eq!((scan.stretch_target_bp, scan.excess_bp), (0, 0));
    assert_eq!(e.service_credit, usd(9_000));
    // Bonus (owed to the carrier): on time 4 of 4 = 10000 bp, 500 bp past
    // the 9500 stretch = 5 points × 20.00 = 100.00; exceptions 0 bp, 1000
    // bp under the 1000 stretch = 10 points × 20.00 = 200.00. 300.00,
    // capped at 250.00.
    let on_time = kpi(pb::Kpi::OnTimeRate);
    assert_eq!((on_time.stretch_target_bp, on_time.excess_bp), (9_500, 500));
    assert_eq!(on_time.bonus, usd(10_000));
    let exceptions = kpi(pb::Kpi::ExceptionRate);
    assert_eq!(
        (exceptions.stretch_target_bp, exceptions.excess_bp),
        (1_000, 1_000)
    );
    assert_eq!(exceptions.bonus, usd(20_000));
    assert_eq!(e.service_bonus, usd(25_000));
    // Both stand: 90.00 owed by the carrier, 250.00 owed to it.
    assert!(e.breached);
    // Stored as computed: the read shows the same figures.
    let stored = app
        .sla(Role::Finance)
        .get_sla_evaluation(pb::GetSlaEvaluationRequest {
            name: e.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (stored.service_credit, stored.service_bonus),
        (usd(9_000), usd(25_000))
    );
    // The schedule reads back from the terms in force.
    let version = app
        .contracts(Role::Internal)
        .get_terms_in_force(pb::GetTermsInForceRequest {
            carrier: carrier.clone(),
            date: day(2026, 11, 2),
        })
        .await
        .unwrap()
        .into_inner();
    let bonuses = version.terms.unwrap().sla_terms[1].bonuses.clone().unwrap();
    assert_eq!(bonuses.cap_per_period, usd(25_000));
    // GROUND has no schedule: no bonus at all, not a zero one.
    let ground = app
        .sla(Role::Internal)
        .evaluate_sla(pb::EvaluateSlaRequest {
            carrier: carrier.clone(),
            service_level: "GROUND".into(),
            period_date: day(2026, 11, 2),
            as_of: ts(at(2026, 11, 20, 0, 0)),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ground.service_bonus, None);
}

async fn a_stretch_target_must_be_beyond_the_target(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut t = incentive_terms();
    let b = t.sla_terms[1].bonuses.as_mut().unwrap();
    let stretch = b.stretch_targets.as_mut().unwrap();
    // On time 85% is below the 90% target; exceptions 25% above the 20%
    // maximum; 10001 bp is no rate; the bonus in euros.
    stretch.on_time_rate_min_bp = 8_500;
    stretch.exception_rate_max_bp = 2_500;
    stretch.scan_compliance_min_bp = 10_001;
    b.bonus_per_point = Some(recourse_proto::common::Money {
        amount_minor: 100,
        currency_code: "EUR".into(),
    });
    let status = app
        .contracts(Role::Admin)
        .create_contract(pb::CreateContractRequest {
            request_id: "bad-bonus".into(),
            carrier: carrier.clone(),
            reference: "MSA".into(),
            display_name: "MSA".into(),
            effective_from: day(2026, 1, 1),
            effective_to: None,
            terms: Some(t),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let mut fields = violated_fields(&status);
    fields.sort();
    let at = "terms.sla_terms[1].bonuses";
    assert_eq!(
        fields,
        [
            format!("{at}.bonus_per_point.currency_code"),
            format!("{at}.stretch_targets.exception_rate_max_bp"),
            format!("{at}.stretch_targets.on_time_rate_min_bp"),
            format!("{at}.stretch_targets.scan_compliance_min_bp"),
        ]
    );
}
