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

#[test]
fn damage_60_days_from_delivery_2026_11_04_is_2027_01_03() {
    assert_eq!(
        filing_deadline(Anchor::ActualDelivery, 60, &dates()),
        (d(2027, 1, 3), Anchor::ActualDelivery)
    );
}

#[test]
fn loss_with_no_delivery_falls_back_to_scheduled_2026_11_03_plus_270_is_2027_07_31() {
    let lost = AnchorDates {
        delivered: None,
        ..dates()
    };
    // 2026-11-03 + 270 days = 2027-07-31.
    assert_eq!(
        filing_deadline(Anchor::ActualDelivery, 270, &lost),
        (d(2027, 7, 31), Anchor::ScheduledDelivery)
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
            filing_deadline(anchor, 9, &bare),
            (d(2026, 11, 6), Anchor::ShipDate),
            "{anchor:?}"
        );
    }
}

#[test]
fn each_known_anchor_is_used_as_named() {
    assert_eq!(
        filing_deadline(Anchor::ShipDate, 0, &dates()),
        (d(2026, 10, 28), Anchor::ShipDate)
    );
    assert_eq!(
        filing_deadline(Anchor::ScheduledDelivery, 30, &dates()),
        (d(2026, 12, 3), Anchor::ScheduledDelivery)
    );
    assert_eq!(
        filing_deadline(Anchor::InvoiceDate, 180, &dates()),
        (d(2027, 5, 9), Anchor::InvoiceDate)
    );
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
        filing_deadline(Anchor::ShipDate, u32::MAX, &end),
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
