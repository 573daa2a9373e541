//! Who is calling: a [`Principal`] carried on every request as a signed
//! bearer token (HS256 JWT with an expiry). Every service verifies it with
//! [`AuthInterceptor`] and enforces its per-RPC role rules with
//! [`Principal::require`]. Two kinds of outside principal exist and neither
//! can do the other's part: a **carrier** principal acts for one carrier
//! (pushes its tracking, answers and decides the claims filed against it)
//! and a **3PL** principal acts for one third-party-logistics account (files
//! and follows claims on its merchants' behalf, sees only what it filed).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tonic::service::Interceptor;
use tonic::{Request, Status};

use crate::error::ApiError;

mod keys;

pub use keys::{KeyError, KeySource, TokenKeys, key_file};

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

/// The principal of a request, refused (PERMISSION_DENIED) unless it has
/// one of `roles`: the first line of a handler, before anything is read,
/// so a refusal by role says nothing about what exists.
pub fn authorize<'r, T>(request: &'r Request<T>, roles: &[Role]) -> Result<&'r Principal, Status> {
    let caller = principal(request)?;
    caller.require(roles)?;
    Ok(caller)
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
mod tests;
