//! `spawn_app`: carriers, contracts, claims and reporting on one fresh
//! database, served together on 127.0.0.1:0; reporting reads the three
//! feeds over real gRPC. Fixtures build a small book with a known answer.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use recourse_platform::auth::Role;
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::proto_types::date_to_proto;
use recourse_platform::server::Host;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::claims as clpb;
use recourse_proto::claims::claim_service_client::ClaimServiceClient;
use recourse_proto::claims::recovery_service_client::RecoveryServiceClient;
use recourse_proto::contracts as cpb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_proto::reporting as pb;
use recourse_proto::reporting::reporting_service_client::ReportingServiceClient;
use recourse_reporting::{Consumers, FeedChannels};
use recourse_test_support::{Backend, TestAuth, TestDatabase, TestServer};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio_stream::StreamExt as _;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

pub use recourse_test_support::fixtures::*;

pub type Authed = InterceptedService<Channel, OutboundInterceptor>;

pub struct TestApp {
    pub server: TestServer,
    pub auth: TestAuth,
    pub db: TestDatabase,
    pub consumers: Consumers,
    /// Each upstream's own connection and outbox, to know the feeds' heads.
    pub upstreams: Vec<(&'static str, DatabaseConnection, &'static str)>,
    pub reporting_db: DatabaseConnection,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    let db = TestDatabase::new(backend).await;
    let auth = TestAuth::default();
    let carriers_db = recourse_carriers::database(&db.settings).await.expect("db");
    let contracts_db = recourse_contracts::database(&db.settings)
        .await
        .expect("db");
    let claims_db = recourse_claims::database(&db.settings).await.expect("db");
    let reporting_db = recourse_reporting::database(&db.settings)
        .await
        .expect("db");
    let upstreams = vec![
        ("carriers", carriers_db.clone(), "carriers_outbox"),
        ("contracts", contracts_db.clone(), "contracts_outbox"),
        ("claims", claims_db.clone(), "claims_outbox"),
    ];
    let documents = db.data_dir().join("documents");
    let keys = auth.keys.clone();
    let slot: Arc<Mutex<Option<Consumers>>> = Arc::default();
    let out = slot.clone();
    let reporting_conn = reporting_db.clone();
    let server = TestServer::start_with(move |url| {
        let mut host = Host::new();
        recourse_carriers::mount(&mut host, carriers_db, keys.clone());
        let channel = recourse_platform::client::channel(url).expect("url");
        recourse_contracts::mount(&mut host, contracts_db, keys.clone(), channel.clone());
        recourse_claims::mount(
            &mut host,
            claims_db,
            keys.clone(),
            channel.clone(),
            documents,
            1024 * 1024,
        );
        let consumers = recourse_reporting::mount(
            &mut host,
            reporting_db,
            keys,
            FeedChannels {
                carriers: channel.clone(),
                contracts: channel.clone(),
                claims: channel,
            },
        );
        *out.lock().unwrap() = Some(consumers);
        host
    })
    .await;
    let consumers = slot.lock().unwrap().take().expect("consumers");
    TestApp {
        server,
        auth,
        db,
        consumers,
        upstreams,
        reporting_db: reporting_conn,
    }
}

/// The book of `world`: see `book`.
pub struct World {
    pub carrier: String,
}

impl TestApp {
    pub fn channel(&self, role: Role, carrier: Option<&str>) -> Authed {
        let token = self
            .auth
            .token(role, carrier.map(|c| c.trim_start_matches("carriers/")));
        self.server.authed(Some(&token))
    }

    pub fn reporting(&self, role: Role) -> ReportingServiceClient<Authed> {
        ReportingServiceClient::new(self.channel(role, None))
    }

    pub fn partner_reporting(&self, carrier: &str) -> ReportingServiceClient<Authed> {
        ReportingServiceClient::new(self.channel(Role::Carrier, Some(carrier)))
    }

    pub fn claims(&self, role: Role) -> ClaimServiceClient<Authed> {
        ClaimServiceClient::new(self.channel(role, None))
    }

    pub fn partner_claims(&self, carrier: &str) -> ClaimServiceClient<Authed> {
        ClaimServiceClient::new(self.channel(Role::Carrier, Some(carrier)))
    }

    pub fn recoveries(&self, role: Role) -> RecoveryServiceClient<Authed> {
        RecoveryServiceClient::new(self.channel(role, None))
    }

    pub fn shipments(&self) -> ShipmentServiceClient<Authed> {
        ShipmentServiceClient::new(self.channel(Role::Admin, None))
    }

    /// A carrier with an active contract (standard terms, WEATHER_DELAY
    /// excusable on GROUND) effective 400 days ago.
    pub async fn world(&self, code: &str) -> World {
        let carrier = CarrierServiceClient::new(self.channel(Role::Admin, None))
            .create_carrier(carrier_request(code))
            .await
            .expect("carrier")
            .into_inner()
            .name;
        let mut t = terms();
        t.sla_terms[0].excusable_exceptions = vec![cpb::ExcusableException {
            code: "WEATHER_DELAY".into(),
            category: cpb::ExcuseCategory::Weather.into(),
        }];
        let mut contracts = ContractServiceClient::new(self.channel(Role::Admin, None));
        let from = (Utc::now() - chrono::Duration::days(400)).date_naive();
        let contract = contracts
            .create_contract(cpb::CreateContractRequest {
                request_id: format!("contract-{code}"),
                carrier: carrier.clone(),
                reference: format!("MSA-{code}"),
                display_name: "Master".into(),
                effective_from: Some(date_to_proto(from)),
                effective_to: None,
                terms: Some(t),
            })
            .await
            .expect("contract")
            .into_inner();
        let v = &contract.versions[0];
        contracts
            .activate_contract_version(cpb::ActivateContractVersionRequest {
                name: v.name.clone(),
                etag: v.etag.clone(),
            })
            .await
            .expect("activate");
        World { carrier }
    }

