//! SLA evaluation over one period's shipments, as of an instant.
//!
//! Both parties compute the same numbers from the same facts, so every
//! definition is exact and integer. Nothing after `as_of` is known: a
//! delivery, scan or exception dated after it is ignored.
//! - due: `promised + grace_minutes` (the shipment's own metric definition,
//!   from the contract version in force on its ship date).
//! - not yet due: undelivered at `as_of` and `as_of < due`. Such a shipment
//!   is **not measured** by any KPI (neither on time nor late) and is
//!   counted in `not_yet_due`.
//! - measured: every other shipment. Undelivered past due counts as late;
//!   delivered counts by its delivery time.
//! - excused: a measured shipment with an exception (at or before `as_of`)
//!   whose code the terms map to an excusable category (weather, customs,
//!   address problem, recipient refused). Excused shipments leave the
//!   on-time and exception KPIs (numerator and denominator); the codes that
//!   excused them are listed with how many shipments each excused.
//! - on-time rate = delivered at or before due / (measured − excused).
//! - scan compliant: the earliest scan is no later than `ship_time +
//!   first_scan_hours`, and no gap between consecutive scans (sorted) is
//!   longer than `max_scan_gap_hours`. A shipment with no scans is not
//!   compliant. For an undelivered shipment only the scans that exist are
//!   checked (the silence since the last scan is not a gap yet). A limit of
//!   0 hours means that check is not part of the contract. Scan compliance
//!   = compliant / measured.
//! - exception rate = (measured − excused) with any exception /
//!   (measured − excused); claims rate = claims / measured (unknown claims
//!   → no actual, never breached).
//! - every rate is in basis points, floor(numerator × 10000 /
//!   denominator), `None` when the denominator is 0.
//! - breach: a minimum target is breached when actual < target, a maximum
//!   target when actual > target; a target of 0 is never breached.
//!   shortfall_bp = |target − actual| when breached, else 0.
//! - credit per KPI = credit_per_point × shortfall_bp / 100 (half away from
//!   zero); the service credit is the sum, capped at `cap_per_period` unless
//!   the cap is 0 (or negative, which means no cap).
//! - total billed sums the known charges of every shipment of the period;
//!   cost per shipment = total / shipments **that have a charge** (half
//!   away from zero), `None` when none has one.

mod evaluate;
#[cfg(test)]
mod tests;
mod verdict;

use chrono::{DateTime, Utc};
use recourse_money::Money;

pub use evaluate::{Tally, evaluate, scans_comply};
pub use verdict::{Verdict, due_time, verdict};

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

/// Why an exception code is excusable (from the SLA terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExcuseCategory {
    /// Weather and natural events.
    Weather,
    /// Held by customs.
    Customs,
    /// Wrong, incomplete or undeliverable address.
    AddressProblem,
    /// The recipient refused the parcel.
    RecipientRefused,
}

/// One exception event of a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExceptionFact {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The carrier's exception code.
    pub code: String,
    /// The category when the shipment's terms map the code as excusable.
    pub excuse: Option<ExcuseCategory>,
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
    /// Its exception events, any order.
    pub exceptions: Vec<ExceptionFact>,
    /// What the carrier billed for it, if invoiced.
    pub billed: Option<Money>,
    /// The metric definition of the version in force on its ship date.
    pub metric: MetricDefinition,
}

/// Why shipments were left out of a KPI's denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExclusionReason {
    /// Undelivered and not due yet at `as_of`.
    NotYetDue,
    /// An excusable exception.
    Excused,
}

/// Shipments left out of one KPI for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Exclusion {
    /// Why.
    pub reason: ExclusionReason,
    /// How many shipments.
    pub shipments: u32,
    /// For `Excused`: the codes, sorted.
    pub codes: Vec<String>,
}

/// One excusable code seen in the period and how many shipments it excused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExcusedCode {
    /// The carrier's code.
    pub code: String,
    /// Its category.
    pub category: ExcuseCategory,
    /// Shipments it excused (a shipment with two codes counts for both).
    pub shipments: u32,
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// Shipments that met the KPI's condition (or claims, for the claims rate).
    pub numerator: u32,
    /// Shipments measured by the KPI.
    pub denominator: u32,
    /// Shipments of the period left out, by reason.
    pub exclusions: Vec<Exclusion>,
}

/// The period's SLA outcome.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Evaluation {
    /// Shipments in the period.
    pub shipments: u32,
    /// Of which undelivered and not yet due (not measured).
    pub not_yet_due: u32,
    /// Of which excused from the on-time and exception KPIs.
    pub excused: u32,
    /// The excusable codes seen, sorted by code.
    pub excused_codes: Vec<ExcusedCode>,
    /// Shipments with a billed charge.
    pub charged: u32,
    /// Of which delivered by `as_of`.
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
    /// Total billed / charged shipments, `None` when none has a charge.
    pub cost_per_shipment: Option<Money>,
    /// Credit owed for the period, after the cap.
    pub service_credit: Money,
    /// Whether any KPI was breached.
    pub breached: bool,
}
