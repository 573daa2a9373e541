//! Assembles the roles the `recourse` binary runs: every service in one
//! process (`standalone`) or one service per process (`serve <service>`).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

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
}

impl ServiceName {
    pub const ALL: [ServiceName; 3] = [
        ServiceName::Carriers,
        ServiceName::Contracts,
        ServiceName::Claims,
    ];
}

/// What one process runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Every service, one port, SQLite under the data dir unless a URL is given.
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
}

/// A bound, ready-to-serve process (zero-to-production's `Application`).
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    host: Host,
    settings: Settings,
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

impl Application {
    /// Connects databases, runs migrations, mounts services and binds the
    /// listen address (port 0 picks a free one).
    pub async fn build(settings: Settings, role: Role) -> Result<Self, AppError> {
        if matches!(role, Role::Serve(_)) && settings.database.url.is_none() {
            return Err(ConfigError::Invalid {
                key: "database.url",
                message: "must be set for `serve` (a PostgreSQL URL)".into(),
            }
            .into());
        }
        let keys = Arc::new(token_keys(&settings, &role)?);
        let services: Vec<ServiceName> = match role {
            Role::Standalone => ServiceName::ALL.to_vec(),
            Role::Serve(one) => vec![one],
        };
        let listener = Host::bind(settings.server.listen).await?;
        // Standalone: every service answers on this very listener, so calls
        // between services still go over real gRPC, to ourselves.
        let own_url = listener
            .local_addr()
            .map(|addr| format!("http://{addr}"))
            .map_err(|source| ServerError::Bind {
                addr: settings.server.listen,
                source,
            })?;
        let endpoint =
            |configured: &Option<String>, key: &'static str| -> Result<String, AppError> {
                match (configured, &role) {
                    (Some(url), _) => Ok(url.clone()),
                    (None, Role::Standalone) => Ok(own_url.clone()),
                    (None, Role::Serve(_)) => Err(ConfigError::Invalid {
                        key,
                        message: "must be set for `serve` (where that service answers)".into(),
                    }
                    .into()),
                }
            };
        let mut host = Host::new();
        for service in services {
            match service {
                ServiceName::Carriers => {
                    let db = recourse_carriers::database(&settings.database).await?;
                    upkeep(
                        &settings,
                        recourse_carriers::SERVICE,
                        &db,
                        recourse_carriers_migration::IDEMPOTENCY,
                    );
                    host.add_service(recourse_carriers::grpc_service(db, keys.clone()));
                }
                ServiceName::Contracts => {
                    let carriers_url =
                        endpoint(&settings.services.carriers_url, "services.carriers_url")?;
                    let carriers =
                        recourse_platform::client::channel_with(&carriers_url, &settings.clients)
                            .map_err(|e| ConfigError::Invalid {
                            key: "services.carriers_url",
                            message: e.to_string(),
                        })?;
                    let db = recourse_contracts::database(&settings.database).await?;
                    upkeep(
                        &settings,
                        recourse_contracts::SERVICE,
                        &db,
                        recourse_contracts_migration::IDEMPOTENCY,
                    );
                    recourse_contracts::mount(&mut host, db, keys.clone(), carriers);
                }
                ServiceName::Claims => {
                    let contracts_url =
                        endpoint(&settings.services.contracts_url, "services.contracts_url")?;
                    let contracts =
                        recourse_platform::client::channel_with(&contracts_url, &settings.clients)
                            .map_err(|e| ConfigError::Invalid {
                                key: "services.contracts_url",
                                message: e.to_string(),
                            })?;
                    let db = recourse_claims::database(&settings.database).await?;
                    upkeep(
                        &settings,
                        recourse_claims::SERVICE,
                        &db,
                        recourse_claims_migration::IDEMPOTENCY,
                    );
                    let documents = settings
                        .documents
                        .store_dir
                        .clone()
                        .unwrap_or_else(|| settings.database.data_dir.join("documents"));
                    recourse_claims::mount(
                        &mut host,
                        db,
                        keys.clone(),
                        contracts,
                        documents,
                        settings.documents.max_bytes,
                    );
                }
            }
        }
        Ok(Self {
            listener,
            host,
            settings,
        })
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Serves until `shutdown` completes, then drains.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), AppError> {
        self.host
            .serve(self.listener, &self.settings.server, shutdown)
            .await?;
        Ok(())
    }
}
