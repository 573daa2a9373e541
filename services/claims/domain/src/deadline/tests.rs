//! Deadlines and clocks on real calendar dates.

use chrono::NaiveDate;

use super::*;
use crate::lifecycle::ClaimStatus;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Shipped 2026-10-28, scheduled 2026-11-03, delivered 2026-11-04,
/// invoiced 2026-11-10.
fn dates() -> AnchorDates {
    AnchorDates {
        ship: d(2026, 10, 28),
        scheduled: Some(d(2026, 11, 3)),
        delivered: Some(d(2026, 11, 4)),
        invoiced: Some(d(2026, 11, 10)),
    }
}

/// The deadline's (last day, anchor used) pair, for short assertions.
fn due(named: Anchor, window: Window, dates: &AnchorDates) -> (NaiveDate, Anchor) {
    let d = filing_deadline(named, window, dates);
    (d.last_day, d.anchor)
}

#[test]
fn damage_60_days_from_delivery_2026_11_04_is_2027_01_03() {
    let deadline = filing_deadline(Anchor::ActualDelivery, Window::Days(60), &dates());
    assert_eq!(
        deadline,
        Deadline {
            last_day: d(2027, 1, 3),
            anchor: Anchor::ActualDelivery,
            anchor_date: d(2026, 11, 4),
            fallback: None,
        }
    );
}

#[test]
fn loss_with_no_delivery_falls_back_to_scheduled_2026_11_03_plus_270_is_2027_07_31() {
    let lost = AnchorDates {
        delivered: None,
        ..dates()
    };
    // 2026-11-03 + 270 days = 2027-07-31.
    let deadline = filing_deadline(Anchor::ActualDelivery, Window::Days(270), &lost);
    assert_eq!(
        (deadline.last_day, deadline.anchor, deadline.anchor_date),
        (d(2027, 7, 31), Anchor::ScheduledDelivery, d(2026, 11, 3))
    );
    assert_eq!(
        deadline.fallback.as_deref(),
        Some(
            "the contract counts from the delivery date but the parcel has no delivery \
             (lost or not delivered yet); counted from the scheduled delivery date (2026-11-03) instead"
        )
    );
}

#[test]
fn loss_with_no_delivery_or_schedule_falls_back_to_ship_2026_10_28_plus_9_is_11_06() {
    let bare = AnchorDates {
        scheduled: None,
        delivered: None,
        invoiced: None,
        ..dates()
    };
    for anchor in [
        Anchor::ActualDelivery,
        Anchor::ScheduledDelivery,
        Anchor::InvoiceDate,
        Anchor::ShipDate,
    ] {
        assert_eq!(
            due(anchor, Window::Days(9), &bare),
            (d(2026, 11, 6), Anchor::ShipDate),
            "{anchor:?}"
        );
    }
}

#[test]
fn each_known_anchor_is_used_as_named() {
    assert_eq!(
        due(Anchor::ShipDate, Window::Days(0), &dates()),
        (d(2026, 10, 28), Anchor::ShipDate)
    );
    assert_eq!(
        due(Anchor::ScheduledDelivery, Window::Days(30), &dates()),
        (d(2026, 12, 3), Anchor::ScheduledDelivery)
    );
    // Invoiced 2026-11-10 + 180 days = 2027-05-09.
    let invoiced = filing_deadline(Anchor::InvoiceDate, Window::Days(180), &dates());
    assert_eq!(
        (invoiced.last_day, invoiced.anchor, invoiced.fallback),
        (d(2027, 5, 9), Anchor::InvoiceDate, None)
    );
}

#[test]
fn invoice_anchor_without_an_invoice_date_counts_from_the_ship_date_and_says_so() {
    let uninvoiced = AnchorDates {
        invoiced: None,
        ..dates()
    };
    // Shipped 2026-10-28 + 180 days = 2027-04-26 (not 2027-05-09 from the
    // invoice, which is not known yet).
    let deadline = filing_deadline(Anchor::InvoiceDate, Window::Days(180), &uninvoiced);
    assert_eq!(
        (deadline.last_day, deadline.anchor, deadline.anchor_date),
        (d(2027, 4, 26), Anchor::ShipDate, d(2026, 10, 28))
    );
    assert_eq!(
        deadline.fallback.as_deref(),
        Some(
            "the contract counts from the invoice date but the shipment has no invoice date \
             yet; counted from the ship date (2026-10-28) instead"
        )
    );
}

#[test]
fn carmack_9_months_from_2026_01_31_is_2026_10_31_not_270_days_2026_10_28() {
    let delivered = AnchorDates {
        ship: d(2026, 1, 29),
        scheduled: Some(d(2026, 1, 31)),
        delivered: Some(d(2026, 1, 31)),
        invoiced: None,
    };
    // 2026-01-31 + 9 calendar months = 2026-10-31.
    assert_eq!(
        due(Anchor::ActualDelivery, Window::Months(9), &delivered),
        (d(2026, 10, 31), Anchor::ActualDelivery)
    );
    // 2026-01-31 + 270 days: Feb 28 + Mar 31 + Apr 30 + May 31 + Jun 30 +
    // Jul 31 + Aug 31 + Sep 30 = 242 days to 2026-09-30, + 28 = 2026-10-28.
    assert_eq!(
        due(Anchor::ActualDelivery, Window::Days(270), &delivered),
        (d(2026, 10, 28), Anchor::ActualDelivery)
    );
}

