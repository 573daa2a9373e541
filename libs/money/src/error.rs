//! The one error type of this crate.

/// Why a money operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not a three-letter upper-case ISO-4217 code.
    #[error("invalid currency code {0:?}: expected three upper-case letters A-Z")]
    InvalidCurrency(String),
    /// Two amounts in different currencies were combined; we never convert
    /// implicitly because the rate would be a guess.
    #[error("currency mismatch: {left} vs {right}")]
    CurrencyMismatch {
        /// Currency of the left-hand operand.
        left: String,
        /// Currency of the right-hand operand.
        right: String,
    },
    /// The exact result does not fit in an `i64` of minor units.
    #[error("money arithmetic overflow")]
    Overflow,
    /// A ratio with a zero denominator was requested.
    #[error("division by zero")]
    DivisionByZero,
}
