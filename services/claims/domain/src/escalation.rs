//! The escalation queue's rules: which clock calls for a person, when, and
//! how an item is told apart from the next one of the same subject.
//!
//! - A submitted claim past its acknowledgement clock:
//!   `ClaimAcknowledgementOverdue`, due the clock's day.
//! - A claim still awaiting a decision past its decision clock:
//!   `ClaimDecisionOverdue`, due the clock's day; then, every 60 days after
//!   that day while still undecided, `ClaimStatusReminder` number n, due
//!   decision clock + 60 × n (the carrier owes a status every 60 days,
//!   49 CFR 370.9(c)).
//! - An open dispute whose deadline is 0 to `horizon` days away:
//!   `DisputeDeadline`, due the deadline. One past its deadline is not
//!   raised (it can no longer be submitted).
//! - A refund candidate (late guaranteed delivery) whose request deadline
//!   is 0 to `horizon` days away: `RefundWindowClosing`, due the deadline.
//! - An SLA evaluation that breached with no service credit due:
//!   `SlaBreachWithoutCredit`, due the period's last day ([`for_sla`]).
//!
//! Each item has an occurrence key; (kind, subject, occurrence) is unique,
//! so a scan that finds the same thing twice creates it once.

use chrono::{Days, NaiveDate};

use crate::deadline::Clock;

/// Days between two status reminders.
pub const REMINDER_DAYS: u32 = 60;
/// How near a dispute's deadline raises an item by default.
pub const DEFAULT_DISPUTE_HORIZON_DAYS: u32 = 14;
/// How near a refund window's close raises an item by default.
pub const DEFAULT_REFUND_HORIZON_DAYS: u32 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EscalationKind {
    ClaimAcknowledgementOverdue,
    ClaimDecisionOverdue,
    ClaimStatusReminder,
    DisputeDeadline,
    Manual,
    RefundWindowClosing,
    SlaBreachWithoutCredit,
}

impl EscalationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EscalationKind::ClaimAcknowledgementOverdue => "claim_acknowledgement_overdue",
            EscalationKind::ClaimDecisionOverdue => "claim_decision_overdue",
            EscalationKind::ClaimStatusReminder => "claim_status_reminder",
            EscalationKind::DisputeDeadline => "dispute_deadline",
            EscalationKind::Manual => "manual",
            EscalationKind::RefundWindowClosing => "refund_window_closing",
            EscalationKind::SlaBreachWithoutCredit => "sla_breach_without_credit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            EscalationKind::ClaimAcknowledgementOverdue,
            EscalationKind::ClaimDecisionOverdue,
            EscalationKind::ClaimStatusReminder,
            EscalationKind::DisputeDeadline,
            EscalationKind::Manual,
            EscalationKind::RefundWindowClosing,
            EscalationKind::SlaBreachWithoutCredit,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EscalationState {
    Open,
    InProgress,
    Resolved,
}

