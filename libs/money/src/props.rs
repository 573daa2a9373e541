//! Properties of `Money` arithmetic over arbitrary amounts.

use proptest::prelude::*;

use crate::{Currency, Money, MoneyError};

fn usd(minor: i64) -> Money {
    Money::new(minor, Currency::USD)
}

/// Amounts small enough that a handful of them never overflow when added.
fn small() -> impl Strategy<Value = i64> {
    -(1i64 << 60)..(1i64 << 60)
}

proptest! {
    #[test]
    fn addition_commutes(a in any::<i64>(), b in any::<i64>()) {
        prop_assert_eq!(usd(a).checked_add(usd(b)), usd(b).checked_add(usd(a)));
    }

    #[test]
    fn addition_associates_without_overflow(a in small(), b in small(), c in small()) {
        let left = usd(a).checked_add(usd(b)).and_then(|ab| ab.checked_add(usd(c)));
        let right = usd(b).checked_add(usd(c)).and_then(|bc| usd(a).checked_add(bc));
        prop_assert_eq!(&left, &right);
        prop_assert_eq!(left, Ok(usd(a + b + c)));
    }

    #[test]
    fn add_then_subtract_is_identity(a in any::<i64>(), b in any::<i64>()) {
        // Whenever a + b fits, subtracting b gives a back exactly.
        if let Ok(sum) = usd(a).checked_add(usd(b)) {
            prop_assert_eq!(sum.checked_sub(usd(b)), Ok(usd(a)));
        }
    }

    #[test]
    fn overflowing_addition_is_an_error(a in any::<i64>(), b in any::<i64>()) {
        let exact = i128::from(a) + i128::from(b);
        let fits = i64::try_from(exact).is_ok();
        prop_assert_eq!(usd(a).checked_add(usd(b)).is_ok(), fits);
    }

    #[test]
    fn mismatched_currencies_always_error(a in any::<i64>(), b in any::<i64>()) {
        let e = Money::new(b, Currency::EUR);
        let mismatch = |r: Result<Money, MoneyError>| {
            matches!(r, Err(MoneyError::CurrencyMismatch { .. }))
        };
        prop_assert!(mismatch(usd(a).checked_add(e)));
        prop_assert!(mismatch(e.checked_add(usd(a))));
        prop_assert!(mismatch(usd(a).checked_sub(e)));
        prop_assert!(mismatch(usd(a).min(e)));
        prop_assert!(mismatch(usd(a).max(e)));
        prop_assert!(mismatch(Money::sum(Currency::USD, [usd(a), e])));
    }

    #[test]
    fn mul_bp_10000_is_identity(a in any::<i64>()) {
        prop_assert_eq!(usd(a).mul_bp(10_000), Ok(usd(a)));
    }

    #[test]
    fn mul_bp_is_within_half_a_minor_unit(a in any::<i64>(), bp in 0u32..200_000) {
        let exact_times_10000 = i128::from(a) * i128::from(bp);
        match usd(a).mul_bp(bp) {
            Ok(m) => {
                // |m - exact| <= 1/2  ⇔  |m×10000 - a×bp| × 2 <= 10000
                let err = (i128::from(m.amount_minor()) * 10_000 - exact_times_10000).abs();
                prop_assert!(err * 2 <= 10_000, "a={a} bp={bp} m={m:?}");
                // Ties go away from zero: an exact half never rounds toward zero.
                if err * 2 == 10_000 {
                    prop_assert!(i128::from(m.amount_minor()).abs() * 10_000 > exact_times_10000.abs());
                }
            }
            Err(e) => {
                prop_assert_eq!(e, MoneyError::Overflow);
                // Rounding moves at most one unit, so the truncated quotient
                // must already sit at the edge of the i64 range.
                prop_assert!((exact_times_10000 / 10_000).abs() >= i128::from(i64::MAX));
            }
        }
    }

    #[test]
    fn mul_bp_is_odd(a in -(1i64 << 62)..(1i64 << 62), bp in 0u32..50_000) {
        // Half away from zero makes credits mirror charges exactly.
        let neg = usd(a).checked_neg().and_then(|n| n.mul_bp(bp));
        let pos_neg = usd(a).mul_bp(bp).and_then(Money::checked_neg);
        prop_assert_eq!(neg, pos_neg);
    }

    #[test]
    fn sum_equals_fold_of_checked_add(items in proptest::collection::vec(any::<i64>(), 0..8)) {
        let monies: Vec<Money> = items.iter().copied().map(usd).collect();
        let folded = monies
            .iter()
            .try_fold(Money::zero(Currency::USD), |acc, m| acc.checked_add(*m));
        prop_assert_eq!(Money::sum(Currency::USD, monies), folded);
    }

    #[test]
    fn mul_ratio_matches_mul_bp(a in any::<i64>(), bp in any::<u32>()) {
        prop_assert_eq!(usd(a).mul_ratio(i64::from(bp), 10_000), usd(a).mul_bp(bp));
    }
}
