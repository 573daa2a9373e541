//! Worked examples of credits on a 48.70 dispute.

use recourse_money::{Currency, Money};

use super::*;

fn usd(cents: i64) -> Money {
    Money::new(cents, Currency::USD)
}

fn dispute(status: DisputeStatus, accepted: Option<i64>, credited: i64) -> DisputeBalance {
    DisputeBalance {
        status,
        amount: usd(4870),
        accepted: accepted.map(usd),
        credited: usd(credited),
    }
}

#[test]
fn a_credit_is_placed_within_what_the_dispute_still_expects() {
    // Submitted, nothing credited: a 30.00 line takes 30.00; 48.70 − 30.00
    // = 18.70 still due.
    let d = dispute(DisputeStatus::Submitted, None, 0);
    assert_eq!(
        place_line(usd(10_000), &d, usd(3000)),
        Ok((usd(3000), usd(0)))
    );
    let d = dispute(DisputeStatus::Submitted, None, 3000);
    assert_eq!(d.due(), Ok(usd(1870)));
    assert_eq!(after_credit(&d), None);
    // A 25.00 line takes the 18.70 due; 25.00 − 18.70 = 6.30 unplaced.
    assert_eq!(
        place_line(usd(10_000), &d, usd(2500)),
        Ok((usd(1870), usd(630)))
    );
    // Credited in full while awaiting an answer: accepted for 48.70.
    let d = dispute(DisputeStatus::Submitted, None, 4870);
    assert_eq!(after_credit(&d), Some((DisputeStatus::Accepted, usd(4870))));
    assert_eq!(d.due(), Ok(usd(0)));
    assert_eq!(credit(usd(100), &d, None), Err(CreditError::NothingDue));
    // Partially accepted for 20.00 with 12.50 credited: 7.50 due, and
    // within a remittance with only 5.00 left: 5.00.
    let d = dispute(DisputeStatus::PartiallyAccepted, Some(2000), 1250);
    assert_eq!(d.due(), Ok(usd(750)));
    assert_eq!(credit(usd(500), &d, None), Ok(usd(500)));
    assert_eq!(
        credit(usd(500), &d, Some(usd(600))),
        Err(CreditError::ExceedsRemittance {
            requested: usd(600),
            available: usd(500)
        })
    );
    assert_eq!(
        credit(usd(5000), &d, Some(usd(800))),
        Err(CreditError::ExceedsDue {
            requested: usd(800),
            due: usd(750)
        })
    );
}

#[test]
fn open_and_rejected_disputes_take_nothing_and_currencies_never_mix() {
    for status in [DisputeStatus::Open, DisputeStatus::Rejected] {
        let d = dispute(status, None, 0);
        assert_eq!(
            credit(usd(100), &d, None),
            Err(CreditError::NotCreditable(status))
        );
    }
    let d = dispute(DisputeStatus::Submitted, None, 0);
    assert!(matches!(
        credit(Money::new(100, Currency::EUR), &d, None),
        Err(CreditError::CurrencyMismatch { .. })
    ));
    assert_eq!(
        credit(usd(100), &d, Some(usd(0))),
        Err(CreditError::NotPositive)
    );
}

#[test]
fn an_answer_never_accepts_less_than_was_credited() {
    assert_eq!(
        answer_covers_credit(usd(1000), usd(1250)),
        Err(CreditError::BelowCredited(usd(1250)))
    );
    assert_eq!(answer_covers_credit(usd(1250), usd(1250)), Ok(()));
    assert!(answer_covers_credit(usd(0), usd(1)).is_err());
}

#[test]
fn the_books_split_what_was_disputed_into_credited_outstanding_and_declined() {
    // Submitted 48.70, 30.00 credited: outstanding 18.70, declined 0;
    // 30.00 + 18.70 + 0 = 48.70.
    let d = dispute(DisputeStatus::Submitted, None, 3000);
    assert_eq!(books(&d), Ok((usd(1870), usd(0))));
    // Partially accepted 20.00, 12.50 credited: outstanding 20.00 − 12.50 =
    // 7.50, declined 48.70 − 20.00 = 28.70; 12.50 + 7.50 + 28.70 = 48.70.
    let d = dispute(DisputeStatus::PartiallyAccepted, Some(2000), 1250);
    assert_eq!(books(&d), Ok((usd(750), usd(2870))));
    // Rejected: all 48.70 declined.
    let d = dispute(DisputeStatus::Rejected, Some(0), 0);
    assert_eq!(books(&d), Ok((usd(0), usd(4870))));
}
