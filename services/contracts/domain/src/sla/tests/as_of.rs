//! What is measured as of an instant, what is excused, and the stated
//! numerators, denominators and exclusions.

use super::*;

/// Shipped at t0, promised t0 + 48 h, never delivered.
fn undelivered() -> ShipmentFacts {
    ShipmentFacts {
        delivered: None,
        ..shipment(0)
    }
}

#[test]
fn monday_morning_does_not_turn_tuesdays_parcels_into_breaches() {
    // Four parcels promised t0 + 48 h (grace 0):
    //   A delivered 2 h early, B delivered 3 h late,
    //   C and D still on their way.
    // As of t0 + 47 h (before the promise): A is delivered (t0 + 46 h:
    // measured, on time); C and D are not yet due, and B's delivery (t0 +
    // 51 h) is not known yet, so it is not due either: measured 1, on time
    // 1 → 10000 bp; 3 not yet due.
    // As of t0 + 60 h: B's delivery is known (late); C and D are past due
    // and undelivered, so late: on time 1 / 4 = 2500 bp, nothing excluded.
    let facts = [shipment(-120), shipment(180), undelivered(), undelivered()];
    let early = evaluate(
        &facts,
        t0() + hours(47),
        None,
        &no_targets(),
        &credits(0, 0),
        Currency::USD,
    )
    .unwrap();
    let on_time = &early.kpis[0];
    assert_eq!(early.not_yet_due, 3);
    assert_eq!(
        early.delivered, 1,
        "B's delivery (t0 + 51 h) is after as_of"
    );
    assert_eq!(
        (on_time.numerator, on_time.denominator, on_time.actual_bp),
        (1, 1, Some(10_000))
    );
    assert_eq!(
        on_time.exclusions,
        [Exclusion {
            reason: ExclusionReason::NotYetDue,
            shipments: 3,
            codes: vec![],
        }]
    );

    let later = evaluate(
        &facts,
        t0() + hours(60),
        None,
        &no_targets(),
        &credits(0, 0),
        Currency::USD,
    )
    .unwrap();
    let on_time = &later.kpis[0];
    assert_eq!((later.not_yet_due, later.delivered), (0, 2));
    assert_eq!(
        (on_time.numerator, on_time.denominator, on_time.actual_bp),
        (1, 4, Some(2_500))
    );
    assert!(on_time.exclusions.is_empty());
}

#[test]
fn an_undelivered_parcel_inside_its_grace_is_not_due_yet() {
    // Promised t0 + 48 h with 60 min grace; as of t0 + 48 h 30 min it is
    // not due (it could still arrive on time); as of t0 + 49 h 1 min it is
    // late.
    let grace = MetricDefinition {
        grace_minutes: 60,
        ..metric()
    };
    let f = with_metric(&[undelivered()], grace);
    let at = |minutes: i64| {
        evaluate(
            &f,
            t0() + TimeDelta::minutes(minutes),
            None,
            &no_targets(),
            &credits(0, 0),
            Currency::USD,
        )
        .unwrap()
    };
    assert_eq!(at(48 * 60 + 30).not_yet_due, 1);
    let late = at(49 * 60 + 1);
    assert_eq!(late.not_yet_due, 0);
    assert_eq!((late.kpis[0].numerator, late.kpis[0].denominator), (0, 1));
}

#[test]
fn weather_and_refusals_are_excused_from_on_time_and_exceptions_only() {
    // Ten parcels: 2 late with WX01 (weather, excusable), 1 late with
    // REF (recipient refused, excusable), 1 late with DAMAGED (not
    // excusable), 6 on time.
    // Excused 3 (codes REF, WX01). On time: 6 / (10 − 3) = 8571 bp.
    // Exceptions: 1 / 7 = 1428 bp. Scan compliance still counts all 10.
    let mut facts = Vec::new();
    for code in ["WX01", "WX01", "REF"] {
        let excuse = if code == "REF" {
            ExcuseCategory::RecipientRefused
        } else {
            ExcuseCategory::Weather
        };
        facts.push(ShipmentFacts {
            exceptions: vec![exception(code, Some(excuse))],
            ..shipment(300)
        });
    }
    facts.push(ShipmentFacts {
        exceptions: vec![exception("DAMAGED", None)],
        ..shipment(300)
    });
    facts.extend((0..6).map(|_| shipment(-60)));
    let e = run(&facts, None, no_targets(), credits(0, 0));
    assert_eq!(e.excused, 3);
    assert_eq!(
        e.excused_codes,
        [
            ExcusedCode {
                code: "REF".into(),
                category: ExcuseCategory::RecipientRefused,
                shipments: 1,
            },
            ExcusedCode {
                code: "WX01".into(),
                category: ExcuseCategory::Weather,
                shipments: 2,
            },
        ]
    );
    let (on_time, scans, exceptions) = (&e.kpis[0], &e.kpis[1], &e.kpis[2]);
    assert_eq!(
        (on_time.numerator, on_time.denominator, on_time.actual_bp),
        (6, 7, Some(8_571))
    );
    assert_eq!(
        on_time.exclusions,
        [Exclusion {
            reason: ExclusionReason::Excused,
            shipments: 3,
            codes: vec!["REF".into(), "WX01".into()],
        }]
    );
    assert_eq!(
        (
            exceptions.numerator,
            exceptions.denominator,
            exceptions.actual_bp
        ),
        (1, 7, Some(1_428))
    );
    assert_eq!((scans.denominator, scans.exclusions.len()), (10, 0));
}

#[test]
fn an_exception_after_as_of_neither_counts_nor_excuses() {
    // Late delivery at t0 + 50 h, weather exception at t0 + 30 h. As of
    // t0 + 50 h: the exception is known and excuses it. With the exception dated t0 + 70 h instead, as
    // of t0 + 60 h it is unknown: the parcel is simply late.
    let excused = ShipmentFacts {
        exceptions: vec![exception("WX", Some(ExcuseCategory::Weather))],
        ..shipment(120)
    };
    let e = evaluate(
        std::slice::from_ref(&excused),
        t0() + hours(50),
        None,
        &no_targets(),
        &credits(0, 0),
        Currency::USD,
    )
    .unwrap();
    assert_eq!((e.excused, e.kpis[0].denominator), (1, 0));
    let later_exception = ShipmentFacts {
        exceptions: vec![ExceptionFact {
            at: t0() + hours(70),
            ..exception("WX", Some(ExcuseCategory::Weather))
        }],
        ..excused
    };
    let e = evaluate(
        &[later_exception],
        t0() + hours(60),
        None,
        &no_targets(),
        &credits(0, 0),
        Currency::USD,
    )
    .unwrap();
    assert_eq!((e.excused, e.with_exception), (0, 0));
    assert_eq!((e.kpis[0].numerator, e.kpis[0].denominator), (0, 1));
}

#[test]
fn cost_per_shipment_divides_by_shipments_with_a_charge() {
    // Four shipments, three billed 10.00, 12.00, 14.00 and one not billed
    // yet: 36.00 / 3 = 12.00 (not 36.00 / 4 = 9.00).
    let mut facts: Vec<_> = [1_000, 1_200, 1_400]
        .into_iter()
        .map(|cents| ShipmentFacts {
            billed: Some(usd(cents)),
            ..shipment(0)
        })
        .collect();
    facts.push(ShipmentFacts {
        billed: None,
        ..shipment(0)
    });
    let e = run(&facts, None, no_targets(), credits(0, 0));
    assert_eq!((e.total_billed, e.charged), (usd(3_600), 3));
    assert_eq!(e.cost_per_shipment, Some(usd(1_200)));
}
