//! The carrier's liability cap: the most a claim can recover.
//!
//! cap = min(proven, base, weight_limit) where
//! - `proven` is the amount claimed;
//! - `declared` is the value declared **to the carrier when the parcel
//!   shipped** (the shipment's declared value), never a value typed into
//!   the claim; a declared value of 0 (or less) means nothing was declared;
//! - base is min(declared, max_declared_value if any) when the terms cover
//!   declared values and a value was declared; otherwise the default
//!   per-package limit;
//! - weight_limit = per_weight_unit_limit × weight_thousandths / 1000,
//!   rounded half away from zero to the minor unit, and applies only when
//!   both the limit and the weight are present, the limit is positive and
//!   the weight is not negative (a negative weight is treated as unknown).
//!
//! Weights are thousandths of the contract's weight unit (12 lb = 12_000).
//! Every amount given, used or not, must be in the currency of `proven`;
//! otherwise the result is a [`CapError`] naming the term with a
//! `MoneyError::CurrencyMismatch`. Overflow (only the weight limit can
//! overflow: limit × weight) is a [`CapError`] naming
//! `per_weight_unit_limit` with `MoneyError::Overflow`, never a wrong
//! number.

use recourse_money::{Money, MoneyError};

/// What the contract (or tariff) says the carrier is liable for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiabilityTerms {
    /// The cap per package when no (covered) value was declared.
    pub default_per_package_limit: Money,
    /// Whether a declared value replaces the default limit.
    pub declared_value_coverage: bool,
    /// The most a declared value can raise the cap to, if limited.
    pub max_declared_value: Option<Money>,
    /// A cap per weight unit (e.g. per pound), if the terms have one.
    pub per_weight_unit_limit: Option<Money>,
}

/// A cap that cannot be computed: which term (`default_per_package_limit`,
/// `declared_value`, `max_declared_value`, `per_weight_unit_limit`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the liability term {term} cannot be applied: {source}")]
pub struct CapError {
    pub term: &'static str,
    pub source: MoneyError,
}

fn at(term: &'static str) -> impl Fn(MoneyError) -> CapError {
    move |source| CapError { term, source }
}

/// cap = min(proven, base, weight_limit) where base = min(declared, max_declared_value if any) when coverage is on and a value was declared (0 = not declared), else the default per-package limit; weight_limit = per_weight_unit_limit × weight_thousandths / 1000 (half away from zero), only when both are present, the limit is positive and the weight is not negative. All in one currency (mismatch → error).
pub fn liability_cap(
    proven: Money,
    declared: Option<Money>,
    weight_thousandths: Option<i64>,
    terms: &LiabilityTerms,
) -> Result<Money, CapError> {
    // A zero declared value is "not declared", not "declared worthless".
    let declared = declared.filter(|d| d.amount_minor() > 0);
    let all = [
        (
            "default_per_package_limit",
            Some(terms.default_per_package_limit),
        ),
        ("declared_value", declared),
        ("max_declared_value", terms.max_declared_value),
        ("per_weight_unit_limit", terms.per_weight_unit_limit),
    ];
    for (term, other) in all {
        if let Some(other) = other {
            // min refuses mismatched currencies; the value is not needed here.
            proven.min(other).map_err(at(term))?;
        }
    }

    let base = match declared {
        Some(declared) if terms.declared_value_coverage => match terms.max_declared_value {
            Some(max) => declared.min(max).map_err(at("max_declared_value"))?,
            None => declared,
        },
        _ => terms.default_per_package_limit,
    };
    let mut cap = proven.min(base).map_err(at("default_per_package_limit"))?;

    if let (Some(per_unit), Some(weight)) = (terms.per_weight_unit_limit, weight_thousandths)
        && per_unit.amount_minor() > 0
        && weight >= 0
    {
        let limit = per_unit
            .mul_ratio(weight, 1000)
            .map_err(at("per_weight_unit_limit"))?;
        cap = cap.min(limit).map_err(at("per_weight_unit_limit"))?;
    }
    Ok(cap)
}

#[cfg(test)]
mod tests;
