//! A worked scorecard row; the arithmetic is in the comments.

use super::*;
use crate::domain::extras::{RefundRecovery, SlaRecord, Tender};

const DAY: i64 = 86_400;

fn claim(
    kind: &str,
    submitted: i64,
    decided: Option<i64>,
    approved: Option<i64>,
    recovered: i64,
) -> ClaimRecord {
    ClaimRecord {
        carrier_id: "c1".into(),
        service_level: "GROUND".into(),
        claim_type: kind.into(),
        status: "CLAIM_STATUS_APPROVED".into(),
        currency: "USD".into(),
        claimed_minor: 1_000,
        submitted_at: submitted,
        decided_at: decided,
        acknowledge_due: None,
        // Decision clock: 1970-01-20 (day 19).
        decision_due: Some("1970-01-20".into()),
        approved_minor: approved,
        recovered_minor: recovered,
    }
}

#[test]
fn a_worked_row_with_targets_rag_score_and_trend() {
    // 200 shipments in the period: 10 excused, 180 measured (10 not yet
    // due), 171 on time, 9 with an unexcused exception; 150 charged, billed
    // 150 × 12.34 = 1851.00.
    let counts = ShipmentCounts {
        carrier_id: "c1".into(),
        service_level: "GROUND".into(),
        shipments: 200,
        excused: 10,
        measured: 180,
        on_time: 171,
        with_exception: 9,
        // Scan compliance stated for 190 delivered or due shipments
        // (excused ones included), 171 of them compliant.
        scan_measured: 190,
        scan_compliant: 171,
        billed_minor: 185_100,
        charged: 150,
        currency: "USD".into(),
    };
    // Period [day 0, day 30).
    let window = (0, 30 * DAY);
    let claims = [
        // Damage, submitted day 1, decided day 3 (48 h), approved 100.00,
        // recovered 60.00.
        claim("CLAIM_TYPE_DAMAGE", DAY, Some(3 * DAY), Some(10_000), 6_000),
        // Loss, submitted day 2, decided day 12 (240 h), approved 50.00,
        // nothing recovered.
        claim("CLAIM_TYPE_LOSS", 2 * DAY, Some(12 * DAY), Some(5_000), 0),
        // Loss submitted day 5, decided day 25 (480 h, after its clock of
        // day 19), denied.
        claim("CLAIM_TYPE_LOSS", 5 * DAY, Some(25 * DAY), None, 0),
        // A delay claim: not a damage/loss claim, still open.
        claim("CLAIM_TYPE_DELAY", 6 * DAY, None, None, 0),
        // Submitted before the period, decided in it (day 1, 24 h after).
        claim("CLAIM_TYPE_DAMAGE", 0, Some(DAY), Some(2_000), 2_000),
    ];
    let refs: Vec<&ClaimRecord> = claims.iter().collect();
    let targets = Targets {
        on_time_min_bp: 9_600,
        exception_max_bp: 500,
        claims_max_bp: 100,
        scan_min_bp: 9_500,
    };
    // Two weekly SLA evaluations end in the period: credits 12.00 and
    // 3.01 (one breached), a bonus of 5.00 on one.
    let evaluations = [
        SlaRecord {
            carrier_id: "c1".into(),
            service_level: "GROUND".into(),
            currency: "USD".into(),
            credit_minor: 1_200,
            bonus_minor: None,
            breached: true,
        },
        SlaRecord {
            carrier_id: "c1".into(),
            service_level: "GROUND".into(),
            currency: "USD".into(),
            credit_minor: 301,
            bonus_minor: Some(500),
            breached: false,
        },
    ];
    let recovered = [RefundRecovery {
        carrier_id: "c1".into(),
        service_level: "GROUND".into(),
        currency: "USD".into(),
        amount_minor: 700,
    }];
    let extras = Extras {
        // 200 tendered, 188 within the days' allocations.
        tender: Some(Tender {
            tendered: 200,
            accepted: 188,
            allocated: true,
        }),
        evaluations: evaluations.iter().collect(),
        refunds_recovered: recovered.iter().collect(),
        open_escalations: 2,
    };
    let r = row(
        &counts,
        &refs,
        window,
        targets,
        &Weights::default(),
        &extras,
    );
    let kpi = |name: &str| r.kpis.iter().find(|k| k.name == name).cloned().unwrap();

    // On time: 171 / 180 = 0.95 → 9500 bp; target ≥ 9600 misses by 100 → amber.
    let on_time = kpi("on_time_rate");
    assert_eq!((on_time.actual, on_time.rag), (Some(9_500), Rag::Amber));
    assert_eq!(on_time.variance(), Some(-100));
    // Exceptions: 9 / 180 = 0.05 → 500 bp; target ≤ 500 → green.
    assert_eq!(kpi("exception_rate").actual, Some(500));
    assert_eq!(kpi("exception_rate").rag, Rag::Green);
    // Claims: damage/loss submitted in the period = 4 (days 0, 1, 2, 5;
    // the delay claim does not count) / 200 shipments = 200 bp; target
    // ≤ 100 misses by 100 → amber.
    assert_eq!(r.claims, 4);
    assert_eq!(
        (kpi("claims_rate").actual, kpi("claims_rate").rag),
        (Some(200), Rag::Amber)
    );
    // Decided in the period: 4 (days 1, 3, 12, 25); on the clock (≤ day 19):
    // 3 → 3 / 4 = 7500 bp; target 9500 misses by 2000 → red.
    assert_eq!(kpi("decided_on_clock_rate").actual, Some(7_500));
    assert_eq!(kpi("decided_on_clock_rate").rag, Rag::Red);
    // Cycle hours sorted: 24, 48, 240, 480. Median rank ceil(0.5 × 4) = 2
    // → 48 h; p90 rank ceil(0.9 × 4) = 4 → 480 h.
    assert_eq!(kpi("claim_cycle_median").actual, Some(48));
    assert_eq!(kpi("claim_cycle_p90").actual, Some(480));
    // Recovery: recovered (60 + 0 + 20) / approved (100 + 50 + 20) = 80 / 170
    // = 0.470588… → 4705 bp.
    assert_eq!(kpi("recovery_rate").actual, Some(4_705));
    // Cost per shipment: 185100 / 150 = 1234 (12.34 USD).
    assert_eq!(r.cost_per_shipment, Some((1_234, "USD".into())));
    // Scan compliance: 171 / 190 = 0.9 → 9000 bp; target ≥ 9500 misses
    // by 500 → red.
    assert_eq!(kpi("scan_compliance").actual, Some(9_000));
    assert_eq!(kpi("scan_compliance").rag, Rag::Red);
    // Tender acceptance: 188 / 200 = 0.94 → 9400 bp; house target ≥ 9500
    // (an allocation was stated) misses by 100 → amber.
    assert_eq!(kpi("tender_acceptance").actual, Some(9_400));
    assert_eq!(kpi("tender_acceptance").rag, Rag::Amber);
    // Credits 12.00 + 3.01 = 15.01, bonus 5.00; 2 evaluations, 1 breach.
    assert_eq!(r.service_credits, Some((1_501, "USD".into())));
    assert_eq!(r.service_bonuses, Some((500, "USD".into())));
    assert_eq!((r.sla_evaluations, r.sla_breaches), (2, 1));
    // Refunds: the DELAY claim submitted day 6 (10.00 claimed); 7.00
    // recovered on refund claims in the period.
    assert_eq!(r.refunds_filed, 1);
    assert_eq!(r.refunds_claimed, Some((1_000, "USD".into())));
    assert_eq!(r.refunds_recovered, Some((700, "USD".into())));
    assert_eq!(r.open_escalations, 2);
    // Billing adjustments: (15.01 credits + 10.00 refunds) / 1851.00 billed
    // = 2501 × 10000 / 185100 = 135.11… → 135 bp; ≤ 100 missed by 35 →
    // amber.
    assert_eq!(kpi("billing_adjustment_rate").actual, Some(135));
    assert_eq!(kpi("billing_adjustment_rate").rag, Rag::Amber);
    // Score: on-time amber 50 × 40, claims amber 50 × 20, handling red 0
    // × 15, tracking (scan compliance) red 0 × 10, billing amber 50 × 10,
    // other = mean(exceptions green 100, tender amber 50) = 75 × 5:
    // (2000 + 1000 + 0 + 0 + 500 + 375) × 100 / 100 = 3875 → 38.75.
    assert_eq!(r.score, Some(3_875));

    // Trend: the previous period had 9,000 bp on time and a score of 50.00.
    let mut previous = r.clone();
    previous.kpis[0].actual = Some(9_000);
    previous.score = Some(5_000);
    let r = with_previous(r, Some(&previous));
    assert_eq!(r.kpis[0].trend(), Some(500));
    assert_eq!(r.previous_score, Some(5_000));
}

