//! `spawn_app`: carriers, contracts and claims on one fresh database, served
//! together on 127.0.0.1:0 (claims asks contracts, contracts asks carriers,
//! over real gRPC), with clients for any principal and claim fixtures.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use chrono::{DateTime, Duration, Utc};
use recourse_platform::auth::Role;
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::proto_types::date_to_proto;
use recourse_platform::server::Host;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::claims as pb;
use recourse_proto::claims::claim_service_client::ClaimServiceClient;
use recourse_proto::claims::dispute_service_client::DisputeServiceClient;
use recourse_proto::claims::escalation_service_client::EscalationServiceClient;
use recourse_proto::claims::event_service_client::EventServiceClient;
use recourse_proto::claims::recovery_service_client::RecoveryServiceClient;
use recourse_proto::contracts as cpb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_proto::contracts::invoice_service_client::InvoiceServiceClient;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_proto::contracts::sla_service_client::SlaServiceClient;
use recourse_test_support::{Backend, TestAuth, TestDatabase, TestServer};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

pub use recourse_test_support::fixtures::*;

pub type Authed = InterceptedService<Channel, OutboundInterceptor>;

pub struct TestApp {
    pub server: TestServer,
    pub auth: TestAuth,
    pub db: TestDatabase,
    /// The claims service's own connection, for tests that stand in for the
    /// passage of time by backdating history.
    pub claims_db: sea_orm::DatabaseConnection,
    /// The claims service's clock (disputes, the escalation queue): starts
    /// at the real now; tests move it.
    pub now: std::sync::Arc<std::sync::Mutex<DateTime<Utc>>>,
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
    let claims_db = recourse_claims::database(&db.settings)
        .await
        .expect("claims db");
    let documents = db.data_dir().join("documents");
    let keys = auth.keys.clone();
    let claims_conn = claims_db.clone();
    let now = std::sync::Arc::new(std::sync::Mutex::new(Utc::now()));
    let read = now.clone();
    let clock = recourse_claims::clock::Clock::new(move || *read.lock().unwrap());
    let server = TestServer::start_with(move |url| {
        let mut host = Host::new();
        recourse_carriers::mount(&mut host, carriers_db, keys.clone());
        let channel = recourse_platform::client::channel(url).expect("url");
        recourse_contracts::mount(&mut host, contracts_db, keys.clone(), channel.clone());
        recourse_claims::mount_with_clock(
            &mut host,
            claims_db,
            keys,
            channel,
            documents,
            1024 * 1024,
            clock,
        );
        host
    })
    .await;
    TestApp {
        server,
        auth,
        db,
        claims_db: claims_conn,
        now,
    }
}

/// The world a claim test starts from: a carrier with a contract in force
/// for the last 400 days.
pub struct World {
    pub carrier: String,
}

impl TestApp {
    fn channel(&self, role: Role, carrier: Option<&str>) -> Authed {
        let token = self
            .auth
            .token(role, carrier.map(|c| c.trim_start_matches("carriers/")));
        self.server.authed(Some(&token))
    }

    pub fn claims(&self, role: Role) -> ClaimServiceClient<Authed> {
        ClaimServiceClient::new(self.channel(role, None))
    }

    pub fn partner_claims(&self, carrier: &str) -> ClaimServiceClient<Authed> {
        ClaimServiceClient::new(self.channel(Role::Carrier, Some(carrier)))
    }

    /// A 3PL principal acting for `account`.
    pub fn tpl_claims(&self, account: &str) -> ClaimServiceClient<Authed> {
        ClaimServiceClient::new(self.channel(Role::ThirdParty, Some(account)))
    }

    pub fn recoveries(&self, role: Role) -> RecoveryServiceClient<Authed> {
        RecoveryServiceClient::new(self.channel(role, None))
    }

    pub fn events(&self, role: Role, carrier: Option<&str>) -> EventServiceClient<Authed> {
        EventServiceClient::new(self.channel(role, carrier))
    }

    /// Moves the claims service's clock on by `days`.
    pub fn advance(&self, days: i64) {
        let mut now = self.now.lock().unwrap();
        *now += Duration::days(days);
    }

    pub fn disputes(&self, role: Role) -> DisputeServiceClient<Authed> {
        DisputeServiceClient::new(self.channel(role, None))
    }

    pub fn partner_disputes(&self, carrier: &str) -> DisputeServiceClient<Authed> {
        DisputeServiceClient::new(self.channel(Role::Carrier, Some(carrier)))
    }

