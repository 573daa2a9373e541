//! Calendar examples on real 2024 dates (1 Jan 2024 was a Monday).

use chrono::NaiveDate;

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn weekdays_are_business_days_weekends_are_not() {
    let cal = BusinessCalendar::default();
    assert!(cal.is_business_day(d(2024, 3, 8))); // Friday
    assert!(!cal.is_business_day(d(2024, 3, 9))); // Saturday
    assert!(!cal.is_business_day(d(2024, 3, 10))); // Sunday
}

#[test]
fn friday_plus_1_business_day_is_monday() {
    let cal = BusinessCalendar::default();
    assert_eq!(cal.add_business_days(d(2024, 3, 8), 1), d(2024, 3, 11));
}

#[test]
fn holiday_monday_is_skipped_friday_plus_1_is_tuesday() {
    let cal = BusinessCalendar::new([d(2024, 5, 27)]); // Memorial Day
    assert!(!cal.is_business_day(d(2024, 5, 27)));
    assert_eq!(cal.add_business_days(d(2024, 5, 24), 1), d(2024, 5, 28));
}

#[test]
fn saturday_ship_plus_2_business_days_is_wednesday() {
    let cal = BusinessCalendar::default();
    assert_eq!(cal.add_business_days(d(2024, 3, 9), 2), d(2024, 3, 13));
}

#[test]
fn zero_days_is_the_ship_date_or_the_next_business_day() {
    let cal = BusinessCalendar::default();
    assert_eq!(cal.add_business_days(d(2024, 3, 6), 0), d(2024, 3, 6));
    assert_eq!(cal.add_business_days(d(2024, 3, 9), 0), d(2024, 3, 11));
}

#[test]
fn wednesday_plus_5_business_days_is_next_wednesday() {
    let cal = BusinessCalendar::default();
    assert_eq!(cal.add_business_days(d(2024, 3, 6), 5), d(2024, 3, 13));
}

#[test]
fn end_of_calendar_saturates_instead_of_panicking() {
    let cal = BusinessCalendar::default();
    assert_eq!(cal.add_business_days(NaiveDate::MAX, 3), NaiveDate::MAX);
    let _ = period_bounds(Period::Weekly, NaiveDate::MAX);
    let _ = period_bounds(Period::Weekly, NaiveDate::MIN);
    let _ = period_bounds(Period::Monthly, NaiveDate::MAX);
}

#[test]
fn february_2024_leap_year_is_1st_to_29th() {
    assert_eq!(
        period_bounds(Period::Monthly, d(2024, 2, 14)),
        (d(2024, 2, 1), d(2024, 2, 29))
    );
    assert_eq!(
        period_bounds(Period::Monthly, d(2023, 2, 14)),
        (d(2023, 2, 1), d(2023, 2, 28))
    );
}

#[test]
fn december_ends_on_the_31st() {
    assert_eq!(
        period_bounds(Period::Monthly, d(2024, 12, 31)),
        (d(2024, 12, 1), d(2024, 12, 31))
    );
}

#[test]
fn week_of_thursday_7_march_2024_is_monday_4th_to_sunday_10th() {
    let week = (d(2024, 3, 4), d(2024, 3, 10));
    assert_eq!(period_bounds(Period::Weekly, d(2024, 3, 7)), week);
    assert_eq!(period_bounds(Period::Weekly, d(2024, 3, 4)), week);
    assert_eq!(period_bounds(Period::Weekly, d(2024, 3, 10)), week);
}
