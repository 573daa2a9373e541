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
    pub documents: DocumentSettings,
    pub gateway: crate::gateway_settings::GatewaySettings,
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
}

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
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            shutdown_grace_seconds: 30,
            drain_delay_ms: 0,
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
    fn urls(&self) -> [(&'static str, Option<&String>); 2] {
        [
            ("services.carriers_url", self.carriers_url.as_ref()),
            ("services.contracts_url", self.contracts_url.as_ref()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> config::Environment {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        config::Environment::with_prefix(ENV_PREFIX).source(Some(map))
    }

    fn load(file: Option<&Path>, vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::load_from(file, &Overrides::default(), env(vars))
    }

    #[test]
    fn defaults_listen_on_localhost_50051_with_sqlite_under_data() -> Result<(), ConfigError> {
        let settings = load(None, &[])?;
        assert_eq!(settings.server.listen.to_string(), "127.0.0.1:50051");
        assert_eq!(settings.database.url, None);
        assert_eq!(settings.database.data_dir, PathBuf::from("./data"));
        Ok(())
    }

    #[test]
    fn env_overrides_file_and_file_overrides_defaults() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("recourse.toml");
        std::fs::write(
            &path,
            "[server]\nlisten = \"127.0.0.1:6000\"\n[telemetry]\nlog_filter = \"debug\"\n",
        )?;
        let settings = load(
            Some(&path),
            &[("RECOURSE__SERVER__LISTEN", "127.0.0.1:7000")],
        )?;
        assert_eq!(settings.server.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(settings.telemetry.log_filter, "debug");
        Ok(())
    }

    #[test]
    fn command_line_overrides_env() -> Result<(), ConfigError> {
        let overrides = Overrides {
            listen: Some("127.0.0.1:9000".into()),
            ..Overrides::default()
        };
        let settings = Settings::load_from(
            None,
            &overrides,
            env(&[("RECOURSE__SERVER__LISTEN", "127.0.0.1:7000")]),
        )?;
        assert_eq!(settings.server.listen.to_string(), "127.0.0.1:9000");
        Ok(())
    }

    #[test]
    fn bad_listen_address_names_the_key() {
        let err = load(None, &[("RECOURSE__SERVER__LISTEN", "not-an-address")])
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("server.listen"), "{err}");
    }

    #[test]
    fn unknown_key_is_refused_with_its_name() {
        let err = load(None, &[("RECOURSE__SERVER__LISTN", "127.0.0.1:1")])
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("listn"), "{err}");
    }

    #[test]
    fn short_token_secret_names_the_key() {
        let err = load(None, &[("RECOURSE__AUTH__TOKEN_SECRET", "short")])
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("auth.token_secret"), "{err}");
    }

    #[test]
    fn bad_database_url_names_the_key() {
        let err = load(None, &[("RECOURSE__DATABASE__URL", "mysql://x")])
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("database.url"), "{err}");
    }

    #[test]
    fn missing_config_file_is_an_error() {
        let missing = Path::new("/nonexistent/recourse.toml");
        assert!(load(Some(missing), &[]).is_err());
    }
}
