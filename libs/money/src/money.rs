//! The `Money` value and its checked arithmetic.

use std::fmt;

use crate::{Currency, MoneyError, div_round_half_away};

/// An amount of whole minor units (cents for USD) in one currency.
///
/// Deliberately not `Ord`: comparing amounts in different currencies has no
/// answer, so `min`/`max` are fallible methods instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount_minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount of `amount_minor` minor units of `currency`.
    pub fn new(amount_minor: i64, currency: Currency) -> Self {
        Money {
            amount_minor,
            currency,
        }
    }

    /// Zero in `currency`, the identity for sums.
    pub fn zero(currency: Currency) -> Self {
        Money::new(0, currency)
    }

    /// The amount in minor units.
    pub fn amount_minor(&self) -> i64 {
        self.amount_minor
    }

    /// The currency of the amount.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Fails unless both amounts are in the same currency.
    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency.as_str().to_owned(),
                right: other.currency.as_str().to_owned(),
            })
        }
    }

    /// A result of `i128` arithmetic back in this currency, if it fits.
    fn from_wide(amount: i128, currency: Currency) -> Result<Money, MoneyError> {
        i64::try_from(amount)
            .map(|a| Money::new(a, currency))
            .map_err(|_| MoneyError::Overflow)
    }

    /// `self + other`; `CurrencyMismatch` or `Overflow` instead of a wrong sum.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.amount_minor
            .checked_add(other.amount_minor)
            .map(|a| Money::new(a, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// `self - other`; `CurrencyMismatch` or `Overflow` instead of a wrong difference.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.amount_minor
            .checked_sub(other.amount_minor)
            .map(|a| Money::new(a, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// `-self`; only `i64::MIN` minor units overflows.
    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        self.amount_minor
            .checked_neg()
            .map(|a| Money::new(a, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// amount × bp / 10_000, rounded half away from zero to the minor unit
    /// (fuel surcharges). 10_000 bp is the identity.
    pub fn mul_bp(self, bp: u32) -> Result<Money, MoneyError> {
        self.mul_ratio_wide(i128::from(bp), 10_000)
    }

    /// amount × numerator / denominator, rounded half away from zero.
    /// A zero denominator is `DivisionByZero`; a negative one is accepted and
    /// flips the sign, as the arithmetic says.
    pub fn mul_ratio(self, numerator: i64, denominator: i64) -> Result<Money, MoneyError> {
        self.mul_ratio_wide(i128::from(numerator), i128::from(denominator))
    }

    /// Shared by `mul_bp` and `mul_ratio`: one exact product, one rounding.
    fn mul_ratio_wide(self, numerator: i128, denominator: i128) -> Result<Money, MoneyError> {
        if denominator == 0 {
            return Err(MoneyError::DivisionByZero);
        }
        // i64 × i64 always fits in i128, so only the final narrowing can fail.
        let product = i128::from(self.amount_minor)
            .checked_mul(numerator)
            .ok_or(MoneyError::Overflow)?;
        let rounded = div_round_half_away(product, denominator).ok_or(MoneyError::Overflow)?;
        Money::from_wide(rounded, self.currency)
    }

    /// The smaller amount; `CurrencyMismatch` when they cannot be compared.
    pub fn min(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(if other.amount_minor < self.amount_minor {
            other
        } else {
            self
        })
    }

    /// The larger amount; `CurrencyMismatch` when they cannot be compared.
    pub fn max(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(if other.amount_minor > self.amount_minor {
            other
        } else {
            self
        })
    }

    /// Sum of `items`, all of which must be in `currency`; zero when empty.
    /// Taking the currency up front means an empty sum still has one.
    pub fn sum(
        currency: Currency,
        items: impl IntoIterator<Item = Money>,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// True when the amount is below zero (a credit).
    pub fn is_negative(&self) -> bool {
        self.amount_minor < 0
    }

    /// True when the amount is exactly zero.
    pub fn is_zero(&self) -> bool {
        self.amount_minor == 0
    }
}

impl fmt::Display for Money {
    /// `"USD 12.34"`, `"USD -0.05"`, `"JPY 1234"`, `"KWD 1.500"`: the
    /// decimals come from the currency so logs and reports read naturally.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.is_negative() { "-" } else { "" };
        // unsigned_abs so i64::MIN prints instead of overflowing.
        let abs = self.amount_minor.unsigned_abs();
        let digits = self.currency.minor_digits();
        if digits == 0 {
            return write!(f, "{} {sign}{abs}", self.currency);
        }
        let scale = 10u64.pow(digits);
        let width = digits as usize;
        write!(
            f,
            "{} {sign}{}.{:0width$}",
            self.currency,
            abs / scale,
            abs % scale
        )
    }
}

#[cfg(test)]
mod tests;
