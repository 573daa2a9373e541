//! What an event tells the read models, as domain values: the feeds'
//! protobuf is turned into these by `convert::events` and stored by
//! `repo::project`, so the projections name no protobuf type.

use chrono::NaiveDate;

/// A carrier as the registry describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierFact {
    pub id: String,
    pub code: String,
    pub display_name: String,
    pub status: String,
    /// Its daily allocation (0 = not stated) and peak windows
    /// (first day, last day, parcels a day).
    pub capacity: CapacityFact,
}

/// A carrier's stated capacity, as the carriers registry holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapacityFact {
    pub daily_parcels: u32,
    pub peaks: Vec<(NaiveDate, NaiveDate, u32)>,
}

impl CapacityFact {
    /// The allocation in force on `day` (a peak window's when one covers
    /// it); `None` when it is 0 — "not stated", as the contracts service's
    /// capacity plan reads it.
    pub fn allocation_on(&self, day: NaiveDate) -> Option<u32> {
        let parcels = self
            .peaks
            .iter()
            .find(|(first, last, _)| *first <= day && day <= *last)
            .map_or(self.daily_parcels, |(_, _, parcels)| *parcels);
        (parcels > 0).then_some(parcels)
    }
}

/// SLA targets of one service level in one contract version (basis
/// points; 0 = no target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelTargets {
    pub service_level: String,
    pub on_time_min_bp: u32,
    pub exception_max_bp: u32,
    pub claims_max_bp: u32,
    pub scan_min_bp: u32,
}

/// A non-draft contract version's targets (they replace what the version
/// said before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetsFact {
    pub version: String,
    pub carrier_id: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub levels: Vec<LevelTargets>,
}

/// The delivery's verdict as the contracts service decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    NotDelivered,
    OnTime,
    Late,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NotDelivered => "NOT_DELIVERED",
            Verdict::OnTime => "ON_TIME",
            Verdict::Late => "LATE",
        }
    }
}

/// An exception event's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionFact {
    Excused,
    NotExcused,
}

/// A shipment as of one of its events (instants in epoch seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentFact {
    pub id: String,
    pub carrier_id: String,
    pub service_level: String,
    pub ship_date: NaiveDate,
    pub due_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub verdict: Verdict,
    pub charge_minor: Option<i64>,
    pub currency: String,
    /// Set on shipment.exception events; exceptions accumulate.
    pub exception: Option<ExceptionFact>,
    /// The event's `measure.scan_compliant`; `None` on events from before
    /// it existed (the stored value then stands).
    pub scan_compliant: Option<bool>,
}

/// An SLA evaluation as the contracts service stored it (a re-evaluation
/// of the period replaces it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationFact {
    pub id: String,
    pub carrier_id: String,
    pub service_level: String,
    /// The evaluated period's last day.
    pub period_last: NaiveDate,
    pub currency: String,
    pub credit_minor: i64,
    pub bonus_minor: Option<i64>,
    pub breached: bool,
}

/// An escalation item's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationFact {
    pub id: String,
    /// "" when it concerns no carrier.
    pub carrier_id: String,
    pub kind: String,
    pub resolved: bool,
}

/// Money a change moved, dated as the claims service's reconciliation
/// dates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovementKind {
    /// The claim's approval is now `amount` (a later approval replaces it).
    Approved,
    Recovered,
    WrittenOff,
}

impl MovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Approved => "approved",
            MovementKind::Recovered => "recovered",
            MovementKind::WrittenOff => "written_off",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approved" => Some(MovementKind::Approved),
            "recovered" => Some(MovementKind::Recovered),
            "written_off" => Some(MovementKind::WrittenOff),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub kind: MovementKind,
    pub amount_minor: i64,
    pub effective_date: NaiveDate,
}

/// A claim as of one of its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimFact {
    pub id: String,
    pub number: String,
    pub carrier_id: String,
    pub service_level: String,
    pub claim_type: String,
    pub status: String,
    pub currency: String,
    pub claimed_minor: i64,
    pub approved_minor: Option<i64>,
    pub recovered_minor: i64,
    pub written_off_minor: i64,
    pub submitted_at: Option<i64>,
    /// Set when this change decided the claim (approved, partially
    /// approved, denied); the first decision is kept.
    pub decided_at: Option<i64>,
    /// Set when this change withdrew it.
    pub withdrawn_at: Option<i64>,
    pub acknowledge_due: Option<NaiveDate>,
    pub decision_due: Option<NaiveDate>,
    pub movement: Option<Movement>,
}

/// One event's effect on the read models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    Carrier(CarrierFact),
    Targets(TargetsFact),
    Shipment(ShipmentFact),
    Claim(ClaimFact),
    Evaluation(EvaluationFact),
    Escalation(EscalationFact),
    /// An event the reports do not use (e.g. a document added).
    Nothing,
}
