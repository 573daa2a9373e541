//! Zones, breaks, minimums and surcharges.

use recourse_money::MoneyError;

use super::*;

#[test]
fn longest_prefix_zone_wins() {
    let card = ground();
    assert_eq!(card.zone_for("10001", "90210"), Some("9"));
    assert_eq!(card.zone_for("10001", "91000"), Some("8"));
    assert_eq!(card.zone_for("19999", "95000"), Some("7"));
    assert_eq!(card.zone_for("60601", "30301"), Some("2"));
}

#[test]
fn longer_origin_prefix_beats_longer_destination_prefix() {
    let card = RateCard {
        zone_chart: vec![rule("1", "90210", "B"), rule("10001", "", "A")],
        ..ground()
    };
    assert_eq!(card.zone_for("10001", "90210"), Some("A"));
}

#[test]
fn exact_tie_goes_to_first_listed_rule() {
    let card = RateCard {
        zone_chart: vec![rule("1", "9", "X"), rule("1", "9", "Y")],
        ..ground()
    };
    assert_eq!(card.zone_for("1", "9"), Some("X"));
}

#[test]
fn no_matching_rule_is_no_zone() {
    let card = RateCard {
        zone_chart: vec![rule("1", "9", "X")],
        ..ground()
    };
    assert_eq!(card.zone_for("2", "9"), None);
    let p = Parcel {
        origin: "2".into(),
        destination: "9".into(),
        ..parcel(lb(1000))
    };
    assert_eq!(
        card.quote(&p),
        Err(RatingError::NoZone {
            origin: "2".into(),
            destination: "9".into()
        })
    );
}

#[test]
fn zone_without_breaks_or_without_rates_is_refused() {
    let p = Parcel {
        origin: "5".into(),
        destination: "5".into(),
        ..parcel(lb(1000))
    };
    assert_eq!(
        ground().quote(&p),
        Err(RatingError::NoRatesForZone("EMPTY".into()))
    );
    let p = Parcel {
        origin: "6".into(),
        ..p
    };
    assert_eq!(
        ground().quote(&p),
        Err(RatingError::NoRatesForZone("2".into()))
    );
}

#[test]
fn thirteen_lb_exactly_uses_the_13_lb_break_3000_plus_fuel_375() {
    let q = ground().quote(&parcel(lb(13_000))).unwrap();
    assert_eq!(q.zone, "8");
    assert_eq!(q.base_charge, usd(3000));
    assert!(!q.minimum_applied);
    assert_eq!(
        q.surcharges,
        vec![Charge {
            code: FUEL_CODE.into(),
            amount: usd(375)
        }]
    );
    assert_eq!(q.total, usd(3375));
}

#[test]
fn minimum_charge_replaces_small_base() {
    // 1 lb break is $5.00, the card minimum is $8.00
    let q = ground().quote(&parcel(lb(400))).unwrap();
    assert_eq!(q.billable_weight, lb(1000));
    assert_eq!(q.base_charge, usd(800));
    assert!(q.minimum_applied);
}

#[test]
fn fuel_12_5_percent_on_base_after_minimum() {
    // fuel is on the $8.00 minimum, not the $5.00 break: 100 cents
    let q = ground().quote(&parcel(lb(400))).unwrap();
    assert_eq!(
        q.surcharges[0],
        Charge {
            code: "FUEL".into(),
            amount: usd(100)
        }
    );
    assert_eq!(q.total, usd(900));
}

#[test]
fn fuel_on_1999_cent_base_rounds_249_875_to_250() {
    let card = RateCard {
        zone_rates: vec![ZoneRates {
            zone: "8".into(),
            breaks: vec![brk(5, 1999)],
        }],
        ..ground()
    };
    let q = card.quote(&parcel(lb(3000))).unwrap();
    assert_eq!(q.surcharges[0].amount, usd(250));
    assert_eq!(q.total, usd(2249));
}

#[test]
fn zero_fuel_is_still_listed_first() {
    let card = RateCard {
        fuel_surcharge_bp: 0,
        ..ground()
    };
    let q = card.quote(&parcel(lb(1500))).unwrap();
    assert_eq!(
        q.surcharges,
        vec![Charge {
            code: "FUEL".into(),
            amount: usd(0)
        }]
    );
    assert_eq!(q.total, usd(1200));
}

#[test]
fn accessorials_follow_fuel_in_request_order_total_1200_150_475_550_is_2375() {
    let p = Parcel {
        accessorials: vec!["RES".into(), "SIG".into()],
        ..parcel(lb(1500))
    };
    let q = ground().quote(&p).unwrap();
    let codes: Vec<&str> = q.surcharges.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["FUEL", "RES", "SIG"]);
    assert_eq!(q.total, usd(1200 + 150 + 475 + 550));
}

