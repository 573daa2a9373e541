//! Conversions between the shared protobuf types and Rust values.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use recourse_proto::common::Date;

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
