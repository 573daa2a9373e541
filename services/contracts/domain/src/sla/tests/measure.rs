//! Counting: on time, scan compliance, KPI shape.

use super::*;

#[test]
fn ten_shipments_eight_on_time_is_8000_bp_breaching_9500_by_1500_bp_credit_15_points() {
    let mut facts: Vec<_> = (0..8).map(|_| shipment(-30)).collect();
    facts.extend((0..2).map(|_| shipment(90)));
    let targets = Targets {
        on_time_rate_min_bp: 9500,
        ..no_targets()
    };
    // $100 per point × 15 points = $1,500
    let e = run(&facts, None, targets, credits(10_000, 0));
    assert_eq!((e.shipments, e.delivered, e.on_time), (10, 10, 8));
    let k = &e.kpis[0];
    assert_eq!(k.kpi, Kpi::OnTimeRate);
    assert_eq!(
        (k.actual_bp, k.target_bp, k.breached, k.shortfall_bp),
        (Some(8000), 9500, true, 1500)
    );
    assert_eq!(k.credit, usd(150_000));
    assert_eq!(e.service_credit, usd(150_000));
    assert!(e.breached);
}

#[test]
fn kpis_are_always_four_in_enum_order() {
    let e = run(&[shipment(0)], None, no_targets(), credits(0, 0));
    let kinds: Vec<Kpi> = e.kpis.iter().map(|k| k.kpi).collect();
    assert_eq!(
        kinds,
        [
            Kpi::OnTimeRate,
            Kpi::ScanCompliance,
            Kpi::ExceptionRate,
            Kpi::ClaimsRate
        ]
    );
    assert!(!e.breached);
}

#[test]
fn delivery_exactly_at_the_promise_is_on_time() {
    assert_eq!(
        run(&[shipment(0)], None, no_targets(), credits(0, 0)).on_time,
        1
    );
}

#[test]
fn grace_15_makes_a_10_minute_late_delivery_on_time_grace_5_does_not() {
    let facts = [shipment(10)];
    let cs = credits(0, 0);
    let with = MetricDefinition {
        grace_minutes: 15,
        ..metric()
    };
    let without = MetricDefinition {
        grace_minutes: 5,
        ..metric()
    };
    assert_eq!(
        evaluate(
            &with_metric(&facts, with),
            known(),
            None,
            &no_targets(),
            &cs,
            Currency::USD
        )
        .unwrap()
        .on_time,
        1
    );
    assert_eq!(
        evaluate(
            &with_metric(&facts, without),
            known(),
            None,
            &no_targets(),
            &cs,
            Currency::USD
        )
        .unwrap()
        .on_time,
        0
    );
}

#[test]
fn undelivered_shipment_is_not_on_time_but_can_be_scan_compliant() {
    let f = ShipmentFacts {
        delivered: None,
        scans: vec![t0() + hours(2), t0() + hours(20)],
        ..shipment(0)
    };
    let e = run(&[f], None, no_targets(), credits(0, 0));
    assert_eq!((e.delivered, e.on_time, e.scan_compliant), (0, 0, 1));
}

#[test]
fn scan_gap_of_30_hours_breaks_a_24_hour_limit_24_exactly_does_not() {
    let gap_30 = ShipmentFacts {
        scans: vec![t0() + hours(1), t0() + hours(31), t0() + hours(48)],
        ..shipment(0)
    };
    let gap_24 = ShipmentFacts {
        scans: vec![t0() + hours(48), t0() + hours(1), t0() + hours(25)],
        ..shipment(0)
    };
    let e = run(
        &[gap_30, gap_24],
        None,
        Targets {
            scan_compliance_min_bp: 9000,
            ..no_targets()
        },
        credits(1000, 0),
    );
    assert_eq!(e.scan_compliant, 1);
    let k = &e.kpis[1];
    assert_eq!(
        (k.actual_bp, k.breached, k.shortfall_bp),
        (Some(5000), true, 4000)
    );
    // $10 per point × 40 points
    assert_eq!(k.credit, usd(40_000));
}

#[test]
fn first_scan_after_5_hours_misses_a_4_hour_limit_and_no_scans_never_comply() {
    let late = ShipmentFacts {
        scans: vec![t0() + hours(5), t0() + hours(20)],
        ..shipment(0)
    };
    let none = ShipmentFacts {
        scans: vec![],
        ..shipment(0)
    };
    assert_eq!(
        run(&[late, none], None, no_targets(), credits(0, 0)).scan_compliant,
        0
    );
}

#[test]
fn zero_hour_limits_disable_the_scan_checks() {
    let sparse = ShipmentFacts {
        scans: vec![t0() + hours(100), t0() + hours(300)],
        ..shipment(0)
    };
    let open = MetricDefinition {
        grace_minutes: 0,
        first_scan_hours: 0,
        max_scan_gap_hours: 0,
    };
    let e = evaluate(
        &with_metric(&[sparse], open),
        known(),
        None,
        &no_targets(),
        &credits(0, 0),
        Currency::USD,
    )
    .unwrap();
    assert_eq!(e.scan_compliant, 1);
}
