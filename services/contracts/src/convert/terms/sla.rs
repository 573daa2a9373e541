//! SLA terms: parsed with every violation's path, rendered back.

use std::collections::HashSet;

use recourse_contracts_domain::calendar::Period;
use recourse_contracts_domain::promise::Commitment;
use recourse_contracts_domain::refund::{RefundScope, Suspension};
use recourse_contracts_domain::sla::{CreditSchedule, ExcuseCategory, MetricDefinition, Targets};
use recourse_contracts_domain::terms::{
    ExcusableException, GuaranteeSuspension, RefundAnchor, SlaTerms, ZoneTransit,
};
use recourse_money::{Currency, Money};
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::contracts as pb;

use super::super::Parser;
use super::super::common::money_to_proto;
use super::super::limits;

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

pub fn period_to_proto(p: Period) -> pb::MeasurementPeriod {
    match p {
        Period::Weekly => pb::MeasurementPeriod::Weekly,
        Period::Monthly => pb::MeasurementPeriod::Monthly,
    }
}

pub fn metric_to_proto(m: MetricDefinition) -> pb::MetricDefinition {
    pb::MetricDefinition {
        grace_minutes: m.grace_minutes,
        first_scan_hours: m.first_scan_hours,
        max_scan_gap_hours: m.max_scan_gap_hours,
    }
}

/// An unset commitment kind with minute 0 meant "end of day" before the
/// kind existed.
fn commitment(p: &mut Parser<'_>, at: &str, s: &pb::SlaTerms) -> Option<Commitment> {
    let minute_ok = s.delivery_commit_minute < 1_440;
    p.check(
        minute_ok,
        format!("{at}.delivery_commit_minute"),
        "must be below 1440 (minutes after local midnight)",
    );
    match pb::CommitKind::try_from(s.commit_kind) {
        Ok(pb::CommitKind::EndOfDay) => Some(Commitment::EndOfDay),
        Ok(pb::CommitKind::Unspecified) if s.delivery_commit_minute == 0 => {
            Some(Commitment::EndOfDay)
        }
        Ok(pb::CommitKind::TimeOfDay | pb::CommitKind::Unspecified) => {
            minute_ok.then_some(Commitment::TimeOfDay(s.delivery_commit_minute))
        }
        Err(_) => {
            p.add(
                format!("{at}.commit_kind"),
                "must be TIME_OF_DAY or END_OF_DAY",
            );
            None
        }
    }
}

fn targets(p: &mut Parser<'_>, at: &str, t: Option<&pb::SlaTargets>) -> Targets {
    let t = t.copied().unwrap_or_default();
    for (name, bp) in [
        ("on_time_rate_min_bp", t.on_time_rate_min_bp),
        ("scan_compliance_min_bp", t.scan_compliance_min_bp),
        ("exception_rate_max_bp", t.exception_rate_max_bp),
        ("claims_rate_max_bp", t.claims_rate_max_bp),
    ] {
        p.check(
            bp <= 10_000,
            format!("{at}.targets.{name}"),
            "must be at most 10000 basis points",
        );
    }
    Targets {
        on_time_rate_min_bp: t.on_time_rate_min_bp,
        scan_compliance_min_bp: t.scan_compliance_min_bp,
        exception_rate_max_bp: t.exception_rate_max_bp,
        claims_rate_max_bp: t.claims_rate_max_bp,
    }
}

fn metric(
    p: &mut Parser<'_>,
    at: &str,
    m: Option<&pb::MetricDefinition>,
) -> Option<MetricDefinition> {
    let Some(m) = m else {
        p.add(
            format!("{at}.metric"),
            "is required: both sides must compute the same number",
        );
        return None;
    };
    let field = |name: &str| format!("{at}.metric.{name}");
    p.check(
        m.first_scan_hours > 0,
        field("first_scan_hours"),
        "must be positive",
    );
    p.check(
        m.max_scan_gap_hours > 0,
        field("max_scan_gap_hours"),
        "must be positive",
    );
    for (name, hours) in [
        ("first_scan_hours", m.first_scan_hours),
        ("max_scan_gap_hours", m.max_scan_gap_hours),
    ] {
        p.bound(
            hours <= limits::SCAN_HOURS,
            field(name),
            format!("must be at most {} hours", limits::SCAN_HOURS),
        );
    }
    p.bound(
        m.grace_minutes <= limits::GRACE_MINUTES,
        field("grace_minutes"),
        format!("must be at most {} minutes", limits::GRACE_MINUTES),
    );
    Some(MetricDefinition {
        grace_minutes: m.grace_minutes,
        first_scan_hours: m.first_scan_hours,
        max_scan_gap_hours: m.max_scan_gap_hours,
    })
}

