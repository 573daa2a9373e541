//! Worked examples of a line's amount at stake against a 13 lb zone-8
//! quote: base $30.00, fuel $3.75, signature $5.50, total $39.25.

use recourse_money::{Currency, Money};
use recourse_units::{Weight, WeightUnit};

use super::*;
use crate::rating::Charge;

fn usd(cents: i64) -> Money {
    Money::new(cents, Currency::USD)
}

fn lb(thousandths: i64) -> Weight {
    Weight::new(thousandths, WeightUnit::Lb)
}

fn charge(code: &str, cents: i64) -> Charge {
    Charge {
        code: code.into(),
        amount: usd(cents),
    }
}

fn expected() -> Quote {
    Quote {
        zone: "8".into(),
        actual_weight: lb(12_000),
        dimensional_weight: None,
        billable_weight: lb(13_000),
        base_charge: usd(3000),
        minimum_applied: false,
        surcharges: vec![charge("FUEL", 375), charge("SIG", 550)],
        total: usd(3925),
    }
}

fn billed(base: i64, surcharges: Vec<Charge>, total: i64) -> Billed {
    Billed {
        zone: Some("8".into()),
        billable_weight: Some(lb(13_000)),
        base_charge: Some(usd(base)),
        surcharges,
        total: usd(total),
    }
}

fn priced(scanned: bool, late: Option<LateGuarantee>) -> LineFacts {
    LineFacts {
        duplicate_of: None,
        shipment: Some(Priced {
            expected: expected(),
            requested: vec!["SIG".into()],
            scanned,
            late,
        }),
    }
}

fn summary(a: &LineAudit) -> Vec<(FindingCause, &str, i64)> {
    a.findings
        .iter()
        .map(|f| (f.cause, f.code.as_str(), f.amount.amount_minor()))
        .collect()
}

#[test]
fn a_line_billed_as_contracted_puts_nothing_at_stake() {
    let line = billed(3000, vec![charge("FUEL", 375), charge("SIG", 550)], 3925);
    let a = audit_line(&line, &priced(true, None)).unwrap();
    assert!(a.findings.is_empty());
    assert_eq!(a.at_stake, usd(0));
}

#[test]
fn an_unrequested_residential_surcharge_is_the_overcharge() {
    // Billed: base 30.00 + fuel 3.75 + SIG 5.50 + RESIDENTIAL 4.95 = 44.20.
    // Owed: 39.25. At stake: 44.20 − 39.25 = 4.95, carried by the
    // RESIDENTIAL surcharge line (4.95 − 0); the unrequested-accessorial
    // finding repeats the cause with 0 so the money is not counted twice.
    let line = billed(
        3000,
        vec![
            charge("FUEL", 375),
            charge("SIG", 550),
            charge("RESIDENTIAL", 495),
        ],
        4420,
    );
    let a = audit_line(&line, &priced(true, None)).unwrap();
    assert_eq!(
        summary(&a),
        [
            (FindingCause::Surcharge, "RESIDENTIAL", 495),
            (FindingCause::UnrequestedAccessorial, "RESIDENTIAL", 0),
        ]
    );
    assert_eq!(a.at_stake, usd(495));
}

#[test]
fn fuel_on_the_wrong_base_and_an_undercharge_net_out() {
    // The carrier billed base 32.00 (+2.00) and fuel 12.5 % of 32.00 = 4.00
    // (+0.25), but forgot the signature (−5.50): total 36.00.
    // Findings: BASE +2.00, FUEL +0.25, SIG 0 (an undercharge is not at
    // stake). The line: billed 36.00 − owed 39.25 = −3.25 → 0 at stake.
    let line = billed(3200, vec![charge("FUEL", 400)], 3600);
    let a = audit_line(&line, &priced(true, None)).unwrap();
    assert_eq!(
        summary(&a),
        [
            (FindingCause::BaseRate, "BASE", 200),
            (FindingCause::Surcharge, "FUEL", 25),
            (FindingCause::Surcharge, "SIG", 0),
        ]
    );
    assert_eq!(a.at_stake, usd(0));
}

