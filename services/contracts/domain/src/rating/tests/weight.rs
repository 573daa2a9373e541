//! Billable weight: conversion, DIM weight and rounding.

use super::*;

#[test]
fn dim_12x12x12_in_divisor_139_is_12_432_lb_billed_13() {
    // 1728 in³ / 139 = 12.4316... → 12.432 lb (up to a thousandth) → 13 lb
    let (actual, dim, billable) = ground()
        .billable_weight(lb(5000), Some(inches(12, 12, 12)))
        .unwrap();
    assert_eq!(actual, lb(5000));
    assert_eq!(dim, Some(lb(12_432)));
    assert_eq!(billable, lb(13_000));
}

#[test]
fn heavier_actual_weight_beats_dim_weight() {
    let (_, dim, billable) = ground()
        .billable_weight(lb(20_100), Some(inches(12, 12, 12)))
        .unwrap();
    assert_eq!(dim, Some(lb(12_432)));
    assert_eq!(billable, lb(21_000));
}

#[test]
fn half_pound_rounding_2_1_lb_bills_2_5() {
    let card = RateCard {
        rounding: Rounding::UpHalf,
        ..ground()
    };
    let (_, dim, billable) = card.billable_weight(lb(2100), None).unwrap();
    assert_eq!(dim, None);
    assert_eq!(billable, lb(2500));
}

#[test]
fn tenth_rounding_2_01_lb_bills_2_1_and_2_0_stays_2_0() {
    let card = RateCard {
        rounding: Rounding::UpTenth,
        ..ground()
    };
    assert_eq!(card.billable_weight(lb(2010), None).unwrap().2, lb(2100));
    assert_eq!(card.billable_weight(lb(2000), None).unwrap().2, lb(2000));
}

#[test]
fn kg_card_5000_divisor_40x30x20_cm_is_4_8_kg() {
    // 24_000 cm³ / 5000 = 4.8 kg → half-kilo rounding bills 5.0 kg
    let dims = Dimensions {
        length: 40_000,
        width: 30_000,
        height: 20_000,
        unit: LengthUnit::Cm,
    };
    let (actual, dim, billable) = metric().billable_weight(kg(3000), Some(dims)).unwrap();
    assert_eq!(actual, kg(3000));
    assert_eq!(dim, Some(kg(4800)));
    assert_eq!(billable, kg(5000));
}

#[test]
fn lb_parcel_on_kg_card_converts_up() {
    // 10 lb = 4.5359237 kg → 4.536 kg → half-kilo rounding bills 5.0 kg
    let (actual, _, billable) = metric().billable_weight(lb(10_000), None).unwrap();
    assert_eq!(actual, kg(4536));
    assert_eq!(billable, kg(5000));
}

#[test]
fn inch_box_on_cm_card_converts_up_10x10x10_in_is_3_278_kg() {
    // 25.4³ cm³ = 16_387.064 cm³ / 5000 = 3.2774128 kg → 3.278
    let (_, dim, _) = metric()
        .billable_weight(kg(1000), Some(inches(10, 10, 10)))
        .unwrap();
    assert_eq!(dim, Some(kg(3278)));
}

#[test]
fn zero_divisor_card_ignores_dimensions() {
    let card = RateCard {
        dim_divisor: 0,
        ..ground()
    };
    let (_, dim, billable) = card
        .billable_weight(lb(1000), Some(inches(30, 30, 30)))
        .unwrap();
    assert_eq!(dim, None);
    assert_eq!(billable, lb(1000));
}

#[test]
fn non_positive_weight_or_side_is_invalid() {
    let card = ground();
    assert!(matches!(
        card.billable_weight(lb(0), None),
        Err(RatingError::InvalidWeight(_) | RatingError::InvalidDimensions)
    ));
    assert!(matches!(
        card.billable_weight(lb(-5), None),
        Err(RatingError::InvalidWeight(_) | RatingError::InvalidDimensions)
    ));
    assert!(matches!(
        card.billable_weight(lb(1000), Some(inches(10, 0, 10))),
        Err(RatingError::InvalidWeight(_) | RatingError::InvalidDimensions)
    ));
}

#[test]
fn huge_box_overflows_into_an_error_not_a_panic() {
    let dims = Dimensions {
        length: i64::MAX,
        width: i64::MAX,
        height: i64::MAX,
        unit: LengthUnit::In,
    };
    assert_eq!(
        ground().billable_weight(lb(1000), Some(dims)),
        Err(RatingError::DimensionsOverflow)
    );
}

#[test]
fn an_overflowing_weight_is_the_weights_fault_and_a_box_the_dimensions() {
    let heavy = Weight::new(i64::MAX, WeightUnit::Kg);
    assert_eq!(
        ground().billable_weight(heavy, None),
        Err(RatingError::WeightOverflow)
    );
    // 10^9 in a side: (10^12 thousandths)^3 / (10^6 × 139) thousandths of
    // a pound is about 7 × 10^27, past i64.
    let dims = Dimensions {
        length: 1_000_000_000_000,
        width: 1_000_000_000_000,
        height: 1_000_000_000_000,
        unit: LengthUnit::In,
    };
    assert_eq!(
        ground().billable_weight(lb(1000), Some(dims)),
        Err(RatingError::DimensionsOverflow)
    );
}
