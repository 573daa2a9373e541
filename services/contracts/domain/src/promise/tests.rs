//! Promise examples on real dates, with the arithmetic in the comments.
//! US daylight saving 2026: starts Sun 8 March 02:00, ends Sun 1 Nov 02:00.

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::{Los_Angeles, New_York, Santiago};
use chrono_tz::Pacific::Honolulu;
use chrono_tz::{Asia, UTC};

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
}

#[test]
fn friday_ship_plus_1_day_by_10_30_in_utc_is_monday_10_30() {
    // Fri 8 Mar 2024 16:00 UTC + 1 business day = Mon 11 Mar, 10:30 UTC.
    let zones = Zones {
        origin: UTC,
        destination: UTC,
    };
    let cal = BusinessCalendar::default();
    let promised = promised_delivery(
        &cal,
        utc(2024, 3, 8, 16, 0),
        zones,
        1,
        Commitment::TimeOfDay(630),
    );
    assert_eq!(promised, utc(2024, 3, 11, 10, 30));
}

#[test]
fn honolulu_friday_evening_is_still_friday_and_new_york_10_30_is_edt_after_the_change() {
    // Handed over Fri 6 Mar 2026 15:00 HST (UTC-10) = Sat 7 Mar 01:00 UTC.
    // Local ship date: Friday 6 (in UTC it would already be Saturday).
    // 2 business days from Fri: Mon 9, Tue 10 March.
    // New York moved to EDT (UTC-4) on Sun 8 March, so Tue 10:30 EDT =
    // 14:30 UTC. (Counting from the UTC date, Saturday, would have given
    // Wed 11.)
    let zones = Zones {
        origin: Honolulu,
        destination: New_York,
    };
    let promised = promised_delivery(
        &BusinessCalendar::default(),
        utc(2026, 3, 7, 1, 0),
        zones,
        2,
        Commitment::TimeOfDay(630),
    );
    assert_eq!(promised, utc(2026, 3, 10, 14, 30));
}

#[test]
fn the_same_10_30_is_an_hour_later_in_utc_after_the_november_change() {
    // LA -> NY, 1 business day, by 10:30 New York time.
    // Thu 29 Oct 2026 12:00 PDT ships Thursday: due Fri 30 Oct, EDT:
    // 10:30 EDT = 14:30 UTC.
    // Fri 30 Oct 12:00 PDT ships Friday: due Mon 2 Nov, after the change
    // to EST (UTC-5) on Sun 1 Nov: 10:30 EST = 15:30 UTC.
    let zones = Zones {
        origin: Los_Angeles,
        destination: New_York,
    };
    let cal = BusinessCalendar::default();
    let by_10_30 = Commitment::TimeOfDay(630);
    assert_eq!(
        promised_delivery(&cal, utc(2026, 10, 29, 19, 0), zones, 1, by_10_30),
        utc(2026, 10, 30, 14, 30)
    );
    assert_eq!(
        promised_delivery(&cal, utc(2026, 10, 30, 19, 0), zones, 1, by_10_30),
        utc(2026, 11, 2, 15, 30)
    );
}

#[test]
fn end_of_day_is_the_midnight_at_the_end_and_time_of_day_0_the_one_at_the_start() {
    // Due Tue 10 Nov 2026 in Los Angeles (PST, UTC-8).
    // END_OF_DAY = 24:00 Tue = Wed 11 Nov 00:00 PST = 08:00 UTC.
    // TIME_OF_DAY(0) = Tue 00:00 PST = 08:00 UTC on the 10th.
    assert_eq!(
        commitment_on(d(2026, 11, 10), Commitment::EndOfDay, Los_Angeles),
        utc(2026, 11, 11, 8, 0)
    );
    assert_eq!(
        commitment_on(d(2026, 11, 10), Commitment::TimeOfDay(0), Los_Angeles),
        utc(2026, 11, 10, 8, 0)
    );
}

#[test]
fn a_time_in_the_spring_gap_resolves_to_the_end_of_the_gap() {
    // 02:30 on Sun 8 Mar 2026 does not exist in New York: 02:00 EST jumps
    // to 03:00 EDT = 07:00 UTC.
    assert_eq!(
        commitment_on(d(2026, 3, 8), Commitment::TimeOfDay(150), New_York),
        utc(2026, 3, 8, 7, 0)
    );
    // Santiago skips local midnight at its September change (2026-09-06
    // 00:00 -04 -> 01:00 -03): "start of the day" is 01:00 -03 = 04:00 UTC.
    assert_eq!(
        commitment_on(d(2026, 9, 6), Commitment::TimeOfDay(0), Santiago),
        utc(2026, 9, 6, 4, 0)
    );
}

#[test]
fn a_time_in_the_autumn_fold_resolves_to_the_later_reading() {
    // 01:30 on Sun 1 Nov 2026 happens twice in New York: 05:30 UTC (EDT)
    // and 06:30 UTC (EST). The later one is the promise.
    assert_eq!(
        commitment_on(d(2026, 11, 1), Commitment::TimeOfDay(90), New_York),
        utc(2026, 11, 1, 6, 30)
    );
}

#[test]
fn a_promise_is_never_before_the_hand_over() {
    // Honolulu -> Tokyo, 0 business days, by 10:30 Tokyo time.
    // Handed over Mon 2 Nov 2026 20:00 HST = Tue 3 Nov 06:00 UTC = Tue
    // 15:00 JST. Local ship date Monday; Monday 10:30 JST (= Mon 01:30
    // UTC) is before the hand-over, and so is Tuesday 10:30 JST (Tue 01:30
    // UTC), so the promise moves to Wed 4 Nov 10:30 JST = Wed 01:30 UTC.
    let zones = Zones {
        origin: Honolulu,
        destination: Asia::Tokyo,
    };
    let ship = utc(2026, 11, 3, 6, 0);
    let promised = promised_delivery(
        &BusinessCalendar::default(),
        ship,
        zones,
        0,
        Commitment::TimeOfDay(630),
    );
    assert_eq!(promised, utc(2026, 11, 4, 1, 30));
    assert!(promised > ship);
}

#[test]
fn unknown_zone_names_do_not_parse() {
    assert_eq!(parse_zone("America/New_York"), Some(New_York));
    assert_eq!(parse_zone("Mars/Olympus_Mons"), None);
    assert_eq!(parse_zone(""), None);
}
