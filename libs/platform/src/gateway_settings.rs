//! The `[gateway]` section of the configuration: where each upstream service
//! answers, limits, API-key bookkeeping, rate limits and the optional OIDC
//! issuer. Only the gateway reads it; it lives here because `Settings` is
//! loaded (and unknown keys refused) in one place.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::config::ConfigError;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewaySettings {
    /// `<name> = <url>`: every gRPC service of the package `recourse.<name>.*`
    /// is forwarded to `<url>`. A new service is one line here. In
    /// standalone, unset entries point at the in-process services.
    pub upstreams: BTreeMap<String, String>,
    /// Standalone only: where the services listen behind the gateway
    /// (loopback; port 0 picks a free one).
    pub internal_listen: SocketAddr,
    /// Largest gRPC message the gateway forwards to a service.
    pub max_request_message_bytes: u32,
    /// Largest gRPC message the gateway forwards back to a client.
    pub max_response_message_bytes: u32,
    /// Time limit of a unary call through the gateway (a shorter
    /// `grpc-timeout` from the client wins). Streams have none.
    pub unary_timeout_ms: u64,
    /// Time to open a connection to an upstream before it counts as down.
    pub connect_timeout_ms: u64,
    /// How often upstream health is polled for the gateway's own health.
    pub health_interval_ms: u64,
    /// Lifetime of the internal tokens the gateway mints for its callers.
    pub internal_token_ttl_seconds: u64,
    pub keys: ApiKeySettings,
    pub rate_limit: RateLimitSettings,
    /// Tokens from an external OpenID Connect issuer (company SSO).
    pub oidc: Option<OidcSettings>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiKeySettings {
    /// How long a replica trusts a key it read before reading it again, so
    /// a revocation made through another replica takes effect within this.
    pub cache_seconds: u64,
    /// How often last-use times are written (one batch, not one per call).
    pub last_used_flush_seconds: u64,
    /// Longest grace period a rotation may give the previous secret.
    pub max_grace_seconds: u64,
}

/// One role's token bucket and feed limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleLimit {
    /// Sustained calls per second (unary calls and stream opens).
    pub requests_per_second: u32,
    /// Calls allowed at once above the sustained rate.
    pub burst: u32,
    /// Server-streaming calls (feeds) open at once.
    pub max_streams: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    /// Turns limiting off entirely.
    pub enabled: bool,
    /// `redis://host:port`: buckets shared by every gateway replica. Unset:
    /// each replica limits on its own.
    pub redis_url: Option<String>,
    /// Limits per role name (`admin`, `internal`, `carrier`, `3pl`,
    /// `finance`, `auditor`).
    pub roles: BTreeMap<String, RoleLimit>,
    /// Most principals whose buckets a replica keeps in memory; idle
    /// (full) buckets are purged first.
    pub max_tracked_principals: usize,
    /// How often idle buckets are purged.
    pub purge_interval_seconds: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OidcSettings {
    /// Expected `iss` claim.
    pub issuer: String,
    /// Expected `aud` claim.
    pub audience: String,
    /// A JWKS document on disk.
    pub jwks_file: Option<PathBuf>,
    /// A JWKS document over HTTP (`http://` only; see the README).
    pub jwks_url: Option<String>,
    /// How often a JWKS URL is fetched again (key rotation at the issuer).
    pub jwks_refresh_seconds: u64,
    /// The claim holding the caller's role.
    pub role_claim: String,
    /// Claim value → Recourse role; values not listed are refused.
    pub roles: BTreeMap<String, String>,
    /// The claim holding the carrier or 3PL account id for those roles.
    pub scope_claim: String,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        Self {
            upstreams: BTreeMap::new(),
            internal_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_request_message_bytes: 4 * 1024 * 1024,
            max_response_message_bytes: 4 * 1024 * 1024,
            unary_timeout_ms: 30_000,
            connect_timeout_ms: 2_000,
            health_interval_ms: 2_000,
            internal_token_ttl_seconds: 300,
            keys: ApiKeySettings::default(),
            rate_limit: RateLimitSettings::default(),
            oidc: None,
        }
    }
}

impl Default for ApiKeySettings {
    fn default() -> Self {
        Self {
            cache_seconds: 5,
            last_used_flush_seconds: 10,
            max_grace_seconds: 30 * 24 * 3600,
        }
    }
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        let limit = |requests_per_second, burst, max_streams| RoleLimit {
            requests_per_second,
            burst,
            max_streams,
        };
        let roles = [
            (Role::Admin, limit(10_000, 20_000, 64)),
            (Role::Internal, limit(5_000, 10_000, 64)),
            (Role::Carrier, limit(200, 400, 8)),
            (Role::ThirdParty, limit(100, 200, 8)),
            (Role::Finance, limit(200, 400, 8)),
            (Role::Auditor, limit(200, 400, 8)),
        ]
        .into_iter()
        .map(|(role, limit)| (role.as_str().to_owned(), limit))
        .collect();
        Self {
            enabled: true,
            redis_url: None,
            roles,
            max_tracked_principals: 100_000,
            purge_interval_seconds: 60,
        }
    }
}

