use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn iso_weeks_are_named_and_parsed() {
    // Thu 26 Nov 2026 is in 2026-W48, whose Monday is 23 Nov.
    assert_eq!(week_label(d(2026, 11, 26)), "2026-W48");
    assert_eq!(week_start(d(2026, 11, 26)), d(2026, 11, 23));
    assert_eq!(parse_week("2026-W48"), Some(d(2026, 11, 23)));
    // Fri 1 Jan 2027 belongs to 2026-W53 (2026 has 53 ISO weeks).
    assert_eq!(week_label(d(2027, 1, 1)), "2026-W53");
    assert_eq!(parse_week("2026-W53"), Some(d(2026, 12, 28)));
    assert_eq!(parse_week("2027-W53"), None);
    assert_eq!(parse_week("2026-48"), None);
    assert_eq!(parse_week("2026-W4"), None);
}

#[test]
fn a_week_with_a_peak_window_inside_it() {
    // 100 a day, 150 a day from Thu 26 Nov: 3 × 100 + 4 × 150 = 900.
    let capacity = Capacity {
        daily_parcels: 100,
        peaks: vec![(d(2026, 11, 26), d(2026, 12, 31), 150)],
    };
    // Tendered Mon 120 (20 over), Thu 150, Fri 10 → 280 tendered, accepted
    // 100 + 150 + 10 = 260, 20 over allocation; 260 ÷ 280 = 9285.71 →
    // 9285 bp. Forecast 1000 → short 100, no spare.
    let week = carrier_week(
        "a",
        d(2026, 11, 23),
        &capacity,
        1_000,
        [120, 0, 0, 150, 10, 0, 0],
        true,
    );
    assert_eq!(week.capacity, Some(900));
    assert_eq!((week.tendered, week.accepted), (280, 260));
    assert_eq!(week.over_allocation(), 20);
    assert_eq!(week.acceptance_bp(), Some(9_285));
    assert_eq!((week.shortfall, week.spare, week.uncovered), (100, 0, 100));
}

#[test]
fn no_stated_capacity_is_never_short_and_accepts_everything() {
    let week = carrier_week(
        "a",
        d(2026, 11, 23),
        &Capacity::default(),
        5_000,
        [10, 0, 0, 0, 0, 0, 0],
        true,
    );
    assert_eq!(week.capacity, None);
    assert_eq!((week.shortfall, week.spare), (0, 0));
    assert_eq!(week.acceptance_bp(), Some(10_000));
    assert_eq!(acceptance_bp(0, 0), None);
}

#[test]
fn overflow_goes_to_carriers_on_the_same_lanes_with_the_most_room_first() {
    let cap = |daily| Capacity {
        daily_parcels: daily,
        peaks: vec![],
    };
    let monday = d(2026, 11, 23);
    // Weekly capacities: A 700, B 350, C 1400, D 700, E 700 (inactive).
    // Forecasts: A 1000 → short 300; B 500 → short 150; C 1200 → spare
    // 200; D 600 → spare 100; E 0 → would have 700 but cannot take.
    let mut weeks = vec![
        carrier_week("a", monday, &cap(100), 1_000, [0; 7], true),
        carrier_week("b", monday, &cap(50), 500, [0; 7], true),
        carrier_week("c", monday, &cap(200), 1_200, [0; 7], true),
        carrier_week("d", monday, &cap(100), 600, [0; 7], true),
        carrier_week("e", monday, &cap(100), 0, [0; 7], false),
    ];
    let us = vec!["US".to_owned()];
    let ca = vec!["US-CA".to_owned()];
    let regions = |c: &str| -> &[String] {
        match c {
            "b" => &ca,
            _ => &us,
        }
    };
    // A (largest shortfall) first: C has the most room, 200; then D, 100
    // → covered. B serves only US-CA: nobody shares its lanes → 150
    // uncovered.
    place_overflow(&mut weeks, regions);
    assert_eq!(
        weeks[0].overflow,
        vec![("c".to_owned(), 200), ("d".to_owned(), 100)]
    );
    assert_eq!(weeks[0].uncovered, 0);
    assert!(weeks[1].overflow.is_empty());
    assert_eq!(weeks[1].uncovered, 150);
    assert_eq!(weeks[4].spare, 0);
}
