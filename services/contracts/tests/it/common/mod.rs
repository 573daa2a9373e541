//! `spawn_app`: the carriers and contracts services on one fresh database,
//! served together on 127.0.0.1:0 (contracts asks carriers over real gRPC),
//! plus fixtures: a carrier, standard contract terms, shipments.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use recourse_platform::auth::Role;
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::server::Host;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::common::Date;
use recourse_proto::contracts as pb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_proto::contracts::event_service_client::EventServiceClient;
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
        recourse_carriers::mount(&mut host, carriers_db, keys.clone());
        let channel = recourse_platform::client::channel(url).expect("url");
        recourse_contracts::mount(&mut host, contracts_db, keys, channel);
        host
    })
    .await;
    TestApp { server, auth, db }
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

    pub fn invoices(&self, role: Role) -> InvoiceServiceClient<Authed> {
        InvoiceServiceClient::new(self.channel(role, None))
    }

    pub fn partner_invoices(&self, carrier: &str) -> InvoiceServiceClient<Authed> {
        InvoiceServiceClient::new(
            self.channel(Role::Carrier, Some(carrier.trim_start_matches("carriers/"))),
        )
    }

    pub fn events(&self, role: Role) -> EventServiceClient<Authed> {
        EventServiceClient::new(self.channel(role, None))
    }

    /// Clients for a partner of `carrier` (`carriers/{id}`).
    pub fn partner_contracts(&self, carrier: &str) -> ContractServiceClient<Authed> {
        ContractServiceClient::new(
            self.channel(Role::Carrier, Some(carrier.trim_start_matches("carriers/"))),
        )
    }

    pub fn partner_shipments(&self, carrier: &str) -> ShipmentServiceClient<Authed> {
        ShipmentServiceClient::new(
            self.channel(Role::Carrier, Some(carrier.trim_start_matches("carriers/"))),
        )
    }

    pub fn partner_events(&self, carrier: &str) -> EventServiceClient<Authed> {
        EventServiceClient::new(
            self.channel(Role::Carrier, Some(carrier.trim_start_matches("carriers/"))),
        )
    }

    /// Clients for a 3PL principal of `account`.
    pub fn third_party_shipments(&self, account: &str) -> ShipmentServiceClient<Authed> {
        ShipmentServiceClient::new(self.channel(Role::ThirdParty, Some(account)))
    }

    pub fn third_party_contracts(&self, account: &str) -> ContractServiceClient<Authed> {
        ContractServiceClient::new(self.channel(Role::ThirdParty, Some(account)))
    }

    pub fn third_party_sla(&self, account: &str) -> SlaServiceClient<Authed> {
        SlaServiceClient::new(self.channel(Role::ThirdParty, Some(account)))
    }

    pub fn partner_sla(&self, carrier: &str) -> SlaServiceClient<Authed> {
        SlaServiceClient::new(
            self.channel(Role::Carrier, Some(carrier.trim_start_matches("carriers/"))),
        )
    }

    /// A carrier selling GROUND and NEXT_DAY; returns `carriers/{id}`.
    pub async fn carrier(&self, code: &str) -> String {
        CarrierServiceClient::new(self.channel(Role::Admin, None))
            .create_carrier(carrier_request(code))
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
        self.active_contract_with(carrier, reference, from, terms())
            .await
    }

    /// Like `active_contract`, with these terms.
    pub async fn active_contract_with(
        &self,
        carrier: &str,
        reference: &str,
        from: Option<Date>,
        terms: pb::ContractTerms,
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
                terms: Some(terms),
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

/// The invoice CSV's header row.
pub const INVOICE_CSV_HEADER: &str = "tracking_number,ship_date,service_level,zone,billed_weight,weight_unit,base_minor,surcharges,total_minor\n";

/// A USD invoice header of `carrier` dated 9 November 2026.
pub fn invoice_header(carrier: &str, number: &str, total_minor: i64) -> pb::InvoiceHeader {
    pb::InvoiceHeader {
        carrier: carrier.into(),
        invoice_number: number.into(),
        invoice_date: day(2026, 11, 9),
        currency_code: "USD".into(),
        total: usd(total_minor),
        received_date: day(2026, 11, 10),
        record_only: false,
    }
}

/// Streams an invoice: the header first, the CSV in chunks of `chunk` bytes.
pub async fn import_invoice(
    client: &mut recourse_proto::contracts::invoice_service_client::InvoiceServiceClient<Authed>,
    header: pb::InvoiceHeader,
    csv: &str,
    chunk: usize,
) -> Result<pb::ImportInvoiceResponse, tonic::Status> {
    let mut messages = vec![pb::ImportInvoiceRequest {
        header: Some(header),
        csv: Vec::new(),
    }];
    for part in csv.as_bytes().chunks(chunk.max(1)) {
        messages.push(pb::ImportInvoiceRequest {
            header: None,
            csv: part.to_vec(),
        });
    }
    client
        .import_invoice(tokio_stream::iter(messages))
        .await
        .map(tonic::Response::into_inner)
}