#[test]
fn nothing_measured_is_not_rated_and_has_no_score() {
    let counts = ShipmentCounts {
        carrier_id: "c1".into(),
        service_level: "GROUND".into(),
        shipments: 3,
        measured: 0,
        ..ShipmentCounts::default()
    };
    let r = row(
        &counts,
        &[],
        (0, DAY),
        Targets::default(),
        &Weights::default(),
        &Extras::default(),
    );
    assert!(r.kpis.iter().all(|k| k.rag == Rag::NotRated));
    assert_eq!(r.score, None);
    assert_eq!(r.cost_per_shipment, None);
}

#[test]
fn a_carriers_targets_are_weighted_by_each_levels_shipments() {
    // GROUND 300 shipments at ≥ 9500 bp on time, NEXT_DAY 100 at ≥ 9800:
    // (300 × 9500 + 100 × 9800) / 400 = (2850000 + 980000) / 400 = 9575.
    // Only GROUND sets an exception target (500): 300 × 500 / 300 = 500.
    let ground = Targets {
        on_time_min_bp: 9_500,
        exception_max_bp: 500,
        claims_max_bp: 0,
        scan_min_bp: 9_000,
    };
    let next_day = Targets {
        on_time_min_bp: 9_800,
        ..Targets::default()
    };
    let t = weighted_targets(&[(300, ground), (100, next_day)]);
    assert_eq!(
        t,
        Targets {
            on_time_min_bp: 9_575,
            exception_max_bp: 500,
            claims_max_bp: 0,
            // Only GROUND sets one: 300 × 9000 / 300.
            scan_min_bp: 9_000,
        }
    );
}