    pub fn escalations(&self, role: Role) -> EscalationServiceClient<Authed> {
        EscalationServiceClient::new(self.channel(role, None))
    }

    pub fn partner_escalations(&self, carrier: &str) -> EscalationServiceClient<Authed> {
        EscalationServiceClient::new(self.channel(Role::Carrier, Some(carrier)))
    }

    pub fn sla(&self) -> SlaServiceClient<Authed> {
        SlaServiceClient::new(self.channel(Role::Admin, None))
    }

    pub fn invoices(&self) -> InvoiceServiceClient<Authed> {
        InvoiceServiceClient::new(self.channel(Role::Finance, None))
    }

    pub fn shipments(&self) -> ShipmentServiceClient<Authed> {
        ShipmentServiceClient::new(self.channel(Role::Admin, None))
    }

    /// A carrier and an active contract effective 400 days ago.
    pub async fn world(&self, code: &str) -> World {
        self.world_with(code, terms()).await
    }

    /// A carrier and an active contract on `terms`, effective 400 days ago.
    pub async fn world_with(&self, code: &str, terms: cpb::ContractTerms) -> World {
        self.world_from(carrier_request(code), terms).await
    }

    /// A carrier made from `request` and an active contract on `terms`,
    /// effective 400 days ago.
    pub async fn world_from(
        &self,
        request: recourse_proto::carriers::CreateCarrierRequest,
        terms: cpb::ContractTerms,
    ) -> World {
        let code = request
            .carrier
            .as_ref()
            .map(|c| c.code.clone())
            .unwrap_or_default();
        let carrier = CarrierServiceClient::new(self.channel(Role::Admin, None))
            .create_carrier(request)
            .await
            .expect("carrier")
            .into_inner()
            .name;
        let mut contracts = ContractServiceClient::new(self.channel(Role::Admin, None));
        let from = (Utc::now() - Duration::days(400)).date_naive();
        let contract = contracts
            .create_contract(cpb::CreateContractRequest {
                request_id: format!("contract-{code}"),
                carrier: carrier.clone(),
                reference: format!("MSA-{code}"),
                display_name: "Master".into(),
                effective_from: Some(date_to_proto(from)),
                effective_to: None,
                terms: Some(terms),
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

    /// A GROUND shipment shipped `days_ago`, delivered a day later unless
    /// `delivered` is false. Returns `shipments/{id}`.
    pub async fn shipped(
        &self,
        world: &World,
        tracking: &str,
        days_ago: i64,
        delivered: bool,
    ) -> String {
        let ship_time = Utc::now() - Duration::days(days_ago);
        self.ship(
            world,
            shipment(&world.carrier, tracking, ship_time),
            delivered.then(|| ship_time + Duration::days(1)),
        )
        .await
    }

    pub async fn ship(
        &self,
        world: &World,
        s: cpb::Shipment,
        delivered: Option<DateTime<Utc>>,
    ) -> String {
        let tracking = s.tracking_number.clone();
        let registered = self
            .shipments()
            .register_shipment(cpb::RegisterShipmentRequest {
                request_id: format!("ship-{tracking}"),
                shipment: Some(s),
            })
            .await
            .expect("register")
            .into_inner();
        if let Some(at) = delivered {
            let events = vec![event(
                &format!("{tracking}-d"),
                &tracking,
                cpb::TrackingEventType::Delivered,
                at,
            )];
            self.shipments()
                .ingest_tracking_events(tokio_stream::iter([cpb::IngestTrackingEventsRequest {
                    carrier: world.carrier.clone(),
                    events,
                }]))
                .await
                .expect("ingest");
        }
        registered.name
    }
}

/// A draft request for `shipment`: `quantity` × `unit` USD of type `kind`.
pub fn claim_request(
    request_id: &str,
    shipment: &str,
    kind: cpb::ClaimType,
    quantity: u32,
    unit: i64,
) -> pb::CreateClaimRequest {
    pb::CreateClaimRequest {
        request_id: request_id.into(),
        claim: Some(pb::Claim {
            shipment: shipment.into(),
            r#type: kind.into(),
            claimant: Some(pb::Claimant {
                kind: pb::ClaimantKind::InternalTeam.into(),
                name: "Customer care".into(),
                on_behalf_of: String::new(),
            }),
            line_items: vec![pb::LineItem {
                sku: "SKU-1".into(),
                description: "Ceramic vase".into(),
                quantity,
                unit_value: usd(unit),
            }],
            notes: "Box crushed".into(),
            ..Default::default()
        }),
    }
}

pub fn document(kind: cpb::DocumentKind, name: &str) -> pb::Document {
    pb::Document {
        kind: kind.into(),
        file_name: name.into(),
        size_bytes: 1_024,
        sha256: "a".repeat(64),
        storage_uri: format!("s3://evidence/{name}"),
        ..Default::default()
    }
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

/// The precondition kind of a FAILED_PRECONDITION status (e.g.
/// `APPEAL_WINDOW_CLOSED`).
pub fn kind_of(status: &tonic::Status) -> String {
    use tonic_types::StatusExt as _;
    status
        .get_error_details()
        .precondition_failure()
        .and_then(|p| p.violations.first().map(|v| v.r#type.clone()))
        .unwrap_or_default()
}

pub async fn transition(
    client: &mut ClaimServiceClient<Authed>,
    claim: &pb::Claim,
    to: pb::ClaimStatus,
    reason: &str,
    amount: Option<i64>,
) -> Result<pb::Claim, tonic::Status> {
    client
        .transition_claim(pb::TransitionClaimRequest {
            request_id: format!("{}-{to:?}-{}", claim.name, claim.etag),
            name: claim.name.clone(),
            etag: claim.etag.clone(),
            to: to.into(),
            reason: reason.into(),
            approved_amount: amount.and_then(usd),
            override_cap: false,
        })
        .await
        .map(tonic::Response::into_inner)
}

pub async fn submit(
    client: &mut ClaimServiceClient<Authed>,
    claim: &pb::Claim,
) -> Result<pb::Claim, tonic::Status> {
    client
        .submit_claim(pb::SubmitClaimRequest {
            request_id: format!("submit-{}-{}", claim.name, claim.etag),
            name: claim.name.clone(),
            etag: claim.etag.clone(),
            override_late_filing: false,
            override_justification: String::new(),
        })
        .await
        .map(tonic::Response::into_inner)
}

/// Moves the history entries of `claim` into `to_status` back to `at` (as
/// if that decision had been taken then).
pub async fn backdate_history(app: &TestApp, claim: &str, to_status: &str, at: DateTime<Utc>) {
    use sea_orm::{ConnectionTrait as _, DbBackend, Statement};
    let backend = app.claims_db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE claim_history SET at = $1 WHERE claim_id = $2 AND to_status = $3"
        }
        _ => "UPDATE claim_history SET at = ? WHERE claim_id = ? AND to_status = ?",
    };
    let id = claim.trim_start_matches("claims/").to_owned();
    let done = app
        .claims_db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [at.into(), id.into(), to_status.into()],
        ))
        .await
        .expect("backdate history");
    assert!(done.rows_affected() > 0, "no {to_status} entry on {claim}");
}

/// Sets `table.column` to `at` on the rows whose `key_column` is `key` (a
/// test standing in for the passage of time).
pub async fn set_time(
    app: &TestApp,
    table: &str,
    column: &str,
    key_column: &str,
    key: &str,
    at: DateTime<Utc>,
) {
    use sea_orm::{ConnectionTrait as _, DbBackend, Statement};
    let backend = app.claims_db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!("UPDATE {table} SET {column} = $1 WHERE {key_column} = $2"),
        _ => format!("UPDATE {table} SET {column} = ? WHERE {key_column} = ?"),
    };
    let done = app
        .claims_db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [at.into(), key.into()],
        ))
        .await
        .expect("set time");
    assert!(
        done.rows_affected() > 0,
        "no {table} row with {key_column} = {key}"
    );
}

pub async fn draft(
    app: &TestApp,
    world: &World,
    tracking: &str,
    kind: cpb::ClaimType,
    quantity: u32,
    unit: i64,
) -> pb::Claim {
    let shipment = app.shipped(world, tracking, 5, true).await;
    app.claims(Role::Internal)
        .create_claim(claim_request(
            &format!("draft-{tracking}"),
            &shipment,
            kind,
            quantity,
            unit,
        ))
        .await
        .unwrap()
        .into_inner()
}

pub async fn with_damage_documents(app: &TestApp, claim: &pb::Claim) -> pb::Claim {
    let mut client = app.claims(Role::Internal);
    for (kind, name) in [
        (cpb::DocumentKind::Invoice, "invoice.pdf"),
        (cpb::DocumentKind::Photo, "box.jpg"),
    ] {
        client
            .add_document(pb::AddDocumentRequest {
                claim: claim.name.clone(),
                document: Some(document(kind, name)),
            })
            .await
            .unwrap();
    }
    client
        .get_claim(pb::GetClaimRequest {
            name: claim.name.clone(),
        })
        .await
        .unwrap()
        .into_inner()
}