    /// Registers a GROUND shipment; returns it as registered.
    pub async fn register(
        &self,
        world: &World,
        tracking: &str,
        at: DateTime<Utc>,
    ) -> cpb::Shipment {
        self.shipments()
            .register_shipment(cpb::RegisterShipmentRequest {
                request_id: format!("ship-{tracking}"),
                shipment: Some(shipment(&world.carrier, tracking, at)),
            })
            .await
            .expect("register")
            .into_inner()
    }

    pub async fn track(&self, world: &World, events: Vec<cpb::TrackingEvent>) {
        self.shipments()
            .ingest_tracking_events(tokio_stream::iter([cpb::IngestTrackingEventsRequest {
                carrier: world.carrier.clone(),
                events,
            }]))
            .await
            .expect("ingest");
    }

    /// Waits (up to 20 s) until every consumer has applied everything its
    /// upstream feed holds.
    pub async fn caught_up(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let mut heads = Vec::new();
            for (feed, conn, table) in &self.upstreams {
                let row = conn
                    .query_one_raw(sea_orm::Statement::from_string(
                        conn.get_database_backend(),
                        format!(
                            "SELECT COALESCE(MAX(position), 0) AS head, \
                             CAST(SUM(CASE WHEN position IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS unnumbered \
                             FROM {table}"
                        ),
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                let head: i64 = row.try_get("", "head").unwrap();
                let unnumbered: Option<i64> = row.try_get("", "unnumbered").unwrap();
                heads.push((*feed, head, unnumbered.unwrap_or(0)));
            }
            let status = self.feed_status().await;
            let done = heads.iter().all(|(feed, head, unnumbered)| {
                *unnumbered == 0
                    && status
                        .iter()
                        .any(|s| s.feed == *feed && s.position == *head)
            });
            if done {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "feeds not caught up: upstream {heads:?}, reporting {status:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn feed_status(&self) -> Vec<pb::FeedStatus> {
        self.reporting(Role::Admin)
            .get_feed_status(pb::GetFeedStatusRequest {})
            .await
            .unwrap()
            .into_inner()
            .feeds
    }

    /// A report exported as CSV, the chunks joined.
    pub async fn export(&self, role: Role, report: pb::export_report_request::Report) -> String {
        let mut stream = self
            .reporting(role)
            .export_report(pb::ExportReportRequest {
                report: Some(report),
            })
            .await
            .unwrap()
            .into_inner();
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next().await {
            bytes.extend(chunk.unwrap().data);
        }
        String::from_utf8(bytes).unwrap()
    }

    /// A LOSS claim of 1 × `value` on `shipment`, submitted.
    pub async fn claim(&self, shipment: &str, value: i64) -> clpb::Claim {
        let mut internal = self.claims(Role::Internal);
        let draft = internal
            .create_claim(clpb::CreateClaimRequest {
                request_id: format!("claim-{shipment}"),
                claim: Some(clpb::Claim {
                    shipment: shipment.into(),
                    r#type: cpb::ClaimType::Loss.into(),
                    claimant: Some(clpb::Claimant {
                        kind: clpb::ClaimantKind::InternalTeam.into(),
                        name: "Customer care".into(),
                        on_behalf_of: String::new(),
                    }),
                    line_items: vec![clpb::LineItem {
                        sku: "SKU-1".into(),
                        description: "Vase".into(),
                        quantity: 1,
                        unit_value: usd(value),
                    }],
                    ..Default::default()
                }),
            })
            .await
            .expect("claim")
            .into_inner();
        internal
            .submit_claim(clpb::SubmitClaimRequest {
                request_id: format!("submit-{}", draft.name),
                name: draft.name.clone(),
                etag: draft.etag.clone(),
                override_late_filing: false,
                override_justification: String::new(),
            })
            .await
            .expect("submit")
            .into_inner()
    }

    /// The carrier moves `claim` to `to` (with an approved amount).
    pub async fn decide(
        &self,
        carrier: &str,
        claim: &clpb::Claim,
        to: clpb::ClaimStatus,
        amount: Option<i64>,
    ) -> clpb::Claim {
        self.partner_claims(carrier)
            .transition_claim(clpb::TransitionClaimRequest {
                request_id: format!("{}-{to:?}-{}", claim.name, claim.etag),
                name: claim.name.clone(),
                etag: claim.etag.clone(),
                to: to.into(),
                reason: "reviewed".into(),
                approved_amount: amount.and_then(usd),
                override_cap: false,
            })
            .await
            .expect("transition")
            .into_inner()
    }

    /// A claim submitted, acknowledged, reviewed and approved for `approve`.
    pub async fn approved(
        &self,
        world: &World,
        shipment: &str,
        value: i64,
        approve: i64,
    ) -> clpb::Claim {
        use clpb::ClaimStatus as S;
        let c = self.claim(shipment, value).await;
        let c = self.decide(&world.carrier, &c, S::Acknowledged, None).await;
        let c = self.decide(&world.carrier, &c, S::UnderReview, None).await;
        let to = if approve < value {
            S::PartiallyApproved
        } else {
            S::Approved
        };
        self.decide(&world.carrier, &c, to, Some(approve)).await
    }
}

/// The highest position of `feed`'s outbox, read from its own database.
pub async fn upstream_head(app: &TestApp, feed: &str) -> i64 {
    let (_, conn, table) = app.upstreams.iter().find(|(f, _, _)| *f == feed).unwrap();
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT COALESCE(MAX(position), 0) AS head FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "head").unwrap()
}