#[test]
fn a_carriers_counts_are_the_sum_of_its_levels() {
    let level = |c: &str, l: &str, n: u64, billed: i64, charged: u64, cur: &str| ShipmentCounts {
        carrier_id: c.into(),
        service_level: l.into(),
        shipments: n,
        measured: n,
        on_time: n - 1,
        scan_measured: n,
        scan_compliant: 1,
        billed_minor: billed,
        charged,
        currency: cur.into(),
        ..ShipmentCounts::default()
    };
    // c1: GROUND 10 (billed 100.00 USD on 8) + NEXT_DAY 5 (20.00 USD on 2)
    // → 15 shipments, 13 on time, 10 charged, 120.00 USD. c2: one level
    // in EUR, one without charges → EUR.
    let totals = carrier_totals(&[
        level("c1", "GROUND", 10, 10_000, 8, "USD"),
        level("c1", "NEXT_DAY", 5, 2_000, 2, "USD"),
        level("c2", "GROUND", 3, 900, 3, "EUR"),
        level("c2", "NEXT_DAY", 2, 0, 0, ""),
    ]);
    assert_eq!(totals.len(), 2);
    let c1 = &totals[0];
    assert_eq!(
        (
            c1.service_level.as_str(),
            c1.shipments,
            c1.on_time,
            c1.charged,
            c1.billed_minor,
            c1.currency.as_str()
        ),
        ("", 15, 13, 10, 12_000, "USD")
    );
    assert_eq!((c1.scan_measured, c1.scan_compliant), (15, 2));
    assert_eq!(totals[1].currency, "EUR");
    // Levels charged in different currencies: no single currency.
    let mixed = carrier_totals(&[
        level("c3", "GROUND", 1, 100, 1, "USD"),
        level("c3", "NEXT_DAY", 1, 100, 1, "EUR"),
    ]);
    assert_eq!(mixed[0].currency, "");
}
