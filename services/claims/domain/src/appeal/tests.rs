//! Appeal windows, limits and re-decisions worked on real dates.
// Amounts are written dollars_cents (250_00 is $250.00).
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::NaiveDate;
use recourse_money::{Currency, Money};

use super::*;
use crate::lifecycle::ClaimStatus::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn usd(cents: i64) -> Money {
    Money::new(cents, Currency::USD)
}

#[test]
fn zero_terms_mean_30_days_and_1_appeal() {
    let t = AppealTerms::new(0, 0);
    assert_eq!((t.window_days(), t.max_appeals()), (30, 1));
    let t = AppealTerms::new(45, 2);
    assert_eq!((t.window_days(), t.max_appeals()), (45, 2));
}

#[test]
fn denied_2026_03_02_may_be_appealed_until_04_01_and_not_on_04_02() {
    let t = AppealTerms::new(0, 0);
    // 2026-03-02 + 30 days: 29 days to 2026-03-31, + 1 = 2026-04-01.
    assert_eq!(
        check_appeal(Denied, d(2026, 3, 2), 0, t, d(2026, 3, 2)),
        Ok(d(2026, 4, 1))
    );
    assert_eq!(
        check_appeal(Denied, d(2026, 3, 2), 0, t, d(2026, 4, 1)),
        Ok(d(2026, 4, 1))
    );
    assert_eq!(
        check_appeal(Denied, d(2026, 3, 2), 0, t, d(2026, 4, 2)),
        Err(AppealRefused::WindowClosed {
            decided_on: d(2026, 3, 2),
            last_day: d(2026, 4, 1),
            window_days: 30,
        })
    );
}

#[test]
fn a_partial_approval_is_appealable_a_full_one_is_not() {
    let t = AppealTerms::new(10, 1);
    // Partially approved 2026-12-28 + 10 days = 2027-01-07.
    assert_eq!(
        check_appeal(PartiallyApproved, d(2026, 12, 28), 0, t, d(2027, 1, 7)),
        Ok(d(2027, 1, 7))
    );
    for status in [Approved, UnderReview, Settled, Closed, Appealed] {
        assert_eq!(
            check_appeal(status, d(2026, 12, 28), 0, t, d(2026, 12, 28)),
            Err(AppealRefused::NotAppealable { status }),
            "{status}"
        );
    }
}

#[test]
fn the_second_appeal_is_refused_by_default_and_the_third_under_max_2() {
    let once = AppealTerms::new(30, 0);
    assert_eq!(
        check_appeal(Denied, d(2026, 3, 2), 1, once, d(2026, 3, 3)),
        Err(AppealRefused::LimitReached { appeals: 1, max: 1 })
    );
    let twice = AppealTerms::new(30, 2);
    assert!(check_appeal(Denied, d(2026, 3, 2), 1, twice, d(2026, 3, 3)).is_ok());
    assert_eq!(
        check_appeal(Denied, d(2026, 3, 2), 2, twice, d(2026, 3, 3)),
        Err(AppealRefused::LimitReached { appeals: 2, max: 2 })
    );
}

#[test]
fn the_limit_is_reported_before_the_window() {
    // Both the count and the window are exhausted: the count is named.
    let t = AppealTerms::new(0, 0);
    assert_eq!(
        check_appeal(Denied, d(2026, 3, 2), 1, t, d(2026, 9, 1)),
        Err(AppealRefused::LimitReached { appeals: 1, max: 1 })
    );
}

#[test]
fn appealed_2026_05_10_restarts_the_120_day_decision_clock_to_09_07() {
    // 2026-05-10 + 120 days: 21 (to 05-31) + 30 + 31 + 31 = 113 to
    // 2026-08-31, + 7 = 2026-09-07.
    assert_eq!(
        decision_due_after_appeal(d(2026, 5, 10), 120),
        d(2026, 9, 7)
    );
    assert_eq!(
        decision_due_after_appeal(NaiveDate::MAX, 120),
        NaiveDate::MAX
    );
}

#[test]
fn after_appealing_a_50_partial_approval_the_carrier_may_uphold_or_raise_it_never_lower_or_deny() {
    let standing = Some(usd(50_00));
    assert_eq!(check_redecision(standing, Some(usd(50_00))), Ok(()));
    assert_eq!(check_redecision(standing, Some(usd(80_00))), Ok(()));
    let below = Err(RedecisionRefused::BelowStanding {
        standing: usd(50_00),
    });
    assert_eq!(check_redecision(standing, Some(usd(49_99))), below);
    assert_eq!(check_redecision(standing, None), below);
    // A denied claim that was appealed has nothing standing.
    assert_eq!(check_redecision(None, None), Ok(()));
    assert_eq!(check_redecision(None, Some(usd(1))), Ok(()));
    assert!(matches!(
        check_redecision(standing, Some(Money::new(60_00, Currency::EUR))),
        Err(RedecisionRefused::Money(_))
    ));
}

#[test]
fn withdrawal_needs_nothing_recovered_or_written_off() {
    assert!(may_withdraw(0, 0));
    assert!(!may_withdraw(10_00, 0));
    assert!(!may_withdraw(0, 1));
}
