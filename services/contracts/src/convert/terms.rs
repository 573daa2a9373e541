//! Contract terms: validated on the way in (every violation with its path),
//! converted to domain rate cards and SLA terms on the way to the math.
//! Terms are stored as the validated protobuf document.

use std::collections::HashSet;

use recourse_contracts_domain::rating::{self, RateCard, Rounding};
use recourse_money::{Currency, Money};
use recourse_platform::Violations;
use recourse_proto::contracts as pb;

use super::common::{currency, length_unit, money, weight_unit};

/// Defaults of the federal carrier clocks (49 CFR 370).
const ACKNOWLEDGE_DAYS: u32 = 30;
const DECIDE_DAYS: u32 = 120;
/// Appeal defaults when a contract states none: 30 days, one appeal.
pub const APPEAL_WINDOW_DAYS: u32 = 30;
pub const MAX_APPEALS: u32 = 1;

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

fn prefix_ok(s: &str) -> bool {
    s.len() <= 10 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Validates and normalises terms (defaults filled in). Returns the terms to
/// store and their currency.
pub fn validate(
    v: &mut Violations,
    field: &str,
    terms: Option<&pb::ContractTerms>,
) -> Option<(pb::ContractTerms, Currency)> {
    let Some(terms) = terms else {
        v.add(field, "is required");
        return None;
    };
    let before = v.len();
    let cur = currency(v, &format!("{field}.currency_code"), &terms.currency_code)?;
    let mut normalised = terms.clone();
    let mut levels = HashSet::new();
    for (i, card) in terms.rate_cards.iter().enumerate() {
        let at = format!("{field}.rate_cards[{i}]");
        if code(v, &format!("{at}.service_level"), &card.service_level)
            && !levels.insert(card.service_level.clone())
        {
            v.add(format!("{at}.service_level"), "has two rate cards");
        }
        rate_card(v, &at, card, cur);
    }
    match &terms.liability {
        Some(liability) => {
            if let Some(l) = normalised.liability.as_mut() {
                if l.acknowledge_within_days == 0 {
                    l.acknowledge_within_days = ACKNOWLEDGE_DAYS;
                }
                if l.decide_within_days == 0 {
                    l.decide_within_days = DECIDE_DAYS;
                }
                if l.appeal_window_days == 0 {
                    l.appeal_window_days = APPEAL_WINDOW_DAYS;
                }
                if l.max_appeals == 0 {
                    l.max_appeals = MAX_APPEALS;
                }
            }
            validate_liability(v, &format!("{field}.liability"), liability, cur);
        }
        None => v.add(format!("{field}.liability"), "is required"),
    }
    let mut sla_levels = HashSet::new();
    for (i, sla) in terms.sla_terms.iter().enumerate() {
        let at = format!("{field}.sla_terms[{i}]");
        if code(v, &format!("{at}.service_level"), &sla.service_level)
            && !sla_levels.insert(sla.service_level.clone())
        {
            v.add(format!("{at}.service_level"), "has two SLA terms");
        }
        super::sla_terms::validate(v, &at, sla, cur);
        if let Some(n) = normalised.sla_terms.get_mut(i) {
            super::sla_terms::normalise(n);
        }
    }
    normalised.currency_code = cur.as_str().to_owned();
    (v.len() == before).then_some((normalised, cur))
}

/// The domain rate card, or `None` with violations recorded.
pub fn rate_card(
    v: &mut Violations,
    at: &str,
    card: &pb::RateCard,
    cur: Currency,
) -> Option<RateCard> {
    let before = v.len();
    if card.zone_chart.is_empty() {
        v.add(format!("{at}.zone_chart"), "needs at least one zone rule");
    }
    let mut zone_chart = Vec::new();
    for (j, rule) in card.zone_chart.iter().enumerate() {
        let rat = format!("{at}.zone_chart[{j}]");
        v.check(
            prefix_ok(&rule.origin_prefix),
            format!("{rat}.origin_prefix"),
            "must be up to 10 letters or digits",
        );
        v.check(
            prefix_ok(&rule.destination_prefix),
            format!("{rat}.destination_prefix"),
            "must be up to 10 letters or digits",
        );
        v.check(
            !rule.zone.is_empty() && rule.zone.len() <= 16,
            format!("{rat}.zone"),
            "must be 1-16 characters",
        );
        if !card.zone_rates.iter().any(|z| z.zone == rule.zone) {
            v.add(format!("{rat}.zone"), "has no zone_rates entry");
        }
        zone_chart.push(rating::ZoneRule {
            origin_prefix: rule.origin_prefix.clone(),
            destination_prefix: rule.destination_prefix.clone(),
            zone: rule.zone.clone(),
        });
    }
    let wu = weight_unit(card.weight_unit);
    v.check(
        wu.is_some(),
        format!("{at}.weight_unit"),
        "must be LB or KG",
    );
    let du = length_unit(card.dimension_unit);
    v.check(
        du.is_some(),
        format!("{at}.dimension_unit"),
        "must be IN or CM",
    );
    v.check(
        card.dim_divisor > 0,
        format!("{at}.dim_divisor"),
        "must be positive (e.g. 139 or 5000)",
    );
    let rounding = match pb::WeightRounding::try_from(card.rounding) {
        Ok(pb::WeightRounding::UpWhole) => Some(Rounding::UpWhole),
        Ok(pb::WeightRounding::UpHalf) => Some(Rounding::UpHalf),
        Ok(pb::WeightRounding::UpTenth) => Some(Rounding::UpTenth),
        _ => {
            v.add(format!("{at}.rounding"), "must be a weight rounding rule");
            None
        }
    };
    if card.zone_rates.is_empty() {
        v.add(format!("{at}.zone_rates"), "needs at least one zone");
    }
    let mut zones = HashSet::new();
    let mut zone_rates = Vec::new();
    for (j, rates) in card.zone_rates.iter().enumerate() {
        let rat = format!("{at}.zone_rates[{j}]");
        v.check(
            zones.insert(rates.zone.clone()),
            format!("{rat}.zone"),
            "is listed twice",
        );
        v.check(
            !rates.weight_breaks.is_empty(),
            format!("{rat}.weight_breaks"),
            "needs at least one break",
        );
        let mut last = 0;
        let mut breaks = Vec::new();
        for (k, b) in rates.weight_breaks.iter().enumerate() {
            let bat = format!("{rat}.weight_breaks[{k}]");
            v.check(
                b.max_weight_thousandths > last,
                format!("{bat}.max_weight_thousandths"),
                "must be positive and ascending",
            );
            last = b.max_weight_thousandths.max(last);
            if let Some(charge) = money(
                v,
                &format!("{bat}.charge"),
                b.charge.as_ref(),
                Some(cur),
                false,
            ) {
                breaks.push(rating::WeightBreak {
                    max_weight_thousandths: b.max_weight_thousandths,
                    charge,
                });
            }
        }
        zone_rates.push(rating::ZoneRates {
            zone: rates.zone.clone(),
            breaks,
        });
    }
    let minimum_charge = match &card.minimum_charge {
        None => Some(Money::zero(cur)),
        Some(m) => money(
            v,
            &format!("{at}.minimum_charge"),
            Some(m),
            Some(cur),
            false,
        ),
    };
    v.check(
        pb::FuelBasis::try_from(card.fuel_applies_to).is_ok(),
        format!("{at}.fuel_applies_to"),
        "must be BASE_ONLY or BASE_AND_ACCESSORIALS",
    );
    v.check(
        card.fuel_surcharge_bp <= 10_000,
        format!("{at}.fuel_surcharge_bp"),
        "must be at most 10000 (100%)",
    );
    let mut codes = HashSet::new();
    let mut accessorials = Vec::new();
    for (j, a) in card.accessorials.iter().enumerate() {
        let aat = format!("{at}.accessorials[{j}]");
        if code(v, &format!("{aat}.code"), &a.code) && !codes.insert(a.code.clone()) {
            v.add(format!("{aat}.code"), "is listed twice");
        }
        if let Some(charge) = money(
            v,
            &format!("{aat}.charge"),
            a.charge.as_ref(),
            Some(cur),
            false,
        ) {
            accessorials.push(rating::Accessorial {
                code: a.code.clone(),
                charge,
            });
        }
    }
    if v.len() != before {
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
        fuel_basis: match pb::FuelBasis::try_from(card.fuel_applies_to) {
            Ok(pb::FuelBasis::BaseAndAccessorials) => rating::FuelBasis::BaseAndAccessorials,
            Ok(pb::FuelBasis::BaseOnly | pb::FuelBasis::Unspecified) | Err(_) => {
                rating::FuelBasis::BaseOnly
            }
        },
        round_dimensions_up: card.round_dimensions_up,
    })
}

