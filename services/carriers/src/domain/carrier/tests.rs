//! The aggregate's rules: peak windows, patches.

use chrono::{NaiveDate, Utc};

use super::*;
use crate::domain::values::{CarrierCode, CarrierId, CarrierKind, Etag, Region};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn overlapping_peak_windows_are_refused() {
    let peak = |s, e| PeakAllocation {
        start: s,
        end: e,
        daily_parcels: 10,
    };
    let err = Capacity::new(
        5,
        vec![
            (0, peak(date(2026, 11, 20), date(2026, 12, 31))),
            (1, peak(date(2026, 12, 24), date(2027, 1, 5))),
        ],
    )
    .unwrap_err();
    assert_eq!(err.0, 1);
    let inverted = Capacity::new(5, vec![(0, peak(date(2026, 12, 2), date(2026, 12, 1)))]);
    assert_eq!(inverted.unwrap_err().0, 0);
}

#[test]
fn peak_window_raises_the_daily_allocation_on_its_dates_only() {
    let capacity = Capacity::new(
        1_000,
        vec![(
            0,
            PeakAllocation {
                start: date(2026, 11, 23),
                end: date(2026, 12, 24),
                daily_parcels: 4_000,
            },
        )],
    )
    .unwrap();
    assert_eq!(capacity.daily_parcels_on(date(2026, 11, 22)), 1_000);
    assert_eq!(capacity.daily_parcels_on(date(2026, 11, 23)), 4_000);
    assert_eq!(capacity.daily_parcels_on(date(2026, 12, 24)), 4_000);
    assert_eq!(capacity.daily_parcels_on(date(2026, 12, 25)), 1_000);
}

#[test]
fn applying_a_patch_bumps_the_etag_and_keeps_untouched_fields() {
    let now = Utc::now();
    let carrier = NewCarrier {
        code: CarrierCode::parse("ACME").unwrap(),
        display_name: "Acme".into(),
        kind: CarrierKind::Regional,
        regions: vec![Region::parse("US-CA").unwrap()],
        service_levels: vec![],
        capacity: Capacity::default(),
        contact_email: None,
    }
    .into_carrier(CarrierId::generate(), now);
    let patched = carrier.clone().apply(
        CarrierPatch {
            display_name: Some("Acme Express".into()),
            ..CarrierPatch::default()
        },
        now,
    );
    assert_eq!(patched.display_name, "Acme Express");
    assert_eq!(patched.regions, carrier.regions);
    assert_eq!(patched.etag, Etag(2));
}
