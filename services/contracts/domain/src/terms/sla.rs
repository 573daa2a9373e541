//! SLA terms of one service level: how it is measured (period, metric,
//! targets, excusable exceptions), what is promised (transit days per zone,
//! commitment, holidays), what a miss costs (credits) and the money-back
//! guarantee (refund window, anchor, scope, suspensions).

use chrono::NaiveDate;

use crate::calendar::{BusinessCalendar, Period};
use crate::promise::Commitment;
use crate::refund::{RefundScope, Suspension};
use crate::sla::{CreditSchedule, ExcuseCategory, MetricDefinition, Targets};

/// Business days from ship date to the due date, for one zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ZoneTransit {
    pub zone: String,
    pub business_days: u32,
}

/// A carrier exception code the contract accepts as an excuse.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExcusableException {
    pub code: String,
    pub category: ExcuseCategory,
}

/// The date a refund window counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RefundAnchor {
    /// The delivery date, destination local time.
    #[default]
    DeliveryDate,
    /// The carrier invoice date recorded on the shipment.
    InvoiceDate,
}

/// Promise dates (destination local, inclusive) on which the guarantee
/// does not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GuaranteeSuspension {
    pub days: Suspension,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaTerms {
    pub service_level: String,
    pub period: Period,
    pub targets: Targets,
    pub metric: MetricDefinition,
    pub transit: Vec<ZoneTransit>,
    /// When on the due date, destination local time.
    pub commitment: Commitment,
    /// Days that are not business days.
    pub holidays: Vec<NaiveDate>,
    pub credits: CreditSchedule,
    pub excusable: Vec<ExcusableException>,
    /// Money-back guarantee: a late delivery is refundable.
    pub guaranteed: bool,
    pub refund_window_days: u32,
    pub refund_anchor: RefundAnchor,
    pub refund_scope: RefundScope,
    pub suspensions: Vec<GuaranteeSuspension>,
    /// Incentives for beating stretch targets; `None` = no bonuses.
    pub bonuses: Option<crate::incentive::BonusSchedule>,
}

impl SlaTerms {
    /// The business calendar of the promise (weekends and the holidays).
    pub fn calendar(&self) -> BusinessCalendar {
        BusinessCalendar::new(self.holidays.iter().copied())
    }

    /// Transit business days of `zone`.
    pub fn transit_days(&self, zone: &str) -> Option<u32> {
        self.transit
            .iter()
            .find(|t| t.zone == zone)
            .map(|t| t.business_days)
    }

    /// The category of an excusable exception code (compared exactly).
    pub fn excuse(&self, code: &str) -> Option<ExcuseCategory> {
        self.excusable
            .iter()
            .find(|e| e.code == code)
            .map(|e| e.category)
    }

    /// The suspended day ranges of the guarantee.
    pub fn suspended_days(&self) -> Vec<Suspension> {
        self.suspensions.iter().map(|s| s.days).collect()
    }
}
