//! Who is calling through the gateway. A call presents `authorization:
//! Bearer <credential>`: an API key (`rk_...`), an internal token (HS256,
//! as the services verify), or — when configured — a token from the
//! external OIDC issuer. Whatever it was, the services receive only a
//! short-lived internal token for the caller's principal: the gateway
//! strips every inbound credential and identity header (see `proxy`).
//!
//! Every refusal of an API key or SSO token, whatever its reason (unknown,
//! revoked, expired, wrong secret, past a rotation's grace, bad signature),
//! is UNAUTHENTICATED with one identical message, so a caller cannot probe
//! which keys exist. An internal token (an operator's, minted with the
//! installation's own key) is refused with the services' own explanation
//! (e.g. signed with another installation's key, and how to mint one): it
//! names no key and there is nothing to enumerate.

mod minted;
pub mod oidc;

use std::sync::Arc;

use http::HeaderValue;
use jsonwebtoken::Algorithm;
use recourse_platform::auth::{Principal, TokenKeys};
use recourse_platform::gateway_settings::{RateLimitSettings, RoleLimit};
use tonic::Status;

use crate::domain::PresentedKey;
use crate::keys::KeyDirectory;
pub use minted::MintedTokens;
use oidc::Oidc;

/// The one message every refused credential gets.
pub const REFUSED: &str = "invalid or expired credentials";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The rate-limit identity: one bucket per key, token subject or SSO user.
    pub limiter_key: Arc<str>,
    /// What the access log names (a key id, never a secret).
    pub label: Arc<str>,
    pub limit: RoleLimit,
    /// `Bearer <internal token>` to forward to the service.
    pub forward: HeaderValue,
}

#[derive(Debug)]
pub enum AuthError {
    Missing,
    Refused,
    /// An internal token the installation's key does not verify, with why.
    RefusedToken(String),
    /// The key store could not be read: not the caller's fault.
    Unavailable(String),
}

impl From<AuthError> for Status {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::Missing => Status::unauthenticated(
                "missing credentials: send `authorization: Bearer <API key or token>`",
            ),
            AuthError::Refused => Status::unauthenticated(REFUSED),
            AuthError::RefusedToken(why) => Status::unauthenticated(why),
            AuthError::Unavailable(detail) => {
                tracing::error!(%detail, "credential store unavailable");
                Status::unavailable("the gateway cannot check credentials right now; retry")
            }
        }
    }
}

#[derive(Debug)]
pub struct Authenticator {
    keys: Arc<TokenKeys>,
    directory: Arc<KeyDirectory>,
    oidc: Option<Arc<Oidc>>,
    minted: MintedTokens,
    limits: RateLimitSettings,
}

fn bearer(value: &HeaderValue) -> Option<&str> {
    let value = value.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

impl Authenticator {
    pub fn new(
        keys: Arc<TokenKeys>,
        directory: Arc<KeyDirectory>,
        oidc: Option<Arc<Oidc>>,
        token_ttl_seconds: u64,
        limits: RateLimitSettings,
    ) -> Self {
        Self {
            minted: MintedTokens::new(keys.clone(), token_ttl_seconds),
            keys,
            directory,
            oidc,
            limits,
        }
    }

    fn role_limit(&self, principal: &Principal) -> RoleLimit {
        self.limits.for_role(principal.role).unwrap_or(RoleLimit {
            requests_per_second: 1,
            burst: 1,
            max_streams: 1,
        })
    }

    /// Authenticates the `authorization` header of a call.
    pub async fn authenticate(&self, headers: &http::HeaderMap) -> Result<Caller, AuthError> {
        let header = headers
            .get(http::header::AUTHORIZATION)
            .ok_or(AuthError::Missing)?;
        let credential = bearer(header).ok_or(AuthError::Refused)?;
        if credential.starts_with("rk_") {
            return self.api_key(credential).await;
        }
        let algorithm = jsonwebtoken::decode_header(credential)
            .map_err(|_| AuthError::Refused)?
            .alg;
        match algorithm {
            Algorithm::HS256 => self.internal(credential, header),
            Algorithm::HS384 | Algorithm::HS512 => Err(AuthError::Refused),
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512
            | Algorithm::ES256
            | Algorithm::ES384
            | Algorithm::EdDSA => self.external(credential).await,
        }
    }

    async fn api_key(&self, credential: &str) -> Result<Caller, AuthError> {
        let presented = PresentedKey::parse(credential).ok_or(AuthError::Refused)?;
        let found = self
            .directory
            .authenticate(&presented)
            .await
            .map_err(|e| AuthError::Unavailable(e.to_string()))?;
        let key = found.map_err(|refused| {
            tracing::debug!(key = %presented.id, ?refused, "API key refused");
            AuthError::Refused
        })?;
        let subject: Arc<str> = Arc::from(format!("key:{}", key.key_id));
        let forward = self
            .minted
            .get(&subject, &key.principal, key.expires_at)
            .ok_or(AuthError::Refused)?;
        let role = self.role_limit(&key.principal);
        let limit = key.rate.map_or(role, |r| RoleLimit {
            requests_per_second: r.requests_per_second,
            burst: r.burst,
            max_streams: r.max_streams.unwrap_or(role.max_streams),
        });
        Ok(Caller {
            principal: key.principal,
            label: Arc::from(key.key_id.prefix()),
            limiter_key: subject,
            limit,
            forward,
        })
    }

    /// An internal token is forwarded as it came: it already is what the
    /// services verify, with its own expiry.
    fn internal(&self, credential: &str, header: &HeaderValue) -> Result<Caller, AuthError> {
        // `verify` only fails with UNAUTHENTICATED, whose text is the reason.
        let principal = self
            .keys
            .verify(credential)
            .map_err(|err| AuthError::RefusedToken(err.to_string()))?;
        let label = format!(
            "token:{}:{}{}",
            principal.role,
            principal.subject,
            principal
                .scope()
                .map(|s| format!(":{s}"))
                .unwrap_or_default()
        );
        let label: Arc<str> = Arc::from(label);
        Ok(Caller {
            limit: self.role_limit(&principal),
            principal,
            limiter_key: label.clone(),
            label,
            forward: header.clone(),
        })
    }

    async fn external(&self, credential: &str) -> Result<Caller, AuthError> {
        let oidc = self.oidc.as_ref().ok_or(AuthError::Refused)?;
        let verified = oidc.verify(credential).await.map_err(|reason| {
            tracing::debug!(%reason, "OIDC token refused");
            AuthError::Refused
        })?;
        let label: Arc<str> = Arc::from(format!("oidc:{}", verified.principal.subject));
        let forward = self
            .minted
            .get(&label, &verified.principal, Some(verified.expires_at))
            .ok_or(AuthError::Refused)?;
        Ok(Caller {
            limit: self.role_limit(&verified.principal),
            principal: verified.principal,
            limiter_key: label.clone(),
            label,
            forward,
        })
    }
}
