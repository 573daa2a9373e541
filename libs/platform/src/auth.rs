//! Who is calling: a [`Principal`] carried on every request as a signed
//! bearer token (HS256 JWT with an expiry). Every service verifies it with
//! [`AuthInterceptor`] and enforces its per-RPC role rules with
//! [`Principal::require`]. Two kinds of outside principal exist and neither
//! can do the other's part: a **carrier** principal acts for one carrier
//! (pushes its tracking, answers and decides the claims filed against it)
//! and a **3PL** principal acts for one third-party-logistics account (files
//! and follows claims on its merchants' behalf, sees only what it filed).

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tonic::service::Interceptor;
use tonic::{Request, Status};

use crate::config::AuthSettings;
use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the platform: everything.
    Admin,
    /// Internal product teams: customer service, seller tools, logistics ops.
    Internal,
    /// A carrier's integration: sees only its own carrier's data; answers
    /// and decides the claims filed against that carrier.
    Carrier,
    /// A third-party-logistics partner: files and follows claims for its
    /// merchants; sees only what its own account filed; never decides.
    #[serde(rename = "3pl")]
    ThirdParty,
    /// Records remittances and reconciles recoveries.
    Finance,
    /// Reads everything, changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Internal,
        Role::Carrier,
        Role::ThirdParty,
        Role::Finance,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Internal => "internal",
            Role::Carrier => "carrier",
            Role::ThirdParty => "3pl",
            Role::Finance => "finance",
            Role::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role `{s}` (admin, internal, carrier, 3pl, finance, auditor)")
            })
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub role: Role,
    /// For carrier principals: the id of the carrier they act for.
    pub carrier_id: Option<String>,
    /// For 3PL principals: the id of the 3PL account they act for.
    pub party_id: Option<String>,
}

impl Principal {
    /// Builds a principal. `scope` is the carrier id of a carrier principal
    /// or the account id of a 3PL principal; it is required for those two
    /// roles (they would otherwise have no scope) and refused for any other.
    pub fn new(
        subject: impl Into<String>,
        role: Role,
        scope: Option<String>,
    ) -> Result<Self, String> {
        let subject = subject.into();
        if subject.trim().is_empty() || subject.len() > 128 || subject.chars().any(char::is_control)
        {
            return Err("subject must be 1-128 printable characters".into());
        }
        if let Some(id) = &scope
            && (id.trim().is_empty() || id.len() > 64 || id.chars().any(char::is_control))
        {
            return Err("a scope id must be 1-64 printable characters".into());
        }
        let (carrier_id, party_id) = match (role, scope) {
            (Role::Carrier, Some(id)) => (Some(id), None),
            (Role::ThirdParty, Some(id)) => (None, Some(id)),
            (Role::Carrier, None) => return Err("a carrier principal needs a carrier".into()),
            (Role::ThirdParty, None) => return Err("a 3pl principal needs an account".into()),
            (Role::Admin | Role::Internal | Role::Finance | Role::Auditor, None) => (None, None),
            (Role::Admin | Role::Internal | Role::Finance | Role::Auditor, Some(_)) => {
                return Err(format!("role {role} cannot be scoped"));
            }
        };
        Ok(Self {
            subject,
            role,
            carrier_id,
            party_id,
        })
    }

    /// The scope id the principal was built with (carrier or 3PL account).
    pub fn scope(&self) -> Option<&str> {
        self.carrier_id.as_deref().or(self.party_id.as_deref())
    }

