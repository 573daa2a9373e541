//! Layered configuration: defaults compiled in → optional TOML file →
//! `RECOURSE__SECTION__KEY` environment variables → command-line overrides.
//! Anything invalid stops the start with a message naming the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Environment variable prefix; nested keys are separated by `__`,
/// e.g. `RECOURSE__SERVER__LISTEN=0.0.0.0:50051`.
pub const ENV_PREFIX: &str = "RECOURSE";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration key `{key}`: {message}")]
    Invalid { key: &'static str, message: String },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    pub auth: AuthSettings,
    pub services: ServiceEndpoints,
    pub clients: ClientSettings,
    pub documents: DocumentSettings,
    pub retention: RetentionSettings,
    pub gateway: crate::gateway_settings::GatewaySettings,
}

/// How long bookkeeping (idempotency records) is kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSettings {
    /// Days a request id is remembered (a retry after that runs anew).
    pub idempotency_days: u32,
    /// Time between purges.
    pub purge_interval_seconds: u64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            idempotency_days: 30,
            purge_interval_seconds: 3_600,
        }
    }
}

/// How this process calls other services.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientSettings {
    /// Longest wait for a connection to another service.
    pub connect_timeout_ms: u64,
    /// Longest any one outgoing call may take (a caller's shorter remaining
    /// deadline always applies and is sent along as `grpc-timeout`).
    pub request_timeout_ms: u64,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            connect_timeout_ms: 2_000,
            request_timeout_ms: 10_000,
        }
    }
}

/// Where claim documents are stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DocumentSettings {
    /// Local directory for uploaded content; unset = `<data_dir>/documents`.
    pub store_dir: Option<PathBuf>,
    /// Largest accepted upload.
    pub max_bytes: u64,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        Self {
            store_dir: None,
            max_bytes: 25 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Address the gRPC server binds.
    pub listen: SocketAddr,
    /// How long in-flight calls may take to finish after SIGTERM.
    pub shutdown_grace_seconds: u64,
    /// Time between reporting NOT_SERVING and closing the listener, so load
    /// balancers and Kubernetes probes stop sending new calls first.
    pub drain_delay_ms: u64,
    /// Longest a unary call may run before it is answered
    /// DEADLINE_EXCEEDED (0 = no server limit; a client's shorter
    /// `grpc-timeout` always applies). Streams are never cut by the server.
    pub unary_timeout_ms: u64,
    /// Unary calls in flight at once; one more is refused UNAVAILABLE.
    pub max_concurrent_calls: usize,
    /// Streaming calls (feeds, ingest, uploads) open at once; one more is
    /// refused UNAVAILABLE.
    pub max_concurrent_streams: usize,
    /// Largest request message accepted (RESOURCE_EXHAUSTED above it).
    pub max_decoding_message_bytes: usize,
    /// Largest response message sent (RESOURCE_EXHAUSTED above it).
    pub max_encoding_message_bytes: usize,
}

/// The most a message may be: tonic's generated servers refuse larger
/// requests themselves, and grpc-core clients refuse larger responses by
/// default.
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `postgres://...` or `sqlite://...`. Unset: one SQLite file per
    /// service under `data_dir`.
    pub url: Option<String>,
    pub data_dir: PathBuf,
    pub max_connections: u32,
    pub connect_timeout_seconds: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetrySettings {
    /// `tracing` filter for the log output (e.g. `info,recourse=debug`).
    pub log_filter: String,
    /// `text` or `json`.
    pub log_format: String,
    /// OTLP/gRPC collector endpoint (e.g. `http://127.0.0.1:4317`); unset
    /// disables span export.
    pub otlp_endpoint: Option<String>,
    /// Filter for spans exported over OTLP, independent of the log filter.
    pub otlp_filter: String,
    pub service_name: String,
    /// Address of the Prometheus text endpoint (`GET /metrics`), on its own
    /// port; unset = none.
    pub metrics_listen: Option<SocketAddr>,
    /// How often metrics are pushed over OTLP (when `otlp_endpoint` is set).
    pub metrics_export_interval_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// HS256 signing key for bearer tokens, at least 32 bytes. Unset: a
    /// random key is generated once and kept in `<data_dir>/auth.key`.
    pub token_secret: Option<String>,
    pub issuer: String,
    /// Lifetime of tokens minted by `recourse token`.
    pub token_ttl_seconds: u64,
}

/// Where the other services answer, for `recourse serve <service>` in a
/// cluster. In standalone mode every service is in-process on one port.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceEndpoints {
    pub carriers_url: Option<String>,
    pub contracts_url: Option<String>,
    /// The claims service (reporting reads its feed).
    pub claims_url: Option<String>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            shutdown_grace_seconds: 30,
            drain_delay_ms: 0,
            unary_timeout_ms: 30_000,
            max_concurrent_calls: 512,
            max_concurrent_streams: 1_024,
            max_decoding_message_bytes: MAX_MESSAGE_BYTES,
            max_encoding_message_bytes: MAX_MESSAGE_BYTES,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            data_dir: PathBuf::from("./data"),
            max_connections: 10,
            connect_timeout_seconds: 10,
        }
    }
}