fn validate_liability(v: &mut Violations, at: &str, l: &pb::LiabilityTerms, cur: Currency) {
    money(
        v,
        &format!("{at}.default_per_package_limit"),
        l.default_per_package_limit.as_ref(),
        Some(cur),
        false,
    );
    if l.declared_value_coverage {
        money(
            v,
            &format!("{at}.max_declared_value"),
            l.max_declared_value.as_ref(),
            Some(cur),
            false,
        );
    }
    if let Some(limit) = &l.per_weight_unit_limit {
        money(
            v,
            &format!("{at}.per_weight_unit_limit"),
            Some(limit),
            Some(cur),
            false,
        );
    }
    let mut types = HashSet::new();
    for (i, w) in l.filing_windows.iter().enumerate() {
        let wat = format!("{at}.filing_windows[{i}]");
        let known = claim_type_known(w.claim_type);
        v.check(known, format!("{wat}.claim_type"), "must be a claim type");
        v.check(
            !known || types.insert(w.claim_type),
            format!("{wat}.claim_type"),
            "has two filing windows",
        );
        // Exactly one of days and months: Carmack's 9 months are calendar
        // months, which no number of days states.
        match (w.days, w.months) {
            (0, 0) => v.add(
                format!("{wat}.days"),
                "set days (1-3650) or calendar months (1-120)",
            ),
            (days, 0) => v.check(days <= 3_650, format!("{wat}.days"), "must be 1-3650"),
            (0, months) => v.check(months <= 120, format!("{wat}.months"), "must be 1-120"),
            (_, _) => v.add(
                format!("{wat}.months"),
                "set either days or months, not both",
            ),
        }
        let anchor =
            pb::FilingAnchor::try_from(w.anchor).is_ok_and(|a| a != pb::FilingAnchor::Unspecified);
        v.check(
            anchor,
            format!("{wat}.anchor"),
            "must name the date the window counts from",
        );
    }
    v.check(
        l.appeal_window_days <= 3_650,
        format!("{at}.appeal_window_days"),
        "must be at most 3650 (0 = 30)",
    );
    v.check(
        l.max_appeals <= 20,
        format!("{at}.max_appeals"),
        "must be at most 20 (0 = 1)",
    );
    let mut doc_types = HashSet::new();
    for (i, r) in l.required_documents.iter().enumerate() {
        let rat = format!("{at}.required_documents[{i}]");
        let known = claim_type_known(r.claim_type);
        v.check(known, format!("{rat}.claim_type"), "must be a claim type");
        v.check(
            !known || doc_types.insert(r.claim_type),
            format!("{rat}.claim_type"),
            "is listed twice",
        );
        for (k, kind) in r.kinds.iter().enumerate() {
            let ok =
                pb::DocumentKind::try_from(*kind).is_ok_and(|d| d != pb::DocumentKind::Unspecified);
            v.check(ok, format!("{rat}.kinds[{k}]"), "must be a document kind");
        }
    }
}

pub fn claim_type_known(value: i32) -> bool {
    pb::ClaimType::try_from(value).is_ok_and(|t| t != pb::ClaimType::Unspecified)
}