#[test]
fn months_clamp_to_the_end_of_a_shorter_month() {
    let on = |date: NaiveDate| AnchorDates {
        ship: date,
        scheduled: None,
        delivered: None,
        invoiced: None,
    };
    // 2026-05-31 + 9 months: February 2027 has 28 days → 2027-02-28.
    assert_eq!(
        due(Anchor::ShipDate, Window::Months(9), &on(d(2026, 5, 31))).0,
        d(2027, 2, 28)
    );
    // 2027-05-31 + 9 months: 2028 is a leap year → 2028-02-29.
    assert_eq!(
        due(Anchor::ShipDate, Window::Months(9), &on(d(2027, 5, 31))).0,
        d(2028, 2, 29)
    );
    // 2026-08-31 + 1 month = 2026-09-30; + 12 months = 2027-08-31.
    assert_eq!(Window::Months(1).after(d(2026, 8, 31)), d(2026, 9, 30));
    assert_eq!(Window::Months(12).after(d(2026, 8, 31)), d(2027, 8, 31));
}

#[test]
fn windows_read_as_english() {
    assert_eq!(Window::Days(60).to_string(), "60 days");
    assert_eq!(Window::Days(1).to_string(), "1 day");
    assert_eq!(Window::Months(9).to_string(), "9 months");
    assert_eq!(Window::Months(1).to_string(), "1 month");
}

#[test]
fn filing_on_2027_01_03_deadline_is_on_time_and_on_01_04_is_late() {
    let deadline = d(2027, 1, 3);
    assert!(!is_late(deadline, d(2027, 1, 2)));
    assert!(!is_late(deadline, deadline));
    assert!(is_late(deadline, d(2027, 1, 4)));
}

#[test]
fn submitted_2026_03_02_clocks_30_and_120_are_04_01_and_06_30() {
    assert_eq!(
        carrier_clocks(d(2026, 3, 2), 30, 120),
        (d(2026, 4, 1), d(2026, 6, 30))
    );
}

#[test]
fn submitted_claim_is_ack_overdue_from_the_day_after_04_01_by_whole_days() {
    let (ack, decide) = carrier_clocks(d(2026, 3, 2), 30, 120);
    let s = ClaimStatus::Submitted;
    assert_eq!(overdue(s, ack, decide, d(2026, 4, 1)), None);
    assert_eq!(
        overdue(s, ack, decide, d(2026, 4, 2)),
        Some((Clock::Acknowledgement, ack, 1))
    );
    assert_eq!(
        overdue(s, ack, decide, d(2026, 4, 11)),
        Some((Clock::Acknowledgement, ack, 10))
    );
    // Past both: the decision clock wins, 2026-07-05 is 5 days after 06-30.
    assert_eq!(
        overdue(s, ack, decide, d(2026, 7, 5)),
        Some((Clock::Decision, decide, 5))
    );
}

#[test]
fn acknowledged_claim_is_not_ack_overdue_but_is_decision_overdue_after_06_30() {
    let (ack, decide) = carrier_clocks(d(2026, 3, 2), 30, 120);
    let s = ClaimStatus::Acknowledged;
    assert_eq!(overdue(s, ack, decide, d(2026, 5, 15)), None);
    assert_eq!(overdue(s, ack, decide, d(2026, 6, 30)), None);
    assert_eq!(
        overdue(s, ack, decide, d(2026, 7, 1)),
        Some((Clock::Decision, decide, 1))
    );
    for waiting in [
        ClaimStatus::UnderReview,
        ClaimStatus::NeedsInfo,
        ClaimStatus::Appealed,
    ] {
        assert_eq!(
            overdue(waiting, ack, decide, d(2026, 7, 31)),
            Some((Clock::Decision, decide, 31)),
            "{waiting}"
        );
    }
}

#[test]
fn decided_draft_or_final_claim_is_never_overdue() {
    let (ack, decide) = carrier_clocks(d(2026, 3, 2), 30, 120);
    for s in ClaimStatus::ALL
        .into_iter()
        .filter(|s| !s.awaits_decision())
    {
        assert_eq!(overdue(s, ack, decide, d(2030, 1, 1)), None, "{s}");
    }
}

#[test]
fn range_ends_saturate_instead_of_panicking() {
    let end = AnchorDates {
        ship: NaiveDate::MAX,
        scheduled: None,
        delivered: None,
        invoiced: None,
    };
    assert_eq!(
        due(Anchor::ShipDate, Window::Days(u32::MAX), &end),
        (NaiveDate::MAX, Anchor::ShipDate)
    );
    assert_eq!(
        due(Anchor::ShipDate, Window::Months(u32::MAX), &end),
        (NaiveDate::MAX, Anchor::ShipDate)
    );
    assert_eq!(
        carrier_clocks(NaiveDate::MAX, 30, 120),
        (NaiveDate::MAX, NaiveDate::MAX)
    );
    let far = overdue(
        ClaimStatus::UnderReview,
        NaiveDate::MIN,
        NaiveDate::MIN,
        NaiveDate::MAX,
    );
    assert!(matches!(far, Some((Clock::Decision, _, days)) if days > 0));
}
