//! Rate cards and quotes: which zone a lane is in, what weight is billed,
//! and what the carrier should charge for it.
//!
//! The same function prices a shipment for the shipper and, later, for the
//! charge audit, so the rules live here once:
//! - zone: longest origin-prefix match, then the longest destination-prefix
//!   match among those (an empty prefix is a wildcard; ties go to the rule
//!   listed first). Prefixes compare exactly: normalise codes before rating.
//! - billable weight: the larger of the actual weight and the dimensional
//!   weight (L×W×H ÷ divisor), both in the card's units, rounded up per the
//!   card's `Rounding`. A `dim_divisor` of 0 means the card does not price
//!   by dimensions. When the card says so (`round_dimensions_up`), each
//!   side, in the card's dimension unit, is first rounded up to the next
//!   whole unit (10.2 in → 11 in).
//! - base: the first weight break whose maximum covers the billable weight,
//!   raised to the card's minimum charge.
//! - surcharges: fuel first, always present, then flat accessorials in
//!   request order. Fuel is basis points (half away from zero) of the base
//!   after the minimum, or of the base plus the accessorials when the card's
//!   `fuel_basis` is `BaseAndAccessorials`.

mod quote;
#[cfg(test)]
mod tests;

use recourse_money::{Money, MoneyError};

use recourse_units::{Dimensions, LengthUnit, Weight, WeightUnit};

/// The surcharge code of the fuel surcharge in quotes and audits.
pub const FUEL_CODE: &str = "FUEL";

/// How the billable weight is rounded up before looking up the break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// Up to the next whole unit (2.1 lb → 3 lb).
    UpWhole,
    /// Up to the next half unit (2.1 lb → 2.5 lb).
    UpHalf,
    /// Up to the next tenth of a unit (2.01 lb → 2.1 lb).
    UpTenth,
}

/// Maps a lane (origin and destination prefixes) to a zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ZoneRule {
    /// Origin postal-code prefix; empty matches every origin.
    pub origin_prefix: String,
    /// Destination postal-code prefix; empty matches every destination.
    pub destination_prefix: String,
    /// The zone the lane is rated in.
    pub zone: String,
}

/// One step of a zone's price ladder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WeightBreak {
    /// Heaviest billable weight (thousandths of the card's unit) at this price.
    pub max_weight_thousandths: i64,
    /// Base charge for weights up to the maximum.
    pub charge: Money,
}

/// The price ladder of one zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ZoneRates {
    /// The zone these rates apply to.
    pub zone: String,
    /// Weight breaks in ascending order of maximum weight.
    pub breaks: Vec<WeightBreak>,
}

/// A flat optional charge (signature, residential delivery, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Accessorial {
    /// The code parcels request it by.
    pub code: String,
    /// The flat charge.
    pub charge: Money,
}

/// One service level's prices in a contract.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RateCard {
    /// The service level the card prices (e.g. "GROUND").
    pub service_level: String,
    /// Lane-to-zone rules.
    pub zone_chart: Vec<ZoneRule>,
    /// Unit of the weight breaks and of billable weights.
    pub weight_unit: WeightUnit,
    /// Unit the dimensional divisor is expressed in.
    pub dimension_unit: LengthUnit,
    /// Volume (in `dimension_unit`³) per `weight_unit`; 0 disables DIM weight.
    pub dim_divisor: u32,
    /// How billable weights round up.
    pub rounding: Rounding,
    /// Price ladders per zone.
    pub zone_rates: Vec<ZoneRates>,
    /// The least a shipment's base charge can be.
    pub minimum_charge: Money,
    /// Fuel surcharge in basis points of the base charge.
    pub fuel_surcharge_bp: u32,
    /// Flat charges parcels may request.
    pub accessorials: Vec<Accessorial>,
    /// What the fuel percentage applies to.
    pub fuel_basis: FuelBasis,
    /// Whether each side is rounded up to a whole dimension unit before DIM.
    pub round_dimensions_up: bool,
}

