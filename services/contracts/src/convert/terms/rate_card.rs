//! Rate cards: parsed with every violation's path, rendered back.

use std::collections::HashSet;

use recourse_contracts_domain::rating::{
    Accessorial, FuelBasis, RateCard, Rounding, WeightBreak, ZoneRates, ZoneRule,
};
use recourse_money::{Currency, Money};
use recourse_proto::contracts as pb;

use super::super::Parser;
use super::super::common::{
    code, length_unit, length_unit_to_proto, money_to_proto, weight_unit, weight_unit_to_proto,
};
use super::super::limits;

fn prefix_ok(s: &str) -> bool {
    s.len() <= 10 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn zone_chart(p: &mut Parser<'_>, at: &str, card: &pb::RateCard) -> Vec<ZoneRule> {
    let field = format!("{at}.zone_chart");
    if card.zone_chart.is_empty() {
        p.add(&field, "needs at least one zone rule");
    }
    if !p.at_most(card.zone_chart.len(), limits::ZONE_RULES, &field, "rules") {
        return Vec::new();
    }
    let priced: HashSet<&str> = card.zone_rates.iter().map(|z| z.zone.as_str()).collect();
    let mut rules = Vec::with_capacity(card.zone_chart.len());
    for (j, rule) in card.zone_chart.iter().enumerate() {
        let rat = format!("{field}[{j}]");
        for (side, prefix) in [
            ("origin_prefix", &rule.origin_prefix),
            ("destination_prefix", &rule.destination_prefix),
        ] {
            p.check(
                prefix_ok(prefix),
                format!("{rat}.{side}"),
                "must be up to 10 letters or digits",
            );
        }
        p.check(
            !rule.zone.is_empty() && rule.zone.chars().count() <= limits::ZONE,
            format!("{rat}.zone"),
            "must be 1-16 characters",
        );
        if !priced.contains(rule.zone.as_str()) {
            p.add(format!("{rat}.zone"), "has no zone_rates entry");
        }
        rules.push(ZoneRule {
            origin_prefix: rule.origin_prefix.clone(),
            destination_prefix: rule.destination_prefix.clone(),
            zone: rule.zone.clone(),
        });
    }
    rules
}

fn zone_rates(p: &mut Parser<'_>, at: &str, card: &pb::RateCard, cur: Currency) -> Vec<ZoneRates> {
    let field = format!("{at}.zone_rates");
    if card.zone_rates.is_empty() {
        p.add(&field, "needs at least one zone");
    }
    if !p.at_most(card.zone_rates.len(), limits::ZONES, &field, "zones") {
        return Vec::new();
    }
    let mut zones = HashSet::new();
    let mut out = Vec::with_capacity(card.zone_rates.len());
    for (j, rates) in card.zone_rates.iter().enumerate() {
        let rat = format!("{field}[{j}]");
        p.check(
            zones.insert(rates.zone.as_str()),
            format!("{rat}.zone"),
            "is listed twice",
        );
        let breaks_field = format!("{rat}.weight_breaks");
        p.check(
            !rates.weight_breaks.is_empty(),
            &breaks_field,
            "needs at least one break",
        );
        if !p.at_most(
            rates.weight_breaks.len(),
            limits::BREAKS,
            &breaks_field,
            "breaks",
        ) {
            continue;
        }
        let mut last = 0;
        let mut breaks = Vec::with_capacity(rates.weight_breaks.len());
        for (k, b) in rates.weight_breaks.iter().enumerate() {
            let bat = format!("{breaks_field}[{k}]");
            p.check(
                b.max_weight_thousandths > last,
                format!("{bat}.max_weight_thousandths"),
                "must be positive and ascending",
            );
            p.bound(
                b.max_weight_thousandths <= limits::WEIGHT_THOUSANDTHS,
                format!("{bat}.max_weight_thousandths"),
                format!("must be at most {}", limits::WEIGHT_THOUSANDTHS),
            );
            last = b.max_weight_thousandths.max(last);
            if let Some(charge) = p.money(&format!("{bat}.charge"), b.charge.as_ref(), Some(cur)) {
                breaks.push(WeightBreak {
                    max_weight_thousandths: b.max_weight_thousandths,
                    charge,
                });
            }
        }
        out.push(ZoneRates {
            zone: rates.zone.clone(),
            breaks,
        });
    }
    out
}

fn accessorials(
    p: &mut Parser<'_>,
    at: &str,
    card: &pb::RateCard,
    cur: Currency,
) -> Vec<Accessorial> {
    let field = format!("{at}.accessorials");
    if !p.at_most(
        card.accessorials.len(),
        limits::ACCESSORIALS,
        &field,
        "accessorials",
    ) {
        return Vec::new();
    }
    let mut codes = HashSet::new();
    let mut out = Vec::with_capacity(card.accessorials.len());
    for (j, a) in card.accessorials.iter().enumerate() {
        let aat = format!("{field}[{j}]");
        if code(p.v, &format!("{aat}.code"), &a.code) && !codes.insert(a.code.as_str()) {
            p.add(format!("{aat}.code"), "is listed twice");
        }
        if let Some(charge) = p.money(&format!("{aat}.charge"), a.charge.as_ref(), Some(cur)) {
            out.push(Accessorial {
                code: a.code.clone(),
                charge,
            });
        }
    }
    out
}

/// The domain rate card, or `None` with its violations recorded under `at`.
pub fn parse(p: &mut Parser<'_>, at: &str, card: &pb::RateCard, cur: Currency) -> Option<RateCard> {
    let before = p.len();
    let zone_chart = zone_chart(p, at, card);
    let wu = weight_unit(card.weight_unit);
    p.check(
        wu.is_some(),
        format!("{at}.weight_unit"),
        "must be LB or KG",
    );
    let du = length_unit(card.dimension_unit);
    p.check(
        du.is_some(),
        format!("{at}.dimension_unit"),
        "must be IN or CM",
    );
    p.check(
        card.dim_divisor > 0,
        format!("{at}.dim_divisor"),
        "must be positive (e.g. 139 or 5000)",
    );
    p.bound(
        card.dim_divisor <= limits::DIM_DIVISOR,
        format!("{at}.dim_divisor"),
        format!("must be at most {}", limits::DIM_DIVISOR),
    );
    let rounding = match pb::WeightRounding::try_from(card.rounding) {
        Ok(pb::WeightRounding::UpWhole) => Some(Rounding::UpWhole),
        Ok(pb::WeightRounding::UpHalf) => Some(Rounding::UpHalf),
        Ok(pb::WeightRounding::UpTenth) => Some(Rounding::UpTenth),
        Ok(pb::WeightRounding::Unspecified) | Err(_) => {
            p.add(format!("{at}.rounding"), "must be a weight rounding rule");
            None
        }
    };
    let zone_rates = zone_rates(p, at, card, cur);
    let minimum_charge = match &card.minimum_charge {
        None => Some(Money::zero(cur)),
        Some(m) => p.money(&format!("{at}.minimum_charge"), Some(m), Some(cur)),
    };
    let fuel_basis = match pb::FuelBasis::try_from(card.fuel_applies_to) {
        Ok(pb::FuelBasis::BaseAndAccessorials) => Some(FuelBasis::BaseAndAccessorials),
        Ok(pb::FuelBasis::BaseOnly | pb::FuelBasis::Unspecified) => Some(FuelBasis::BaseOnly),
        Err(_) => {
            p.add(
                format!("{at}.fuel_applies_to"),
                "must be BASE_ONLY or BASE_AND_ACCESSORIALS",
            );
            None
        }
    };
    p.check(
        card.fuel_surcharge_bp <= 10_000,
        format!("{at}.fuel_surcharge_bp"),
        "must be at most 10000 (100%)",
    );
    let accessorials = accessorials(p, at, card, cur);
    if p.len() != before {
        return None;
    }
    Some(RateCard {
        service_level: card.service_level.clone(),
        zone_chart,
        weight_unit: wu?,
        dimension_unit: du?,
        dim_divisor: card.dim_divisor,
        rounding: rounding?,
        zone_rates,
        minimum_charge: minimum_charge?,
        fuel_surcharge_bp: card.fuel_surcharge_bp,
        accessorials,
        fuel_basis: fuel_basis?,
        round_dimensions_up: card.round_dimensions_up,
    })
}

pub fn render(card: &RateCard) -> pb::RateCard {
    pb::RateCard {
        service_level: card.service_level.clone(),
        zone_chart: card
            .zone_chart
            .iter()
            .map(|r| pb::ZoneRule {
                origin_prefix: r.origin_prefix.clone(),
                destination_prefix: r.destination_prefix.clone(),
                zone: r.zone.clone(),
            })
            .collect(),
        weight_unit: weight_unit_to_proto(card.weight_unit).into(),
        dimension_unit: length_unit_to_proto(card.dimension_unit).into(),
        dim_divisor: card.dim_divisor,
        rounding: match card.rounding {
            Rounding::UpWhole => pb::WeightRounding::UpWhole,
            Rounding::UpHalf => pb::WeightRounding::UpHalf,
            Rounding::UpTenth => pb::WeightRounding::UpTenth,
        }
        .into(),
        zone_rates: card
            .zone_rates
            .iter()
            .map(|z| pb::ZoneRates {
                zone: z.zone.clone(),
                weight_breaks: z
                    .breaks
                    .iter()
                    .map(|b| pb::WeightBreak {
                        max_weight_thousandths: b.max_weight_thousandths,
                        charge: Some(money_to_proto(b.charge)),
                    })
                    .collect(),
            })
            .collect(),
        minimum_charge: Some(money_to_proto(card.minimum_charge)),
        fuel_surcharge_bp: card.fuel_surcharge_bp,
        accessorials: card
            .accessorials
            .iter()
            .map(|a| pb::Accessorial {
                code: a.code.clone(),
                charge: Some(money_to_proto(a.charge)),
            })
            .collect(),
        fuel_applies_to: match card.fuel_basis {
            FuelBasis::BaseOnly => pb::FuelBasis::BaseOnly,
            FuelBasis::BaseAndAccessorials => pb::FuelBasis::BaseAndAccessorials,
        }
        .into(),
        round_dimensions_up: card.round_dimensions_up,
    }
}
