//! Shared fixtures for service tests: a carrier, standard contract terms
//! (USD), shipments and tracking events, expressed as protobuf messages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::carriers as cpb;
use recourse_proto::common::{Date, Dimensions, LengthUnit, Money, Weight, WeightUnit};
use recourse_proto::contracts as pb;

pub fn usd(amount_minor: i64) -> Option<Money> {
    Some(Money {
        amount_minor,
        currency_code: "USD".into(),
    })
}

pub fn day(y: i32, m: u32, d: u32) -> Option<Date> {
    Some(date_to_proto(NaiveDate::from_ymd_opt(y, m, d).unwrap()))
}

pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

pub fn ts(t: DateTime<Utc>) -> Option<prost_types::Timestamp> {
    Some(timestamp_to_proto(t))
}

/// A carrier selling GROUND and NEXT_DAY (NEXT_DAY guaranteed).
pub fn carrier_request(code: &str) -> cpb::CreateCarrierRequest {
    let level = |code: &str, guaranteed: bool, max: u32| cpb::ServiceLevel {
        code: code.into(),
        display_name: code.into(),
        guaranteed,
        transit_days_min: 1,
        transit_days_max: max,
    };
    cpb::CreateCarrierRequest {
        request_id: format!("carrier-{code}"),
        carrier: Some(cpb::Carrier {
            code: code.into(),
            display_name: format!("Carrier {code}"),
            kind: cpb::CarrierKind::National.into(),
            regions: vec!["US".into()],
            service_levels: vec![level("GROUND", false, 5), level("NEXT_DAY", true, 1)],
            ..Default::default()
        }),
    }
}

fn zone_rates(zone: &str, charges: [i64; 4]) -> pb::ZoneRates {
    let maxes = [1_000, 5_000, 20_000, 70_000];
    pb::ZoneRates {
        zone: zone.into(),
        weight_breaks: maxes
            .iter()
            .zip(charges)
            .map(|(max, charge)| pb::WeightBreak {
                max_weight_thousandths: *max,
                charge: usd(charge),
            })
            .collect(),
    }
}

fn rule(origin: &str, destination: &str, zone: &str) -> pb::ZoneRule {
    pb::ZoneRule {
        origin_prefix: origin.into(),
        destination_prefix: destination.into(),
        zone: zone.into(),
    }
}

fn rate_card(level: &str) -> pb::RateCard {
    pb::RateCard {
        service_level: level.into(),
        zone_chart: vec![rule("", "", "5"), rule("9", "9", "2"), rule("9", "1", "8")],
        weight_unit: WeightUnit::Lb.into(),
        dimension_unit: LengthUnit::In.into(),
        dim_divisor: 139,
        rounding: pb::WeightRounding::UpWhole.into(),
        zone_rates: vec![
            zone_rates("2", [800, 1_000, 1_800, 4_000]),
            zone_rates("5", [1_000, 1_200, 2_200, 5_000]),
            zone_rates("8", [1_200, 1_500, 2_600, 6_000]),
        ],
        minimum_charge: usd(900),
        fuel_surcharge_bp: 1_250,
        accessorials: vec![
            pb::Accessorial {
                code: "RESIDENTIAL".into(),
                charge: usd(495),
            },
            pb::Accessorial {
                code: "SIGNATURE".into(),
                charge: usd(300),
            },
        ],
        ..Default::default()
    }
}

fn transit(days: [(&str, u32); 3]) -> Vec<pb::ZoneTransit> {
    days.iter()
        .map(|(zone, business_days)| pb::ZoneTransit {
            zone: (*zone).into(),
            business_days: *business_days,
        })
        .collect()
}

