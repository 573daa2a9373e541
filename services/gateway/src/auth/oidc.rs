//! Tokens from an external OpenID Connect issuer (company SSO). The token's
//! signature is checked against the issuer's JWKS (a file, or an http://
//! URL fetched at start and every `jwks_refresh_seconds`, and again when a
//! token names a key id not yet known); `iss`, `aud` and `exp` are checked;
//! one claim, mapped through `gateway.oidc.roles`, gives the role. Only
//! asymmetric algorithms reach this module, so a JWKS can never be used as
//! an HMAC secret.

use std::collections::BTreeMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use recourse_platform::auth::{Principal, Role};
use recourse_platform::gateway_settings::OidcSettings;
use serde_json::Value;

/// A refresh triggered by an unknown key id happens at most this often.
const MIN_REFRESH: Duration = Duration::from_secs(10);
const MAX_JWKS_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("JWKS {source_name}: {message}")]
    Jwks {
        source_name: String,
        message: String,
    },
}

#[derive(Debug)]
pub struct Verified {
    pub principal: Principal,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug)]
struct Keys {
    set: JwkSet,
    fetched: Instant,
}

#[derive(Debug)]
pub struct Oidc {
    settings: OidcSettings,
    roles: BTreeMap<String, Role>,
    keys: RwLock<Keys>,
}

async fn fetch(url: &str) -> Result<JwkSet, String> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let uri: http::Uri = url.parse().map_err(|e| format!("bad URL: {e}"))?;
    let response = tokio::time::timeout(Duration::from_secs(10), client.get(uri))
        .await
        .map_err(|_| "timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    let body = http_body_util::Limited::new(response.into_body(), MAX_JWKS_BYTES)
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    serde_json::from_slice(&body).map_err(|e| format!("not a JWKS document: {e}"))
}

impl Oidc {
    /// Loads the key set (file or URL); a start without keys is refused.
    pub async fn new(settings: OidcSettings) -> Result<Self, OidcError> {
        let roles = settings
            .roles
            .iter()
            .filter_map(|(claim, role)| Some((claim.clone(), role.parse().ok()?)))
            .collect();
        let set = Self::load(&settings).await?;
        Ok(Self {
            settings,
            roles,
            keys: RwLock::new(Keys {
                set,
                fetched: Instant::now(),
            }),
        })
    }

    async fn load(settings: &OidcSettings) -> Result<JwkSet, OidcError> {
        match (&settings.jwks_file, &settings.jwks_url) {
            (Some(path), _) => {
                let error = |message: String| OidcError::Jwks {
                    source_name: path.display().to_string(),
                    message,
                };
                let bytes = tokio::fs::read(path)
                    .await
                    .map_err(|e| error(e.to_string()))?;
                serde_json::from_slice(&bytes)
                    .map_err(|e| error(format!("not a JWKS document: {e}")))
            }
            (None, Some(url)) => fetch(url).await.map_err(|message| OidcError::Jwks {
                source_name: url.clone(),
                message,
            }),
            (None, None) => Err(OidcError::Jwks {
                source_name: "gateway.oidc".into(),
                message: "no jwks_file or jwks_url".into(),
            }),
        }
    }

    /// Reloads the key set if it is older than `min_age`.
    async fn refresh(&self, min_age: Duration) {
        let stale = self
            .keys
            .read()
            .map(|k| k.fetched.elapsed() >= min_age)
            .unwrap_or(true);
        if !stale {
            return;
        }
        match Self::load(&self.settings).await {
            Ok(set) => {
                if let Ok(mut keys) = self.keys.write() {
                    *keys = Keys {
                        set,
                        fetched: Instant::now(),
                    };
                }
            }
            Err(err) => tracing::warn!(%err, "OIDC key set refresh failed; keeping the old one"),
        }
    }

    fn decoding_key(&self, kid: Option<&str>) -> Option<DecodingKey> {
        let keys = self.keys.read().ok()?;
        let jwk = match kid {
            Some(kid) => keys.set.find(kid)?,
            None if keys.set.keys.len() == 1 => keys.set.keys.first()?,
            None => return None,
        };
        DecodingKey::from_jwk(jwk).ok()
    }

    /// Verifies `token` and maps it to a principal.
    pub async fn verify(&self, token: &str) -> Result<Verified, String> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
        let refresh_every = Duration::from_secs(self.settings.jwks_refresh_seconds);
        self.refresh(refresh_every).await;
        let key = match self.decoding_key(header.kid.as_deref()) {
            Some(key) => key,
            None => {
                self.refresh(MIN_REFRESH).await;
                self.decoding_key(header.kid.as_deref())
                    .ok_or_else(|| "no key in the JWKS for this token".to_owned())?
            }
        };
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[self.settings.issuer.as_str()]);
        validation.set_audience(&[self.settings.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        let claims = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map_err(|e| e.to_string())?
            .claims;
        self.principal(&claims)
    }

    fn principal(&self, claims: &Value) -> Result<Verified, String> {
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .ok_or("no sub claim")?;
        let expires_at = claims
            .get("exp")
            .and_then(Value::as_i64)
            .and_then(|exp| DateTime::from_timestamp(exp, 0))
            .ok_or("no exp claim")?;
        // A role claim may be a string or a list (groups); the first value
        // that maps to a role wins.
        let values: Vec<&str> = match claims.get(&self.settings.role_claim) {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let role = values
            .iter()
            .find_map(|v| self.roles.get(*v).copied())
            .ok_or("no role claim value maps to a role")?;
        let scope = match role {
            Role::Carrier | Role::ThirdParty => Some(
                claims
                    .get(&self.settings.scope_claim)
                    .and_then(Value::as_str)
                    .ok_or("a partner role needs the scope claim")?
                    .trim_start_matches("carriers/")
                    .to_owned(),
            ),
            Role::Admin | Role::Internal | Role::Finance | Role::Auditor => None,
        };
        let principal = Principal::new(format!("oidc:{subject}"), role, scope)?;
        Ok(Verified {
            principal,
            expires_at,
        })
    }
}
