//! gRPC glue for `recourse.claims.v1`: who may call what (checked before
//! anything is read, so a refusal by role says nothing about what exists),
//! parsing through `convert`, the use case, the rendered answer.

pub mod claims;
pub mod disputes;
pub mod escalations;
pub mod events;
pub mod recoveries;

use recourse_platform::auth::{Principal, Role, authorize, bearer_token};
use recourse_platform::idempotency::IdempotencyKey;
use tonic::{Request, Status};

/// Who files and follows claims: in-house teams and 3PLs (their own
/// account's). A carrier never files a claim against itself.
pub const CLAIMANTS: &[Role] = &[Role::Admin, Role::Internal, Role::ThirdParty];
/// Who reads claims (a carrier its carrier's submitted claims, a 3PL its
/// account's).
pub const READERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Carrier,
    Role::ThirdParty,
    Role::Finance,
    Role::Auditor,
];
/// Who moves claims through their lifecycle; which move each may make is
/// `claims::access`'s business (it needs the claim's status and filer).
pub const MOVERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Carrier,
    Role::ThirdParty,
    Role::Finance,
];
/// Who files delay claims from refund candidates.
pub const REFUND_AUTOMATION: &[Role] = &[Role::Admin, Role::Internal];
/// Who exports claims as X12 920s.
pub const X12_EXPORTERS: &[Role] = &[Role::Admin, Role::Internal];
/// Who imports X12 926 status reports (a carrier for its carrier's claims).
pub const X12_IMPORTERS: &[Role] = &[Role::Admin, Role::Internal, Role::Carrier];
/// Who records money: remittances, allocations, write-offs, imports.
pub const FINANCE: &[Role] = &[Role::Admin, Role::Finance];
/// Who reads money: remittances and the reconciliation. Not internal
/// product teams, carriers or 3PLs (a carrier's payments are finance's
/// books; a claim shows what was recovered on it).
pub const FINANCE_READERS: &[Role] = &[Role::Admin, Role::Finance, Role::Auditor];

/// An idempotent call as its use case needs it: the caller (its role
/// checked before anything else), its bearer token for the calls made on
/// its behalf, the body, and the body's idempotency key.
pub struct Keyed<T> {
    pub caller: Principal,
    pub token: Option<String>,
    pub body: T,
    pub key: IdempotencyKey,
}

/// Unpacks an idempotent call of `method` that `roles` may make.
pub fn keyed<T: prost::Message>(
    request: Request<T>,
    roles: &[Role],
    method: &str,
    request_id: fn(&T) -> &str,
) -> Result<Keyed<T>, Status> {
    let caller = authorize(&request, roles)?.clone();
    let token = bearer_token(&request).map(str::to_owned);
    let body = request.into_inner();
    let key = IdempotencyKey::new(method, &caller, request_id(&body), &body)?;
    Ok(Keyed {
        caller,
        token,
        body,
        key,
    })
}
