//! A reconciliation worked by hand in cents on 2026-06-30, then properties.
// Amounts are written dollars_cents (250_00 is $250.00), so grouping is
// by the decimal point, not by thousands.
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::NaiveDate;
use recourse_money::{Currency, Money, MoneyError};

use super::*;

mod props;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn usd(cents: i64) -> Money {
    Money::new(cents, Currency::USD)
}

/// An approved USD claim against acme.
fn approved(claimed: i64, approved: i64, on: NaiveDate, rec: i64, off: i64) -> ClaimFacts {
    ClaimFacts {
        carrier: "acme".to_owned(),
        currency: Currency::USD,
        claimed: usd(claimed),
        approved: Some(usd(approved)),
        approved_on: Some(on),
        recovered: usd(rec),
        written_off: usd(off),
    }
}

/// As of 2026-06-30: approvals 0, 30, 31, 60, 61, 90 and 91 days old, plus
/// an unapproved claim whose $5 "recovered" must be ignored.
fn acme_usd() -> Vec<ClaimFacts> {
    vec![
        approved(1_000_00, 800_00, d(2026, 6, 30), 300_00, 0), // 0 days: 500
        approved(100_00, 100_00, d(2026, 5, 31), 0, 0),        // 30 days: 100
        approved(250_00, 200_00, d(2026, 5, 30), 0, 0),        // 31 days: 200
        approved(40_00, 40_00, d(2026, 5, 1), 0, 0),           // 60 days: 40
        approved(8_00, 8_00, d(2026, 4, 30), 0, 0),            // 61 days: 8
        approved(20_00, 16_00, d(2026, 4, 1), 0, 0),           // 90 days: 16
        approved(50_00, 50_00, d(2026, 3, 31), 10_00, 8_00),   // 91 days: 32
        ClaimFacts {
            approved: None,
            approved_on: None,
            recovered: usd(5_00),
            ..approved(75_00, 0, d(2026, 6, 1), 0, 0)
        },
    ]
}

#[test]
fn acme_usd_ages_day_30_in_0_30_day_31_and_60_in_31_60_61_and_90_in_61_90_91_over_90() {
    let rows = reconcile(&acme_usd(), &[], d(2026, 6, 30)).unwrap();
    let expected = Row {
        carrier: "acme".to_owned(),
        currency: Currency::USD,
        claims: 8,
        claimed: usd(1_543_00),
        approved: usd(1_214_00),
        recovered: usd(310_00),
        written_off: usd(8_00),
        outstanding: usd(896_00),
        aging: Aging {
            days_0_30: usd(600_00),
            days_31_60: usd(240_00),
            days_61_90: usd(24_00),
            days_over_90: usd(32_00),
        },
        unallocated: usd(0),
        disputes: DisputeTotals::zero(Currency::USD),
        bonuses_payable: usd(0),
    };
    assert_eq!(rows, vec![expected]);
    assert!(rows[0].identity_holds());
}

#[test]
fn rows_sort_acme_eur_then_acme_usd_then_bolt_usd() {
    let bolt_undated = ClaimFacts {
        carrier: "bolt".to_owned(),
        approved_on: None,
        ..approved(30_00, 30_00, d(2026, 1, 1), 0, 0)
    };
    let eur = Money::new(10_00, Currency::EUR);
    let acme_eur_future = ClaimFacts {
        currency: Currency::EUR,
        claimed: eur,
        approved: Some(eur),
        approved_on: Some(d(2026, 7, 15)),
        recovered: Money::zero(Currency::EUR),
        written_off: Money::zero(Currency::EUR),
        ..approved(0, 0, d(2026, 1, 1), 0, 0)
    };
    let mut input = vec![bolt_undated];
    input.extend(acme_usd());
    input.push(acme_eur_future);
    let rows = reconcile(&input, &[], d(2026, 6, 30)).unwrap();
    let keys: Vec<_> = rows
        .iter()
        .map(|r| (r.carrier.as_str(), r.currency))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("acme", Currency::EUR),
            ("acme", Currency::USD),
            ("bolt", Currency::USD)
        ]
    );
    // Undated and future approvals both count as 0 days old.
    assert_eq!(rows[0].aging.days_0_30, eur);
    assert_eq!(rows[2].aging.days_0_30, usd(30_00));
    assert!(rows.iter().all(Row::identity_holds));
}

#[test]
fn no_claims_no_rows() {
    assert_eq!(reconcile(&[], &[], d(2026, 6, 30)), Ok(vec![]));
}

#[test]
fn a_eur_amount_on_a_usd_claim_fails_the_reconciliation() {
    let bad = ClaimFacts {
        recovered: Money::new(1, Currency::EUR),
        ..approved(10_00, 10_00, d(2026, 6, 1), 0, 0)
    };
    let err = reconcile(&[bad], &[], d(2026, 6, 30)).unwrap_err();
    assert_eq!(err.field, "outstanding");
    assert!(matches!(err.source, MoneyError::CurrencyMismatch { .. }));
}

