//! Worked examples for `Money`; the numbers are in the test names.

use crate::{Currency, Money, MoneyError};

fn usd(minor: i64) -> Money {
    Money::new(minor, Currency::USD)
}

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::EUR)
}

#[test]
fn fuel_12_5_percent_of_1999_cents_is_250() {
    // 1999 × 1250 / 10000 = 249.875 → 250
    assert_eq!(usd(1999).mul_bp(1250), Ok(usd(250)));
}

#[test]
fn fuel_12_5_percent_of_1996_cents_is_249_5_rounds_to_250() {
    assert_eq!(usd(1996).mul_bp(1250), Ok(usd(250)));
}

#[test]
fn fuel_12_5_percent_of_minus_1996_cents_is_minus_250() {
    assert_eq!(usd(-1996).mul_bp(1250), Ok(usd(-250)));
}

#[test]
fn fuel_12_5_percent_of_1995_cents_is_249() {
    // 249.375 → 249
    assert_eq!(usd(1995).mul_bp(1250), Ok(usd(249)));
}

#[test]
fn mul_bp_zero_is_zero_and_10000_is_identity() {
    assert_eq!(usd(1234).mul_bp(0), Ok(usd(0)));
    assert_eq!(usd(1234).mul_bp(10_000), Ok(usd(1234)));
}

#[test]
fn mul_bp_overflow_is_an_error() {
    assert_eq!(usd(i64::MAX).mul_bp(20_000), Err(MoneyError::Overflow));
    assert_eq!(usd(i64::MAX).mul_bp(u32::MAX), Err(MoneyError::Overflow));
}

#[test]
fn one_third_of_100_cents_is_33_and_two_thirds_is_67() {
    assert_eq!(usd(100).mul_ratio(1, 3), Ok(usd(33)));
    assert_eq!(usd(100).mul_ratio(2, 3), Ok(usd(67)));
}

#[test]
fn mul_ratio_with_zero_denominator_is_division_by_zero() {
    assert_eq!(usd(100).mul_ratio(1, 0), Err(MoneyError::DivisionByZero));
}

#[test]
fn mul_ratio_negative_denominator_flips_sign() {
    assert_eq!(usd(100).mul_ratio(1, -4), Ok(usd(-25)));
}

#[test]
fn mul_ratio_extremes_do_not_panic() {
    assert_eq!(usd(i64::MIN).mul_ratio(-1, 1), Err(MoneyError::Overflow));
    assert_eq!(
        usd(i64::MIN).mul_ratio(i64::MIN, i64::MIN),
        Ok(usd(i64::MIN))
    );
    assert_eq!(
        usd(i64::MAX).mul_ratio(i64::MAX, i64::MAX),
        Ok(usd(i64::MAX))
    );
}

#[test]
fn adding_10_usd_and_2_50_usd_is_12_50() {
    assert_eq!(usd(1000).checked_add(usd(250)), Ok(usd(1250)));
    assert_eq!(usd(1000).checked_sub(usd(250)), Ok(usd(750)));
}

#[test]
fn usd_plus_eur_is_a_mismatch() {
    let err = MoneyError::CurrencyMismatch {
        left: "USD".into(),
        right: "EUR".into(),
    };
    assert_eq!(usd(1).checked_add(eur(1)), Err(err.clone()));
    assert_eq!(usd(1).checked_sub(eur(1)), Err(err.clone()));
    assert_eq!(usd(1).min(eur(1)), Err(err.clone()));
    assert_eq!(usd(1).max(eur(1)), Err(err));
}

#[test]
fn add_sub_neg_overflow_are_errors() {
    assert_eq!(usd(i64::MAX).checked_add(usd(1)), Err(MoneyError::Overflow));
    assert_eq!(usd(i64::MIN).checked_sub(usd(1)), Err(MoneyError::Overflow));
    assert_eq!(usd(i64::MIN).checked_neg(), Err(MoneyError::Overflow));
    assert_eq!(usd(5).checked_neg(), Ok(usd(-5)));
}

#[test]
fn min_and_max_of_3_and_7_cents() {
    assert_eq!(usd(3).min(usd(7)), Ok(usd(3)));
    assert_eq!(usd(3).max(usd(7)), Ok(usd(7)));
}

#[test]
fn sum_of_nothing_is_zero_in_the_given_currency() {
    assert_eq!(Money::sum(Currency::EUR, []), Ok(eur(0)));
}

#[test]
fn sum_of_1_2_3_cents_is_6() {
    assert_eq!(
        Money::sum(Currency::USD, [usd(1), usd(2), usd(3)]),
        Ok(usd(6))
    );
}

#[test]
fn sum_refuses_an_item_in_another_currency() {
    assert!(matches!(
        Money::sum(Currency::USD, [usd(1), eur(2)]),
        Err(MoneyError::CurrencyMismatch { .. })
    ));
    assert!(Money::sum(Currency::USD, [eur(2)]).is_err());
}

#[test]
fn predicates() {
    assert!(usd(-1).is_negative());
    assert!(!usd(0).is_negative());
    assert!(usd(0).is_zero());
    assert!(!usd(1).is_zero());
    assert_eq!(Money::zero(Currency::USD), usd(0));
    assert_eq!(usd(7).amount_minor(), 7);
    assert_eq!(usd(7).currency(), Currency::USD);
}

#[test]
fn display_1234_cents_is_usd_12_34() {
    assert_eq!(usd(1234).to_string(), "USD 12.34");
    assert_eq!(usd(5).to_string(), "USD 0.05");
    assert_eq!(usd(-5).to_string(), "USD -0.05");
    assert_eq!(usd(-1234).to_string(), "USD -12.34");
}

#[test]
fn display_zero_and_three_decimal_currencies() {
    assert_eq!(Money::new(1234, Currency::JPY).to_string(), "JPY 1234");
    let kwd = Currency::parse("KWD").unwrap();
    assert_eq!(Money::new(1500, kwd).to_string(), "KWD 1.500");
}

#[test]
fn display_i64_min_does_not_overflow() {
    assert_eq!(usd(i64::MIN).to_string(), "USD -92233720368547758.08");
}

#[test]
fn errors_have_readable_messages() {
    assert_eq!(
        MoneyError::CurrencyMismatch {
            left: "USD".into(),
            right: "EUR".into()
        }
        .to_string(),
        "currency mismatch: USD vs EUR"
    );
}