#[test]
fn a_duplicate_or_a_parcel_never_scanned_puts_the_whole_line_at_stake() {
    let line = billed(3000, vec![charge("FUEL", 375), charge("SIG", 550)], 3925);
    let mut facts = priced(true, None);
    facts.duplicate_of = Some("INV-1 line 2".into());
    let a = audit_line(&line, &facts).unwrap();
    assert_eq!(summary(&a), [(FindingCause::Duplicate, "DUPLICATE", 3925)]);
    assert_eq!(a.at_stake, usd(3925));
    let a = audit_line(&line, &priced(false, None)).unwrap();
    assert_eq!(
        summary(&a),
        [(FindingCause::NeverHandedOver, "NO_SCAN", 3925)]
    );
    assert_eq!(a.at_stake, usd(3925));
}

#[test]
fn an_unknown_shipment_is_flagged_with_nothing_at_stake() {
    let line = billed(3000, vec![], 3000);
    let facts = LineFacts {
        duplicate_of: None,
        shipment: None,
    };
    let a = audit_line(&line, &facts).unwrap();
    assert_eq!(summary(&a), [(FindingCause::UnknownShipment, "UNKNOWN", 0)]);
    assert_eq!(a.at_stake, usd(0));
}

#[test]
fn a_late_guaranteed_delivery_refunds_the_contracted_base() {
    // Billed as contracted (39.25). Refund on the base only (default
    // scope): the rated base 30.00. Owed 39.25 − 30.00 = 9.25; at stake
    // 39.25 − 9.25 = 30.00.
    let line = billed(3000, vec![charge("FUEL", 375), charge("SIG", 550)], 3925);
    let late = LateGuarantee {
        scope: RefundScope::default(),
        minutes_late: 95,
    };
    let a = audit_line(&line, &priced(true, Some(late))).unwrap();
    assert_eq!(summary(&a), [(FindingCause::LateGuaranteed, "LATE", 3000)]);
    assert_eq!(a.findings[0].billed, "95 minutes late");
    assert_eq!(a.at_stake, usd(3000));
    // Terms refunding fuel and accessorials too: 30.00 + 3.75 + 5.50 =
    // 39.25, the whole line.
    let all = LateGuarantee {
        scope: RefundScope {
            fuel: true,
            accessorials: true,
        },
        minutes_late: 95,
    };
    let a = audit_line(&line, &priced(true, Some(all))).unwrap();
    assert_eq!(a.at_stake, usd(3925));
}

#[test]
fn late_and_overbilled_never_counts_the_base_overcharge_twice() {
    // Billed base 32.00 (+2.00), fuel 3.75, SIG 5.50: total 41.25.
    // Owed: 39.25 − refund 30.00 = 9.25. At stake 41.25 − 9.25 = 32.00 —
    // the whole billed base (2.00 overcharge + 30.00 refund), not 34.00.
    let line = billed(3200, vec![charge("FUEL", 375), charge("SIG", 550)], 4125);
    let late = LateGuarantee {
        scope: RefundScope::default(),
        minutes_late: 1,
    };
    let a = audit_line(&line, &priced(true, Some(late))).unwrap();
    assert_eq!(a.at_stake, usd(3200));
}

#[test]
fn causes_round_trip_through_their_names() {
    for cause in [
        FindingCause::Zone,
        FindingCause::Weight,
        FindingCause::BaseRate,
        FindingCause::Surcharge,
        FindingCause::UnrequestedAccessorial,
        FindingCause::Total,
        FindingCause::Duplicate,
        FindingCause::NeverHandedOver,
        FindingCause::LateGuaranteed,
        FindingCause::UnknownShipment,
        FindingCause::Unrated,
    ] {
        assert_eq!(FindingCause::parse(cause.as_str()), Some(cause));
    }
    assert_eq!(FindingCause::parse("nope"), None);
}
