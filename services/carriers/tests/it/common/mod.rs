//! `spawn_app`: the carriers service on its own fresh database, served on
//! 127.0.0.1:0, with clients for any principal.

#![allow(dead_code, clippy::expect_used)]

use recourse_platform::auth::Role;
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::server::Host;
use recourse_proto::carriers as pb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_test_support::{Backend, TestAuth, TestDatabase, TestServer};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

pub type Client = CarrierServiceClient<InterceptedService<Channel, OutboundInterceptor>>;

pub struct TestApp {
    pub server: TestServer,
    pub auth: TestAuth,
    pub db: TestDatabase,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    let db = TestDatabase::new(backend).await;
    let auth = TestAuth::default();
    let conn = recourse_carriers::database(&db.settings)
        .await
        .expect("carriers database");
    let mut host = Host::new();
    recourse_carriers::mount(&mut host, conn, auth.keys.clone());
    let server = TestServer::start(host).await;
    TestApp { server, auth, db }
}

impl TestApp {
    pub fn client(&self, role: Role) -> Client {
        let token = self.auth.token(role, None);
        CarrierServiceClient::new(self.server.authed(Some(&token)))
    }

    pub fn admin(&self) -> Client {
        self.client(Role::Admin)
    }

    /// A partner of the carrier named `carriers/{id}`.
    pub fn partner(&self, carrier_name: &str) -> Client {
        let id = carrier_name.trim_start_matches("carriers/");
        let token = self.auth.token(Role::Carrier, Some(id));
        CarrierServiceClient::new(self.server.authed(Some(&token)))
    }

    pub fn anonymous(&self) -> Client {
        CarrierServiceClient::new(self.server.authed(None))
    }

    pub fn with_raw_token(&self, token: &str) -> Client {
        CarrierServiceClient::new(self.server.authed(Some(token)))
    }

    /// Registers a carrier with `code` and returns it.
    pub async fn create(&self, code: &str) -> pb::Carrier {
        self.admin()
            .create_carrier(create_request(&format!("req-{code}"), code))
            .await
            .expect("create carrier")
            .into_inner()
    }
}

pub fn carrier(code: &str) -> pb::Carrier {
    pb::Carrier {
        code: code.to_owned(),
        display_name: format!("Carrier {code}"),
        kind: pb::CarrierKind::National.into(),
        regions: vec!["US".into(), "US-CA".into()],
        service_levels: vec![
            pb::ServiceLevel {
                code: "GROUND".into(),
                display_name: "Ground".into(),
                guaranteed: false,
                transit_days_min: 1,
                transit_days_max: 5,
            },
            pb::ServiceLevel {
                code: "NEXT_DAY".into(),
                display_name: "Next day".into(),
                guaranteed: true,
                transit_days_min: 1,
                transit_days_max: 1,
            },
        ],
        capacity: Some(pb::Capacity {
            daily_parcels: 10_000,
            peak_allocations: vec![pb::PeakAllocation {
                start_date: Some(recourse_proto::common::Date {
                    year: 2026,
                    month: 11,
                    day: 23,
                }),
                end_date: Some(recourse_proto::common::Date {
                    year: 2026,
                    month: 12,
                    day: 24,
                }),
                daily_parcels: 25_000,
            }],
        }),
        contact_email: "claims@carrier.example".into(),
        ..pb::Carrier::default()
    }
}

pub fn create_request(request_id: &str, code: &str) -> pb::CreateCarrierRequest {
    pb::CreateCarrierRequest {
        request_id: request_id.to_owned(),
        carrier: Some(carrier(code)),
    }
}

/// Field paths of the `google.rpc.BadRequest` in an INVALID_ARGUMENT status.
pub fn violated_fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt as _;
    status
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}