/// The standard terms every test contract uses (USD).
pub fn terms() -> pb::ContractTerms {
    pb::ContractTerms {
        invoice_dispute_days: 0,
        currency_code: "USD".into(),
        rate_cards: vec![rate_card("GROUND"), rate_card("NEXT_DAY")],
        liability: Some(pb::LiabilityTerms {
            default_per_package_limit: usd(10_000),
            declared_value_coverage: true,
            max_declared_value: usd(500_000),
            per_weight_unit_limit: None,
            filing_windows: vec![
                pb::FilingWindow {
                    claim_type: pb::ClaimType::Loss.into(),
                    days: 60,
                    anchor: pb::FilingAnchor::ShipDate.into(),
                    months: 0,
                },
                pb::FilingWindow {
                    claim_type: pb::ClaimType::Damage.into(),
                    days: 60,
                    anchor: pb::FilingAnchor::ActualDelivery.into(),
                    months: 0,
                },
                pb::FilingWindow {
                    claim_type: pb::ClaimType::Delay.into(),
                    days: 15,
                    anchor: pb::FilingAnchor::ActualDelivery.into(),
                    months: 0,
                },
            ],
            required_documents: vec![pb::RequiredDocuments {
                claim_type: pb::ClaimType::Damage.into(),
                kinds: vec![
                    pb::DocumentKind::Invoice.into(),
                    pb::DocumentKind::Photo.into(),
                ],
            }],
            acknowledge_within_days: 0,
            decide_within_days: 0,
            appeal_window_days: 0,
            max_appeals: 0,
        }),
        sla_terms: vec![
            pb::SlaTerms {
                service_level: "GROUND".into(),
                period: pb::MeasurementPeriod::Monthly.into(),
                targets: Some(pb::SlaTargets {
                    on_time_rate_min_bp: 9_500,
                    scan_compliance_min_bp: 9_000,
                    exception_rate_max_bp: 500,
                    claims_rate_max_bp: 100,
                }),
                metric: Some(pb::MetricDefinition {
                    grace_minutes: 60,
                    first_scan_hours: 24,
                    max_scan_gap_hours: 48,
                }),
                transit: transit([("2", 2), ("5", 3), ("8", 5)]),
                delivery_commit_minute: 20 * 60,
                commit_kind: pb::CommitKind::TimeOfDay.into(),
                holidays: vec![day(2026, 11, 26).unwrap()],
                guaranteed: false,
                refund_window_days: 0,
                credits: Some(pb::CreditSchedule {
                    credit_per_point: usd(2_500),
                    cap_per_period: usd(10_000),
                }),
                ..Default::default()
            },
            pb::SlaTerms {
                service_level: "NEXT_DAY".into(),
                period: pb::MeasurementPeriod::Weekly.into(),
                targets: Some(pb::SlaTargets {
                    on_time_rate_min_bp: 9_800,
                    ..Default::default()
                }),
                metric: Some(pb::MetricDefinition {
                    grace_minutes: 0,
                    first_scan_hours: 4,
                    max_scan_gap_hours: 12,
                }),
                transit: transit([("2", 1), ("5", 1), ("8", 1)]),
                delivery_commit_minute: 10 * 60 + 30,
                commit_kind: pb::CommitKind::TimeOfDay.into(),
                holidays: vec![],
                guaranteed: true,
                refund_window_days: 15,
                credits: None,
                ..Default::default()
            },
        ],
        returns: vec![],
    }
}

/// A GROUND shipment 94105 → 94016 (zone 2), 2 lb. Its time zones are
/// UTC so the worked examples' instants read as written; tests of local
/// time set real zones.
pub fn shipment(carrier: &str, tracking: &str, ship_time: DateTime<Utc>) -> pb::Shipment {
    pb::Shipment {
        origin_time_zone: "UTC".into(),
        destination_time_zone: "UTC".into(),
        carrier: carrier.into(),
        tracking_number: tracking.into(),
        service_level: "GROUND".into(),
        origin_postal_code: "94105".into(),
        destination_postal_code: "94016".into(),
        ship_time: ts(ship_time),
        weight: Some(Weight {
            thousandths: 2_000,
            unit: WeightUnit::Lb.into(),
        }),
        dimensions: Some(Dimensions {
            length_thousandths: 10_000,
            width_thousandths: 8_000,
            height_thousandths: 4_000,
            unit: LengthUnit::In.into(),
        }),
        billed_charge: usd(1_000),
        ..Default::default()
    }
}

pub fn event(
    id: &str,
    tracking: &str,
    kind: pb::TrackingEventType,
    at_time: DateTime<Utc>,
) -> pb::TrackingEvent {
    pb::TrackingEvent {
        carrier_event_id: id.into(),
        tracking_number: tracking.into(),
        r#type: kind.into(),
        occur_time: ts(at_time),
        location: "SFO".into(),
        exception_reason: String::new(),
    }
}
