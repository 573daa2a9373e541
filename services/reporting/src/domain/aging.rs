//! Claims aging: open claims (submitted, not settled, closed or withdrawn)
//! by carrier and status, in buckets of whole days since submission
//! (UTC dates): 0–30, 31–60, 61–120, over 120; and those past the
//! carrier's acknowledgement clock (still SUBMITTED after its
//! acknowledge-by date) or decision clock (undecided after its decide-by
//! date).

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// What aging needs of one open claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenClaim {
    pub carrier_id: String,
    pub status: String,
    pub submitted_on: NaiveDate,
    pub acknowledge_due: Option<NaiveDate>,
    pub decision_due: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgingRow {
    pub days_0_30: u64,
    pub days_31_60: u64,
    pub days_61_120: u64,
    pub days_over_120: u64,
    pub past_acknowledge_due: u64,
    pub past_decision_due: u64,
}

const UNDECIDED: [&str; 5] = [
    "CLAIM_STATUS_SUBMITTED",
    "CLAIM_STATUS_ACKNOWLEDGED",
    "CLAIM_STATUS_UNDER_REVIEW",
    "CLAIM_STATUS_NEEDS_INFO",
    "CLAIM_STATUS_APPEALED",
];

/// Rows keyed by (carrier, status), as of the end of `as_of`.
pub fn age(claims: &[OpenClaim], as_of: NaiveDate) -> BTreeMap<(String, String), AgingRow> {
    let mut out: BTreeMap<(String, String), AgingRow> = BTreeMap::new();
    for c in claims {
        let row = out
            .entry((c.carrier_id.clone(), c.status.clone()))
            .or_default();
        let days = (as_of - c.submitted_on).num_days();
        match days {
            ..=30 => row.days_0_30 += 1,
            31..=60 => row.days_31_60 += 1,
            61..=120 => row.days_61_120 += 1,
            _ => row.days_over_120 += 1,
        }
        if c.status == "CLAIM_STATUS_SUBMITTED" && c.acknowledge_due.is_some_and(|d| d < as_of) {
            row.past_acknowledge_due += 1;
        }
        if UNDECIDED.contains(&c.status.as_str()) && c.decision_due.is_some_and(|d| d < as_of) {
            row.past_decision_due += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default()
    }

    #[test]
    fn buckets_by_whole_days_since_submission_and_past_clocks() {
        let as_of = d(6, 30);
        let open = |on: NaiveDate, status: &str, ack: NaiveDate, decide: NaiveDate| OpenClaim {
            carrier_id: "c1".into(),
            status: status.into(),
            submitted_on: on,
            acknowledge_due: Some(ack),
            decision_due: Some(decide),
        };
        let s = "CLAIM_STATUS_SUBMITTED";
        let claims = [
            // 06-30 − 05-31 = 30 days → 0–30; acknowledge by 06-29 < 06-30 → past.
            open(d(5, 31), s, d(6, 29), d(9, 28)),
            // 06-30 − 05-30 = 31 days → 31–60; acknowledge by 06-30 is not past yet.
            open(d(5, 30), s, d(6, 30), d(9, 27)),
            // 06-30 − 03-01 = 121 days → over 120; decide by 06-29 → past.
            open(d(3, 1), s, d(3, 31), d(6, 29)),
            // 06-30 − 03-02 = 120 days → 61–120; approved: no clock runs.
            open(d(3, 2), "CLAIM_STATUS_APPROVED", d(4, 1), d(6, 1)),
        ];
        let rows = age(&claims, as_of);
        let submitted = &rows[&("c1".to_owned(), s.to_owned())];
        assert_eq!(
            (
                submitted.days_0_30,
                submitted.days_31_60,
                submitted.days_61_120,
                submitted.days_over_120
            ),
            (1, 1, 0, 1)
        );
        // The 03-01 claim is also past its acknowledgement date (03-31).
        assert_eq!(submitted.past_acknowledge_due, 2);
        assert_eq!(submitted.past_decision_due, 1);
        let approved = &rows[&("c1".to_owned(), "CLAIM_STATUS_APPROVED".to_owned())];
        assert_eq!((approved.days_61_120, approved.past_decision_due), (1, 0));
    }
}
