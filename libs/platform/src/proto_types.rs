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

/// The largest amount (in magnitude) any API accepts: 10^12 minor units
/// (10,000,000,000.00 USD). Far above any parcel charge or claim, and low
/// enough that sums over millions of rows stay inside 64-bit minor units.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000;

/// A required amount as [`money_from_proto`], whose magnitude is at most
/// [`MAX_AMOUNT_MINOR`] (otherwise a violation on `{field}.amount_minor`).
pub fn bounded_money(
    v: &mut Violations,
    field: &str,
    value: Option<&recourse_proto::common::Money>,
    expected: Option<Currency>,
    allow_negative: bool,
) -> Option<Money> {
    let money = money_from_proto(v, field, value, expected, allow_negative)?;
    if money.amount_minor().unsigned_abs() > MAX_AMOUNT_MINOR.unsigned_abs() {
        v.add(
            format!("{field}.amount_minor"),
            format!("must be at most {MAX_AMOUNT_MINOR} minor units"),
        );
        return None;
    }
    Some(money)
}

/// The years any date or instant the APIs accept falls in: nothing before
/// 2000 or after 2099 is a parcel's, and bounding them keeps every date
/// computation (deadlines, windows, periods) far from chrono's limits.
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2099;

fn year_bounds() -> String {
    format!("must be in the years {FIRST_YEAR}-{LAST_YEAR}")
}

/// A required calendar date in [`FIRST_YEAR`]..=[`LAST_YEAR`]; the
/// violation says whether it is missing, not a date, or out of range.
pub fn date_in_range(v: &mut Violations, field: &str, value: Option<&Date>) -> Option<NaiveDate> {
    let Some(value) = value else {
        v.add(field, "is required");
        return None;
    };
    let Some(date) = date_from_proto(value) else {
        v.add(field, "must be a valid calendar date");
        return None;
    };
    if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        v.add(field, year_bounds());
        return None;
    }
    Some(date)
}

/// A required instant in [`FIRST_YEAR`]..=[`LAST_YEAR`] (UTC); the
/// violation says whether it is missing, invalid (nanos out of range), or
/// out of range.
pub fn timestamp_in_range(
    v: &mut Violations,
    field: &str,
    value: Option<&prost_types::Timestamp>,
) -> Option<DateTime<Utc>> {
    let Some(value) = value else {
        v.add(field, "is required");
        return None;
    };
    let Some(at) = timestamp_from_proto(value) else {
        v.add(
            field,
            "is not a valid time (seconds and 0-999,999,999 nanos)",
        );
        return None;
    };
    if !(FIRST_YEAR..=LAST_YEAR).contains(&at.year()) {
        v.add(field, year_bounds());
        return None;
    }
    Some(at)
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

#[cfg(test)]
mod bound_tests {
    use super::*;

    #[test]
    fn amounts_are_bounded_at_the_edge() {
        let usd = |amount_minor| recourse_proto::common::Money {
            amount_minor,
            currency_code: "USD".into(),
        };
        let mut v = Violations::new();
        assert!(bounded_money(&mut v, "a", Some(&usd(MAX_AMOUNT_MINOR)), None, false).is_some());
        assert!(bounded_money(&mut v, "a", Some(&usd(-MAX_AMOUNT_MINOR)), None, true).is_some());
        assert!(v.is_empty());
        assert!(
            bounded_money(&mut v, "a", Some(&usd(MAX_AMOUNT_MINOR + 1)), None, false).is_none()
        );
        assert!(bounded_money(&mut v, "a", Some(&usd(i64::MIN)), None, true).is_none());
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn dates_and_instants_say_what_is_wrong() {
        let mut v = Violations::new();
        let ok = Date {
            year: 2099,
            month: 12,
            day: 31,
        };
        assert!(date_in_range(&mut v, "d", Some(&ok)).is_some());
        assert!(v.is_empty());
        date_in_range(&mut v, "d", None);
        date_in_range(
            &mut v,
            "d",
            Some(&Date {
                year: 2026,
                month: 2,
                day: 30,
            }),
        );
        date_in_range(
            &mut v,
            "d",
            Some(&Date {
                year: 2100,
                month: 1,
                day: 1,
            }),
        );
        date_in_range(
            &mut v,
            "d",
            Some(&Date {
                year: 1999,
                month: 12,
                day: 31,
            }),
        );
        let ts = |seconds, nanos| prost_types::Timestamp { seconds, nanos };
        // 2000-01-01T00:00:00Z is the first instant accepted.
        assert!(timestamp_in_range(&mut v, "t", Some(&ts(946_684_800, 0))).is_some());
        timestamp_in_range(&mut v, "t", Some(&ts(946_684_799, 0)));
        timestamp_in_range(&mut v, "t", Some(&ts(0, -1)));
        // 9999-12-31
        timestamp_in_range(&mut v, "t", Some(&ts(253_402_214_400, 0)));
        let Err(crate::ApiError::InvalidArgument(found)) = v.into_result() else {
            panic!("violations expected");
        };
        let said: Vec<&str> = found.iter().map(|f| f.description.as_str()).collect();
        assert_eq!(said.len(), 7);
        assert_eq!(said[0], "is required");
        assert_eq!(said[1], "must be a valid calendar date");
        assert!(said[2].starts_with("must be in the years"));
        assert!(said[5].starts_with("is not a valid time"));
        assert!(said[6].starts_with("must be in the years"));
    }
}
