//! Exact money for Recourse: amounts are whole minor units (cents, yen,
//! fils) in an `i64`, tagged with an ISO-4217 currency. There are no floats
//! anywhere: scaling (fuel surcharges, pro-rating, averages) goes through
//! `i128` intermediates and rounds half away from zero exactly once, and
//! every operation that could overflow or mix currencies returns an error
//! instead of panicking or silently producing a wrong number.

#![warn(clippy::wildcard_enum_match_arm)] // no `_ =>` over our own enums: a new variant must be handled

mod currency;
mod error;
mod money;
mod rounding;

#[cfg(test)]
mod props;

pub use currency::Currency;
pub use error::MoneyError;
pub use money::Money;
pub use rounding::div_round_half_away;
