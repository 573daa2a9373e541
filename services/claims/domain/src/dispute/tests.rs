//! Worked examples of the dispute lifecycle on a 48.70 dispute due
//! 9 May 2027.

use chrono::NaiveDate;
use recourse_money::{Currency, Money};

use super::*;

fn usd(cents: i64) -> Money {
    Money::new(cents, Currency::USD)
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, m, d).unwrap()
}

const S: DisputeStatus = DisputeStatus::Submitted;

#[test]
fn submission_is_allowed_up_to_and_including_the_deadline() {
    let ok = decide(
        DisputeStatus::Open,
        usd(4870),
        day(5, 9),
        DisputeMove::Submit,
        day(5, 9),
    );
    assert_eq!(ok, Ok((S, None)));
    let late = decide(
        DisputeStatus::Open,
        usd(4870),
        day(5, 9),
        DisputeMove::Submit,
        day(5, 10),
    );
    assert_eq!(late, Err(DisputeError::DeadlinePassed(day(5, 9))));
}

#[test]
fn answers_set_the_accepted_amount() {
    let answer = |mv| decide(S, usd(4870), day(5, 9), mv, day(6, 1));
    // Answers come after the deadline too: it bounds the shipper's filing.
    assert_eq!(
        answer(DisputeMove::Accept),
        Ok((DisputeStatus::Accepted, Some(usd(4870))))
    );
    assert_eq!(
        answer(DisputeMove::AcceptPart(usd(2000))),
        Ok((DisputeStatus::PartiallyAccepted, Some(usd(2000))))
    );
    assert_eq!(
        answer(DisputeMove::Reject),
        Ok((DisputeStatus::Rejected, Some(usd(0))))
    );
    for bad in [usd(0), usd(4870), usd(5000), Money::new(100, Currency::EUR)] {
        assert_eq!(
            answer(DisputeMove::AcceptPart(bad)),
            Err(DisputeError::PartialAmount(usd(4870)))
        );
    }
}

#[test]
fn only_the_documented_moves_are_legal() {
    let from = |status, mv| decide(status, usd(100), day(5, 9), mv, day(1, 1)).is_ok();
    assert!(!from(DisputeStatus::Open, DisputeMove::Accept));
    assert!(!from(DisputeStatus::Submitted, DisputeMove::Submit));
    for done in [
        DisputeStatus::Accepted,
        DisputeStatus::PartiallyAccepted,
        DisputeStatus::Rejected,
    ] {
        assert!(!from(done, DisputeMove::Reject));
        assert!(!from(done, DisputeMove::Submit));
        assert!(done.is_final());
        assert_eq!(DisputeStatus::parse(done.as_str()), Some(done));
    }
}

#[test]
fn outstanding_is_accepted_less_credited_never_below_zero() {
    // Accepted 20.00, credited 12.50: 7.50 outstanding; credited 25.00: 0.
    assert_eq!(outstanding(Some(usd(2000)), usd(1250)), Ok(usd(750)));
    assert_eq!(outstanding(Some(usd(2000)), usd(2500)), Ok(usd(0)));
    assert_eq!(outstanding(None, usd(0)), Ok(usd(0)));
}

#[test]
fn days_left_count_calendar_days() {
    assert_eq!(days_left(day(5, 9), day(4, 29)), 10);
    assert_eq!(days_left(day(5, 9), day(5, 10)), -1);
}
