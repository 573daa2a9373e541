//! `spawn_app`: carriers, contracts, claims and webhooks on one fresh
//! database, served together on 127.0.0.1:0; webhooks reads the claims and
//! contracts feeds and raises escalations over real gRPC. The webhooks
//! clock is the test's (moved on demand) and its jitter 0, and no
//! background worker runs: tests call `worker.run_once()` themselves.
//! `Receiver` is a real HTTP server on 127.0.0.1:0 that answers as told.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use recourse_platform::auth::{Principal, Role};
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::proto_types::date_to_proto;
use recourse_platform::server::Host;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::contracts as cpb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_proto::webhooks as pb;
use recourse_proto::webhooks::webhook_service_client::WebhookServiceClient;
use recourse_test_support::{Backend, TestAuth, TestDatabase, TestServer};
use recourse_webhooks::clock::{Clock, Jitter};
use recourse_webhooks::worker::Worker;
use recourse_webhooks::{Channels, Options, Webhooks};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

pub use recourse_test_support::fixtures::*;

pub type Authed = InterceptedService<Channel, OutboundInterceptor>;

/// The send timeout the tests run with.
pub const TIMEOUT: Duration = Duration::from_millis(300);

pub struct TestApp {
    pub server: TestServer,
    pub auth: TestAuth,
    pub db: TestDatabase,
    pub webhooks: Webhooks,
    pub now: Arc<Mutex<DateTime<Utc>>>,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    let db = TestDatabase::new(backend).await;
    let auth = TestAuth::default();
    let carriers_db = recourse_carriers::database(&db.settings).await.expect("db");
    let contracts_db = recourse_contracts::database(&db.settings)
        .await
        .expect("db");
    let claims_db = recourse_claims::database(&db.settings).await.expect("db");
    let webhooks_db = recourse_webhooks::database(&db.settings).await.expect("db");
    let documents = db.data_dir().join("documents");
    let keys = auth.keys.clone();
    // Whole milliseconds, as instants are stored.
    let start = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    let now = Arc::new(Mutex::new(start));
    let read = now.clone();
    let options = Options {
        clock: Clock::new(move || *read.lock().unwrap()),
        jitter: Jitter::fixed(0.0),
        timeout: TIMEOUT,
        poll: None,
    };
    let slot: Arc<Mutex<Option<Webhooks>>> = Arc::default();
    let out = slot.clone();
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
        let webhooks = recourse_webhooks::mount(
            &mut host,
            webhooks_db,
            keys,
            Channels {
                claims: channel.clone(),
                contracts: channel,
            },
            options,
        );
        *out.lock().unwrap() = Some(webhooks);
        host
    })
    .await;
    let webhooks = slot.lock().unwrap().take().expect("webhooks");
    TestApp {
        server,
        auth,
        db,
        webhooks,
        now,
    }
}

impl TestApp {
    pub fn channel(&self, role: Role, scope: Option<&str>) -> Authed {
        let token = self
            .auth
            .token(role, scope.map(|c| c.trim_start_matches("carriers/")));
        self.server.authed(Some(&token))
    }

    pub fn webhooks(&self, role: Role, scope: Option<&str>) -> WebhookServiceClient<Authed> {
        WebhookServiceClient::new(self.channel(role, scope))
    }

    pub fn worker(&self) -> &Worker {
        &self.webhooks.worker
    }

    pub fn clock(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap()
    }

    pub fn advance_to(&self, at: DateTime<Utc>) {
        let mut now = self.now.lock().unwrap();
        *now = (*now).max(at);
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.now.lock().unwrap();
        *now += by;
    }

    /// A carrier with an active contract effective 400 days ago; its name.
    pub async fn carrier(&self, code: &str) -> String {
        let carrier = CarrierServiceClient::new(self.channel(Role::Admin, None))
            .create_carrier(carrier_request(code))
            .await
            .expect("carrier")
            .into_inner()
            .name;
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
                terms: Some(terms()),
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
        carrier
    }

