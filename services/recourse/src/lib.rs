//! Assembles the roles the `recourse` binary runs: every service in one
//! process behind the gateway (`standalone`) or one service per process
//! (`serve <service>`, `serve gateway`).

#![warn(clippy::wildcard_enum_match_arm)] // no `_ =>` over our own enums: a new variant must be handled

pub mod apikey;
pub mod demo;
pub mod progress;
pub mod report;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use recourse_gateway::{Gateway, GatewayError};
use recourse_platform::auth::{KeyError, TokenKeys};
use recourse_platform::config::{ConfigError, Settings};
use recourse_platform::database::DatabaseError;
use recourse_platform::idempotency::IdempotencyTable;
use recourse_platform::server::{Host, ServerError};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

/// The services this build can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ServiceName {
    Carriers,
    Contracts,
    Claims,
    /// Reports from the other services' event feeds.
    Reporting,
    /// Partner webhooks for the claims and contracts feeds.
    Webhooks,
    /// The gateway in front of the others (upstreams from `gateway.upstreams`).
    Gateway,
}

impl ServiceName {
    /// The services behind the gateway.
    pub const ALL: [ServiceName; 5] = [
        ServiceName::Carriers,
        ServiceName::Contracts,
        ServiceName::Claims,
        ServiceName::Reporting,
        ServiceName::Webhooks,
    ];

    /// Its name in configuration (`gateway.upstreams.<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceName::Carriers => "carriers",
            ServiceName::Contracts => "contracts",
            ServiceName::Claims => "claims",
            ServiceName::Reporting => "reporting",
            ServiceName::Webhooks => "webhooks",
            ServiceName::Gateway => "gateway",
        }
    }
}

/// What one process runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The gateway on the listen address and every service behind it on an
    /// internal loopback listener; SQLite under the data dir unless a URL is
    /// given.
    Standalone,
    /// One service, for a cluster.
    Serve(ServiceName),
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error(transparent)]
    Database(#[from] DatabaseError),
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("the services behind the gateway stopped abnormally: {0}")]
    Task(String),
}

/// A bound, ready-to-serve process (zero-to-production's `Application`).
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    parts: Parts,
    settings: Settings,
}

/// What the process serves on its listener (and behind it).
#[derive(Debug)]
enum Parts {
    /// One service (`serve <service>`).
    Service(Host, Feeds),
    /// The gateway alone (`serve gateway`).
    Gateway(Gateway),
    /// The gateway on the listener, the services on an internal one.
    Standalone {
        gateway: Gateway,
        services: Host,
        internal: TcpListener,
        feeds: Feeds,
    },
}

/// Reporting's, webhooks' and claims' feed consumers, when this process
/// runs them:
/// stopped on shutdown before the services drain, since their open feed
/// streams would otherwise hold the services' drain for its whole grace
/// period.
#[derive(Default)]
struct Feeds(
    Option<recourse_reporting::Consumers>,
    Option<recourse_webhooks::Webhooks>,
    Option<recourse_claims::follow::Following>,
);

impl std::fmt::Debug for Feeds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Feeds")
            .field(&self.0.is_some())
            .field(&self.1.is_some())
            .field(&self.2.is_some())
            .finish()
    }
}

impl Feeds {
    async fn stop(&self) {
        if let Some(consumers) = &self.0 {
            consumers.stop().await;
        }
        if let Some(webhooks) = &self.1 {
            webhooks.stop().await;
        }
        if let Some(following) = &self.2 {
            following.stop().await;
        }
    }
}

/// The token keys a role uses. A cluster must share one configured secret;
/// a laptop gets a generated key file under its data dir.
pub fn token_keys(settings: &Settings, role: &Role) -> Result<TokenKeys, AppError> {
    if matches!(role, Role::Serve(_)) && settings.auth.token_secret.is_none() {
        return Err(ConfigError::Invalid {
            key: "auth.token_secret",
            message: "must be set for `serve` (every replica must verify the same tokens)".into(),
        }
        .into());
    }
    Ok(TokenKeys::from_settings(
        &settings.auth,
        &settings.database.data_dir,
    )?)
}

/// What every service role runs beside its service: the purge of its
/// expired idempotency records and the gauges of its connection pool.
fn upkeep(
    settings: &Settings,
    service: &'static str,
    db: &DatabaseConnection,
    idempotency: IdempotencyTable,
) {
    recourse_platform::metrics::observe_pool(service, db);
    recourse_platform::retention::spawn_purger(
        service,
        db.clone(),
        vec![idempotency],
        settings.retention.clone(),
    );
}

