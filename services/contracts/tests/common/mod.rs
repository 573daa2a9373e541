//! `spawn_app`: the carriers and contracts services on one fresh database,
//! served together on 127.0.0.1:0 (contracts asks carriers over real gRPC),
//! plus fixtures: a carrier, standard contract terms, shipments.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use recourse_platform::auth::Role;
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_platform::server::Host;
use recourse_proto::carriers as cpb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::common::{Date, Dimensions, LengthUnit, Money, Weight, WeightUnit};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_proto::contracts::event_service_client::EventServiceClient;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_proto::contracts::sla_service_client::SlaServiceClient;
use recourse_test_support::{Backend, TestAuth, TestDatabase, TestServer};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

pub type Authed = InterceptedService<Channel, OutboundInterceptor>;

pub struct TestApp {
    pub server: TestServer,
    pub auth: TestAuth,
    pub db: TestDatabase,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    let db = TestDatabase::new(backend).await;
    let auth = TestAuth::default();
    let carriers_db = recourse_carriers::database(&db.settings)
        .await
        .expect("carriers db");
    let contracts_db = recourse_contracts::database(&db.settings)
        .await
        .expect("contracts db");
    let keys = auth.keys.clone();
    let server = TestServer::start_with(move |url| {
        let mut host = Host::new();
        host.add_service(recourse_carriers::grpc_service(carriers_db, keys.clone()));
        let channel = recourse_platform::client::channel(url).expect("url");
        recourse_contracts::mount(&mut host, contracts_db, keys, channel);
        host
    })
    .await;
    TestApp { server, auth, db }
}

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

impl TestApp {
    fn channel(&self, role: Role, carrier: Option<&str>) -> Authed {
        let token = self.auth.token(role, carrier);
        self.server.authed(Some(&token))
    }

    pub fn contracts(&self, role: Role) -> ContractServiceClient<Authed> {
        ContractServiceClient::new(self.channel(role, None))
    }

    pub fn shipments(&self, role: Role) -> ShipmentServiceClient<Authed> {
        ShipmentServiceClient::new(self.channel(role, None))
    }

    pub fn sla(&self, role: Role) -> SlaServiceClient<Authed> {
        SlaServiceClient::new(self.channel(role, None))
    }

    pub fn events(&self, role: Role) -> EventServiceClient<Authed> {
        EventServiceClient::new(self.channel(role, None))
    }

    /// Clients for a partner of `carrier` (`carriers/{id}`).
    pub fn partner_contracts(&self, carrier: &str) -> ContractServiceClient<Authed> {
        ContractServiceClient::new(
            self.channel(Role::Partner, Some(carrier.trim_start_matches("carriers/"))),
        )
    }

    pub fn partner_shipments(&self, carrier: &str) -> ShipmentServiceClient<Authed> {
        ShipmentServiceClient::new(
            self.channel(Role::Partner, Some(carrier.trim_start_matches("carriers/"))),
        )
    }

    pub fn partner_events(&self, carrier: &str) -> EventServiceClient<Authed> {
        EventServiceClient::new(
            self.channel(Role::Partner, Some(carrier.trim_start_matches("carriers/"))),
        )
    }

    /// A carrier selling GROUND and NEXT_DAY; returns `carriers/{id}`.
    pub async fn carrier(&self, code: &str) -> String {
        let mut client = CarrierServiceClient::new(self.channel(Role::Admin, None));
        let level = |code: &str, guaranteed: bool, max: u32| cpb::ServiceLevel {
            code: code.into(),
            display_name: code.into(),
            guaranteed,
            transit_days_min: 1,
            transit_days_max: max,
        };
        client
            .create_carrier(cpb::CreateCarrierRequest {
                request_id: format!("carrier-{code}"),
                carrier: Some(cpb::Carrier {
                    code: code.into(),
                    display_name: format!("Carrier {code}"),
                    kind: cpb::CarrierKind::National.into(),
                    regions: vec!["US".into()],
                    service_levels: vec![level("GROUND", false, 5), level("NEXT_DAY", true, 1)],
                    ..Default::default()
                }),
            })
            .await
            .expect("create carrier")
            .into_inner()
            .name
    }

    /// Creates and activates a contract effective from `from`; returns its
    /// first version.
    pub async fn active_contract(
        &self,
        carrier: &str,
        reference: &str,
        from: Option<Date>,
    ) -> pb::ContractVersion {
        let mut client = self.contracts(Role::Admin);
        let contract = client
            .create_contract(pb::CreateContractRequest {
                request_id: format!("contract-{reference}"),
                carrier: carrier.into(),
                reference: reference.into(),
                display_name: format!("Contract {reference}"),
                effective_from: from,
                effective_to: None,
                terms: Some(terms()),
            })
            .await
            .expect("create contract")
            .into_inner();
        let draft = &contract.versions[0];
        client
            .activate_contract_version(pb::ActivateContractVersionRequest {
                name: draft.name.clone(),
                etag: draft.etag.clone(),
            })
            .await
            .expect("activate")
            .into_inner()
    }

    pub async fn register(&self, shipment: pb::Shipment) -> pb::Shipment {
        self.shipments(Role::Admin)
            .register_shipment(pb::RegisterShipmentRequest {
                request_id: format!("ship-{}", shipment.tracking_number),
                shipment: Some(shipment),
            })
            .await
            .expect("register shipment")
            .into_inner()
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
                },
                pb::FilingWindow {
                    claim_type: pb::ClaimType::Damage.into(),
                    days: 60,
                    anchor: pb::FilingAnchor::ActualDelivery.into(),
                },
                pb::FilingWindow {
                    claim_type: pb::ClaimType::Delay.into(),
                    days: 15,
                    anchor: pb::FilingAnchor::ActualDelivery.into(),
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
                holidays: vec![day(2026, 11, 26).unwrap()],
                guaranteed: false,
                refund_window_days: 0,
                credits: Some(pb::CreditSchedule {
                    credit_per_point: usd(2_500),
                    cap_per_period: usd(10_000),
                }),
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
                holidays: vec![],
                guaranteed: true,
                refund_window_days: 15,
                credits: None,
            },
        ],
    }
}

/// A GROUND shipment 94105 → 94016 (zone 2), 2 lb.
pub fn shipment(carrier: &str, tracking: &str, ship_time: DateTime<Utc>) -> pb::Shipment {
    pb::Shipment {
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

/// Streams `batches` of events for `carrier` and returns the summary.
pub async fn ingest(
    client: &mut ShipmentServiceClient<Authed>,
    carrier: &str,
    batches: Vec<Vec<pb::TrackingEvent>>,
) -> Result<pb::IngestTrackingEventsResponse, tonic::Status> {
    let messages: Vec<pb::IngestTrackingEventsRequest> = batches
        .into_iter()
        .map(|events| pb::IngestTrackingEventsRequest {
            carrier: carrier.into(),
            events,
        })
        .collect();
    client
        .ingest_tracking_events(tokio_stream::iter(messages))
        .await
        .map(tonic::Response::into_inner)
}

/// Field paths of the BadRequest in an INVALID_ARGUMENT status.
pub fn violated_fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt as _;
    status
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}
