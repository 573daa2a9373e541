//! SLA evaluation over one period's shipments.
//!
//! Both parties compute the same numbers from the same facts, so every
//! definition is exact and integer:
//! - on time: delivered at or before `promised + grace_minutes`.
//!   Undelivered shipments are not on time. On-time rate = on_time /
//!   shipments.
//! - scan compliant: the earliest scan is no later than `ship_time +
//!   first_scan_hours`, and no gap between consecutive scans (sorted) is
//!   longer than `max_scan_gap_hours`. A shipment with no scans is not
//!   compliant. For an undelivered shipment only the scans that exist are
//!   checked (the silence since the last scan is not a gap yet). A limit of
//!   0 hours means that check is not part of the contract.
//! - exception rate = shipments with an exception / shipments; claims rate
//!   = claims / shipments (unknown claims → no actual, never breached).
//! - every rate is in basis points, floor(count × 10000 / shipments).
//! - breach: a minimum target is breached when actual < target, a maximum
//!   target when actual > target; a target of 0 is never breached.
//!   shortfall_bp = |target − actual| when breached, else 0.
//! - credit per KPI = credit_per_point × shortfall_bp / 100 (half away from
//!   zero); the service credit is the sum, capped at `cap_per_period` unless
//!   the cap is 0 (or negative, which means no cap).
//! - total billed sums the known charges (missing = 0); cost per shipment
//!   is total / shipments (half away from zero), `None` with no shipments.
//! - no shipments: every actual is `None`, nothing is breached, no credit.

mod evaluate;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use recourse_money::Money;

pub use evaluate::evaluate;

/// How the contract measures shipments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetricDefinition {
    /// Minutes after the promise a delivery still counts as on time.
    pub grace_minutes: u32,
    /// Hours after ship time by which the first scan must exist (0 = no check).
    pub first_scan_hours: u32,
    /// Longest allowed silence between consecutive scans (0 = no check).
    pub max_scan_gap_hours: u32,
}

/// KPI targets in basis points; 0 means the contract sets no target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Targets {
    /// Minimum on-time rate.
    pub on_time_rate_min_bp: u32,
    /// Minimum scan-compliance rate.
    pub scan_compliance_min_bp: u32,
    /// Maximum exception rate.
    pub exception_rate_max_bp: u32,
    /// Maximum claims rate.
    pub claims_rate_max_bp: u32,
}

/// What the carrier owes per missed point, and at most per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CreditSchedule {
    /// Credit per percentage point (100 bp) of shortfall.
    pub credit_per_point: Money,
    /// Most credit per period; 0 means uncapped.
    pub cap_per_period: Money,
}

/// What is known of one shipment in the period.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShipmentFacts {
    /// When the carrier took the shipment.
    pub ship_time: DateTime<Utc>,
    /// The promised delivery instant.
    pub promised: DateTime<Utc>,
    /// When it was delivered, if it has been.
    pub delivered: Option<DateTime<Utc>>,
    /// Every scan-type event time incl. pickup and delivery, any order.
    pub scans: Vec<DateTime<Utc>>,
    /// Whether the shipment had an exception.
    pub exception: bool,
    /// What the carrier billed for it, if invoiced.
    pub billed: Option<Money>,
}

/// The measured indicators, in reporting order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kpi {
    /// Share delivered on time (minimum target).
    OnTimeRate,
    /// Share with compliant scans (minimum target).
    ScanCompliance,
    /// Share with an exception (maximum target).
    ExceptionRate,
    /// Claims per shipment (maximum target).
    ClaimsRate,
}

/// One KPI's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KpiResult {
    /// Which KPI.
    pub kpi: Kpi,
    /// The measured rate, `None` when it cannot be measured.
    pub actual_bp: Option<u32>,
    /// The contract's target (0 = none).
    pub target_bp: u32,
    /// Whether the target was missed.
    pub breached: bool,
    /// How far it was missed by, 0 when not breached.
    pub shortfall_bp: u32,
    /// The uncapped credit for this KPI.
    pub credit: Money,
}

/// The period's SLA outcome.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Evaluation {
    /// Shipments in the period.
    pub shipments: u32,
    /// Of which delivered.
    pub delivered: u32,
    /// Of which on time.
    pub on_time: u32,
    /// Of which scan compliant.
    pub scan_compliant: u32,
    /// Of which had an exception.
    pub with_exception: u32,
    /// Claims filed, when known.
    pub claims: Option<u32>,
    /// Always four results, in `Kpi` order.
    pub kpis: Vec<KpiResult>,
    /// Sum of what was billed.
    pub total_billed: Money,
    /// Average billed per shipment, `None` with no shipments.
    pub cost_per_shipment: Option<Money>,
    /// Credit owed for the period, after the cap.
    pub service_credit: Money,
    /// Whether any KPI was breached.
    pub breached: bool,
}
