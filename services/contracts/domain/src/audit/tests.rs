//! Audit examples against a 13 lb zone-8 quote: base $30.00, fuel $3.75,
//! signature $5.50, total $39.25.

use recourse_money::{Currency, Money, MoneyError};

use super::*;
use recourse_units::WeightUnit;

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

/// The shipment requested a signature at tender.
fn requested() -> Vec<String> {
    vec!["SIG".into()]
}

/// An itemised invoice that agrees with the quote.
fn billed_as_quoted() -> Billed {
    Billed {
        zone: Some("8".into()),
        billable_weight: Some(lb(13_000)),
        base_charge: Some(usd(3000)),
        surcharges: vec![charge("FUEL", 375), charge("SIG", 550)],
        total: usd(3925),
    }
}

fn causes(a: &Audit) -> Vec<(Cause, &str, Option<i64>)> {
    a.discrepancies
        .iter()
        .map(|d| {
            (
                d.cause,
                d.code.as_str(),
                d.difference.map(|m| m.amount_minor()),
            )
        })
        .collect()
}

#[test]
fn exact_match_gives_no_discrepancies_and_zero_difference() {
    let a = audit(&expected(), &billed_as_quoted(), &requested()).unwrap();
    assert_eq!(a.difference, usd(0));
    assert!(a.discrepancies.is_empty());
}

#[test]
fn overbilled_weight_15_lb_instead_of_13_costs_400_base_and_50_fuel() {
    let billed = Billed {
        billable_weight: Some(lb(15_000)),
        base_charge: Some(usd(3400)),
        surcharges: vec![charge("FUEL", 425), charge("SIG", 550)],
        total: usd(4375),
        ..billed_as_quoted()
    };
    let a = audit(&expected(), &billed, &requested()).unwrap();
    assert_eq!(a.difference, usd(450));
    assert_eq!(
        causes(&a),
        [
            (Cause::Weight, "WEIGHT", None),
            (Cause::BaseRate, "BASE", Some(400)),
            (Cause::Surcharge, "FUEL", Some(50)),
        ]
    );
    assert_eq!(a.discrepancies[0].expected, "13.000 lb");
    assert_eq!(a.discrepancies[0].billed, "15.000 lb");
}

#[test]
fn wrong_zone_9_instead_of_8() {
    let billed = Billed {
        zone: Some("9".into()),
        base_charge: Some(usd(3300)),
        total: usd(4225),
        ..billed_as_quoted()
    };
    let a = audit(&expected(), &billed, &requested()).unwrap();
    assert_eq!(a.difference, usd(300));
    assert_eq!(
        causes(&a),
        [
            (Cause::Zone, "ZONE", None),
            (Cause::BaseRate, "BASE", Some(300))
        ]
    );
    assert_eq!(
        (
            a.discrepancies[0].expected.as_str(),
            a.discrepancies[0].billed.as_str()
        ),
        ("8", "9")
    );
}

#[test]
fn extra_residential_accessorial_is_475_overbilled() {
    let mut billed = billed_as_quoted();
    billed.surcharges.push(charge("RES", 475));
    billed.total = usd(4400);
    let a = audit(&expected(), &billed, &requested()).unwrap();
    assert_eq!(
        causes(&a),
        [
            (Cause::Surcharge, "RES", Some(475)),
            (Cause::UnrequestedAccessorial, "RES", None)
        ]
    );
    assert_eq!(a.discrepancies[0].expected, "USD 0.00");
    assert_eq!(a.discrepancies[0].billed, "USD 4.75");
}

#[test]
fn missing_signature_is_550_underbilled() {
    let billed = Billed {
        surcharges: vec![charge("FUEL", 375)],
        total: usd(3375),
        ..billed_as_quoted()
    };
    let a = audit(&expected(), &billed, &requested()).unwrap();
    assert_eq!(a.difference, usd(-550));
    assert_eq!(causes(&a), [(Cause::Surcharge, "SIG", Some(-550))]);
}

#[test]
fn surcharge_lines_with_the_same_code_are_summed() {
    let billed = Billed {
        surcharges: vec![charge("FUEL", 200), charge("SIG", 550), charge("FUEL", 175)],
        ..billed_as_quoted()
    };
    assert!(
        audit(&expected(), &billed, &requested())
            .unwrap()
            .discrepancies
            .is_empty()
    );
}

