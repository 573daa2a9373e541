//! Filing deadlines and the carrier's acknowledgement and decision clocks.
//!
//! - The filing deadline is the anchor date + the contract's days, in
//!   calendar days. A missing anchor date falls back: actual delivery →
//!   scheduled delivery → ship date (a lost parcel is never delivered);
//!   scheduled delivery → ship date; invoice date → ship date.
//! - A claim filed on its deadline is on time; the day after is late.
//! - Carrier clocks (49 CFR 370: 30 days to acknowledge, 120 to decide)
//!   run from the submission date in calendar days.
//! - A clock is overdue from the day after its due date. The decision
//!   clock is checked first and applies while the claim awaits a decision;
//!   the acknowledgement clock applies only while the claim is submitted.
//!
//! Dates at chrono's range ends saturate instead of panicking.

use chrono::{Days, NaiveDate};

use crate::lifecycle::ClaimStatus;

/// The event a filing window is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The day the shipment was tendered.
    ShipDate,
    /// The day delivery was promised.
    ScheduledDelivery,
    /// The day the shipment was actually delivered.
    ActualDelivery,
    /// The day the carrier invoiced the shipment.
    InvoiceDate,
}

/// The dates a deadline can be counted from; only the ship date is certain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnchorDates {
    /// The ship date.
    pub ship: NaiveDate,
    /// The scheduled delivery date, if known.
    pub scheduled: Option<NaiveDate>,
    /// The actual delivery date; none for a lost parcel.
    pub delivered: Option<NaiveDate>,
    /// The invoice date, if invoiced.
    pub invoiced: Option<NaiveDate>,
}

/// `date + days` calendar days, saturating at the end of chrono's range.
fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// The last day to file: anchor date + days. When the named date is unknown it falls back: ActualDelivery → ScheduledDelivery → ShipDate (a lost parcel has no delivery); ScheduledDelivery → ShipDate; InvoiceDate → ShipDate. Returns the deadline and the anchor actually used.
pub fn filing_deadline(anchor: Anchor, days: u32, dates: &AnchorDates) -> (NaiveDate, Anchor) {
    let scheduled = || {
        dates
            .scheduled
            .map(|d| (d, Anchor::ScheduledDelivery))
            .unwrap_or((dates.ship, Anchor::ShipDate))
    };
    let (date, used) = match anchor {
        Anchor::ShipDate => (dates.ship, Anchor::ShipDate),
        Anchor::ScheduledDelivery => scheduled(),
        Anchor::ActualDelivery => dates
            .delivered
            .map(|d| (d, Anchor::ActualDelivery))
            .unwrap_or_else(scheduled),
        Anchor::InvoiceDate => dates
            .invoiced
            .map(|d| (d, Anchor::InvoiceDate))
            .unwrap_or((dates.ship, Anchor::ShipDate)),
    };
    (add_days(date, days), used)
}

/// Filed after the deadline (filing on the deadline day is on time).
pub fn is_late(deadline: NaiveDate, filed_on: NaiveDate) -> bool {
    filed_on > deadline
}

/// (acknowledgement due, decision due) = submitted + ack days, submitted + decide days (49 CFR 370: 30 and 120).
pub fn carrier_clocks(
    submitted_on: NaiveDate,
    acknowledge_days: u32,
    decide_days: u32,
) -> (NaiveDate, NaiveDate) {
    (
        add_days(submitted_on, acknowledge_days),
        add_days(submitted_on, decide_days),
    )
}

/// One of the carrier's two clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The carrier must acknowledge receipt of the claim.
    Acknowledgement,
    /// The carrier must pay, decline or make a firm offer.
    Decision,
}

/// Decision overdue when the claim still awaits a decision (status.awaits_decision()) and as_of > decision_due; else acknowledgement overdue when status == Submitted and as_of > ack_due; returns the clock, its due date and whole days overdue. None when nothing is overdue.
pub fn overdue(
    status: ClaimStatus,
    ack_due: NaiveDate,
    decision_due: NaiveDate,
    as_of: NaiveDate,
) -> Option<(Clock, NaiveDate, u32)> {
    let (clock, due) = if status.awaits_decision() && as_of > decision_due {
        (Clock::Decision, decision_due)
    } else if status == ClaimStatus::Submitted && as_of > ack_due {
        (Clock::Acknowledgement, ack_due)
    } else {
        return None;
    };
    // Both dates are in chrono's range, so the difference fits an i64.
    let days = as_of.signed_duration_since(due).num_days();
    Some((clock, due, u32::try_from(days).unwrap_or(u32::MAX)))
}

#[cfg(test)]
mod tests;