    /// Refuses the call unless the principal has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::PermissionDenied(format!(
                "role `{}` may not perform this call",
                self.role
            )))
        }
    }

    /// Whether this is an outside principal (a carrier or a 3PL).
    pub fn is_partner(&self) -> bool {
        matches!(self.role, Role::Carrier | Role::ThirdParty)
    }

    /// Whether this principal may see data of `carrier_id` as a carrier's:
    /// internal roles may; a carrier only its own; a 3PL never (it sees
    /// only what its own account filed, which each service checks).
    pub fn can_see_carrier(&self, carrier_id: &str) -> bool {
        match self.role {
            Role::Carrier => self.carrier_id.as_deref() == Some(carrier_id),
            Role::ThirdParty => false,
            Role::Admin | Role::Internal | Role::Finance | Role::Auditor => true,
        }
    }

    /// The carrier filter a list call may use: a carrier principal is pinned
    /// to its own carrier (asking for another is refused); other roles get
    /// what they asked for.
    pub fn list_scope(&self, requested: Option<String>) -> Result<Option<String>, ApiError> {
        match (self.carrier_scope(), requested) {
            (Some(own), Some(asked)) if own != asked => Err(ApiError::PermissionDenied(format!(
                "carriers/{asked} is not visible to this principal"
            ))),
            (Some(own), _) => Ok(Some(own.to_owned())),
            (None, requested) => Ok(requested),
        }
    }

    /// The carrier a carrier principal is pinned to; `None` for others.
    pub fn carrier_scope(&self) -> Option<&str> {
        match self.role {
            Role::Carrier => self.carrier_id.as_deref(),
            Role::ThirdParty | Role::Admin | Role::Internal | Role::Finance | Role::Auditor => None,
        }
    }

    /// The 3PL account a 3PL principal is pinned to; `None` for others.
    pub fn party_scope(&self) -> Option<&str> {
        match self.role {
            Role::ThirdParty => self.party_id.as_deref(),
            Role::Carrier | Role::Admin | Role::Internal | Role::Finance | Role::Auditor => None,
        }
    }
}

/// The caller's raw bearer token, kept so a service can call another on the
/// caller's behalf (the callee applies its own role and partner rules).
#[derive(Debug, Clone)]
pub struct BearerToken(pub String);

/// The raw token of a request that [`AuthInterceptor`] accepted.
pub fn bearer_token<T>(request: &Request<T>) -> Option<&str> {
    request
        .extensions()
        .get::<BearerToken>()
        .map(|t| t.0.as_str())
}

/// Reads the principal that [`AuthInterceptor`] attached to a request.
pub fn principal<T>(request: &Request<T>) -> Result<&Principal, Status> {
    request
        .extensions()
        .get::<Principal>()
        .ok_or_else(|| Status::unauthenticated("missing bearer token"))
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    carrier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    party: Option<String>,
    iss: String,
    iat: i64,
    exp: i64,
}

/// Signs and verifies bearer tokens with one HS256 key.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
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

/// Verifies the `authorization: Bearer <token>` metadata of every call and
/// attaches the [`Principal`] to the request.
#[derive(Debug, Clone)]
pub struct AuthInterceptor {
    keys: Arc<TokenKeys>,
}

impl AuthInterceptor {
    pub fn new(keys: Arc<TokenKeys>) -> Self {
        Self { keys }
    }
}

impl Interceptor for AuthInterceptor {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let header = request
            .metadata()
            .get("authorization")
            .ok_or_else(|| Status::unauthenticated("missing bearer token"))?;
        let value = header
            .to_str()
            .map_err(|_| Status::unauthenticated("authorization header is not ASCII"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| Status::unauthenticated("authorization must be `Bearer <token>`"))?;
        let token = token.trim().to_owned();
        let principal = self.keys.verify(&token)?;
        tracing::Span::current().record("enduser.id", principal.subject.as_str());
        request.extensions_mut().insert(principal);
        request.extensions_mut().insert(BearerToken(token));
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(b"0123456789abcdef0123456789abcdef", "recourse")
    }

    #[test]
    fn minted_token_verifies_to_the_same_principal() {
        let p = Principal::new("ops", Role::Carrier, Some("c1".into())).unwrap();
        let token = keys().mint(&p, 60).unwrap();
        assert_eq!(keys().verify(&token).unwrap(), p);
    }

    #[test]
    fn token_signed_with_another_key_is_refused() {
        let other = TokenKeys::new(b"ffffffffffffffffffffffffffffffff", "recourse");
        let p = Principal::new("ops", Role::Admin, None).unwrap();
        let token = other.mint(&p, 60).unwrap();
        assert!(matches!(
            keys().verify(&token),
            Err(ApiError::Unauthenticated(_))
        ));
    }

