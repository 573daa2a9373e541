//! Signing keys: the configured secret or the installation's key file,
//! minting and verifying tokens, and why a token was refused.

use std::fmt;
use std::path::Path;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{Principal, Role};
use crate::config::AuthSettings;
use crate::error::ApiError;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Claims {
    pub(super) sub: String,
    pub(super) role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) carrier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) party: Option<String>,
    pub(super) iss: String,
    pub(super) iat: i64,
    pub(super) exp: i64,
}

/// Signs and verifies bearer tokens with one HS256 key.
#[derive(Clone)]
pub struct TokenKeys {
    pub(super) encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
}

impl fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKeys")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("auth key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("auth key file {0} holds fewer than 32 bytes")]
    TooShort(String),
    #[error("random number generator: {0}")]
    Random(String),
    #[error(
        "no auth key at {0}. `recourse token` signs with the key of an existing installation \
         and never creates one (a new key would mint tokens the server refuses). Point it at \
         the server's data directory with `--data-dir DIR` (or RECOURSE__DATABASE__DATA_DIR, or \
         the server's --config file), or set RECOURSE__AUTH__TOKEN_SECRET to the server's \
         auth.token_secret"
    )]
    Missing(String),
}

/// Where the signing key of an installation came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `auth.token_secret` (file or environment).
    Configured,
    /// The key file under the data directory (absolute path).
    File(std::path::PathBuf),
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Configured => f.write_str("auth.token_secret"),
            KeySource::File(path) => write!(f, "key file {}", path.display()),
        }
    }
}

/// The key file of the installation whose data directory is `data_dir`,
/// as an absolute path when the working directory is known.
pub fn key_file(data_dir: &Path) -> std::path::PathBuf {
    let path = data_dir.join("auth.key");
    let path = if path.is_absolute() {
        path
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(&path))
            .unwrap_or(path)
    };
    // `./data` reads better as `data`.
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

impl TokenKeys {
    pub fn new(secret: &[u8], issuer: impl Into<String>) -> Self {
        let issuer = issuer.into();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 30;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer,
        }
    }

    /// The configured secret, or else the key kept in `<data_dir>/auth.key`,
    /// created with 32 random bytes on first use so a laptop install is
    /// secure without setup and `recourse token` signs with the same key.
    pub fn from_settings(settings: &AuthSettings, data_dir: &Path) -> Result<Self, KeyError> {
        if let Some(secret) = &settings.token_secret {
            return Ok(Self::new(secret.as_bytes(), settings.issuer.clone()));
        }
        let path = data_dir.join("auth.key");
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        let secret = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir).map_err(io)?;
                let mut bytes = vec![0u8; 32];
                getrandom::fill(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
                let hex = hex::encode(&bytes).into_bytes();
                write_private(&path, &hex).map_err(io)?;
                hex
            }
            Err(err) => return Err(io(err)),
        };
        if secret.len() < 32 {
            return Err(KeyError::TooShort(path.display().to_string()));
        }
        Ok(Self::new(&secret, settings.issuer.clone()))
    }

    /// The keys of an existing installation: the configured secret, or the
    /// key file under `data_dir` — never a new one (minting with a fresh key
    /// would give tokens the running server refuses). Says which it used.
    pub fn existing(
        settings: &AuthSettings,
        data_dir: &Path,
    ) -> Result<(Self, KeySource), KeyError> {
        if let Some(secret) = &settings.token_secret {
            return Ok((
                Self::new(secret.as_bytes(), settings.issuer.clone()),
                KeySource::Configured,
            ));
        }
        let path = key_file(data_dir);
        let shown = path.display().to_string();
        let secret = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(KeyError::Missing(shown));
            }
            Err(source) => {
                return Err(KeyError::Io {
                    path: shown,
                    source,
                });
            }
        };
        if secret.len() < 32 {
            return Err(KeyError::TooShort(shown));
        }
        Ok((
            Self::new(&secret, settings.issuer.clone()),
            KeySource::File(path),
        ))
    }

    /// Mints a token for `principal`, valid for `ttl_seconds`.
    pub fn mint(&self, principal: &Principal, ttl_seconds: u64) -> Result<String, String> {
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(ttl_seconds).map_err(|_| "ttl too large".to_owned())?;
        let claims = Claims {
            sub: principal.subject.clone(),
            role: principal.role,
            carrier: principal.carrier_id.clone(),
            party: principal.party_id.clone(),
            iss: self.issuer.clone(),
            iat: now,
            exp: now.saturating_add(ttl),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| e.to_string())
    }

    /// Verifies signature, issuer and expiry, and rebuilds the principal.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| ApiError::Unauthenticated(refusal(&e)))?;
        let claims = data.claims;
        Principal::new(claims.sub, claims.role, claims.carrier.or(claims.party))
            .map_err(|e| ApiError::Unauthenticated(format!("invalid bearer token: {e}")))
    }
}

/// Why a token was refused, and what to do about it — without saying
/// anything about the key itself.
// jsonwebtoken's ErrorKind is non-exhaustive and not ours: the rest share one message.
#[allow(clippy::wildcard_enum_match_arm)]
fn refusal(err: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match err.kind() {
        ErrorKind::InvalidSignature => "invalid bearer token: its signature does not match this \
             installation's key. Mint one with `recourse token` using the server's data \
             directory (`--data-dir`, where its auth.key is) or its auth.token_secret"
            .to_owned(),
        ErrorKind::ExpiredSignature => {
            "bearer token expired; mint a new one with `recourse token`".to_owned()
        }
        ErrorKind::InvalidIssuer => {
            "invalid bearer token: issued by another installation (auth.issuer differs)".to_owned()
        }
        _ => format!("invalid bearer token: {err}"),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}
