//! Liability caps worked by hand in USD cents.
// Amounts are written dollars_cents (250_00 is $250.00), so grouping is
// by the decimal point, not by thousands.
#![allow(clippy::inconsistent_digit_grouping)]

use recourse_money::{Currency, Money, MoneyError};

use super::*;

fn usd(cents: i64) -> Money {
    Money::new(cents, Currency::USD)
}

/// $100 default, declared values covered without a maximum, no weight limit.
fn terms() -> LiabilityTerms {
    LiabilityTerms {
        default_per_package_limit: usd(100_00),
        declared_value_coverage: true,
        max_declared_value: None,
        per_weight_unit_limit: None,
    }
}

#[test]
fn proven_250_declared_400_default_100_caps_at_250() {
    let cap = liability_cap(usd(250_00), Some(usd(400_00)), None, &terms());
    assert_eq!(cap, Ok(usd(250_00)));
}

#[test]
fn no_declared_value_caps_at_default_100() {
    assert_eq!(
        liability_cap(usd(250_00), None, None, &terms()),
        Ok(usd(100_00))
    );
}

#[test]
fn declared_800_above_max_500_caps_at_500() {
    let t = LiabilityTerms {
        max_declared_value: Some(usd(500_00)),
        ..terms()
    };
    assert_eq!(
        liability_cap(usd(1_000_00), Some(usd(800_00)), None, &t),
        Ok(usd(500_00))
    );
}

#[test]
fn per_pound_limit_0_50_times_12_lb_caps_at_6() {
    let t = LiabilityTerms {
        per_weight_unit_limit: Some(usd(50)),
        ..terms()
    };
    assert_eq!(
        liability_cap(usd(250_00), Some(usd(400_00)), Some(12_000), &t),
        Ok(usd(6_00))
    );
}

#[test]
fn per_pound_0_03_times_12_345_lb_is_37_035_cents_rounded_to_37() {
    let t = LiabilityTerms {
        per_weight_unit_limit: Some(usd(3)),
        ..terms()
    };
    // 3 × 12_345 / 1000 = 37.035 → 37; 3 × 12_500 / 1000 = 37.5 → 38.
    assert_eq!(
        liability_cap(usd(250_00), None, Some(12_345), &t),
        Ok(usd(37))
    );
    assert_eq!(
        liability_cap(usd(250_00), None, Some(12_500), &t),
        Ok(usd(38))
    );
}

#[test]
fn weight_limit_needs_a_positive_limit_and_a_known_non_negative_weight() {
    let zero = LiabilityTerms {
        per_weight_unit_limit: Some(usd(0)),
        ..terms()
    };
    assert_eq!(
        liability_cap(usd(250_00), None, Some(12_000), &zero),
        Ok(usd(100_00))
    );
    let per_lb = LiabilityTerms {
        per_weight_unit_limit: Some(usd(50)),
        ..terms()
    };
    assert_eq!(
        liability_cap(usd(250_00), None, None, &per_lb),
        Ok(usd(100_00))
    );
    assert_eq!(
        liability_cap(usd(250_00), None, Some(-1), &per_lb),
        Ok(usd(100_00))
    );
    assert_eq!(
        liability_cap(usd(250_00), None, Some(0), &per_lb),
        Ok(usd(0))
    );
}

#[test]
fn coverage_off_ignores_declared_400_and_caps_at_default_100() {
    let t = LiabilityTerms {
        declared_value_coverage: false,
        ..terms()
    };
    assert_eq!(
        liability_cap(usd(250_00), Some(usd(400_00)), None, &t),
        Ok(usd(100_00))
    );
}

#[test]
fn declared_50_below_default_100_caps_at_50() {
    assert_eq!(
        liability_cap(usd(250_00), Some(usd(50_00)), None, &terms()),
        Ok(usd(50_00))
    );
}

#[test]
fn currency_mismatch_errors_even_for_an_unused_amount() {
    let eur = Money::new(400_00, Currency::EUR);
    let mismatch = |term| {
        Err(CapError {
            term,
            source: MoneyError::CurrencyMismatch {
                left: "USD".to_owned(),
                right: "EUR".to_owned(),
            },
        })
    };
    assert_eq!(
        liability_cap(usd(250_00), Some(eur), None, &terms()),
        mismatch("declared_value")
    );
    let off = LiabilityTerms {
        declared_value_coverage: false,
        ..terms()
    };
    assert_eq!(
        liability_cap(usd(250_00), Some(eur), None, &off),
        mismatch("declared_value")
    );
    let weight_in_eur = LiabilityTerms {
        per_weight_unit_limit: Some(Money::new(50, Currency::EUR)),
        ..terms()
    };
    assert_eq!(
        liability_cap(usd(250_00), None, None, &weight_in_eur),
        mismatch("per_weight_unit_limit")
    );
}

#[test]
fn huge_weight_overflows_instead_of_wrapping() {
    let t = LiabilityTerms {
        per_weight_unit_limit: Some(usd(i64::MAX)),
        ..terms()
    };
    assert_eq!(
        liability_cap(usd(250_00), None, Some(i64::MAX), &t),
        Err(CapError {
            term: "per_weight_unit_limit",
            source: MoneyError::Overflow
        })
    );
}

#[test]
fn declared_0_means_not_declared_so_250_claimed_caps_at_the_default_100_not_0() {
    // Shipped with declared_value 0: nothing was declared, the $100 default
    // limit applies (before issue 7 the cap came out as min(250, 0) = $0).
    assert_eq!(
        liability_cap(usd(250_00), Some(usd(0)), None, &terms()),
        Ok(usd(100_00))
    );
    // Declared $400 at shipment: min(250 claimed, 400 declared) = $250.
    assert_eq!(
        liability_cap(usd(250_00), Some(usd(400_00)), None, &terms()),
        Ok(usd(250_00))
    );
    // A zero in another currency is still "not declared", not a mismatch.
    assert_eq!(
        liability_cap(
            usd(250_00),
            Some(Money::new(0, Currency::EUR)),
            None,
            &terms()
        ),
        Ok(usd(100_00))
    );
}
