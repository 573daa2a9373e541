//! The demo's fixed parts: a deterministic generator and the contract
//! terms every demo carrier signs (targets vary by carrier).

use recourse_proto::common::{LengthUnit, Money, WeightUnit};
use recourse_proto::contracts as pb;

/// xorshift64*: a few lines, deterministic everywhere (no dependency).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// 0..n
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

pub fn usd(amount_minor: i64) -> Option<Money> {
    Some(Money {
        amount_minor,
        currency_code: "USD".into(),
    })
}

pub fn terms(on_time_bp: u32) -> pb::ContractTerms {
    let rates = |level: &str| pb::RateCard {
        service_level: level.into(),
        zone_chart: vec![pb::ZoneRule {
            origin_prefix: String::new(),
            destination_prefix: String::new(),
            zone: "5".into(),
        }],
        weight_unit: WeightUnit::Lb.into(),
        dimension_unit: LengthUnit::In.into(),
        dim_divisor: 139,
        rounding: pb::WeightRounding::UpWhole.into(),
        zone_rates: vec![pb::ZoneRates {
            zone: "5".into(),
            weight_breaks: vec![pb::WeightBreak {
                max_weight_thousandths: 70_000,
                charge: usd(1_250),
            }],
        }],
        minimum_charge: usd(900),
        ..Default::default()
    };
    let sla = |level: &str, days: u32, target: u32| pb::SlaTerms {
        service_level: level.into(),
        period: pb::MeasurementPeriod::Weekly.into(),
        targets: Some(pb::SlaTargets {
            on_time_rate_min_bp: target,
            scan_compliance_min_bp: 0,
            exception_rate_max_bp: 400,
            claims_rate_max_bp: 150,
        }),
        metric: Some(pb::MetricDefinition {
            grace_minutes: 30,
            first_scan_hours: 24,
            max_scan_gap_hours: 48,
        }),
        transit: vec![pb::ZoneTransit {
            zone: "5".into(),
            business_days: days,
        }],
        delivery_commit_minute: 20 * 60,
        commit_kind: pb::CommitKind::TimeOfDay.into(),
        excusable_exceptions: vec![pb::ExcusableException {
            code: "WEATHER_DELAY".into(),
            category: pb::ExcuseCategory::Weather.into(),
        }],
        ..Default::default()
    };
    pb::ContractTerms {
        currency_code: "USD".into(),
        rate_cards: vec![rates("GROUND"), rates("EXPRESS")],
        liability: Some(pb::LiabilityTerms {
            default_per_package_limit: usd(10_000),
            declared_value_coverage: true,
            max_declared_value: usd(500_000),
            per_weight_unit_limit: None,
            filing_windows: vec![pb::FilingWindow {
                claim_type: pb::ClaimType::Loss.into(),
                days: 270,
                anchor: pb::FilingAnchor::ShipDate.into(),
                months: 0,
            }],
            ..Default::default()
        }),
        sla_terms: vec![
            sla("GROUND", 3, on_time_bp),
            sla("EXPRESS", 1, on_time_bp + 200),
        ],
        // The demo book has no return service levels (yet).
        returns: Vec::new(),
        // The default window (180 days from an invoice's receipt).
        invoice_dispute_days: 0,
    }
}
