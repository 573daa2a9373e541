//! The gateway in front of the real carriers, contracts and claims services
//! (on their own listener, as in standalone), both on 127.0.0.1:0, with a
//! key store on SQLite or PostgreSQL; and `Probe`, an upstream that records
//! what reaches it and answers unary and bidi calls on any path.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

pub mod probe;
pub mod rest;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use recourse_gateway::Gateway;
use recourse_gateway::limits::Limiter;
use recourse_platform::auth::Role;
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::config::ServerSettings;
use recourse_platform::gateway_settings::GatewaySettings;
use recourse_platform::server::Host;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::gateway as pb;
use recourse_proto::gateway::api_key_service_client::ApiKeyServiceClient;
use recourse_test_support::{Backend, TestAuth, TestDatabase, TestServer};
use tokio::sync::oneshot;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

pub use recourse_test_support::fixtures::*;

pub type Authed = InterceptedService<Channel, OutboundInterceptor>;

/// A running gateway.
pub struct GatewayServer {
    pub addr: SocketAddr,
    pub limiter: Arc<Limiter>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl GatewayServer {
    pub async fn start(
        settings: &GatewaySettings,
        db: &TestDatabase,
        auth: &TestAuth,
        upstreams: &BTreeMap<String, String>,
    ) -> Self {
        let conn = recourse_gateway::database(&db.settings)
            .await
            .expect("gateway database");
        let gateway = Gateway::build(settings, conn, auth.keys.clone(), upstreams)
            .await
            .expect("gateway builds");
        let limiter = gateway.limiter();
        let listener = Host::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, rx) = oneshot::channel::<()>();
        let server = ServerSettings {
            shutdown_grace_seconds: 2,
            ..ServerSettings::default()
        };
        let task = tokio::spawn(async move {
            gateway
                .serve(listener, &server, async {
                    let _ = rx.await;
                })
                .await
                .expect("gateway serves");
        });
        Self {
            addr,
            limiter,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn channel(&self) -> Channel {
        recourse_platform::client::channel(&self.url()).expect("url")
    }

    /// A channel sending `credential` (an API key or a token) as bearer.
    pub fn with(&self, credential: Option<&str>) -> Authed {
        InterceptedService::new(
            self.channel(),
            OutboundInterceptor::new(credential).expect("ascii"),
        )
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for GatewayServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub struct TestApp {
    pub gateway: GatewayServer,
    pub services: TestServer,
    pub auth: TestAuth,
    pub db: TestDatabase,
    pub settings: GatewaySettings,
}

/// Test settings: unchanged defaults except fast health polling and
/// last-use flushing.
pub fn settings() -> GatewaySettings {
    let mut settings = GatewaySettings {
        health_interval_ms: 200,
        ..GatewaySettings::default()
    };
    settings.keys.last_used_flush_seconds = 1;
    settings
}

/// The three services on one internal server.
pub async fn services(db: &TestDatabase, auth: &TestAuth) -> TestServer {
    let carriers_db = recourse_carriers::database(&db.settings).await.expect("db");
    let contracts_db = recourse_contracts::database(&db.settings)
        .await
        .expect("db");
    let claims_db = recourse_claims::database(&db.settings).await.expect("db");
    let documents = db.data_dir().join("documents");
    let keys = auth.keys.clone();
    TestServer::start_with(move |url| {
        let mut host = Host::new();
        recourse_carriers::mount(&mut host, carriers_db, keys.clone());
        let channel = recourse_platform::client::channel(url).expect("url");
        recourse_contracts::mount(&mut host, contracts_db, keys.clone(), channel.clone());
        recourse_claims::mount(&mut host, claims_db, keys, channel, documents, 1024 * 1024);
        host
    })
    .await
}

pub fn upstreams(url: &str) -> BTreeMap<String, String> {
    ["carriers", "contracts", "claims"]
        .into_iter()
        .map(|name| (name.to_owned(), url.to_owned()))
        .collect()
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, settings(), BTreeMap::new()).await
}

/// The app with `settings` and `extra` upstreams beside the services.
pub async fn spawn_app_with(
    backend: Backend,
    settings: GatewaySettings,
    extra: BTreeMap<String, String>,
) -> TestApp {
    let db = TestDatabase::new(backend).await;
    let auth = TestAuth::default();
    let services = services(&db, &auth).await;
    let mut routes = upstreams(&services.url());
    routes.extend(extra);
    let gateway = GatewayServer::start(&settings, &db, &auth, &routes).await;
    TestApp {
        gateway,
        services,
        auth,
        db,
        settings,
    }
}

impl TestApp {
    /// The API-key service as an admin (internal token).
    pub fn keys_admin(&self) -> ApiKeyServiceClient<Authed> {
        let token = self.auth.token(Role::Admin, None);
        ApiKeyServiceClient::new(self.gateway.with(Some(&token)))
    }

    pub fn carriers(&self, credential: &str) -> CarrierServiceClient<Authed> {
        CarrierServiceClient::new(self.gateway.with(Some(credential)))
    }

    /// Creates a key and returns (resource, full key).
    pub async fn create_key(&self, key: pb::ApiKey) -> (pb::ApiKey, String) {
        let created = self
            .keys_admin()
            .create_api_key(pb::CreateApiKeyRequest {
                request_id: format!("key-{}", uuid_like()),
                api_key: Some(key),
            })
            .await
            .expect("create key")
            .into_inner();
        (created.api_key.expect("key"), created.key)
    }

    /// An admin API key.
    pub async fn admin_key(&self) -> String {
        self.create_key(key(pb::Role::Admin, "admin")).await.1
    }

    /// Registers a carrier through the gateway as an admin; returns its name.
    pub async fn carrier(&self, code: &str) -> String {
        let token = self.auth.token(Role::Admin, None);
        self.carriers(&token)
            .create_carrier(carrier_request(code))
            .await
            .expect("carrier")
            .into_inner()
            .name
    }
}

pub fn key(role: pb::Role, name: &str) -> pb::ApiKey {
    pb::ApiKey {
        display_name: name.to_owned(),
        role: role.into(),
        ..Default::default()
    }
}

pub fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
