//! SLA terms: validated on the way in, turned into what the promise, KPI
//! and refund rules need on the way out.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use recourse_contracts_domain::calendar::{BusinessCalendar, Period};
use recourse_contracts_domain::promise::Commitment;
use recourse_contracts_domain::refund::{RefundScope, Suspension};
use recourse_contracts_domain::sla::{CreditSchedule, ExcuseCategory, MetricDefinition, Targets};
use recourse_money::{Currency, Money};
use recourse_platform::Violations;
use recourse_platform::proto_types::date_from_proto;
use recourse_proto::contracts as pb;

use super::common::{date, money};

/// An unset commitment with minute 0 meant "end of day" before the kind
/// existed; it is stored as END_OF_DAY from now on.
pub fn normalise(s: &mut pb::SlaTerms) {
    if s.commit_kind == i32::from(pb::CommitKind::Unspecified) {
        s.commit_kind = if s.delivery_commit_minute == 0 {
            pb::CommitKind::EndOfDay
        } else {
            pb::CommitKind::TimeOfDay
        }
        .into();
    }
}

pub fn category(value: i32) -> Option<ExcuseCategory> {
    match pb::ExcuseCategory::try_from(value).ok()? {
        pb::ExcuseCategory::Weather => Some(ExcuseCategory::Weather),
        pb::ExcuseCategory::Customs => Some(ExcuseCategory::Customs),
        pb::ExcuseCategory::AddressProblem => Some(ExcuseCategory::AddressProblem),
        pb::ExcuseCategory::RecipientRefused => Some(ExcuseCategory::RecipientRefused),
        pb::ExcuseCategory::Unspecified => None,
    }
}

pub fn category_to_proto(c: ExcuseCategory) -> pb::ExcuseCategory {
    match c {
        ExcuseCategory::Weather => pb::ExcuseCategory::Weather,
        ExcuseCategory::Customs => pb::ExcuseCategory::Customs,
        ExcuseCategory::AddressProblem => pb::ExcuseCategory::AddressProblem,
        ExcuseCategory::RecipientRefused => pb::ExcuseCategory::RecipientRefused,
    }
}

/// Records every violation of one SLA terms entry.
pub fn validate(v: &mut Violations, at: &str, s: &pb::SlaTerms, cur: Currency) {
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
        "must be below 1440 (minutes after local midnight)",
    );
    v.check(
        pb::CommitKind::try_from(s.commit_kind).is_ok(),
        format!("{at}.commit_kind"),
        "must be TIME_OF_DAY or END_OF_DAY",
    );
    let mut excusable = HashSet::new();
    for (i, e) in s.excusable_exceptions.iter().enumerate() {
        let eat = format!("{at}.excusable_exceptions[{i}]");
        v.check(
            !e.code.is_empty() && e.code.len() <= 128 && excusable.insert(e.code.clone()),
            format!("{eat}.code"),
            "must be a 1-128 character exception code listed once",
        );
        v.check(
            category(e.category).is_some(),
            format!("{eat}.category"),
            "must be WEATHER, CUSTOMS, ADDRESS_PROBLEM or RECIPIENT_REFUSED",
        );
    }
    v.check(
        pb::RefundAnchor::try_from(s.refund_window_anchor).is_ok(),
        format!("{at}.refund_window_anchor"),
        "must be DELIVERY_DATE or INVOICE_DATE",
    );
    for (i, g) in s.guarantee_suspensions.iter().enumerate() {
        let gat = format!("{at}.guarantee_suspensions[{i}]");
        let first = date(v, &format!("{gat}.first_day"), g.first_day.as_ref());
        let last = date(v, &format!("{gat}.last_day"), g.last_day.as_ref());
        if let (Some(first), Some(last)) = (first, last) {
            v.check(
                first <= last,
                format!("{gat}.last_day"),
                "must not be before first_day",
            );
        }
        v.check(
            g.reason.chars().count() <= 200,
            format!("{gat}.reason"),
            "must be at most 200 characters",
        );
    }
    for (i, h) in s.holidays.iter().enumerate() {
        date(v, &format!("{at}.holidays[{i}]"), Some(h));
    }
    v.check(
        s.refund_window_days <= 3_650,
        format!("{at}.refund_window_days"),
        "must be at most 3650",
    );
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

/// The refund window's anchor date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    DeliveryDate,
    InvoiceDate,
}

/// The SLA terms of stored (already valid) terms, ready for the math.
#[derive(Debug, Clone)]
pub struct Sla {
    pub period: Period,
    pub metric: MetricDefinition,
    pub targets: Targets,
    pub credits: CreditSchedule,
    pub calendar: BusinessCalendar,
    pub commitment: Commitment,
    pub excusable: HashMap<String, ExcuseCategory>,
    pub guaranteed: bool,
    pub refund_window_days: u32,
    pub refund_anchor: Anchor,
    pub refund_scope: RefundScope,
    pub suspensions: Vec<Suspension>,
}

pub fn sla(s: &pb::SlaTerms, cur: Currency) -> Sla {
    let metric = s.metric.unwrap_or_default();
    let targets = s.targets.unwrap_or_default();
    let credit = |m: Option<&recourse_proto::common::Money>| {
        m.map_or(Money::zero(cur), |m| Money::new(m.amount_minor, cur))
    };
    let holidays: Vec<NaiveDate> = s.holidays.iter().filter_map(date_from_proto).collect();
    let commitment = match pb::CommitKind::try_from(s.commit_kind) {
        Ok(pb::CommitKind::EndOfDay) => Commitment::EndOfDay,
        Ok(pb::CommitKind::Unspecified) if s.delivery_commit_minute == 0 => Commitment::EndOfDay,
        Ok(pb::CommitKind::TimeOfDay | pb::CommitKind::Unspecified) | Err(_) => {
            Commitment::TimeOfDay(s.delivery_commit_minute)
        }
    };
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
        commitment,
        excusable: s
            .excusable_exceptions
            .iter()
            .filter_map(|e| Some((e.code.clone(), category(e.category)?)))
            .collect(),
        guaranteed: s.guaranteed,
        refund_window_days: s.refund_window_days,
        refund_anchor: if s.refund_window_anchor == i32::from(pb::RefundAnchor::InvoiceDate) {
            Anchor::InvoiceDate
        } else {
            Anchor::DeliveryDate
        },
        refund_scope: RefundScope {
            fuel: s.refund_includes_fuel,
            accessorials: s.refund_includes_accessorials,
        },
        suspensions: s
            .guarantee_suspensions
            .iter()
            .filter_map(|g| {
                Some(Suspension {
                    first: g.first_day.as_ref().and_then(date_from_proto)?,
                    last: g.last_day.as_ref().and_then(date_from_proto)?,
                })
            })
            .collect(),
    }
}
