//! Shared parsers and renderers: resource names, codes, money, dates,
//! weights and dimensions.

use chrono::NaiveDate;
use recourse_money::{Currency, Money};
use recourse_platform::Violations;
use recourse_platform::proto_types::{date_in_range, date_to_proto};
use recourse_proto::common as pbc;
use recourse_units::{Dimensions, LengthUnit, Weight, WeightUnit};

use super::limits;

pub use recourse_platform::names::{carrier_id, resource_id};
pub use recourse_platform::proto_types::money_to_proto;

/// A stored amount in minor units of `currency` as a message.
pub fn minor_to_proto(minor: Option<i64>, currency: &str) -> Option<pbc::Money> {
    minor.map(|amount_minor| pbc::Money {
        amount_minor,
        currency_code: currency.to_owned(),
    })
}

pub fn carrier_name(id: &str) -> String {
    format!("carriers/{id}")
}

/// `contracts/{id}/versions/{n}` → (contract id, n).
pub fn version_name(v: &mut Violations, field: &str, name: &str) -> Option<(String, u32)> {
    let parsed = name.strip_prefix("contracts/").and_then(|rest| {
        let (id, n) = rest.split_once("/versions/")?;
        let id = uuid::Uuid::parse_str(id).ok()?.hyphenated().to_string();
        let n = n.parse::<u32>().ok().filter(|n| *n > 0)?;
        Some((id, n))
    });
    if parsed.is_none() {
        v.add(field, "must be `contracts/{id}/versions/{n}`");
    }
    parsed
}

/// A service level or accessorial code: 1-32 upper-case letters, digits or
/// underscores.
pub fn code(v: &mut Violations, field: &str, s: &str) -> bool {
    let ok = (1..=32).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    v.check(
        ok,
        field,
        "must be 1-32 upper-case letters, digits or underscores",
    );
    ok
}

pub fn currency(v: &mut Violations, field: &str, code: &str) -> Option<Currency> {
    Currency::parse(code)
        .map_err(|_| v.add(field, "must be an ISO-4217 code such as USD"))
        .ok()
}

/// A non-negative amount of at most 10^12 minor units in any currency (the
/// use case checks it against the contract's).
pub fn amount(v: &mut Violations, field: &str, value: Option<&pbc::Money>) -> Option<Money> {
    recourse_platform::proto_types::bounded_money(v, field, value, None, false)
}

/// A required date in the years 2000-2099.
pub fn date(v: &mut Violations, field: &str, value: Option<&pbc::Date>) -> Option<NaiveDate> {
    date_in_range(v, field, value)
}

/// An optional date: unset (or all zeros) is `Some(None)`.
pub fn optional_date(
    v: &mut Violations,
    field: &str,
    value: Option<&pbc::Date>,
) -> Option<Option<NaiveDate>> {
    match value {
        None => Some(None),
        Some(d) if *d == pbc::Date::default() => Some(None),
        Some(d) => date(v, field, Some(d)).map(Some),
    }
}

pub fn date_out(date: NaiveDate) -> Option<pbc::Date> {
    Some(date_to_proto(date))
}

pub fn weight_unit(value: i32) -> Option<WeightUnit> {
    match pbc::WeightUnit::try_from(value).ok()? {
        pbc::WeightUnit::Lb => Some(WeightUnit::Lb),
        pbc::WeightUnit::Kg => Some(WeightUnit::Kg),
        pbc::WeightUnit::Unspecified => None,
    }
}

pub fn weight_unit_to_proto(unit: WeightUnit) -> pbc::WeightUnit {
    match unit {
        WeightUnit::Lb => pbc::WeightUnit::Lb,
        WeightUnit::Kg => pbc::WeightUnit::Kg,
    }
}

pub fn length_unit(value: i32) -> Option<LengthUnit> {
    match pbc::LengthUnit::try_from(value).ok()? {
        pbc::LengthUnit::In => Some(LengthUnit::In),
        pbc::LengthUnit::Cm => Some(LengthUnit::Cm),
        pbc::LengthUnit::Unspecified => None,
    }
}

pub fn length_unit_to_proto(unit: LengthUnit) -> pbc::LengthUnit {
    match unit {
        LengthUnit::In => pbc::LengthUnit::In,
        LengthUnit::Cm => pbc::LengthUnit::Cm,
    }
}

/// A positive weight with a unit, at most 100,000 units.
pub fn weight(v: &mut Violations, field: &str, value: Option<&pbc::Weight>) -> Option<Weight> {
    let Some(value) = value else {
        v.add(field, "is required");
        return None;
    };
    let unit = weight_unit(value.unit);
    v.check(unit.is_some(), format!("{field}.unit"), "must be LB or KG");
    let thousandths = format!("{field}.thousandths");
    if value.thousandths <= 0 {
        v.add(thousandths, "must be positive");
        return None;
    }
    if value.thousandths > limits::WEIGHT_THOUSANDTHS {
        v.add(
            thousandths,
            format!("must be at most {}", limits::WEIGHT_THOUSANDTHS),
        );
        return None;
    }
    Some(Weight {
        thousandths: value.thousandths,
        unit: unit?,
    })
}

pub fn weight_to_proto(weight: Weight) -> pbc::Weight {
    pbc::Weight {
        thousandths: weight.thousandths,
        unit: weight_unit_to_proto(weight.unit).into(),
    }
}

/// Optional dimensions: all three sides positive and at most 10,000 units,
/// with a unit.
pub fn dimensions(
    v: &mut Violations,
    field: &str,
    value: Option<&pbc::Dimensions>,
) -> Option<Option<Dimensions>> {
    let Some(value) = value else {
        return Some(None);
    };
    if *value == pbc::Dimensions::default() {
        return Some(None);
    }
    let before = v.len();
    let unit = length_unit(value.unit);
    v.check(unit.is_some(), format!("{field}.unit"), "must be IN or CM");
    for (side, n) in [
        ("length_thousandths", value.length_thousandths),
        ("width_thousandths", value.width_thousandths),
        ("height_thousandths", value.height_thousandths),
    ] {
        if n <= 0 {
            v.add(format!("{field}.{side}"), "must be positive");
        } else if n > limits::SIDE_THOUSANDTHS {
            v.add(
                format!("{field}.{side}"),
                format!("must be at most {}", limits::SIDE_THOUSANDTHS),
            );
        }
    }
    if v.len() != before {
        return None;
    }
    Some(Some(Dimensions {
        length: value.length_thousandths,
        width: value.width_thousandths,
        height: value.height_thousandths,
        unit: unit?,
    }))
}

pub fn dimensions_to_proto(d: Dimensions) -> pbc::Dimensions {
    pbc::Dimensions {
        length_thousandths: d.length,
        width_thousandths: d.width,
        height_thousandths: d.height,
        unit: length_unit_to_proto(d.unit).into(),
    }
}

/// A text field of 1-`max` characters: letters, digits, spaces, dashes or
/// underscores (tracking numbers, postal codes, accounts).
pub fn token_like(v: &mut Violations, field: &str, value: &str, max: usize) -> String {
    let ok = !value.is_empty()
        && value.chars().count() <= max
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ' ');
    v.check(
        ok,
        field,
        format!("must be 1-{max} letters, digits, spaces, dashes or underscores"),
    );
    value.to_owned()
}
