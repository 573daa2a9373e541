//! Weights and dimensions in exact thousandths of a unit, shared by every
//! service that weighs or measures a parcel (contracts rate it, claims cap
//! liability per weight unit), beside `recourse-money`.
//!
//! Conversions are exact rational arithmetic (1 lb = 0.45359237 kg and
//! 1 in = 2.54 cm by definition) rounded UP to the next thousandth, so a
//! converted parcel is never lighter or smaller than it really is and can
//! never be under-billed by a conversion.

#![warn(clippy::wildcard_enum_match_arm)]

use std::fmt;

/// A unit of weight used on rate cards and parcels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeightUnit {
    /// Avoirdupois pound.
    Lb,
    /// Kilogram.
    Kg,
}

/// A unit of length used for parcel dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LengthUnit {
    /// Inch.
    In,
    /// Centimetre.
    Cm,
}

/// Why a unit conversion failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// The converted value does not fit in an `i64` of thousandths.
    #[error("unit conversion overflow")]
    Overflow,
}

/// A weight in thousandths of `unit` (2.5 lb is `2500` `Lb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Weight {
    /// Thousandths of the unit.
    pub thousandths: i64,
    /// The unit the thousandths are of.
    pub unit: WeightUnit,
}

/// Length × width × height, each in thousandths of `unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dimensions {
    /// Length in thousandths of the unit.
    pub length: i64,
    /// Width in thousandths of the unit.
    pub width: i64,
    /// Height in thousandths of the unit.
    pub height: i64,
    /// The unit the thousandths are of.
    pub unit: LengthUnit,
}

/// Kilograms per pound is 45_359_237 / 100_000_000, exactly.
const KG_PER_LB: (i128, i128) = (45_359_237, 100_000_000);
/// Centimetres per inch is 254 / 100, exactly.
const CM_PER_IN: (i128, i128) = (254, 100);

/// `ceil(numerator / denominator)` for a positive denominator.
pub fn div_ceil(numerator: i128, denominator: i128) -> i128 {
    let q = numerator.div_euclid(denominator);
    if numerator.rem_euclid(denominator) == 0 {
        q
    } else {
        q + 1
    }
}

/// `value × num / den`, rounded up, back in an `i64`.
fn scale_up(value: i64, (num, den): (i128, i128)) -> Result<i64, UnitError> {
    // i64 × (a number below 2^27) always fits in i128.
    let product = i128::from(value) * num;
    i64::try_from(div_ceil(product, den)).map_err(|_| UnitError::Overflow)
}

impl Weight {
    /// A weight of `thousandths` thousandths of `unit`.
    pub fn new(thousandths: i64, unit: WeightUnit) -> Self {
        Weight { thousandths, unit }
    }

    /// The same weight in `unit`, rounded up to the next thousandth.
    pub fn to_unit(self, unit: WeightUnit) -> Result<Weight, UnitError> {
        let ratio = match (self.unit, unit) {
            (WeightUnit::Lb, WeightUnit::Kg) => KG_PER_LB,
            (WeightUnit::Kg, WeightUnit::Lb) => (KG_PER_LB.1, KG_PER_LB.0),
            (WeightUnit::Lb, WeightUnit::Lb) | (WeightUnit::Kg, WeightUnit::Kg) => (1, 1),
        };
        let thousandths = scale_up(self.thousandths, ratio)?;
        Ok(Weight { thousandths, unit })
    }
}

impl Dimensions {
    /// The same box in `unit`, each side rounded up to the next thousandth.
    pub fn to_unit(self, unit: LengthUnit) -> Result<Dimensions, UnitError> {
        let ratio = match (self.unit, unit) {
            (LengthUnit::In, LengthUnit::Cm) => CM_PER_IN,
            (LengthUnit::Cm, LengthUnit::In) => (CM_PER_IN.1, CM_PER_IN.0),
            (LengthUnit::In, LengthUnit::In) | (LengthUnit::Cm, LengthUnit::Cm) => (1, 1),
        };
        Ok(Dimensions {
            length: scale_up(self.length, ratio)?,
            width: scale_up(self.width, ratio)?,
            height: scale_up(self.height, ratio)?,
            unit,
        })
    }
}

impl fmt::Display for WeightUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WeightUnit::Lb => "lb",
            WeightUnit::Kg => "kg",
        })
    }
}

impl fmt::Display for Weight {
    /// `"12.432 lb"`: thousandths shown as three decimals, for audit reports.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.thousandths < 0 { "-" } else { "" };
        let abs = self.thousandths.unsigned_abs();
        write!(f, "{sign}{}.{:03} {}", abs / 1000, abs % 1000, self.unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_lb_is_0_454_kg_rounded_up() {
        // 0.45359237 kg → 0.454
        let w = Weight::new(1000, WeightUnit::Lb).to_unit(WeightUnit::Kg);
        assert_eq!(w, Ok(Weight::new(454, WeightUnit::Kg)));
    }

    #[test]
    fn one_kg_is_2_205_lb_rounded_up() {
        // 2.20462262... lb → 2.205
        let w = Weight::new(1000, WeightUnit::Kg).to_unit(WeightUnit::Lb);
        assert_eq!(w, Ok(Weight::new(2205, WeightUnit::Lb)));
    }

    #[test]
    fn exact_conversion_is_not_bumped() {
        // 100 lb = 45.359237 kg → 45.360; 100_000 lb = 45_359.237 kg exactly.
        let w = Weight::new(100_000_000, WeightUnit::Lb).to_unit(WeightUnit::Kg);
        assert_eq!(w, Ok(Weight::new(45_359_237, WeightUnit::Kg)));
    }

    #[test]
    fn same_unit_is_identity() {
        let w = Weight::new(1234, WeightUnit::Kg);
        assert_eq!(w.to_unit(WeightUnit::Kg), Ok(w));
    }

    #[test]
    fn kg_to_lb_overflow_is_an_error() {
        let w = Weight::new(i64::MAX, WeightUnit::Kg);
        assert_eq!(w.to_unit(WeightUnit::Lb), Err(UnitError::Overflow));
    }

    #[test]
    fn ten_in_is_25_4_cm_and_10_cm_is_3_938_in() {
        let d = Dimensions {
            length: 10_000,
            width: 1,
            height: 0,
            unit: LengthUnit::In,
        };
        let cm = d.to_unit(LengthUnit::Cm).unwrap();
        // 0.001 in = 0.00254 cm → rounds up to 0.003
        assert_eq!((cm.length, cm.width, cm.height), (25_400, 3, 0));
        let back = Dimensions {
            length: 10_000,
            width: 10_000,
            height: 10_000,
            unit: LengthUnit::Cm,
        }
        .to_unit(LengthUnit::In)
        .unwrap();
        // 3.937007... in → 3.938
        assert_eq!(back.length, 3_938);
        assert_eq!(back.unit, LengthUnit::In);
    }

    #[test]
    fn display_weight() {
        assert_eq!(Weight::new(12_432, WeightUnit::Lb).to_string(), "12.432 lb");
        assert_eq!(Weight::new(-5, WeightUnit::Kg).to_string(), "-0.005 kg");
    }

    #[test]
    fn div_ceil_rounds_toward_positive_infinity() {
        assert_eq!(div_ceil(7, 2), 4);
        assert_eq!(div_ceil(-7, 2), -3);
        assert_eq!(div_ceil(6, 2), 3);
    }
}
