//! Allocation and write-off examples in USD cents, then properties.
// Amounts are written dollars_cents (250_00 is $250.00), so grouping is
// by the decimal point, not by thousands.
#![allow(clippy::inconsistent_digit_grouping)]

use proptest::prelude::*;
use recourse_money::{Currency, Money, MoneyError};

use super::*;

fn usd(cents: i64) -> Money {
    Money::new(cents, Currency::USD)
}

/// Approved $500, $120 recovered, $30 written off: $350 outstanding.
fn claim() -> ClaimBalance {
    ClaimBalance {
        approved: usd(500_00),
        recovered: usd(120_00),
        written_off: usd(30_00),
    }
}

#[test]
fn approved_500_recovered_120_written_off_30_leaves_350() {
    assert_eq!(claim().outstanding(), Ok(usd(350_00)));
}

#[test]
fn remittance_1000_with_no_request_allocates_all_350_outstanding() {
    assert_eq!(allocate(usd(1_000_00), &claim(), None), Ok(usd(350_00)));
}

#[test]
fn remittance_left_200_with_no_request_allocates_200_of_350() {
    assert_eq!(allocate(usd(200_00), &claim(), None), Ok(usd(200_00)));
}

#[test]
fn requested_100_of_200_left_and_350_outstanding_is_100() {
    assert_eq!(
        allocate(usd(200_00), &claim(), Some(usd(100_00))),
        Ok(usd(100_00))
    );
}

#[test]
fn requested_250_of_200_left_exceeds_remittance() {
    assert_eq!(
        allocate(usd(200_00), &claim(), Some(usd(250_00))),
        Err(AllocationError::ExceedsRemittance {
            requested: usd(250_00),
            available: usd(200_00),
        })
    );
}

#[test]
fn requested_400_of_1000_left_exceeds_350_outstanding() {
    assert_eq!(
        allocate(usd(1_000_00), &claim(), Some(usd(400_00))),
        Err(AllocationError::ExceedsOutstanding {
            requested: usd(400_00),
            outstanding: usd(350_00),
        })
    );
}

#[test]
fn zero_or_negative_requests_and_an_exhausted_remittance_are_not_positive() {
    for bad in [0, -1] {
        assert_eq!(
            allocate(usd(200_00), &claim(), Some(usd(bad))),
            Err(AllocationError::NotPositive)
        );
        assert_eq!(
            write_off(&claim(), Some(usd(bad))),
            Err(AllocationError::NotPositive)
        );
    }
    assert_eq!(
        allocate(usd(0), &claim(), None),
        Err(AllocationError::NotPositive)
    );
}

#[test]
fn approved_500_recovered_470_written_off_30_has_nothing_outstanding() {
    let done = ClaimBalance {
        recovered: usd(470_00),
        ..claim()
    };
    assert_eq!(
        allocate(usd(10_00), &done, None),
        Err(AllocationError::NothingOutstanding)
    );
    assert_eq!(
        write_off(&done, None),
        Err(AllocationError::NothingOutstanding)
    );
}

#[test]
fn eur_remittance_or_request_on_a_usd_claim_is_refused() {
    let eur = Money::new(100_00, Currency::EUR);
    let mismatch = Err(AllocationError::CurrencyMismatch {
        remittance: "EUR".to_owned(),
        claim: "USD".to_owned(),
    });
    assert_eq!(allocate(eur, &claim(), None), mismatch);
    assert_eq!(allocate(usd(100_00), &claim(), Some(eur)), mismatch);
    assert_eq!(write_off(&claim(), Some(eur)), mismatch);
}

#[test]
fn a_claim_with_mixed_currencies_is_a_money_error() {
    let mixed = ClaimBalance {
        recovered: Money::new(1, Currency::EUR),
        ..claim()
    };
    assert!(matches!(
        allocate(usd(100), &mixed, None),
        Err(AllocationError::Money(MoneyError::CurrencyMismatch { .. }))
    ));
}

#[test]
fn write_off_defaults_to_all_350_outstanding_or_takes_50() {
    assert_eq!(write_off(&claim(), None), Ok(usd(350_00)));
    assert_eq!(write_off(&claim(), Some(usd(50_00))), Ok(usd(50_00)));
    assert_eq!(
        write_off(&claim(), Some(usd(350_01))),
        Err(AllocationError::ExceedsOutstanding {
            requested: usd(350_01),
            outstanding: usd(350_00),
        })
    );
}