impl Default for TelemetrySettings {
    fn default() -> Self {
        Self {
            log_filter: "info".into(),
            log_format: "text".into(),
            otlp_endpoint: None,
            otlp_filter: "info".into(),
            service_name: "recourse".into(),
            metrics_listen: None,
            metrics_export_interval_ms: 60_000,
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            token_secret: None,
            issuer: "recourse".into(),
            token_ttl_seconds: 12 * 3600,
        }
    }
}

/// Values given on the command line, applied last.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

impl Settings {
    /// Loads defaults, then `file` (if given; it must exist), then
    /// `RECOURSE__*` environment variables, then `overrides`.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        Self::load_from(
            file,
            overrides,
            config::Environment::with_prefix(ENV_PREFIX),
        )
    }

    fn load_from(
        file: Option<&Path>,
        overrides: &Overrides,
        env: config::Environment,
    ) -> Result<Self, ConfigError> {
        let mut builder =
            config::Config::builder().add_source(config::Config::try_from(&Settings::default())?);
        if let Some(path) = file {
            builder = builder.add_source(
                config::File::from(path)
                    .format(config::FileFormat::Toml)
                    .required(true),
            );
        }
        builder = builder.add_source(env.prefix_separator("__").separator("__").try_parsing(true));
        if let Some(listen) = &overrides.listen {
            builder = builder.set_override("server.listen", listen.as_str())?;
        }
        if let Some(dir) = &overrides.data_dir {
            builder = builder.set_override("database.data_dir", dir.to_string_lossy().as_ref())?;
        }
        if let Some(url) = &overrides.database_url {
            builder = builder.set_override("database.url", url.as_str())?;
        }
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: &str| {
            Err(ConfigError::Invalid {
                key,
                message: message.to_owned(),
            })
        };
        let http_url = |url: &str| url.starts_with("http://") || url.starts_with("https://");
        if let Some(url) = &self.database.url
            && !["postgres://", "postgresql://", "sqlite:"]
                .iter()
                .any(|scheme| url.starts_with(scheme))
        {
            return invalid(
                "database.url",
                "must start with postgres://, postgresql:// or sqlite:",
            );
        }
        for (key, value) in [
            (
                "server.max_concurrent_calls",
                self.server.max_concurrent_calls,
            ),
            (
                "server.max_concurrent_streams",
                self.server.max_concurrent_streams,
            ),
        ] {
            if !(1..=1_000_000).contains(&value) {
                return invalid(key, "must be between 1 and 1000000");
            }
        }
        for (key, value) in [
            (
                "server.max_decoding_message_bytes",
                self.server.max_decoding_message_bytes,
            ),
            (
                "server.max_encoding_message_bytes",
                self.server.max_encoding_message_bytes,
            ),
        ] {
            if !(1024..=MAX_MESSAGE_BYTES).contains(&value) {
                return invalid(key, "must be between 1024 and 4194304 (4 MiB)");
            }
        }
        for (key, value) in [
            (
                "clients.connect_timeout_ms",
                self.clients.connect_timeout_ms,
            ),
            (
                "clients.request_timeout_ms",
                self.clients.request_timeout_ms,
            ),
        ] {
            if value == 0 {
                return invalid(key, "must be at least 1");
            }
        }
        if self.retention.idempotency_days == 0 {
            return invalid("retention.idempotency_days", "must be at least 1");
        }
        if self.retention.purge_interval_seconds == 0 {
            return invalid("retention.purge_interval_seconds", "must be at least 1");
        }
        if self.database.max_connections == 0 {
            return invalid("database.max_connections", "must be at least 1");
        }
        if !matches!(self.telemetry.log_format.as_str(), "text" | "json") {
            return invalid("telemetry.log_format", "must be `text` or `json`");
        }
        for (key, filter) in [
            ("telemetry.log_filter", &self.telemetry.log_filter),
            ("telemetry.otlp_filter", &self.telemetry.otlp_filter),
        ] {
            if let Err(err) = tracing_subscriber::EnvFilter::try_new(filter) {
                return invalid(key, &format!("not a valid filter: {err}"));
            }
        }
        if let Some(endpoint) = &self.telemetry.otlp_endpoint
            && !http_url(endpoint)
        {
            return invalid(
                "telemetry.otlp_endpoint",
                "must be an http:// or https:// URL",
            );
        }
        if self.telemetry.metrics_export_interval_ms < 100 {
            return invalid(
                "telemetry.metrics_export_interval_ms",
                "must be at least 100",
            );
        }
        if let Some(secret) = &self.auth.token_secret
            && secret.len() < 32
        {
            return invalid("auth.token_secret", "must be at least 32 bytes");
        }
        if self.documents.max_bytes == 0 {
            return invalid("documents.max_bytes", "must be at least 1");
        }
        if self.auth.token_ttl_seconds == 0 {
            return invalid("auth.token_ttl_seconds", "must be at least 1");
        }
        self.gateway.validate()?;
        for (key, url) in self.services.urls() {
            if let Some(url) = url
                && !http_url(url)
            {
                return invalid(key, "must be an http:// or https:// URL");
            }
        }
        Ok(())
    }
}

impl ServiceEndpoints {
    /// Each endpoint with its configuration key.
    fn urls(&self) -> [(&'static str, Option<&String>); 3] {
        [
            ("services.carriers_url", self.carriers_url.as_ref()),
            ("services.contracts_url", self.contracts_url.as_ref()),
            ("services.claims_url", self.claims_url.as_ref()),
        ]
    }
}

#[cfg(test)]
mod tests;