    #[test]
    fn a_foreign_signature_is_refused_with_how_to_mint_a_valid_token() {
        let other = TokenKeys::new(b"ffffffffffffffffffffffffffffffff", "recourse");
        let p = Principal::new("ops", Role::Admin, None).unwrap();
        let Err(ApiError::Unauthenticated(message)) = keys().verify(&other.mint(&p, 60).unwrap())
        else {
            panic!("refused");
        };
        assert!(
            message.contains("does not match this installation's key"),
            "{message}"
        );
        assert!(message.contains("recourse token"), "{message}");
        assert!(!message.contains("0123456789abcdef"), "no key material");
    }

    #[test]
    fn existing_keys_are_never_created() {
        let dir = tempfile::tempdir().unwrap();
        let settings = AuthSettings::default();
        let err = TokenKeys::existing(&settings, dir.path()).unwrap_err();
        assert!(matches!(err, KeyError::Missing(_)));
        assert!(
            err.to_string()
                .contains(&dir.path().join("auth.key").display().to_string())
        );
        assert!(err.to_string().contains("--data-dir"));
        assert!(!dir.path().join("auth.key").exists());
        let created = TokenKeys::from_settings(&settings, dir.path()).unwrap();
        let (found, source) = TokenKeys::existing(&settings, dir.path()).unwrap();
        assert_eq!(source, KeySource::File(dir.path().join("auth.key")));
        let p = Principal::new("ops", Role::Internal, None).unwrap();
        assert_eq!(created.verify(&found.mint(&p, 60).unwrap()).unwrap(), p);
    }

    #[test]
    fn expired_token_is_refused() {
        let p = Principal::new("ops", Role::Admin, None).unwrap();
        let claims = Claims {
            sub: p.subject,
            role: p.role,
            carrier: None,
            party: None,
            iss: "recourse".into(),
            iat: 0,
            exp: chrono::Utc::now().timestamp() - 3600,
        };
        let token = jsonwebtoken::encode(&Header::default(), &claims, &keys().encoding).unwrap();
        assert!(matches!(
            keys().verify(&token),
            Err(ApiError::Unauthenticated(_))
        ));
    }

    #[test]
    fn subject_is_bounded_and_printable() {
        assert!(Principal::new("x".repeat(129), Role::Admin, None).is_err());
        assert!(Principal::new("a\nb", Role::Admin, None).is_err());
        assert!(Principal::new("x".repeat(128), Role::Admin, None).is_ok());
    }

    #[test]
    fn partners_need_a_scope_and_others_cannot_have_one() {
        assert!(Principal::new("p", Role::Carrier, None).is_err());
        assert!(Principal::new("p", Role::ThirdParty, None).is_err());
        assert!(Principal::new("a", Role::Admin, Some("c1".into())).is_err());
    }

    #[test]
    fn carrier_sees_only_its_own_carrier_and_a_3pl_none() {
        let p = Principal::new("p", Role::Carrier, Some("c1".into())).unwrap();
        assert!(p.can_see_carrier("c1"));
        assert!(!p.can_see_carrier("c2"));
        let tpl = Principal::new("t", Role::ThirdParty, Some("acct-1".into())).unwrap();
        assert!(!tpl.can_see_carrier("c1"));
        assert_eq!(tpl.party_scope(), Some("acct-1"));
        assert_eq!(tpl.carrier_scope(), None);
        let auditor = Principal::new("a", Role::Auditor, None).unwrap();
        assert!(auditor.can_see_carrier("c2"));
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let settings = AuthSettings::default();
        let first = TokenKeys::from_settings(&settings, dir.path()).unwrap();
        let second = TokenKeys::from_settings(&settings, dir.path()).unwrap();
        let p = Principal::new("ops", Role::Internal, None).unwrap();
        let token = first.mint(&p, 60).unwrap();
        assert_eq!(second.verify(&token).unwrap(), p);
    }
}