fn bound_url(listener: &TcpListener, configured: std::net::SocketAddr) -> Result<String, AppError> {
    listener
        .local_addr()
        .map(|addr| format!("http://{addr}"))
        .map_err(|source| {
            ServerError::Bind {
                addr: configured,
                source,
            }
            .into()
        })
}

/// Where the claims service finds its documents.
fn documents_dir(settings: &Settings) -> std::path::PathBuf {
    settings
        .documents
        .store_dir
        .clone()
        .unwrap_or_else(|| settings.database.data_dir.join("documents"))
}

fn channel(
    settings: &Settings,
    url: &str,
    key: &'static str,
) -> Result<tonic::transport::Channel, AppError> {
    recourse_platform::client::channel_with(url, &settings.clients).map_err(|e| {
        ConfigError::Invalid {
            key,
            message: e.to_string(),
        }
        .into()
    })
}

/// Mounts `services` on a host. `own_url` is where this very process
/// answers (standalone: the internal listener), used when a service's
/// peer URL is not configured.
async fn mount_services(
    settings: &Settings,
    keys: &Arc<TokenKeys>,
    services: &[ServiceName],
    own_url: Option<&str>,
) -> Result<(Host, Feeds), AppError> {
    let endpoint = |configured: &Option<String>, key: &'static str| -> Result<String, AppError> {
        match (configured, own_url) {
            (Some(url), _) => Ok(url.clone()),
            (None, Some(own)) => Ok(own.to_owned()),
            (None, None) => Err(ConfigError::Invalid {
                key,
                message: "must be set for `serve` (where that service answers)".into(),
            }
            .into()),
        }
    };
    let mut host = Host::new();
    let mut feeds = Feeds::default();
    for service in services {
        match service {
            ServiceName::Carriers => {
                let db = recourse_carriers::database(&settings.database).await?;
                upkeep(
                    settings,
                    recourse_carriers::SERVICE,
                    &db,
                    recourse_carriers_migration::IDEMPOTENCY,
                );
                recourse_carriers::mount(&mut host, db, keys.clone());
            }
            ServiceName::Contracts => {
                let url = endpoint(&settings.services.carriers_url, "services.carriers_url")?;
                let carriers = channel(settings, &url, "services.carriers_url")?;
                let db = recourse_contracts::database(&settings.database).await?;
                upkeep(
                    settings,
                    recourse_contracts::SERVICE,
                    &db,
                    recourse_contracts_migration::IDEMPOTENCY,
                );
                recourse_contracts::mount(&mut host, db, keys.clone(), carriers);
            }
            ServiceName::Claims => {
                let url = endpoint(&settings.services.contracts_url, "services.contracts_url")?;
                let contracts = channel(settings, &url, "services.contracts_url")?;
                let db = recourse_claims::database(&settings.database).await?;
                upkeep(
                    settings,
                    recourse_claims::SERVICE,
                    &db,
                    recourse_claims_migration::IDEMPOTENCY,
                );
                feeds.2 = Some(recourse_claims::mount(
                    &mut host,
                    db,
                    keys.clone(),
                    contracts,
                    documents_dir(settings),
                    settings.documents.max_bytes,
                ));
            }
            ServiceName::Reporting => {
                // Reporting reads all three feeds (long-lived streams the
                // client's request timeout does not cut: it bounds only the
                // wait for the stream to open).
                let feed = |configured: &Option<String>, key: &'static str| {
                    let url = endpoint(configured, key)?;
                    channel(settings, &url, key)
                };
                let channels = recourse_reporting::FeedChannels {
                    carriers: feed(&settings.services.carriers_url, "services.carriers_url")?,
                    contracts: feed(&settings.services.contracts_url, "services.contracts_url")?,
                    claims: feed(&settings.services.claims_url, "services.claims_url")?,
                };
                let db = recourse_reporting::database(&settings.database).await?;
                recourse_platform::metrics::observe_pool(recourse_reporting::SERVICE, &db);
                feeds.0 = Some(recourse_reporting::mount(
                    &mut host,
                    db,
                    keys.clone(),
                    channels,
                ));
            }
            ServiceName::Webhooks => {
                // The claims and contracts feeds (long-lived streams) and
                // the claims escalation queue.
                let feed = |configured: &Option<String>, key: &'static str| {
                    let url = endpoint(configured, key)?;
                    channel(settings, &url, key)
                };
                let channels = recourse_webhooks::Channels {
                    claims: feed(&settings.services.claims_url, "services.claims_url")?,
                    contracts: feed(&settings.services.contracts_url, "services.contracts_url")?,
                };
                let db = recourse_webhooks::database(&settings.database).await?;
                upkeep(
                    settings,
                    recourse_webhooks::SERVICE,
                    &db,
                    recourse_webhooks::IDEMPOTENCY,
                );
                feeds.1 = Some(recourse_webhooks::mount(
                    &mut host,
                    db,
                    keys.clone(),
                    channels,
                    recourse_webhooks::Options::default(),
                ));
            }
            ServiceName::Gateway => {}
        }
    }
    Ok((host, feeds))
}