    /// Registers a GROUND shipment of `carrier` (a shipment.registered
    /// event on the contracts feed).
    pub async fn ship(&self, carrier: &str, tracking: &str) -> cpb::Shipment {
        ShipmentServiceClient::new(self.channel(Role::Admin, None))
            .register_shipment(cpb::RegisterShipmentRequest {
                request_id: format!("ship-{tracking}"),
                shipment: Some(shipment(
                    carrier,
                    tracking,
                    Utc::now() - chrono::Duration::days(2),
                )),
            })
            .await
            .expect("register")
            .into_inner()
    }

    /// Registers an endpoint as `role` (scoped to `scope`).
    pub async fn endpoint(
        &self,
        role: Role,
        scope: Option<&str>,
        url: &str,
        types: &[&str],
    ) -> pb::WebhookEndpoint {
        self.webhooks(role, scope)
            .create_webhook_endpoint(pb::CreateWebhookEndpointRequest {
                request_id: format!("ep-{url}-{}", uuid_like()),
                webhook_endpoint: Some(pb::WebhookEndpoint {
                    url: url.into(),
                    event_types: types.iter().map(|t| (*t).to_owned()).collect(),
                    ..Default::default()
                }),
            })
            .await
            .expect("create endpoint")
            .into_inner()
    }

    pub async fn deliveries(&self, endpoint: &str) -> Vec<pb::Delivery> {
        self.webhooks(Role::Admin, None)
            .list_deliveries(pb::ListDeliveriesRequest {
                parent: endpoint.into(),
                page_size: 500,
                ..Default::default()
            })
            .await
            .expect("list deliveries")
            .into_inner()
            .deliveries
    }

    /// Waits (up to 20 s) until `endpoint` has `n` deliveries.
    pub async fn await_deliveries(&self, endpoint: &str, n: usize) -> Vec<pb::Delivery> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let found = self.deliveries(endpoint).await;
            if found.len() >= n {
                return found;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{endpoint} has {} deliveries, expected {n}",
                found.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn get(&self, endpoint: &str) -> pb::WebhookEndpoint {
        self.webhooks(Role::Admin, None)
            .get_webhook_endpoint(pb::GetWebhookEndpointRequest {
                name: endpoint.into(),
            })
            .await
            .expect("get endpoint")
            .into_inner()
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed).to_string()
}

/// A partner principal for `role` scoped to `scope`, as the tests sign it.
pub fn principal(role: Role, scope: &str) -> Principal {
    Principal::new("p", role, Some(scope.to_owned())).unwrap()
}

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Status(u16),
    /// Holds the request well past the sender's timeout, then closes.
    Hang,
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A real HTTP/1.1 server on 127.0.0.1:0 recording what it is sent.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    mode: Arc<Mutex<Mode>>,
    pub got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let receiver = Self {
            url,
            mode: Arc::new(Mutex::new(Mode::Status(200))),
            got: Arc::default(),
        };
        let r = receiver.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let r = r.clone();
                tokio::spawn(async move { r.serve(socket).await });
            }
        });
        receiver
    }

    pub fn answer(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    async fn serve(&self, mut socket: tokio::net::TcpStream) {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        let head_end = loop {
            let Ok(n) = socket.read(&mut chunk).await else {
                return;
            };
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let headers: Vec<(String, String)> = head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let Ok(n) = socket.read(&mut chunk).await else {
                return;
            };
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).to_string();
        self.got.lock().unwrap().push(Received { headers, body });
        let mode = *self.mode.lock().unwrap();
        match mode {
            Mode::Status(code) => {
                let response =
                    format!("HTTP/1.1 {code} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                let _ = socket.write_all(response.as_bytes()).await;
            }
            Mode::Hang => tokio::time::sleep(TIMEOUT * 10).await,
        }
    }
}
