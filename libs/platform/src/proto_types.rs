//! Conversions between the shared protobuf types and Rust values.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use recourse_money::{Currency, Money};
use recourse_proto::common::Date;

use crate::error::Violations;

/// A required amount, optionally in an `expected` currency and optionally
/// non-negative; violations are recorded under `field`.
pub fn money_from_proto(
    v: &mut Violations,
    field: &str,
    value: Option<&recourse_proto::common::Money>,
    expected: Option<Currency>,
    allow_negative: bool,
) -> Option<Money> {
    let Some(value) = value else {
        v.add(field, "is required");
        return None;
    };
    let Ok(currency) = Currency::parse(&value.currency_code) else {
        v.add(
            format!("{field}.currency_code"),
            "must be an ISO-4217 code such as USD",
        );
        return None;
    };
    if let Some(expected) = expected
        && currency != expected
    {
        v.add(
            format!("{field}.currency_code"),
            format!("must be {}", expected.as_str()),
        );
        return None;
    }
    if !allow_negative && value.amount_minor < 0 {
        v.add(format!("{field}.amount_minor"), "must not be negative");
        return None;
    }
    Some(Money::new(value.amount_minor, currency))
}

pub fn money_to_proto(money: Money) -> recourse_proto::common::Money {
    recourse_proto::common::Money {
        amount_minor: money.amount_minor(),
        currency_code: money.currency().as_str().to_owned(),
    }
}

/// A `recourse.common.v1.Date` as a calendar date, if it is one.
pub fn date_from_proto(date: &Date) -> Option<NaiveDate> {
    let month = u32::try_from(date.month).ok()?;
    let day = u32::try_from(date.day).ok()?;
    NaiveDate::from_ymd_opt(date.year, month, day)
}

pub fn date_to_proto(date: NaiveDate) -> Date {
    Date {
        year: date.year(),
        month: i32::try_from(date.month()).unwrap_or_default(),
        day: i32::try_from(date.day()).unwrap_or_default(),
    }
}

pub fn timestamp_to_proto(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: i32::try_from(at.timestamp_subsec_nanos()).unwrap_or_default(),
    }
}

pub fn timestamp_from_proto(ts: &prost_types::Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(ts.seconds, u32::try_from(ts.nanos).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_impossible_dates_are_none() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(date_from_proto(&date_to_proto(d)), Some(d));
        let bad = Date {
            year: 2026,
            month: 2,
            day: 30,
        };
        assert_eq!(date_from_proto(&bad), None);
        assert_eq!(date_from_proto(&Date::default()), None);
    }

    #[test]
    fn timestamps_round_trip() {
        let now = Utc::now();
        assert_eq!(timestamp_from_proto(&timestamp_to_proto(now)), Some(now));
    }
}