impl Default for OidcSettings {
    fn default() -> Self {
        Self {
            issuer: String::new(),
            audience: String::new(),
            jwks_file: None,
            jwks_url: None,
            jwks_refresh_seconds: 300,
            role_claim: "role".into(),
            roles: BTreeMap::new(),
            scope_claim: "recourse_scope".into(),
        }
    }
}

impl RateLimitSettings {
    /// The limit of `role` (every role has one once validated).
    pub fn for_role(&self, role: Role) -> Option<RoleLimit> {
        self.roles.get(role.as_str()).copied()
    }
}

/// Whether `name` can be an upstream name (`recourse.<name>.v1`).
pub fn is_upstream_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 64
}

impl GatewaySettings {
    /// Checks what types alone cannot; errors name the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid =
            |key: &'static str, message: String| Err(ConfigError::Invalid { key, message });
        for (name, url) in &self.upstreams {
            if !is_upstream_name(name) {
                return invalid(
                    "gateway.upstreams",
                    format!("`{name}` is not a service name (lower-case letters, digits, _)"),
                );
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return invalid(
                    "gateway.upstreams",
                    format!("`{name}` must be an http:// or https:// URL"),
                );
            }
        }
        for (key, value) in [
            (
                "gateway.max_request_message_bytes",
                u64::from(self.max_request_message_bytes),
            ),
            (
                "gateway.max_response_message_bytes",
                u64::from(self.max_response_message_bytes),
            ),
            ("gateway.unary_timeout_ms", self.unary_timeout_ms),
            ("gateway.connect_timeout_ms", self.connect_timeout_ms),
            ("gateway.health_interval_ms", self.health_interval_ms),
            (
                "gateway.internal_token_ttl_seconds",
                self.internal_token_ttl_seconds,
            ),
            (
                "gateway.keys.last_used_flush_seconds",
                self.keys.last_used_flush_seconds,
            ),
            (
                "gateway.rate_limit.purge_interval_seconds",
                self.rate_limit.purge_interval_seconds,
            ),
        ] {
            if value == 0 {
                return invalid(key, "must be at least 1".into());
            }
        }
        if self.internal_token_ttl_seconds < 60 {
            return invalid(
                "gateway.internal_token_ttl_seconds",
                "must be at least 60 (tokens are renewed 30 s before they expire)".into(),
            );
        }
        if self.rate_limit.max_tracked_principals == 0 {
            return invalid(
                "gateway.rate_limit.max_tracked_principals",
                "must be at least 1".into(),
            );
        }
        if let Some(url) = &self.rate_limit.redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return invalid(
                "gateway.rate_limit.redis_url",
                "must be a redis:// URL".into(),
            );
        }
        for (name, limit) in &self.rate_limit.roles {
            if name.parse::<Role>().is_err() {
                return invalid(
                    "gateway.rate_limit.roles",
                    format!(
                        "`{name}` is not a role (admin, internal, carrier, 3pl, finance, auditor)"
                    ),
                );
            }
            if limit.requests_per_second == 0 || limit.burst == 0 || limit.max_streams == 0 {
                return invalid(
                    "gateway.rate_limit.roles",
                    format!(
                        "`{name}`: requests_per_second, burst and max_streams must be at least 1"
                    ),
                );
            }
        }
        for role in Role::ALL {
            if self.rate_limit.for_role(role).is_none() {
                return invalid("gateway.rate_limit.roles", format!("`{role}` has no limit"));
            }
        }
        if let Some(oidc) = &self.oidc {
            oidc.validate()?;
        }
        Ok(())
    }
}

impl OidcSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key: &'static str, message: &str| {
            Err(ConfigError::Invalid {
                key,
                message: message.to_owned(),
            })
        };
        if self.issuer.trim().is_empty() {
            return invalid("gateway.oidc.issuer", "is required");
        }
        if self.audience.trim().is_empty() {
            return invalid("gateway.oidc.audience", "is required");
        }
        match (&self.jwks_file, &self.jwks_url) {
            (None, None) | (Some(_), Some(_)) => {
                return invalid(
                    "gateway.oidc.jwks_file",
                    "set exactly one of jwks_file and jwks_url",
                );
            }
            (None, Some(url)) if !url.starts_with("http://") => {
                return invalid(
                    "gateway.oidc.jwks_url",
                    "must be an http:// URL (this build has no TLS client; use jwks_file or an in-cluster http endpoint)",
                );
            }
            _ => {}
        }
        if self.jwks_refresh_seconds == 0 {
            return invalid("gateway.oidc.jwks_refresh_seconds", "must be at least 1");
        }
        if self.roles.is_empty() {
            return invalid(
                "gateway.oidc.roles",
                "map at least one claim value to a role",
            );
        }
        for role in self.roles.values() {
            if role.parse::<Role>().is_err() {
                return invalid(
                    "gateway.oidc.roles",
                    "values must be roles (admin, internal, carrier, 3pl, finance, auditor)",
                );
            }
        }
        Ok(())
    }
}