fn transit(p: &mut Parser<'_>, at: &str, s: &pb::SlaTerms) -> Vec<ZoneTransit> {
    let field = format!("{at}.transit");
    if !p.at_most(s.transit.len(), limits::ZONES, &field, "zones") {
        return Vec::new();
    }
    let mut zones = HashSet::new();
    for (i, t) in s.transit.iter().enumerate() {
        p.check(
            !t.zone.is_empty()
                && t.zone.chars().count() <= limits::ZONE
                && zones.insert(t.zone.as_str()),
            format!("{field}[{i}].zone"),
            "must be a zone (1-16 characters) listed once",
        );
        p.check(
            t.business_days <= 60,
            format!("{field}[{i}].business_days"),
            "must be at most 60",
        );
    }
    s.transit
        .iter()
        .map(|t| ZoneTransit {
            zone: t.zone.clone(),
            business_days: t.business_days,
        })
        .collect()
}

fn excusable(p: &mut Parser<'_>, at: &str, s: &pb::SlaTerms) -> Vec<ExcusableException> {
    let field = format!("{at}.excusable_exceptions");
    if !p.at_most(
        s.excusable_exceptions.len(),
        limits::EXCUSABLE_CODES,
        &field,
        "codes",
    ) {
        return Vec::new();
    }
    let mut codes = HashSet::new();
    let mut out = Vec::with_capacity(s.excusable_exceptions.len());
    for (i, e) in s.excusable_exceptions.iter().enumerate() {
        let eat = format!("{field}[{i}]");
        p.check(
            !e.code.is_empty()
                && e.code.chars().count() <= limits::EXCEPTION_CODE
                && codes.insert(e.code.as_str()),
            format!("{eat}.code"),
            "must be a 1-128 character exception code listed once",
        );
        match category(e.category) {
            Some(category) => out.push(ExcusableException {
                code: e.code.clone(),
                category,
            }),
            None => p.add(
                format!("{eat}.category"),
                "must be WEATHER, CUSTOMS, ADDRESS_PROBLEM or RECIPIENT_REFUSED",
            ),
        }
    }
    out
}