#[test]
fn total_only_invoice_overbilled_by_100() {
    let billed = Billed {
        zone: None,
        billable_weight: None,
        base_charge: None,
        surcharges: vec![],
        total: usd(4025),
    };
    let a = audit(&expected(), &billed, &requested()).unwrap();
    assert_eq!(causes(&a), [(Cause::Total, "TOTAL", Some(100))]);
    assert_eq!(a.discrepancies[0].expected, "USD 39.25");
    assert_eq!(a.discrepancies[0].billed, "USD 40.25");
}

#[test]
fn total_only_invoice_that_matches_is_clean() {
    let billed = Billed {
        zone: None,
        billable_weight: None,
        base_charge: None,
        surcharges: vec![],
        total: usd(3925),
    };
    assert!(
        audit(&expected(), &billed, &requested())
            .unwrap()
            .discrepancies
            .is_empty()
    );
}

#[test]
fn itemised_invoice_whose_total_does_not_add_up_flags_the_unexplained_25() {
    let billed = Billed {
        total: usd(3950),
        ..billed_as_quoted()
    };
    let a = audit(&expected(), &billed, &requested()).unwrap();
    assert_eq!(causes(&a), [(Cause::Total, "TOTAL", Some(25))]);
}

#[test]
fn kg_invoice_within_conversion_noise_matches() {
    // 13 lb = 5.896701 kg; 5.897 kg converts back to 13.001 lb: noise.
    let billed = Billed {
        billable_weight: Some(Weight::new(5897, WeightUnit::Kg)),
        ..billed_as_quoted()
    };
    assert!(
        audit(&expected(), &billed, &requested())
            .unwrap()
            .discrepancies
            .is_empty()
    );
}

#[test]
fn kg_invoice_for_6_kg_is_13_228_lb_and_flagged() {
    let billed = Billed {
        billable_weight: Some(Weight::new(6000, WeightUnit::Kg)),
        ..billed_as_quoted()
    };
    let a = audit(&expected(), &billed, &requested()).unwrap();
    assert_eq!(causes(&a), [(Cause::Weight, "WEIGHT", None)]);
    assert_eq!(a.discrepancies[0].billed, "6.000 kg (13.228 lb)");
}

#[test]
fn invoice_in_another_currency_is_an_error() {
    let billed = Billed {
        total: Money::new(3925, Currency::EUR),
        ..billed_as_quoted()
    };
    assert!(matches!(
        audit(&expected(), &billed, &requested()),
        Err(MoneyError::CurrencyMismatch { .. })
    ));
}

#[test]
fn base_only_invoice_without_surcharges_flags_the_missing_fuel_and_signature() {
    let billed = Billed {
        surcharges: vec![],
        total: usd(3000),
        ..billed_as_quoted()
    };
    let a = audit(&expected(), &billed, &requested()).unwrap();
    assert_eq!(
        causes(&a),
        [
            (Cause::Surcharge, "FUEL", Some(-375)),
            (Cause::Surcharge, "SIG", Some(-550))
        ]
    );
    assert_eq!(a.difference, usd(-925));
}

#[test]
fn signature_billed_twice_is_550_overbilled() {
    let mut billed = billed_as_quoted();
    billed.surcharges.push(charge("SIG", 550));
    billed.total = usd(4475);
    let a = audit(&expected(), &billed, &requested()).unwrap();
    assert_eq!(causes(&a), [(Cause::Surcharge, "SIG", Some(550))]);
    assert_eq!(a.discrepancies[0].billed, "USD 11.00");
}

#[test]
fn residential_billed_but_never_requested_is_flagged_and_counted_once() {
    // Billed RES 4.95 that the shipment never asked for: the surcharge line
    // shows +4.95 (expected 0, the quote prices only SIG) and the
    // UnrequestedAccessorial line flags it without counting it twice.
    // Total 39.25 + 4.95 = 44.20, difference +4.95, nothing unexplained.
    let mut billed = billed_as_quoted();
    billed.surcharges.push(charge("RES", 495));
    billed.total = usd(4420);
    let a = audit(&expected(), &billed, &requested()).unwrap();
    assert_eq!(a.difference, usd(495));
    assert_eq!(
        causes(&a),
        [
            (Cause::Surcharge, "RES", Some(495)),
            (Cause::UnrequestedAccessorial, "RES", None)
        ]
    );
    // Requested at tender: only the (unexpected) surcharge line remains.
    let with_res = vec!["SIG".to_owned(), "RES".to_owned()];
    let a = audit(&expected(), &billed, &with_res).unwrap();
    assert_eq!(causes(&a), [(Cause::Surcharge, "RES", Some(495))]);
}
