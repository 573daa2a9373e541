//! Rates against targets, credits, caps and billing totals.

use recourse_money::MoneyError;

use super::*;

#[test]
fn three_exceptions_in_ten_is_3000_bp_over_a_2000_max_by_1000() {
    let facts: Vec<_> = (0..10)
        .map(|i| ShipmentFacts {
            exceptions: if i < 3 {
                vec![exception("DAMAGED", None)]
            } else {
                vec![]
            },
            ..shipment(0)
        })
        .collect();
    let e = run(
        &facts,
        None,
        Targets {
            exception_rate_max_bp: 2000,
            ..no_targets()
        },
        credits(100, 0),
    );
    let k = &e.kpis[2];
    assert_eq!(
        (e.with_exception, k.actual_bp, k.shortfall_bp),
        (3, Some(3000), 1000)
    );
    assert_eq!(k.credit, usd(1000));
}

#[test]
fn unknown_claims_are_not_measured_one_claim_in_ten_is_1000_bp_over_500() {
    let facts: Vec<_> = (0..10).map(|_| shipment(0)).collect();
    let targets = Targets {
        claims_rate_max_bp: 500,
        ..no_targets()
    };
    let unknown = run(&facts, None, targets, credits(100, 0));
    assert_eq!(
        (unknown.kpis[3].actual_bp, unknown.kpis[3].breached),
        (None, false)
    );
    let known = run(&facts, Some(1), targets, credits(100, 0));
    assert_eq!(
        (known.kpis[3].actual_bp, known.kpis[3].shortfall_bp),
        (Some(1000), 500)
    );
    assert_eq!(known.claims, Some(1));
}

#[test]
fn two_of_three_on_time_floors_to_6666_bp() {
    let facts = [shipment(0), shipment(0), shipment(60)];
    assert_eq!(
        run(&facts, None, no_targets(), credits(0, 0)).kpis[0].actual_bp,
        Some(6666)
    );
}

#[test]
fn credit_333_cents_per_point_for_150_bp_is_499_5_rounded_to_500() {
    let facts: Vec<_> = (0..20)
        .map(|i| ShipmentFacts {
            exceptions: if i < 1 {
                vec![exception("DAMAGED", None)]
            } else {
                vec![]
            },
            ..shipment(0)
        })
        .collect();
    // 1 in 20 = 500 bp against a 350 bp maximum → 150 bp = 1.5 points
    let e = run(
        &facts,
        None,
        Targets {
            exception_rate_max_bp: 350,
            ..no_targets()
        },
        credits(333, 0),
    );
    assert_eq!(e.kpis[2].credit, usd(500));
}

#[test]
fn cap_applies_40_000_plus_150_000_capped_at_100_000() {
    let mut facts: Vec<_> = (0..8).map(|_| shipment(-30)).collect();
    facts.extend((0..2).map(|_| ShipmentFacts {
        scans: vec![],
        ..shipment(90)
    }));
    let targets = Targets {
        on_time_rate_min_bp: 9500,
        scan_compliance_min_bp: 8400,
        ..no_targets()
    };
    let e = run(&facts, None, targets, credits(10_000, 100_000));
    assert_eq!(e.kpis[0].credit, usd(150_000));
    assert_eq!(e.kpis[1].credit, usd(40_000));
    assert_eq!(e.service_credit, usd(100_000));
}

#[test]
fn no_shipments_measures_nothing_and_owes_nothing() {
    let targets = Targets {
        on_time_rate_min_bp: 9500,
        scan_compliance_min_bp: 9000,
        exception_rate_max_bp: 100,
        claims_rate_max_bp: 100,
    };
    let e = run(&[], Some(3), targets, credits(10_000, 0));
    assert!(
        e.kpis
            .iter()
            .all(|k| k.actual_bp.is_none() && !k.breached && k.credit.is_zero())
    );
    assert_eq!(
        (
            e.shipments,
            e.service_credit,
            e.total_billed,
            e.cost_per_shipment
        ),
        (0, usd(0), usd(0), None)
    );
    assert!(!e.breached);
}

#[test]
fn billed_1000_1000_and_unbilled_totals_2000_averaging_1000_over_the_2_charged() {
    let facts = [
        shipment(0),
        shipment(0),
        ShipmentFacts {
            billed: None,
            ..shipment(0)
        },
    ];
    let e = run(&facts, None, no_targets(), credits(0, 0));
    assert_eq!(e.total_billed, usd(2000));
    // 20.00 / 2 shipments with a charge (the unbilled one is not divided by).
    assert_eq!(e.charged, 2);
    assert_eq!(e.cost_per_shipment, Some(usd(1000)));
}

#[test]
fn credits_or_bills_in_another_currency_are_errors() {
    let eur = CreditSchedule {
        credit_per_point: Money::new(1, Currency::EUR),
        cap_per_period: usd(0),
    };
    let err = evaluate(
        &with_metric(&[], metric()),
        known(),
        None,
        &no_targets(),
        &eur,
        Currency::USD,
    );
    assert!(matches!(err, Err(MoneyError::CurrencyMismatch { .. })));
    let billed_eur = ShipmentFacts {
        billed: Some(Money::new(1, Currency::EUR)),
        ..shipment(0)
    };
    let err = evaluate(
        &with_metric(&[billed_eur], metric()),
        known(),
        None,
        &no_targets(),
        &credits(0, 0),
        Currency::USD,
    );
    assert!(matches!(err, Err(MoneyError::CurrencyMismatch { .. })));
}