#[test]
fn a_row_off_by_one_cent_breaks_the_identity() {
    let rows = reconcile(&acme_usd(), &[], d(2026, 6, 30)).unwrap();
    let mut row = rows[0].clone();
    row.recovered = usd(310_01);
    assert!(!row.identity_holds());
    let mut row = rows[0].clone();
    row.aging.days_over_90 = usd(31_99);
    assert!(!row.identity_holds());
    let mut row = rows[0].clone();
    row.claimed = usd(1_213_99);
    assert!(!row.identity_holds());
    let mut row = rows[0].clone();
    row.currency = Currency::EUR;
    assert!(!row.identity_holds());
}

fn remittance(carrier: &str, amount: i64, allocated: i64) -> RemittanceFacts {
    RemittanceFacts {
        carrier: carrier.to_owned(),
        amount: usd(amount),
        allocated: usd(allocated),
    }
}

#[test]
fn money_received_shows_per_carrier_including_one_without_claims() {
    // acme: 300.00 received, 120.00 of it allocated, plus 50.00 untouched:
    // unallocated = (300.00 − 120.00) + (50.00 − 0) = 230.00.
    // bolt has no claims, only a 500.00 payment nobody matched yet.
    let rows = reconcile(
        &acme_usd(),
        &[
            remittance("bolt", 500_00, 0),
            remittance("acme", 300_00, 120_00),
            remittance("acme", 50_00, 0),
        ],
        d(2026, 6, 30),
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].unallocated, usd(230_00));
    assert_eq!(rows[0].claims, 8, "the claims are unchanged");
    let bolt = &rows[1];
    assert_eq!(
        (
            bolt.carrier.as_str(),
            bolt.claims,
            bolt.claimed,
            bolt.unallocated
        ),
        ("bolt", 0, usd(0), usd(500_00))
    );
    assert!(bolt.identity_holds());
}

#[test]
fn overflow_names_the_row_and_the_field_instead_of_wrapping() {
    let half = i64::MAX / 2 + 1;
    let huge = ClaimFacts {
        approved: None,
        approved_on: None,
        ..approved(half, 0, d(2026, 6, 1), 0, 0)
    };
    // 2 × (2^62) = 2^63 > i64::MAX.
    let err = reconcile(&[huge.clone(), huge], &[], d(2026, 6, 30)).unwrap_err();
    assert_eq!(
        (err.carrier.as_str(), err.currency.as_str(), err.field),
        ("acme", "USD", "claimed")
    );
    assert_eq!(err.source, MoneyError::Overflow);
    let err = reconcile(
        &[],
        &[remittance("acme", half, 0), remittance("acme", half, 0)],
        d(2026, 6, 30),
    )
    .unwrap_err();
    assert_eq!(err.field, "unallocated_remittances");
    assert_eq!(
        err.to_string(),
        format!(
            "unallocated_remittances of carrier acme in USD: {}",
            MoneyError::Overflow
        )
    );
}

#[test]
fn buckets_start_30_60_and_90_days_back() {
    assert_eq!(
        bucket_starts(d(2026, 6, 30)),
        [d(2026, 5, 31), d(2026, 5, 1), d(2026, 4, 1)]
    );
}

#[test]
fn rows_summed_elsewhere_assemble_into_what_reconcile_gives() {
    let as_of = d(2026, 6, 30);
    let remittances = [
        RemittanceFacts {
            carrier: "acme".to_owned(),
            amount: usd(500_00),
            allocated: usd(300_00),
        },
        RemittanceFacts {
            carrier: "beta".to_owned(),
            amount: usd(25_00),
            allocated: usd(0),
        },
    ];
    let whole = reconcile(&acme_usd(), &remittances, as_of).unwrap();
    let claims_only = reconcile(&acme_usd(), &[], as_of).unwrap();
    let left = remittances
        .iter()
        .map(|r| {
            (
                r.carrier.clone(),
                r.amount.checked_sub(r.allocated).unwrap(),
            )
        })
        .collect();
    assert_eq!(assemble(claims_only, left).unwrap(), whole);
    // beta has money received and no claims: a row of its own.
    assert_eq!(whole[1].carrier, "beta");
    assert_eq!(whole[1].claims, 0);
}

#[test]
fn complete_adds_disputes_and_bonuses_beside_the_claims() {
    // ACME USD has claims; its disputes: 48.70 disputed, 30.00 credited,
    // 18.70 outstanding, 0 declined (30.00 + 18.70 + 0 = 48.70); BOLT has
    // only a bonus of 250.00 and gets a row of its own.
    let rows = reconcile(&acme_usd(), &[], d(2026, 6, 30)).unwrap();
    let disputes = DisputeTotals {
        count: 1,
        disputed: usd(48_70),
        credited: usd(30_00),
        outstanding: usd(18_70),
        declined: usd(0),
    };
    let done = complete(
        rows,
        vec![("acme".to_owned(), disputes.clone())],
        vec![
            ("bolt".to_owned(), usd(250_00)),
            ("bolt".to_owned(), usd(50)),
        ],
    )
    .unwrap();
    assert_eq!(done.len(), 2);
    assert_eq!(done[0].disputes, disputes);
    assert!(done[0].identity_holds());
    assert_eq!(
        (done[1].carrier.as_str(), done[1].bonuses_payable),
        ("bolt", usd(250_50))
    );
    assert!(done[1].identity_holds());
}
