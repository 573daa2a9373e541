//! Billable weight and quote computation for a `RateCard`.

use recourse_money::Money;

use super::{Charge, FUEL_CODE, FuelBasis, Parcel, Quote, RateCard, RatingError, Rounding};
use recourse_units::{Dimensions, UnitError, Weight, div_ceil};

impl Rounding {
    /// The rounding step in thousandths of a unit.
    fn step(self) -> i128 {
        match self {
            Rounding::UpWhole => 1000,
            Rounding::UpHalf => 500,
            Rounding::UpTenth => 100,
        }
    }

    /// `thousandths` rounded up to the next multiple of the step.
    pub fn apply(self, thousandths: i64) -> Result<i64, UnitError> {
        let step = self.step();
        let rounded = div_ceil(i128::from(thousandths), step) * step;
        i64::try_from(rounded).map_err(|_| UnitError::Overflow)
    }
}

/// Refuses weights and boxes that cannot be real, so they never price as 0.
fn validate(weight: Weight, dims: Option<Dimensions>) -> Result<(), RatingError> {
    if weight.thousandths <= 0 {
        return Err(RatingError::InvalidWeight(weight));
    }
    if let Some(d) = dims
        && (d.length <= 0 || d.width <= 0 || d.height <= 0)
    {
        return Err(RatingError::InvalidDimensions);
    }
    Ok(())
}

impl RateCard {
    /// max(actual, L×W×H ÷ divisor) in the card's units, rounded UP per
    /// `rounding`. Parcel units are converted to the card's first (rounding
    /// up). The DIM weight is computed exactly in `i128` and rounded up to a
    /// thousandth before `rounding` applies.
    ///
    /// Returns (actual in the card's unit, DIM weight if used, billable).
    pub fn billable_weight(
        &self,
        weight: Weight,
        dims: Option<Dimensions>,
    ) -> Result<(Weight, Option<Weight>, Weight), RatingError> {
        validate(weight, dims)?;
        let actual = weight
            .to_unit(self.weight_unit)
            .map_err(|_| RatingError::WeightOverflow)?;
        let dim = match dims {
            Some(d) if self.dim_divisor > 0 => Some(self.dim_weight(d)?),
            _ => None,
        };
        let heavier = match dim {
            Some(d) => d.thousandths.max(actual.thousandths),
            None => actual.thousandths,
        };
        // The heavier of the two overflows rounding only if it is the DIM
        // weight (the actual weight is bounded far below i64).
        let billable = self.rounding.apply(heavier).map_err(|_| match dim {
            Some(d) if d.thousandths >= actual.thousandths => RatingError::DimensionsOverflow,
            _ => RatingError::WeightOverflow,
        })?;
        let billable = Weight::new(billable, self.weight_unit);
        Ok((actual, dim, billable))
    }

    /// L×W×H ÷ divisor in thousandths of the card's weight unit, rounded up.
    fn dim_weight(&self, dims: Dimensions) -> Result<Weight, RatingError> {
        let mut d = dims
            .to_unit(self.dimension_unit)
            .map_err(|_| RatingError::DimensionsOverflow)?;
        if self.round_dimensions_up {
            for side in [&mut d.length, &mut d.width, &mut d.height] {
                *side = i64::try_from(div_ceil(i128::from(*side), 1000) * 1000)
                    .map_err(|_| RatingError::DimensionsOverflow)?;
            }
        }
        // Sides are thousandths, so the volume is in 1e-9 unit³; dividing by
        // 1e6 × divisor leaves thousandths of the weight unit.
        let volume = i128::from(d.length)
            .checked_mul(i128::from(d.width))
            .and_then(|v| v.checked_mul(i128::from(d.height)))
            .ok_or(RatingError::DimensionsOverflow)?;
        let denominator = 1_000_000 * i128::from(self.dim_divisor);
        let thousandths = i64::try_from(div_ceil(volume, denominator))
            .map_err(|_| RatingError::DimensionsOverflow)?;
        Ok(Weight::new(thousandths, self.weight_unit))
    }

    /// Prices a parcel: base from the zone's first break with max ≥ billable,
    /// raised to the minimum; fuel on that base (or base + accessorials, per
    /// `fuel_basis`; half away from zero), always listed first even when 0; then flat accessorials in request order;
    /// total = base + all surcharges. An accessorial requested twice is
    /// charged once, at its first position.
    pub fn quote(&self, parcel: &Parcel) -> Result<Quote, RatingError> {
        let (actual, dim, billable) = self.billable_weight(parcel.weight, parcel.dimensions)?;
        let zone = self
            .zone_for(&parcel.origin, &parcel.destination)
            .ok_or_else(|| RatingError::NoZone {
                origin: parcel.origin.clone(),
                destination: parcel.destination.clone(),
            })?
            .to_owned();
        let breaks = self
            .zone_rates
            .iter()
            .find(|rates| rates.zone == zone)
            .map(|rates| rates.breaks.as_slice())
            .filter(|breaks| !breaks.is_empty())
            .ok_or_else(|| RatingError::NoRatesForZone(zone.clone()))?;
        let Some(step) = breaks
            .iter()
            .find(|b| b.max_weight_thousandths >= billable.thousandths)
        else {
            let max_thousandths = breaks
                .iter()
                .map(|b| b.max_weight_thousandths)
                .max()
                .unwrap_or_default();
            return Err(RatingError::WeightBeyondCard {
                zone,
                billable_thousandths: billable.thousandths,
                max_thousandths,
            });
        };

        let base = step.charge.max(self.minimum_charge)?;
        let minimum_applied = base.amount_minor() > step.charge.amount_minor();
        let mut surcharges = vec![Charge {
            code: FUEL_CODE.to_owned(),
            amount: Money::zero(base.currency()),
        }];
        for (i, code) in parcel.accessorials.iter().enumerate() {
            // A parcel needs a service once; a repeated code is charged once
            // so an invoice that bills it twice shows up in the audit.
            if parcel.accessorials.iter().take(i).any(|c| c == code) {
                continue;
            }
            let accessorial = self
                .accessorials
                .iter()
                .find(|a| &a.code == code)
                .ok_or_else(|| RatingError::UnknownAccessorial(code.clone()))?;
            surcharges.push(Charge {
                code: code.clone(),
                amount: accessorial.charge,
            });
        }
        let fuel_on = match self.fuel_basis {
            FuelBasis::BaseOnly => base,
            FuelBasis::BaseAndAccessorials => base.checked_add(Money::sum(
                base.currency(),
                surcharges.iter().map(|c| c.amount),
            )?)?,
        };
        if let Some(fuel) = surcharges.first_mut() {
            fuel.amount = fuel_on.mul_bp(self.fuel_surcharge_bp)?;
        }
        let total = base.checked_add(Money::sum(
            base.currency(),
            surcharges.iter().map(|c| c.amount),
        )?)?;

        Ok(Quote {
            zone,
            actual_weight: actual,
            dimensional_weight: dim,
            billable_weight: billable,
            base_charge: base,
            minimum_applied,
            surcharges,
            total,
        })
    }
}