impl EscalationState {
    pub fn as_str(self) -> &'static str {
        match self {
            EscalationState::Open => "open",
            EscalationState::InProgress => "in_progress",
            EscalationState::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            EscalationState::Open,
            EscalationState::InProgress,
            EscalationState::Resolved,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// What the queue should hold for one subject now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub kind: EscalationKind,
    /// Tells this item from the subject's next one of the same kind.
    pub occurrence: String,
    pub due_date: NaiveDate,
    pub summary: String,
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}

/// The item a claim's overdue clock (from `deadline::overdue`) calls for
/// on `today`.
pub fn for_claim(clock: Clock, due: NaiveDate, today: NaiveDate) -> Due {
    match clock {
        Clock::Acknowledgement => Due {
            kind: EscalationKind::ClaimAcknowledgementOverdue,
            occurrence: "acknowledge".to_owned(),
            due_date: due,
            summary: format!("the carrier had to acknowledge the claim by {due}"),
        },
        Clock::Decision => {
            let days = (today - due).num_days().max(0);
            let n = days / i64::from(REMINDER_DAYS);
            if n == 0 {
                Due {
                    kind: EscalationKind::ClaimDecisionOverdue,
                    occurrence: "decision".to_owned(),
                    due_date: due,
                    summary: format!("the carrier had to decide the claim by {due}"),
                }
            } else {
                let since = plus(
                    due,
                    u64::try_from(n * i64::from(REMINDER_DAYS)).unwrap_or(0),
                );
                Due {
                    kind: EscalationKind::ClaimStatusReminder,
                    occurrence: format!("reminder-{n}"),
                    due_date: since,
                    summary: format!(
                        "still undecided {} days after the decision clock ({due}): status reminder {n}",
                        n * i64::from(REMINDER_DAYS)
                    ),
                }
            }
        }
    }
}

/// The item an open dispute due `deadline` calls for on `today`, if any.
pub fn for_dispute(deadline: NaiveDate, today: NaiveDate, horizon_days: u32) -> Option<Due> {
    let left = (deadline - today).num_days();
    (0..=i64::from(horizon_days)).contains(&left).then(|| Due {
        kind: EscalationKind::DisputeDeadline,
        occurrence: "deadline".to_owned(),
        due_date: deadline,
        summary: format!("submit by {deadline} ({left} days left)"),
    })
}

/// The item a refund candidate whose request deadline is `deadline`
/// calls for on `today`, if any (0 to `horizon` days left).
pub fn for_refund(deadline: NaiveDate, today: NaiveDate, horizon_days: u32) -> Option<Due> {
    let left = (deadline - today).num_days();
    (0..=i64::from(horizon_days)).contains(&left).then(|| Due {
        kind: EscalationKind::RefundWindowClosing,
        occurrence: "refund".to_owned(),
        due_date: deadline,
        summary: format!("request the guarantee refund by {deadline} ({left} days left)"),
    })
}

/// The item an SLA evaluation of the period ending `period_end` calls
/// for: one that breached a target while no service credit is due (a
/// credit of 0, or none agreed) needs a person to negotiate one. Its
/// occurrence is the evaluation's revision, so a re-evaluation that still
/// breaches is raised again once the earlier item is resolved.
pub fn for_sla(
    breached: bool,
    credit_minor: i64,
    period_end: NaiveDate,
    revision: u32,
) -> Option<Due> {
    (breached && credit_minor == 0).then(|| Due {
        kind: EscalationKind::SlaBreachWithoutCredit,
        occurrence: format!("revision-{revision}"),
        due_date: period_end,
        summary: format!(
            "the SLA was breached in the period ending {period_end} and no credit is due"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    #[test]
    fn a_decision_clock_then_a_reminder_every_60_days() {
        // Decision due 1 March. 1-59 days late: the decision item; day 60
        // (30 April) starts reminder 1; day 120 (30 June) reminder 2.
        let due = day(3, 1);
        let at = |today| for_claim(Clock::Decision, due, today);
        assert_eq!(at(day(3, 2)).occurrence, "decision");
        assert_eq!(at(day(4, 29)).occurrence, "decision");
        let first = at(day(4, 30));
        assert_eq!(
            (first.kind, first.occurrence.as_str(), first.due_date),
            (
                EscalationKind::ClaimStatusReminder,
                "reminder-1",
                day(4, 30)
            )
        );
        let second = at(day(6, 29));
        assert_eq!(
            (second.occurrence.as_str(), second.due_date),
            ("reminder-2", day(6, 29))
        );
        let ack = for_claim(Clock::Acknowledgement, day(2, 1), day(2, 5));
        assert_eq!(ack.kind, EscalationKind::ClaimAcknowledgementOverdue);
    }

    #[test]
    fn a_dispute_is_raised_within_the_horizon_and_not_after_its_deadline() {
        // Deadline 9 May, horizon 14: raised from 25 April to 9 May.
        let deadline = day(5, 9);
        assert_eq!(for_dispute(deadline, day(4, 24), 14), None);
        assert!(for_dispute(deadline, day(4, 25), 14).is_some());
        assert!(for_dispute(deadline, day(5, 9), 14).is_some());
        assert_eq!(for_dispute(deadline, day(5, 10), 14), None);
    }

    #[test]
    fn a_refund_window_is_raised_in_its_last_week() {
        // Window closes 19 March, horizon 7: raised 12-19 March.
        let deadline = day(3, 19);
        assert_eq!(for_refund(deadline, day(3, 11), 7), None);
        assert_eq!(
            for_refund(deadline, day(3, 12), 7).map(|d| (d.kind, d.due_date)),
            Some((EscalationKind::RefundWindowClosing, deadline))
        );
        assert_eq!(for_refund(deadline, day(3, 20), 7), None);
    }

    #[test]
    fn a_breach_is_raised_only_without_a_credit() {
        let end = day(3, 7);
        assert_eq!(
            for_sla(true, 0, end, 2).map(|d| (d.kind, d.occurrence)),
            Some((
                EscalationKind::SlaBreachWithoutCredit,
                "revision-2".to_owned()
            ))
        );
        assert_eq!(for_sla(true, 2_500, end, 1), None, "a credit is due");
        assert_eq!(for_sla(false, 0, end, 1), None, "no breach");
    }

    #[test]
    fn names_round_trip() {
        for k in [
            EscalationKind::ClaimAcknowledgementOverdue,
            EscalationKind::ClaimDecisionOverdue,
            EscalationKind::ClaimStatusReminder,
            EscalationKind::DisputeDeadline,
            EscalationKind::Manual,
            EscalationKind::RefundWindowClosing,
            EscalationKind::SlaBreachWithoutCredit,
        ] {
            assert_eq!(EscalationKind::parse(k.as_str()), Some(k));
        }
        for s in [
            EscalationState::Open,
            EscalationState::InProgress,
            EscalationState::Resolved,
        ] {
            assert_eq!(EscalationState::parse(s.as_str()), Some(s));
        }
    }
}
