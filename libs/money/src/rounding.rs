//! The single rounding rule used for money: half away from zero.

/// `numerator / denominator` rounded half away from zero, or `None` when the
/// denominator is zero or the computation overflows `i128`.
///
/// Half away from zero (commercial rounding) is symmetric for credits and
/// debits, so negating an amount and then scaling it gives the negation of
/// the scaled amount — refunds mirror charges to the minor unit.
pub fn div_round_half_away(numerator: i128, denominator: i128) -> Option<i128> {
    if denominator == 0 {
        return None;
    }
    // Normalise to a positive denominator so only the numerator's sign
    // decides the rounding direction.
    let (n, d) = if denominator < 0 {
        (numerator.checked_neg()?, denominator.checked_neg()?)
    } else {
        (numerator, denominator)
    };
    let q = n / d;
    let r = n % d;
    // |r| >= d - |r| is the "at least half" test without overflowing 2*|r|.
    let r_abs = r.checked_abs()?;
    if r_abs >= d - r_abs {
        if n < 0 {
            q.checked_sub(1)
        } else {
            q.checked_add(1)
        }
    } else {
        Some(q)
    }
}

#[cfg(test)]
mod tests {
    use super::div_round_half_away;

    #[test]
    fn seven_halves_rounds_to_4_and_minus_7_halves_to_minus_4() {
        assert_eq!(div_round_half_away(7, 2), Some(4));
        assert_eq!(div_round_half_away(-7, 2), Some(-4));
    }

    #[test]
    fn below_half_rounds_toward_zero() {
        assert_eq!(div_round_half_away(14, 10), Some(1));
        assert_eq!(div_round_half_away(-14, 10), Some(-1));
    }

    #[test]
    fn negative_denominator_flips_sign() {
        assert_eq!(div_round_half_away(15, -10), Some(-2));
        assert_eq!(div_round_half_away(-15, -10), Some(2));
    }

    #[test]
    fn zero_denominator_is_none() {
        assert_eq!(div_round_half_away(1, 0), None);
    }

    #[test]
    fn extremes_do_not_panic() {
        assert_eq!(div_round_half_away(i128::MIN, -1), None);
        assert_eq!(div_round_half_away(i128::MAX, 1), Some(i128::MAX));
        assert_eq!(div_round_half_away(i128::MIN, 1), Some(i128::MIN));
        assert_eq!(div_round_half_away(i128::MAX, 2), Some(i128::MAX / 2 + 1));
    }
}