impl Application {
    /// Connects databases, runs migrations, mounts services and binds the
    /// listen address (port 0 picks a free one). Standalone also binds the
    /// internal address (`gateway.internal_listen`) the services answer on.
    pub async fn build(settings: Settings, role: Role) -> Result<Self, AppError> {
        if matches!(role, Role::Serve(_)) && settings.database.url.is_none() {
            return Err(ConfigError::Invalid {
                key: "database.url",
                message: "must be set for `serve` (a PostgreSQL URL)".into(),
            }
            .into());
        }
        let keys = Arc::new(token_keys(&settings, &role)?);
        let parts = match role {
            Role::Serve(ServiceName::Gateway) => {
                if settings.gateway.upstreams.is_empty() {
                    return Err(ConfigError::Invalid {
                        key: "gateway.upstreams",
                        message: "must name at least one service for `serve gateway` \
                                  (e.g. gateway.upstreams.carriers = \"http://carriers:50051\")"
                            .into(),
                    }
                    .into());
                }
                let db = recourse_gateway::database(&settings.database).await?;
                let gateway =
                    Gateway::build(&settings.gateway, db, keys, &settings.gateway.upstreams)
                        .await?;
                Parts::Gateway(gateway)
            }
            Role::Serve(one) => {
                let (host, feeds) = mount_services(&settings, &keys, &[one], None).await?;
                Parts::Service(host, feeds)
            }
            Role::Standalone => {
                let internal = Host::bind(settings.gateway.internal_listen).await?;
                let internal_url = bound_url(&internal, settings.gateway.internal_listen)?;
                let (services, feeds) =
                    mount_services(&settings, &keys, &ServiceName::ALL, Some(&internal_url))
                        .await?;
                // Every service sits behind the gateway unless configured
                // elsewhere: the hop is real gRPC even on a laptop.
                let mut upstreams = settings.gateway.upstreams.clone();
                for service in ServiceName::ALL {
                    upstreams
                        .entry(service.as_str().to_owned())
                        .or_insert_with(|| internal_url.clone());
                }
                let db = recourse_gateway::database(&settings.database).await?;
                let gateway = Gateway::build(&settings.gateway, db, keys, &upstreams).await?;
                Parts::Standalone {
                    gateway,
                    services,
                    internal,
                    feeds,
                }
            }
        };
        let listener = Host::bind(settings.server.listen).await?;
        Ok(Self {
            listener,
            parts,
            settings,
        })
    }

    /// The public address (the gateway's, except for `serve <service>`).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Standalone: where the services answer behind the gateway.
    pub fn internal_addr(&self) -> Option<SocketAddr> {
        match &self.parts {
            Parts::Standalone { internal, .. } => internal.local_addr().ok(),
            Parts::Service(..) | Parts::Gateway(_) => None,
        }
    }

    /// Serves until `shutdown` completes, then drains. Standalone drains
    /// the gateway first, then stops the services behind it, so calls in
    /// flight through the gateway complete.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), AppError> {
        let server = &self.settings.server;
        match self.parts {
            Parts::Service(host, feeds) => {
                let shutdown = async move {
                    shutdown.await;
                    feeds.stop().await;
                };
                host.serve(self.listener, server, shutdown).await?
            }
            Parts::Gateway(gateway) => gateway.serve(self.listener, server, shutdown).await?,
            Parts::Standalone {
                gateway,
                services,
                internal,
                feeds,
            } => {
                let (stop_services, stopped) = tokio::sync::oneshot::channel::<()>();
                let internal_settings = recourse_platform::config::ServerSettings {
                    drain_delay_ms: 0,
                    ..server.clone()
                };
                let behind = tokio::spawn(async move {
                    services
                        .serve(internal, &internal_settings, async {
                            let _ = stopped.await;
                        })
                        .await
                });
                let result = gateway.serve(self.listener, server, shutdown).await;
                feeds.stop().await;
                let _ = stop_services.send(());
                let services_result = behind.await.map_err(|e| AppError::Task(e.to_string()))?;
                result?;
                services_result?;
            }
        }
        Ok(())
    }
}
