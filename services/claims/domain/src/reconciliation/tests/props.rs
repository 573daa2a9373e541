//! Reconciliation over random claim sets: the identity holds exactly and
//! the totals match the inputs.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use recourse_money::{Currency, Money};

use super::super::*;

const CARRIERS: [&str; 3] = ["acme", "bolt", "crux"];
const CURRENCIES: [Currency; 3] = [Currency::USD, Currency::EUR, Currency::JPY];

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
}

/// A consistent claim: approved ≤ claimed, recovered + written_off ≤
/// approved, approved between 10 days in the future and 200 days ago.
fn facts() -> impl Strategy<Value = ClaimFacts> {
    (
        0..CARRIERS.len(),
        0..CURRENCIES.len(),
        0i64..1_000_000_000,
        proptest::option::weighted(0.8, (0i64..=100, 0i64..=100, 0i64..=100)),
        proptest::option::weighted(0.9, -10i64..200),
    )
        .prop_map(|(carrier, currency, claimed, shares, age)| {
            let c = CURRENCIES[currency];
            let m = |minor: i64| Money::new(minor, c);
            let (approved, recovered, written_off) = match shares {
                Some((pa, pr, pw)) => {
                    let a = claimed * pa / 100;
                    let r = a * pr / 100;
                    (Some(a), r, (a - r) * pw / 100)
                }
                None => (None, 0, 0),
            };
            let approved_on = age.map(|days| {
                let back = Days::new(days.unsigned_abs());
                if days >= 0 {
                    as_of().checked_sub_days(back).unwrap()
                } else {
                    as_of().checked_add_days(back).unwrap()
                }
            });
            ClaimFacts {
                carrier: CARRIERS[carrier].to_owned(),
                currency: c,
                claimed: m(claimed),
                approved: approved.map(m),
                approved_on,
                recovered: m(recovered),
                written_off: m(written_off),
            }
        })
}

/// Per-currency totals in minor units: claims, claimed, approved,
/// recovered, written off, outstanding, then the four aging buckets.
type Totals = BTreeMap<Currency, [i64; 10]>;

/// The totals computed straight from the inputs.
fn expected(claims: &[ClaimFacts]) -> Totals {
    let mut t = Totals::new();
    for f in claims {
        let e = t.entry(f.currency).or_default();
        e[0] += 1;
        e[1] += f.claimed.amount_minor();
        if let Some(a) = f.approved {
            let out = a.amount_minor() - f.recovered.amount_minor() - f.written_off.amount_minor();
            e[2] += a.amount_minor();
            e[3] += f.recovered.amount_minor();
            e[4] += f.written_off.amount_minor();
            e[5] += out;
            let age = f.approved_on.map_or(0, |on| (as_of() - on).num_days());
            let bucket = if age <= 30 {
                6
            } else if age <= 60 {
                7
            } else if age <= 90 {
                8
            } else {
                9
            };
            e[bucket] += out;
        }
    }
    t
}

/// The same totals summed over the rows.
fn actual(rows: &[Row]) -> Totals {
    let mut t = Totals::new();
    for r in rows {
        let e = t.entry(r.currency).or_default();
        let a = &r.aging;
        let values = [
            i64::from(r.claims),
            r.claimed.amount_minor(),
            r.approved.amount_minor(),
            r.recovered.amount_minor(),
            r.written_off.amount_minor(),
            r.outstanding.amount_minor(),
            a.days_0_30.amount_minor(),
            a.days_31_60.amount_minor(),
            a.days_61_90.amount_minor(),
            a.days_over_90.amount_minor(),
        ];
        for (sum, v) in e.iter_mut().zip(values) {
            *sum += v;
        }
    }
    t
}

proptest! {
    #[test]
    fn every_row_balances_and_totals_match_the_inputs(
        claims in proptest::collection::vec(facts(), 0..60),
    ) {
        let rows = reconcile(&claims, &[], as_of()).unwrap();
        for row in &rows {
            prop_assert!(row.identity_holds(), "{row:?}");
        }
        let keys: Vec<_> = rows.iter().map(|r| (r.carrier.clone(), r.currency)).collect();
        prop_assert!(keys.windows(2).all(|w| w[0] < w[1]), "unsorted {keys:?}");
        prop_assert_eq!(actual(&rows), expected(&claims));
    }
}