/// What the fuel surcharge is a percentage of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FuelBasis {
    /// The base (transportation) charge only.
    #[default]
    BaseOnly,
    /// The base and the accessorials charged.
    BaseAndAccessorials,
}

/// What is being shipped, as far as pricing is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Parcel {
    /// Origin postal code.
    pub origin: String,
    /// Destination postal code.
    pub destination: String,
    /// Actual (scale) weight.
    pub weight: Weight,
    /// Outer box dimensions, when known.
    pub dimensions: Option<Dimensions>,
    /// Requested accessorial codes, in request order.
    pub accessorials: Vec<String>,
}

/// One surcharge line of a quote or invoice.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Charge {
    /// `FUEL_CODE` or an accessorial code.
    pub code: String,
    /// The amount charged.
    pub amount: Money,
}

/// The expected price of a parcel, with every intermediate step shown so an
/// invoice can be audited line by line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Quote {
    /// The zone the lane rated in.
    pub zone: String,
    /// The scale weight in the card's unit (converted, rounded up).
    pub actual_weight: Weight,
    /// The dimensional weight, when dimensions were given and the card uses them.
    pub dimensional_weight: Option<Weight>,
    /// The weight the break was looked up with.
    pub billable_weight: Weight,
    /// The break charge, or the minimum when that was higher.
    pub base_charge: Money,
    /// Whether the minimum charge replaced the break charge.
    pub minimum_applied: bool,
    /// Fuel first, then accessorials in request order.
    pub surcharges: Vec<Charge>,
    /// Base plus all surcharges.
    pub total: Money,
}

/// Why a parcel could not be rated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    /// No zone rule matches the lane.
    #[error("no zone for lane {origin} → {destination}")]
    NoZone {
        /// Origin postal code.
        origin: String,
        /// Destination postal code.
        destination: String,
    },
    /// The lane's zone has no weight breaks on the card.
    #[error("no rates for zone {0}")]
    NoRatesForZone(String),
    /// The billable weight is heavier than the zone's last break.
    #[error("billable weight {billable_thousandths} exceeds zone {zone} maximum {max_thousandths}")]
    WeightBeyondCard {
        /// The zone the lane rated in.
        zone: String,
        /// The billable weight in thousandths of the card's unit.
        billable_thousandths: i64,
        /// The heaviest break of the zone.
        max_thousandths: i64,
    },
    /// The parcel requested an accessorial the card does not offer.
    #[error("unknown accessorial {0}")]
    UnknownAccessorial(String),
    /// The parcel's weight is not a weight (zero or negative).
    #[error("weight must be positive, got {0}")]
    InvalidWeight(Weight),
    /// A side of the parcel is zero or negative.
    #[error("every dimension must be positive")]
    InvalidDimensions,
    /// The weight does not fit the card's unit (conversion or rounding
    /// overflows).
    #[error("the weight overflows when converted to the card's unit")]
    WeightOverflow,
    /// The box does not fit the card's unit or its dimensional weight
    /// overflows.
    #[error("the dimensions overflow when converted or weighed by volume")]
    DimensionsOverflow,
    /// Money arithmetic failed (currencies mixed on the card, overflow of
    /// base + surcharges).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl RateCard {
    /// Longest origin-prefix match, then longest destination-prefix match
    /// among those rules; the first listed rule wins an exact tie.
    pub fn zone_for(&self, origin: &str, destination: &str) -> Option<&str> {
        let mut best: Option<(&ZoneRule, (usize, usize))> = None;
        let matching = self.zone_chart.iter().filter(|rule| {
            origin.starts_with(rule.origin_prefix.as_str())
                && destination.starts_with(rule.destination_prefix.as_str())
        });
        for rule in matching {
            let key = (rule.origin_prefix.len(), rule.destination_prefix.len());
            // Strictly greater keeps the earlier rule on ties.
            if best.is_none_or(|(_, best_key)| key > best_key) {
                best = Some((rule, key));
            }
        }
        best.map(|(rule, _)| rule.zone.as_str())
    }
}