#[test]
fn weight_above_last_break_is_refused() {
    assert_eq!(
        ground().quote(&parcel(lb(70_001))),
        Err(RatingError::WeightBeyondCard {
            zone: "8".into(),
            billable_thousandths: 71_000,
            max_thousandths: 70_000
        })
    );
}

#[test]
fn unknown_accessorial_is_refused() {
    let p = Parcel {
        accessorials: vec!["SIG".into(), "HAZMAT".into()],
        ..parcel(lb(1500))
    };
    assert_eq!(
        ground().quote(&p),
        Err(RatingError::UnknownAccessorial("HAZMAT".into()))
    );
}

#[test]
fn accessorial_requested_twice_is_charged_once() {
    let p = Parcel {
        accessorials: vec!["SIG".into(), "RES".into(), "SIG".into()],
        ..parcel(lb(1500))
    };
    let q = ground().quote(&p).unwrap();
    let codes: Vec<&str> = q.surcharges.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["FUEL", "SIG", "RES"]);
    assert_eq!(q.total, usd(1200 + 150 + 550 + 475));
}

#[test]
fn minimum_in_another_currency_is_a_money_error() {
    let card = RateCard {
        minimum_charge: Money::new(800, Currency::EUR),
        ..ground()
    };
    assert!(matches!(
        card.quote(&parcel(lb(1500))),
        Err(RatingError::Money(MoneyError::CurrencyMismatch { .. }))
    ));
}

#[test]
fn quote_reports_dim_weight_and_actual() {
    let p = Parcel {
        dimensions: Some(inches(12, 12, 12)),
        ..parcel(lb(5000))
    };
    let q = ground().quote(&p).unwrap();
    assert_eq!(q.actual_weight, lb(5000));
    assert_eq!(q.dimensional_weight, Some(lb(12_432)));
    assert_eq!(q.billable_weight, lb(13_000));
    assert_eq!(q.base_charge, usd(3000));
}

#[test]
fn fuel_on_base_and_accessorials_is_12_5_pct_of_2225_is_278() {
    // 1.5 lb in zone 8 bills 2 lb: base 12.00; RES 4.75 + SIG 5.50.
    // Fuel on the base only: 12.5% × 12.00 = 1.50.
    // Fuel on base and accessorials: 12.5% × (12.00 + 4.75 + 5.50 = 22.25)
    // = 2.78125 → 2.78; total 12.00 + 2.78 + 4.75 + 5.50 = 25.03.
    let p = Parcel {
        accessorials: vec!["RES".into(), "SIG".into()],
        ..parcel(lb(1500))
    };
    let card = RateCard {
        fuel_basis: FuelBasis::BaseAndAccessorials,
        ..ground()
    };
    let q = card.quote(&p).unwrap();
    assert_eq!(q.surcharges[0].code, "FUEL");
    assert_eq!(q.surcharges[0].amount, usd(278));
    assert_eq!(q.total, usd(2503));
    assert_eq!(ground().quote(&p).unwrap().surcharges[0].amount, usd(150));
}

#[test]
fn rounding_each_side_up_first_turns_12_745_lb_into_15_lb() {
    // 12.2 × 12.1 × 12.0 in = 1771.44 in³ ÷ 139 = 12.744... → 12.745 lb,
    // rounded up to 13 lb: zone 8 break ≤ 13 lb = 30.00.
    // Sides rounded up first: 13 × 13 × 12 = 2028 in³ ÷ 139 = 14.589... →
    // 14.590 lb, rounded up to 15 lb: the ≤ 70 lb break = 90.00.
    let p = Parcel {
        dimensions: Some(Dimensions {
            length: 12_200,
            width: 12_100,
            height: 12_000,
            unit: LengthUnit::In,
        }),
        ..parcel(lb(5000))
    };
    let exact = ground().quote(&p).unwrap();
    assert_eq!(exact.dimensional_weight, Some(lb(12_745)));
    assert_eq!(
        (exact.billable_weight, exact.base_charge),
        (lb(13_000), usd(3000))
    );
    let card = RateCard {
        round_dimensions_up: true,
        ..ground()
    };
    let rounded = card.quote(&p).unwrap();
    assert_eq!(rounded.dimensional_weight, Some(lb(14_590)));
    assert_eq!(
        (rounded.billable_weight, rounded.base_charge),
        (lb(15_000), usd(9000))
    );
}
