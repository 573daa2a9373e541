use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
}

#[test]
fn the_window_is_the_13_weeks_before_the_ship_date_or_today() {
    // Ship Mon 2 Nov 2026, asked on 20 Nov: window ends Sun 1 Nov, starts
    // 91 days earlier counting both ends: 1 Nov − 90 days = 3 Aug (Mon).
    assert_eq!(
        on_time_window(d(2026, 11, 2), d(2026, 11, 20)),
        (d(2026, 8, 3), d(2026, 11, 1))
    );
    // A ship date after today: what is known today (the day before it).
    assert_eq!(
        on_time_window(d(2027, 1, 15), d(2026, 11, 2)),
        (d(2026, 8, 3), d(2026, 11, 1))
    );
}

#[test]
fn periods_are_summed_by_counts_only_inside_the_window() {
    let window = (d(2026, 8, 3), d(2026, 11, 1));
    let week = |first: NaiveDate, on_time, measured| PeriodOnTime {
        first,
        last: first + chrono::TimeDelta::days(6),
        on_time,
        measured,
    };
    let record = on_time_record(
        window,
        [
            // 9 of 10 and 1 of 2: by counts (9 + 1) ÷ (10 + 2) = 10 ÷ 12
            // = 8333.33 → floor 8333 bp; averaging the rates would give
            // (9000 + 5000) ÷ 2 = 7000.
            week(d(2026, 10, 19), 9, 10),
            week(d(2026, 10, 26), 1, 2),
            // Ends 2 Nov, after the window: ignored.
            week(d(2026, 10, 27), 0, 50),
            // Starts 27 Jul, before the window: ignored.
            week(d(2026, 7, 27), 0, 50),
        ],
    );
    assert_eq!(record.on_time, 10);
    assert_eq!(record.measured, 12);
    assert_eq!(record.evaluations, 2);
    assert_eq!(record.rate_bp, Some(8_333));
}

#[test]
fn nothing_measured_has_no_rate() {
    let record = on_time_record((d(2026, 8, 3), d(2026, 11, 1)), []);
    assert_eq!(record.rate_bp, None);
    assert_eq!(record.measured, 0);
}

#[test]
fn a_peak_window_replaces_the_daily_allocation_and_zero_states_none() {
    let capacity = Capacity {
        daily_parcels: 100,
        peaks: vec![(d(2026, 11, 23), d(2026, 12, 24), 250)],
    };
    assert_eq!(capacity.allocation_on(d(2026, 11, 22)), Some(100));
    assert_eq!(capacity.allocation_on(d(2026, 11, 23)), Some(250));
    assert_eq!(capacity.allocation_on(d(2026, 12, 24)), Some(250));
    assert!(!capacity.exhausted_on(d(2026, 11, 23), 249));
    assert!(capacity.exhausted_on(d(2026, 11, 23), 250));
    let unstated = Capacity::default();
    assert_eq!(unstated.allocation_on(d(2026, 11, 23)), None);
    assert!(!unstated.exhausted_on(d(2026, 11, 23), 1_000_000));
}

#[test]
fn options_rank_by_currency_then_total_then_promise() {
    let t = |h| Utc.with_ymd_and_hms(2026, 11, 3, h, 0, 0).single();
    let mut keys = [
        rank_key(m(1_000, "USD"), t(20), "b", "GROUND"),
        rank_key(m(1_000, "USD"), None, "a", "GROUND"),
        rank_key(m(1_000, "USD"), t(10), "c", "NEXT_DAY"),
        rank_key(m(5_000, "EUR"), t(10), "d", "GROUND"),
        rank_key(m(900, "USD"), t(23), "e", "GROUND"),
    ];
    keys.sort();
    let carriers: Vec<&str> = keys.iter().map(|k| k.4).collect();
    assert_eq!(carriers, ["d", "e", "c", "b", "a"]);
}

use chrono::TimeZone as _;

fn m(minor: i64, currency: &str) -> Money {
    Money::new(
        minor,
        Currency::parse(currency).unwrap_or_else(|_| unreachable!()),
    )
}
