//! SLA examples; the arithmetic is in the test names.
//! This file holds the shared shipments and schedules.

mod as_of;
mod credits;
mod measure;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use recourse_money::{Currency, Money};

use super::*;

fn usd(cents: i64) -> Money {
    Money::new(cents, Currency::USD)
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 4, 12, 0, 0).unwrap()
}

fn hours(h: i64) -> TimeDelta {
    TimeDelta::hours(h)
}

/// Shipped at t0, promised 48 h later, delivered `late_minutes` after the
/// promise (negative = early), scanned every 12 h.
fn shipment(late_minutes: i64) -> ShipmentFacts {
    let promised = t0() + hours(48);
    let delivered = promised + TimeDelta::minutes(late_minutes);
    ShipmentFacts {
        ship_time: t0(),
        promised,
        delivered: Some(delivered),
        scans: vec![
            t0() + hours(1),
            t0() + hours(13),
            t0() + hours(25),
            delivered,
        ],
        exceptions: vec![],
        billed: Some(usd(1000)),
        metric: metric(),
    }
}

fn metric() -> MetricDefinition {
    MetricDefinition {
        grace_minutes: 0,
        first_scan_hours: 4,
        max_scan_gap_hours: 24,
    }
}

fn no_targets() -> Targets {
    Targets {
        on_time_rate_min_bp: 0,
        scan_compliance_min_bp: 0,
        exception_rate_max_bp: 0,
        claims_rate_max_bp: 0,
    }
}

fn credits(per_point: i64, cap: i64) -> CreditSchedule {
    CreditSchedule {
        credit_per_point: usd(per_point),
        cap_per_period: usd(cap),
    }
}

fn run(
    facts: &[ShipmentFacts],
    claims: Option<u32>,
    targets: Targets,
    credits: CreditSchedule,
) -> Evaluation {
    evaluate(facts, known(), claims, &targets, &credits, Currency::USD).unwrap()
}

/// An as-of instant after everything in these examples: all is known.
fn known() -> DateTime<Utc> {
    t0() + hours(10_000)
}

/// `facts`, each measured with `metric`.
fn with_metric(facts: &[ShipmentFacts], metric: MetricDefinition) -> Vec<ShipmentFacts> {
    facts
        .iter()
        .map(|f| ShipmentFacts {
            metric,
            ..f.clone()
        })
        .collect()
}

/// An exception with `code` at t0 + 30 h, excusable as `excuse`.
fn exception(code: &str, excuse: Option<ExcuseCategory>) -> ExceptionFact {
    ExceptionFact {
        at: t0() + hours(30),
        code: code.into(),
        excuse,
    }
}
