#![allow(clippy::unwrap_used)] // tests fail loudly

use super::*;

fn usd(minor: i64) -> Money {
    Money::new(minor, Currency::parse("USD").unwrap())
}

fn item(quantity: u32, unit: Money) -> LineItem {
    LineItem {
        sku: String::new(),
        description: "vase".into(),
        quantity,
        unit_value: unit,
    }
}

#[test]
fn the_claimed_amount_is_quantity_times_unit_value_summed() {
    // 2 × 45.00 + 1 × 10.50 = 90.00 + 10.50 = 100.50
    let items = [item(2, usd(4_500)), item(1, usd(1_050))];
    assert_eq!(claimed_total(&items), Ok(usd(10_050)));
}

#[test]
fn the_total_stops_at_ten_to_the_twelve_minor_units() {
    // 10^12 exactly is accepted; one more minor unit is not.
    assert_eq!(
        claimed_total(&[item(1, usd(MAX_AMOUNT_MINOR))]),
        Ok(usd(MAX_AMOUNT_MINOR))
    );
    assert_eq!(
        claimed_total(&[item(1, usd(MAX_AMOUNT_MINOR)), item(1, usd(1))]),
        Err(LineTotalError::TooLarge { index: 1 })
    );
    // Quantity × unit beyond i64 is caught without overflowing.
    assert_eq!(
        claimed_total(&[item(u32::MAX, usd(i64::MAX))]),
        Err(LineTotalError::TooLarge { index: 0 })
    );
}

#[test]
fn items_are_in_one_currency_and_at_least_one() {
    let eur = Money::new(100, Currency::parse("EUR").unwrap());
    assert!(matches!(
        claimed_total(&[item(1, usd(100)), item(1, eur)]),
        Err(LineTotalError::MixedCurrencies { index: 1, .. })
    ));
    assert_eq!(claimed_total(&[]), Err(LineTotalError::Empty));
}

#[test]
fn codes_round_trip() {
    for t in ClaimType::ALL {
        assert_eq!(ClaimType::from_code(t.code()), Some(*t));
    }
    for k in DocumentKind::ALL {
        assert_eq!(DocumentKind::from_code(k.code()), Some(*k));
    }
    assert_eq!(ClaimType::from_code("loss"), None);
}
