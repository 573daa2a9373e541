//! Contract terms: validated on the way in (every violation with its path),
//! converted to domain rate cards and SLA terms on the way to the math.
//! Terms are stored as the validated protobuf document.

use std::collections::HashSet;

use chrono::NaiveDate;
use recourse_contracts_domain::calendar::{BusinessCalendar, Period};
use recourse_contracts_domain::rating::{self, RateCard, Rounding};
use recourse_contracts_domain::sla::{CreditSchedule, MetricDefinition, Targets};
use recourse_money::{Currency, Money};
use recourse_platform::Violations;
use recourse_proto::contracts as pb;

use super::common::{currency, date, length_unit, money, weight_unit};

/// Defaults of the federal carrier clocks (49 CFR 370).
const ACKNOWLEDGE_DAYS: u32 = 30;
const DECIDE_DAYS: u32 = 120;
/// Appeal defaults when a contract states none: 30 days, one appeal.
pub const APPEAL_WINDOW_DAYS: u32 = 30;
pub const MAX_APPEALS: u32 = 1;
const END_OF_DAY_MINUTE: u32 = 23 * 60 + 59;

fn code(v: &mut Violations, field: &str, s: &str) -> bool {
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
        sla_terms(v, &at, sla, cur);
        if let Some(n) = normalised.sla_terms.get_mut(i)
            && n.delivery_commit_minute == 0
        {
            n.delivery_commit_minute = END_OF_DAY_MINUTE;
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

fn sla_terms(v: &mut Violations, at: &str, s: &pb::SlaTerms, cur: Currency) {
    let period = pb::MeasurementPeriod::try_from(s.period)
        .is_ok_and(|p| p != pb::MeasurementPeriod::Unspecified);
    v.check(period, format!("{at}.period"), "must be WEEKLY or MONTHLY");
    if let Some(t) = &s.targets {
        for (name, bp) in [
            ("on_time_rate_min_bp", t.on_time_rate_min_bp),
            ("scan_compliance_min_bp", t.scan_compliance_min_bp),
            ("exception_rate_max_bp", t.exception_rate_max_bp),
            ("claims_rate_max_bp", t.claims_rate_max_bp),
        ] {
            v.check(
                bp <= 10_000,
                format!("{at}.targets.{name}"),
                "must be at most 10000 basis points",
            );
        }
    }
    match &s.metric {
        Some(m) => {
            v.check(
                m.first_scan_hours > 0,
                format!("{at}.metric.first_scan_hours"),
                "must be positive",
            );
            v.check(
                m.max_scan_gap_hours > 0,
                format!("{at}.metric.max_scan_gap_hours"),
                "must be positive",
            );
        }
        None => v.add(
            format!("{at}.metric"),
            "is required: both sides must compute the same number",
        ),
    }
    let mut zones = HashSet::new();
    for (i, t) in s.transit.iter().enumerate() {
        v.check(
            !t.zone.is_empty() && zones.insert(t.zone.clone()),
            format!("{at}.transit[{i}].zone"),
            "must be a zone listed once",
        );
        v.check(
            t.business_days <= 60,
            format!("{at}.transit[{i}].business_days"),
            "must be at most 60",
        );
    }
    v.check(
        s.delivery_commit_minute < 1_440,
        format!("{at}.delivery_commit_minute"),
        "must be below 1440",
    );
    for (i, h) in s.holidays.iter().enumerate() {
        date(v, &format!("{at}.holidays[{i}]"), Some(h));
    }
    v.check(
        !s.guaranteed || s.refund_window_days > 0,
        format!("{at}.refund_window_days"),
        "is required for a guaranteed service",
    );
    if let Some(c) = &s.credits {
        money(
            v,
            &format!("{at}.credits.credit_per_point"),
            c.credit_per_point.as_ref(),
            Some(cur),
            false,
        );
        money(
            v,
            &format!("{at}.credits.cap_per_period"),
            c.cap_per_period.as_ref(),
            Some(cur),
            false,
        );
    }
}

/// The SLA terms of stored (already valid) terms, ready for the math.
#[derive(Debug, Clone)]
pub struct Sla {
    pub period: Period,
    pub metric: MetricDefinition,
    pub targets: Targets,
    pub credits: CreditSchedule,
    pub calendar: BusinessCalendar,
    pub commit_minute: u32,
}

pub fn sla(s: &pb::SlaTerms, cur: Currency) -> Sla {
    let metric = s.metric.unwrap_or_default();
    let targets = s.targets.unwrap_or_default();
    let credit = |m: Option<&recourse_proto::common::Money>| {
        m.map_or(Money::zero(cur), |m| Money::new(m.amount_minor, cur))
    };
    let holidays: Vec<NaiveDate> = s
        .holidays
        .iter()
        .filter_map(recourse_platform::proto_types::date_from_proto)
        .collect();
    Sla {
        period: if s.period == i32::from(pb::MeasurementPeriod::Weekly) {
            Period::Weekly
        } else {
            Period::Monthly
        },
        metric: MetricDefinition {
            grace_minutes: metric.grace_minutes,
            first_scan_hours: metric.first_scan_hours,
            max_scan_gap_hours: metric.max_scan_gap_hours,
        },
        targets: Targets {
            on_time_rate_min_bp: targets.on_time_rate_min_bp,
            scan_compliance_min_bp: targets.scan_compliance_min_bp,
            exception_rate_max_bp: targets.exception_rate_max_bp,
            claims_rate_max_bp: targets.claims_rate_max_bp,
        },
        credits: CreditSchedule {
            credit_per_point: credit(s.credits.as_ref().and_then(|c| c.credit_per_point.as_ref())),
            cap_per_period: credit(s.credits.as_ref().and_then(|c| c.cap_per_period.as_ref())),
        },
        calendar: BusinessCalendar::new(holidays),
        commit_minute: s.delivery_commit_minute,
    }
}
