//! Shared parsers: resource names, money, dates, weights and dimensions.

use chrono::NaiveDate;
use recourse_money::Currency;
use recourse_platform::Violations;
use recourse_platform::proto_types::{date_from_proto, date_to_proto};
use recourse_proto::common as pbc;
use recourse_units::{Dimensions, LengthUnit, Weight, WeightUnit};

pub use recourse_platform::names::{carrier_id, resource_id};

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

pub fn version_resource_name(contract_id: &str, version: u32) -> String {
    format!("contracts/{contract_id}/versions/{version}")
}

pub fn currency(v: &mut Violations, field: &str, code: &str) -> Option<Currency> {
    Currency::parse(code)
        .map_err(|_| v.add(field, "must be an ISO-4217 code such as USD"))
        .ok()
}

pub use recourse_platform::proto_types::{money_from_proto as money, money_to_proto};

pub fn date(v: &mut Violations, field: &str, value: Option<&pbc::Date>) -> Option<NaiveDate> {
    let parsed = value.and_then(date_from_proto);
    if parsed.is_none() {
        v.add(field, "must be a valid calendar date");
    }
    parsed
}

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

/// A positive weight with a unit.
pub fn weight(v: &mut Violations, field: &str, value: Option<&pbc::Weight>) -> Option<Weight> {
    let Some(value) = value else {
        v.add(field, "is required");
        return None;
    };
    let unit = weight_unit(value.unit);
    if unit.is_none() {
        v.add(format!("{field}.unit"), "must be LB or KG");
    }
    if value.thousandths <= 0 {
        v.add(format!("{field}.thousandths"), "must be positive");
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

/// Optional dimensions: all three sides positive, with a unit.
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
        v.check(n > 0, format!("{field}.{side}"), "must be positive");
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