#[test]
fn fully_recovered_only_when_recovered_500_equals_approved_500() {
    let paid = ClaimBalance {
        approved: usd(500_00),
        recovered: usd(500_00),
        written_off: usd(0),
    };
    assert!(is_fully_recovered(&paid));
    assert!(!is_fully_recovered(&claim()));
    let nothing = ClaimBalance {
        approved: usd(0),
        recovered: usd(0),
        written_off: usd(0),
    };
    assert!(!is_fully_recovered(&nothing));
}

/// A consistent USD balance: recovered + written_off ≤ approved.
fn balance() -> impl Strategy<Value = ClaimBalance> {
    (0i64..1_000_000)
        .prop_flat_map(|approved| (Just(approved), 0..=approved))
        .prop_flat_map(|(approved, used)| (Just(approved), 0..=used, Just(used)))
        .prop_map(|(approved, recovered, used)| ClaimBalance {
            approved: usd(approved),
            recovered: usd(recovered),
            written_off: usd(used - recovered),
        })
}

proptest! {
    #[test]
    fn ok_allocations_are_positive_within_both_limits_and_keep_the_balance(
        claim in balance(),
        available in -1_000i64..2_000_000,
        requested in proptest::option::of(-1_000i64..2_000_000),
    ) {
        let outstanding = claim.outstanding().unwrap();
        if let Ok(amount) = allocate(usd(available), &claim, requested.map(usd)) {
            prop_assert!(amount.amount_minor() > 0);
            prop_assert!(amount.amount_minor() <= available);
            prop_assert!(amount.amount_minor() <= outstanding.amount_minor());
            if let Some(r) = requested {
                prop_assert_eq!(amount, usd(r));
            }
            let after = ClaimBalance {
                recovered: claim.recovered.checked_add(amount).unwrap(),
                ..claim
            };
            prop_assert!(after.outstanding().unwrap().amount_minor() >= 0);
        } else if requested.is_none() {
            // Without a request the only refusals are "nothing to give".
            prop_assert!(available <= 0 || outstanding.is_zero());
        }
    }

    #[test]
    fn ok_write_offs_are_positive_and_keep_the_balance(
        claim in balance(),
        requested in proptest::option::of(-1_000i64..2_000_000),
    ) {
        if let Ok(amount) = write_off(&claim, requested.map(usd)) {
            prop_assert!(amount.amount_minor() > 0);
            let after = ClaimBalance {
                written_off: claim.written_off.checked_add(amount).unwrap(),
                ..claim
            };
            prop_assert!(after.outstanding().unwrap().amount_minor() >= 0);
        }
    }

    #[test]
    fn mismatched_currencies_always_error(
        claim in balance(),
        available in any::<i64>(),
        requested in proptest::option::of(any::<i64>()),
    ) {
        let eur = |m: i64| Money::new(m, Currency::EUR);
        let mismatch = |r: Result<Money, AllocationError>| {
            matches!(r, Err(AllocationError::CurrencyMismatch { .. }))
        };
        prop_assert!(mismatch(allocate(eur(available), &claim, requested.map(usd))));
        prop_assert!(mismatch(allocate(usd(available), &claim, Some(eur(available)))));
        prop_assert!(mismatch(write_off(&claim, Some(eur(available)))));
    }
}

#[test]
fn a_line_takes_what_the_claim_owes_and_leaves_the_rest_unplaced() {
    let claim = ClaimBalance {
        approved: usd(8_000),
        recovered: usd(3_000),
        written_off: usd(0),
    };
    // Owes 80.00 − 30.00 = 50.00; a line of 70.00 places 50.00, 20.00 stays.
    assert_eq!(
        place_line(usd(10_000), &claim, usd(7_000)),
        Ok(LinePlacement {
            allocated: usd(5_000),
            unplaced: usd(2_000)
        })
    );
    // A line of 20.00 places all of it.
    assert_eq!(
        place_line(usd(10_000), &claim, usd(2_000)),
        Ok(LinePlacement {
            allocated: usd(2_000),
            unplaced: usd(0)
        })
    );
    let paid = ClaimBalance {
        recovered: usd(8_000),
        ..claim
    };
    assert_eq!(
        place_line(usd(10_000), &paid, usd(2_000)),
        Err(AllocationError::NothingOutstanding)
    );
}

#[test]
fn the_oldest_claim_still_owed_takes_a_tracking_number_line() {
    let owed = |approved, recovered| ClaimBalance {
        approved: usd(approved),
        recovered: usd(recovered),
        written_off: usd(0),
    };
    let candidates = [
        ("c1", owed(5_000, 5_000)),
        ("c2", owed(4_000, 0)),
        ("c3", owed(1, 0)),
    ];
    assert_eq!(first_owed(candidates), Some("c2"));
    assert_eq!(first_owed([("c1", owed(5_000, 5_000))]), None);
}
