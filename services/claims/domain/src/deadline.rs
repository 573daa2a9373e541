//! Filing deadlines and the carrier's acknowledgement and decision clocks.
//!
//! - A filing window is a number of calendar **days** or calendar
//!   **months** counted from the date the contract names (its anchor).
//!   Months are calendar months, not 30-day blocks: 9 months from
//!   2026-01-31 is 2026-10-31 (Carmack), while 270 days is 2026-10-28. When
//!   the day does not exist in the target month the deadline is that
//!   month's last day (2026-05-31 + 9 months = 2027-02-28; 2027-05-31 + 9
//!   months = 2028-02-29).
//! - A missing anchor date falls back: actual delivery → scheduled delivery
//!   → ship date (a lost parcel is never delivered); scheduled delivery →
//!   ship date; invoice date → ship date. The deadline says which date it
//!   counted from and, when it had to fall back, what was missing.
//! - A claim filed on its deadline is on time; the day after is late.
//! - Carrier clocks (49 CFR 370: 30 days to acknowledge, 120 to decide)
//!   run from the submission date in calendar days; an appeal restarts the
//!   decision clock from the appeal date (see [`crate::appeal`]).
//! - A clock is overdue from the day after its due date. The decision
//!   clock is checked first and applies while the claim awaits a decision;
//!   the acknowledgement clock applies only while the claim is submitted.
//!
//! Dates at chrono's range ends saturate instead of panicking.

use std::fmt;

use chrono::{Days, Months, NaiveDate};

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

impl Anchor {
    /// Lower-case words, e.g. "invoice date".
    pub fn describe(self) -> &'static str {
        match self {
            Anchor::ShipDate => "ship date",
            Anchor::ScheduledDelivery => "scheduled delivery date",
            Anchor::ActualDelivery => "delivery date",
            Anchor::InvoiceDate => "invoice date",
        }
    }
}

/// The length of a filing window: calendar days or calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// This many calendar days after the anchor date.
    Days(u32),
    /// The same day this many calendar months later, clamped to the end of
    /// a shorter month.
    Months(u32),
}

impl Window {
    /// `date` + the window, saturating at the end of chrono's range.
    pub fn after(self, date: NaiveDate) -> NaiveDate {
        match self {
            Window::Days(days) => add_days(date, days),
            Window::Months(months) => date
                .checked_add_months(Months::new(months))
                .unwrap_or(NaiveDate::MAX),
        }
    }
}

impl fmt::Display for Window {
    /// "60 days", "9 months", "1 month".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Window::Days(1) => f.write_str("1 day"),
            Window::Days(n) => write!(f, "{n} days"),
            Window::Months(1) => f.write_str("1 month"),
            Window::Months(n) => write!(f, "{n} months"),
        }
    }
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

/// A filing deadline and what it was counted from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The last day a claim may be filed.
    pub last_day: NaiveDate,
    /// The anchor the deadline was counted from (the named one unless its
    /// date was unknown).
    pub anchor: Anchor,
    /// The date of `anchor`.
    pub anchor_date: NaiveDate,
    /// Set when the named anchor's date was unknown: why, and what was used.
    pub fallback: Option<String>,
}

/// `date + days` calendar days, saturating at the end of chrono's range.
fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// Why a named anchor's date is unknown.
fn missing(anchor: Anchor) -> &'static str {
    match anchor {
        Anchor::ShipDate => "",
        Anchor::ScheduledDelivery => "the shipment has no scheduled delivery",
        Anchor::ActualDelivery => "the parcel has no delivery (lost or not delivered yet)",
        Anchor::InvoiceDate => "the shipment has no invoice date yet",
    }
}

/// The last day to file: the anchor's date + the window. When the named date is unknown it falls back: ActualDelivery → ScheduledDelivery → ShipDate (a lost parcel has no delivery); ScheduledDelivery → ShipDate; InvoiceDate → ShipDate, and the deadline says why.
pub fn filing_deadline(named: Anchor, window: Window, dates: &AnchorDates) -> Deadline {
    let scheduled = || {
        dates
            .scheduled
            .map(|d| (d, Anchor::ScheduledDelivery))
            .unwrap_or((dates.ship, Anchor::ShipDate))
    };
    let (anchor_date, anchor) = match named {
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
    let fallback = (anchor != named).then(|| {
        format!(
            "the contract counts from the {} but {}; counted from the {} ({anchor_date}) instead",
            named.describe(),
            missing(named),
            anchor.describe(),
        )
    });
    Deadline {
        last_day: window.after(anchor_date),
        anchor,
        anchor_date,
        fallback,
    }
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
