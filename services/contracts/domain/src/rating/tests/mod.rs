//! Hand-worked rating examples; the arithmetic is in the test names.
//! This file holds the shared cards and parcels.

mod quote;
mod weight;

use recourse_money::{Currency, Money};

use super::*;

fn usd(cents: i64) -> Money {
    Money::new(cents, Currency::USD)
}

fn lb(thousandths: i64) -> Weight {
    Weight::new(thousandths, WeightUnit::Lb)
}

fn kg(thousandths: i64) -> Weight {
    Weight::new(thousandths, WeightUnit::Kg)
}

fn rule(origin: &str, destination: &str, zone: &str) -> ZoneRule {
    ZoneRule {
        origin_prefix: origin.into(),
        destination_prefix: destination.into(),
        zone: zone.into(),
    }
}

fn brk(max_lb: i64, cents: i64) -> WeightBreak {
    WeightBreak {
        max_weight_thousandths: max_lb * 1000,
        charge: usd(cents),
    }
}

/// A pound/inch ground card: divisor 139, whole-pound rounding, 12.5 % fuel.
fn ground() -> RateCard {
    RateCard {
        service_level: "GROUND".into(),
        zone_chart: vec![
            rule("1", "9", "7"),
            rule("100", "9", "8"),
            rule("100", "902", "9"),
            rule("", "", "2"),
            rule("5", "5", "EMPTY"),
        ],
        weight_unit: WeightUnit::Lb,
        dimension_unit: LengthUnit::In,
        dim_divisor: 139,
        rounding: Rounding::UpWhole,
        zone_rates: vec![
            ZoneRates {
                zone: "8".into(),
                breaks: vec![
                    brk(1, 500),
                    brk(2, 1200),
                    brk(5, 1800),
                    brk(13, 3000),
                    brk(70, 9000),
                ],
            },
            ZoneRates {
                zone: "EMPTY".into(),
                breaks: vec![],
            },
        ],
        minimum_charge: usd(800),
        fuel_surcharge_bp: 1250,
        accessorials: vec![
            Accessorial {
                code: "SIG".into(),
                charge: usd(550),
            },
            Accessorial {
                code: "RES".into(),
                charge: usd(475),
            },
        ],
        fuel_basis: FuelBasis::BaseOnly,
        round_dimensions_up: false,
    }
}

/// A kilogram/centimetre card: divisor 5000, half-kilo rounding.
fn metric() -> RateCard {
    RateCard {
        weight_unit: WeightUnit::Kg,
        dimension_unit: LengthUnit::Cm,
        dim_divisor: 5000,
        rounding: Rounding::UpHalf,
        ..ground()
    }
}

fn parcel(weight: Weight) -> Parcel {
    Parcel {
        origin: "10001".into(),
        destination: "91000".into(),
        weight,
        dimensions: None,
        accessorials: vec![],
    }
}

fn inches(l: i64, w: i64, h: i64) -> Dimensions {
    Dimensions {
        length: l * 1000,
        width: w * 1000,
        height: h * 1000,
        unit: LengthUnit::In,
    }
}