fn suspensions(p: &mut Parser<'_>, at: &str, s: &pb::SlaTerms) -> Vec<GuaranteeSuspension> {
    let field = format!("{at}.guarantee_suspensions");
    if !p.at_most(
        s.guarantee_suspensions.len(),
        limits::SUSPENSIONS,
        &field,
        "suspensions",
    ) {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(s.guarantee_suspensions.len());
    for (i, g) in s.guarantee_suspensions.iter().enumerate() {
        let gat = format!("{field}[{i}]");
        let first = p.date(&format!("{gat}.first_day"), g.first_day.as_ref());
        let last = p.date(&format!("{gat}.last_day"), g.last_day.as_ref());
        p.text(
            &format!("{gat}.reason"),
            &g.reason,
            limits::SUSPENSION_REASON,
            false,
        );
        if let (Some(first), Some(last)) = (first, last) {
            p.check(
                first <= last,
                format!("{gat}.last_day"),
                "must not be before first_day",
            );
            out.push(GuaranteeSuspension {
                days: Suspension { first, last },
                reason: g.reason.clone(),
            });
        }
    }
    out
}

/// The domain SLA terms, or `None` with its violations recorded under `at`.
pub fn parse(p: &mut Parser<'_>, at: &str, s: &pb::SlaTerms, cur: Currency) -> Option<SlaTerms> {
    let before = p.len();
    let period = match pb::MeasurementPeriod::try_from(s.period) {
        Ok(pb::MeasurementPeriod::Weekly) => Some(Period::Weekly),
        Ok(pb::MeasurementPeriod::Monthly) => Some(Period::Monthly),
        Ok(pb::MeasurementPeriod::Unspecified) | Err(_) => {
            p.add(format!("{at}.period"), "must be WEEKLY or MONTHLY");
            None
        }
    };
    let targets = targets(p, at, s.targets.as_ref());
    let metric = metric(p, at, s.metric.as_ref());
    let transit = transit(p, at, s);
    let commitment = commitment(p, at, s);
    let excusable = excusable(p, at, s);
    let refund_anchor = match pb::RefundAnchor::try_from(s.refund_window_anchor) {
        Ok(pb::RefundAnchor::InvoiceDate) => Some(RefundAnchor::InvoiceDate),
        Ok(pb::RefundAnchor::DeliveryDate | pb::RefundAnchor::Unspecified) => {
            Some(RefundAnchor::DeliveryDate)
        }
        Err(_) => {
            p.add(
                format!("{at}.refund_window_anchor"),
                "must be DELIVERY_DATE or INVOICE_DATE",
            );
            None
        }
    };
    let suspensions = suspensions(p, at, s);
    let holidays_field = format!("{at}.holidays");
    let mut holidays = Vec::new();
    if p.at_most(
        s.holidays.len(),
        limits::HOLIDAYS,
        &holidays_field,
        "holidays",
    ) {
        for (i, h) in s.holidays.iter().enumerate() {
            holidays.extend(p.date(&format!("{holidays_field}[{i}]"), Some(h)));
        }
    }
    p.check(
        s.refund_window_days <= limits::WINDOW_DAYS,
        format!("{at}.refund_window_days"),
        "must be at most 3650",
    );
    p.check(
        !s.guaranteed || s.refund_window_days > 0,
        format!("{at}.refund_window_days"),
        "is required for a guaranteed service",
    );
    let mut credit = |name: &str, value: Option<&recourse_proto::common::Money>| match value {
        None => Some(Money::zero(cur)),
        Some(m) => p.money(&format!("{at}.credits.{name}"), Some(m), Some(cur)),
    };
    let credits = s.credits.as_ref();
    let per_point = credit(
        "credit_per_point",
        credits.and_then(|c| c.credit_per_point.as_ref()),
    );
    let cap = credit(
        "cap_per_period",
        credits.and_then(|c| c.cap_per_period.as_ref()),
    );
    let bonuses = super::bonus::parse(p, at, s.bonuses.as_ref(), cur, &targets);
    if p.len() != before {
        return None;
    }
    Some(SlaTerms {
        service_level: s.service_level.clone(),
        period: period?,
        targets,
        metric: metric?,
        transit,
        commitment: commitment?,
        holidays,
        credits: CreditSchedule {
            credit_per_point: per_point?,
            cap_per_period: cap?,
        },
        excusable,
        guaranteed: s.guaranteed,
        refund_window_days: s.refund_window_days,
        refund_anchor: refund_anchor?,
        refund_scope: RefundScope {
            fuel: s.refund_includes_fuel,
            accessorials: s.refund_includes_accessorials,
        },
        suspensions,
        bonuses: bonuses?,
    })
}

pub fn render(s: &SlaTerms) -> pb::SlaTerms {
    let (commit_kind, minute) = match s.commitment {
        Commitment::TimeOfDay(minute) => (pb::CommitKind::TimeOfDay, minute),
        Commitment::EndOfDay => (pb::CommitKind::EndOfDay, 0),
    };
    pb::SlaTerms {
        service_level: s.service_level.clone(),
        period: period_to_proto(s.period).into(),
        targets: Some(pb::SlaTargets {
            on_time_rate_min_bp: s.targets.on_time_rate_min_bp,
            scan_compliance_min_bp: s.targets.scan_compliance_min_bp,
            exception_rate_max_bp: s.targets.exception_rate_max_bp,
            claims_rate_max_bp: s.targets.claims_rate_max_bp,
        }),
        metric: Some(metric_to_proto(s.metric)),
        transit: s
            .transit
            .iter()
            .map(|t| pb::ZoneTransit {
                zone: t.zone.clone(),
                business_days: t.business_days,
            })
            .collect(),
        delivery_commit_minute: minute,
        holidays: s.holidays.iter().map(|d| date_to_proto(*d)).collect(),
        guaranteed: s.guaranteed,
        refund_window_days: s.refund_window_days,
        credits: Some(pb::CreditSchedule {
            credit_per_point: Some(money_to_proto(s.credits.credit_per_point)),
            cap_per_period: Some(money_to_proto(s.credits.cap_per_period)),
        }),
        commit_kind: commit_kind.into(),
        excusable_exceptions: s
            .excusable
            .iter()
            .map(|e| pb::ExcusableException {
                code: e.code.clone(),
                category: category_to_proto(e.category).into(),
            })
            .collect(),
        refund_window_anchor: match s.refund_anchor {
            RefundAnchor::DeliveryDate => pb::RefundAnchor::DeliveryDate,
            RefundAnchor::InvoiceDate => pb::RefundAnchor::InvoiceDate,
        }
        .into(),
        refund_includes_fuel: s.refund_scope.fuel,
        refund_includes_accessorials: s.refund_scope.accessorials,
        guarantee_suspensions: s
            .suspensions
            .iter()
            .map(|g| pb::GuaranteeSuspension {
                first_day: Some(date_to_proto(g.days.first)),
                last_day: Some(date_to_proto(g.days.last)),
                reason: g.reason.clone(),
            })
            .collect(),
        bonuses: super::bonus::render(s.bonuses.as_ref()),
    }
}
