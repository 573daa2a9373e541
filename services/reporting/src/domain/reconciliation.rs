//! Recovery reconciliation of a period per carrier and currency:
//! - approved(day) = Σ over claims of the latest approval effective on or
//!   before `day` (a later approval replaces an earlier one);
//! - recovered(day), written_off(day) = Σ of those movements effective on
//!   or before `day` (an allocation is effective from the later of its
//!   booking and its remittance's date, as the claims service counts it);
//! - outstanding(day) = approved(day) − recovered(day) − written_off(day);
//! - opening = outstanding(day before the period), closing =
//!   outstanding(last day); approved, recovered and written off of the
//!   period are the differences of those sums between the two days, so
//!   opening + approved − recovered − written off = closing always.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::facts::MovementKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementIn {
    pub claim_id: String,
    pub carrier_id: String,
    pub currency: String,
    pub kind: MovementKind,
    pub amount_minor: i64,
    pub effective: NaiveDate,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub approved: i64,
    pub recovered: i64,
    pub written_off: i64,
}

impl Totals {
    pub fn outstanding(&self) -> i64 {
        self.approved - self.recovered - self.written_off
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconciliationRow {
    pub opening: i64,
    pub approved: i64,
    pub recovered: i64,
    pub written_off: i64,
    pub closing: i64,
}

/// Sums of `movements` (in feed order) effective on or before `day`, per
/// (carrier, currency).
pub fn totals_on(movements: &[MovementIn], day: NaiveDate) -> BTreeMap<(String, String), Totals> {
    let mut latest: BTreeMap<&str, (&MovementIn, i64)> = BTreeMap::new();
    let mut out: BTreeMap<(String, String), Totals> = BTreeMap::new();
    for m in movements.iter().filter(|m| m.effective <= day) {
        let t = out
            .entry((m.carrier_id.clone(), m.currency.clone()))
            .or_default();
        match m.kind {
            MovementKind::Approved => {
                latest.insert(&m.claim_id, (m, m.amount_minor));
            }
            MovementKind::Recovered => t.recovered += m.amount_minor,
            MovementKind::WrittenOff => t.written_off += m.amount_minor,
        }
    }
    for (m, amount) in latest.values() {
        let t = out
            .entry((m.carrier_id.clone(), m.currency.clone()))
            .or_default();
        t.approved += amount;
    }
    out
}

/// The period `[first, last]`'s rows.
pub fn reconcile(
    movements: &[MovementIn],
    first: NaiveDate,
    last: NaiveDate,
) -> BTreeMap<(String, String), ReconciliationRow> {
    let before = first
        .pred_opt()
        .map(|d| totals_on(movements, d))
        .unwrap_or_default();
    let end = totals_on(movements, last);
    end.into_iter()
        .map(|(key, e)| {
            let b = before.get(&key).copied().unwrap_or_default();
            let row = ReconciliationRow {
                opening: b.outstanding(),
                approved: e.approved - b.approved,
                recovered: e.recovered - b.recovered,
                written_off: e.written_off - b.written_off,
                closing: e.outstanding(),
            };
            (key, row)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default()
    }

    fn mv(claim: &str, kind: MovementKind, amount: i64, on: NaiveDate) -> MovementIn {
        MovementIn {
            claim_id: claim.into(),
            carrier_id: "c1".into(),
            currency: "USD".into(),
            kind,
            amount_minor: amount,
            effective: on,
        }
    }

    #[test]
    fn a_quarter_with_an_opening_balance_an_appeal_and_a_write_off() {
        use MovementKind::{Approved, Recovered, WrittenOff};
        let movements = [
            // Q2: A approved 100.00, 30.00 recovered → 70.00 outstanding at the start of Q3.
            mv("A", Approved, 10_000, d(5, 10)),
            mv("A", Recovered, 3_000, d(6, 1)),
            // Q3: A's appeal raises its approval to 120.00 (+20.00), B approved
            // 50.00, A recovers 80.00, B written off 10.00.
            mv("A", Approved, 12_000, d(7, 15)),
            mv("B", Approved, 5_000, d(8, 1)),
            mv("A", Recovered, 8_000, d(8, 20)),
            mv("B", WrittenOff, 1_000, d(9, 30)),
            // Q4: outside the period.
            mv("B", Recovered, 4_000, d(10, 1)),
        ];
        let rows = reconcile(&movements, d(7, 1), d(9, 30));
        let r = rows[&("c1".to_owned(), "USD".to_owned())];
        // opening = 100.00 − 30.00 = 70.00
        // approved = (120.00 + 50.00) − 100.00 = 70.00
        // recovered = 80.00; written off = 10.00
        // closing = 70.00 + 70.00 − 80.00 − 10.00 = 50.00
        //         = (170.00 − 110.00 − 10.00)
        assert_eq!(
            r,
            ReconciliationRow {
                opening: 7_000,
                approved: 7_000,
                recovered: 8_000,
                written_off: 1_000,
                closing: 5_000,
            }
        );
        assert_eq!(
            r.opening + r.approved - r.recovered - r.written_off,
            r.closing
        );
    }
}
